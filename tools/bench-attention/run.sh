#!/usr/bin/env bash
# Decode attention alone (one layer, a single query over 128 / 1,024 / 4,096 cached keys), for one or more jars:
#   tools/bench-attention/run.sh [FORMAT] [JAR...]        e.g. tools/bench-attention/run.sh f16 old.jar new.jar
# LAYERS=8 attends 8 layers in turn, as a decode step does (their cache, 67 MB at 4,096 F16 keys, outgrows the
# CPU caches; one layer's stays in them); the time printed is per layer.
# Each jar runs in turn, twice (A B A B), so that other load on the machine falls on all alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/java-home.sh
format=${1:-f16}; shift || true
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=(app/target/mamba-playground.jar)
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
for jar in "${jars[@]}"; do [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }; done
javac --add-modules jdk.incubator.vector -cp "${jars[0]}" -d "$out" tools/bench-attention/org/mambaplayground/engine/transformer/AttBench.java 2>/dev/null
for round in 1 2; do
  for jar in "${jars[@]}"; do
    java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar:$out" \
      org.mambaplayground.engine.transformer.AttBench "$format" "${LAYERS:-1}" 2>/dev/null | tail -3 | sed "s|^|round $round $(basename "$jar"): |"
  done
done
