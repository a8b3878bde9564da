#!/usr/bin/env bash
# Makes docs/screenshots/state-memory-family.png: the charts page after a two-turn chat and a comparison of the
# demo models, then sweeps (8 to 512 tokens) of two small synthetic models of the new kinds written to disk by the
# engine's synthetic writer: a transformer with a 64-token sliding window and a mixture of 4 experts, 2 per token.
# Their dots are InferenceState.bytes() measured by the sweep, beside the analytic curves of the real models.
# Usage: tools/state-memory-shot.sh [output-png]
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
PNG=$(realpath -m "${1:-docs/screenshots/state-memory-family.png}")
mkdir -p target
./mvnw -B -ntp -q -pl gui -am compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/gui.classpath" -Dmdep.includeScope=runtime >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
java --add-modules=jdk.incubator.vector -cp "gui/target/classes:$(cat target/gui.classpath)" tools/state-memory-shot/SyntheticFamily.java \
  "$WORK/models" assets/src/main/resources/org/mambaplayground/assets/demo
tools/screenshots.sh "$WORK/shots" --completion --max-tokens=24 \
  --prompt="def fibonacci(n):||class Stack:" --sweep="$WORK/models/synthetic-window-64:$WORK/models/synthetic-moe-4x2"
cp "$WORK/shots/charts.png" "$PNG"
echo "Saved $PNG"
