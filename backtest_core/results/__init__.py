"""The one reader of LEAN's result format (``<id>.json`` and its companion files) for the whole app.

``load_result`` gives a typed ``LeanResult``; ``try_load_result`` the same without raising;
``read_snapshot`` a cheap view of the file LEAN rewrites during a run; ``read_verdict`` how a finished run
ended. Log parsing is in ``results.logs``.

Names are loaded from their modules on first use: most of them need pandas, which the supervisor of every run
(that only reads the verdict) would otherwise import for nothing.
"""

from importlib import import_module
from typing import Any

_MODULE_OF = {
    "SERIES_TYPES": "charts",
    "Chart": "charts",
    "ChartSeries": "charts",
    "ResultFiles": "files",
    "locate": "files",
    "load_result": "loader",
    "parse_lean_time": "loader",
    "read_snapshot": "loader",
    "try_load_result": "loader",
    "LogRecord": "logs",
    "LeanResult": "model",
    "Snapshot": "model",
    "Verdict": "verdict",
    "read_verdict": "verdict",
}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
