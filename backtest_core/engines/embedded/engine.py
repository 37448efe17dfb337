"""The ``embedded`` engine: one backtest in a child process, reported to the supervisor line by line.

The child (``python -m backtest_core.engines.embedded.worker '<job as JSON>'``) writes JSON lines on its protocol
stream: ``{"progress": ...}``, ``{"log": ...}`` and finally ``{"outcome": ...}``. A child of its own keeps a
strategy that never returns (or leaks memory) from taking the supervisor with it: cancel asks politely with
SIGINT (partial results are written), then kills after a grace period. The backtest itself is ``runner``'s:
this module imports none of the engine, so the supervisor that launches the child stays light.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from backtest_core.engines.base import (
    EngineAvailability,
    EngineJob,
    EngineOutcome,
    EngineProgress,
    ProgressSink,
    RunOverrides,
)
from backtest_core.settings import PROJECT_ROOT

CANCEL_GRACE_S = 5.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# glibc gave each data-reading thread its own malloc arena, which kept the freed parse buffers of a ten-year
# minute run (+10% peak memory); one arena costs the reading nothing measurable. Ignored off glibc.
WORKER_ENVIRONMENT = {"MALLOC_ARENA_MAX": "1"}


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
