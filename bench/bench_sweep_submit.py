"""Submitting a sweep of 10 runs and of 500 runs: latency and memory, measured in the same run.

Targets (issue 15): submit time of 500 runs ≤ 5x that of 10 runs; 500 queued runs hold ≤ 50 MB over idle
(a queued run is a row, not a process). The store's one slot is held by a placeholder run owned by this
process (as when a long backtest is executing), so every sweep run stays queued and no engine starts.

Measured two ways: in process (``plan_sweep`` + ``submit_sweep``, best of ``--repeat``) and as the analyst
types it (``python -m backtest_core sweep ...`` wall time, best of ``--repeat``, interpreter start included).
Memory: this process's own growth (USS) from idle (warmed up) to just after one 500-run submission, and the
processes started for the store's runs (supervisors, engines) with their RSS. The data folder holds the
SYNTHETIC sample for SPY (a sweep is refused without data for its symbols).

    .venv/bin/python -m bench.bench_sweep_submit [--repeat 5]   (from the project root)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from backtest_core.models import BacktestRequest
from backtest_core.models.sweep import Objective
from backtest_core.runs.dispatch import settings_environment
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import build_grid
from backtest_core.sweeps.launch import cancel_sweep, plan_sweep, submit_sweep
from bench.timing import best_ms

GRIDS = {10: ["fast=5:50:5"], 500: ["fast=1:50:1", "slow=60:510:50"]}  # 10 and 50 x 10 combinations


def _hold_the_slot(store: RunStore) -> None:
    """A running placeholder owned by this live process: recovery leaves it alone, so the slot stays taken."""
    store.create(BacktestRequest(strategy="sma_crossover"), None)
    claimed = store.claim_next(1)
    me = psutil.Process()
    store.set_runtime(claimed.id, supervisor_pid=me.pid, supervisor_started=me.create_time())


def _submit(settings: Settings, runs: int) -> str:
    base = BacktestRequest(strategy="sma_crossover")
    plan = plan_sweep(base, build_grid(GRIDS[runs]), Objective(), settings)
    assert len(plan.requests) == runs
    return submit_sweep(plan, settings).id


def _store_processes(home: Path) -> list[psutil.Process]:
    """Supervisors and engines of this store (their environment names its home)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            ours = "backtest_core" in " ".join(process.info["cmdline"] or []) and process.pid != os.getpid()
            if ours and process.environ().get("BACKTEST_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _cli_ms(settings: Settings, runs: int, repeat: int) -> float:
    arguments = [sys.executable, "-m", "backtest_core", "sweep", "sma_crossover"]
    for spec in GRIDS[runs]:
        arguments += ["--param", spec]
    environment = settings_environment(settings)
    return best_ms(lambda: subprocess.run(arguments, cwd=PROJECT_ROOT, env=environment, check=True,
                                          capture_output=True), repeat)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        settings = Settings(home=Path(folder), max_concurrent=1, max_sweep_runs=1000)
        write_sample_data(settings.data_dir, minute_days=0, tickers=("SPY",))
        store = RunStore(settings)
        _hold_the_slot(store)
        _submit(settings, 10)  # warm: imports, first connection, the strategy's parse
        me = psutil.Process()
        idle_uss = me.memory_full_info().uss
        _submit(settings, 500)
        after_uss = me.memory_full_info().uss
        processes = _store_processes(settings.home)
        timings = {runs: best_ms(lambda runs=runs: _submit(settings, runs), args.repeat) for runs in GRIDS}
        queued = sum(SweepStore(store).counts(s.id).queued for s in SweepStore(store).list())
        cli = {runs: _cli_ms(settings, runs, args.repeat) for runs in GRIDS}
        for sweep in SweepStore(store).list():
            cancel_sweep(sweep.id, settings)
    rss = sum(p.memory_info().rss for p in processes if p.is_running())
    print(f"in process: 10 runs {timings[10]:.1f} ms, 500 runs {timings[500]:.1f} ms, "
          f"ratio {timings[500] / timings[10]:.2f} (target <= 5)")  # fmt: skip
    print(f"command line: 10 runs {cli[10]:.0f} ms, 500 runs {cli[500]:.0f} ms, ratio {cli[500] / cli[10]:.2f}")
    print(f"after one 500-run submission: processes of the store's runs {len(processes)} ({rss / 2**20:.1f} MB "
          f"RSS), this process grew {(after_uss - idle_uss) / 2**20:.1f} MB (USS) over idle "
          f"(target: 500 queued <= 50 MB over idle); {queued} queued rows in all at the end")  # fmt: skip


if __name__ == "__main__":
    main()
