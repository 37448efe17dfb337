"""Which files of a results folder make up one LEAN result.

lean CLI folders name files after the algorithm id (``<id>.json``, ``<id>-order-events.json``, ...) and
record the id in ``config``; a Launcher run names them after the algorithm class; a QuantConnect cloud
download after the backtest name, with spaces (``Focused Brown Horse.json``, ``..._logs.txt``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from backtest_core.errors import ResultFormatError

_PART_SUFFIXES = ("-order-events.json", "-summary.json")
_NOT_RESULTS = {"request.json", "config.json", "alpha-results.json"}


@dataclass(frozen=True)
class ResultFiles:
    main: Path
    algorithm_id: str
    order_events: Path | None
    summary: Path | None
    engine_log: Path | None  # log.txt: the engine log, possibly of several runs
    algorithm_log: Path | None  # <id>-log.txt (lean CLI / Launcher) or <name>_logs.txt (cloud download)

    @property
    def folder(self) -> Path:
        return self.main.parent


def is_result_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.suffix == ".json"
        and not name.endswith(_PART_SUFFIXES)
        and not name.startswith("data-monitor-report")
        and name not in _NOT_RESULTS
        and path.is_file()
    )


def main_file(folder: Path) -> Path:
    """The result of a folder: the one ``config`` names, else the newest ``*.json`` (a Launcher reusing
    its results folder leaves one file per algorithm).
    """
    named = _configured_id(folder)
    if named is not None and (folder / f"{named}.json").is_file():
        return folder / f"{named}.json"
    candidates = [p for p in folder.iterdir() if is_result_candidate(p)]
    if not candidates:
        raise ResultFormatError(folder, "no LEAN result in this folder (expected <algorithm id>.json)")
    return max(candidates, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _configured_id(folder: Path) -> str | None:
    """The id in lean CLI's ``config`` (``{"id": 1202616023, ...}``); None when absent or unreadable,
    which only means falling back to the newest file.
    """
    try:
        config = json.loads((folder / "config").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("id") if isinstance(config, dict) else None
    return None if value is None else str(value)


def locate(path: Path) -> ResultFiles:
    """The parts of the result at ``path`` (a results folder or its main ``<id>.json``)."""
    if path.is_dir():
        main = main_file(path)
    elif path.is_file():
        main = path
    else:
        raise ResultFormatError(path, "no such file or folder")
    folder, stem = main.parent, main.stem

    def optional(name: str) -> Path | None:
        candidate = folder / name
        return candidate if candidate.is_file() else None

    return ResultFiles(
        main=main,
        algorithm_id=stem,
        order_events=optional(f"{stem}-order-events.json"),
        summary=optional(f"{stem}-summary.json"),
        engine_log=optional("log.txt"),
        algorithm_log=optional(f"{stem}-log.txt") or optional(f"{stem}_logs.txt"),
    )


def content_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: the identity of a result (or of a log, for a run without one) wherever the
    folder holding it was copied to."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
