#!/usr/bin/env bash
# Our Q4_K, Q5_K and Q6_K GGUF files in llama.cpp and in our engine: two synthetic 256-wide models (one per
# architecture, demo tokenizers) converted by `logits --precision`, then compared as compare-engine.sh does.
#   tools/llama-cpp-check/compare-kquants.sh [REL_TOLERANCE]     (after `npm install --omit=optional` here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
. tools/java-home.sh
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
java --add-modules=jdk.incubator.vector -cp "$jar" "$here/KQuantModels.java" "$models" \
  assets/src/main/resources/org/mambaplayground/assets/demo 2>/dev/null
MODELS="$models/mamba2-256 $models/transformer-256" PRECISIONS="q4_k q5_k q6_k" JAR="$jar" \
  bash "$here/compare-engine.sh" "${1:-0.02}"
