"""One backtest as a Dask task: runs on a worker, with the same engine code as a local run.

The worker unpacks the run's code into a scratch folder, runs the engine exactly as a local supervisor does
(``engine.run(job, sink, cancel)``: the embedded engine in a child process, or LEAN in Docker), sends the
engine's progress and log lines as events on the store's topic, turns the cluster's cancel event into the
engine's cancel, and returns the result folder packed. The data folder is the worker's own
(``BACKTEST_DATA`` there); without one the run fails saying so, before any engine starts.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from distributed import Event, Reschedule, Variable, get_client, get_worker
from distributed.worker import WORKER_ANY_RUNNING, Worker

from backtest_core.cluster.archive import pack, unpack
from backtest_core.cluster.protocol import TASK_ATTEMPTS, TaskBundle, TaskResult, code_fingerprint
from backtest_core.engines.base import EngineJob, EngineOutcome, EngineProgress
from backtest_core.engines.registry import engine_for
from backtest_core.models import EngineName
from backtest_core.settings import Settings

REPORT_INTERVAL_S = 0.5  # the engine reports at most twice a second; one event carries what came meanwhile
LOG_LINES_PER_EVENT = 30  # the monitor shows a 30-line tail; the full log comes home in the result folder
CANCEL_WAIT_S = 1.0


def run_backtest_task(bundle: TaskBundle) -> TaskResult:
    """The task's body (what ``client.submit`` names): never raises for a run's own failure."""
    worker, client = get_worker(), get_client()
    names = bundle.names
    attempt = _count_attempt(Variable(names.attempts(bundle.run_id), client=client))
    result = TaskResult(
        outcome=EngineOutcome(status="failed"), worker=worker.address, host=socket.gethostname(), attempt=attempt,
        task_started=time.time(),
    )  # fmt: skip
    if attempt > TASK_ATTEMPTS:
        reason = (
            f"The workers running this backtest were lost {TASK_ATTEMPTS} times (killed, out of memory, or "
            "disconnected); it is not tried again. Check the workers' logs and memory, then start it again."
        )
        return result.model_copy(update={"outcome": EngineOutcome(status="failed", error=reason)})
    worker.log_event(names.topic, {"run": bundle.run_id, "attempt": attempt, "kind": "started", "host": result.host})
    cancel_event = Event(names.cancel(bundle.run_id), client=client)
    if cancel_event.is_set():
        outcome = EngineOutcome(status="cancelled", error="Cancelled before the engine started.")
        return result.model_copy(update={"outcome": outcome})
    settings = Settings(**bundle.docker.model_dump())  # the worker's folders, the submitter's LEAN image
    problem = _worker_problem(bundle, settings, result.host, worker.address)
    if problem:
        return result.model_copy(update={"outcome": EngineOutcome(status="failed", error=problem)})
    with tempfile.TemporaryDirectory(prefix=f"backtest-{bundle.run_id}-") as scratch:
        folder = Path(scratch) / bundle.run_id
        unpack(bundle.code, folder / "code")
        job = EngineJob(
            run_id=bundle.run_id, algorithm_id=bundle.algorithm_id, project_dir=folder / "code",
            data_dir=settings.data_dir, output_dir=folder, overrides=bundle.overrides,
            storage_dir=settings.storage_dir if bundle.engine == EngineName.LEAN_DOCKER else None,
        )  # fmt: skip
        sink = EventSink(worker, names.topic, bundle.run_id, attempt)
        cancel, closing, done = threading.Event(), threading.Event(), threading.Event()
        follow = (worker, cancel_event, cancel, closing, done)
        threading.Thread(target=_follow_cancel, args=follow, daemon=True).start()
        engine_started = time.time()
        try:
            outcome = engine_for(bundle.engine, settings).run(job, sink, cancel)
        finally:
            done.set()
            sink.close()
        engine_ended = time.time()
        if closing.is_set():  # not the analyst's cancel: the run goes elsewhere, as for a worker lost mid-run
            raise Reschedule()
        archive = pack(folder, skip=frozenset({"code"}))  # the store has the code already
    return result.model_copy(update={
        "outcome": outcome, "archive": archive, "engine_started": engine_started, "engine_ended": engine_ended,
    })  # fmt: skip


def _count_attempt(attempts: Variable) -> int:
    """This start's number: Dask starts a task again when its worker is lost, and the count outlives workers."""
    try:
        before = int(attempts.get(timeout=0))
    except TimeoutError:
        before = 0
    attempts.set(before + 1)
    return before + 1


