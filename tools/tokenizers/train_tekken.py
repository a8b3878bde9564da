#!/usr/bin/python3
"""Trains a byte-level BPE and writes it as a tekken.json of the structure Mistral ships (Mistral Nemo).

The text is cut into chunks by the real Tekken pre-tokenizer pattern (Python's `regex` module, Debian's
python3-regex), each chunk is a sequence of bytes, and the most frequent adjacent pair is merged until the
vocabulary holds --vocab tokens. Ranks 0..255 are the single bytes (as tiktoken and mistral-common require);
each merge gets the next rank, so encoding by lowest rank (tiktoken's rule) replays the training order.
Ties between equally frequent pairs go to the pair of lower ranks, which keeps runs reproducible.

usage: train_tekken.py CORPUS.txt OUT.json --vocab N --vocab-size V --num-special S [--no-special-list]
  --vocab        normal tokens to learn (written to "vocab"; config.num_vocab_tokens)
  --vocab-size   config.default_vocab_size: special + normal tokens the tokenizer really uses (<= S + N)
  --num-special  config.default_num_special_tokens: ids 0..S-1 are special tokens, normal tokens follow
  --no-special-list  leave "special_tokens" out, as Nemo's first tekken.json did (the reader then uses
                 mistral-common's default list)
"""
import argparse
import base64
import collections
import heapq
import json
import sys

import regex

PATTERN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
           r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"
           r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# Special tokens at the ids mistral-common gives them (Tekkenizer's default list, used by Nemo).
SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
                  "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]",
                  "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
                  "[TOOL_CONTENT]"]


def count_chunks(text):
    counts = collections.Counter()
    for chunk in regex.findall(PATTERN, text):
        counts[chunk.encode("utf-8")] += 1
    return counts


def train(counts, n_tokens, log=sys.stderr):
    vocab = [bytes([b]) for b in range(256)]
    words = [list(w) for w in counts]
    freqs = list(counts.values())
    pair_count = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += freqs[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    while len(vocab) < n_tokens and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg or neg == 0:
            continue  # stale entry
        new_id = len(vocab)
        vocab.append(vocab[pair[0]] + vocab[pair[1]])
        changed = collections.Counter()
        for i in where.pop(pair):
            w = words[i]
            f = freqs[i]
            for a, b in zip(w, w[1:]):
                changed[(a, b)] -= f
            out = []
            j = 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == pair[0] and w[j + 1] == pair[1]:
                    out.append(new_id)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                changed[(a, b)] += f
                where[(a, b)].add(i)
        for p, delta in changed.items():
            if delta:
                pair_count[p] += delta
                if pair_count[p] > 0:
                    heapq.heappush(heap, (-pair_count[p], p))
                else:
                    del pair_count[p]
        pair_count.pop(pair, None)
        if len(vocab) % 500 == 0:
            print(f"  {len(vocab)} tokens", file=log)
    return vocab


def token_str(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--vocab", type=int, required=True)
    ap.add_argument("--vocab-size", type=int, required=True)
    ap.add_argument("--num-special", type=int, required=True)
    ap.add_argument("--no-special-list", action="store_true")
    args = ap.parse_args()
    assert args.num_special >= len(SPECIAL_TOKENS)
    assert args.vocab_size <= args.vocab + args.num_special
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    vocab = train(count_chunks(text), args.vocab)
    data = {
        "config": {
            "pattern": PATTERN,
            "num_vocab_tokens": len(vocab),
            "default_vocab_size": args.vocab_size,
            "default_num_special_tokens": args.num_special,
            "version": "v3",
        },
        "vocab": [{"rank": i, "token_bytes": base64.b64encode(b).decode("ascii"), "token_str": token_str(b)}
                  for i, b in enumerate(vocab)],
    }
    if not args.no_special_list:
        data["special_tokens"] = [{"rank": i, "token_str": s, "is_control": True}
                                  for i, s in enumerate(SPECIAL_TOKENS)]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out}: {len(vocab)} normal tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
