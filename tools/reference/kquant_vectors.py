"""Independent numpy reference for llama.cpp's k-quant super-blocks Q4_K, Q5_K and Q6_K (dequantization), and the
test vectors the Java tests read (engine/src/test/resources/quant/q4_k.json, q5_k.json, q6_k.json).

Usage: /usr/bin/python3 tools/reference/kquant_vectors.py [output dir]   (fixed seed)

Written from llama.cpp's definitions (ggml/src/ggml-common.h block_q4_K / block_q5_K / block_q6_K, and
ggml/src/ggml-quants.c dequantize_row_q4_K / _q5_K / _q6_K with get_scale_min_k4), all arithmetic in float32:
  Q4_K, 144 bytes: fp16 d, fp16 dmin, 12 bytes scales (eight 6-bit scales and mins), 128 bytes qs.
    For chunk c = 0..3: (sc, m) of sub-blocks 2c and 2c+1;  y[64c + l] = (d*sc0) * (qs[32c+l] & 15) - (dmin*m0),
    y[64c + 32 + l] = (d*sc1) * (qs[32c+l] >> 4) - (dmin*m1).
  Q5_K, 176 bytes: fp16 d, fp16 dmin, 12 bytes scales, 32 bytes qh, 128 bytes qs: as Q4_K plus 16 where bit 2c
    (first half) or 2c+1 (second half) of qh[l] is set.
  Q6_K, 210 bytes: ql[128], qh[64], int8 scales[16], fp16 d. For half n: q = (nibble | 2 bits << 4) - 32,
    y = (d * sc) * q with the nibble/bit/scale selection of dequantize_row_q6_K.
The blocks are random bytes (any byte pattern is a valid block) with the fp16 scales drawn finite; the tests
check that the engine's decoding equals these values bit for bit and that its dot products agree.
JSON: {"format", "block_elements": 256, "block_bytes", "reference", "generator", "seed",
       "cases": [{"name", "n", "blocks": hex, "dequant": float32 hex list, "activation": float32 hex list,
                  "dot": exact sum (fsum of float64 products), "dot_abs": sum of |products|}]}
"""
import json
import math
import os
import sys

import numpy as np

SEED = 20261201
F32 = np.float32
QK_K = 256


def fp16(bits: np.ndarray) -> np.ndarray:
    return np.asarray(bits, dtype=np.uint16).view(np.float16).astype(F32)


def scale_min_k4(q: np.ndarray):
    """get_scale_min_k4 for j = 0..7 of the 12 bytes q: two int arrays of 8."""
    q = q.astype(np.int64)
    sc, m = np.zeros(8, np.int64), np.zeros(8, np.int64)
    for j in range(8):
        if j < 4:
            sc[j], m[j] = q[j] & 63, q[j + 4] & 63
        else:
            sc[j] = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4)
            m[j] = (q[j + 4] >> 4) | ((q[j] >> 6) << 4)
    return sc, m


def deq_q4_k(b: bytes) -> np.ndarray:
    a = np.frombuffer(b, np.uint8)
    d, dmin = fp16(a[0:2].view(np.uint16))[0], fp16(a[2:4].view(np.uint16))[0]
    sc, m = scale_min_k4(a[4:16])
    qs = a[16:144].astype(np.int64)
    y = np.zeros(QK_K, F32)
    for c in range(4):
        q = qs[32 * c:32 * c + 32]
        d1, m1 = F32(d * F32(sc[2 * c])), F32(dmin * F32(m[2 * c]))
        d2, m2 = F32(d * F32(sc[2 * c + 1])), F32(dmin * F32(m[2 * c + 1]))
        y[64 * c:64 * c + 32] = (d1 * (q & 15).astype(F32)).astype(F32) - m1
        y[64 * c + 32:64 * c + 64] = (d2 * (q >> 4).astype(F32)).astype(F32) - m2
    return y


