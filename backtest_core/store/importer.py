"""Import LEAN results into the store: any folder holding them, however deep (a lean CLI workspace, a project,
its ``backtests/``, one run, a Launcher results folder, a cloud download, this store's own ``runs/``).

- Every result file in a folder is one run (a Launcher reusing its folder leaves one per algorithm).
- A folder holding a LEAN ``log.txt`` and no result (LEAN died before writing it) is a failed run with its
  log and the statistics the log printed.
- A run already in the store is recognised by its content (the digest of its result, or of its log), wherever
  the folder was copied to; importing twice, or importing ``runs/`` itself, adds nothing.
- Strategy, source, language, period and engine version come from the files (``describe.describe_result``);
  unreadable results are reported and skipped, never half-imported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from backtest_core.describe import describe_log_only, describe_result
from backtest_core.errors import ResultFormatError, StudioError
from backtest_core.models import (
    NAME_LIMIT,
    BacktestRequest,
    BacktestStatistics,
    BacktestStatus,
    EngineName,
    ResultSource,
    RunOrigin,
)
from backtest_core.results import LeanResult, try_load_result
from backtest_core.results.files import content_digest, is_result_candidate
from backtest_core.results.logs import (
    find_runtime_error,
    first_engine_time,
    parse_log,
    parse_statistics,
    read_log,
    select_run,
)
from backtest_core.results.provenance import LEAN_CLI_FOLDER, json_object
from backtest_core.store.folders import SKIPPED_FOLDERS, check_run_id, write_atomic
from backtest_core.store.run_store import RunStore

LEAN_CLI_FOLDER_TIME = "%Y-%m-%d_%H-%M-%S"
MAX_DEPTH = 4  # workspace / project / backtests / <run>: deep enough for every layout the lean CLI makes
ENGINE_BANNER = "LEAN ALGORITHMIC TRADING ENGINE"
NOT_SEARCHED = SKIPPED_FOLDERS - {"backtests", "optimizations"} | {"code", "storage", "data"}
_COMPANIONS = ("-order-events.json", "-summary.json", "-log.txt", "_logs.txt")


class ImportReport(BaseModel):
    imported: list[str] = Field(default_factory=list, description="New run ids")
    already_present: list[str] = Field(default_factory=list, description="Ids of runs already in the store")
    skipped: list[tuple[str, str]] = Field(default_factory=list, description="(file or folder, reason)")


def import_path(store: RunStore, path: Path, *, sweep_id: str | None = None) -> ImportReport:
    """Ingest every LEAN result (and result-less LEAN log) found at ``path`` or below it (into ``sweep_id``)."""
    path = path.expanduser()
    if not path.exists():
        raise StudioError(f"path: {path} does not exist", "Give a folder holding LEAN results, or one result file.")
    _record_missing_digests(store)
    report = ImportReport()
    found = False
    for folder, main in find_results(path):
        found = True
        if main is None:
            _import_log_only(store, folder, report, sweep_id)
        else:
            _import_result(store, folder, main, report, sweep_id)
    if not found:
        report.skipped.append((str(path), "no LEAN result (<id>.json) or LEAN log.txt found here or below"))
    return report


def find_results(path: Path) -> Iterator[tuple[Path, Path | None]]:
    """``(folder, result file)`` for every result at or below ``path``, and ``(folder, None)`` for a folder with
    a LEAN log and no result; folders in name order, so imports are reproducible."""
    if path.is_file():
        if is_result_candidate(path):
            yield path.parent, path
        elif path.name == "log.txt" and _is_lean_log(path):
            yield path.parent, None
        return
    yield from _walk(path, 0)


def _walk(folder: Path, depth: int) -> Iterator[tuple[Path, Path | None]]:
    results = sorted(child for child in folder.iterdir() if is_result_candidate(child))
    if results:
        for result in results:
            yield folder, result
        return
    if _is_lean_log(folder / "log.txt"):
        yield folder, None
        return
    if depth >= MAX_DEPTH:
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and child.name not in NOT_SEARCHED and not child.name.startswith("."):
            yield from _walk(child, depth + 1)


def _is_lean_log(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("r", encoding="utf-8", errors="replace") as log:
        return ENGINE_BANNER in log.read(20_000)


def _import_result(store: RunStore, folder: Path, main: Path, report: ImportReport, sweep_id: str | None) -> None:
    loaded = try_load_result(main)
    if isinstance(loaded, ResultFormatError):
        report.skipped.append((str(main), str(loaded)))
        return
    digest = content_digest(main)
    key = f"{folder.resolve()}#{loaded.algorithm_id}"
    existing = _already_stored(store, folder, digest, key)
    if existing is not None:
        report.already_present.append(existing)
        return
    description = describe_result(loaded)
    created = _created_at(folder, loaded.started_at or first_engine_time(loaded.logs), main)
    run_id = _new_id(created, digest)
    target = store.runs_dir / run_id
    _copy_files(folder, main, target)
    write_atomic(target / "config", json.dumps({"id": loaded.algorithm_id}))  # names this run's result
    strategy = _strategy(folder, main, description.source)
    name = _display_name(folder, strategy, loaded)
    request = _request(folder, strategy, name, loaded, description.source)
    if request.engine != EngineName.LEAN:  # this app's own run: its request names the strategy and the run
        strategy, name = Path(request.strategy).name, request.display_name()
    write_atomic(target / "request.json", request.model_dump_json(indent=2))
    failed = loaded.is_failed
    _add(store, report, sweep_id, {
        "id": run_id,
        "name": request.name or name,
        "strategy": strategy,
        "engine": request.engine.value,
        "status": (BacktestStatus.FAILED if failed else BacktestStatus.COMPLETED).value,
        "created_at": created.isoformat(),
        "started_at": (loaded.started_at or created).isoformat(),
        "finished_at": (loaded.finished_at or created).isoformat(),
        "request": request.model_dump_json(),
        "algorithm_id": loaded.algorithm_id,
        "error": loaded.runtime_error if failed else None,
        "traceback": loaded.stack_trace if failed else None,
        "source_path": str(folder.resolve()),
        "source_key": key,
        "content_hash": digest,
        "description": description.model_dump_json(),
        **loaded.statistics.key_values(),
    })  # fmt: skip


def _import_log_only(store: RunStore, folder: Path, report: ImportReport, sweep_id: str | None) -> None:
    """A LEAN run that wrote no result: failed, with its log, LEAN's error and the statistics it printed."""
    log = folder / "log.txt"
    digest = content_digest(log)
    configured = json_object(folder / "config").get("id")
    algorithm_id = str(configured) if configured is not None else folder.name
    key = f"{folder.resolve()}#{algorithm_id}"
    existing = _already_stored(store, folder, digest, key)
    if existing is not None:
        report.already_present.append(existing)
        return
    text = select_run(read_log(log), algorithm_id)
    description = describe_log_only(text, folder)
    created = _created_at(folder, first_engine_time(parse_log(text)), log)
    run_id = _new_id(created, digest)
    target = store.runs_dir / run_id
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    write_atomic(target / "config", json.dumps({"id": algorithm_id}))
    strategy = _strategy(folder, log, description.source)
    name = strategy if strategy == folder.name else f"{strategy} · {folder.name}"
    request = BacktestRequest(strategy=strategy, engine=EngineName.LEAN, name=_fitting(name))
    write_atomic(target / "request.json", request.model_dump_json(indent=2))
    found_error = find_runtime_error(parse_log(text))
    error = found_error[0] if found_error else f"LEAN stopped before writing its result ({algorithm_id}.json)"
    _add(store, report, sweep_id, {
        "id": run_id,
        "name": name,
        "strategy": strategy,
        "engine": EngineName.LEAN.value,
        "status": BacktestStatus.FAILED.value,
        "created_at": created.isoformat(),
        "started_at": created.isoformat(),
        "finished_at": created.isoformat(),
        "request": request.model_dump_json(),
        "algorithm_id": algorithm_id,
        "error": error,
        "traceback": found_error[1] if found_error else None,
        "source_path": str(folder.resolve()),
        "source_key": key,
        "content_hash": digest,
        "description": description.model_dump_json(),
        **BacktestStatistics(raw=parse_statistics(text)).key_values(),
    })  # fmt: skip


