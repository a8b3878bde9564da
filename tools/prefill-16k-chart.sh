#!/usr/bin/env bash
# The latency charts of the 1 GB BF16 bench models (the checkpoints `bench --size 1GB` writes) swept by the app
# itself from 8 to 16,384 prompt tokens: prefill time vs prompt length, Mamba2 beside the transformer.
# Each model folder here is the bench checkpoint (linked, not copied) with a demo model's tokenizer beside it (the
# sweep's prompts are token ids cut from a filler text; the bench checkpoints have no tokenizer of their own).
# Writes docs/screenshots/prefill-16k.png (the prefill chart), docs/screenshots/charts-16k.png (the whole page)
# and docs/measurements/prefill-16k.csv (every point, as the charts page's CSV export writes it).
# Usage: tools/prefill-16k-chart.sh [MAX_TOKENS]      (default 16384; about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
max=${1:-16384}
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
bench=${TMPDIR:-/tmp}/mamba-playground-bench
demo=assets/src/main/resources/org/mambaplayground/assets/demo
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for arch in mamba2 transformer; do
  src=$bench/$arch-1000MB-bf16
  # bench writes the checkpoint on its first run (a short one)
  [ -f "$src/consolidated.safetensors" ] || java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -jar "$jar" bench --arch "$arch" --size 1GB --prompt 8 --decode 1 --repeats 1 >/dev/null
  dst=$WORK/models/bench-$arch-1GB-bf16
  mkdir -p "$dst"
  ln -s "$src/consolidated.safetensors" "$dst/consolidated.safetensors"
  cp "$src/params.json" "$dst/"
done
cp "$demo/codestral-mamba-demo/tokenizer.model.v3" "$WORK/models/bench-mamba2-1GB-bf16/"
cp "$demo/mistral-nemo-demo/tekken.json" "$WORK/models/bench-transformer-1GB-bf16/"
SCREEN=1280x800 tools/screenshots.sh "$WORK/shots" --sweep-max="$max" \
  --sweep="$WORK/models/bench-mamba2-1GB-bf16:$WORK/models/bench-transformer-1GB-bf16"
mkdir -p docs/screenshots docs/measurements
cp "$WORK/shots/prefill-chart.png" docs/screenshots/prefill-16k.png
cp "$WORK/shots/charts.png" docs/screenshots/charts-16k.png
cp "$WORK/shots/metrics.csv" docs/measurements/prefill-16k.csv
echo "Saved docs/screenshots/prefill-16k.png, docs/screenshots/charts-16k.png, docs/measurements/prefill-16k.csv"
