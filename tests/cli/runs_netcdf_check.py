"""Reads an mc results folder's runs.nc with netCDF4, as a Python user would, and checks it
against the folder's quantiles.csv, corridor_quantiles.csv and samples.csv.
Usage: runs_netcdf_check.py FOLDER   (prints one line per check; exit 1 if any fails)"""
import csv
import math
import sys

import netCDF4
import numpy

folder = sys.argv[1]
failed = 0


def check(name, condition, detail=""):
    global failed
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + detail))
    if not condition:
        failed += 1


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


ds = netCDF4.Dataset(folder + "/runs.nc")
ds.set_auto_mask(False)
names = lambda var: [str(x) for x in ds[var][:]]
scenarios, countries, cadres, years = names("scenario"), names("country"), names("cadre"), list(ds["year"][:])

# CF: the conventions, and units and long_name on every variable of values.
check("runs.nc says it follows CF-1.8", ds.getncattr("Conventions") == "CF-1.8")
for var in ("supply", "shortage", "density_per_10k", "corridor_emigration", "corridor_migrant_stock"):
    v = ds[var]
    check(var + " has units and long_name", "units" in v.ncattrs() and "long_name" in v.ncattrs(),
          str(v.ncattrs()))
check("supply counts workers (units 1)", ds["supply"].units == "1" and "supply" in ds["supply"].long_name)
check("emigration is a yearly flow (units year-1)", ds["emigration"].units == "year-1")
check("investment_lost is in USD a year", ds["investment_lost"].units == "USD year-1")
check("density is per 10,000 people (units 1e-4)", ds["density_per_10k"].units == "1e-4")

# Country values: the median and the 5th percentile over the runs are quantiles.csv's.
quantiles = {}
with open(folder + "/quantiles.csv") as f:
    for row in csv.DictReader(f):
        quantiles[(row["scenario"], int(row["year"]), row["country"], row["cadre"], row["indicator"])] = row
checked = 0
for s, scenario in enumerate(scenarios):
    for country in ("GHA", "GBR"):
        for year in (2030, 2045):
            for indicator in ("supply", "shortage", "emigration"):
                values = ds[indicator][s, :, years.index(year), countries.index(country), cadres.index("all")]
                row = quantiles[(scenario, year, country, "all", indicator)]
                got = (numpy.quantile(values, 0.5), numpy.quantile(values, 0.05), values.mean())
                want = (float(row["p50"]), float(row["p05"]), float(row["mean"]))
                check(f"{scenario} {country} {year} {indicator}: runs.nc's p50, p05 and mean are quantiles.csv's",
                      all(close(a, b) for a, b in zip(got, want)), f"{got} != {want}")
                checked += 1
check("country values compared", checked == 12 * len(scenarios))

# Corridor values, over (scenario, run, year, corridor), against corridor_quantiles.csv.
origins, destinations, corridor_cadres = names("origin"), names("destination"), names("corridor_cadre")
check("the corridor is GHA to GBR, nurses",
      list(zip(origins, destinations, corridor_cadres)) == [("GHA", "GBR", "nurses")],
      str(list(zip(origins, destinations, corridor_cadres))))
check("the corridor's label", names("corridor") == ["GHA-GBR nurses"], str(names("corridor")))
with open(folder + "/corridor_quantiles.csv") as f:
    corridor = {(r["scenario"], int(r["year"]), r["origin"], r["destination"], r["cadre"], r["indicator"]): r
                for r in csv.DictReader(f)}
for s, scenario in enumerate(scenarios):
    for indicator in ("emigration", "migrant_stock", "investment_lost"):
        values = ds["corridor_" + indicator][s, :, years.index(2040), 0]
        row = corridor[(scenario, 2040, "GHA", "GBR", "nurses", indicator)]
        check(f"{scenario} corridor {indicator} 2040: runs.nc's p95 and median are corridor_quantiles.csv's",
              close(numpy.quantile(values, 0.95), float(row["p95"])) and
              close(numpy.quantile(values, 0.5), float(row["p50"])),
              f"{numpy.quantile(values, 0.95)} != {row['p95']}")

# The sampled inputs: (run, input), named as samples.csv's columns, with its values.
with open(folder + "/samples.csv") as f:
    reader = csv.reader(f)
    header = next(reader)
    samples = [[float(x) for x in row[1:]] for row in reader]
inputs = names("input")
check("the inputs are samples.csv's columns", inputs == header[1:], f"{inputs} != {header[1:]}")
sampled = ds["sampled_value"][:]
check("sampled_value is (run, input)", ds["sampled_value"].dimensions == ("run", "input") and
      sampled.shape == (len(samples), len(inputs)), str(sampled.shape))
check("sampled_value holds samples.csv's values",
      all(close(sampled[r, i], samples[r][i]) for r in range(len(samples)) for i in range(len(inputs))))
check("the inputs vary from run to run", all(len(set(sampled[:, i])) > 1 for i in range(len(inputs))))

print(f"{failed} failed")
sys.exit(1 if failed else 0)
