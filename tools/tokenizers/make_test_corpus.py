#!/usr/bin/python3
"""Writes the tokenizer test corpus: varied lines, seeded so the file is reproducible.

Mixes: Python lines from the standard library, Java lines from this repository (at a fixed commit), code in other languages
(C, Rust, Go, JavaScript, SQL, shell, Haskell, Lisp), prose in many scripts, emoji (ZWJ sequences, flags,
skin tones, keycaps), runs of spaces and tabs, digits and URLs, and rare characters (historic scripts,
mathematical alphanumerics, CJK extension B, combining marks, private use) that need byte fallback.
No line holds a newline or carriage return (spm_encode reads one sentence per line).

usage: make_test_corpus.py OUT.txt [LINES]
"""
import os
import random
import subprocess
import sys

SEED = 20261125
# Java lines come from the engine's sources as of this commit, so rerunning the script gives the same corpus
JAVA_COMMIT = "4b3a8433e62879c1b2642fd10f0a6a583a01212d"

OTHER_CODE = [
    "int main(int argc, char **argv) { printf(\"%d\\n\", argc); return 0; }",
    "#include <stdio.h>", "static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }",
    "fn main() { let v: Vec<u8> = (0..10).collect(); println!(\"{:?}\", v); }",
    "impl<T: Clone> From<&[T]> for Stack<T> { fn from(s: &[T]) -> Self { Stack(s.to_vec()) } }",
    "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }",
    "const sum = (xs) => xs.reduce((a, b) => a + b, 0); // arrow function",
    "export default async function handler(req, res) { res.status(200).json({ ok: true }); }",
    "SELECT id, name, COUNT(*) AS n FROM users WHERE created_at >= '2024-01-01' GROUP BY id, name;",
    "for f in *.txt; do wc -l \"$f\" | awk '{print $1}'; done 2>/dev/null",
    "main = interact $ show . sum . map read . lines", "(defun fact (n) (if (<= n 1) 1 (* n (fact (- n 1)))))",
    "public static <T extends Comparable<T>> T max(List<T> xs) { return Collections.max(xs); }",
    "<div class=\"card\" data-id=\"42\"><span>&nbsp;caf\u00e9</span></div>",
    "{\"name\": \"tekken\", \"size\": 131072, \"ok\": true, \"tags\": [\"a\", \"b\"], \"pi\": 3.14159}",
    "x = [i**2 for i in range(100) if i % 3 == 0]  # squares", "let () = print_endline \"hello\"",
    "val xs = List(1, 2, 3).map(_ * 2).filter(_ > 2)", "@media (max-width: 600px) { .nav { display: none; } }",
    "    return self._cache.setdefault(key, compute(key))", "\tif (err != nil) {\t\treturn err\t}",
]

PROSE = [
    "The quick brown fox jumps over the lazy dog.", "Le c\u0153ur a ses raisons que la raison ne conna\u00eet point.",
    "\u00dcber allen Gipfeln ist Ruh', stra\u00dfe, Gr\u00f6\u00dfe.", "\u00bfD\u00f3nde est\u00e1 la biblioteca? \u00a1Ma\u00f1ana!",
    "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5, \u03c4\u03b9 \u03ba\u03ac\u03bd\u03b5\u03b9\u03c2;",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u041a\u0430\u043a \u0434\u0435\u043b\u0430?",
    "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u6563\u6b65\u5427\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u30ab\u30bf\u30ab\u30ca\u3002",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc744 \ud1a0\ud070\ud654\ud569\ub2c8\ub2e4.",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e0a\u0e32\u0e27\u0e42\u0e25\u0e01",
    "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u thanh.", "\u00c5ngstr\u00f6m, \u00e6sir, \u00f8l, \u0142\u00f3d\u017a, \u010de\u0161tina, t\u00fcrk\u00e7e \u0131\u015f\u0131k",
    "\u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8 \u10d0\u10dc\u10d1\u10d0\u10dc\u10d8", "\u0540\u0561\u0575\u0565\u0580\u0565\u0576",
    "na\u00efve r\u00e9sum\u00e9 fa\u00e7ade co\u00f6perate", "e\u0301 vs \u00e9 (combining acute vs precomposed)",
]

EMOJI = ["\U0001F600", "\U0001F44D\U0001F3FD", "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
         "\U0001F1EB\U0001F1F7", "\U0001F1EF\U0001F1F5", "1\uFE0F\u20E3", "\u2764\uFE0F", "\U0001F9D1\u200D\U0001F4BB",
         "\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F40D", "\u2615", "\U0001F680\U0001F525\U0001F4AF"]

