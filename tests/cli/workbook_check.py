"""results.xlsx as a planner opens it (openpyxl, and the charts' XML read from the zip): every
table sheet equals its CSV file, cell by cell, with the number format of its unit; the key
figures equal indicators.csv; each chart draws the columns it names.
Usage: workbook_check.py RESULTS_FOLDER   (prints `ok ...` per check; exit 1 on a failure)."""
import csv
import re
import sys
import zipfile
from pathlib import Path

import openpyxl

folder = Path(sys.argv[1])
book_path = folder / "results.xlsx"
book = openpyxl.load_workbook(book_path)
failures = 0


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


def same_number(a, b):
    return a == b or abs(a - b) <= 1e-15 * max(abs(a), abs(b))


tables = [p.name for p in sorted(folder.glob("*.csv"))]
expected = ["Key figures", "Charts"] + [t for t in ("indicators.csv", "corridors.csv", "ages.csv")
                                        if t in tables] + ["Chart data"]
expected = [e.removesuffix(".csv") for e in expected]
check("the sheets, in order", book.sheetnames == expected, f"{book.sheetnames} != {expected}")

# Every table sheet is its CSV file, numbers as numbers.
formats = {"supply": "#,##0", "density_per_10k": "#,##0.0", "training_cost": '"$"#,##0',
           "unemployment_rate": "0.0%"}
for name in tables:
    if name.removesuffix(".csv") not in book.sheetnames:
        continue
    ws = book[name.removesuffix(".csv")]
    rows = read_csv(name)
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    check(f"{name}: as many rows", len(cells) == len(rows), f"{len(cells)} != {len(rows)}")
    check(f"{name}: the header", [str(v) for v in cells[0]] == rows[0])
    header = rows[0]
    value = header.index("value")
    year = header.index("year")
    indicator = header.index("indicator")
    bad = 0
    for r, (row, got) in enumerate(zip(rows[1:], cells[1:]), start=2):
        for c, (text, v) in enumerate(zip(row, got)):
            if c in (value, year):
                if not isinstance(v, (int, float)) or not same_number(float(text), float(v)):
                    bad += 1
            elif str(v) != text:
                bad += 1
    check(f"{name}: every cell equals the CSV's (numbers as numbers)", bad == 0, f"{bad} differ")
    check(f"{name}: the header is frozen", ws.freeze_panes == "A2", str(ws.freeze_panes))
    check(f"{name}: a filter on the header", ws.auto_filter.ref is not None and
          ws.auto_filter.ref.startswith("A1:"), str(ws.auto_filter.ref))
    seen = {}
    for row in ws.iter_rows(min_row=2):
        key = row[indicator].value
        if key in formats and key not in seen:
            seen[key] = row[value].number_format
    for key, fmt in seen.items():
        check(f"{name}: {key} is formatted {fmt!r}", fmt == formats[key])
    if name == "indicators.csv":
        check("indicators.csv: the year column is a plain year",
              ws.cell(row=2, column=year + 1).number_format == "0")

# The key figures are indicators.csv's supply, density and shortage, all cadres.
indicators = read_csv("indicators.csv")
h = indicators[0]
lookup = {(r[h.index("year")], r[h.index("country")], r[h.index("cadre")], r[h.index("indicator")]):
          float(r[h.index("value")]) for r in indicators[1:]}
years = sorted({r[h.index("year")] for r in indicators[1:]}, key=float)
ws = book["Key figures"]
header = [c.value for c in ws[1]]
check("Key figures: the columns", header == ["country"] + [
    f"{label} {y}" for label in ("supply", "density per 10,000", "shortage")
    for y in (years[0], years[-1])], str(header))
bad = 0
for row in ws.iter_rows(min_row=2, values_only=True):
    country = row[0]
    for i, name in enumerate(("supply", "density_per_10k", "shortage")):
        for j, y in enumerate((years[0], years[-1])):
            if not same_number(row[1 + 2 * i + j], lookup[(y, country, "all", name)]):
                bad += 1
check(f"Key figures: {ws.max_row - 1} countries' figures equal indicators.csv", bad == 0,
      f"{bad} differ")

# The charts: per country, density against the threshold and supply, drawn from Chart data.
data = book["Chart data"]
data_header = [c.value for c in data[1]]
countries = [r[0] for r in book["Key figures"].iter_rows(min_row=2, values_only=True)]
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
    letters = m.group(1)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1, int(m.group(2))


bad = 0
for c, country in enumerate(countries):
    density, supply = xml[2 * c], xml[2 * c + 1]
    refs_d = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", density)
    refs_s = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", supply)
    cols_d = [column_of(r)[0] for r in refs_d]
    cols_s = [column_of(r)[0] for r in refs_s]
    want_d = [data_header.index(f"{country} density per 10,000"),
              data_header.index("SDG index threshold 44.5")]
    want_s = [data_header.index(f"{country} supply")]
    if cols_d != want_d or cols_s != want_s or column_of(refs_d[0])[1] != data.max_row:
        bad += 1
        print(f"  {country}: density {refs_d}, supply {refs_s}")
check("each country's charts draw its density, the threshold and its supply, every year",
      bad == 0)
check("the threshold column holds 44.5 in every year",
      all(r[-1] == 44.5 for r in data.iter_rows(min_row=2, values_only=True)))
sys.exit(1 if failures else 0)
