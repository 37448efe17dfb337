"""The detached process that owns one run: ``python -m backtest_core.runs.supervisor RUN_ID [--reattach]``.

It outlives whoever submitted the run (its own session): waits for a slot (first in, first out), runs the
engine, relays progress and cancel requests between the engine and the store, and stores the outcome. Any
failure of its own ends the run as failed with the reason, never as a run left "running".
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import psutil

from backtest_core.engines.base import EngineJob, EngineOutcome, RunOverrides
from backtest_core.engines.lean_docker.runner import LeanDockerEngine
from backtest_core.engines.registry import engine_for
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.runs import ownership
from backtest_core.runs.progress_sink import StoreProgressSink
from backtest_core.settings import Settings
from backtest_core.store import RunStore

SLOT_POLL_S = 0.2
CANCEL_POLL_S = 0.3
HEARTBEAT_S = 2.0
OUTCOME_STATUS = {
    "completed": BacktestStatus.COMPLETED,
    "failed": BacktestStatus.FAILED,
    "cancelled": BacktestStatus.CANCELLED,
}


def main(argv: list[str]) -> int:
    run_id, reattach = argv[1], "--reattach" in argv[2:]
    settings = Settings()
    store = RunStore(settings)
    try:
        lock = ownership.hold(store.run_dir(run_id))
    except BlockingIOError:
        return 0  # another supervisor owns this run already
    me = psutil.Process()
    store.set_runtime(run_id, supervisor_pid=me.pid, supervisor_started=me.create_time())
    try:
        if not reattach and not _wait_for_slot(store, run_id, settings.max_concurrent):
            return 0
        outcome = _run(store, settings, run_id, reattach)
        store.finalize(run_id, OUTCOME_STATUS[outcome.status], error=outcome.error, traceback=outcome.traceback)
    except Exception as error:  # the supervisor's own failure still ends the run, with the reason
        message = f"The run's supervisor failed: {type(error).__name__}: {error}"
        append_log(store.run_dir(run_id), message)
        store.finalize(run_id, BacktestStatus.FAILED, error=message, traceback=traceback.format_exc())
        return 1
    finally:
        lock.close()
    return 0


def _wait_for_slot(store: RunStore, run_id: str, limit: int) -> bool:
    """Block until this run may start; False when it was cancelled (or resolved elsewhere) while queued."""
    last_beat = 0.0
    while True:
        run = store.get(run_id)
        if run.status != BacktestStatus.QUEUED:
            return False
        if store.cancel_requested(run_id):
            store.mark_if(
                run_id, BacktestStatus.QUEUED, BacktestStatus.CANCELLED, "Cancelled while queued; never started."
            )
            return False
        if store.try_claim_slot(run_id, limit):
            return True
        if time.monotonic() - last_beat > HEARTBEAT_S:
            store.heartbeat(run_id)
            last_beat = time.monotonic()
        time.sleep(SLOT_POLL_S)


def _run(store: RunStore, settings: Settings, run_id: str, reattach: bool) -> EngineOutcome:
    run = store.get(run_id)
    job = build_job(store, settings, run_id, run.request)
    sink = StoreProgressSink(store, run_id)
    sink.message("Following the LEAN container" if reattach else "Starting the engine")
    cancel = threading.Event()
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(store, run_id, sink, cancel, done), daemon=True)
    watcher.start()
    try:
        if store.cancel_requested(run_id):  # cancelled between claiming the slot and starting the engine
            return EngineOutcome(status="cancelled", error="Cancelled before the engine started.")
        if reattach:
            engine = LeanDockerEngine(settings)
            outcome = engine.reattach(job, sink, cancel)
            if outcome is None:
                return EngineOutcome(status="failed", error="The run's LEAN container is gone; nothing to re-attach.")
        else:
            outcome = engine_for(run.request.engine, settings).run(job, sink, cancel)
    finally:
        done.set()
        sink.flush()
    return outcome


def _watch(store: RunStore, run_id: str, sink: StoreProgressSink, cancel: threading.Event,
           done: threading.Event) -> None:  # fmt: skip
    """Turn a cancel request in the store into the engine's cancel event; keep heartbeat and progress fresh."""
    last_beat = 0.0
    while not done.wait(CANCEL_POLL_S):
        sink.flush_pending()
        if not cancel.is_set() and store.cancel_requested(run_id):
            cancel.set()
        if time.monotonic() - last_beat > HEARTBEAT_S:
            store.heartbeat(run_id)
            last_beat = time.monotonic()


def build_job(store: RunStore, settings: Settings, run_id: str, request: BacktestRequest) -> EngineJob:
    """The engine's job: the run's code snapshot, the data folder, and the request's overrides."""
    folder = store.run_dir(run_id)
    code = folder / "code"
    return EngineJob(
        run_id=run_id,
        algorithm_id=store.algorithm_id(run_id),
        project_dir=code,
        data_dir=settings.data_dir,
        output_dir=folder,
        overrides=RunOverrides(
            start_date=request.start_date,
            end_date=request.end_date,
            initial_cash=request.initial_cash,
            parameters=project_defaults(code) | request.algorithm_parameters(),
        ),
        storage_dir=settings.storage_dir if request.engine == EngineName.LEAN_DOCKER else None,
    )


def project_defaults(project: Path) -> dict[str, str]:
    """``parameters`` of the project's config.json (LEAN's defaults; the request overrides them)."""
    config = project / "config.json"
    try:
        parameters = json.loads(config.read_text()).get("parameters", {}) if config.exists() else {}
    except (OSError, ValueError):
        return {}
    return {str(key): str(value) for key, value in parameters.items()} if isinstance(parameters, dict) else {}


def append_log(folder: Path, message: str) -> None:
    """A line in the run's log.txt in LEAN's format, so supervisor-level events sit beside the engine's."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    with (folder / "log.txt").open("a", encoding="utf-8") as log:
        log.write(f"{stamp} ERROR:: {message}\n")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv))
