"""Who wrote a LEAN result folder and what it ran on, told from the files alone.

- **lean CLI** folders hold ``config`` (``{"id": ..., "container": "lean_cli_..."}``) beside ``<id>.json``, in
  ``<project>/backtests/<yyyy-mm-dd_hh-mm-ss>/``; ``lean optimize`` writes under ``optimizations/``.
- a **cloud download** names files after the backtest (``Focused Brown Horse.json``, ``..._logs.txt``) and its
  state's host is a ``BACKTESTING-...`` node.
- the **Launcher** (LEAN run directly) names results after the algorithm class, with no ``config``, and keeps
  appending runs to one ``log.txt``.
- **this app** leaves ``request.json`` and a ``config`` with ``backtest-name``.

The language comes from the engine log (``AlgorithmPythonWrapper`` or ``Loader.TryCreateILAlgorithm``, a
``.dll`` job), the lean CLI project's ``config.json`` or the saved code; the engine version from LEAN's banner
lines. ``data_requests`` reads LEAN's ``succeeded-``/``failed-data-requests-*.txt`` for the run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from backtest_core.models import Resolution, ResultSource

LEAN_CLI_FOLDER = re.compile(r"^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$")
_ENGINE_BANNER = re.compile(r"LEAN ALGORITHMIC TRADING ENGINE (v[\d.]+)")
_ALGORITHM_BANNER = re.compile(r"with LEAN Engine (v[\d.]+)")
_REQUEST_FILE = re.compile(r"^(succeeded|failed)-data-requests-(\d{17})\.txt$")
_DATA_POINTS = re.compile(r"Processing total of ([\d,]+) data points")
REQUEST_MATCH_WINDOW = timedelta(minutes=2)  # a run's data-request files are stamped as its engine starts
SUBSCRIBED_KINDS = ("equity", "crypto", "forex")


@dataclass(frozen=True)
class DataRequests:
    """Data files LEAN read (``succeeded``) and could not find (``failed``) for one run, as LEAN wrote them."""

    succeeded: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestedData:
    """A security's data as a data-request path names it."""

    symbol: str
    kind: str
    market: str
    resolution: Resolution


def result_source(folder: Path, stem: str | None, state: dict[str, object]) -> ResultSource:
    """Which tool wrote the result ``<stem>.json`` in ``folder`` (see the module docstring for each shape);
    ``stem`` None: a folder with a log and no result."""
    config = json_object(folder / "config")
    if (folder / "request.json").is_file() and "backtest-name" in config:
        return ResultSource.APP
    if "optimizations" in folder.parts:
        return ResultSource.LEAN_OPTIMIZE
    if str(config.get("container", "")).startswith("lean_cli") or LEAN_CLI_FOLDER.match(folder.name):
        return ResultSource.LEAN_CLI
    if stem is None:
        return ResultSource.UNKNOWN
    hostname = str(state.get("Hostname") or "")
    if (folder / f"{stem}_logs.txt").is_file() or hostname.startswith("BACKTESTING-") or (" " in stem and not config):
        return ResultSource.CLOUD
    if not config and stem.isidentifier():
        return ResultSource.LAUNCHER
    return ResultSource.UNKNOWN


def language(folder: Path, log_text: str) -> str | None:
    """``python`` or ``csharp`` from the engine log, the project's config.json or the saved code; else None."""
    if "AlgorithmPythonWrapper" in log_text or "TryCreatePythonAlgorithm" in log_text:
        return "python"
    if "TryCreateILAlgorithm" in log_text or re.search(r"JobQueue\.NextJob\(\): Selected \S+\.dll", log_text):
        return "csharp"
    for config in (folder.parent.parent / "config.json", folder / "code" / "config.json"):
        declared = str(json_object(config).get("algorithm-language", "")).lower()
        if declared in ("python", "csharp"):
            return declared
    code = folder / "code"
    if (code / "main.py").is_file():
        return "python"
    if code.is_dir() and any(code.glob("*.cs")):
        return "csharp"
    return None


def engine_version(log_text: str, algorithm_log: str) -> str | None:
    """``LEAN v2.5.0.0.17319``: the algorithm log's banner (it carries the build), else the engine log's."""
    for pattern, text in ((_ALGORITHM_BANNER, algorithm_log), (_ENGINE_BANNER, log_text)):
        found = pattern.search(text)
        if found:
            return f"LEAN {found.group(1)}"
    return None


def data_points(log_text: str) -> int | None:
    """LEAN's closing ``Processing total of N data points`` (None when the log has no such line)."""
    found = _DATA_POINTS.findall(log_text)
    return int(found[-1].replace(",", "")) if found else None


def data_requests(folder: Path, started: datetime | None) -> DataRequests:
    """The run's data-request files: the only pair in a lean CLI folder, or in a Launcher folder holding several
    runs the pair stamped within a couple of minutes of ``started`` (none when nothing matches)."""
    stamped: dict[str, list[tuple[datetime, Path]]] = {"succeeded": [], "failed": []}
    for path in folder.glob("*-data-requests-*.txt"):
        match = _REQUEST_FILE.match(path.name)
        if match:
            stamp = datetime.strptime(match.group(2)[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            stamped[match.group(1)].append((stamp, path))
    chosen = {kind: _pick(paths, started) for kind, paths in stamped.items()}
    return DataRequests(
        succeeded=_lines(chosen["succeeded"]),
        failed=_lines(chosen["failed"]),
    )


def requested_data(paths: tuple[str, ...]) -> list[RequestedData]:
    """The equity, crypto and forex securities and resolutions named by data-request paths, once each (options,
    futures, universes and reference files are not subscriptions the coverage check knows)."""
    found: dict[tuple[str, str, str, Resolution], None] = {}
    for raw in paths:
        parts = PurePosixPath(raw.replace("\\", "/")).parts
        parts = parts[parts.index("Data") + 1 :] if "Data" in parts else [p for p in parts if p != "/"]
        if len(parts) < 4 or parts[0] not in SUBSCRIBED_KINDS or parts[2] not in {r.value for r in Resolution}:
            continue
        kind, market, resolution = parts[0], parts[1], Resolution(parts[2])
        if len(parts) >= 5:  # minute/second/tick: <ticker>/<yyyymmdd>_<type>.zip
            ticker = parts[3]
        else:  # daily/hour: <ticker>.zip or <ticker>_<type>.zip
            ticker = re.sub(r"_(trade|quote|openinterest)$", "", parts[3].removesuffix(".zip"))
        found[(ticker.upper(), kind, market, resolution)] = None
    return [RequestedData(symbol, kind, market, resolution) for symbol, kind, market, resolution in found]


def _pick(paths: list[tuple[datetime, Path]], started: datetime | None) -> Path | None:
    if len(paths) == 1:
        return paths[0][1]
    if started is None or not paths:
        return None
    stamp, path = min(paths, key=lambda pair: abs(pair[0] - started))
    return path if abs(stamp - started) <= REQUEST_MATCH_WINDOW else None


def _lines(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    text = path.read_text(encoding="utf-8", errors="replace")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def json_object(path: Path) -> dict[str, object]:
    """A small JSON file's object (``config``, ``config.json``); {} when absent, unreadable or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
