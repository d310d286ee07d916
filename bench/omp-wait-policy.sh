#!/usr/bin/env bash
# Whether OpenMP's passive wait policy helps syno's training: the same proxy training (ResNet-18's
# training instance, 2 threads) with libgomp's default wait (unset: spin a while, then sleep) and with
# OMP_WAIT_POLICY=passive (sleep at once), on a quiet machine and with two CPU-bound processes beside it
# (one per core), in rotation per round so that drift hits both alike. Prints each run's training seconds
# and, per condition, the median passive/default ratio. POLICIES="default passive active" adds others.
# Usage: bench/omp-wait-policy.sh [operator-file | library-layer] [rounds] [images]
#   (default operator2, 3 rounds, 4000 images; run it on an otherwise idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
full=${SYNO_FULL:-build/src/syno-full}  # the libtorch binary itself: `syno` would pass the policy on too
op=${1:-operator2}
rounds=${2:-3}
images=${3:-4000}
source bench/spinners.sh
operator_args "$op"
out=$(mktemp -d)
trap 'stop_spinners; rm -rf "$out"' EXIT
policies=(${POLICIES:-default passive})
train() {  # $1: condition, $2: policy, $3: round
  local env=(env -u OMP_WAIT_POLICY)
  [ "$2" = default ] || env=(env OMP_WAIT_POLICY="$2")
  "${env[@]}" "$full" eval --model resnet18 "${what[@]}" --skip-baseline --budget proxy --epochs 1 \
    --subset "$images" --no-latency --threads 2 --json "$out/$1-$2-$3.json" >/dev/null 2>&1
  python3 -c "import json,sys; print(f'{sys.argv[2]:5} {sys.argv[3]:7} {json.load(open(sys.argv[1]))[\"metrics\"][\"train_seconds\"]:7.1f} s')" \
    "$out/$1-$2-$3.json" "$1" "$2"
}
for i in $(seq 1 "$rounds"); do
  for policy in "${policies[@]}"; do train quiet "$policy" "$i"; done
  start_spinners
  for ((k = ${#policies[@]} - 1; k >= 0; k--)); do train busy "${policies[k]}" "$i"; done
  stop_spinners
  sleep 2
done
python3 - "$out" "${policies[@]}" <<'PY'
import glob, json, statistics, sys
def secs(cond, policy):
    return [json.load(open(f))["metrics"]["train_seconds"] for f in sorted(glob.glob(f"{sys.argv[1]}/{cond}-{policy}-*.json"))]
first, others = sys.argv[2], sys.argv[3:]
for cond in ("quiet", "busy"):
    base = secs(cond, first)
    line = f"{cond}: {first} median {statistics.median(base):.1f} s"
    for other in others:
        ratios = [x / y for x, y in zip(secs(cond, other), base)]
        line += (f"; {other} median {statistics.median(secs(cond, other)):.1f} s, {other}/{first} per round "
                 f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")
    print(line)
PY
