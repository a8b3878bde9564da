#!/usr/bin/env bash
# Needs about 45 GB of free disk (the 24.5 GB BF16 Nemo checkpoint and its two copies) and writes to /tmp.
#   tools/bench-real-size.sh > docs/measurements/real-size-run-N.txt
# Real-size runs: synthetic checkpoints of the exact Codestral Mamba 7B and Mistral Nemo 12B configurations,
# converted to Q8_0 and Q4_0, then loaded and decoded. Each precision runs twice: the first run converts, the second
# loads the existing copy. /usr/bin/time reports wall time and the maximum resident set.
set -uo pipefail
cd "$(dirname "$0")/.."; . tools/java-home.sh
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
J="java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar $jar"
for cfg in codestral-mamba-7b mistral-nemo-12b; do
  for p in q8_0 q4_0; do
    for pass in convert reuse; do
      echo "=== $cfg $p ($pass) $(date +%T)"
      /usr/bin/time -f "wall %e s, max RSS %M kB" $J bench --config $cfg --precision $p --repeats 2 --prompt 16 --decode 8 --bandwidth-buffer 256MiB 2>&1 | grep -v "^  *[0-9]*%$\|WARNING"
      ls -la /tmp/mamba-playground-bench/.mamba-cache/ 2>/dev/null
    done
  done
  if [ "$cfg" = codestral-mamba-7b ]; then
    echo "=== $cfg bf16 $(date +%T)"
    /usr/bin/time -f "wall %e s, max RSS %M kB" $J bench --config $cfg --repeats 2 --prompt 16 --decode 8 --bandwidth-buffer 256MiB 2>&1 | grep -v "^  *[0-9]*%$\|WARNING"
    rm -rf /tmp/mamba-playground-bench/codestral-mamba-7b-bf16 /tmp/mamba-playground-bench/.mamba-cache/codestral-mamba-7b-bf16.*
  fi
  df -h /tmp | tail -1
done
echo "=== done $(date +%T)"
