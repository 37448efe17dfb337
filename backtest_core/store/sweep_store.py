"""Sweeps in the index: one row per sweep (its definition as JSON), its runs found by ``runs.sweep_id``.

Shares the run store's database and connections, so a sweep and its runs are written in one place.
"""

from __future__ import annotations

from backtest_core.errors import StudioError
from backtest_core.models import BacktestRunInfo, BacktestStatus
from backtest_core.models.sweep import SweepCounts, SweepInfo, SweepState
from backtest_core.store.folders import check_run_id
from backtest_core.store.run_store import _LIST_COLUMNS, RunStore, _run_info


class SweepNotFound(StudioError):
    def __init__(self, sweep_id: str) -> None:
        super().__init__(
            f"id: no sweep {sweep_id!r} in the store", "`python -m backtest_core sweep list` shows the stored sweeps."
        )


class SweepStore:
    """Sweeps of one store; ``runs`` is the run store they live beside."""

    def __init__(self, runs: RunStore) -> None:
        self.runs = runs

    def add(self, sweep: SweepInfo) -> None:
        with self.runs._write() as connection:
            connection.execute(
                "INSERT INTO sweeps (id, name, strategy, created_at, state, body) VALUES (?, ?, ?, ?, ?, ?)",
                (sweep.id, sweep.name, sweep.strategy, sweep.created_at.isoformat(), sweep.state.value,
                 sweep.model_dump_json()),
            )  # fmt: skip

    def get(self, sweep_id: str) -> SweepInfo:
        check_run_id(sweep_id)
        with self.runs._connect() as connection:
            row = connection.execute("SELECT body, state FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
        if row is None:
            raise SweepNotFound(sweep_id)
        sweep = SweepInfo.model_validate_json(row["body"])
        sweep.state = SweepState(row["state"])
        return sweep

    def find_by_source(self, source_path: str) -> SweepInfo | None:
        """The sweep imported from ``source_path`` (a lean optimize folder), if any."""
        with self.runs._connect() as connection:
            row = connection.execute(
                "SELECT id FROM sweeps WHERE json_extract(body, '$.source_path') = ?", (source_path,)
            ).fetchone()
        return self.get(row["id"]) if row else None

    def list(self, limit: int = 200) -> list[SweepInfo]:
        """Newest first."""
        with self.runs._connect() as connection:
            rows = connection.execute("SELECT body, state FROM sweeps ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
        sweeps = [SweepInfo.model_validate_json(row["body"]) for row in rows]
        for sweep, row in zip(sweeps, rows, strict=True):
            sweep.state = SweepState(row["state"])
        return sweeps

    def set_state(self, sweep_id: str, state: SweepState) -> None:
        with self.runs._write() as connection:
            connection.execute("UPDATE sweeps SET state = ? WHERE id = ?", (state.value, sweep_id))

    def run_infos(self, sweep_id: str) -> list[BacktestRunInfo]:
        """The sweep's runs in the order they were queued."""
        check_run_id(sweep_id)
        with self.runs._connect() as connection:
            rows = connection.execute(
                f"SELECT {_LIST_COLUMNS} FROM runs WHERE sweep_id = ? ORDER BY seq", (sweep_id,)
            ).fetchall()
        return [_run_info(row) for row in rows]

    def counts(self, sweep_id: str) -> SweepCounts:
        """Runs by status in one indexed query (what a live page polls)."""
        check_run_id(sweep_id)
        with self.runs._connect() as connection:
            rows = connection.execute(
                "SELECT status, COUNT(*) AS n FROM runs WHERE sweep_id = ? GROUP BY status", (sweep_id,)
            ).fetchall()
        return SweepCounts(**{BacktestStatus(row["status"]).value: row["n"] for row in rows})

    def active_ids(self, sweep_id: str) -> list[str]:
        with self.runs._connect() as connection:
            rows = connection.execute(
                "SELECT id FROM runs WHERE sweep_id = ? AND status IN ('queued', 'running') ORDER BY seq", (sweep_id,)
            ).fetchall()
        return [row["id"] for row in rows]
