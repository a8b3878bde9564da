#!/usr/bin/env bash
# One engine at several prompt lengths, in rounds (the lengths in the same order each round): prefill tokens/s
# and the decode tokens/s after each prompt, from `bench` on a 1 GB BF16 bench checkpoint. For issue 17's
# long-context checks: Mamba2's prefill at 16,384 tokens against 512, and its decode flat from 128 to 16,384.
#   tools/bench-long-context.sh [ARCH] [ROUNDS] [PROMPT:REPEATS ...]
#   e.g. tools/bench-long-context.sh mamba2 2 512:2 16384:1 128:3      (about 7 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
arch=${1:-mamba2}; rounds=${2:-2}; shift 2 || true
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(512:2 16384:1 128:3)
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
for r in $(seq 1 "$rounds"); do
  for c in "${cases[@]}"; do
    IFS=: read -r prompt rep <<<"$c"
    out=$(java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$jar" \
      bench --arch "$arch" --size 1GB --prompt "$prompt" --decode 32 --repeats "$rep" 2>/dev/null)
    echo "round $r $arch prompt $prompt: $(grep -E '^Prefill:|^Decode:' <<<"$out" | tr '\n' ' ') load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
