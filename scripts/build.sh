#!/usr/bin/env bash
# Configures and builds syno. Usage: scripts/build.sh [--sanitize | --tsan]
#   --sanitize  ASan + UBSan, everything (build-asan/)
#   --tsan      ThreadSanitizer, the torch-free tests of the threaded layers: the search driver and its
#               worker pool, the run database (build-tsan/; libtorch is not instrumented, so it stays out)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=()
targets=()
case "${1:-}" in
  --sanitize) dir=build-asan; flags+=(-DSYNO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
  --tsan) dir=build-tsan; flags+=(-DSYNO_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNO_BUILD_BENCH=OFF)
          targets+=(--target search_test storage_test) ;;
  "") ;;
  *) echo "usage: scripts/build.sh [--sanitize | --tsan]" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
