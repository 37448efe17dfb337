"""A 16-run sweep (over ``fast``, launched as the Run page launches one) on the local queue (limit 2) against
the same sweep on a loopback Dask cluster, in the same run.

Configurations, interleaved over ``--rounds`` (this shared machine's speed drifts from minute to minute):
``local`` (two supervisors at a time), ``cluster-2`` (two ``dask worker`` processes, one thread each) and
``cluster-1`` (one worker): the throughput at 1 and 2 workers. Each sweep starts cold (a fresh store, so the
cluster relay starts with it). Per run, from the store and the run's own LEAN log:
- slot -> engine: the run claimed into a slot (``started_at``) to the engine's first log line;
- engine end -> stored: the engine's last line to ``finished_at`` (result home, indexed, described).
The relay's CPU per run (after its start, which is paid once per sweep) and the scheduler's (above its idle
rate) bound how many workers one relay can keep busy.
Goal: cluster-2 wall time within 1.2x of local.

    .venv/bin/python -m bench.bench_cluster [--runs 16] [--rounds 2] [--pause 0.01]   (from the project root)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from backtest_core import runs
from backtest_core.cluster.control import read_state
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.models.sweep import Objective
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import SweepGrid, build_grid
from backtest_core.sweeps.launch import plan_sweep, submit_sweep
from tests.cluster.loopback import LoopbackCluster, stop_relay

ALGORITHMS = PROJECT_ROOT / "tests" / "algorithms"
ENGINE_FIRST = "Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE"
ENGINE_LAST = "Analysis Completed and Results Posted"


@dataclass
class Sweep:
    name: str
    wall_s: float
    slot_to_engine_s: list[float]
    engine_to_stored_s: list[float]
    engine_s: list[float]
    relay_cpu_s: float | None = None  # after it connected
    scheduler_cpu_s: float | None = None  # above its idle rate
    relay_start_cpu_s: float | None = None
    load: float = 0.0  # the machine's 1-minute load average as the sweep ended (2 cores, shared)


def log_time(line: str) -> float:
    """A LEAN log line's UTC time (seven fractional digits) as epoch seconds."""
    return datetime.fromisoformat(line[:26]).replace(tzinfo=UTC).timestamp()


def engine_span(folder: Path) -> tuple[float, float]:
    lines = (folder / "log.txt").read_text().splitlines()
    first = next(line for line in lines if ENGINE_FIRST in line)
    last = next(line for line in lines if ENGINE_LAST in line)
    return log_time(first), log_time(last)


def run_sweep(
    name: str, request: BacktestRequest, grid: SweepGrid, data: Path, cluster: LoopbackCluster | None
) -> Sweep:
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as home:
        settings = Settings(home=Path(home), data=data, strategies=ALGORITHMS, max_concurrent=2,
                            cluster=cluster.address if cluster else None)  # fmt: skip
        scheduler = psutil.Process(cluster.scheduler.pid) if cluster and cluster.scheduler else None
        idle_rate = cpu_rate(scheduler) if scheduler else 0.0  # its heartbeats with the workers, run or not
        scheduler_before = cpu_seconds(scheduler) if scheduler else 0.0
        began = time.time()
        sweep = submit_sweep(plan_sweep(request, grid, Objective(), settings), settings)  # as the Run page does
        ids = [run.id for run in SweepStore(RunStore(settings)).run_infos(sweep.id)]
        relay_started = None
        if cluster:  # the relay's start (imports, connection) is paid once per sweep, not per run
            while (state := read_state(settings)) is None or not state.connected:
                time.sleep(0.05)
            relay = psutil.Process(state.pid)
            relay_started = cpu_seconds(relay)
        finished = [runs.wait(run_id, settings, timeout=1800) for run_id in ids]
        assert all(run.status == BacktestStatus.COMPLETED for run in finished), [run.error for run in finished]
        relay_cpu = None
        if cluster:
            relay_cpu = cpu_seconds(relay) - (relay_started or 0.0)
            stop_relay(settings)
        store = RunStore(settings)
        to_engine, to_stored, engine = [], [], []
        for run in finished:
            first, last = engine_span(store.run_dir(run.id))
            to_engine.append(first - run.started_at.timestamp())
            to_stored.append(run.finished_at.timestamp() - last)
            engine.append(last - first)
        wall = max(run.finished_at.timestamp() for run in finished) - began
        scheduler_cpu = cpu_seconds(scheduler) - scheduler_before - idle_rate * wall if scheduler else None
        load = os.getloadavg()[0]
        return Sweep(name, wall, to_engine, to_stored, engine, relay_cpu, scheduler_cpu, relay_started, load)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def cpu_rate(process: psutil.Process, seconds: float = 5.0) -> float:
    before = cpu_seconds(process)
    time.sleep(seconds)
    return (cpu_seconds(process) - before) / seconds


def describe(sweep: Sweep, runs_count: int, local_wall: float) -> str:
    per_run = f"{sweep.relay_cpu_s / runs_count * 1000:.0f}" if sweep.relay_cpu_s is not None else "-"
    # the relay's CPU for each second a run executes: what one more concurrent run costs it
    run_seconds = sum(sweep.engine_s) + sum(sweep.slot_to_engine_s) + sum(sweep.engine_to_stored_s)
    per_second = f"{sweep.relay_cpu_s / run_seconds * 1000:.1f}" if sweep.relay_cpu_s is not None else "-"
    scheduler = f"{sweep.scheduler_cpu_s / runs_count * 1000:.0f}" if sweep.scheduler_cpu_s is not None else "-"
    start = f"{sweep.relay_start_cpu_s:.1f} s" if sweep.relay_start_cpu_s is not None else "-"
    return (
        f"| {sweep.name} | {sweep.wall_s:.1f} s | {sweep.wall_s / local_wall:.2f}x | "
        f"{runs_count / sweep.wall_s * 60:.1f} | {statistics.median(sweep.engine_s):.1f} s | "
        f"{statistics.median(sweep.slot_to_engine_s) * 1000:.0f} ms | "
        f"{statistics.median(sweep.engine_to_stored_s) * 1000:.0f} ms | {start} | {per_run} ms | {per_second} ms | "
        f"{scheduler} ms | {sweep.load:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.01, help="seconds paced_daily sleeps per bar")
    arguments = parser.parse_args()
    data = Settings().shared / "lean-data"
    request = BacktestRequest(strategy="paced_daily", parameters={"pause": str(arguments.pause)})
    grid = build_grid([f"fast=2:{arguments.runs + 1}:1"])
    columns = ["configuration", "wall", "vs local", "runs/min", "engine (median)", "slot -> engine (median)",
               "engine end -> stored (median)", "relay start CPU", "relay CPU/run", "relay CPU per run-second",
               "scheduler CPU/run", "load"]  # fmt: skip
    print(f"| {' | '.join(columns)} |")
    print("|---|" + "---:|" * (len(columns) - 1))
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as folder:
        for round_number in range(arguments.rounds):
            local = run_sweep(f"local (limit 2), round {round_number + 1}", request, grid, data, None)
            print(describe(local, arguments.runs, local.wall_s), flush=True)
            for workers in (2, 1):
                cluster = LoopbackCluster(Path(folder) / f"r{round_number}-w{workers}", data)
                cluster.folder.mkdir()
                try:
                    cluster.start(workers=workers)
                    sweep = run_sweep(f"cluster-{workers}, round {round_number + 1}", request, grid, data, cluster)
                finally:
                    cluster.stop()
                print(describe(sweep, arguments.runs, local.wall_s), flush=True)


if __name__ == "__main__":
    main()
