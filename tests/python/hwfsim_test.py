"""The Python module hwfsim against the command line (docs/python.md).

Run by CTest (test python_module) with Debian's python3 -m pytest: PYTHONPATH holds the built
package and HWF_CLI the built command line, which runs on the same scenarios, seeds and samples
into temporary folders; its CSV files, read with pandas as a user reads them, must equal the
module's DataFrames exactly, and its bytes the module's CSV text.
"""

import doctest
import os
import pathlib
import re
import signal
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

import hwfsim

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ["HWF_CLI"]
SMALL = str(ROOT / "scenarios/two-countries.yaml")
POLICIES = str(ROOT / "scenarios/two-countries-policies.yaml")
UNCERTAIN = str(ROOT / "scenarios/two-countries-uncertainty.yaml")
BASELINE_UNCERTAIN = str(ROOT / "scenarios/two-countries-baseline-uncertainty.yaml")
EXIT_RATE = "countries.GHA.cadres.nurses.exit_rate"
POPULATION = "countries.GHA.population"


def cli(folder, *args):
    """Runs the command line into `folder`; returns the folder."""
    done = subprocess.run([CLI, *args, "-o", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder


def same_as_file(tables, stem, folder):
    """The module's table `stem` equals the command line's file: bytes, and the DataFrame read
    as pandas reads the file. Returns how many numbers were compared."""
    path = folder / f"{stem}.csv"
    assert tables.csv[stem] == path.read_text(), f"{stem}.csv differs from the module's text"
    expected = pd.read_csv(path, float_precision="round_trip")
    got = getattr(tables, stem)
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    numbers = expected.select_dtypes("number")
    # Exact equality, NaN where the file leaves a cell empty: count what differs.
    differ = ~((got[numbers.columns] == numbers) | (got[numbers.columns].isna() & numbers.isna()))
    assert int(differ.to_numpy().sum()) == 0
    return numbers.size


def test_run_equals_the_command_line(tmp_path):
    r = hwfsim.load(POLICIES).run()
    out = cli(tmp_path / "run", "run", POLICIES)
    assert r.names == ["indicators", "corridors"]
    n = sum(same_as_file(r, stem, out) for stem in r.names)
    assert n > 1000
    assert list(r.indicators.columns[:2]) == ["scenario", "year"]


def test_the_module_is_the_command_lines_build():
    done = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"hwfsim {hwfsim.__version__} ({hwfsim.commit})"


def test_params_equal_the_command_line():
    s = hwfsim.load(SMALL)
    done = subprocess.run([CLI, "params", "--csv", SMALL], capture_output=True, text=True,
                          check=True)
    expected = pd.read_csv(pd.io.common.StringIO(done.stdout), float_precision="round_trip")
    pd.testing.assert_frame_equal(s.params(), expected, check_exact=True)
    rates = s.params("exit_rate")
    assert list(rates.path) == [EXIT_RATE, "countries.GBR.cadres.nurses.exit_rate"]
    assert list(rates.columns) == ["path", "value", "unit", "range", "source", "flag", "note",
                                   "set_at"]


def test_compare_equals_the_command_line(tmp_path):
    c = hwfsim.load(SMALL).compare(POLICIES, years=[2030, 2045])
    out = cli(tmp_path / "compare", "compare", SMALL, POLICIES, "--years", "2030,2045")
    assert c.names == ["indicators", "corridors", "deltas", "corridor_deltas", "summary",
                       "corridor_summary"]
    for stem in c.names:
        same_as_file(c, stem, out)
    assert sorted(set(c.summary.year)) == [2030, 2045]
    assert c.deltas.equals(hwfsim.compare([SMALL, POLICIES], years=[2030, 2045]).deltas)


def test_published_projections_equal_the_command_line(tmp_path):
    flagship = str(ROOT / "scenarios/flagship.yaml")
    plan = str(ROOT / "scenarios/world-uk-training-expansion.yaml")
    published = str(ROOT / "models/world/published.yaml")
    c = hwfsim.compare([flagship, plan], published=published)
    out = cli(tmp_path / "published", "compare", flagship, plan, "--published", published)
    assert c.names[-1] == "projections"
    same_as_file(c, "projections", out)
    p = c.projections.set_index("name")
    # The values a reader of docs/validation.md's published projections acts on: the verdicts, as written for.
    assert (p.verdict == p.expected).all(), p[["verdict", "expected"]]
    assert p.loc["asamani-2024-afro-need", "verdict"] == "agree"
    assert p.loc["boniol-2022-stock", "model_change"] < p.loc["boniol-2022-stock",
                                                               "published_change_low"]
    with pytest.raises(TypeError, match="argument published: error: expected the path of a YAML file"):
        hwfsim.compare([flagship, plan], published=3)


def test_mc_quantiles_equal_the_command_line_and_do_not_depend_on_threads(tmp_path):
    s = hwfsim.load(UNCERTAIN)
    q2 = s.mc(samples=40, threads=2)
    q1 = s.mc(samples=40, threads=1)
    out = cli(tmp_path / "mc", "mc", UNCERTAIN, "--samples", "40", "--threads", "2")
    numbers = 0
    for stem in ["quantiles", "corridor_quantiles", "probabilities", "samples"]:
        numbers += same_as_file(q2, stem, out)
        assert q1.csv[stem] == q2.csv[stem], f"{stem}: 1 thread differs from 2"
    assert numbers > 5000
    assert list(q2.quantiles.columns[-7:]) == ["mean", "sd", "p05", "p25", "p50", "p75", "p95"]
    assert q2.runs is None


def test_mc_compare_equals_the_command_line(tmp_path):
    q = hwfsim.load(BASELINE_UNCERTAIN).mc(samples=16, compare=[UNCERTAIN])
    out = cli(tmp_path / "mcc", "mc", "--compare", BASELINE_UNCERTAIN, UNCERTAIN, "--samples",
              "16")
    for stem in ["quantiles", "difference_quantiles", "corridor_difference_quantiles",
                 "probabilities"]:
        same_as_file(q, stem, out)


def test_mc_keeps_its_runs_as_an_xarray_dataset():
    q = hwfsim.load(UNCERTAIN).mc(samples=24, keep_runs=True)
    ds = q.runs
    supply = ds["supply"].sel(scenario="two-countries-uncertainty", country="GHA", cadre="nurses")
    assert supply.sizes["run"] == 24
    quantiles = q.quantiles
    row = quantiles[(quantiles.country == "GHA") & (quantiles.cadre == "nurses")
                    & (quantiles.indicator == "supply") & (quantiles.year == 2045)].iloc[0]
    runs = supply.sel(year=2045).to_numpy()
    # Type-7 quantiles and the mean, from the kept runs (summed in another order: to rounding).
    assert np.mean(runs) == pytest.approx(row["mean"], rel=1e-12)
    assert np.quantile(runs, 0.25) == pytest.approx(row["p25"], rel=1e-12)
    assert np.quantile(runs, 0.95) == pytest.approx(row["p95"], rel=1e-12)
    assert np.unique(runs).size == 24  # every run drew its own inputs


def test_sensitivity_indices_equal_the_command_line(tmp_path):
    s = hwfsim.load(UNCERTAIN)
    outputs = ["GHA.nurses.density_per_10k.2035", "GBR.nurses.supply.2045"]
    sobol = s.sensitivity(outputs=outputs, base_samples=16, bootstrap=50, threads=2)
    out = cli(tmp_path / "sobol", "sensitivity", UNCERTAIN, "--outputs", ",".join(outputs),
              "--base-samples", "16", "--bootstrap", "50", "--threads", "2")
    assert sobol.names == ["indices", "convergence", "outputs", "inputs"]
    for stem in sobol.names:
        same_as_file(sobol, stem, out)
    morris = s.sensitivity(method="morris", trajectories=6, outputs=outputs[:1])
    out = cli(tmp_path / "morris", "sensitivity", UNCERTAIN, "--method", "morris",
              "--trajectories", "6", "--outputs", outputs[0])
    for stem in morris.names:
        same_as_file(morris, stem, out)


def test_set_moves_the_value_it_names_and_only_that():
    s = hwfsim.load(SMALL)
    base = s.run().indicators
    doubled = s.run(set={POPULATION: 62.2e6}).indicators
    key = ["country", "cadre", "indicator", "year"]

    def at(frame, country, indicator, year):
        f = frame.set_index(key)
        return f.loc[(country, "nurses", indicator, year), "value"]

    # Twice the population at the start: the same nurses, half the density.
    assert at(doubled, "GHA", "supply", 2020) == at(base, "GHA", "supply", 2020)
    assert at(doubled, "GHA", "density_per_10k", 2020) == pytest.approx(
        at(base, "GHA", "density_per_10k", 2020) / 2, rel=1e-15)
    # The United Kingdom's start is untouched.
    gbr = ["GBR" == c for c in base.country]
    start = base.year == 2020
    assert base[start & gbr].equals(doubled[start & gbr])
    # The parameters of the loaded scenario are not changed by a run's set=.
    assert s.params(POPULATION).value.iloc[0] == 31.1e6


def test_set_equals_a_set_block_in_a_scenario_file(tmp_path):
    yaml = tmp_path / "slower-exits.yaml"
    yaml.write_text(f"format: 1\nscenario: two-countries-baseline\nextends: {SMALL}\n"
                    f"set:\n  {EXIT_RATE}: 0.025\n")
    from_python = hwfsim.load(SMALL).run(set={EXIT_RATE: 0.025})
    from_file = hwfsim.load(str(yaml)).run()
    assert from_python.csv == from_file.csv
    assert from_python.csv != hwfsim.load(SMALL).run().csv


def test_set_in_mc_sensitivity_and_compare_equals_a_set_block(tmp_path):
    gbr_exits = "countries.GBR.cadres.nurses.exit_rate"
    yaml = tmp_path / "gbr-exits.yaml"
    yaml.write_text(f"format: 1\nscenario: two-countries-uncertainty\nextends: {UNCERTAIN}\n"
                    f"set:\n  {gbr_exits}: 0.05\n")
    s = hwfsim.load(UNCERTAIN)
    q = s.mc(samples=12, set={gbr_exits: 0.05})
    out = cli(tmp_path / "mc", "mc", str(yaml), "--samples", "12")
    same_as_file(q, "quantiles", out)
    assert q.csv != s.mc(samples=12).csv
    outputs = ["GBR.nurses.supply.2035"]
    sens = s.sensitivity(outputs=outputs, base_samples=8, bootstrap=0, set={gbr_exits: 0.05})
    assert sens.csv == hwfsim.load(str(yaml)).sensitivity(outputs=outputs, base_samples=8,
                                                          bootstrap=0).csv
    # In a comparison, set= applies to every scenario: the baseline's rows move too.
    c = hwfsim.compare([SMALL, POLICIES], set={gbr_exits: 0.05})
    plain = hwfsim.compare([SMALL, POLICIES])
    base = c.indicators.scenario == "two-countries-baseline"
    policy = ~base
    assert not c.indicators[base].equals(plain.indicators[base])
    assert not c.indicators[policy].equals(plain.indicators[policy])
    with pytest.raises(hwfsim.InputError) as e:
        s.mc(samples=4, set={"countries.GBR.cadres.nurses.exit_rat": 0.05})
    assert e.value.file == "mc(set=...)"


def test_an_unknown_path_in_set_is_an_input_error_with_the_closest_path():
    with pytest.raises(hwfsim.InputError) as e:
        hwfsim.load(SMALL).run(set={EXIT_RATE: 0.03, "countries.GHA.cadres.nurses.exit_rat": 0.1})
    err = e.value
    assert isinstance(err, ValueError)
    assert err.suggestion == EXIT_RATE
    assert (err.file, err.line, err.key) == ("run(set=...)", 2, "set.countries.GHA.cadres.nurses"
                                             ".exit_rat")
    assert f"did you mean '{EXIT_RATE}'?" in str(err)
    assert str(err).startswith("run(set=...):2:")


def test_wrong_types_name_the_argument():
    s = hwfsim.load(UNCERTAIN)
    with pytest.raises(hwfsim.InputError) as e:
        s.run(set={EXIT_RATE: "abc"})
    assert e.value.key == f"set.{EXIT_RATE}"
    assert "abc" in str(e.value) and "number" in str(e.value)
    with pytest.raises(hwfsim.InputError) as e:
        s.run(set={EXIT_RATE: 3.0})  # a rate outside its range
    assert e.value.key == f"set.{EXIT_RATE}"
    with pytest.raises(hwfsim.InputError) as e:
        s.mc(samples=-1)
    assert str(e.value).startswith("argument samples: error: -1 is not a number of runs")
    with pytest.raises(TypeError) as e:
        s.mc(samples=8, threads="x")
    assert isinstance(e.value, hwfsim.InputError)
    assert str(e.value) == ('argument threads: error: expected a whole number of threads '
                            '(0: all cores), found the string "x"')
    with pytest.raises(hwfsim.ArgumentTypeError, match="argument set: error: expected a dict"):
        s.run(set=[EXIT_RATE, 0.03])
    with pytest.raises(hwfsim.InputError) as e:
        s.sensitivity(method="sobl")
    assert e.value.suggestion == "sobol"
    # The study's own check, its flag named as the keyword argument.
    with pytest.raises(hwfsim.InputError) as e:
        s.sensitivity(base_samples=12)
    assert e.value.file == "argument base_samples"
    assert "12 base samples are not a power of two" in str(e.value)
    assert e.value.suggestion == "base_samples=16"
    with pytest.raises(hwfsim.InputError) as e:
        s.sensitivity(outputs=["GHA.nurses.densty_per_10k.2035"])
    assert e.value.file == "argument outputs"
    with pytest.raises(hwfsim.InputError, match="argument years: error: '2019' is not a year"):
        hwfsim.compare([SMALL, POLICIES], years=[2019])
    with pytest.raises(hwfsim.ArgumentTypeError, match="argument years: error: expected a list"):
        hwfsim.compare([SMALL, POLICIES], years="2030")
    with pytest.raises(hwfsim.ArgumentTypeError, match="argument others: error: expected scen"):
        s.compare(3)
    with pytest.raises(hwfsim.ArgumentTypeError, match="argument compare: error: expected a sc"):
        s.mc(samples=4, compare=[SMALL, 3])


def test_a_missing_file_is_an_input_error_naming_it():
    with pytest.raises(hwfsim.InputError) as e:
        hwfsim.load("scenarios/no-such-scenario.yaml")
    assert e.value.file == "scenarios/no-such-scenario.yaml"
    assert "no-such-scenario.yaml" in str(e.value)


def test_a_bad_value_in_a_file_has_its_line_and_column_and_the_command_lines_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"format: 1\nscenario: bad\nextends: {SMALL}\nset:\n"
                   f"  {EXIT_RATE}: fast\n")
    with pytest.raises(hwfsim.InputError) as e:
        hwfsim.load(str(bad))
    err = e.value
    assert (err.file, err.line, err.column) == (str(bad), 5, len(EXIT_RATE) + 5)
    assert err.key == f"set.{EXIT_RATE}"
    done = subprocess.run([CLI, "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == str(err)


def test_a_failed_run_is_a_run_error_with_the_command_lines_message(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(f"format: 1\nscenario: big-target\nextends: {SMALL}\npolicies:\n"
                   "  - {name: big, type: agreement, origin: GHA, destination: GBR, "
                   "target_flow: 500000, start: 2025}\n"
                   "uncertainty: {samples: 4, sampling: random, seed: 1, parameters: "
                   "{countries.GHA.cadres.nurses.exit_rate: {dist: uniform, min: 0.02, "
                   "max: 0.04}}}\n")
    s = hwfsim.load(str(big))
    with pytest.raises(hwfsim.RunError) as e:
        s.run()
    assert isinstance(e.value, RuntimeError)
    done = subprocess.run([CLI, "run", str(big), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == str(e.value)
    assert "policies.big.target_flow = 500000" in str(e.value)
    # The command line's hint names --skip-failed; Python's, the keyword argument.
    with pytest.raises(hwfsim.RunError, match=r"\(skip_failed=True excludes failed runs"):
        s.mc()
    with pytest.raises(hwfsim.RunError, match="every run failed, so there are no statistics"):
        s.mc(skip_failed=True)


def test_the_gil_is_released_while_an_ensemble_runs():
    s = hwfsim.load(UNCERTAIN)
    counts = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counts[0] += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    before = counts[0]
    started = time.monotonic()
    s.mc(samples=400, threads=1)  # about 0.3 s
    seconds = time.monotonic() - started
    during = counts[0] - before
    stop.set()
    counter.join()
    # Held, the GIL would stop the counter for the whole ensemble (0 to 2 counts); released, it
    # counts about once a millisecond, less often on a loaded machine.
    assert during >= 20, f"{during} counts in {seconds:.2f} s"

    # Two ensembles at once in two Python threads: both finish, with the results of one alone.
    results = [None, None]

    def mc(i):
        results[i] = s.mc(samples=60, threads=1).csv

    threads = [threading.Thread(target=mc, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == results[1] == s.mc(samples=60, threads=2).csv


def test_the_examples_of_docs_python_md_print_what_it_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    pd.set_option("display.width", 100)
    pd.set_option("display.max_columns", 12)
    # The ```python blocks, one after the other, as one doctest.
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs/python.md").read_text(), re.S)
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "docs/python.md",
                                               "docs/python.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.tries > 20
    assert runner.failures == 0


@pytest.mark.parametrize("study", ["mc", "sensitivity"])
def test_ctrl_c_stops_an_ensemble_on_the_main_thread(study):
    s = hwfsim.load(UNCERTAIN)
    long = {  # each about 20 s on one thread
        "mc": lambda: s.mc(samples=30_000, threads=1, memory_mb=64),
        "sensitivity": lambda: s.sensitivity(outputs=["GHA.nurses.supply.2035"],
                                             base_samples=4096, bootstrap=0, threads=1),
    }[study]
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt, match="the runs were interrupted"):
        long()
    assert time.monotonic() - started < 5
    # Python's own handler is back: Ctrl-C interrupts Python code again.
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)


def test_the_studies_write_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = hwfsim.load(UNCERTAIN)
    s.run(set={EXIT_RATE: 0.04})
    s.compare(SMALL)
    s.mc(samples=8, keep_runs=True)
    s.sensitivity(base_samples=8, bootstrap=0, outputs=["GHA.nurses.supply.2030"])
    assert list(tmp_path.iterdir()) == []
