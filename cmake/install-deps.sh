#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages hwfsim needs to build and test, when any is missing.
# Safe to run again: it does nothing when everything is there. Uses sudo when not run as root.
set -euo pipefail

packages=(
  g++ cmake make git            # compiler and build
  libboost-dev                  # Boost.Odeint (integrators), Boost.Math (distributions), Boost.Random (Sobol)
  librandom123-dev              # counter-based random numbers (Philox)
  libyaml-cpp-dev               # YAML parsing with positions
  libtbb-dev                    # parallel runs (oneTBB)
  libfmt-dev                    # formatting
  libcli11-dev                  # command line
  nlohmann-json3-dev            # run.json
  libnetcdf-dev netcdf-bin      # per-run Monte Carlo results (mc --save-runs); ncdump in tests
  libssl-dev                    # SHA-256 of input files (OpenSSL libcrypto)
  catch2                        # tests
  clang libclang-rt-14-dev      # the loader fuzzer (libFuzzer), `fuzz` preset
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all build packages are installed"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: these packages are missing: ${missing[*]}" >&2
    echo "install-deps: run this script as root, or install sudo" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
