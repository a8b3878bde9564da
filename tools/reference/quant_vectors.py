"""Independent numpy reference for llama.cpp's GGML quantization blocks Q8_0 and Q4_0, and the test vectors
the Java tests read (engine/src/test/resources/quant/q8_0.json and q4_0.json).

Usage: /usr/bin/python3 tools/reference/quant_vectors.py [output dir]
(default engine/src/test/resources/quant). Fixed seed; the same numpy version writes the same files.

What is implemented (the scalar reference path of llama.cpp ggml/src/ggml-quants.c: quantize_row_q8_0_ref,
quantize_row_q4_0_ref, dequantize_row_q8_0, dequantize_row_q4_0; block structs in ggml/src/ggml-common.h),
all arithmetic in IEEE float32, one block = 32 consecutive floats:

  Q8_0, 34 bytes: fp16 d (little-endian) then 32 int8 qs.
    amax = max |x|;  d = amax / 127;  id = d != 0 ? 1/d : 0;  qs[j] = roundf(x[j] * id)
    (roundf: half away from zero).  Dequant: qs[j] * fp16_to_f32(d).
  Q4_0, 18 bytes: fp16 d (little-endian) then 16 bytes of nibbles.
    max = the x with the largest |x| (the first such x; +0.0 if all are zero);  d = max / -8;
    id = d != 0 ? 1/d : 0;  q = min(15, (int8)(x * id + 8.5f))  (x*id rounded to float32, then the add
    rounded to float32, then truncation toward zero);  byte j = q[j] | q[j+16] << 4 (j = 0..15).
    Dequant: (q - 8) * fp16_to_f32(d).
  Both quantizers use the float32 d (not the fp16-rounded one) for id. fp32 -> fp16 rounds to nearest, ties
  to even (subnormals kept, overflow to inf). Note an all-zero Q4_0 block has d = 0/-8 = -0.0 (fp16 0x8000)
  and dequantizes to -0.0f; any Q4_0 element with q = 8 and d < 0 dequantizes to -0.0f.
  Checked bit-exact (bytes and dequantized values, every case) against llama.cpp commit c392e50's own
  functions compiled without FMA contraction (gcc -std=c11, or -ffp-contract=off). A build that fuses
  x*id + 8.5f into an FMA (gcc -std=gnu11 -march=haswell, i.e. -ffp-contract=fast) differs on some Q4_0
  midpoint elements; Java float arithmetic never fuses, so it matches these vectors.

JSON schema (one file per format):
  {
    "format": "Q8_0" | "Q4_0",
    "block_size": 32,
    "block_bytes": 34 | 18,
    "reference": text naming the llama.cpp functions followed,
    "generator": the command that wrote the file,
    "seed": the numpy seed,
    "float_encoding": how float32 values are written (below),
    "cases": [
      {
        "name": short id, "about": one line of text,
        "n": number of floats (a multiple of 32),
        "x": n float32 inputs,
        "blocks": the n/32 quantized blocks, concatenated, as one lowercase hex string (2 digits a byte,
                  bytes in file order: d's low byte first),
        "dequant": n float32 values, dequantize(blocks),
        "requant_same": true if quantize(dequant) gives the same bytes again,
        "activation": n float32 values,
        "dot": sum over i of dequant[i] * activation[i], computed exactly (products exact in float64,
               math.fsum) and rounded once to float64, written as a JSON number (shortest round-trip),
        "dot_f32": "dot" rounded to float32 (encoded as below),
        "dot_abs": sum of |dequant[i] * activation[i]| the same way (a JSON number), a scale for tolerances
      }, ...
    ]
  }
  Every float32 is written exactly as its IEEE-754 bit pattern, 8 lowercase hex digits, e.g. "3f800000" =
  1.0f, "80000000" = -0.0f (Java: Float.intBitsToFloat(Integer.parseUnsignedInt(s, 16))).
"""
import json
import math
import os
import sys

import numpy as np

SEED = 20250301
QK = 32
F32 = np.float32


# ---------------------------------------------------------------------------------------------- fp16

