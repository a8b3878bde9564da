#!/usr/bin/env bash
# llama.cpp's ids for the tokenizer test corpus from the committed test GGUFs' own tokenizer metadata, one file per
# tokenizer kind: mamba2-demo-q8_0.gguf (SentencePiece, tokenizer.ggml.model "llama") and transformer-demo-q4_0.gguf
# (BPE, "gpt2" with pre "tekken"); both carry the demo models' tokenizers. Writes NAME.tokens.llama-cpp.json beside
# each GGUF, which LlamaCppGgufTokenizerTest compares with the engine's GgufTokenizerLoader.
#   tools/llama-cpp-check/gguf-tokenizer-ids.sh        (after `npm install --omit=optional` here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
gguf=engine/src/test/resources/gguf
corpus=engine/src/test/resources/tokenizer
for name in mamba2-demo-q8_0 transformer-demo-q4_0; do
  node "$here/gguf-tokenizer-ids.mjs" "$gguf/$name.gguf" "$gguf/$name.tokens.llama-cpp.json" \
    "$corpus/corpus.txt" "$corpus/tekken-texts.json" "$corpus/tekken-whitespace-texts.json" "$corpus/chat-parts.txt"
done