def _add(store: RunStore, report: ImportReport, sweep_id: str | None, row: dict[str, object]) -> None:
    store.add_imported({**row, "origin": RunOrigin.IMPORTED.value, "sweep_id": sweep_id}, tags=["imported"])
    report.imported.append(str(row["id"]))


def _already_stored(store: RunStore, folder: Path, digest: str, key: str) -> str | None:
    """The stored run this is: a folder of this store's own ``runs/``, the same content, or the same source."""
    if folder.resolve().parent == store.runs_dir.resolve() and _is_run_id(folder.name) and store.exists(folder.name):
        return folder.name
    return store.find_by_content(digest) or store.find_by_source(key)


def _record_missing_digests(store: RunStore) -> None:
    """Runs stored before digests were kept get one, so their copies are recognised too (once per run)."""
    for run_id, main in store.runs_without_digest():
        if main.is_file():
            store.set_content_hash(run_id, content_digest(main))


def _copy_files(source: Path, main: Path, target: Path) -> None:
    """The folder with this result's files, not the other results' (a Launcher folder holds several)."""
    others = {p.stem for p in source.iterdir() if is_result_candidate(p) and p != main}
    theirs = {f"{stem}.json" for stem in others} | {f"{stem}{suffix}" for stem in others for suffix in _COMPANIONS}
    shutil.copytree(source, target, ignore=lambda _, names: [n for n in names if n in theirs or n == "__pycache__"])


