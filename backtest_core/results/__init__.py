"""The one reader of LEAN's result format (``<id>.json`` and its companion files) for the whole app.

``load_result`` gives a typed ``LeanResult``; ``try_load_result`` the same without raising;
``read_snapshot`` a cheap view of the file LEAN rewrites during a run. Log parsing is in ``results.logs``.
"""

from backtest_core.results.charts import SERIES_TYPES, Chart, ChartSeries
from backtest_core.results.files import ResultFiles, locate
from backtest_core.results.loader import load_result, parse_lean_time, read_snapshot, read_verdict, try_load_result
from backtest_core.results.logs import LogRecord
from backtest_core.results.model import LeanResult, Snapshot, Verdict

__all__ = [
    "SERIES_TYPES",
    "Chart",
    "ChartSeries",
    "LeanResult",
    "LogRecord",
    "ResultFiles",
    "Snapshot",
    "Verdict",
    "load_result",
    "locate",
    "parse_lean_time",
    "read_snapshot",
    "read_verdict",
    "try_load_result",
]
