#!/usr/bin/env bash
# Whether the real networks' proxy budget ranks operators like their final budget (issue 19): trains
# operators of clearly different quality in a network's placeholders at both budgets (no kill margin, one
# seed) and prints proxy vs final accuracy and their Spearman rank correlation. Each training is a JSON
# file in the output folder; a rerun skips the ones there, so it resumes across sessions (a final
# ResNet-18 training takes ~25 min on 2 threads: ~4 h for all).
# Usage: scripts/measure/real-proxy-ranking.sh [model] [out-dir] [campaign-dir]
#   operators: library layers, plus the campaign's finalists and its best, middling and worst search
#   candidates (if a campaign is given); a final training the campaign already did (finals/<name>-seed1.json,
#   the same budget and seed) is reused instead of trained again
#   QUICK=1 trains on a few hundred images only (a check of the script, not a measurement)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
syno="$root/build/src/syno"
model=${1:-resnet18}
out=${2:-$root/out/real-proxy-ranking-$model}
campaign=${3:-}
mkdir -p "$out/ops"
extra=()
[ "${QUICK:-0}" = 1 ] && extra=(--epochs 1 --subset 300)
sources=()
for l in conv2d grouped operator1 operator2 shiftconv conv1x1 dilated; do sources+=("library:$l"); done
if [ -n "$campaign" ] && [ -f "$campaign/search.db" ]; then
  # The best, a middling and the worst finished candidates by proxy accuracy.
  "$syno" runs list --db "$campaign/search.db" --json | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["status"] == "done"]
rows.sort(key=lambda r: -r["accuracy"])
pick = [rows[0], rows[len(rows) // 2], rows[-1]] if len(rows) >= 3 else rows
for r in {r["seq"]: r for r in pick}.values(): print(r["seq"])' | while read -r seq; do
    "$syno" runs show --db "$campaign/search.db" --seq "$seq" | sed -n '/^syno-operator/,$p' > "$out/ops/candidate$seq.op"
  done
  for f in "$campaign"/operators/*.op; do [ -f "$f" ] && cp "$f" "$out/ops/"; done
  for f in "$out"/ops/*.op; do [ -f "$f" ] && sources+=("op:$f"); done
fi
train() {  # name budget source-args...
  local name=$1 budget=$2; shift 2
  local json="$out/$name.$budget.json"
  [ -f "$json" ] && return 0
  if [ "$budget" = final ] && [ -n "$campaign" ] && [ "${QUICK:-0}" != 1 ] && [ -f "$campaign/finals/$name-seed1.json" ]; then
    cp "$campaign/finals/$name-seed1.json" "$json"
    return 0
  fi
  echo "training $name at the $budget budget" >&2
  "$syno" eval --model "$model" "$@" --budget "$budget" --no-latency --threads 2 --json "$json" "${extra[@]}" \
    >"$out/$name.$budget.txt" 2>&1 || true
}
train baseline proxy --baseline
train baseline final --baseline
for s in "${sources[@]}"; do
  kind=${s%%:*}; what=${s#*:}
  if [ "$kind" = library ]; then name=$what; args=(--library "$what" --skip-baseline)
  else name=$(basename "$what" .op); args=(--op "$what" --skip-baseline); fi
  train "$name" proxy "${args[@]}"
  train "$name" final "${args[@]}"
done
python3 - "$out" "$root/scripts/measure" <<'PY'
import glob, json, os, sys
sys.path.insert(0, sys.argv[2])
from spearman import spearman
out = sys.argv[1]
def acc(path, key):
    try:
        j = json.load(open(path))
    except (OSError, ValueError):
        return None
    return j["metrics"].get(key) if j.get("ok") else None
rows = []
for f in sorted(glob.glob(os.path.join(out, "*.proxy.json"))):
    name = os.path.basename(f)[:-len(".proxy.json")]
    p, fin = acc(f, "accuracy"), acc(os.path.join(out, name + ".final.json"), "test_accuracy")
    if p is not None and fin is not None:
        rows.append((name, p, fin))
print("| operator | proxy validation | final test |\n|---|---|---|")
for n, p, f in sorted(rows, key=lambda r: -r[2]): print(f"| {n} | {100 * p:.2f}% | {100 * f:.2f}% |")
if len(rows) >= 3:
    print(f"n={len(rows)}  Spearman(proxy validation, final test) = "
          f"{spearman([r[1] for r in rows], [r[2] for r in rows]):.3f}")
PY
