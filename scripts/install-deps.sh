#!/usr/bin/env bash
# Installs softmdp's build, test and benchmark dependencies from Debian 12 packages.
# Works as root or through sudo; safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(build-essential cmake g++ libboost-program-options-dev nlohmann-json3-dev libfmt-dev
      doctest-dev libeigen3-dev libomp-dev gnuplot-nox python3-numpy python3-scipy python3 bc
      clang libclang-rt-14-dev pkg-config libbenchmark-dev zlib1g-dev liblzma-dev
      pybind11-dev python3-dev python3-pytest
      libopenmpi-dev openmpi-bin)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all dependencies already installed"
fi
