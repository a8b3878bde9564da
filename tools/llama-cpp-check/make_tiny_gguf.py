#!/usr/bin/env python3
"""Tiny random-weight GGUF (arch "llama") writer plus an independent numpy reference.

Written from the GGUF description in llama.cpp's ggml/include/gguf.h and the
"llama" architecture / SentencePiece ("llama") vocabulary loaders; no code copied.

Sub-commands:

  write OUT.gguf [--seed S] [--freq-base B]
      Write a tiny F32 llama model: 2 layers, dim 64, 4 heads, 2 KV heads,
      head_dim 16, ffn 128, vocab 300 (<unk>, <s>, </s>, 256 byte tokens, pieces).

  ref MODEL.gguf --tokens 1,2,3 [--continue N]
      Read any F32/F16 "llama" GGUF with the minimal reader below and compute, in
      float64 numpy, the next-token logits for every prompt position and a greedy
      continuation of N tokens. Prints JSON.

  compare REF.json CHECK.json [--tol T]
      Compare the output of `ref` with the output of check.mjs: max |logit diff|
      over all positions, argmax agreement, and continuation agreement.
      Exit status 1 if any check fails.

Only numpy is needed (Debian: apt-get install -y python3-numpy).
"""
import argparse
import json
import struct
import sys

import numpy as np

# ---------------------------------------------------------------- GGUF format
GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
ALIGNMENT = 32  # GGUF_DEFAULT_ALIGNMENT; also written as general.alignment

# gguf_type
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, \
    T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = range(13)
SCALAR_FMT = {T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h",
              T_UINT32: "<I", T_INT32: "<i", T_FLOAT32: "<f", T_BOOL: "<?",
              T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d"}
# ggml_type
GGML_F32, GGML_F16 = 0, 1
# llama_token_type
TT_NORMAL, TT_UNKNOWN, TT_CONTROL, TT_BYTE = 1, 2, 3, 6


class U32(int):
    pass


class I32(int):
    pass


class F32(float):
    pass


def _pack_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _pack_value(v):
    """Return (gguf_type, bytes) of a Python value; lists become typed arrays."""
    if isinstance(v, bool):
        return T_BOOL, struct.pack("<?", v)
    if isinstance(v, U32):
        return T_UINT32, struct.pack("<I", v)
    if isinstance(v, I32):
        return T_INT32, struct.pack("<i", v)
    if isinstance(v, F32):
        return T_FLOAT32, struct.pack("<f", v)
    if isinstance(v, str):
        return T_STRING, _pack_str(v)
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], list):
        # (element type, list) typed array
        etype, items = v
        if etype == T_STRING:
            body = b"".join(_pack_str(x) for x in items)
        else:
            body = b"".join(struct.pack(SCALAR_FMT[etype], x) for x in items)
        return T_ARRAY, struct.pack("<IQ", etype, len(items)) + body
    raise TypeError(f"unsupported metadata value {v!r}")


