"""What a monitor poll costs: ``progress(id)`` and ``active()`` with 1 and with 50 active runs, and with a
100 MB log in the polled run's folder, all against a real SQLite store in the same run.

Goal: a poll with 50 active runs and a 100 MB log within 2x of a poll with 1 run and an empty log. Active
runs here are owned by this process (it holds their supervisor locks, as a supervisor does), so recovery
checks them and leaves them.

    .venv/bin/python -m bench.bench_polling [--repeat 51]   (from the project root)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psutil

from backtest_core import runs
from backtest_core.models import BacktestProgress, BacktestRequest, BacktestStatus
from backtest_core.runs import ownership
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from bench.timing import best_ms

LOG_MB = 100


LOCKS: list[object] = []  # open lock handles: the runs stay owned while the benchmark runs


def store_with_active(home: Path, count: int, log_mb: int) -> tuple[Settings, str]:
    settings = Settings(home=home, strategies=Path(__file__).parent.parent / "strategies")
    store = RunStore(settings)
    me = psutil.Process()
    first = ""
    for index in range(count):
        run = store.create(BacktestRequest(strategy="sma_crossover", name=f"active {index}"), None)
        store.mark_if(run.id, BacktestStatus.QUEUED, BacktestStatus.RUNNING)
        store.set_runtime(run.id, supervisor_pid=me.pid, supervisor_started=me.create_time())
        LOCKS.append(ownership.hold(store.run_dir(run.id)))
        progress = BacktestProgress(
            run_id=run.id, status=BacktestStatus.RUNNING, percent=42.0, simulated_time=datetime.now(UTC),
            equity=101_234.5, equity_points=[(float(i), 100_000.0 + i) for i in range(200)],
            statistics={"Equity": "$101,234.50", "Return": "1.23 %"}, log_tail=[f"line {i}" for i in range(30)],
        )  # fmt: skip
        store.update_progress(run.id, progress)
        first = first or run.id
    if log_mb:
        line = b"2026-01-01T00:00:00.0000000Z TRACE:: " + b"x" * 90 + b"\n"
        with (store.run_dir(first) / "log.txt").open("wb") as log:
            for _ in range(log_mb * 1024 * 1024 // len(line)):
                log.write(line)
    return settings, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=51)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        small, small_id = store_with_active(Path(root, "one"), 1, 0)
        large, large_id = store_with_active(Path(root, "fifty"), 50, LOG_MB)
        log_size = os.path.getsize(RunStore(large).run_dir(large_id) / "log.txt") / 1e6
        rows = [
            ("progress(id)", lambda: runs.progress(small_id, small), lambda: runs.progress(large_id, large)),
            ("active()", lambda: runs.active(small), lambda: runs.active(large)),
            (
                "monitor poll: active_progress()",
                lambda: runs.active_progress(small),
                lambda: runs.active_progress(large),
            ),
        ]
        print(f"{'poll':<42} {'1 run, no log':>14} {f'50 runs, {log_size:.0f} MB log':>20} {'ratio':>7}")
        for name, few, many in rows:
            a, b = best_ms(few, args.repeat), best_ms(many, args.repeat)
            print(f"{name:<42} {a:12.2f}ms {b:18.2f}ms {b / a:6.2f}x")


if __name__ == "__main__":
    main()
