"""Import lean CLI backtests into the store: a project folder, its ``backtests/`` folder, or one run folder.

Idempotent: a run folder is keyed by its resolved path and algorithm id, so importing twice adds nothing.
LEAN runs that failed are imported as failed with LEAN's error; unreadable folders are reported and skipped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from backtest_core.errors import ResultFormatError, StudioError
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName, RunOrigin
from backtest_core.results import LeanResult, locate, try_load_result
from backtest_core.results.files import is_result_candidate
from backtest_core.store.folders import write_atomic
from backtest_core.store.run_store import RunStore

LEAN_CLI_FOLDER_TIME = "%Y-%m-%d_%H-%M-%S"


class ImportReport(BaseModel):
    imported: list[str] = Field(default_factory=list, description="New run ids")
    already_present: list[str] = Field(default_factory=list, description="Ids of runs imported before")
    skipped: list[tuple[str, str]] = Field(default_factory=list, description="(folder, reason)")


def import_path(store: RunStore, path: Path) -> ImportReport:
    """Ingest every LEAN run folder found at ``path`` (see module docstring for the accepted shapes)."""
    path = path.expanduser()
    if not path.exists():
        raise StudioError(f"path: {path} does not exist", "Give a lean CLI project, its backtests/ folder or a run.")
    report = ImportReport()
    folders = find_run_folders(path)
    if not folders:
        report.skipped.append((str(path), "no LEAN result (<id>.json) found here or in backtests/*/"))
    for folder in folders:
        import_run_folder(store, folder, report)
    return report


def find_run_folders(path: Path) -> list[Path]:
    """Run folders at ``path``: itself, its children, or ``backtests/*`` of a project, newest name last."""
    if path.is_file():
        return [path.parent]
    if _holds_result(path):
        return [path]
    base = path / "backtests" if (path / "backtests").is_dir() else path
    return sorted(child for child in base.iterdir() if child.is_dir() and _holds_result(child))


def _holds_result(folder: Path) -> bool:
    return any(is_result_candidate(file) for file in folder.glob("*.json"))


def import_run_folder(
    store: RunStore, folder: Path, report: ImportReport, *, project: str | None = None, sweep_id: str | None = None
) -> None:
    """One LEAN run folder into the store (``project`` and ``sweep_id`` when it belongs to an optimization)."""
    loaded = try_load_result(folder)
    if isinstance(loaded, ResultFormatError):
        report.skipped.append((str(folder), str(loaded)))
        return
    key = f"{folder.resolve()}#{loaded.algorithm_id}"
    existing = store.find_by_source(key)
    if existing is not None:
        report.already_present.append(existing)
        return
    created = _created_at(folder, loaded)
    run_id = f"imp-{created:%Y%m%d-%H%M%S}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
    target = store.runs_dir / run_id
    _copy_run_folder(folder, target, loaded)
    if project is None:
        project = folder.parent.parent.name if folder.parent.name == "backtests" else folder.parent.name
    name = str(loaded.algorithm_configuration.get("name") or "")
    display = f"{project} {folder.name}" if name in ("", "local") else name
    request = BacktestRequest(
        strategy=project or "imported", engine=EngineName.LEAN_DOCKER, parameters=loaded.parameters, name=display[:120]
    )
    write_atomic(target / "request.json", request.model_dump_json(indent=2))
    failed = loaded.is_failed
    row = {
        "id": run_id,
        "name": request.display_name(),
        "strategy": request.strategy,
        "engine": EngineName.LEAN_DOCKER.value,
        "status": (BacktestStatus.FAILED if failed else BacktestStatus.COMPLETED).value,
        "origin": RunOrigin.IMPORTED.value,
        "created_at": created.isoformat(),
        "started_at": (loaded.started_at or created).isoformat(),
        "finished_at": (loaded.finished_at or created).isoformat(),
        "request": request.model_dump_json(),
        "algorithm_id": loaded.algorithm_id,
        "error": loaded.runtime_error if failed else None,
        "traceback": loaded.stack_trace if failed else None,
        "source_path": str(folder.resolve()),
        "source_key": key,
        "sweep_id": sweep_id,
        **loaded.statistics.key_values(),
    }
    store.add_imported(row, tags=["imported"])
    report.imported.append(run_id)


def _copy_run_folder(source: Path, target: Path, result: LeanResult) -> None:
    """LEAN's files, the lean CLI's ``config`` and ``code/``; the main file renamed only if it needs to be."""
    files = locate(result.path)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    main = target / files.main.name
    if files.main.parent != source:  # the result file lives elsewhere (explicit file path): bring it
        shutil.copy2(files.main, main)
    if not (target / "config").exists():
        write_atomic(target / "config", json.dumps({"id": result.algorithm_id}))


def _created_at(folder: Path, result: LeanResult) -> datetime:
    try:
        return datetime.strptime(folder.name, LEAN_CLI_FOLDER_TIME).replace(tzinfo=UTC)
    except ValueError:
        pass
    if result.started_at is not None:
        return result.started_at
    return datetime.fromtimestamp(result.path.stat().st_mtime, UTC)
