"""hwfsim from Python: the command line's studies, returning pandas DataFrames (docs/python.md).

    import hwfsim
    s = hwfsim.load("scenarios/two-countries.yaml")
    r = s.run(set={"countries.GHA.nurses.attrition": 0.05})
    r.indicators        # the DataFrame of indicators.csv

Each table is the CSV text the command line writes, made by the same code and read by pandas
with float_precision="round_trip": the same columns in the same order and the same doubles, bit
for bit, without touching the disk. The C++ module _hwfsim runs the studies with the GIL
released; this package checks the keyword arguments and builds the DataFrames.
"""

import importlib.util
import io
import json
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping

import pandas as pd

from . import _hwfsim
from .errors import (
    ArgumentTypeError,
    Error,
    InputError,
    MemoryLimitError,
    OutputError,
    RunError,
    ScenarioWarning,
)

#: The version and git commit of the build, as `hwfsim --version` prints them.
__version__ = _hwfsim.__version__
commit = _hwfsim.commit

__all__ = [
    "load",
    "compare",
    "Scenario",
    "Tables",
    "RunResults",
    "Comparison",
    "MonteCarlo",
    "Sensitivity",
    "Error",
    "InputError",
    "ArgumentTypeError",
    "RunError",
    "MemoryLimitError",
    "OutputError",
    "ScenarioWarning",
]


# Keyword arguments: checked here, with errors worded as the studies word theirs.


def _describe(value):
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    return f"{value!r} ({type(value).__name__})"


def _argument_error(name, message, notes=(), suggestion="", cls=InputError):
    text = _hwfsim.argument_message(name, message, list(notes), suggestion)
    return cls(
        text,
        [
            {
                "file": f"argument {name}",
                "line": 0,
                "column": 0,
                "key": "",
                "message": message,
                "notes": list(notes),
                "suggestion": suggestion,
            }
        ],
    )


def _whole(name, value, least, what, most=None):
    """`value` as an int in [least, most] (the command line's range of the option);
    `what` says what it counts."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _argument_error(
            name, f"expected {what}, found {_describe(value)}", cls=ArgumentTypeError
        )
    if value < least or (most is not None and value > most):
        limits = f"from {least:,} to {most:,}" if most is not None else f"at least {least:,}"
        raise _argument_error(name, f"{value} is not {what}", [f"expected {limits}"])
    return int(value)


def _threads(value):
    return _whole("threads", value, 0, "a whole number of threads (0: all cores)", 1024)


def _real(name, value, what, least, most):
    """`value` as a float in [least, most]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _argument_error(
            name, f"expected {what}, found {_describe(value)}", cls=ArgumentTypeError
        )
    if not least <= value <= most:
        raise _argument_error(name, f"{value} is not {what}", [f"expected [{least}, {most}]"])
    return float(value)


def _flag(name, value):
    if not isinstance(value, bool):
        raise _argument_error(
            name, f"expected True or False, found {_describe(value)}", cls=ArgumentTypeError
        )
    return value


def _path(value, name="path"):
    if isinstance(value, Scenario):
        return value.path
    if not isinstance(value, (str, os.PathLike)):
        raise _argument_error(
            name,
            f"expected a scenario (hwfsim.load) or the path of its YAML file, found "
            f"{_describe(value)}",
            cls=ArgumentTypeError,
        )
    return os.fspath(value)


def _file(name, value):
    """The path of a data file (not a scenario)."""
    if not isinstance(value, (str, os.PathLike)):
        raise _argument_error(
            name, f"expected the path of a YAML file, found {_describe(value)}",
            cls=ArgumentTypeError,
        )
    return os.fspath(value)


def _paths(name, value):
    """The paths of a scenario, or of a list of scenarios (loaded, or paths)."""
    if isinstance(value, (Scenario, str, os.PathLike)):
        return [_path(value, name)]
    if not isinstance(value, Iterable):
        raise _argument_error(
            name, f"expected scenarios (hwfsim.load) or their paths, found {_describe(value)}",
            cls=ArgumentTypeError)
    return [_path(v, name) for v in value]


def _years(value):
    """Summary years: a year, a list of years, or None (the default years)."""
    if value is None:
        return []
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _argument_error("years", f"expected a list of years, found {_describe(value)}",
                              ["e.g. years=[2030, 2035]"], cls=ArgumentTypeError)
    return [_whole("years", y, 1, "a year", 9999) for y in value]