def f32_to_f16_bits(x) -> int:
    """IEEE binary32 -> binary16 bit pattern, round to nearest, ties to even (integer arithmetic)."""
    b = int(np.asarray(x, dtype=F32).view(np.uint32))
    sign = (b >> 16) & 0x8000
    e = (b >> 23) & 0xFF
    m = b & 0x7FFFFF
    if e == 0xFF:
        return sign | 0x7C00 | (0x200 | (m >> 13) if m else 0)
    if e == 0:
        mant, exp2 = m, -149
    else:
        mant, exp2 = m | 0x800000, e - 150
    if mant == 0:
        return sign
    top = mant.bit_length() - 1 + exp2          # floor(log2 |x|)
    q = max(top - 10, -24)                      # exponent of the fp16 quantum at |x|
    shift = q - exp2
    if shift <= 0:
        n = mant << -shift
    else:
        n = mant >> shift
        rem = mant & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rem > half or (rem == half and (n & 1)):
            n += 1
    if q == -24:                                # subnormal (n may reach 2^10 = smallest normal)
        return sign | n
    if n == 2048:
        n, q = 1024, q + 1
    biased = q + 25
    if biased >= 31:
        return sign | 0x7C00
    return sign | (biased << 10) | (n - 1024)


def f16_bits_to_f32(h: int):
    """binary16 bit pattern -> float32 (exact)."""
    sign = (h & 0x8000) << 16
    e = (h >> 10) & 0x1F
    m = h & 0x3FF
    if e == 0x1F:
        bits = sign | 0x7F800000 | (m << 13)
    elif e == 0:
        if m == 0:
            bits = sign
        else:
            return F32(-math.ldexp(m, -24) if sign else math.ldexp(m, -24))
    else:
        bits = sign | ((e - 15 + 127) << 23) | (m << 13)
    return np.array([bits], dtype=np.uint32).view(F32)[0]


def roundf(v):
    """C roundf on float32 values: half away from zero (exact: done in float64)."""
    v = np.asarray(v, dtype=F32).astype(np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


# ---------------------------------------------------------------------------------------------- Q8_0

def quantize_q8_0(x: np.ndarray) -> bytes:
    x = np.asarray(x, dtype=F32)
    assert x.size % QK == 0
    out = bytearray()
    for blk in x.reshape(-1, QK):
        amax = F32(0.0)
        for v in blk:
            av = F32(abs(v))
            amax = amax if amax > av else av    # MAX(amax, fabsf(v))
        d = F32(amax / F32(127))
        idv = F32(F32(1.0) / d) if d != 0 else F32(0.0)
        x0 = (blk * idv).astype(F32)
        qs = roundf(x0)
        assert np.all(np.abs(qs) <= 127)
        out += f32_to_f16_bits(d).to_bytes(2, "little")
        out += qs.astype(np.int8).tobytes()
    return bytes(out)


def dequantize_q8_0(data: bytes) -> np.ndarray:
    assert len(data) % 34 == 0
    ys = []
    for i in range(0, len(data), 34):
        d = f16_bits_to_f32(int.from_bytes(data[i:i + 2], "little"))
        qs = np.frombuffer(data[i + 2:i + 34], dtype=np.int8).astype(F32)
        ys.append((qs * d).astype(F32))
    return np.concatenate(ys)


# ---------------------------------------------------------------------------------------------- Q4_0

def quantize_q4_0(x: np.ndarray) -> bytes:
    x = np.asarray(x, dtype=F32)
    assert x.size % QK == 0
    out = bytearray()
    for blk in x.reshape(-1, QK):
        amax = F32(0.0)
        mx = F32(0.0)
        for v in blk:
            if amax < abs(v):                   # strict: the first of equal magnitudes wins
                amax = F32(abs(v))
                mx = v
        d = F32(mx / F32(-8))
        idv = F32(F32(1.0) / d) if d != 0 else F32(0.0)
        t = (blk * idv).astype(F32)
        s = (t + F32(8.5)).astype(F32)
        assert np.all(s >= 0) and np.all(s < 128)
        q = np.minimum(15, np.trunc(s.astype(np.float64)).astype(np.int64))
        out += f32_to_f16_bits(d).to_bytes(2, "little")
        out += bytes(int(q[j]) | (int(q[j + 16]) << 4) for j in range(16))
    return bytes(out)


def dequantize_q4_0(data: bytes) -> np.ndarray:
    assert len(data) % 18 == 0
    ys = []
    for i in range(0, len(data), 18):
        d = f16_bits_to_f32(int.from_bytes(data[i:i + 2], "little"))
        qb = np.frombuffer(data[i + 2:i + 18], dtype=np.uint8).astype(np.int64)
        q = np.concatenate([qb & 0x0F, qb >> 4])
        ys.append(((q - 8).astype(F32) * d).astype(F32))
    return np.concatenate(ys)


FORMATS = {
    "Q8_0": (quantize_q8_0, dequantize_q8_0, 34, "quantize_row_q8_0_ref + dequantize_row_q8_0"),
    "Q4_0": (quantize_q4_0, dequantize_q4_0, 18, "quantize_row_q4_0_ref + dequantize_row_q4_0"),
}


# ---------------------------------------------------------------------------------------------- cases

def f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).astype(F32)


