"""The supervisor's side of an engine's reports: progress and log lines, written to the store at most 1/s.

The store row holds everything a monitor needs (percent, simulated time, equity and a short equity history,
partial statistics, the last log lines), so a poll reads one small row and never the log file.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime

from backtest_core.engines.base import EngineProgress
from backtest_core.models import BacktestProgress, BacktestStatus
from backtest_core.store import RunStore

WRITE_INTERVAL_S = 1.0
LOG_TAIL_LINES = 30
MAX_EQUITY_POINTS = 200


class StoreProgressSink:
    """A ``ProgressSink`` that keeps the latest state and writes it to the store about once a second."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.state = BacktestProgress(run_id=run_id, status=BacktestStatus.RUNNING)
        self.tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
        self.lock = threading.Lock()
        self.last_write = 0.0
        self.dirty = False  # something arrived since the last write
        self.moved_at = time.monotonic()  # when percent or simulated time last changed (stall detection)

    def progress(self, report: EngineProgress) -> None:
        with self.lock:
            state = self.state
            simulated = report.simulated_time or state.simulated_time
            if report.percent > state.percent or simulated != state.simulated_time:
                self.moved_at = time.monotonic()
                state.stalled_since = None
            state.percent = max(state.percent, report.percent)
            state.simulated_time = simulated
            state.period_start = report.period_start or state.period_start
            state.period_end = report.period_end or state.period_end
            if report.equity is not None:
                state.equity = report.equity
                if report.simulated_time is not None:
                    _append_thinned(state.equity_points, (report.simulated_time.timestamp(), report.equity))
            if report.statistics:
                state.statistics = dict(report.statistics)
        self._maybe_write()

    def log(self, line: str) -> None:
        with self.lock:
            for part in line.splitlines() or [""]:
                self.tail.append(part)
        self._maybe_write()

    def message(self, text: str) -> None:
        with self.lock:
            self.state.message = text
        self.flush()

    def mark_stalled(self, since: datetime) -> None:
        """The monitor shows the run as stalled since ``since`` until progress moves again."""
        with self.lock:
            self.state.stalled_since = since
        self.flush()

    def flush(self) -> None:
        with self.lock:
            self.state.log_tail = list(self.tail)
            self.state.updated_at = datetime.now(UTC)
            snapshot = self.state.model_copy(deep=True)
            self.last_write = time.monotonic()
            self.dirty = False
        self.store.update_progress(self.run_id, snapshot)

    def flush_pending(self) -> None:
        """Write what arrived since the last write once the interval has passed (called by a timer, so the
        last lines before a quiet spell, e.g. an algorithm stuck in a loop, still reach the monitor)."""
        if self.dirty and time.monotonic() - self.last_write >= WRITE_INTERVAL_S:
            self.flush()

    def _maybe_write(self) -> None:
        self.dirty = True
        self.flush_pending()


def _append_thinned(points: list[tuple[float, float]], point: tuple[float, float]) -> None:
    """Keep at most ~MAX_EQUITY_POINTS evenly thinned points (every other one dropped when full)."""
    points.append(point)
    if len(points) > MAX_EQUITY_POINTS:
        del points[1:-1:2]
