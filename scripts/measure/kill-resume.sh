#!/usr/bin/env bash
# A real (training) search killed with SIGKILL at random moments and resumed each time must end with
# no finished evaluation lost and the same candidates, statuses and rewards as an uninterrupted run
# (issue 24). Usage: scripts/measure/kill-resume.sh [kills] [out-dir]   (default 20 kills; ~10 min)
# The search: the small ResNet, 12 candidates, each trained for one epoch on 1,024 images.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
syno="$root/build/src/syno"
kills=${1:-20}
out=${2:-$root/out/kill-resume}
rm -rf "$out" && mkdir -p "$out"
args=(search --model resnet --evaluator train --epochs 1 --subset 1024 --budget 12 --seed 5 --threads 1 -q)
echo "uninterrupted run..."
start=$(date +%s)
"$syno" "${args[@]}" --db "$out/reference.db" >"$out/reference.txt"
span=$(( $(date +%s) - start ))
echo "  took ${span} s"
# Kill moments spread over the run's length (a resume replays quickly, so each life is short).
RANDOM=7
"$syno" "${args[@]}" --db "$out/killed.db" >/dev/null 2>&1 &
pid=$!
done_kills=0
finished_before=0
while [ "$done_kills" -lt "$kills" ]; do
  sleep "$(awk -v r=$RANDOM -v s="$span" 'BEGIN { printf "%.2f", 0.5 + (r / 32767) * s / 8 }')"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || true
    break  # finished before this kill: no more to do
  fi
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  done_kills=$((done_kills + 1))
  # Everything finished so far must still be there, unchanged, after every kill.
  if [ ! -f "$out/killed.db" ]; then  # killed before its database existed: start it again
    "$syno" "${args[@]}" --db "$out/killed.db" >/dev/null 2>&1 &
    pid=$!
    continue
  fi
  now=$(python3 - "$out/killed.db" <<'PY'
import sqlite3, sys
try:
    c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    print(c.execute("SELECT COUNT(*) FROM candidates WHERE status IN ('done','failed')").fetchone()[0])
except sqlite3.Error:  # killed while creating it: nothing was finished
    print(0)
PY
)
  if [ "$now" -lt "$finished_before" ]; then echo "LOST: $finished_before finished before kill $done_kills, $now after"; exit 1; fi
  finished_before=$now
  "$syno" search --resume "$out/killed.db" -q >/dev/null 2>&1 &
  pid=$!
done
wait "$pid" 2>/dev/null || true
"$syno" search --resume "$out/killed.db" -q >/dev/null  # finish whatever the last kill left
python3 - "$out/reference.db" "$out/killed.db" "$done_kills" <<'PY'
import sqlite3, sys
def rows(p):
    c = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    return c.execute("SELECT seq, canonical_id, status, reward, accuracy FROM candidates ORDER BY seq").fetchall()
ref, got = rows(sys.argv[1]), rows(sys.argv[2])
c = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True)
sessions = c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
repeated = c.execute("SELECT COUNT(*) FROM candidates WHERE attempts > 1").fetchone()[0]
same = ref == got
print(f"{sys.argv[3]} kills, {sessions} sessions: {len(got)} candidates, {repeated} re-evaluated after a kill "
      f"(killed mid-training), sequence {'IDENTICAL to' if same else 'DIFFERENT from'} the uninterrupted run")
if not same:
    for a, b in zip(ref, got):
        if a != b: print("  first difference:", a, b); break
    sys.exit(1)
PY
