"""The JSON Schemas of docs/schema/ against the YAML files, with a validator from Debian
(python3-jsonschema, python3-yaml): every shipped model dataset and scenario validates, and
bad-input files that are wrong in their structure fail at the expected place.

Usage: json_schema_check.py (from the source root). Prints one line per check; exit 1 on a
failure.
"""

import glob
import json
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where `1e6` and `1.0e6` are strings and `2020:` an integer key;
    hwfsim (yaml-cpp) and editors read YAML 1.2, where the first two are numbers."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def as_json(node):
    """The YAML document as JSON sees it: mapping keys are text, as in a YAML editor."""
    if isinstance(node, dict):
        return {str(k): as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_json(v) for v in node]
    return node


def load(path):
    with open(path, encoding="utf-8") as f:
        return as_json(yaml.load(f, Loader=Yaml12Loader))


def validator(name):
    with open(f"docs/schema/{name}.schema.json", encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def all_errors(errors):
    """Every error with those under anyOf and if/then, each with its path in the document."""
    for e in errors:
        yield e
        yield from all_errors(e.context)


def where(e):
    return "/".join(str(p) for p in e.absolute_path)


validators = {"model": validator("model"), "scenario": validator("scenario")}
passed = failed = 0


def report(ok, text):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + text)
    if ok:
        passed += 1
    else:
        failed += 1


# Every shipped YAML file: a scenario has `scenario:`, a model dataset `start_year:`; observed
# counts (`observed:`) and published projections (`published:`) are two more kinds, which the
# schemas do not cover.
counts = {"model": 0, "scenario": 0}
for path in sorted(
    glob.glob("models/**/*.yaml", recursive=True)
    + glob.glob("scenarios/**/*.yaml", recursive=True)
    + glob.glob("tests/data/good/**/*.yaml", recursive=True)
):
    doc = load(path)
    kind = "scenario" if "scenario" in doc else "model" if "start_year" in doc else None
    if kind is None:
        report(
            "observed" in doc or "published" in doc,
            f"{path}: observed counts or published projections, not a model dataset or scenario",
        )
        continue
    errors = sorted(validators[kind].iter_errors(doc), key=lambda e: list(e.absolute_path))
    report(not errors, f"{path} validates as a {kind}")
    for e in errors[:5]:
        print(f"     at {where(e) or '(top)'}: {e.message[:300]}")
    counts[kind] += 1
report(
    counts["model"] >= 9 and counts["scenario"] >= 23,
    f"{counts['model']} model datasets and {counts['scenario']} scenarios checked",
)

# Bad input wrong in its structure (unknown key, wrong type, out of range, bad choice): the
# schema refuses it at the key the loader names (tests/data/bad/*.yaml, `# expect:`).
bad = [
    ("model_unknown_key", "countries/AAA/cadres/nurses", "'exit_rat' was unexpected"),
    ("model_bad_flag", "countries/AAA/cadres/nurses/seats/flag", "'guessed' is not one of"),
    ("model_rate_above_one", "countries/AAA/cadres/nurses/exit_rate",
     "1.5 is greater than the maximum of 1"),
    ("model_bad_iso3", "countries", "'Analytica' does not match any of the regexes"),
    ("model_quoted_number", "countries/AAA/cadres/nurses/seats",
     "'500' is not of type 'number'"),
    ("model_wrong_type", "countries/AAA/cadres/nurses/workforce",
     "'lots' is not of type 'number'"),
    ("scenario_unknown_method", "solver/method", "'rk5' is not one of"),
    ("scenario_mc_unknown_sampling", "uncertainty/sampling", "'sobel' is not one of"),
    ("scenario_mc_unknown_dist",
     "uncertainty/parameters/countries.AAA.cadres.nurses.exit_rate/dist",
     "'pret' is not one of"),
    ("scenario_policy_unknown_key", "policies/0", "'quoat' was unexpected"),
    ("scenario_policy_wrong_key_for_type", "policies/0", "'countries' was unexpected"),
    ("scenario_unknown_output_table", "output/tables/0", "'indicator' is not one of"),
    ("scenario_discount_rate_range", "discount_rate", "0.9 is greater than the maximum of 0.5"),
]
for name, path, message in bad:
    kind = "scenario" if name.startswith("scenario") else "model"
    errors = list(all_errors(validators[kind].iter_errors(load(f"tests/data/bad/{name}.yaml"))))
    found = any(where(e) == path and message in e.message for e in errors)
    report(found, f"tests/data/bad/{name}.yaml fails at {path}: {message}")
    if not found:
        for e in errors[:8]:
            print(f"     at {where(e) or '(top)'}: {e.message[:200]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
