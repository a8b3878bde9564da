#!/usr/bin/python3
"""A second tiktoken reference in Python (the regex module, as Rust's regex reads Unicode classes, plus rank
merging). Either checks vectors made by js-tiktoken or writes its own ids:
  python_tekken_encode.py TEKKEN.json TEXTS.json --expect EXPECTED.ids   (reports texts that differ)
  python_tekken_encode.py TEKKEN.json TEXTS.json --write OUT.ids
JavaScript's \\s differs from Unicode's White_Space on U+0085 (not space in JS) and U+FEFF (space in JS), so
texts holding those characters are checked against this script, not js-tiktoken."""
import base64
import json
import sys

import regex

tekken = json.load(open(sys.argv[1], encoding="utf-8"))
texts = json.load(open(sys.argv[2], encoding="utf-8"))
mode, path = sys.argv[3], sys.argv[4]
S = tekken["config"]["default_num_special_tokens"]
inner = tekken["config"]["default_vocab_size"] - S
ranks = {base64.b64decode(v["token_bytes"]): v["rank"] for v in tekken["vocab"][:inner]}
pat = regex.compile(tekken["config"]["pattern"])


def bpe(piece):
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return [ranks[p] for p in parts]


def encode(t):
    ids = []
    for m in pat.findall(t):
        b = m.encode("utf-8")
        ids.extend([ranks[b]] if b in ranks else bpe(b))
    return [i + S for i in ids]


if mode == "--write":
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(" ".join(map(str, encode(t))) + "\n")
    print(f"wrote {path}: {len(texts)} texts", file=sys.stderr)
else:
    expected = [[int(x) for x in l.split()] for l in open(path, encoding="utf-8").read().split("\n")[:-1]]
    bad = 0
    for k, t in enumerate(texts):
        if expected[k] != encode(t):
            bad += 1
            print("MISMATCH", repr(t)[:120], file=sys.stderr)
    print(f"python reference: {bad} of {len(texts)} texts differ from the js-tiktoken vectors", file=sys.stderr)
