#!/usr/bin/env bash
# Distributed evaluation's throughput: `syno search` on the synthetic evaluator with a 1 s delay per
# evaluation (ranks sleep, so they scale past the cores) under mpirun with 1, 2, 4 and 8 evaluating ranks,
# each against linear scaling from the 1-rank throughput measured in the same run. Then, with no delay,
# how many results per second rank 0 handles (bench/mpi_bench: receive, decode, record in the run
# database), without the synthesis that proposes them.
# Usage: bench/mpi_scaling.sh [build dir]   (default: build)
set -euo pipefail
build=${1:-build}
syno=$build/src/syno
[ -x "$syno" ] || { echo "mpi_scaling.sh: $syno not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --oversubscribe --allow-run-as-root)
per_rank=${PER_RANK:-8}  # evaluations per evaluating rank

# Evaluations per second between the first start and the last finish (mpirun's start-up excluded).
rate() { sqlite3 "$1" "select count(*) / (max(finished_at) - min(started_at)) from candidates where status in ('done', 'failed')"; }

printf '%-8s %-12s %-14s %s\n' ranks evaluations "per second" "of linear"
base=""
for ranks in 1 2 4 8; do
  db=$work/r$ranks.db
  # --keep-over-parametrised: the synthetic evaluator has no use for that rule, whose refusals cost the
  # proposer seconds per candidate in this space (a synthesis matter, timed by synthesis_bench).
  "${mpi[@]}" -np $((ranks + 1)) "$syno" search --evaluator synthetic --depth 6 --keep-over-parametrised \
    --synthetic-delay 1 -q --budget $((ranks * per_rank)) --seed 1 --db "$db" > /dev/null
  r=$(rate "$db")
  [ -n "$base" ] || base=$r
  printf '%-8s %-12s %-14.3f %.3f\n' "$ranks" $((ranks * per_rank)) "$r" "$(echo "$r / ($base * $ranks)" | bc -l)"
done
echo
"${mpi[@]}" -np 3 "$build/bench/mpi_bench" --results 20000 --db "$work/bench.db"
