#!/usr/bin/python3
"""Draws the app icon (a snake-like S-curve, for Mamba, over a state bar) as PNGs, supersampled for smooth edges.
Usage: /usr/bin/python3 tools/icon/make_icon.py  (writes icon-256.png and icon-64.png into the assets)."""
from pathlib import Path
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[2] / "assets/src/main/resources/org/mambaplayground/assets"
S = 4  # supersampling factor
BG, BODY, BAR = (17, 94, 89, 255), (253, 230, 138, 255), (153, 246, 228, 255)


def bezier(p0, p1, p2, p3, n=80):
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
        yield (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])


def draw(size=256):
    img = Image.new("RGBA", (size * S, size * S), (0, 0, 0, 0))
    g = ImageDraw.Draw(img)
    k = size * S / 256
    g.rounded_rectangle([8 * k, 8 * k, 247 * k, 247 * k], radius=56 * k, fill=BG)
    points = list(bezier((40, 168), (72, 88), (104, 88), (128, 128))) + list(bezier((128, 128), (152, 168), (184, 168), (212, 96)))
    width = 22 * k
    for x, y in points:  # a round brush along the curve
        g.ellipse([x * k - width / 2, y * k - width / 2, x * k + width / 2, y * k + width / 2], fill=BODY)
    g.ellipse([(214 - 16) * k, (92 - 16) * k, (214 + 16) * k, (92 + 16) * k], fill=BODY)  # head
    g.ellipse([(219 - 4) * k, (87 - 4) * k, (219 + 4) * k, (87 + 4) * k], fill=BG)  # eye
    g.rounded_rectangle([60 * k, 199 * k, 196 * k, 209 * k], radius=5 * k, fill=BAR)
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(256).save(OUT / "icon-256.png")
    draw(256).resize((64, 64), Image.LANCZOS).save(OUT / "icon-64.png")
    print("wrote", OUT / "icon-256.png", OUT / "icon-64.png")
