#!/usr/bin/env bash
# Measures whether the proxy budget ranks operators like the final budget (issue 9): trains nine operators
# in the small ResNet's placeholders at both budgets (1 thread each, two at a time on 2 cores; ~45 minutes),
# trains the baseline at both, and prints the table and the Spearman rank correlation.
# Usage: scripts/measure/proxy-ranking.sh [out-dir]   (needs build/src/syno and python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
syno="$root/build/src/syno"
out="${1:-$root/out/proxy-ranking}"
mkdir -p "$out" && cd "$out"
spec=(--primary 'N=1: 0, C_in=16: 2, C_out=16: 4, H=28: 0, W=28: 0' --coef 'k=3: 2, s=2: 2, g=4: 3')
# Two operators sampled from the ResNet placeholders' space (seed 7, numbers 1 and 4): one text form per file.
"$syno" sample -n 6 --seed 7 "${spec[@]}" --input '[N, C_in, H, W]' --output '[N, C_out, H, W]' \
  --bindings "$("$syno" eval --model resnet --spec | sed -n "s/.*--bindings '\(.*\)'/\1/p")" 2>/dev/null |
  awk '/^# operator/{n++} !/^#/ && n>0 {print > ("sampled" n ".op")}'
one() {  # name, then the operator arguments
  local name=$1; shift
  for b in proxy final; do
    "$syno" eval --model resnet "$@" --budget $b --threads 1 --no-latency > "out.$name.$b.txt" 2>&1 ||
      echo "$name $b failed: $(tail -1 "out.$name.$b.txt")"
  done
}
( one baseline --baseline; one conv2d --library conv2d --skip-baseline; one operator1 --library operator1 --skip-baseline
  one sampled1 --op sampled1.op --skip-baseline; one shiftconv --library shiftconv --skip-baseline ) &
( one operator2 --library operator2 --skip-baseline; one grouped --library grouped --skip-baseline
  one conv1x1 --library conv1x1 --skip-baseline; one dilated --library dilated --skip-baseline
  one sampled4 --op sampled4.op --skip-baseline ) &
wait
python3 "$root/scripts/measure/proxy_ranking.py"
