#!/usr/bin/env bash
# Decode and prefill speed of one synthetic checkpoint at BF16, Q8_0 and Q4_0, measured alternately so that
# other load on the machine falls on all three alike. Each round runs `bench` once per precision (rotating the
# order), each run reports its median of --repeats runs; the ratios are taken per round and their median printed.
#   tools/bench-precision.sh [ARCH] [SIZE] [ROUNDS] [REPEATS]     e.g. tools/bench-precision.sh mamba2 1GB 5 3
#   PRECISIONS="bf16 q8_0 q4_0 q4_k q6_k" tools/bench-precision.sh ...   (the first is the baseline of the ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
arch=${1:-mamba2}; size=${2:-1GB}; rounds=${3:-5}; repeats=${4:-3}
jar=${JAR:-app/target/mamba-playground.jar}
[ -f "$jar" ] || ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
run() { local rep=${2:-$repeats}; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$jar" bench --arch "$arch" --size "$size" --precision "$1" --repeats "$rep" 2>/dev/null; }
# Write the checkpoint and its quantized copies before timing anything.
read -r -a precisions <<<"${PRECISIONS:-bf16 q8_0 q4_0}"
n=${#precisions[@]}; base=${precisions[0]}
for p in "${precisions[@]}"; do run "$p" 1 >/dev/null; done
declare -A decode prefill bw peak
for r in $(seq 1 "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    p=${precisions[$(( (k + r) % n ))]}
    out=$(run "$p")
    d=$(sed -n 's/^Decode: *\([0-9.]*\) tokens\/s median run.*/\1/p' <<<"$out")
    f=$(sed -n 's/^Prefill: *\([0-9.]*\) tokens\/s median run.*/\1/p' <<<"$out")
    b=$(sed -n 's/^Effective weight bandwidth: .*= \([0-9]*\)% of the median pass.*/\1/p' <<<"$out")
    k=$(sed -n 's/^Prefill matrix FLOPs: .*= \([0-9]*\)% of the FMA peak.*/\1/p' <<<"$out")
    decode[$p,$r]=$d; prefill[$p,$r]=$f; bw[$p,$r]=$b; peak[$p,$r]=$k
    echo "round $r $p: decode $d tokens/s, prefill $f tokens/s (${k}% of the FMA peak), effective bandwidth ${b}% of the median pass"
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
for p in "${precisions[@]:1}"; do
  dr=$(for r in $(seq 1 "$rounds"); do echo "${decode[$p,$r]} ${decode[$base,$r]}" | awk '{printf "%.3f\n", $1/$2}'; done | median)
  pr=$(for r in $(seq 1 "$rounds"); do echo "${prefill[$p,$r]} ${prefill[$base,$r]}" | awk '{printf "%.3f\n", $1/$2}'; done | median)
  echo "$arch $size $p vs $base: decode ${dr}x, prefill ${pr}x (median of $rounds per-round ratios)"
done
for p in "${precisions[@]}"; do
  echo "$arch $size $p: decode $(for r in $(seq 1 "$rounds"); do echo "${decode[$p,$r]}"; done | median) tokens/s, effective bandwidth $(for r in $(seq 1 "$rounds"); do echo "${bw[$p,$r]}"; done | median)%, prefill $(for r in $(seq 1 "$rounds"); do echo "${prefill[$p,$r]}"; done | median) tokens/s = $(for r in $(seq 1 "$rounds"); do echo "${peak[$p,$r]}"; done | median)% of the FMA peak (medians of the rounds)"
done
