"""The run lifecycle with real supervisor processes, a real store and the embedded engine on real data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from backtest_core import runs
from backtest_core.models import BacktestProgress, BacktestRequest, BacktestStatus
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.strategies import resolve_project

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
pytestmark = pytest.mark.slow


@pytest.fixture
def settings(studio_home: Settings, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    monkeypatch.setenv("BACKTEST_MAX_CONCURRENT", "2")
    yield Settings()
    for run in RunStore(Settings()).active():  # a failed test must not leave an endless algorithm running
        runs.cancel(run.id, Settings())
        runs.wait(run.id, Settings(), timeout=30)


def request(strategy: str, **fields: object) -> BacktestRequest:
    return BacktestRequest(strategy=strategy, **fields)


def until(condition: Callable[[], object], timeout: float = 60, what: str = "condition") -> object:
    """Poll the store (the system under test offers no push events) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def log_has(store: RunStore, run_id: str, text: str) -> bool:
    path = store.run_dir(run_id) / "log.txt"
    return path.exists() and text in path.read_text()


def test_six_runs_with_a_limit_of_two_all_complete_in_order(settings: Settings) -> None:
    """Six runs are three generations of two: the middle one both waits for a slot and hands one on, enough
    to see first-in-first-out and the limit held."""
    store = RunStore(settings)
    ids = [runs.submit(request("hold_spy_daily", name=f"run {i:02d}"), settings) for i in range(6)]
    most_running = 0
    while True:
        active = runs.active(settings)
        most_running = max(most_running, sum(run.status == BacktestStatus.RUNNING for run in active))
        if not active:
            break
        time.sleep(0.05)
    finished = [store.get(run_id) for run_id in ids]
    assert [run.status for run in finished] == [BacktestStatus.COMPLETED] * 6, [r.error for r in finished]
    assert most_running <= 2
    starts = [run.started_at for run in finished]
    assert starts == sorted(starts)  # first in, first out
    events = sorted([(run.started_at, 1) for run in finished] + [(run.finished_at, -1) for run in finished])
    overlap, peak = 0, 0
    for _, step in events:
        overlap += step
        peak = max(peak, overlap)
    assert peak <= 2
    assert all(run.stats.end_equity == pytest.approx(104486.22) for run in finished)


def test_run_survives_the_process_that_submitted_it(settings: Settings) -> None:
    script = "from backtest_core import runs; from backtest_core.models import BacktestRequest; " \
             "print(runs.submit(BacktestRequest(strategy='hold_spy_minute_pascal')))"  # fmt: skip
    output = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True, timeout=60)  # fmt: skip
    run_id = output.stdout.strip()
    run = runs.wait(run_id, settings, timeout=120)
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert RunStore(settings).result(run_id).statistics.raw["End Equity"] == "101691.92"
    assert (RunStore(settings).run_dir(run_id) / "code" / "main.py").exists()  # the code as it was run


