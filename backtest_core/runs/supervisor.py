"""The detached process that owns one run: ``python -m backtest_core.runs.supervisor RUN_ID [--reattach]``.

A dispatcher starts it for a run it has already moved from queued to running (``runs.dispatch``). It
outlives whoever submitted the run (its own session): runs the engine, relays progress and cancel requests
between the engine and the store, stores the outcome, then dispatches the next queued run into the slot it
frees. Any failure of its own ends the run as failed with the reason, never as a run left "running".
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback

import psutil

from backtest_core.engines.base import EngineOutcome
from backtest_core.engines.registry import engine_for
from backtest_core.models import BacktestStatus
from backtest_core.runs import ownership
from backtest_core.runs.dispatch import dispatch
from backtest_core.runs.jobs import append_log, build_job
from backtest_core.runs.progress_sink import StoreProgressSink
from backtest_core.runs.record import record_outcome
from backtest_core.runs.stall import StallWatch
from backtest_core.settings import Settings
from backtest_core.store import RunStore

CANCEL_POLL_S = 0.3
HEARTBEAT_S = 2.0


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
    code = 0
    try:
        if store.get(run_id).status == BacktestStatus.RUNNING:  # else resolved elsewhere meanwhile
            outcome = _run(store, settings, run_id, reattach)
            record_outcome(store, settings, run_id, outcome)
    except Exception as error:  # the supervisor's own failure still ends the run, with the reason
        message = f"The run's supervisor failed: {type(error).__name__}: {error}"
        append_log(store.run_dir(run_id), message)
        store.finalize(run_id, BacktestStatus.FAILED, error=message, traceback=traceback.format_exc())
        code = 1
    finally:
        lock.close()
    dispatch(settings, store)  # the slot this run held goes to the next queued run
    return code


def _run(store: RunStore, settings: Settings, run_id: str, reattach: bool) -> EngineOutcome:
    run = store.get(run_id)
    job = build_job(store, settings, run_id, run.request)
    sink = StoreProgressSink(store, run_id)
    sink.message("Following the LEAN container" if reattach else "Starting the engine")
    cancel = threading.Event()
    done = threading.Event()
    stall = StallWatch(store, run_id, sink, settings)
    watcher = threading.Thread(target=_watch, args=(store, run_id, sink, stall, cancel, done), daemon=True)
    watcher.start()
    try:
        if store.cancel_requested(run_id):  # cancelled between claiming the slot and starting the engine
            return EngineOutcome(status="cancelled", error="Cancelled before the engine started.")
        if reattach:
            from backtest_core.engines.lean_docker.runner import LeanDockerEngine  # an embedded run's never needs it

            engine = LeanDockerEngine(settings)
            outcome = engine.reattach(job, sink, cancel)
            if outcome is None:
                return EngineOutcome(status="failed", error="The run's LEAN container is gone; nothing to re-attach.")
        else:
            outcome = engine_for(run.request.engine, settings).run(job, sink, cancel)
    finally:
        done.set()
        sink.flush()
    if stall.stopped:  # stopped for want of progress, not by the user
        return outcome.model_copy(update={"status": "failed", "error": stall.stopped})
    return outcome


def _watch(store: RunStore, run_id: str, sink: StoreProgressSink, stall: StallWatch, cancel: threading.Event,
           done: threading.Event) -> None:  # fmt: skip
    """Turn a cancel request in the store into the engine's cancel event; keep heartbeat and progress fresh;
    flag (or stop) a run that makes no progress."""
    last_beat = 0.0
    while not done.wait(CANCEL_POLL_S):
        sink.flush_pending()
        stall.check(cancel)
        if not cancel.is_set() and store.cancel_requested(run_id):
            cancel.set()
        if time.monotonic() - last_beat > HEARTBEAT_S:
            store.heartbeat(run_id)
            last_beat = time.monotonic()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv))
