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

# Age bands (docs/model.md, 15.7): the stocks by band over an age_group dimension, whose mean
# over the runs is age_quantiles.csv's.
ages=tests/data/good/scenario_ages_uncertainty.yaml
expect "mc --save-runs with age bands" 0 "Monte Carlo ages-uncertainty" -- \
  "$hwfsim" mc $ages --save-runs -o "$tmp/ages"
check "runs.nc holds the stocks by age band, their groups' labels and the csv's means" "$python" -c "
import csv, math, netCDF4
d = netCDF4.Dataset('$tmp/ages/runs.nc')
d.set_auto_mask(False)
v = d['age_supply']
assert v.dimensions == ('scenario', 'run', 'year', 'age_group'), v.dimensions
groups = [str(x) for x in d['age_group'][:]]
assert groups[9] == 'GBR nurses 56-66', groups
assert [str(x) for x in d['age_band'][:5]] == ['21-31', '31-41', '41-51', '51-56', '56-66']
assert str(d['age_group_country'][9]) == 'GBR' and str(d['age_group_cadre'][9]) == 'nurses'
assert v.units == '1' and 'long_name' in v.ncattrs()
years = list(d['year'][:])
rows = {(r['year'], r['country'], r['age_band'], r['indicator']): float(r['mean'])
        for r in csv.DictReader(open('$tmp/ages/age_quantiles.csv'))}
for y in (2025, 2035):
    for g, (c, band) in ((9, ('GBR', '56-66')), (0, ('GHA', '21-31'))):
        mean = float(v[0, :, years.index(y), g].mean())
        want = rows[(str(y), c, band, 'supply')]
        assert math.isclose(mean, want, rel_tol=1e-12), (y, c, band, mean, want)
u = d['age_unemployed'][0, :, years.index(2030), :]
assert all(math.isnan(x) for x in u[:, 9]) and not any(math.isnan(x) for x in u[:, 0]), 'unemployed only in Ghana'
"

finish