def ulp_steps(v, k: int):
    """v moved k float32 ulps (k may be negative)."""
    v = F32(v)
    toward = F32(np.inf) if k > 0 else F32(-np.inf)
    for _ in range(abs(k)):
        v = np.nextafter(v, toward, dtype=F32)
    return v


def find_exact_product(target, idv, guess, lo_mag):
    """An x near guess with float32(x * idv) == target exactly and |x| <= lo_mag, or None."""
    target, idv = F32(target), F32(idv)
    g = F32(guess)
    for k in sorted(range(-200, 201), key=abs):
        x = ulp_steps(g, k)
        if abs(x) <= lo_mag and F32(x * idv) == target:
            return x
    return None


def common_cases(rng):
    cs = []

    def add(name, about, x):
        x = f32(x).ravel()
        assert x.size % QK == 0 and x.size > 0
        cs.append((name, about, x))

    for sigma in (1.0, 0.02, 3.0):
        add(f"normal_sigma{sigma:g}", f"N(0, {sigma:g}^2) row", rng.normal(0, sigma, 256))
    add("normal_mixed_scales", "N(0,1) blocks, each scaled by 10^U(-4, 2)",
        rng.normal(0, 1, (32, QK)) * 10.0 ** rng.uniform(-4, 2, (32, 1)))
    add("uniform_sym", "U(-1, 1) row", rng.uniform(-1, 1, 256))
    add("uniform_pos", "U(0, 5) row (all positive: Q4_0 d < 0)", rng.uniform(0, 5, 256))
    add("uniform_neg", "U(-3, 0) row (all negative)", rng.uniform(-3, 0, 128))

    for i, (amp, k) in enumerate(((20.0, 4), (-50.0, 2))):
        x = rng.normal(0, 0.05, 256)
        idx = rng.choice(256, size=k * 8, replace=False)
        x[idx] = amp * rng.choice([-1.0, 1.0], size=idx.size) * rng.uniform(0.5, 1.0, idx.size)
        add(f"outliers_{i}", f"N(0, 0.05^2) with {k * 8} outliers up to |{amp:g}|", x)
    x = rng.normal(0, 0.1, (4, QK))
    x[:, 7] = [30.0, -30.0, 1e-3, -250.0]
    add("outlier_one_per_block", "one large value per block, rest small", x)

    z = np.zeros((2, QK))
    z[1, ::2] = -0.0
    add("zero_blocks", "all +0.0; then alternating -0.0/+0.0 (first element -0.0)", z)

    add("all_equal", "blocks of one repeated value: 1.5, -2.25, 1e-3, 7, -1e4",
        np.repeat([1.5, -2.25, 1e-3, 7.0, -1e4], QK))

    neg = []
    b = rng.uniform(-1, 1, QK); b[5] = -4.0; neg.append(b)
    b = rng.uniform(-0.5, 0.5, QK); b[0] = -0.75; neg.append(b)
    b = rng.uniform(-0.5, 0.5, QK); b[31] = -0.9; neg.append(b)
    b = rng.uniform(-1, 1, QK); b[3] = -2.0; b[20] = 2.0; neg.append(b)     # tie, negative first
    b = rng.uniform(-1, 1, QK); b[3] = 2.0; b[20] = -2.0; neg.append(b)     # tie, positive first
    b = -rng.uniform(0, 1, QK); b[9] = -1.0; neg.append(b)
    add("negative_max", "max |x| is negative; also +a/-a ties in both orders", np.array(neg))

    tiny = []
    for amax in (5e-3, 1e-4, 2e-6, 3e-8, 3e-9):
        b = rng.uniform(-1, 1, QK) * amax
        b[rng.integers(QK)] = -amax if rng.random() < 0.5 else amax
        tiny.append(b)
    add("tiny", "small values: fp16 subnormal scales; in the last two blocks d rounds to fp16 zero",
        np.array(tiny))

    large = []
    for amax in (6e4, 65504.0, 5.9e4, 3e5):
        b = rng.uniform(-1, 1, QK) * amax
        b[rng.integers(QK)] = amax if rng.random() < 0.5 else -amax
        large.append(b)
    add("large", "values around 6e4 (also exactly 65504) and one block up to 3e5", np.array(large))
    return cs


