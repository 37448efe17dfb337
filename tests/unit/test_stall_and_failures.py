"""Runs that go wrong are reported as what they are (real supervisors, real engine processes, real data): a
stall is flagged or stopped, a failed statistics step is that error, a killed engine says it was killed, a
cancel says what it left, and CLI input the engine cannot compute is refused with the bound."""

from __future__ import annotations

import decimal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import psutil
import pytest

from backtest_core import runs
from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded import recorder
from backtest_core.engines.embedded.engine import EmbeddedEngine
from backtest_core.engines.embedded.runner import WRITING_FAILED, run_backtest
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from tests.recording_sink import RecordingSink

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
STRATEGIES = PROJECT_ROOT / "strategies"
pytestmark = pytest.mark.slow


@pytest.fixture
def settings(studio_home: Settings, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    monkeypatch.setenv("BACKTEST_STALL_SECONDS", "3")
    yield Settings()
    for run in RunStore(Settings()).active():
        runs.cancel(run.id, Settings())
        runs.wait(run.id, Settings(), timeout=30)


def until(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_endless_loop_is_flagged_as_stalled_on_the_monitor_and_in_the_run(settings: Settings) -> None:
    run_id = runs.submit(BacktestRequest(strategy="loops_forever"), settings)

    def stall_warning() -> str:
        found = [w.message for w in runs.status(run_id, settings).description.warnings if w.code == "stalled"]
        return found[0] if found and "13:31 UTC" in found[0] and "endless loop" in found[0] else ""

    message = until(stall_warning, what="a stall warning at the loop's simulated time")
    assert "made no progress for" in message and "endless loop" in message
    assert runs.progress(run_id, settings).stalled_since is not None  # what the Monitor shows
    assert runs.status(run_id, settings).status == BacktestStatus.RUNNING  # flagged, not stopped
    runs.cancel(run_id, settings)
    run = runs.wait(run_id, settings, timeout=60)
    assert run.status == BacktestStatus.CANCELLED and "stalled" in [w.code for w in run.description.warnings]
    assert run.error == "Cancelled by the user before the engine wrote a result; only its log is kept."


def test_with_stall_stop_a_stalled_run_is_stopped_as_failed_with_the_reason(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKTEST_STALL_STOP", "true")
    run_id = runs.submit(BacktestRequest(strategy="loops_forever"), Settings())
    run = runs.wait(run_id, Settings(), timeout=90)
    assert run.status == BacktestStatus.FAILED
    assert run.error.startswith("Stopped by Backtest Studio:") and "BACKTEST_STALL_STOP" in run.error


SLOW_STEPS = """from AlgorithmImports import *
import time


class SlowSteps(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2010, 1, 1)
        self.set_end_date(2014, 12, 31)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        time.sleep(0.05)
"""


def test_a_cancel_after_the_engine_wrote_its_partial_result_says_it_is_kept(settings: Settings, tmp_path) -> None:
    project = tmp_path / "slow_steps"
    project.mkdir()
    (project / "main.py").write_text(SLOW_STEPS)
    run_id = runs.submit(BacktestRequest(strategy=str(project)), settings)
    until(lambda: runs.progress(run_id, settings).percent > 0, what="the first progress")
    runs.cancel(run_id, settings)  # checked at each new day: it stops there and writes its result so far
    run = runs.wait(run_id, settings, timeout=60)
    assert run.status == BacktestStatus.CANCELLED
    assert run.error.startswith("Cancelled by the user; the partial result is kept")
    assert (RunStore(settings).run_dir(run_id) / f"{run_id}.json").exists()


def test_an_exception_in_the_statistics_is_a_failed_run_with_that_error(
    lean_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fault where the statistics are computed, once the run itself has ended (cash beyond what Decimal
    # quantizes used to reach it; the cash book now meets such cash at the start, and requests refuse it)
    def statistics_that_fail(inputs: object) -> None:
        raise decimal.InvalidOperation("statistics beyond what Decimal quantizes")

    monkeypatch.setattr(recorder, "compute_statistics", statistics_that_fail)
    overrides = RunOverrides(start_date=date(2015, 1, 5), end_date=date(2015, 3, 31))
    outcome = run_backtest(EngineJob("r", "1", STRATEGIES / "buy_and_hold", lean_data, tmp_path, overrides))
    assert outcome.status == "failed" and outcome.error.startswith(WRITING_FAILED)
    assert "InvalidOperation" in outcome.error and "killed" not in outcome.error
    assert "compute_statistics" in outcome.traceback


def test_an_algorithm_setting_cash_beyond_the_bound_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    project = tmp_path / "rich"
    project.mkdir()
    source = (STRATEGIES / "buy_and_hold" / "main.py").read_text().replace("set_cash(100000)", "set_cash(1e28)")
    (project / "main.py").write_text(source if "set_cash(1e28)" in source else source + "\n")
    assert "set_cash(1e28)" in source
    outcome = run_backtest(EngineJob("r", "1", project, lean_data, tmp_path / "out"))
    assert outcome.status == "failed" and "set_cash(1e+28)" in outcome.error and "1,000,000,000,000" in outcome.error


def test_an_engine_process_killed_from_outside_says_so(lean_data: Path, tmp_path: Path) -> None:
    sink = RecordingSink(watch_for="entering an endless loop")
    outcomes = []
    job = EngineJob("r", "1", ALGORITHMS / "loops_forever", lean_data, tmp_path)
    runner = threading.Thread(target=lambda: outcomes.append(EmbeddedEngine().run(job, sink, threading.Event())))
    runner.start()
    assert sink.saw_line.wait(60)
    (child,) = [c for c in psutil.Process().children() if "embedded.worker" in " ".join(c.cmdline())]
    child.kill()
    runner.join(30)
    assert "killed by signal SIGKILL" in outcomes[0].error and "memory" in outcomes[0].error


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--cash", "inf"], "more than 1,000,000,000,000"),
        (["--cash", "1e308"], "more than 1,000,000,000,000"),
        (["--cash", "nan"], "not a number"),
        (["--param", "fast=abc"], "'abc' is not a whole number such as 20"),
        (["--param", "resolution=fortnight"], "'fortnight' is not one of daily, hour, minute"),
        (["--name", "n" * 121], "at most 120 characters"),
        (["--start", "2021-06-01", "--end", "2022-06-30"], "SPY (daily): 1998-01-02 to 2021-03-31"),
    ],
)
def test_the_cli_refuses_what_the_engine_cannot_compute(studio_home, lean_data, arguments, expected) -> None:
    environment = {"BACKTEST_HOME": str(studio_home.home), "BACKTEST_DATA": str(lean_data), "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-m", "backtest_core", "run", "sma_crossover", *arguments],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, env=environment, timeout=120)  # fmt: skip
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and RunStore(studio_home).list().total == 0


SLOW_AND_LOGGING = """from AlgorithmImports import *
import time


class SlowAndLogging(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2015, 1, 5)
        self.set_end_date(2015, 2, 27)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        self.debug(f"working on {self.time:%Y-%m-%d}")
        time.sleep(0.25)
"""


def test_progress_follows_an_algorithm_that_takes_long_per_step(lean_data: Path, tmp_path: Path) -> None:
    # 39 daily steps of a quarter second: the every-64th-step check alone would report once, at the start
    project = tmp_path / "slow_and_logging"
    project.mkdir()
    (project / "main.py").write_text(SLOW_AND_LOGGING)
    reports = []
    outcome = run_backtest(EngineJob("r", "1", project, lean_data, tmp_path / "out"), progress=reports.append)
    assert outcome.status == "completed", outcome.error
    simulated = [report.simulated_time for report in reports]
    assert len(set(simulated)) >= 8 and simulated == sorted(simulated)
    assert reports[-1].simulated_time.date() >= date(2015, 2, 10)
