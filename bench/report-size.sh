#!/usr/bin/env bash
# The report of a large run: size, and load-to-drawn time in headless Chromium against a small run's page
# (bench/report_load_bench). Makes a 2,000-candidate synthetic run (about 10 s) and a 12-candidate one.
# Usage: bench/report-size.sh [build dir] [candidates=2000]
set -euo pipefail
build=${1:-build}
n=${2:-2000}
syno=$build/src/syno
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# --keep-over-parametrised: the synthetic evaluator has no use for that rule, which slows proposals here.
"$syno" search --evaluator synthetic --keep-over-parametrised --budget "$n" --seed 3 --failure-rate 0.1 -q \
  --db "$work/big.db" > /dev/null
"$syno" search --evaluator synthetic --keep-over-parametrised --budget 12 --seed 3 -q --db "$work/small.db" > /dev/null
"$syno" report "$work/big.db" -o "$work/report-$n.html"
"$syno" report "$work/small.db" -o "$work/report-12.html"
"$build/bench/report_load_bench" "$work/report-$n.html" "$work/report-12.html" 5
