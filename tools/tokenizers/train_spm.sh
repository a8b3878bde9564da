#!/usr/bin/env bash
# Trains a SentencePiece BPE model laid out like Mistral's tokenizer.model.v3: identity normalizer, dummy
# prefix, whitespace kept as is, digits split, byte fallback, and the v3 control symbols at ids 3..770.
# usage: train_spm.sh CORPUS.txt OUT_PREFIX VOCAB_SIZE [extra spm_train flags]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="$1"; prefix="$2"; vocab="$3"; shift 3
spm_train --input="$corpus" --model_prefix="$prefix" --model_type=bpe --vocab_size="$vocab" \
  --normalization_rule_name=identity --add_dummy_prefix=true --remove_extra_whitespaces=false \
  --split_digits=true --allow_whitespace_only_pieces=true --byte_fallback=true \
  --max_sentencepiece_length=16 --max_sentence_length=8192 \
  --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 \
  --control_symbols="$(/usr/bin/python3 "$here/mistral_v3_symbols.py")" \
  --num_threads=2 --minloglevel=1 "$@"
