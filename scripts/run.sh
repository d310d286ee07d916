#!/usr/bin/env bash
# The main job on embedded defaults: install what is missing, build, run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
exec build/src/syno search "$@"
