#!/usr/bin/env bash
# runs.nc as Python users read it (netCDF4): CF attributes, country and corridor values against
# the quantiles hwfsim wrote, and the sampled inputs against samples.csv.
# Usage: runs_netcdf_test.sh /path/to/hwfsim /path/to/python3   (from the source root, as ctest)
set -u
hwfsim=$(realpath "$1")
python=$2
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

expect "mc --compare --save-runs writes runs.nc" 0 "and 1 compared" -- \
  "$hwfsim" mc --compare scenarios/two-countries-baseline-uncertainty.yaml scenarios/two-countries-uncertainty.yaml \
  --samples 40 --save-runs -o "$tmp/mc"
if out=$("$python" "$(dirname "${BASH_SOURCE[0]}")/runs_netcdf_check.py" "$tmp/mc" 2>&1); then
  ok "runs.nc read with netCDF4 matches quantiles.csv, corridor_quantiles.csv and samples.csv"
else
  bad "runs.nc read with netCDF4 matches quantiles.csv, corridor_quantiles.csv and samples.csv"
fi
echo "$out" | grep -v '^ok ' | head -30
echo "$out" | grep -c '^ok ' | sed 's/^/  python checks passed: /'

expect "mc without -q still writes runs.nc for one scenario" 0 "Monte Carlo two-countries-uncertainty" -- \
  "$hwfsim" mc scenarios/two-countries-uncertainty.yaml --samples 20 --save-runs \
  --save-indicators "supply, corridor_emigration" -o "$tmp/one"
check "--save-indicators keeps the chosen country and corridor indicators only" bash -c "
  '$python' -c \"import netCDF4; d = netCDF4.Dataset('$tmp/one/runs.nc'); v = sorted(k for k in d.variables if d[k].dimensions[:2] == ('scenario', 'run')); assert v == ['corridor_emigration', 'supply'], v\""

finish
