#!/usr/bin/env bash
# Cross-checks the engine's GGUF tokenizer metadata (GgufTokenizerMetadata) against llama.cpp: both demo
# tokenizers are written into tiny llama GGUF files, llama.cpp loads them and tokenizes the test texts, and every
# text must get exactly the ids the engine's own tokenizers give. Needs `npm install --omit=optional` here first.
#   bash tools/llama-cpp-check/tokenizer-check.sh [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -n "${1:-}" ]; then mkdir -p "$1"; out=$(cd "$1" && pwd); else out=$(mktemp -d); fi
(cd "$root" && . tools/java-home.sh && ./mvnw -B -q -ntp -pl engine test -Dtest=LlamaCppTokenizerExportTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Dllamacpp.export.dir="$out")
for kind in spm tekken; do
    node "$here/tokenize.mjs" "$out/$kind.gguf" "$out/texts.json" > "$out/llama-$kind.json"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
texts = json.load(open(f"{out}/texts.json", encoding="utf-8"))
failed = False
for kind in ("spm", "tekken"):
    ours = json.load(open(f"{out}/ours-{kind}.json"))
    llama = json.load(open(f"{out}/llama-{kind}.json"))
    bad = [i for i in range(len(texts)) if ours[i] != llama["tokens"][i]]
    print(f"{kind}: {len(texts) - len(bad)}/{len(texts)} texts tokenized alike by llama.cpp"
          f" (bos {llama['bos']}, eos {llama['eos']}, adds bos {llama['addsBos']})")
    for i in bad[:5]:
        print(f"  {texts[i][:100]!r}\n    engine    {ours[i][:30]}\n    llama.cpp {llama['tokens'][i][:30]}")
    failed |= bool(bad) or llama["bos"] != 1 or llama["eos"] != 2
sys.exit(1 if failed else 0)
PY
