"""Run folders: validated ids, atomic writes, and the snapshot of a project's code as it was run."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from backtest_core.errors import InvalidRunId

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Never part of a code snapshot: lean CLI output, VCS and virtualenv folders, caches.
SKIPPED_FOLDERS = {"backtests", "live", "optimizations", "__pycache__", ".git", ".venv", "venv", "node_modules"}
SNAPSHOT_SUFFIXES = {".py", ".json", ".cs", ".ipynb", ".txt", ".csv", ".md", ".html", ".css", ".yaml", ".yml"}


def check_run_id(run_id: object) -> str:
    """``run_id`` if it is a plain id; an id can never reach outside the store (no separators, no dots)."""
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise InvalidRunId(str(run_id))
    return run_id


def new_run_id(now: datetime, prefix: str = "") -> str:
    """Sortable and unique: ``20261125-031712-a1b2c3`` (UTC time of creation plus random hex)."""
    return f"{prefix}{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def sweep_code_dir(home: Path, sweep_id: str) -> Path:
    """Where a sweep keeps the one code snapshot its runs are made from (``<home>/sweeps/<id>/code``)."""
    return home / "sweeps" / check_run_id(sweep_id) / "code"


def write_atomic(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def snapshot_project(project_dir: Path, target: Path) -> None:
    """Copy the project's source and config (not its backtests or caches) into ``target``."""
    for source in project_dir.rglob("*"):
        relative = source.relative_to(project_dir)
        if any(part in SKIPPED_FOLDERS or part.startswith(".") for part in relative.parts):
            continue
        if source.is_file() and source.suffix.lower() in SNAPSHOT_SUFFIXES:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