RARE_RANGES = [(0x10000, 0x1005D), (0x1D400, 0x1D4FF), (0x20000, 0x2A6DF), (0x13000, 0x1342E), (0x1F300, 0x1F5FF),
               (0xE000, 0xE0FF), (0x0300, 0x036F), (0x2200, 0x22FF), (0x1D100, 0x1D1E8), (0x16A0, 0x16F0)]


def sample_lines(paths, rng, n, min_len=8):
    lines = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                lines.extend(l.rstrip("\n") for l in f if len(l.strip()) >= min_len)
        except (OSError, UnicodeDecodeError):
            pass
    # a literal U+2581 cannot survive SentencePiece (it is how spaces are written), so the decode check skips it
    lines = [l.replace("\r", "") for l in lines if len(l) < 300 and "\u2581" not in l]
    return rng.sample(lines, min(n, len(lines)))


def java_lines_at_commit(repo, rng, n):
    def git(*args):
        return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout
    paths = sorted(p for p in git("ls-tree", "-r", "--name-only", JAVA_COMMIT, "engine/src/main").splitlines()
                   if p.endswith(".java"))
    lines = []
    for p in paths:
        lines.extend(l for l in git("show", f"{JAVA_COMMIT}:{p}").split("\n") if len(l.strip()) >= 8)
    lines = [l for l in lines if len(l) < 300 and "\u2581" not in l and "\r" not in l]
    return rng.sample(lines, min(n, len(lines)))


def rare(rng, k):
    out = []
    for _ in range(k):
        lo, hi = rng.choice(RARE_RANGES)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def whitespace(rng):
    return "".join(rng.choice([" ", " ", " ", "\t", "  ", "    ", "\u00a0", "\u3000"]) for _ in range(rng.randint(1, 6)))


def main():
    out_path = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    rng = random.Random(SEED)
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.normpath(os.path.join(here, "..", ".."))
    stdlib = sorted(os.path.join(d, f) for d, _, fs in os.walk("/usr/lib/python3.11")
                    if "test" not in d and "site-packages" not in d for f in fs if f.endswith(".py"))
    py_lines = sample_lines(rng.sample(stdlib, 200), rng, total * 30 // 100)
    java_lines = java_lines_at_commit(repo, rng, total * 10 // 100)
    lines = py_lines + java_lines
    kinds = ["code", "prose", "emoji", "ws", "rare", "mixed", "numbers", "empty"]
    weights = [14, 20, 10, 10, 10, 20, 8, 1]
    while len(lines) < total:
        kind = rng.choices(kinds, weights)[0]
        if kind == "code":
            line = rng.choice(OTHER_CODE)
        elif kind == "prose":
            line = " ".join(rng.sample(PROSE, rng.randint(1, 3)))
        elif kind == "emoji":
            line = " ".join(rng.choice(EMOJI) + rng.choice(["", " ok", "!", "\u2026"]) for _ in range(rng.randint(1, 5)))
        elif kind == "ws":
            line = whitespace(rng) + rng.choice(OTHER_CODE + PROSE) + whitespace(rng) + "x" + whitespace(rng)
        elif kind == "rare":
            line = rng.choice(["", "id ", "\u00ab"]) + rare(rng, rng.randint(1, 8)) + rng.choice(["", " end", ".", "\u00bb"])
        elif kind == "mixed":
            parts = [rng.choice(PROSE), rng.choice(EMOJI), rare(rng, 2), rng.choice(OTHER_CODE), str(rng.randint(0, 10**9))]
            rng.shuffle(parts)
            line = rng.choice([" ", "", "  ", "\t"]).join(parts[: rng.randint(2, 5)])
        elif kind == "numbers":
            line = rng.choice(["v%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 99), rng.randint(0, 999)),
                               "https://example.org/a/%d?q=%x&lang=fr#top" % (rng.randint(0, 10**6), rng.randint(0, 10**6)),
                               "%.6f" % rng.uniform(-1e4, 1e4), "0x%08X" % rng.getrandbits(32),
                               "%d,%03d,%03d" % (rng.randint(1, 999), rng.randint(0, 999), rng.randint(0, 999))])
        else:
            line = ""
        lines.append(line)
    rng.shuffle(lines)
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        for l in lines[:total]:
            assert "\n" not in l and "\r" not in l
            f.write(l + "\n")
    print(f"wrote {out_path}: {total} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
