#!/usr/bin/env bash
# Installs every Debian package syno needs. Idempotent: when all are present it returns in about a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-openmp      # libtorch; OpenBLAS or matmul runs on the reference BLAS (~25x slower)
  zlib1g-dev                             # gzip-compressed Fashion-MNIST files
  libfmt-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  python3-torch python3-onnx             # the export tests load exported operators in PyTorch and check ONNX
  libgraphviz-dev graphviz               # syno report / show --graph: operator graphs laid out by libgvc
  chromium fonts-dejavu-core             # the report's tests load the page in headless Chromium
  nodejs npm                             # the report's charting libraries (npm packages, below)
  libopenmpi-dev openmpi-bin             # distributed evaluation: syno search under mpirun (docs/distributed.md)
)

missing=()
for p in "${packages[@]}"; do
  # A machine with Node.js from elsewhere (nodesource's package provides npm too) keeps it.
  case "$p" in nodejs|npm) command -v "$p" >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Vega, Vega-Lite and vega-embed, compiled into syno's report page: the versions pinned by the lock file,
# installed into src/report/web/node_modules (not committed) unless they are there already.
web="$(dirname "$0")/../src/report/web"
if ! cmp -s "$web/package-lock.json" "$web/node_modules/.syno-installed-lock" 2>/dev/null; then
  echo "installing the report's npm packages into src/report/web/node_modules"
  (cd "$web" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  cp "$web/package-lock.json" "$web/node_modules/.syno-installed-lock"  # what is installed, for the next run
fi