def deq_q5_k(b: bytes) -> np.ndarray:
    a = np.frombuffer(b, np.uint8)
    d, dmin = fp16(a[0:2].view(np.uint16))[0], fp16(a[2:4].view(np.uint16))[0]
    sc, m = scale_min_k4(a[4:16])
    qh = a[16:48].astype(np.int64)
    qs = a[48:176].astype(np.int64)
    y = np.zeros(QK_K, F32)
    for c in range(4):
        q = qs[32 * c:32 * c + 32]
        lo = (q & 15) + np.where(qh & (1 << (2 * c)), 16, 0)
        hi = (q >> 4) + np.where(qh & (2 << (2 * c)), 16, 0)
        d1, m1 = F32(d * F32(sc[2 * c])), F32(dmin * F32(m[2 * c]))
        d2, m2 = F32(d * F32(sc[2 * c + 1])), F32(dmin * F32(m[2 * c + 1]))
        y[64 * c:64 * c + 32] = (d1 * lo.astype(F32)).astype(F32) - m1
        y[64 * c + 32:64 * c + 64] = (d2 * hi.astype(F32)).astype(F32) - m2
    return y


def deq_q6_k(b: bytes) -> np.ndarray:
    a = np.frombuffer(b, np.uint8)
    ql, qh = a[0:128].astype(np.int64), a[128:192].astype(np.int64)
    sc = a[192:208].view(np.int8).astype(F32)
    d = fp16(a[208:210].view(np.uint16))[0]
    y = np.zeros(QK_K, F32)
    for n in range(2):
        L, H, S = ql[64 * n:64 * n + 64], qh[32 * n:32 * n + 32], sc[8 * n:8 * n + 8]
        for l in range(32):
            i = l // 16
            q1 = ((L[l] & 15) | (((H[l] >> 0) & 3) << 4)) - 32
            q2 = ((L[l + 32] & 15) | (((H[l] >> 2) & 3) << 4)) - 32
            q3 = ((L[l] >> 4) | (((H[l] >> 4) & 3) << 4)) - 32
            q4 = ((L[l + 32] >> 4) | (((H[l] >> 6) & 3) << 4)) - 32
            base = 128 * n
            y[base + l] = F32(d * S[i]) * F32(q1)
            y[base + l + 32] = F32(d * S[i + 2]) * F32(q2)
            y[base + l + 64] = F32(d * S[i + 4]) * F32(q3)
            y[base + l + 96] = F32(d * S[i + 6]) * F32(q4)
    return y


FORMATS = {
    "Q4_K": (144, deq_q4_k, [(0, 2), (2, 4)], "dequantize_row_q4_K"),
    "Q5_K": (176, deq_q5_k, [(0, 2), (2, 4)], "dequantize_row_q5_K"),
    "Q6_K": (210, deq_q6_k, [(208, 210)], "dequantize_row_q6_K"),
}


def random_block(rng, size, half_slots, exponent):
    b = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
    for lo, hi in half_slots:
        v = np.float16(rng.uniform(0.2, 1.0) * 2.0 ** exponent)
        b[lo:hi] = np.array([v], dtype=np.float16).view(np.uint16).tobytes()
    return bytes(b)


def hexf(a) -> list:
    return ["%08x" % int(u) for u in np.asarray(a, dtype=F32).view(np.uint32)]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "engine/src/test/resources/quant"
    os.makedirs(out_dir, exist_ok=True)
    for name, (size, deq, halves, ref) in FORMATS.items():
        rng = np.random.default_rng(SEED + size)
        cases = []
        for k, (blocks, exponent) in enumerate([(1, -6), (2, -3), (4, -10), (3, 0), (1, -20), (8, -5)]):
            data = b"".join(random_block(rng, size, halves, exponent) for _ in range(blocks))
            y = np.concatenate([deq(data[i * size:(i + 1) * size]) for i in range(blocks)])
            x = rng.normal(0, 1, y.size).astype(F32)
            prods = (y.astype(np.float64) * x.astype(np.float64)).tolist()
            cases.append({
                "name": f"random_{k}", "n": int(y.size), "blocks": data.hex(),
                "dequant": hexf(y), "activation": hexf(x),
                "dot": math.fsum(prods), "dot_abs": math.fsum(abs(p) for p in prods),
            })
        doc = {"format": name, "block_elements": QK_K, "block_bytes": size,
               "reference": f"llama.cpp ggml-quants.c {ref} (with get_scale_min_k4), block structs in ggml-common.h",
               "generator": "python3 tools/reference/kquant_vectors.py", "seed": SEED, "cases": cases}
        with open(os.path.join(out_dir, name.lower() + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
