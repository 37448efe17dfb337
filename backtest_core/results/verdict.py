"""How a finished LEAN result ended, from its JSON alone: statistics and runtime error, no frames.

The supervisor of every run reads this when it stores the outcome; kept free of pandas (the frames are
``loader``'s) so that process starts in a fraction of the time. ``loader`` builds on the same readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtest_core.errors import ResultFormatError
from backtest_core.results.files import locate
from backtest_core.results.jsonfile import camel, read_json
from backtest_core.results.logs import find_runtime_error, parse_log, read_log, select_run

RESULT_KEYS = ("charts", "statistics", "runtimeStatistics", "orders", "totalPerformance", "state")


@dataclass(frozen=True)
class Verdict:
    """How a finished result ended, read without building its series and tables (for the supervisor)."""

    statistics: dict[str, str]
    runtime_error: str | None
    stack_trace: str | None


def read_verdict(path: Path) -> Verdict:
    """Statistics and runtime error of a finished result: a JSON read, none of ``load_result``'s frames.
    Raises ResultFormatError like ``load_result`` for a missing, corrupt or foreign file."""
    files = locate(Path(path))
    top = result_object(files.main, read_json(files.main))
    state = lean_state(top.get("state"))
    log_text = (
        ""
        if state.get("Status") or not files.engine_log
        else select_run(read_log(files.engine_log), files.algorithm_id)
    )
    error = runtime_error(state, log_text)
    return Verdict(string_map(top.get("statistics")), error[0] if error else None, error[1] if error else None)


def result_object(path: Path, data: object) -> dict[str, Any]:
    """The top-level object with camelCase keys, or ResultFormatError when this is not a LEAN result."""
    if not isinstance(data, dict):
        raise ResultFormatError(path, f"not a LEAN result: the JSON is a {type(data).__name__}, not an object")
    top = camel(data)
    if not any(key in top for key in RESULT_KEYS):
        keys = ", ".join(list(data)[:5]) or "none"
        raise ResultFormatError(path, f"not a LEAN result: no charts/statistics (top-level keys: {keys})")
    return top


def lean_state(raw: object) -> dict[str, Any]:
    """``state`` keeps LEAN's PascalCase keys (they are dictionary keys, never re-cased by LEAN)."""
    return dict(raw) if isinstance(raw, dict) else {}


def string_map(raw: object) -> dict[str, str]:
    """A JSON object of LEAN's statistics as text, as LEAN prints them (None as empty)."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): v if isinstance(v, str) else "" if v is None else str(v) for k, v in raw.items()}


def runtime_error(state: dict[str, Any], log_text: str) -> tuple[str, str | None] | None:
    """From ``state`` when LEAN wrote one; older results (no state) only have it in the log."""
    if state.get("Status"):
        message = state.get("RuntimeError")
        return (str(message), str(state.get("StackTrace") or "") or None) if message else None
    return find_runtime_error(parse_log(log_text)) if "ERROR::" in log_text else None
