#!/usr/bin/python3
"""A second reference: tiktoken's algorithm in Python (regex module + rank merging), used to cross-check the
js-tiktoken vectors. usage: python_tekken_encode.py TEKKEN.json TEXTS.json EXPECTED.ids: reports mismatches."""
import base64
import json
import sys

import regex

tekken = json.load(open(sys.argv[1], encoding="utf-8"))
texts = json.load(open(sys.argv[2], encoding="utf-8"))
expected = [[int(x) for x in l.split()] for l in open(sys.argv[3], encoding="utf-8").read().split("\n")[:-1]]
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


bad = 0
for k, t in enumerate(texts):
    ids = []
    for m in pat.findall(t):
        b = m.encode("utf-8")
        ids.extend([ranks[b]] if b in ranks else bpe(b))
    ids = [i + S for i in ids]
    if expected[k] != ids:
        bad += 1
        print("MISMATCH", repr(t)[:120], file=sys.stderr)
print(f"python reference: {bad} of {len(texts)} texts differ from the js-tiktoken vectors", file=sys.stderr)
