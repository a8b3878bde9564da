#!/usr/bin/env bash
# Regenerates the tokenizer test vectors under engine/src/test/resources/tokenizer/ (committed, so the Java
# tests need none of these tools). Needs spm_train/spm_encode/spm_decode, /usr/bin/python3 with python3-regex,
# node + npm (js-tiktoken is installed into tools/tokenizers/node_modules, which git ignores).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
res="$repo/engine/src/test/resources/tokenizer"
demo="$repo/assets/src/main/resources/org/mambaplayground/assets/demo"
mkdir -p "$res"
(cd "$here" && npm install --no-audit --no-fund --silent)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# the corpus: 1500 varied lines
/usr/bin/python3 "$here/make_test_corpus.py" "$res/corpus.txt" 1500

# SentencePiece: a test model trained on the corpus itself, and the demo model; ids and decoded text by the C++ tools
cp "$res/corpus.txt" "$work/corpus.txt"
(cd "$work" && "$here/train_spm.sh" corpus.txt spm-test 2200)
cp "$work/spm-test.model" "$res/spm-test.model"
for m in spm-test:"$res/spm-test.model" spm-demo:"$demo/codestral-mamba-demo/tokenizer.model.v3"; do
  name="${m%%:*}"; model="${m#*:}"
  spm_encode --model="$model" --output_format=id < "$res/corpus.txt" > "$res/$name.ids"
  # spm_decode gives the corpus back exactly; the Java test compares its decode with the corpus
  spm_decode --model="$model" --input_format=id < "$res/$name.ids" | cmp - "$res/corpus.txt"
done

# a model with user-defined symbols and the normalizer's default whitespace removal (Mistral's models keep
# whitespace; this checks the reader follows the spec's flags): spm_decode's output is the expected decode
(cd "$work" && "$here/train_spm.sh" corpus.txt spm-userdef 2400 --remove_extra_whitespaces=true \
  --user_defined_symbols='self.,def,<|fim|>,→')
cp "$work/spm-userdef.model" "$res/spm-userdef.model"
spm_encode --model="$res/spm-userdef.model" --output_format=id < "$res/corpus.txt" > "$res/spm-userdef.ids"
spm_decode --model="$res/spm-userdef.model" --input_format=id < "$res/spm-userdef.ids" > "$res/spm-userdef.decoded"

# chat turns: each text alone, with the dummy prefix (start of an encoded text) and without it (text that
# follows a newline inside one encoded text), for the token-by-token chat layout test
printf '%s\n' "What is the capital of France?" "Paris. It has been the capital since 987 (mostly)." \
  "You are a concise assistant." "Answer in one line." "And of Japan? 🗾" > "$res/chat-parts.txt"
/usr/bin/python3 "$here/spm_without_dummy_prefix.py" "$demo/codestral-mamba-demo/tokenizer.model.v3" "$work/nodummy.model"
spm_encode --model="$demo/codestral-mamba-demo/tokenizer.model.v3" --output_format=id < "$res/chat-parts.txt" > "$res/chat-spm-demo.ids"
spm_encode --model="$work/nodummy.model" --output_format=id < "$res/chat-parts.txt" > "$res/chat-spm-demo-nodummy.ids"
/usr/bin/python3 -c 'import json,sys; p=open(sys.argv[1],encoding="utf-8").read().split("\n")[:5]; json.dump([p[0], p[1], p[2]+"\n\n"+p[3]+"\n\n"+p[4]], open(sys.argv[2],"w",encoding="utf-8"), ensure_ascii=False)' "$res/chat-parts.txt" "$res/chat-tekken-texts.json"
node "$here/tekken_reference.mjs" "$demo/mistral-nemo-demo/tekken.json" "$res/chat-tekken-texts.json" "$res/chat-tekken-demo.ids"

# tekken: a test file without a special_tokens list (as Nemo's first file), 1000 special ids, vocabulary cut
/usr/bin/python3 "$here/train_tekken.py" "$res/corpus.txt" "$res/tekken-test.json" \
  --vocab 1500 --vocab-size 2300 --num-special 1000 --no-special-list
/usr/bin/python3 "$here/make_tekken_texts.py" "$res/corpus.txt" "$res/tekken-texts.json"
for m in tekken-test:"$res/tekken-test.json" tekken-demo:"$demo/mistral-nemo-demo/tekken.json"; do
  name="${m%%:*}"; file="${m#*:}"
  node "$here/tekken_reference.mjs" "$file" "$res/tekken-texts.json" "$res/$name.ids"
  /usr/bin/python3 "$here/python_tekken_encode.py" "$file" "$res/tekken-texts.json" --expect "$res/$name.ids"
done
# Unicode whitespace where JavaScript's \s and Unicode's White_Space disagree (U+0085, U+FEFF): Python's regex
# module reads \s as Rust's regex (tiktoken) does, so these ids come from the Python reference
/usr/bin/python3 -c 'import json,sys; json.dump(["a\u0085b", "x \u0085\u0085 y", "\ufeffhello \ufeff world", "line\u2028next\u2029end", "nb\u00a0sp \u00a0\u00a0x", "ogham\u1680mark \u180e mongolian", "tab\t\u000b\u000cfeed", "ideo\u3000space\u3000\u3000z", "zero\u200bwidth \u200d joiner"], open(sys.argv[1],"w"), ensure_ascii=True)' "$res/tekken-whitespace-texts.json"
/usr/bin/python3 "$here/python_tekken_encode.py" "$demo/mistral-nemo-demo/tekken.json" "$res/tekken-whitespace-texts.json" --write "$res/tekken-whitespace-demo.ids"
ls -l "$res"
