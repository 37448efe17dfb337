"""The embedded engine as the supervisor drives it: a child process, progress reports, cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil

from backtest_core.engines.base import EngineJob
from backtest_core.engines.embedded.engine import EmbeddedEngine
from tests.recording_sink import RecordingSink

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


def job(project: str, data: Path, tmp_path: Path) -> EngineJob:
    return EngineJob("proc-run", "777", ALGORITHMS / project, data, tmp_path / "output")


def test_child_process_reports_progress_logs_and_completes(lean_data: Path, tmp_path: Path) -> None:
    sink = RecordingSink()
    outcome = EmbeddedEngine().run(job("hold_spy_minute_pascal", lean_data, tmp_path), sink, threading.Event())
    assert outcome.status == "completed", outcome.error
    assert sink.reports, "no progress report arrived"
    percents = [report.percent for report in sink.reports]
    assert percents == sorted(percents) and 0 <= percents[0] <= 100
    assert sink.reports[-1].equity and sink.reports[-1].period_start.isoformat() == "2013-10-07"
    assert any("Launching analysis for 777" in line for line in sink.lines)
    assert any("STATISTICS:: End Equity 101691.92" in line for line in sink.lines)
    assert (tmp_path / "output" / "777.json").exists()


def test_cancel_stops_an_algorithm_that_never_returns(lean_data: Path, tmp_path: Path) -> None:
    sink = RecordingSink(watch_for="entering an endless loop")
    cancel = threading.Event()
    outcomes = []
    runner = threading.Thread(
        target=lambda: outcomes.append(EmbeddedEngine().run(job("loops_forever", lean_data, tmp_path), sink, cancel))
    )
    runner.start()
    assert sink.saw_line.wait(60), "the algorithm never reached its loop"
    (child,) = [child for child in psutil.Process().children() if "embedded.worker" in " ".join(child.cmdline())]
    assert child.environ()["MALLOC_ARENA_MAX"] == "1"  # the engine process's malloc setting (memory)
    cancelled_at = time.monotonic()
    cancel.set()
    runner.join(30)
    assert not runner.is_alive()
    assert time.monotonic() - cancelled_at < 15
    assert outcomes[0].status == "cancelled"
    assert (tmp_path / "output" / "log.txt").exists()  # the partial log is kept


def test_engine_failure_in_child_is_reported_not_lost(lean_data: Path, tmp_path: Path) -> None:
    sink = RecordingSink()
    outcome = EmbeddedEngine().run(job("raises_in_on_data", lean_data, tmp_path), sink, threading.Event())
    assert outcome.status == "failed"
    assert "ZeroDivisionError" in outcome.error and "line 20" in outcome.error
