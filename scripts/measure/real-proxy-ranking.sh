#!/usr/bin/env bash
# Which proxy budget ranks a real network's operators like its final budget (issue 19): trains operators
# of clearly different quality in the network's placeholders at each candidate proxy and at the final
# budget (no kill margin, one seed), and prints proxy vs final accuracy with each proxy's Spearman rank
# correlation and its training seconds. Each training is a JSON file in the output folder; a rerun skips
# the ones there, so it resumes across sessions. All proxies run first (about a minute each), then the
# finals (a quarter to three quarters of an hour each on 2 threads).
# Usage: scripts/measure/real-proxy-ranking.sh [model] [out-dir] [campaign-dir]
#   operators: library layers, plus the campaign's finalists and its best, middling and worst search
#   candidates (if a campaign is given); a final training the campaign already did (finals/<name>-seed1.json,
#   the same budget and seed) is reused instead of trained again
#   PROXIES="2x8000 1x16000 ..."  the proxies compared, each EPOCHSxIMAGES at the proxy budget's other
#     settings (default: 2x8000, the built-in proxy, 1x16000, 2x16000 and 1x32000)
#   LIBRARY="operator1 ..."  the library layers (default: operator1 operator2 grouped shiftconv conv1x1;
#     conv2d and dilated cost the baseline's time and rank with it)
#   QUICK=1 trains on a few hundred images only (a check of the script, not a measurement)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
syno=${SYNO:-$root/build/src/syno}
model=${1:-resnet18}
out=${2:-$root/out/real-proxy-ranking-$model}
campaign=${3:-}
proxies=(${PROXIES:-2x8000 1x16000 2x16000 1x32000})
library=(${LIBRARY:-operator1 operator2 grouped shiftconv conv1x1})
for p in "${proxies[@]}"; do
  [[ "$p" =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || { echo "real-proxy-ranking.sh: proxy '$p' is not EPOCHSxIMAGES" >&2; exit 1; }
done
mkdir -p "$out/ops"
sources=("baseline:" )
for l in "${library[@]}"; do sources+=("library:$l"); done
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
  for f in "$campaign"/operators/*.op; do
    [ -f "$f" ] || continue
    cp "$f" "$out/ops/"
    # A candidate that is also a finalist trains once, under the finalist's name.
    for c in "$out"/ops/candidate*.op; do [ -f "$c" ] && cmp -s "$c" "$f" && rm "$c"; done
  done
  for f in "$out"/ops/*.op; do [ -f "$f" ] && sources+=("op:$f"); done
fi
train() {  # name label source-args... (the budget's own arguments included)
  local name=$1 label=$2; shift 2
  local json="$out/$name.$label.json"
  [ -f "$json" ] && return 0
  if [ "$label" = final ] && [ -n "$campaign" ] && [ "${QUICK:-0}" != 1 ] && [ -f "$campaign/finals/$name-seed1.json" ]; then
    cp "$campaign/finals/$name-seed1.json" "$json"
    return 0
  fi
  echo "$(date -u +%FT%TZ) training $name at $label" >&2
  "$syno" eval --model "$model" "$@" --no-latency --threads 2 --json "$json.part" \
    >"$out/$name.$label.txt" 2>&1 || true
  # A failed training (diverged, too slow) is a result too; a killed one leaves no JSON and runs again.
  [ -f "$json.part" ] && mv "$json.part" "$json"
  return 0
}
args_of() {  # source -> name and eval arguments on stdout, one per line
  local kind=${1%%:*} what=${1#*:}
  case "$kind" in
    baseline) printf '%s\n' baseline --baseline ;;
    library) printf '%s\n' "$what" --library "$what" --skip-baseline ;;
    op) printf '%s\n' "$(basename "$what" .op)" --op "$what" --skip-baseline ;;
  esac
}
for stage in proxies final; do
  for s in "${sources[@]}"; do
    mapfile -t a < <(args_of "$s")
    name=${a[0]}; args=("${a[@]:1}")
    if [ $stage = proxies ]; then
      for p in "${proxies[@]}"; do
        size=(--epochs "${p%x*}" --subset "${p#*x}")
        [ "${QUICK:-0}" = 1 ] && size=(--epochs 1 --subset 300)
        train "$name" "proxy-$p" "${args[@]}" --budget proxy "${size[@]}"
      done
    else
      size=()
      [ "${QUICK:-0}" = 1 ] && size=(--epochs 1 --subset 300)
      train "$name" final "${args[@]}" --budget final "${size[@]}"
    fi
  done
done
python3 - "$out" "$root/scripts/measure" "${proxies[@]}" <<'PY'
import json, os, sys
sys.path.insert(0, sys.argv[2])
from spearman import spearman
out, proxies = sys.argv[1], sys.argv[3:]
def metric(path, key):
    try:
        j = json.load(open(path))
    except (OSError, ValueError):
        return None
    return j["metrics"].get(key) if j.get("ok") else None
names = sorted({f.split(".")[0] for f in os.listdir(out) if f.endswith(".json")})
final = {n: metric(os.path.join(out, n + ".final.json"), "test_accuracy") for n in names}
names = [n for n in names if final[n] is not None]
names.sort(key=lambda n: -final[n])
def proxy(n, p, key="accuracy"): return metric(os.path.join(out, f"{n}.proxy-{p}.json"), key)
print("| operator | final test | " + " | ".join(f"proxy {p}" for p in proxies) + " |")
print("|---|---|" + "---|" * len(proxies))
for n in names:
    cells = [f"{100 * v:.2f}%" if (v := proxy(n, p)) is not None else "-" for p in proxies]
    print(f"| {n} | {100 * final[n]:.2f}% | " + " | ".join(cells) + " |")
for p in proxies:
    rows = [(proxy(n, p), final[n]) for n in names if proxy(n, p) is not None]
    secs = [s for n in names if (s := proxy(n, p, "train_seconds")) is not None]
    rho = f"{spearman([r[0] for r in rows], [r[1] for r in rows]):.3f}" if len(rows) >= 3 else "-"
    mean = f"{sum(secs) / len(secs):.0f} s" if secs else "-"
    print(f"proxy {p}: n={len(rows)}  Spearman(proxy validation, final test) = {rho}  mean training {mean}")
PY
