#!/usr/bin/env bash
# Install what is missing, build, and run every test. Usage: scripts/test.sh [--sanitize | --tsan]
#   --sanitize  the whole suite under ASan + UBSan (build-asan/)
#   --tsan      the search driver, worker pool and run database tests under ThreadSanitizer (build-tsan/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
case "${1:-}" in
  --sanitize) cd build-asan && ctest --output-on-failure --parallel "$(nproc)" --timeout 3600 ;;
  --tsan) export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
          build-tsan/tests/search/search_test && build-tsan/tests/storage/storage_test ;;
  *) cd build && ctest --output-on-failure --parallel "$(nproc)" --timeout 900 ;;
esac
