"""The ``embedded`` engine: one backtest in a child process, reported to the supervisor line by line.

The child (``python -m backtest_core.engines.embedded.worker '<job as JSON>'``) writes JSON lines on its protocol
stream: ``{"progress": ...}``, ``{"log": ...}`` and finally ``{"outcome": ...}``. A child of its own keeps a
strategy that never returns (or leaks memory) from taking the supervisor with it: cancel asks politely with
SIGINT (partial results are written), then kills after a grace period.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from backtest_core.engines.base import (
    EngineAvailability,
    EngineJob,
    EngineOutcome,
    EngineProgress,
    ProgressSink,
    RunOverrides,
)
from backtest_core.engines.embedded.backtest import AlgorithmFailure, Backtest
from backtest_core.engines.embedded.facts import engine_facts
from backtest_core.engines.embedded.recorder import Recorder
from backtest_core.errors import StudioError
from backtest_core.settings import PROJECT_ROOT

CANCEL_GRACE_S = 5.0
WRITING_FAILED = "The backtest ran, but computing its statistics or writing its result files failed"
RUN_COLLECTION_THRESHOLD = 20_000  # allocations between young collections during a run (Python's: 700)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# glibc gave each data-reading thread its own malloc arena, which kept the freed parse buffers of a ten-year
# minute run (+10% peak memory); one arena costs the reading nothing measurable. Ignored off glibc.
WORKER_ENVIRONMENT = {"MALLOC_ARENA_MAX": "1"}


def run_backtest(job: EngineJob, progress: Callable[[EngineProgress], None] | None = None,
                 log_line: Callable[[str], None] | None = None,
                 should_stop: Callable[[], bool] = lambda: False) -> EngineOutcome:  # fmt: skip
    """Run ``job`` in this process and write its LEAN result folder; never raises for algorithm errors."""
    with _rare_collections():
        return _run(job, progress, log_line, should_stop)


def _run(job: EngineJob, progress: Callable[[EngineProgress], None] | None, log_line: Callable[[str], None] | None,
         should_stop: Callable[[], bool]) -> EngineOutcome:  # fmt: skip
    recorder = Recorder(job.output_dir, job.algorithm_id, progress, log_line)
    backtest = Backtest(job.project_dir, job.data_dir, job.overrides, recorder, should_stop)
    outcome = _execute(backtest, recorder, should_stop)
    return outcome.model_copy(update={"facts": engine_facts(backtest, recorder, job.data_dir)})


def _execute(backtest: Backtest, recorder: Recorder, should_stop: Callable[[], bool]) -> EngineOutcome:
    try:
        backtest.run()
    except AlgorithmFailure as failure:
        return _failed(backtest, recorder, str(failure), failure.trace)
    except StudioError as error:
        return _failed(backtest, recorder, error.user_message(), "")
    except Exception as error:  # an engine defect: still a failed run with its traceback, never a lost one
        return _failed(backtest, recorder, f"Backtest Studio engine error: {type(error).__name__}: {error}",
                       traceback.format_exc())  # fmt: skip
    try:
        recorder.finish(backtest, backtest.last_step_ns)
    except Exception as error:  # statistics or result files: the step that failed is the run's error
        return EngineOutcome(status="failed", error=f"{WRITING_FAILED}: {type(error).__name__}: {error}",
                             traceback=traceback.format_exc())  # fmt: skip
    if should_stop():
        return EngineOutcome(status="cancelled", error="Cancelled by the user; partial results kept.")
    return EngineOutcome(status="completed")


def _failed(backtest: Backtest, recorder: Recorder, message: str, trace: str) -> EngineOutcome:
    try:
        if backtest.initialized:
            recorder.finish(backtest, backtest.last_step_ns, message, trace)
        else:
            recorder.finish_without_algorithm(message, trace)
    except Exception as error:
        message += f"\n{WRITING_FAILED} as well: {type(error).__name__}: {error}"
        trace = f"{trace}\n{traceback.format_exc()}".strip()
    return EngineOutcome(status="failed", error=message, traceback=trace or None)


@contextmanager
def _rare_collections() -> Iterator[None]:
    """A backtest makes and drops a few small objects per time step, none in cycles, and the cyclic collector
    ran every 700 of them, its full passes walking every object of the libraries loaded (8% of a minute
    backtest). During a run what exists before it is frozen out of collection and young collections come less
    often; both are restored after (runs in this process, as in tests), and the algorithm's own cycles are
    still collected."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RUN_COLLECTION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class EmbeddedEngine:
    """Pure-Python LEAN-compatible engine; always available."""

    name = "embedded"

    def availability(self) -> EngineAvailability:
        return EngineAvailability(available=True, message="Runs LEAN Python algorithms in-process; needs no Docker.")

    def run(self, job: EngineJob, sink: ProgressSink, cancel: threading.Event) -> EngineOutcome:
        job.output_dir.mkdir(parents=True, exist_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-m", "backtest_core.engines.embedded.worker", json.dumps(job_to_json(job))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(PROJECT_ROOT),
            text=True,
            bufsize=1,
            preexec_fn=die_with_parent,
            env=worker_environment(),
        )
        watcher = threading.Thread(target=_stop_on_cancel, args=(child, cancel), daemon=True)
        watcher.start()
        errors: list[str] = []
        drain = threading.Thread(target=lambda: errors.extend(child.stderr), daemon=True)
        drain.start()
        outcome: EngineOutcome | None = None
        for line in child.stdout:
            message = _decode(line)
            if message is None:
                continue
            if "progress" in message:
                sink.progress(EngineProgress.model_validate(message["progress"]))
            elif "log" in message:
                sink.log(message["log"])
            elif "outcome" in message:
                outcome = EngineOutcome.model_validate(message["outcome"])
        code = child.wait()
        drain.join(timeout=5)
        if cancel.is_set():
            return EngineOutcome(status="cancelled", error="Cancelled by the user; partial results kept.")
        if outcome is not None:
            return outcome
        tail = "".join(errors[-40:]).strip()
        return EngineOutcome(status="failed", error=unreported_exit(code, tail), traceback=tail or None)