def q8_cases(rng):
    cs = []
    # Exact midpoints with a power-of-two scale: amax = 127 * 2^-4 -> d = 2^-4 exactly, id = 16.
    s = 2.0 ** -4
    mids = [k + 0.5 for k in range(-127, 127)]
    vals = []
    for i in range(0, len(mids), QK - 1):
        chunk = mids[i:i + QK - 1]
        chunk += [0.0] * (QK - 1 - len(chunk))
        vals.append([127.0] + chunk)
    x = np.array(vals) * s
    cs.append(("midpoints_pow2", "x*id = k+0.5 exactly for k = -127..126 (d = 2^-4)", x))
    # One ulp either side of midpoints.
    blk = []
    for sgn in (1, -1):
        b = [F32(127 * s)]
        for k in range(31):
            m = F32((k * 4 + 0.5) * s * sgn) if k * 4 + 0.5 < 127 else F32(0)
            b.append(ulp_steps(m, 1 if k % 2 else -1))
        blk.append(b)
    cs.append(("near_midpoints_pow2", "midpoints moved one float32 ulp (alternately down, up)", np.array(blk)))
    # Midpoints hit exactly by the float32 product with generic scales.
    blocks, hits = [], 0
    for _ in range(6):
        amax = F32(rng.uniform(0.3, 3.0))
        d = F32(amax / F32(127)); idv = F32(F32(1) / d)
        b = [amax if rng.random() < 0.5 else -amax]
        for _ in range(QK - 1):
            t = F32(rng.integers(-127, 127) + 0.5)
            xv = find_exact_product(t, idv, float(t) * float(d), amax)
            if xv is None:
                xv = F32(rng.uniform(-1, 1) * amax)
            else:
                hits += 1
            b.append(xv)
        blocks.append(b)
    assert hits > 150, hits
    cs.append(("midpoints_generic", "float32(x*id) == k+0.5 exactly with non-power-of-two d", np.array(blocks)))
    # fp16 ties for d: d = amax/127 exactly halfway between two fp16 values (subnormal and normal).
    b = []
    for num, e in ((2 * 37 + 1, -25), (2 * 38 + 1, -25), (2 * 1000 + 1, -25), (2 * 1500 + 1, -25),
                   (2 * 1100 + 1, -12), (2 * 1101 + 1, -12), (2 * 2047 + 1, -11), (2 * 1024 + 1, -20)):
        amax = 127.0 * math.ldexp(num, e)
        row = rng.uniform(-1, 1, QK) * amax
        row[rng.integers(QK)] = amax
        b.append(row)
    cs.append(("fp16_scale_ties", "d = amax/127 exactly halfway between fp16 values (ties to even)", np.array(b)))
    return cs


