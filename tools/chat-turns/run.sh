#!/usr/bin/env bash
# Time to the first token of the third turn of a long conversation, the engine of commit BEFORE against the working
# tree's, on the same demo model and prompts, run alternately (one JVM each) so other load on the machine falls on
# both alike; prints each run and the medians over the rounds.
#   tools/chat-turns/run.sh BEFORE [MODEL] [MODE] [ROUNDS] [REPEATS]
#   e.g. tools/chat-turns/run.sh 9954cf6 codestral-mamba-demo completion 5 3
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/java-home.sh
before=$1; model=${2:-codestral-mamba-demo}; mode=${3:-completion}; rounds=${4:-5}; repeats=${5:-3}
work=${TMPDIR:-/tmp}/chat-turns-bench
folder=assets/src/main/resources/org/mambaplayground/assets/demo/$model
rm -rf "$work/before" && mkdir -p "$work/before"
git archive "$before" | tar -x -C "$work/before"
# compile only (never install: the local Maven repository is shared)
(cd "$work/before" && ./mvnw -B -q -ntp -pl engine compile)
./mvnw -B -q -ntp -pl engine compile
./mvnw -B -q -ntp -pl engine dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/deps.txt" >/dev/null
deps=$(cat "$work/deps.txt")
run() { java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$1/engine/target/classes:$deps" \
          tools/chat-turns/ThirdTurnLatency.java "$folder" "$mode" "$repeats" 2>/dev/null; }
declare -A third
for r in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$([ "$side" = before ] && echo "$work/before" || echo .)
    out=$(run "$dir")
    echo "round $r $side: $(tr '\n' ';' <<<"$out")"
    third[$side,$r]=$(sed -n 's/^turn 3: .*first token \([0-9.]*\) ms$/\1/p' <<<"$out")
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
for side in before after; do
  echo "$model $mode, third turn, time to first token ($side = $([ "$side" = before ] && echo "$before" || git rev-parse --short HEAD)): $(for r in $(seq 1 "$rounds"); do echo "${third[$side,$r]}"; done | median) ms (median of $rounds rounds)"
done
