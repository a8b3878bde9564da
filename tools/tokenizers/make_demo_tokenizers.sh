#!/usr/bin/env bash
# Regenerates the built-in demo models' tokenizers from the demo corpus (see README.md):
#   codestral-mamba-demo/tokenizer.model.v3  SentencePiece BPE, 4096 pieces, v3 control tokens at the real ids
#   mistral-nemo-demo/tekken.json            tekken byte-level BPE, 100 special + 3996 normal tokens
# The demo models are trained with these files: regenerate them only together with the demo models.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
demo="$repo/assets/src/main/resources/org/mambaplayground/assets/demo"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# the repository's files as of the commit the committed demo tokenizers were made from: reruns reproduce them
/usr/bin/python3 "$here/demo_corpus.py" "$work/corpus.txt" --repo-commit b985f23de5519dc995b339da92fd3870a7a74350
mkdir -p "$demo/codestral-mamba-demo" "$demo/mistral-nemo-demo"
# relative names: spm_train records its input and prefix in the model, keep them free of temp paths
(cd "$work" && "$here/train_spm.sh" corpus.txt demo 4096 --character_coverage=0.9999)
cp "$work/demo.model" "$demo/codestral-mamba-demo/tokenizer.model.v3"
/usr/bin/python3 "$here/train_tekken.py" "$work/corpus.txt" "$demo/mistral-nemo-demo/tekken.json" \
  --vocab 4096 --vocab-size 4096 --num-special 100
ls -l "$demo/codestral-mamba-demo/tokenizer.model.v3" "$demo/mistral-nemo-demo/tekken.json"
