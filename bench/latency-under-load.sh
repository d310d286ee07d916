#!/usr/bin/env bash
# Whether whole-network latency ratios survive a busy machine: the same operator in ResNet-18's
# deployment instance (224x224, batch 1, 2 threads) timed against the original network on a quiet
# machine, then with two CPU-bound processes beside it, then quiet again. Prints each ratio and the
# largest relative difference between a busy and a quiet one (the goal: within 15%).
# Usage: bench/latency-under-load.sh [operator-library-name] [rounds]   (run it on an otherwise idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
syno=build/src/syno
op=${1:-operator2}
rounds=${2:-15}
measure() {
  ${NICE_CMD:-} "$syno" eval --model resnet18 --library "$op" --latency-only --latency-batches 1 --latency-threads 2 \
    --latency-runs "$rounds" --json /tmp/syno-latency-load.json >/dev/null
  python3 -c 'import json; p=json.load(open("/tmp/syno-latency-load.json"))["details"]["latency"][0]; print(p["ratio"], p["spread"], p["other_cores"], p["attempts"], p["noisy"])'
}
busy() { (while :; do :; done) & }
echo "condition ratio spread other_cores attempts noisy"
q1=$(measure); echo "quiet $q1"
busy; b1pid=$!; busy; b2pid=$!
sleep 1
l1=$(measure); echo "busy(2) $l1"
l2=$(measure); echo "busy(2) $l2"
kill "$b1pid" "$b2pid"; wait "$b1pid" "$b2pid" 2>/dev/null || true
sleep 1
q2=$(measure); echo "quiet $q2"
python3 - "$q1" "$q2" "$l1" "$l2" <<'PY'
import sys
q = [float(sys.argv[1].split()[0]), float(sys.argv[2].split()[0])]
b = [float(sys.argv[3].split()[0]), float(sys.argv[4].split()[0])]
ref = sum(q) / len(q)
worst = max(abs(x - ref) / ref for x in b)
print(f"quiet mean {ref:.3f}x; busy {b[0]:.3f}x, {b[1]:.3f}x; largest difference {100 * worst:.1f}% (goal: within 15%)")
PY
