"""The run store: an SQLite index (WAL) plus one lean-CLI-style folder per run.

Every method opens its own short connection, so any number of processes (pages, CLI, supervisors) can use
the same store; writes take SQLite's write lock up front (``BEGIN IMMEDIATE``) and wait for it, so two
processes writing at once both succeed. Key statistics live in index columns: listing never opens a result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from backtest_core import results
from backtest_core.errors import InvalidRequest, ResultFormatError, RunIsActive, RunNotFound
from backtest_core.models import (
    KEY_STATISTICS,
    BacktestProgress,
    BacktestRequest,
    BacktestRunInfo,
    BacktestStatistics,
    BacktestStatus,
    KeyStatistics,
    Page,
    RunDescription,
    RunOrigin,
    RunQuery,
    SortKey,
    clean_tags,
)
from backtest_core.settings import Settings
from backtest_core.store.folders import check_run_id, new_run_id, snapshot_project, sweep_code_dir, write_atomic
from backtest_core.store.schema import UNDESCRIBED, migrate

BUSY_TIMEOUT_SECONDS = 30.0
_SORT_COLUMN = {
    SortKey.CREATED: "seq",
    SortKey.NAME: "name",
    SortKey.STRATEGY: "strategy",
    SortKey.STATUS: "status",
    SortKey.NET_PROFIT: "net_profit",
    SortKey.SHARPE: "sharpe",
    SortKey.DRAWDOWN: "drawdown",
    SortKey.CAGR: "cagr",
    SortKey.TOTAL_ORDERS: "total_orders",
    SortKey.END_EQUITY: "end_equity",
}
_LIST_COLUMNS = (
    "id, name, strategy, engine, status, origin, created_at, started_at, finished_at, request, error, traceback, "
    f"tags, note, source_path, description, sweep_id, executor, {', '.join(KEY_STATISTICS)}"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RunStore:
    """Runs of one store (``Settings().home``): index rows, progress, and run folders."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.runs_dir = self.settings.runs_dir
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            migrate(connection)

    # -- connections ---------------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.settings.index_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.row_factory = sqlite3.Row
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- creating and reading runs -----------------------------------------------------------------------

    def create(self, request: BacktestRequest, project_dir: Path | None) -> BacktestRunInfo:
        """A queued run with its folder: the project's code snapshot, ``request.json`` and ``config``."""
        now = utc_now()
        run_id = new_run_id(now)
        (self.runs_dir / run_id / "code").mkdir(parents=True)
        if project_dir is not None:
            snapshot_project(project_dir, self.runs_dir / run_id / "code")
        self._write_run_files(run_id, request)
        with self._write() as connection:
            _insert(connection, _queued_row(run_id, request, now, None))
            _replace_tags(connection, run_id, request.tags)
        return self.get(run_id)

    def create_many(self, requests: list[BacktestRequest], project_dir: Path | None, sweep_id: str) -> list[str]:
        """Queued runs of one sweep as rows only, inserted in one transaction: no folder, no process per run.

        The project's code is snapshotted once for the sweep (``sweep_code_dir``); a run's own folder is made
        from that snapshot when it is claimed (``claim_next``), so submitting 500 runs costs one snapshot and one
        transaction, and every run still runs the code it was queued with.
        """
        code = sweep_code_dir(self.settings.home, sweep_id)
        code.mkdir(parents=True)
        if project_dir is not None:
            snapshot_project(project_dir, code)
        now = utc_now()
        ids: list[str] = []
        taken: set[str] = set()
        for _ in requests:
            run_id = new_run_id(now)
            while run_id in taken:  # ids of one second differ only in 6 random hex digits
                run_id = new_run_id(now)
            taken.add(run_id)
            ids.append(run_id)
        with self._write() as connection:
            for run_id, request in zip(ids, requests, strict=True):
                _insert(connection, _queued_row(run_id, request, now, sweep_id))
                _replace_tags(connection, run_id, request.tags)
        return ids

    def materialize(self, run: BacktestRunInfo) -> None:
        """Give a sweep's run its folder (code from the sweep's snapshot, request.json, config) if it has none."""
        folder = self.runs_dir / run.id
        if folder.exists() or run.sweep_id is None:
            return
        shutil.copytree(sweep_code_dir(self.settings.home, run.sweep_id), folder / "code")
        self._write_run_files(run.id, run.request)

    def _write_run_files(self, run_id: str, request: BacktestRequest) -> None:
        folder = self.runs_dir / run_id
        write_atomic(folder / "request.json", request.model_dump_json(indent=2))
        write_atomic(folder / "config", json.dumps({"id": run_id, "backtest-name": request.display_name()}, indent=4))

    def get(self, run_id: str) -> BacktestRunInfo:
        check_run_id(run_id)
        with self._connect() as connection:
            row = connection.execute(f"SELECT {_LIST_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFound(run_id)
        return _run_info(row)

    def exists(self, run_id: str) -> bool:
        check_run_id(run_id)
        with self._connect() as connection:
            return connection.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / check_run_id(run_id)

    def algorithm_id(self, run_id: str) -> str:
        return str(self._field(run_id, "algorithm_id"))

    def result(self, run_id: str, *, deferred_tables: bool = False) -> results.LeanResult:
        """The run's parsed LEAN result (raises ResultFormatError when it has none or it is corrupt); see
        ``load_result`` for ``deferred_tables``."""
        path = self.run_dir(run_id) / f"{self.algorithm_id(run_id)}.json"
        return results.load_result(path, deferred_tables=deferred_tables)

    # -- lifecycle -------------------------------------------------------------------------------------

    def claim_next(self, limit: int, executor: str = "local") -> BacktestRunInfo | None:
        """Atomically move the oldest queued run to running if fewer than ``limit`` runs are running.

        The queue is these rows alone: nothing waits in a process. Any number of dispatchers may call this at
        once; each queued run is handed to exactly one of them. ``executor`` records where it will execute
        (``local`` or ``dask``), so recovery knows who should own it.
        """
        if not self.has_queued():  # the common case (nothing queued) takes no write lock
            return None
        with self._write() as connection:
            running = connection.execute("SELECT COUNT(*) FROM runs WHERE status = 'running'").fetchone()[0]
            first = connection.execute("SELECT id FROM runs WHERE status = 'queued' ORDER BY seq LIMIT 1").fetchone()
            if running >= limit or first is None:
                return None
            connection.execute(
                "UPDATE runs SET status = 'running', started_at = ?, executor = ? WHERE id = ?",
                (utc_now().isoformat(), executor, first["id"]),
            )
        run = self.get(first["id"])
        self.materialize(run)  # a sweep's run gets its folder only now that it is about to start
        return run

    def set_runtime(
        self, run_id: str, *, supervisor_pid: int | None = None, supervisor_started: float | None = None,
        engine_ref: str | None = None,
    ) -> None:  # fmt: skip
        """Record who owns the run now (supervisor process and its start time; engine container)."""
        updates = {"supervisor_pid": supervisor_pid, "supervisor_started": supervisor_started, "engine_ref": engine_ref}
        values = {key: value for key, value in updates.items() if value is not None}
        if values:
            self._update(run_id, values)

    def runtime(self, run_id: str) -> dict[str, Any]:
        """The ownership fields recorded by ``set_runtime`` and the last heartbeat."""
        check_run_id(run_id)
        with self._connect() as connection:
            row = connection.execute(
                "SELECT supervisor_pid, supervisor_started, engine_ref, heartbeat_at, cancel_requested, executor "
                "FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
        if row is None:
            raise RunNotFound(run_id)
        return dict(row)

    def heartbeat(self, run_id: str) -> None:
        self._update(run_id, {"heartbeat_at": utc_now().isoformat()})

    def heartbeat_many(self, run_ids: list[str]) -> None:
        """One write for every run an owner follows (the cluster relay follows many at once)."""
        for run_id in run_ids:
            check_run_id(run_id)
        with self._write() as connection:
            connection.executemany(
                "UPDATE runs SET heartbeat_at = ? WHERE id = ?", [(utc_now().isoformat(), i) for i in run_ids]
            )

    def has_queued(self) -> bool:
        with self._connect() as connection:
            return connection.execute("SELECT 1 FROM runs WHERE status = 'queued' LIMIT 1").fetchone() is not None

    def running_ids(self, executor: str) -> list[str]:
        """Running runs that ``executor`` executes, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id FROM runs WHERE status = 'running' AND executor = ? ORDER BY seq", (executor,)
            ).fetchall()
        return [row["id"] for row in rows]

    def set_status(self, run_id: str, status: BacktestStatus, *, error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status.value}
        if error is not None:
            values["error"] = error
        if not status.is_active:
            values["finished_at"] = utc_now().isoformat()
        self._update(run_id, values)

    def mark_if(self, run_id: str, expected: BacktestStatus, status: BacktestStatus, error: str | None = None) -> bool:
        """Set ``status`` only if the run is still ``expected`` (a compare-and-set against races)."""
        check_run_id(run_id)
        finished = None if status.is_active else utc_now().isoformat()
        with self._write() as connection:
            cursor = connection.execute(
                "UPDATE runs SET status = ?, error = COALESCE(?, error), finished_at = COALESCE(?, finished_at) "
                "WHERE id = ? AND status = ?",
                (status.value, error, finished, run_id, expected.value),
            )
        return cursor.rowcount == 1

    def update_progress(self, run_id: str, progress: BacktestProgress) -> None:
        check_run_id(run_id)
        with self._write() as connection:
            connection.execute(
                "INSERT INTO progress (run_id, body) VALUES (?, ?) "
                "ON CONFLICT(run_id) DO UPDATE SET body = excluded.body",
                (run_id, progress.model_dump_json()),
            )

    def get_progress(self, run_id: str) -> BacktestProgress | None:
        """The last progress a supervisor wrote: one small row, never the log."""
        check_run_id(run_id)
        with self._connect() as connection:
            row = connection.execute("SELECT body FROM progress WHERE run_id = ?", (run_id,)).fetchone()
        return BacktestProgress.model_validate_json(row["body"]) if row else None

    def get_progress_many(self, run_ids: list[str]) -> dict[str, BacktestProgress]:
        """The last progress of several runs in one query (a monitor polls every active run at once)."""
        for run_id in run_ids:
            check_run_id(run_id)
        if not run_ids:
            return {}
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT run_id, body FROM progress WHERE run_id IN ({', '.join('?' for _ in run_ids)})", run_ids
            ).fetchall()
        return {row["run_id"]: BacktestProgress.model_validate_json(row["body"]) for row in rows}

    def request_cancel(self, run_id: str) -> None:
        self._update(run_id, {"cancel_requested": 1})

    def cancel_requested(self, run_id: str) -> bool:
        return bool(self._field(run_id, "cancel_requested"))

    def cancel_requests(self, run_ids: list[str]) -> set[str]:
        """Which of ``run_ids`` have a cancel request (one query for all runs an owner follows)."""
        for run_id in run_ids:
            check_run_id(run_id)
        if not run_ids:
            return set()
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT id FROM runs WHERE cancel_requested = 1 AND id IN ({', '.join('?' for _ in run_ids)})",
                run_ids,
            ).fetchall()
        return {row["id"] for row in rows}

    def finalize(
        self, run_id: str, status: BacktestStatus, *, error: str | None = None, traceback: str | None = None,
        description: RunDescription | None = None, content_hash: str | None = None,
    ) -> BacktestRunInfo:  # fmt: skip
        """End a run: read its LEAN result (if any) into the index's key statistics, set the final status, and
        store its description and digest in the same write (no reader sees it ended but undescribed)."""
        values: dict[str, Any] = {"status": status.value}
        if description is not None:
            values["description"] = description.model_dump_json()
        if content_hash is not None:
            values["content_hash"] = content_hash
        try:
            verdict = results.read_verdict(self.run_dir(run_id) / f"{self.algorithm_id(run_id)}.json")
        except ResultFormatError as unreadable:
            if status == BacktestStatus.COMPLETED:
                values["status"] = BacktestStatus.FAILED.value
                error = error or f"The engine finished but its result is unreadable: {unreadable}"
        else:
            values.update(BacktestStatistics(raw=verdict.statistics).key_values())
            if verdict.runtime_error and status == BacktestStatus.COMPLETED:
                values["status"] = BacktestStatus.FAILED.value
                error = error or verdict.runtime_error
                traceback = traceback or verdict.stack_trace
        values["finished_at"] = utc_now().isoformat()
        if error is not None:
            values["error"] = error
        if traceback is not None:
            values["traceback"] = traceback
        self._update(run_id, values)
        return self.get(run_id)

    # -- curation --------------------------------------------------------------------------------------

    def delete(self, run_id: str) -> None:
        """Remove a run's row and folder; refused while it is queued or running."""
        run = self.get(run_id)
        if run.status.is_active:
            raise RunIsActive(run_id, run.status.value)
        with self._write() as connection:
            connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            connection.execute("DELETE FROM run_tags WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM progress WHERE run_id = ?", (run_id,))
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    def set_tags(self, run_id: str, tags: list[str]) -> BacktestRunInfo:
        try:
            checked = clean_tags(tags)
        except ValueError as error:
            raise InvalidRequest("tags", str(error)) from error
        check_run_id(run_id)
        with self._write() as connection:
            cursor = connection.execute("UPDATE runs SET tags = ? WHERE id = ?", (json.dumps(checked), run_id))
            if cursor.rowcount == 0:
                raise RunNotFound(run_id)
            _replace_tags(connection, run_id, checked)
        return self.get(run_id)

    def add_tag(self, run_id: str, tag: str) -> BacktestRunInfo:
        return self.set_tags(run_id, [*self.get(run_id).tags, tag])

    def remove_tag(self, run_id: str, tag: str) -> BacktestRunInfo:
        return self.set_tags(run_id, [t for t in self.get(run_id).tags if t != tag])

    def set_description(self, run_id: str, description: RunDescription) -> BacktestRunInfo:
        """Record what the run covered and where it came from (replaces the stored description)."""
        self._update(run_id, {"description": description.model_dump_json()})
        return self.get(run_id)

    def set_note(self, run_id: str, note: str) -> BacktestRunInfo:
        self._update(run_id, {"note": note})
        return self.get(run_id)

    # -- listing ---------------------------------------------------------------------------------------

    def list(self, query: RunQuery | None = None) -> Page[BacktestRunInfo]:
        query = query or RunQuery()
        where, parameters = _filters(query)
        column = _SORT_COLUMN[query.sort]
        if query.descending:
            order = f"{column} DESC, seq DESC" if column != "seq" else "seq DESC"
        else:
            order = f"({column} IS NULL), {column}, seq" if column != "seq" else "seq"
        offset = (query.page - 1) * query.page_size
        with self._connect() as connection:
            total = connection.execute(f"SELECT COUNT(*) FROM runs {where}", parameters).fetchone()[0]
            rows = connection.execute(
                f"SELECT {_LIST_COLUMNS} FROM runs {where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*parameters, query.page_size, offset),
            ).fetchall()
        return Page[BacktestRunInfo](
            items=[_run_info(row) for row in rows], total=total, page=query.page, page_size=query.page_size
        )

    def active(self) -> list[BacktestRunInfo]:
        """Queued and running runs, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {_LIST_COLUMNS} FROM runs WHERE status IN ('queued', 'running') ORDER BY seq"
            ).fetchall()
        return [_run_info(row) for row in rows]

    def set_content_hash(self, run_id: str, digest: str) -> None:
        """Record the digest of the run's result (``results.files.content_digest``)."""
        self._update(run_id, {"content_hash": digest})

    def runs_without_digest(self) -> list[tuple[str, Path]]:
        """``(run id, its main result file)`` of finished runs stored without a content digest."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, algorithm_id FROM runs WHERE content_hash IS NULL AND status NOT IN ('queued', 'running')"
            ).fetchall()
        return [(row["id"], self.runs_dir / row["id"] / f"{row['algorithm_id']}.json") for row in rows]

    def undescribed(self) -> list[BacktestRunInfo]:
        """Ended runs stored without a description, oldest first (``store.backfill`` describes them)."""
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {_LIST_COLUMNS} FROM runs WHERE {UNDESCRIBED} ORDER BY seq").fetchall()
        return [_run_info(row) for row in rows]

    def find_by_content(self, digest: str) -> str | None:
        """The run whose result has this digest (the oldest, if several), or None."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT id FROM runs WHERE content_hash = ? ORDER BY seq LIMIT 1", (digest,)
            ).fetchone()
        return row["id"] if row else None

    def find_by_source(self, source_key: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute("SELECT id FROM runs WHERE source_key = ?", (source_key,)).fetchone()
        return row["id"] if row else None

    def add_imported(self, row: dict[str, Any], tags: list[str]) -> None:
        """Insert a finished run copied in by the importer (folder already in place)."""
        with self._write() as connection:
            _insert(connection, row)
            _replace_tags(connection, row["id"], tags)

    # -- helpers ---------------------------------------------------------------------------------------

    def _field(self, run_id: str, column: str) -> Any:
        check_run_id(run_id)
        with self._connect() as connection:
            row = connection.execute(f"SELECT {column} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFound(run_id)
        return row[0]

    def _update(self, run_id: str, values: dict[str, Any]) -> None:
        check_run_id(run_id)
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._write() as connection:
            cursor = connection.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values.values(), run_id))
        if cursor.rowcount == 0:
            raise RunNotFound(run_id)


def _insert(connection: sqlite3.Connection, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    connection.execute(f"INSERT INTO runs ({columns}) VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))


def _queued_row(run_id: str, request: BacktestRequest, now: datetime, sweep_id: str | None) -> dict[str, Any]:
    return {
        "id": run_id,
        "name": request.display_name(),
        "strategy": Path(request.strategy).name if "/" in request.strategy else request.strategy,
        "engine": request.engine.value,
        "status": BacktestStatus.QUEUED.value,
        "origin": RunOrigin.SUBMITTED.value,
        "created_at": now.isoformat(),
        "request": request.model_dump_json(),
        "algorithm_id": run_id,
        "tags": json.dumps(request.tags),
        "sweep_id": sweep_id,
    }


def _replace_tags(connection: sqlite3.Connection, run_id: str, tags: list[str]) -> None:
    connection.execute("DELETE FROM run_tags WHERE run_id = ?", (run_id,))
    connection.executemany("INSERT INTO run_tags (run_id, tag) VALUES (?, ?)", [(run_id, tag) for tag in tags])


def _filters(query: RunQuery) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    parameters: list[Any] = []
    if query.strategy:
        clauses.append("strategy = ?")
        parameters.append(query.strategy)
    if query.status:
        clauses.append(f"status IN ({', '.join('?' for _ in query.status)})")
        parameters.extend(status.value for status in query.status)
    if query.tag:
        clauses.append("id IN (SELECT run_id FROM run_tags WHERE tag = ?)")
        parameters.append(query.tag)
    if query.date_from:
        clauses.append("created_at >= ?")
        parameters.append(datetime.combine(query.date_from, time.min, UTC).isoformat())
    if query.date_to:
        clauses.append("created_at <= ?")
        parameters.append(datetime.combine(query.date_to, time.max, UTC).isoformat())
    if query.text:
        clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in ("name", "strategy", "id", "note")) + ")")
        pattern = "%" + query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        parameters.extend([pattern] * 4)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, tuple(parameters)


def _run_info(row: sqlite3.Row) -> BacktestRunInfo:
    return BacktestRunInfo(
        id=row["id"],
        name=row["name"],
        strategy=row["strategy"],
        engine=row["engine"],
        status=row["status"],
        origin=row["origin"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        request=BacktestRequest.model_validate_json(row["request"]),
        error=row["error"],
        traceback=row["traceback"],
        tags=json.loads(row["tags"]),
        note=row["note"],
        stats=KeyStatistics(**{column: row[column] for column in KEY_STATISTICS}),
        source_path=row["source_path"],
        description=RunDescription.model_validate_json(row["description"]),
        sweep_id=row["sweep_id"],
        executor=row["executor"],
    )
