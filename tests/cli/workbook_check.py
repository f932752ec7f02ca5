"""results.xlsx as a planner opens it (openpyxl, and the charts' XML read from the zip), for a
results folder of `run`, `compare` or `mc` (told apart by their CSV files): every table sheet
equals its CSV file, cell by cell, with the number format of its unit; the key figures equal
the CSV files' values; every column of Chart data equals the CSV values it draws; each chart
draws the columns it should, with the look it should (a dashed threshold, dotted quantiles).
Usage: workbook_check.py RESULTS_FOLDER [CADRE]   (CADRE: the `--cadre` of a comparison; prints
`ok ...` per check; exit 1 on a failure)."""
import csv
import math
import re
import sys
import zipfile
from pathlib import Path

import openpyxl

folder = Path(sys.argv[1])
cadre = sys.argv[2] if len(sys.argv) > 2 else None
book_path = folder / "results.xlsx"
book = openpyxl.load_workbook(book_path)
failures = 0
THRESHOLD = 44.5


def check(name, condition, detail=""):
    global failures
    if condition:
        print(f"ok {name}")
    else:
        failures += 1
        print(f"FAIL {name} {detail}")


def read_csv(name):
    with open(folder / name, newline="") as f:
        return list(csv.reader(f))


def records(name):
    rows = read_csv(name)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def same_number(a, b):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) and math.isnan(b):
        return True
    return a == b or abs(a - b) <= 1e-15 * max(abs(a), abs(b))


def number(text):
    """A CSV cell as the workbook should hold it: a number, or None when empty."""
    return float(text) if text != "" else None


files = {p.name for p in folder.glob("*.csv")}
if "summary.csv" in files:
    kind = "compare"
    order = ["indicators", "corridors", "deltas", "corridor_deltas", "ages", "age_deltas",
             "summary", "corridor_summary"]
elif "quantiles.csv" in files:
    kind = "mc"
    order = ["quantiles", "corridor_quantiles", "age_quantiles", "difference_quantiles",
             "corridor_difference_quantiles", "age_difference_quantiles", "probabilities",
             "samples"]
else:
    kind = "run"
    order = ["indicators", "corridors", "ages"]
tables = [t for t in order if f"{t}.csv" in files]
expected = ["Key figures", "Charts"] + tables + ["Chart data"]
check(f"{kind}: the sheets, in order", book.sheetnames == expected,
      f"{book.sheetnames} != {expected}")

# Every table sheet is its CSV file, numbers as numbers.
NUMERIC = {"year", "value", "baseline", "delta", "mean", "sd", "p05", "p25", "p50", "p75", "p95",
           "run"}
formats = {"supply": "#,##0", "density_per_10k": "#,##0.0", "training_cost": '"$"#,##0',
           "unemployment_rate": "0.0%", "policy_cost_cumulative": '"$"#,##0'}
for name in tables:
    ws = book[name]
    rows = read_csv(f"{name}.csv")
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    check(f"{name}: as many rows", len(cells) == len(rows), f"{len(cells)} != {len(rows)}")
    check(f"{name}: the header", [str(v) for v in cells[0]] == rows[0])
    header = rows[0]
    # samples.csv: every column after `run` is a parameter's value
    numeric = [h in NUMERIC or name == "samples" for h in header]
    bad = 0
    for row, got in zip(rows[1:], cells[1:]):
        for c, (text, v) in enumerate(zip(row, got)):
            if numeric[c]:
                if text == "":
                    bad += v is not None
                elif not isinstance(v, (int, float)) or not same_number(float(text), float(v)):
                    bad += 1
            elif str(v) != text:
                bad += 1
    check(f"{name}: every cell equals the CSV's (numbers as numbers)", bad == 0, f"{bad} differ")
    check(f"{name}: the header is frozen", ws.freeze_panes == "A2", str(ws.freeze_panes))
    check(f"{name}: a filter on the header", ws.auto_filter.ref is not None and
          ws.auto_filter.ref.startswith("A1:"), str(ws.auto_filter.ref))
    if "indicator" in header:
        indicator = header.index("indicator")
        value = header.index("p50" if "p50" in header else "value")
        seen = {}
        for row in ws.iter_rows(min_row=2):
            key = row[indicator].value
            if key in formats and key not in seen:
                seen[key] = row[value].number_format
        for key, fmt in seen.items():
            check(f"{name}: {key} is formatted {fmt!r}", fmt == formats[key])
    if "year" in header:
        check(f"{name}: the year column is a plain year",
              ws.cell(row=2, column=header.index("year") + 1).number_format == "0")