def q4_cases(rng):
    cs = []
    s = 2.0 ** -3
    blocks = []
    for mx in (-8.0, 8.0):                       # d = +s, then d = -s (id exact)
        ts = [k + 0.5 for k in range(-8, 8)] + [float(k) for k in range(-8, 8)]
        ts = ts[:QK - 1]
        blocks.append([mx] + ts)
        blocks.append([mx] + [-t for t in ts])
    x = np.array(blocks) * s
    cs.append(("midpoints_pow2", "x*id = k+0.5 and integers exactly (d = +-2^-3), incl. the +8 clamp", x))
    # Just below / above midpoints: float32(t + 8.5) may round up to the next integer.
    blk = []
    for mx in (-8.0, 8.0):
        for lo in (-8, 0):
            b = [F32(mx * s)]
            for k in range(lo, lo + 8):
                m = F32(k + 0.5)
                for st in (-1, -2, 1, -4):
                    if len(b) < QK:
                        b.append(F32(ulp_steps(m, st) * F32(s)))
            while len(b) < QK:
                b.append(F32(0))
            blk.append(b[:QK])
    cs.append(("near_midpoints_pow2", "x*id a few float32 ulps off k+0.5 (the +8.5 add may round up)",
               np.array(blk)))
    blocks, hits = [], 0
    for _ in range(6):
        mx = F32(rng.uniform(0.3, 3.0) * (1 if rng.random() < 0.5 else -1))
        d = F32(mx / F32(-8)); idv = F32(F32(1) / d)
        b = [mx]
        for _ in range(QK - 1):
            t = F32(rng.integers(-8, 8) + 0.5)
            xv = find_exact_product(t, idv, float(t) * float(d), abs(mx))
            if xv is None or abs(xv) >= abs(mx):
                xv = F32(rng.uniform(-0.99, 0.99) * mx)
            else:
                hits += 1
            b.append(xv)
        rng.shuffle(b)
        blocks.append(b)
    assert hits > 150, hits
    cs.append(("midpoints_generic", "float32(x*id) == k+0.5 exactly with non-power-of-two d", np.array(blocks)))
    b = []
    for num, e, sg in ((2 * 37 + 1, -25, -1), (2 * 38 + 1, -25, 1), (2 * 1000 + 1, -25, -1),
                       (2 * 1500 + 1, -25, 1), (2 * 1100 + 1, -12, -1), (2 * 1101 + 1, -12, 1),
                       (2 * 2047 + 1, -11, -1), (2 * 1024 + 1, -20, 1)):
        mx = -8.0 * sg * math.ldexp(num, e)      # d = sg * num * 2^e exactly
        row = rng.uniform(-1, 1, QK) * abs(mx) * 0.99
        row[rng.integers(QK)] = mx
        b.append(row)
    cs.append(("fp16_scale_ties", "d = max/-8 exactly halfway between fp16 values (ties to even)", np.array(b)))
    return cs


# ---------------------------------------------------------------------------------------------- output

def hexf(a) -> list:
    return ["%08x" % int(u) for u in np.asarray(a, dtype=F32).view(np.uint32)]


def dot_exact(a, b):
    a = np.asarray(a, dtype=F32).astype(np.float64)
    b = np.asarray(b, dtype=F32).astype(np.float64)
    prods = (a * b).tolist()                    # float32*float32 is exact in float64
    return math.fsum(prods), math.fsum(abs(p) for p in prods)


def self_check_fp16(rng):
    # fp16 -> f32 against numpy on all 65536 patterns (bit-exact, NaNs too).
    allh = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    ref = allh.view(np.float16).astype(F32).view(np.uint32)
    mine = np.array([np.asarray(f16_bits_to_f32(int(h)), dtype=F32).view(np.uint32) for h in range(65536)])
    assert np.array_equal(ref, mine)
    # f32 -> fp16 against numpy: random patterns, fp16 grid points, and exact ties between them.
    bits = rng.integers(0, 2 ** 32, 20000, dtype=np.uint64).astype(np.uint32)
    finite16 = allh[(allh & 0x7C00) != 0x7C00].view(np.float16).astype(np.float64)
    grid = np.unique(finite16)
    ties = ((grid[:-1] + grid[1:]) / 2).astype(F32)          # exact in float32
    samples = np.concatenate([bits.view(F32), grid.astype(F32), ties,
                              np.nextafter(ties, F32(np.inf)), np.nextafter(ties, F32(-np.inf)),
                              f32([65504, 65519.996, 65520, 65536, 1e-8, 2.0 ** -25, 2.0 ** -24 * 1.5])])
    samples = samples[~np.isnan(samples)]
    with np.errstate(over="ignore"):
        ref = samples.astype(np.float16).view(np.uint16)
    mine = np.array([f32_to_f16_bits(v) for v in samples], dtype=np.uint16)
    bad = np.nonzero(ref != mine)[0]
    assert bad.size == 0, [(float(samples[i]), hex(ref[i]), hex(mine[i])) for i in bad[:5]]