def _yaml_value(key, value):
    """`value` of set={key: value} as YAML text, for the loader to check as a `set:` value."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)  # the loader says it is not a number, naming the key
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))  # the shortest text that reads back to the same double
    if isinstance(value, Mapping):  # {value: ..., source: ..., flag: ...}, as in a file
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_yaml_value(key, v)}" for k, v in
                               value.items()) + "}"
    raise _argument_error(
        "set",
        f"the value of '{key}' is {_describe(value)}",
        ["expected a number, or a mapping {value: ..., source: ..., flag: ...} as in a "
         "scenario's set: block"],
        cls=ArgumentTypeError,
    )


def _set_yaml(entries, study):
    """set= of `study` ("run", "mc", ...) as the module takes it: the YAML text of a `set:`
    block, one entry per line, so that an error's line number is the entry's position in the
    dict (1-based), and the name its messages give it ("run(set=...)")."""
    name = f"{study}(set=...)"
    if entries is None:
        return "", name
    if not isinstance(entries, Mapping):
        raise _argument_error(
            "set",
            f"expected a dict {{parameter path: value}}, found {_describe(entries)}",
            ["hwfsim.load(...).params() lists every parameter path"],
            cls=ArgumentTypeError,
        )
    lines = []
    for key, value in entries.items():
        if not isinstance(key, str):
            raise _argument_error(
                "set",
                f"expected parameter paths (text) as keys, found {_describe(key)}",
                cls=ArgumentTypeError,
            )
        lines.append(f"{json.dumps(key)}: {_yaml_value(key, value)}")
    return "".join(line + "\n" for line in lines), name


def _say(messages):
    for m in messages:
        warnings.warn(m, ScenarioWarning, stacklevel=3)


# Results.


def _frame(text):
    return pd.read_csv(io.StringIO(text), float_precision="round_trip")


class Tables:
    """A study's tables: ``t.<stem>`` (``t.indicators``) is the DataFrame of ``<stem>.csv``.

    ``names`` lists the stems in the command line's order; ``csv[stem]`` is the CSV text, the
    bytes the command line writes to the file.
    """

    def __init__(self, tables):
        self.csv = {name.removesuffix(".csv"): text for name, text in tables
                    if name.endswith(".csv")}
        self.names = list(self.csv)
        self._frames = {}

    def __getattr__(self, stem):
        csv = self.__dict__.get("csv", {})
        if stem not in csv:
            raise AttributeError(
                f"no table {stem!r}; the tables are {', '.join(self.__dict__.get('names', []))}"
            )
        if stem not in self._frames:
            self._frames[stem] = _frame(csv[stem])
        return self._frames[stem].copy()

    def __dir__(self):
        return [*super().__dir__(), *self.names]

    def __repr__(self):
        return f"<{type(self).__name__}: {', '.join(self.names)}>"


class RunResults(Tables):
    """``run()``'s tables (indicators, corridors, ages when the model has age bands), and
    ``notes``: limits that never bound a flow, which the command line prints."""

    def __init__(self, out):
        super().__init__(out["tables"])
        self.notes = list(out["notes"])


class Comparison(Tables):
    """``compare()``'s tables: indicators, corridors, deltas, corridor_deltas, (ages,
    age_deltas,) summary, corridor_summary, (projections, with ``published``,) and ``notes``."""

    def __init__(self, out):
        super().__init__(out["tables"])
        self.notes = list(out["notes"])


class MonteCarlo(Tables):
    """``mc()``'s tables: quantiles, corridor_quantiles, (difference_quantiles, ... when
    comparing,) probabilities and samples; ``runs``: every run's indicators as an
    xarray.Dataset when mc(keep_runs=True), else None."""

    def __init__(self, out):
        super().__init__(out["tables"])
        self.runs = _runs_dataset(out["runs"]) if "runs" in out else None


class Sensitivity(Tables):
    """``sensitivity()``'s tables: indices, convergence (Sobol), outputs and inputs."""


def _runs_dataset(runs):
    """Per-run values as a Dataset: one variable per indicator, over scenario, run, year and the
    indicators table's other key columns (country, cadre); NaN where a key has no series."""
    import numpy as np
    import xarray as xr

    series = pd.MultiIndex.from_tuples([tuple(s) for s in runs["series"]],
                                       names=runs["key_columns"])
    years = np.asarray(runs["times"])
    if np.all(years == np.round(years)):
        years = years.astype(int)
    arrays = [
        xr.DataArray(values, dims=("run", "year", "series"),
                     coords={"run": np.arange(values.shape[0]), "year": years, "series": series})
        for values in runs["values"]
    ]
    joined = xr.concat(arrays, dim=pd.Index(runs["scenarios"], name="scenario"))
    return joined.unstack("series").to_dataset(dim="indicator")


# Scenarios and studies.