def test_kill_9_of_a_supervisor_fails_the_run_with_a_reason_and_leaves_no_engine(settings: Settings) -> None:
    store = RunStore(settings)
    run_id = runs.submit(request("loops_forever"), settings)
    until(lambda: log_has(store, run_id, "entering an endless loop"), what="the algorithm's loop")
    supervisor = psutil.Process(store.runtime(run_id)["supervisor_pid"])
    engine_processes = supervisor.children(recursive=True)
    assert engine_processes
    os.kill(supervisor.pid, signal.SIGKILL)
    # gone for good: a killed process shows as a zombie while its other threads still exit (and hold its files)
    until(lambda: not supervisor.is_running(), what="the kill")
    assert all(run.id != run_id for run in runs.active(settings))  # resolved on the next poll
    run = store.get(run_id)
    assert run.status == BacktestStatus.FAILED
    assert "supervisor" in run.error and "ended without finishing" in run.error
    assert log_has(store, run_id, "ended without finishing")
    psutil.wait_procs(engine_processes, timeout=10)
    assert not [p for p in engine_processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_cancel_running_queued_and_finished(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKTEST_MAX_CONCURRENT", "1")
    settings = Settings()
    store = RunStore(settings)
    busy = runs.submit(request("loops_forever"), settings)
    waiting = runs.submit(request("hold_spy_daily"), settings)
    until(lambda: log_has(store, busy, "entering an endless loop"), what="the busy run's loop")
    assert store.get(waiting).status == BacktestStatus.QUEUED

    answer = runs.cancel(waiting, settings)
    assert answer.status == BacktestStatus.CANCELLED and "will not start" in answer.message
    answer = runs.cancel(busy, settings)
    assert "being stopped" in answer.message
    stopped = runs.wait(busy, settings, timeout=30)
    assert stopped.status == BacktestStatus.CANCELLED
    assert log_has(store, busy, "entering an endless loop")  # partial log kept
    never = store.get(waiting)
    assert never.status == BacktestStatus.CANCELLED and never.started_at is None

    answer = runs.cancel(busy, settings)
    assert "already ended" in answer.message and store.get(busy).status == BacktestStatus.CANCELLED


def test_cancel_right_after_submit_ends_cancelled(settings: Settings) -> None:
    run_id = runs.submit(request("hold_spy_minute_pascal"), settings)
    answer = runs.cancel(run_id, settings)
    assert answer.message
    run = runs.wait(run_id, settings, timeout=60)
    assert run.status == BacktestStatus.CANCELLED


def test_failing_strategies_are_stored_as_failed_with_error_and_log(settings: Settings) -> None:
    store = RunStore(settings)
    broken = runs.submit(request("import_error"), settings)
    raising = runs.submit(request("raises_in_on_data"), settings)
    first, second = runs.wait(broken, settings, timeout=60), runs.wait(raising, settings, timeout=60)
    assert first.status == BacktestStatus.FAILED and "a_module_that_does_not_exist" in first.error
    assert log_has(store, broken, "a_module_that_does_not_exist")
    assert second.status == BacktestStatus.FAILED and second.error.startswith("Runtime Error: ZeroDivisionError")
    assert "Traceback" in (second.traceback or "")
    assert len(store.result(raising).orders) == 1  # the partial result is stored
    assert second.stats.total_orders == 1


def test_progress_is_reported_while_running(settings: Settings) -> None:
    store = RunStore(settings)
    run_id = runs.submit(request("loops_forever"), settings)

    def stuck_report() -> BacktestProgress | None:
        report = runs.progress(run_id, settings)
        return report if report and any("entering an endless loop" in line for line in report.log_tail) else None

    # lines logged before the algorithm got stuck reach the monitor (written within a second, in order)
    report = until(stuck_report, what="the algorithm's last log line in the progress row")
    assert report.status == BacktestStatus.RUNNING
    launch = [i for i, line in enumerate(report.log_tail) if "Launching analysis" in line]
    assert launch and launch[0] < len(report.log_tail) - 1
    runs.cancel(run_id, settings)
    assert runs.wait(run_id, settings, timeout=30).status == BacktestStatus.CANCELLED
    assert store.get_progress(run_id) is not None


def cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backtest_core", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=180, env=env)  # fmt: skip


def test_cli_run_wait_json_status_logs_and_bad_input(settings: Settings) -> None:
    done = cli("run", "hold_spy_daily", "--wait", "--json", "--param", "note=x")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["status"] == "completed" and body["error"] is None
    assert body["statistics"]["End Equity"] == "104486.22"
    assert cli("status", body["id"]).stdout.startswith(f"{body['id']}: completed")
    assert "STATISTICS:: Total Orders 1" in cli("logs", body["id"]).stdout

    started = cli("run", str(ALGORITHMS / "raises_in_on_data"), "--json")
    run_id = json.loads(started.stdout)["id"]
    failed = cli("wait", run_id, "--json")
    assert failed.returncode == 1 and json.loads(failed.stdout)["status"] == "failed"

    bad = cli("run", "hold_spy_daily", "--start", "2013-10-17", "--end", "2013-10-08")
    assert bad.returncode == 2 and "end_date" in bad.stderr
    unknown = cli("run", "no_such_strategy")
    assert unknown.returncode == 2 and "no_such_strategy" in unknown.stderr
    param = cli("run", "hold_spy_daily", "--param", "oops")
    assert param.returncode == 2 and "KEY=VALUE" in param.stderr


def test_a_queued_run_is_a_row_not_a_process_and_moves_when_a_slot_frees(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKTEST_MAX_CONCURRENT", "1")
    settings = Settings()
    store = RunStore(settings)
    busy = runs.submit(request("loops_forever"), settings)
    waiting = [runs.submit(request("hold_spy_daily"), settings) for _ in range(3)]
    until(lambda: log_has(store, busy, "entering an endless loop"), what="the busy run's loop")
    for run_id in waiting:
        assert store.get(run_id).status == BacktestStatus.QUEUED
        assert store.runtime(run_id)["supervisor_pid"] is None
    holders = [
        p for p in psutil.process_iter(["cmdline"]) if any(i in " ".join(p.info["cmdline"] or []) for i in waiting)
    ]
    assert not holders  # nothing waits in a process
    runs.cancel(busy, settings)
    # no poll from here: the ending supervisor hands its slot on, and each later one does the same
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(store.get(i).status.is_active for i in waiting):
        time.sleep(0.2)
    assert [store.get(i).status for i in waiting] == [BacktestStatus.COMPLETED] * 3
    starts = [store.get(i).started_at for i in waiting]
    assert starts == sorted(starts)


def test_a_queued_row_left_by_a_dead_dispatcher_starts_on_the_next_poll(settings: Settings) -> None:
    store = RunStore(settings)
    # as if the submitting process died between recording the run and dispatching it
    run = store.create(request("hold_spy_daily"), resolve_project("hold_spy_daily", settings.strategies))
    assert store.get(run.id).status == BacktestStatus.QUEUED
    runs.active(settings)  # any poll (monitor, CLI, dashboard start) dispatches
    assert store.get(run.id).status != BacktestStatus.QUEUED
    assert runs.wait(run.id, settings, timeout=60).status == BacktestStatus.COMPLETED