def write_gguf(path, kv, tensors):
    """kv: dict key -> value; tensors: list of (name, np.ndarray float32 in PyTorch/C order).

    GGUF dims are listed innermost first (ne[0] = fastest-varying), so a C-order
    array of shape (rows, cols) is stored with dims [cols, rows]."""
    out = bytearray()
    out += GGUF_MAGIC + struct.pack("<I", GGUF_VERSION)
    out += struct.pack("<qq", len(tensors), len(kv))
    for k, v in kv.items():
        t, body = _pack_value(v)
        out += _pack_str(k) + struct.pack("<I", t) + body
    offset = 0
    blobs = []
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        dims = list(reversed(arr.shape))
        out += _pack_str(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<q", d) for d in dims)
        out += struct.pack("<IQ", GGML_F32, offset)
        data = arr.tobytes()
        pad = (-len(data)) % ALIGNMENT
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    out += b"\0" * ((-len(out)) % ALIGNMENT)  # data section starts aligned
    with open(path, "wb") as f:
        f.write(out)
        for b in blobs:
            f.write(b)


class Reader:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        self.pos = 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take("<Q")
        s = self.buf[self.pos:self.pos + n].decode("utf-8", errors="replace")
        self.pos += n
        return s

    def value(self, t):
        if t == T_STRING:
            return self.string()
        if t == T_ARRAY:
            et, n = self.take("<I"), self.take("<Q")
            return [self.value(et) for _ in range(n)]
        return self.take(SCALAR_FMT[t])


def read_gguf(path):
    r = Reader(path)
    if r.buf[:4] != GGUF_MAGIC:
        raise ValueError(f"{path}: not a GGUF file")
    r.pos = 4
    version = r.take("<I")
    if version not in (2, 3):
        raise ValueError(f"{path}: unsupported GGUF version {version}")
    n_tensors, n_kv = r.take("<q"), r.take("<q")
    kv = {}
    for _ in range(n_kv):
        k = r.string()
        kv[k] = r.value(r.take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        nd = r.take("<I")
        dims = [r.take("<q") for _ in range(nd)]
        typ, off = r.take("<I"), r.take("<Q")
        infos.append((name, dims, typ, off))
    align = int(kv.get("general.alignment", ALIGNMENT))
    data_start = r.pos + ((-r.pos) % align)
    tensors = {}
    for name, dims, typ, off in infos:
        count = int(np.prod(dims))
        if typ == GGML_F32:
            dt = np.float32
        elif typ == GGML_F16:
            dt = np.float16
        else:
            raise ValueError(f"tensor {name}: ggml type {typ} not supported by this reference (F32/F16 only)")
        a = np.frombuffer(r.buf, dtype=dt, count=count, offset=data_start + off)
        tensors[name] = a.reshape(list(reversed(dims))).astype(np.float64)
    return kv, tensors


# ---------------------------------------------------------------- tiny model
def tiny_vocab():
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [TT_UNKNOWN, TT_CONTROL, TT_CONTROL]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        scores.append(0.0)
        types.append(TT_BYTE)
    sp = "\u2581"  # SentencePiece's word-boundary marker
    pieces = [sp, sp + "a", sp + "the", sp + "hello", sp + "world", sp + "is", sp + "it",
              "he", "ll", "llo", "hello", "wor", "ld", "or", "th", "the", "is", "it", "in", "er", "an"]
    pieces += list("abcdefghijklmnopqrst")
    for i, p in enumerate(pieces):
        tokens.append(p)
        scores.append(-float(i) / 10.0 + len(p))  # longer merges preferred
        types.append(TT_NORMAL)
    assert len(tokens) == len(set(tokens)) == 300, len(tokens)
    return tokens, scores, types


def cmd_write(args):
    rng = np.random.default_rng(args.seed)
    n_layer, dim, n_head, n_kv, hd, ffn = 2, 64, 4, 2, 16, 128
    tokens, scores, types = tiny_vocab()
    vocab = len(tokens)

    def lin(out_f, in_f):  # PyTorch nn.Linear weight layout [out, in]
        return rng.standard_normal((out_f, in_f)) / np.sqrt(in_f)

    def norm_w(n):
        return 1.0 + 0.1 * rng.standard_normal(n)

    tensors = [("token_embd.weight", rng.standard_normal((vocab, dim)))]
    for i in range(n_layer):
        p = f"blk.{i}."
        tensors += [
            (p + "attn_norm.weight", norm_w(dim)),
            (p + "attn_q.weight", lin(n_head * hd, dim)),
            (p + "attn_k.weight", lin(n_kv * hd, dim)),
            (p + "attn_v.weight", lin(n_kv * hd, dim)),
            (p + "attn_output.weight", lin(dim, n_head * hd)),
            (p + "ffn_norm.weight", norm_w(dim)),
            (p + "ffn_gate.weight", lin(ffn, dim)),
            (p + "ffn_up.weight", lin(ffn, dim)),
            (p + "ffn_down.weight", lin(dim, ffn)),
        ]
    tensors += [("output_norm.weight", norm_w(dim)), ("output.weight", 3.0 * lin(vocab, dim))]

    kv = {
        "general.architecture": "llama",
        "general.name": "tiny-random-llama",
        "general.alignment": U32(ALIGNMENT),
        "general.file_type": U32(0),  # LLAMA_FTYPE_ALL_F32
        "llama.vocab_size": U32(vocab),
        "llama.context_length": U32(256),
        "llama.embedding_length": U32(dim),
        "llama.block_count": U32(n_layer),
        "llama.feed_forward_length": U32(ffn),
        "llama.attention.head_count": U32(n_head),
        "llama.attention.head_count_kv": U32(n_kv),
        "llama.attention.layer_norm_rms_epsilon": F32(1e-5),
        "llama.rope.freq_base": F32(args.freq_base),
        "llama.rope.dimension_count": U32(hd),
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.tokens": (T_STRING, tokens),
        "tokenizer.ggml.scores": (T_FLOAT32, scores),
        "tokenizer.ggml.token_type": (T_INT32, types),
        "tokenizer.ggml.bos_token_id": U32(1),
        "tokenizer.ggml.eos_token_id": U32(2),
        "tokenizer.ggml.unknown_token_id": U32(0),
        "tokenizer.ggml.add_bos_token": True,
        "tokenizer.ggml.add_eos_token": False,
    }
    write_gguf(args.out, kv, tensors)
    print(f"wrote {args.out}: llama, {n_layer} layers, dim {dim}, heads {n_head}/{n_kv}, "
          f"head_dim {hd}, ffn {ffn}, vocab {vocab}, F32", file=sys.stderr)


# ---------------------------------------------------------------- reference
def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope_adjacent(x, base, n_rot):
    """llama.cpp "normal" RoPE: rotate adjacent pairs (x[2i], x[2i+1]) by pos*base^(-2i/n_rot).
    x: [T, heads, head_dim]"""
    T = x.shape[0]
    i = np.arange(n_rot // 2)
    theta = np.arange(T)[:, None] * base ** (-2.0 * i / n_rot)[None, :]  # [T, n_rot/2]
    c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
    y = x.copy()
    x0, x1 = x[..., 0:n_rot:2], x[..., 1:n_rot:2]
    y[..., 0:n_rot:2] = x0 * c - x1 * s
    y[..., 1:n_rot:2] = x0 * s + x1 * c
    return y


def llama_forward(kv, W, toks):
    a = kv["general.architecture"]
    if a != "llama":
        raise ValueError(f"reference supports arch 'llama' only, file has {a!r}")
    n_layer = kv[f"{a}.block_count"]
    n_head = kv[f"{a}.attention.head_count"]
    n_kv = kv.get(f"{a}.attention.head_count_kv", n_head)
    eps = kv[f"{a}.attention.layer_norm_rms_epsilon"]
    base = kv.get(f"{a}.rope.freq_base", 10000.0)
    emb = W["token_embd.weight"]  # [vocab, dim]
    dim = emb.shape[1]
    hd = kv.get(f"{a}.attention.key_length", dim // n_head)
    n_rot = kv.get(f"{a}.rope.dimension_count", hd)
    out_w = W.get("output.weight", emb)
    T = len(toks)
    x = emb[np.asarray(toks)]  # [T, dim]
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    for l in range(n_layer):
        p = f"blk.{l}."
        h = rms_norm(x, W[p + "attn_norm.weight"], eps)
        q = (h @ W[p + "attn_q.weight"].T).reshape(T, n_head, hd)
        k = (h @ W[p + "attn_k.weight"].T).reshape(T, n_kv, hd)
        v = (h @ W[p + "attn_v.weight"].T).reshape(T, n_kv, hd)
        q, k = rope_adjacent(q, base, n_rot), rope_adjacent(k, base, n_rot)
        group = n_head // n_kv
        k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)  # q head h -> kv head h // group
        att = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd) + mask
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        o = np.einsum("hqk,khd->qhd", att, v).reshape(T, n_head * hd)
        x = x + o @ W[p + "attn_output.weight"].T
        h = rms_norm(x, W[p + "ffn_norm.weight"], eps)
        g = h @ W[p + "ffn_gate.weight"].T
        u = h @ W[p + "ffn_up.weight"].T
        x = x + ((g / (1.0 + np.exp(-g))) * u) @ W[p + "ffn_down.weight"].T
    x = rms_norm(x, W["output_norm.weight"], eps)
    return x @ out_w.T  # [T, vocab]


def parse_tokens(s):
    return [int(t) for t in s.replace(" ", "").split(",") if t != ""]


def cmd_ref(args):
    kv, W = read_gguf(args.model)
    toks = parse_tokens(args.tokens)
    logits = llama_forward(kv, W, toks)
    seq = list(toks)
    cont = []
    last = logits[-1]
    for _ in range(args.cont):
        t = int(np.argmax(last))
        cont.append(t)
        seq.append(t)
        last = llama_forward(kv, W, seq)[-1]
    json.dump({
        "model": args.model,
        "engine": "numpy float64 reference (make_tiny_gguf.py)",
        "vocabSize": int(logits.shape[1]),
        "promptTokens": toks,
        "positions": [{"position": i, "token": toks[i], "argmax": int(np.argmax(logits[i])),
                       "logits": [float(v) for v in logits[i]]} for i in range(len(toks))],
        "continuation": {"tokens": cont},
    }, sys.stdout)
    sys.stdout.write("\n")


def cmd_compare(args):
    with open(args.ref) as f:
        ref = json.load(f)
    with open(args.check) as f:
        chk = json.load(f)
    ok = True
    if ref["promptTokens"] != chk["promptTokens"]:
        print("prompt tokens differ", file=sys.stderr)
        return 1
    max_diff, max_rel, argmax_bad = 0.0, 0.0, 0
    for pr, pc in zip(ref["positions"], chk["positions"]):
        a, b = np.array(pr["logits"]), np.array(pc["logits"], dtype=np.float64)
        if a.shape != b.shape:
            print(f"position {pr['position']}: vocab {a.shape} vs {b.shape}", file=sys.stderr)
            return 1
        d = np.abs(a - b).max()
        max_diff = max(max_diff, d)
        max_rel = max(max_rel, d / max(1e-12, np.abs(a).max()))
        argmax_bad += int(pr["argmax"] != pc["argmax"])
    cont_ok = ref["continuation"]["tokens"] == chk["continuation"]["tokens"]
    print(json.dumps({"positions": len(ref["positions"]), "vocabSize": ref["vocabSize"],
                      "maxAbsLogitDiff": max_diff, "maxDiffOverMaxAbsLogit": max_rel,
                      "argmaxMismatches": argmax_bad, "continuationEqual": cont_ok,
                      "refContinuation": ref["continuation"]["tokens"],
                      "checkContinuation": chk["continuation"]["tokens"]}))
    ok = max_diff <= args.tol and argmax_bad == 0 and cont_ok
    print(("PASS" if ok else "FAIL") + f": max |logit diff| {max_diff:.3g} (tol {args.tol})", file=sys.stderr)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out")
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--freq-base", type=float, default=10000.0)
    r = sub.add_parser("ref")
    r.add_argument("model")
    r.add_argument("--tokens", required=True)
    r.add_argument("--continue", dest="cont", type=int, default=0)
    c = sub.add_parser("compare")
    c.add_argument("ref")
    c.add_argument("check")
    c.add_argument("--tol", type=float, default=1e-3)
    args = ap.parse_args()
    if args.cmd == "write":
        cmd_write(args)
    elif args.cmd == "ref":
        cmd_ref(args)
    else:
        sys.exit(cmd_compare(args))


if __name__ == "__main__":
    main()
