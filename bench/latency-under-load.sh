#!/usr/bin/env bash
# Whether whole-network latency ratios survive a busy machine: the same operator in ResNet-18's
# deployment instance (224x224, batch 1, 2 threads) timed against the original network on a quiet
# machine and with two CPU-bound processes beside it (spinners at normal priority, one per core), in
# alternating pairs so that drift in the machine hits both conditions alike. No quiet wait: the
# measurement itself must hold up. Prints each run, the median ratio per condition, their difference and
# the largest difference of a busy run from the quiet median (the goal: within 15%).
# Usage: bench/latency-under-load.sh [operator-file | library-layer] [pairs] [rounds]
#   (default operator2, 3 pairs, 15 rounds; ~1 min a pair; run it on an otherwise idle machine)
#   NICE_CMD="nice -n -20"  runs syno under it
set -euo pipefail
cd "$(dirname "$0")/.."
syno=${SYNO:-build/src/syno}
op=${1:-operator2}
pairs=${2:-3}
rounds=${3:-15}
source bench/spinners.sh
operator_args "$op"
out=$(mktemp -d)
trap 'stop_spinners; rm -rf "$out"' EXIT
measure() {  # $1: condition, $2: pair
  ${NICE_CMD:-} "$syno" eval --model resnet18 "${what[@]}" --latency-only --latency-batches 1 --latency-threads 2 \
    --latency-runs "$rounds" --json "$out/$1-$2.json" >/dev/null
  python3 - "$out/$1-$2.json" "$1" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["details"]["latency"][0]
print(f"{sys.argv[2]:5}  ratio {p['ratio']:.3f} ({p.get('estimator', 'median')})  spread {p['spread']:.3f}"
      f"  other cores {p['other_cores']:.2f}  attempts {p['attempts']}  {p['ms']:.2f} ms vs {p['baseline_ms']:.2f} ms"
      f"{'  NOISY' if p['noisy'] else ''}")
PY
}
for i in $(seq 1 "$pairs"); do
  measure quiet "$i"
  start_spinners
  measure busy "$i"
  stop_spinners
  sleep 2
done
python3 - "$out" <<'PY'
import glob, json, statistics, sys
r = {k: [json.load(open(f))["details"]["latency"][0]["ratio"] for f in sorted(glob.glob(f"{sys.argv[1]}/{k}-*.json"))]
     for k in ("quiet", "busy")}
q, b = statistics.median(r["quiet"]), statistics.median(r["busy"])
worst = max(abs(x - q) / q for x in r["busy"])
print(f"median ratio: quiet {q:.3f}x, busy {b:.3f}x ({100 * abs(b / q - 1):.1f}% apart); largest difference of a busy "
      f"run from the quiet median {100 * worst:.1f}% (goal: within 15%)")
PY