# The key figures, each against the CSV value it shows.
ws = book["Key figures"]
title = ws.cell(row=1, column=1).value
key_header = [c.value for c in ws[2]]
key_rows = list(ws.iter_rows(min_row=3, values_only=True))
last_year = max({r["year"] for r in records(tables[0] + ".csv")}, key=float)
check("Key figures: a title row says what they are and of which year",
      isinstance(title, str) and str(int(float(last_year))) in title
      and ws.freeze_panes == "A3", f"{title!r}, panes {ws.freeze_panes}")
bad = 0
if kind == "run":
    h = records("indicators.csv")
    lookup = {(r["year"], r["country"], r["cadre"], r["indicator"]): float(r["value"]) for r in h}
    years = sorted({r["year"] for r in h}, key=float)
    check("Key figures: the columns", key_header == ["country"] + [
        f"{label} {y}" for label in ("supply", "density per 10,000", "shortage")
        for y in (years[0], years[-1])], str(key_header))
    for row in key_rows:
        for i, name in enumerate(("supply", "density_per_10k", "shortage")):
            for j, y in enumerate((years[0], years[-1])):
                bad += not same_number(row[1 + 2 * i + j], lookup[(y, row[0], "all", name)])
    countries = [r[0] for r in key_rows]
elif kind == "compare" and cadre:
    values = {(r["scenario"], r["year"], r["country"], r["indicator"]): number(r["value"])
              for r in records("indicators.csv") if r["cadre"] == cadre}
    columns = {"Supply": "supply", "Density": "density_per_10k", "Shortage": "shortage",
               "Emigration per year": "emigration", "Immigration": "immigration",
               "Returns": "returns"}
    check(f"Key figures: the columns of {cadre}",
          key_header == ["scenario", "country", "year"] + list(columns), str(key_header))
    for row in key_rows:
        for c, name in enumerate(columns.values(), start=3):
            bad += not same_number(row[c], values.get((row[0], str(row[2]), row[1], name)))
    countries = list(dict.fromkeys(r[1] for r in key_rows))
    scenarios = list(dict.fromkeys(r[0] for r in key_rows))
elif kind == "compare":
    summary = {(r["scenario"], r["year"], r["country"], r["indicator"]): number(r["value"])
               for r in records("summary.csv")}
    columns = {"Supply": "supply", "Density": "density_per_10k",
               "SDG density per 10,000": "sdg_density", "Shortage": "shortage",
               "Net migration per year": "net_migration",
               "Policy cost, cumulative (USD)": "policy_cost_cumulative",
               "USD per additional worker-year": "cost_per_additional_worker_year"}
    check("Key figures: the columns",
          key_header == ["scenario", "country", "year"] + list(columns), str(key_header))
    for row in key_rows:
        year = str(row[2])
        for c, name in enumerate(columns.values(), start=3):
            # the CSV leaves out what is not defined (no additional worker-years)
            bad += not same_number(row[c], summary.get((row[0], year, row[1], name)))
    countries = list(dict.fromkeys(r[1] for r in key_rows))
    scenarios = list(dict.fromkeys(r[0] for r in key_rows))
else:
    quantiles = {(r["scenario"], r["year"], r["country"], r["cadre"], r["indicator"]): r
                 for r in records("quantiles.csv")}
    chance = {(r["scenario"], r["year"], r["country"]): float(r["value"])
              for r in records("probabilities.csv")
              if r["probability"] == f"sdg_density_at_least_{THRESHOLD}"}
    last = max({k[1] for k in quantiles}, key=float)
    wanted = ["scenario", "country"] + [f"{i} {q}" for i in ("supply", "density", "shortage")
                                        for q in ("p05", "p50", "p95")]
    wanted.append(f"P(SDG density \u2265 {THRESHOLD})")
    check("Key figures: the columns", key_header == wanted, str(key_header))
    for row in key_rows:
        c = 2
        for name in ("supply", "density_per_10k", "shortage"):
            for q in ("p05", "p50", "p95"):
                bad += not same_number(row[c], number(quantiles[(row[0], last, row[1], "all",
                                                                 name)][q]))
                c += 1
        bad += not same_number(row[c], chance[(row[0], last, row[1])])
    countries = list(dict.fromkeys(r[1] for r in key_rows))
    scenarios = list(dict.fromkeys(r[0] for r in key_rows))
