#!/usr/bin/env bash
# Install what is missing, build, and run every test. Usage: scripts/test.sh [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
dir=build
[ "${1:-}" = "--sanitize" ] && dir=build-asan
cd "$dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
