"""The exceptions of hwfsim, one per family of the command line's errors (docs/python.md).

Their str() is what the command line prints; the C++ module raises them (python/module.cpp).
"""


class Error(Exception):
    """Any error of hwfsim's own."""


class InputError(Error, ValueError):
    """Bad input: a scenario file, a set= entry or a keyword argument.

    str() is the command line's message: ``file:line:col: error: key: message``, notes and a
    "did you mean" line, for every problem found. The first problem's place is in ``file``,
    ``line`` and ``column`` (1-based; 0 when it is about a whole file or an argument), ``key``
    (the key path) and ``suggestion`` (the closest valid spelling, or ""); ``diagnostics`` holds
    every problem as a dict with those keys and ``message`` and ``notes``.
    """

    def __init__(self, message, diagnostics=()):
        super().__init__(message)
        self.diagnostics = [dict(d) for d in diagnostics]
        first = self.diagnostics[0] if self.diagnostics else {}
        self.file = first.get("file", "")
        self.line = first.get("line", 0)
        self.column = first.get("column", 0)
        self.key = first.get("key", "")
        self.suggestion = first.get("suggestion", "")

    def __reduce__(self):
        return (type(self), (str(self), self.diagnostics))


class ArgumentTypeError(InputError, TypeError):
    """A keyword argument of the wrong type (threads="x"): an InputError and a TypeError."""


class RunError(Error, RuntimeError):
    """A run that failed (a non-finite or negative state, a collapsed step), or an ensemble
    whose runs failed."""


class MemoryLimitError(Error, MemoryError):
    """An ensemble whose values or quantile sketches do not fit the memory allowed (memory_mb)."""


class OutputError(Error, OSError):
    """A file that could not be written or read back."""


class ScenarioWarning(UserWarning):
    """What is valid but almost certainly not meant (a policy that never acts); the command line
    prints these as warnings."""
