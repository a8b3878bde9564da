#!/usr/bin/env bash
# Our Q8_0 and Q4_0 GGUF files of both demo models, loaded in llama.cpp (node-llama-cpp's prebuilt build) and in
# our engine: logits at every position of a prompt and 16 greedy tokens, compared (compare-engine.mjs).
#   tools/llama-cpp-check/compare-engine.sh [REL_TOLERANCE]      (after `npm install --omit=optional` here)
# MODELS (demo names or folders) and PRECISIONS override what is compared (compare-kquants.sh uses them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
cd "$root"
. tools/java-home.sh
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
rel=${1:-0.01}
out=$(mktemp -d)
text='def fibonacci(n):
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
'
status=0
for model in ${MODELS:-codestral-mamba-demo mistral-nemo-demo}; do
  for p in ${PRECISIONS:-q8_0 q4_0}; do
    java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$jar" logits --model "$model" \
      --precision "$p" --text "$text" --continue 16 2>/dev/null > "$out/ours.json"
    gguf=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).gguf)' "$out/ours.json")
    tokens=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tokens.join(","))' "$out/ours.json")
    node "$here/check.mjs" "$gguf" --tokens "$tokens" --continue 16 --threads 2 --kv-type f32 > "$out/theirs.json"
    node "$here/compare-engine.mjs" "$out/ours.json" "$out/theirs.json" --rel "$rel" || status=1
  done
done
rm -rf "$out"
exit $status