def _worker_problem(bundle: TaskBundle, settings: Settings, host: str, address: str) -> str | None:
    """Why this worker cannot run the backtest as the submitting machine would, or None."""
    here = f"The Dask worker {address} on {host}"
    data = settings.data_dir
    fix = (
        "Start the worker with BACKTEST_DATA set to a LEAN data folder (the same data as the submitting "
        "machine's, so results match)."
    )
    if settings.data is None:  # <home>/data may hold the synthetic sample a dashboard on that host wrote
        return f"{here} has no BACKTEST_DATA set, so it has no LEAN data folder to run on. {fix}"
    if not data.is_dir() or not any(data.iterdir()):
        return f"{here} has no LEAN data folder at {data}. {fix}"
    fingerprint = code_fingerprint()
    if fingerprint != bundle.fingerprint:
        return (f"{here} runs other Backtest Studio code (fingerprint {fingerprint}) than the submitting machine "
                f"({bundle.fingerprint}), so its results could differ. Install the same version on every "
                "worker and restart it.")  # fmt: skip
    if bundle.engine == EngineName.LEAN_DOCKER:
        availability = engine_for(bundle.engine, settings).availability()
        if not availability.available:
            return f"{here} declares the Docker resource but cannot run LEAN in Docker: {availability.message}"
    return None


def _follow_cancel(
    worker: Worker, cancel_event: Event, cancel: threading.Event, closing: threading.Event, done: threading.Event
) -> None:
    """Turn the cluster's cancel event (set by the relay) into the engine's cancel; one long poll at a time.

    A worker that is closing (stopped, or its scheduler gone) ends the engine too, marking ``closing``: it
    would otherwise wait 30 s for the task before its nanny kills it, and the run then starts elsewhere anyway.
    """
    while not done.is_set():
        if worker.status not in WORKER_ANY_RUNNING:
            closing.set()
            cancel.set()
            return
        try:
            if cancel_event.wait(timeout=CANCEL_WAIT_S):
                cancel.set()
                return
        except Exception:  # the scheduler connection is gone: the worker is closing (seen on the next turn)
            done.wait(CANCEL_WAIT_S)


class EventSink:
    """A ``ProgressSink`` that sends what the engine reports as one event per interval on the store's topic."""

    def __init__(self, worker: Worker, topic: str, run_id: str, attempt: int) -> None:
        self.worker = worker
        self.topic = topic
        self.head: dict[str, Any] = {"run": run_id, "attempt": attempt, "kind": "report"}
        self.reports: list[dict[str, Any]] = []
        self.lines: deque[str] = deque(maxlen=LOG_LINES_PER_EVENT)
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.sender = threading.Thread(target=self._send_every_interval, daemon=True)
        self.sender.start()

    def progress(self, report: EngineProgress) -> None:
        with self.lock:
            self.reports.append(report.model_dump(mode="json"))

    def log(self, line: str) -> None:
        with self.lock:
            self.lines.extend(line.splitlines() or [""])

    def close(self) -> None:
        self.closed.set()
        self.sender.join(timeout=5)
        self._send()

    def _send_every_interval(self) -> None:
        while not self.closed.wait(REPORT_INTERVAL_S):
            self._send()

    def _send(self) -> None:
        with self.lock:
            if not self.reports and not self.lines:
                return
            event = self.head | {"progress": self.reports, "log": list(self.lines)}
            self.reports, self.lines = [], deque(maxlen=LOG_LINES_PER_EVENT)
        self.worker.log_event(self.topic, event)
