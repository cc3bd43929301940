#!/usr/bin/env bash
# nn~ in C — installs the Debian packages the project builds and tests with.
# Safe to run repeatedly: packages already present are skipped. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev python3-torch python3-numpy
  libopenblas0-pthread
  puredata-core puredata-dev
  puredata-gui xvfb imagemagick
  libsndfile1-dev libsamplerate0-dev
  libcurl4-openssl-dev libcjson-dev
  libzip-dev
  libcmocka-dev
  clang-22 libclang-rt-22-dev
  clang-14 libclang-rt-14-dev
  python3-pytest
  python3-venv python3-setuptools python3-wheel python3-pip
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# clang-22 lives in bookworm-security on Debian 12; make sure that suite is enabled.
if ! grep -rqs "bookworm-security" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
  echo "deb http://deb.debian.org/debian-security bookworm-security main" | $SUDO tee /etc/apt/sources.list.d/bookworm-security.list >/dev/null
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
