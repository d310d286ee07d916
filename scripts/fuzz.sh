#!/usr/bin/env bash
# Long fuzzing runs with libFuzzer (clang, ASan + UBSan) of every parser's target, from its committed
# corpus. Usage: scripts/fuzz.sh [runs-per-target] [target...]   (default 1000000 runs; targets:
# operator_text operator_json sizes). Findings (crash-*, leak-*, timeout-*) land in build-fuzz/findings/.
# Prints executions, time and findings per target; exits non-zero when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(operator_text operator_json sizes)
dir=build-fuzz
if [ ! -f "$dir/CMakeCache.txt" ]; then
  generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
  CC=clang CXX=clang++ cmake -S . -B "$dir" "${generator[@]}" -DSYNO_FUZZ=ON -DSYNO_BUILD_TESTS=OFF \
    -DSYNO_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
mkdir -p "$dir/findings"
status=0
for t in "${targets[@]}"; do
  cmake --build "$dir" --target "fuzz_$t" --parallel "$(nproc)" >/dev/null
  corpus=fuzz/corpus/$(echo "$t" | tr _ -)
  work="$dir/corpus-$t"  # grows with what libFuzzer finds; the committed corpus stays as it is
  mkdir -p "$work"
  log="$dir/fuzz_$t.log"
  start=$(date +%s)
  if "$dir/fuzz/fuzz_$t" -runs="$runs" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 -max_len=4096 \
       -artifact_prefix="$dir/findings/$t-" "$work" "$corpus" >"$log" 2>&1; then verdict="no finding"
  else verdict="FINDING (see $log)"; status=1; fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "fuzz_$t: ${execs:-?} executions in $(( $(date +%s) - start )) s, $verdict"
done
exit $status