class Scenario:
    """A scenario file, loaded and checked (hwfsim.load). Its path is kept as given: the
    studies read the files again, as the command line does, and their messages name it so."""

    def __init__(self, path):
        self.path = path
        out = _hwfsim.validate(path)
        self.summary = out["text"].strip()
        _say(out["messages"])

    def __repr__(self):
        return f"hwfsim.load({self.path!r})"

    def params(self, filter=""):
        """Every parameter whose path contains `filter`, as `hwfsim params --csv`: path, value,
        unit, range, source, flag, note, set_at."""
        if not isinstance(filter, str):
            raise _argument_error(
                "filter", f"expected text, found {_describe(filter)}", cls=ArgumentTypeError
            )
        return _frame(_hwfsim.params_csv(self.path, filter))

    def run(self, set=None):
        """Runs the scenario, as `hwfsim run`, with `set` ({parameter path: value}) applied
        after the scenario's own `set:` entries and checked as they are."""
        out = _hwfsim.run(self.path, _set_yaml(set, "run"))
        _say(out["messages"])
        return RunResults(out)

    def compare(self, others, discount_rate=None, years=None, threads=0, set=None,
                published=None):
        """This scenario as the baseline of `hwfsim compare` against `others` (see
        hwfsim.compare)."""
        return compare([self.path, *_paths("others", others)], discount_rate=discount_rate,
                       years=years, threads=threads, set=set, published=published)

    def mc(self, samples=None, threads=0, compare=(), memory_mb=1024, skip_failed=False,
           keep_runs=False, set=None):
        """A Monte Carlo ensemble, as `hwfsim mc` (with `compare`, `hwfsim mc --compare` of this
        baseline and those scenarios). samples: the number of runs (None: the scenario's
        uncertainty.samples). keep_runs: also return every run's indicators as an
        xarray.Dataset (runs x years x series x 8 bytes per scenario). set: {parameter path:
        value} applied to every scenario of the ensemble, as in run()."""
        if samples is not None:
            samples = _whole("samples", samples, 1, "a number of runs", 10_000_000)
        threads = _threads(threads)
        memory_mb = _whole("memory_mb", memory_mb, 1, "a number of MiB", 1 << 24)
        skip_failed = _flag("skip_failed", skip_failed)
        keep_runs = _flag("keep_runs", keep_runs)
        paths = [self.path, *_paths("compare", compare)]
        if keep_runs and importlib.util.find_spec("xarray") is None:
            raise ImportError(
                "mc(keep_runs=True) returns the runs as an xarray.Dataset, and xarray is not "
                "installed here: install it (Debian: python3-xarray), or leave keep_runs out"
            )
        out = _hwfsim.mc(paths, _set_yaml(set, "mc"), samples, threads, memory_mb, skip_failed,
                         keep_runs)
        _say(out["messages"])
        return MonteCarlo(out)

    def sensitivity(self, outputs=None, method="sobol", base_samples=1024, second_order=False,
                    bootstrap=1000, confidence=0.95, trajectories=20, levels=4, threads=0,
                    set=None):
        """Sobol indices or Morris effects of the scenario's uncertainty inputs on `outputs`
        (patterns PLACE.CADRE.INDICATOR.YEAR, '*' any; None: density per 10,000 and shortage
        of every country at the last year), as `hwfsim sensitivity`; set: as in run()."""
        if outputs is None:
            outputs = []
        elif isinstance(outputs, str):
            outputs = [outputs]
        elif not all(isinstance(o, str) for o in outputs):
            raise _argument_error(
                "outputs",
                f"expected output patterns (text), found {_describe(outputs)}",
                ["e.g. outputs=['GHA.nurses.density_per_10k.2035']"],
                cls=ArgumentTypeError,
            )
        if not isinstance(method, str):
            raise _argument_error(
                "method", f"expected 'sobol' or 'morris', found {_describe(method)}",
                cls=ArgumentTypeError,
            )
        if method not in ("sobol", "morris"):
            import difflib

            close = difflib.get_close_matches(method, ["sobol", "morris"], n=1)
            raise _argument_error("method", f"'{method}' is not a method",
                                  ["expected 'sobol' or 'morris'"], close[0] if close else "")
        out = _hwfsim.sensitivity(
            self.path,
            _set_yaml(set, "sensitivity"),
            method,
            list(outputs),
            _whole("base_samples", base_samples, 1, "a number of base samples", 1 << 40),
            _flag("second_order", second_order),
            _whole("bootstrap", bootstrap, 0, "a number of bootstrap replicates", 100_000),
            _real("confidence", confidence, "a confidence level", 0, 1),
            _whole("trajectories", trajectories, 1, "a number of trajectories", 1 << 40),
            _whole("levels", levels, 1, "a number of levels", 1 << 40),
            _threads(threads),
        )
        return Sensitivity(out)


def load(path):
    """Loads and checks a scenario (and the files it extends, and its model). Raises
    InputError with file:line:col for every problem, as `hwfsim validate` reports them."""
    return Scenario(_path(path))


def compare(scenarios, discount_rate=None, years=None, threads=0, set=None, published=None):
    """`hwfsim compare` of a baseline (first) and other scenarios (hwfsim.load, or paths):
    years: the summary years (None: start + 5, start + 10 and the end); discount_rate: per year
    (None: the baseline's); set: {parameter path: value} applied to every scenario compared, as
    in Scenario.run(); published: the path of a published-projections file (as `--published`),
    whose comparison is the table `projections`."""
    paths = _paths("scenarios", scenarios)
    if len(paths) < 2:
        raise _argument_error(
            "scenarios", f"compare needs a baseline and at least one other scenario; "
            f"{len(paths)} given")
    if discount_rate is not None:
        discount_rate = _real("discount_rate", discount_rate, "a discount rate per year", 0, 0.5)
    years = ",".join(map(str, _years(years)))
    published = "" if published is None else _file("published", published)
    out = _hwfsim.compare(paths, _set_yaml(set, "compare"), discount_rate, years,
                          _threads(threads), published)
    _say(out["messages"])
    return Comparison(out)
