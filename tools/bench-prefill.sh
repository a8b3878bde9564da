#!/usr/bin/env bash
# Prefill and decode of the 1 GB BF16 bench models at several prompt lengths, two jars measured alternately
# (A then B, then B then A in the next round) so that other load on the machine falls on both alike.
#   OLD=/path/old.jar NEW=/path/new.jar tools/bench-prefill.sh [ROUNDS] [CASES...]
#   a case is ARCH:PROMPT:REPEATS, e.g. transformer:512:3 (default: both architectures at 128, 512 and 4096)
#   THREADS=N runs the kernels on N threads (-Dmamba.threads; default: one per core)
# Each line printed is one bench run: its median prefill tokens/s, FMA-peak fraction, decode tokens/s (16 tokens
# after the prompt) and effective bandwidth; the summary gives the medians over the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
rounds=${1:-2}; shift || true
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(transformer:128:3 mamba2:128:3 transformer:512:3 mamba2:512:3 transformer:4096:1 mamba2:4096:1)
run() { java ${THREADS:+-Dmamba.threads=$THREADS} --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$1" bench --arch "$2" --size 1GB --prompt "$3" --decode 16 --repeats "$4" 2>/dev/null; }
declare -A prefill decode peak
for r in $(seq 1 "$rounds"); do
  for c in "${cases[@]}"; do
    IFS=: read -r arch prompt rep <<<"$c"
    order=(OLD NEW); [ $((r % 2)) -eq 0 ] && order=(NEW OLD)
    for which in "${order[@]}"; do
      out=$(run "${!which}" "$arch" "$prompt" "$rep")
      f=$(sed -n 's/^Prefill: *\([0-9.]*\) tokens\/s median run.*/\1/p' <<<"$out")
      k=$(sed -n 's/^Prefill matrix FLOPs: *\([0-9.]*\) GFLOP\/s (median run) = \([0-9]*\)%.* \([0-9.]*\) GFLOP\/s median pass/\1 GFLOP\/s = \2% of \3/p' <<<"$out")
      d=$(sed -n 's/^Decode: *\([0-9.]*\) tokens\/s median run.*/\1/p' <<<"$out")
      b=$(sed -n 's/^Effective weight bandwidth: .*= \([0-9]*\)% of the median pass.*/\1/p' <<<"$out")
      prefill[$which,$c,$r]=$f; decode[$which,$c,$r]=$d
      echo "round $r $which $arch prompt $prompt: prefill $f tokens/s${k:+ ($k GFLOP/s peak)}; decode $d tokens/s = ${b}% of the median memory pass; load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
for c in "${cases[@]}"; do
  for which in OLD NEW; do
    p=$(for r in $(seq 1 "$rounds"); do echo "${prefill[$which,$c,$r]}"; done | median)
    d=$(for r in $(seq 1 "$rounds"); do echo "${decode[$which,$c,$r]}"; done | median)
    echo "$c $which: prefill $p tokens/s, decode $d tokens/s (medians of $rounds rounds)"
  done
done
