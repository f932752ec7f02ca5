#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages hwfsim needs, when any is missing.
#   cmake/install-deps.sh           what building and running hwfsim need (the README's first
#                                   command): compiler, libraries, the Python module's pybind11
#                                   and pandas, the report's chart libraries, and emscripten with
#                                   the yaml-cpp and mbed TLS sources for the workshop page
#   cmake/install-deps.sh --tests   also what the whole test suite needs (the README's second
#                                   command and .ci/run): Catch2, Python's netCDF4, pytest and
#                                   xarray, clang and libFuzzer, Chromium and the browser test's
#                                   driver
# Safe to run again: it does nothing when everything is there. Uses sudo when not run as root.
set -euo pipefail

tests=false
case "${1:-}" in
  "") ;;
  --tests) tests=true ;;
  *)
    echo "usage: cmake/install-deps.sh [--tests]" >&2
    exit 2
    ;;
esac

packages=(
  g++ cmake make git            # compiler and build
  libboost-dev                  # Boost.Odeint (integrators), Boost.Math (distributions), Boost.Random (Sobol)
  librandom123-dev              # counter-based random numbers (Philox)
  libyaml-cpp-dev               # YAML parsing with positions
  libtbb-dev                    # parallel runs (oneTBB)
  libfmt-dev                    # formatting
  libcli11-dev                  # command line
  nlohmann-json3-dev            # run.json
  libnetcdf-dev netcdf-bin      # per-run Monte Carlo results (mc --save-runs); ncdump
  libssl-dev                    # SHA-256 of input files (OpenSSL libcrypto)
  libceres-dev                  # calibration: bounded nonlinear least squares (Ceres)
  libeigen3-dev                 # linear algebra: identification, covariance, correlated draws
  libxlsxwriter-dev pkg-config  # results.xlsx (--xlsx): Excel workbooks with native charts
  libopenmpi-dev openmpi-bin    # MPI ensembles (mc under mpirun); optional for the build, tested
  pybind11-dev python3-dev      # the Python module hwfsim (pybind11), built for Debian's python3
  python3-pandas                # the Python module's DataFrames
  emscripten dpkg-dev           # the workshop page's model in WebAssembly; dpkg-source unpacks the
                                # yaml-cpp and mbed TLS sources it compiles (fetch-wasm-sources.sh)
)
if $tests; then
  packages+=(
    catch2                        # unit and property tests
    python3-netcdf4               # Python's netCDF4, which reads runs.nc in a test
    python3-openpyxl              # Python's openpyxl, which reads results.xlsx in a test
    python3-pytest                # the Python module's tests, run by CTest
    python3-xarray                # the Python module's runs as an xarray.Dataset, in its tests
    python3-jsonschema            # a JSON Schema validator: docs/schema/ against the shipped YAML
    python3-yaml                  # reads the YAML files for that validation test
    clang libclang-rt-14-dev      # the loader fuzzer (libFuzzer), `fuzz` preset
    chromium fonts-dejavu-core    # report.html's browser test (headless), with a font for its text
  )
fi
# Node.js and npm: `npm ci` of the report's chart libraries (below) and the browser test's
# driver. Any Node.js 18 or later does; Debian's packages only when npm is not already on PATH.
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The report's JavaScript, at the exact versions of outputs/report/package-lock.json (npm
# registry): again when node_modules is missing or older than the lock file, or, with --tests,
# lacks the browser test's driver (playwright-core, a development dependency).
install_report_modules() {
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../outputs/report" && pwd)
  if [[ -d $dir/node_modules && ! $dir/package-lock.json -nt $dir/node_modules ]] &&
    { ! $tests || [[ -f $dir/node_modules/playwright-core/package.json ]]; }; then
    echo "install-deps: outputs/report/node_modules is up to date"
    return
  fi
  if $tests; then
    echo "install-deps: npm ci in outputs/report"
    (cd "$dir" && npm ci --no-audit --no-fund)
  else
    echo "install-deps: npm ci --omit=dev in outputs/report (the chart libraries)"
    (cd "$dir" && npm ci --omit=dev --no-audit --no-fund)
  fi
  touch "$dir/node_modules"  # newer than the lock file from now on
}

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all $($tests && echo "build and test" || echo build) packages are installed"
  install_report_modules
  "$(dirname "${BASH_SOURCE[0]}")/fetch-wasm-sources.sh"
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
install_report_modules
"$(dirname "${BASH_SOURCE[0]}")/fetch-wasm-sources.sh"