def make_case(fmt, name, about, x, rng):
    quant, dequant, bb, _ = FORMATS[fmt]
    x = f32(x).ravel()
    blocks = quant(x)
    assert len(blocks) == x.size // QK * bb
    y = dequant(blocks)
    again = quant(y)
    act = rng.normal(0, 1, x.size).astype(F32)
    dot, dot_abs = dot_exact(y, act)
    # loose error bound: half a step (Q4_0: a whole step, for the clamp at +7), plus fp16 rounding of d
    for bi in range(x.size // QK):
        xb, yb = x[bi * QK:(bi + 1) * QK], y[bi * QK:(bi + 1) * QK]
        d16 = abs(float(f16_bits_to_f32(int.from_bytes(blocks[bi * bb:bi * bb + 2], "little"))))
        amax = float(np.max(np.abs(xb)))
        d32 = amax / (127 if fmt == "Q8_0" else 8)
        err = np.max(np.abs(xb.astype(np.float64) - yb.astype(np.float64)))
        lim = (0.5 if fmt == "Q8_0" else 1.0) * d32 * 1.0001 + 128 * abs(d16 - d32) + 1e-30
        assert err <= lim, (fmt, name, bi, err, lim)
    return {
        "name": name, "about": about, "n": int(x.size),
        "x": hexf(x), "blocks": blocks.hex(), "dequant": hexf(y),
        "requant_same": again == blocks,
        "activation": hexf(act),
        "dot": dot, "dot_f32": hexf([dot])[0], "dot_abs": dot_abs,
    }


def write_json(path, header, cases):
    with open(path, "w") as f:
        f.write("{\n")
        for k, v in header.items():
            f.write(f"  {json.dumps(k)}: {json.dumps(v)},\n")
        f.write('  "cases": [\n')
        f.write(",\n".join("    " + json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n  ]\n}\n")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine", "src", "test", "resources", "quant"))
    os.makedirs(out_dir, exist_ok=True)
    self_check_fp16(np.random.default_rng(SEED + 1))
    rng = np.random.default_rng(SEED)
    common = common_cases(rng)
    specific = {"Q8_0": q8_cases(rng), "Q4_0": q4_cases(rng)}
    for fmt in ("Q8_0", "Q4_0"):
        _, _, bb, ref = FORMATS[fmt]
        act_rng = np.random.default_rng(SEED + (2 if fmt == "Q8_0" else 3))
        cases = [make_case(fmt, n, a, x, act_rng) for n, a, x in common + specific[fmt]]
        header = {
            "format": fmt, "block_size": QK, "block_bytes": bb,
            "reference": f"llama.cpp ggml/src/ggml-quants.c {ref} (scalar reference path, float32, "
                         "fp32->fp16 round to nearest even)",
            "generator": "/usr/bin/python3 tools/reference/quant_vectors.py",
            "seed": SEED,
            "float_encoding": "IEEE-754 binary32 bit pattern as 8 lowercase hex digits",
        }
        path = os.path.join(out_dir, fmt.lower() + ".json")
        write_json(path, header, cases)
        n = sum(c["n"] for c in cases)
        diff = [c["name"] for c in cases if not c["requant_same"]]
        print(f"{path}: {len(cases)} cases, {n} floats, {os.path.getsize(path)} bytes; "
              f"requantize differs in: {diff or 'none'}")


if __name__ == "__main__":
    main()
