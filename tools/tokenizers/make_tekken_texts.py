#!/usr/bin/python3
"""Writes the tekken test texts (a JSON array): every corpus line, plus multi-line documents made of runs of
corpus lines joined by "\n", "\r\n" or blank lines, some with trailing spaces or tabs before the line break,
so the pattern's newline and whitespace branches are exercised, and a few pieces thousands of bytes long.

usage: make_tekken_texts.py CORPUS.txt OUT.json
"""
import json
import random
import sys

rng = random.Random(7)
with open(sys.argv[1], encoding="utf-8") as f:
    lines = f.read().split("\n")[:-1]
texts = list(lines)
for _ in range(300):
    start = rng.randrange(len(lines))
    chunk = lines[start:start + rng.randint(2, 8)]
    parts = []
    for l in chunk:
        parts.append(l + rng.choice(["", "", " ", "\t", "   "]))
    texts.append("".join(p + rng.choice(["\n", "\n", "\r\n", "\n\n", "\n \n", " \n\t"]) for p in parts)[: -1 if rng.random() < 0.5 else None])
# long single pieces (the tokenizer merges pieces of 256 bytes and more with a priority queue)
texts.append("=" * 3000)
texts.append("-" * 700 + "\n" + "#" * 1200)
texts.append("".join(rng.choice("!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~") for _ in range(2500)))
texts.append(" " * 1500 + "x")
texts.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3000)))
texts.append("\u00e9" * 400 + "\U0001F600" * 300)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(texts, f, ensure_ascii=False)
print(f"wrote {sys.argv[2]}: {len(texts)} texts", file=sys.stderr)