def unreported_exit(code: int, stderr_tail: str) -> str:
    """Why an engine process ended without an outcome, as far as its exit tells: a signal (killed from outside
    or by the kernel for memory) or its own exit with the last line it printed."""
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        cause = " (the kernel kills for lack of memory this way)" if -code == signal.SIGKILL else ""
        return f"The engine process was killed by signal {name} before reporting a result{cause}."
    last = stderr_tail.strip().splitlines()[-1] if stderr_tail.strip() else "it printed nothing"
    return f"The engine process exited with code {code} before reporting a result; its last words: {last}"


def worker_environment() -> dict[str, str]:
    """The environment of an engine process: this one's, with the worker's malloc settings."""
    return os.environ | WORKER_ENVIRONMENT


def die_with_parent() -> None:
    """In the child before exec: ask Linux to kill it when its parent dies (no orphan after ``kill -9``)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: cancel and the supervisor's own exit still end it


def _stop_on_cancel(child: subprocess.Popen[str], cancel: threading.Event) -> None:
    while child.poll() is None:
        if cancel.wait(0.2):
            child.send_signal(signal.SIGINT)
            try:
                child.wait(CANCEL_GRACE_S)
            except subprocess.TimeoutExpired:
                child.kill()
            return


def _decode(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def job_to_json(job: EngineJob) -> dict:
    return {
        "run_id": job.run_id,
        "algorithm_id": job.algorithm_id,
        "project_dir": str(job.project_dir),
        "data_dir": str(job.data_dir),
        "output_dir": str(job.output_dir),
        "overrides": job.overrides.model_dump(mode="json"),
        "storage_dir": str(job.storage_dir) if job.storage_dir else None,
    }


def job_from_json(data: dict) -> EngineJob:
    return EngineJob(
        run_id=data["run_id"],
        algorithm_id=data["algorithm_id"],
        project_dir=Path(data["project_dir"]),
        data_dir=Path(data["data_dir"]),
        output_dir=Path(data["output_dir"]),
        overrides=RunOverrides.model_validate(data["overrides"]),
        storage_dir=Path(data["storage_dir"]) if data.get("storage_dir") else None,
    )
