#!/usr/bin/env bash
# Small GGUF files of both architectures in Q8_0, Q4_0, Q4_K and Q6_K, with what llama.cpp computes on them, for
# the engine's tests (engine/src/test/resources/gguf/: NAME.gguf and NAME.llama-cpp.json). Our converter writes
# the files (`logits --precision`, from the demo models and two 256-wide synthetic ones); llama.cpp
# (node-llama-cpp's prebuilt CPU build) runs each on the same prompt tokens: its argmax, top-5 logits per
# position and a greedy continuation go into the JSON. LlamaCppGgufTest compares our engine with them.
#   tools/llama-cpp-check/make-test-ggufs.sh        (after `npm install --omit=optional` here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
. tools/java-home.sh
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
out=engine/src/test/resources/gguf
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java --add-modules=jdk.incubator.vector -cp "$jar" "$here/KQuantModels.java" "$work" \
  assets/src/main/resources/org/mambaplayground/assets/demo 2>/dev/null
text='def fibonacci(n):
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
'
run() { # NAME MODEL PRECISION
  local name=$1 model=$2 p=$3
  java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$jar" \
    logits --model "$model" --precision "$p" --text "$text" --continue 8 2>/dev/null > "$work/ours.json"
  gguf=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).gguf)' "$work/ours.json")
  tokens=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tokens.join(","))' "$work/ours.json")
  cp "$gguf" "$out/$name.gguf"
  node "$here/check.mjs" "$out/$name.gguf" --tokens "$tokens" --continue 8 --threads 2 --kv-type f32 --top 5 --no-full-logits > "$work/theirs.json"
  node -e '
    const fs = require("fs");
    const t = JSON.parse(fs.readFileSync(process.argv[1]));
    const doc = {file: process.argv[2] + ".gguf", generator: "tools/llama-cpp-check/make-test-ggufs.sh",
      llamaCpp: t.llamaCpp || t.build || null, tokens: process.argv[3].split(",").map(Number),
      positions: t.positions.map(p => ({argmax: p.argmax, top: p.top.map(e => ({id: e.id, logit: e.logit}))})),
      continuation: t.continuation.tokens};
    fs.writeFileSync(process.argv[4], JSON.stringify(doc, null, 1) + "\n");
  ' "$work/theirs.json" "$name" "$tokens" "$out/$name.llama-cpp.json"
  echo "$name: $(stat -c %s "$out/$name.gguf") bytes"
}
run mamba2-demo-q8_0 codestral-mamba-demo q8_0
run transformer-demo-q4_0 mistral-nemo-demo q4_0
run mamba2-256-q4_k "$work/mamba2-256" q4_k
run transformer-256-q6_k "$work/transformer-256" q6_k