def _strategy(folder: Path, main: Path, source: ResultSource) -> str:
    """The project: a lean CLI run's project folder; a Launcher result's algorithm class; else the folder the
    result sits in (a cloud download's folder, a lean CLI run folder copied out of its project)."""
    if folder.parent.name in ("backtests", "optimizations"):
        return folder.parent.parent.name or folder.name
    if "optimizations" in folder.parts:
        return folder.parts[folder.parts.index("optimizations") - 1]
    if source == ResultSource.LAUNCHER and main.suffix == ".json":
        return main.stem
    if LEAN_CLI_FOLDER.match(folder.name):
        return folder.parent.name or folder.name
    return folder.name


def _display_name(folder: Path, strategy: str, result: LeanResult) -> str:
    """The backtest's own name (a cloud backtest's), else the strategy and the folder it came from."""
    name = str(result.algorithm_configuration.get("name") or "")
    if name not in ("", "local"):
        return name
    return strategy if strategy == folder.name else f"{strategy} · {folder.name}"


def _request(folder: Path, strategy: str, name: str, result: LeanResult, source: ResultSource) -> BacktestRequest:
    """What was asked: this app's own request for its runs; for LEAN run elsewhere, the parameters it ran with."""
    if source == ResultSource.APP:
        try:
            return BacktestRequest.model_validate_json((folder / "request.json").read_text())
        except (OSError, ValidationError):
            pass  # an older or edited request file: described from the result like any other
    return BacktestRequest(strategy=strategy, engine=EngineName.LEAN, parameters=result.parameters,
                           name=_fitting(name))  # fmt: skip


def _fitting(name: str) -> str | None:
    """The name for the request, whose names are limited; a longer one stays the row's name in full."""
    return name if len(name) <= NAME_LIMIT else None


def _new_id(created: datetime, digest: str) -> str:
    return f"imp-{created:%Y%m%d-%H%M%S}-{digest[:6]}"


def _is_run_id(name: str) -> bool:
    try:
        check_run_id(name)
    except StudioError:
        return False
    return True


def _created_at(folder: Path, started: datetime | None, file: Path) -> datetime:
    try:
        return datetime.strptime(folder.name, LEAN_CLI_FOLDER_TIME).replace(tzinfo=UTC)
    except ValueError:
        pass
    if started is not None:
        return started
    return datetime.fromtimestamp(file.stat().st_mtime, UTC)
