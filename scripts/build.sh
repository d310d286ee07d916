#!/usr/bin/env bash
# Configures and builds syno. Usage: scripts/build.sh [--sanitize]  (ASan+UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags+=(-DSYNO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)"
