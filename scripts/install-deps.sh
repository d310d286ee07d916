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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