check(f"Key figures: {len(key_rows)} rows equal the CSV values they show", bad == 0 and key_rows,
      f"{bad} differ")

# Chart data: every column equals the CSV values it draws, in every year the CSV holds.
data = book["Chart data"]
data_header = [c.value for c in data[1]]
data_rows = list(data.iter_rows(min_row=2, values_only=True))
source = {}
if kind in ("run", "compare"):
    for r in records("indicators.csv"):
        if r["cadre"] == "all" and r["indicator"] in ("supply", "density_per_10k"):
            label = "supply" if r["indicator"] == "supply" else "density per 10,000"
            column = f"{r['country']} {label}" + (f": {r['scenario']}" if kind == "compare" else "")
            source[(column, float(r["year"]))] = number(r["value"])
else:
    for r in quantiles.values():
        if r["cadre"] == "all" and r["indicator"] in ("supply", "density_per_10k"):
            label = "supply" if r["indicator"] == "supply" else "density per 10,000"
            for q in ("p05", "p50", "p95"):
                column = f"{r['country']} {label} {q}" + (
                    f": {r['scenario']}" if len(scenarios) > 1 else "")
                source[(column, float(r["year"]))] = number(r[q])
compared = bad = 0
for c, column in enumerate(data_header[1:-1], start=1):
    for row in data_rows:
        key = (column, float(row[0]))
        if key in source:
            compared += 1
            bad += not same_number(row[c], source[key])
check(f"Chart data: {compared} values equal the CSVs'",
      bad == 0 and compared >= len(data_header[1:-1]), f"{bad} differ")
check("Chart data: the threshold column holds 44.5 in every year",
      data_header[-1] == f"SDG index threshold {THRESHOLD}" and
      all(r[-1] == THRESHOLD for r in data_rows))

# The charts: per country, density against the threshold and supply, drawn from Chart data.
with zipfile.ZipFile(book_path) as z:
    charts = sorted((n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)),
                    key=lambda n: int(re.search(r"(\d+)", n).group(1)))
    xml = [z.read(n).decode() for n in charts]
check(f"two charts per country ({len(countries)} countries)", len(xml) == 2 * len(countries),
      f"{len(xml)}")


def column_of(ref):
    m = re.match(r"'?Chart data'?!\$([A-Z]+)\$2:\$\1\$(\d+)$", ref)
    if not m:
        return None, None
    n = 0
    for ch in m.group(1):
        n = n * 26 + ord(ch) - 64
    return n - 1, int(m.group(2))


def lines(country, label):
    """The Chart data columns of a country's chart, in order, and each line's dash."""
    if kind == "run":
        return [f"{country} {label}"], [None]
    if kind == "compare":
        return [f"{country} {label}: {s}" for s in scenarios], [None] * len(scenarios)
    suffix = [f": {s}" if len(scenarios) > 1 else "" for s in scenarios]
    return ([f"{country} {label} {q}{x}" for x in suffix for q in ("p05", "p50", "p95")],
            ["sysDot", None, "sysDot"] * len(scenarios))


def series(chart):
    found = re.findall(r"<c:ser>(.*?)</c:ser>", chart, re.S)
    out = []
    for s in found:
        ref = re.search(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", s).group(1)
        dash = re.search(r'<a:prstDash val="([A-Za-z]+)"/>', s)
        out.append((column_of(ref), dash.group(1) if dash else None))
    return out


bad = 0
for c, country in enumerate(countries):
    for chart, label, threshold in ((xml[2 * c], "density per 10,000", True),
                                    (xml[2 * c + 1], "supply", False)):
        names, dashes = lines(country, label)
        if threshold:
            names, dashes = names + [f"SDG index threshold {THRESHOLD}"], dashes + ["dash"]
        want = [((data_header.index(n), data.max_row), d) for n, d in zip(names, dashes)]
        got = series(chart)
        if got != want:
            bad += 1
            print(f"  {country} {label}: {got} != {want}")
check(f"each country's charts draw its {'quantiles' if kind == 'mc' else 'lines'} "
      "and the threshold, every year, with their dashes", bad == 0)
sys.exit(1 if failures else 0)
