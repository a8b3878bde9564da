#!/usr/bin/env bash
# End-to-end check of check.mjs on a tiny random llama GGUF: llama.cpp's logits vs a numpy float64 reference.
# Needs: node + `npm ci --omit=optional` done in this folder, python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tokens=1,260,299,5,100,290,291,292,42,7,3,2,262,263,270,271
python3 make_tiny_gguf.py write "$tmp/tiny.gguf"
node check.mjs "$tmp/tiny.gguf" --tokens "$tokens" --continue 16 --text "hello world" > "$tmp/check.json"
python3 make_tiny_gguf.py ref "$tmp/tiny.gguf" --tokens "$tokens" --continue 16 > "$tmp/ref.json"
python3 make_tiny_gguf.py compare "$tmp/ref.json" "$tmp/check.json" --tol 1e-4
