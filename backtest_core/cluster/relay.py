"""The cluster relay: ``python -m backtest_core.cluster.relay``, one process per store while cluster work exists.

It is to cluster runs what a supervisor is to a local run, for all of them at once: it claims queued runs
into the cluster's free worker threads (the concurrency limit on a cluster is the sum of the workers'
threads), submits each as a Dask task carrying its code, writes the tasks' progress events and relays cancel
requests between the cluster and the store, unpacks each returned result folder into the run's folder and
finishes the run. State stays in the store: each task is kept on the scheduler by a dataset named after the
run, not by this process's connection, so a relay that dies (or a dashboard restart) loses nothing; the next
dispatch starts a new relay, which finds the store's running cluster runs and re-attaches to their tasks.
It leaves when nothing is queued or followed for a while.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psutil
from distributed import Client, Event, Future, KilledWorker, Variable
from pydantic import ValidationError

from backtest_core.cluster import archive, control
from backtest_core.cluster.control import RelayState
from backtest_core.cluster.protocol import (
    DOCKER_RESOURCE,
    EXECUTOR,
    TASK_ATTEMPTS,
    DockerChoice,
    Names,
    TaskBundle,
    TaskResult,
    code_fingerprint,
)
from backtest_core.cluster.status import ClusterStatus, ClusterWorker, no_docker_worker, scheduler_address, workers_of
from backtest_core.cluster.task import run_backtest_task
from backtest_core.engines.base import EngineOutcome, EngineProgress
from backtest_core.errors import ClusterUnavailable
from backtest_core.models import BacktestRunInfo, BacktestStatus, EngineName
from backtest_core.runs import ownership
from backtest_core.runs.jobs import append_log, build_job
from backtest_core.runs.progress_sink import StoreProgressSink
from backtest_core.runs.record import record_outcome
from backtest_core.settings import Settings
from backtest_core.store import RunStore

TICK_S = 0.2
WORKERS_REFRESH_S = 1.0
HEARTBEAT_S = 2.0
IDLE_EXIT_S = 10.0
CONNECT_TIMEOUT_S = 5.0
RECONNECT_PAUSE_S = 2.0
# A lost scheduler connection that does not come back within this ends the runs that had started (their
# results can only come back through the scheduler); claimed runs that had not started go back to the queue.
LOST_GRACE_S = 10.0


@dataclass
class Followed:
    """A cluster run this relay owns: its task (None while disconnected), its progress, what it noted."""

    run_id: str
    sink: StoreProgressSink
    future: Future | None = None
    attempt: int = 0  # the task's start number as the worker reported it; 0: not started yet
    worker: str | None = None
    notes: list[str] = field(default_factory=list)  # for the run's log once its result is in
    cancel_sent: bool = False
    lost_since: float | None = None  # when the scheduler connection went, and what was said then
    lost_reason: str = ""


class Relay:
    def __init__(self, settings: Settings, store: RunStore) -> None:
        self.settings = settings
        self.store = store
        self.names = Names.of(settings)
        self.followed: dict[str, Followed] = {}
        self.events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self.client: Client | None = None
        self.workers: list[ClusterWorker] = []
        self.workers_at = self.beat_at = 0.0
        self.idle_since: float | None = None
        self.me = psutil.Process()
        self.state: RelayState | None = None

    # -- the loops ---------------------------------------------------------------------------------------

    def run(self) -> None:
        """Connect, follow, reconnect after a loss; return when there is nothing left to do."""
        self._follow_cluster()
        self._set_state(False, self.settings.cluster, "Left: nothing queued or running on the cluster.")

    def _follow_cluster(self) -> None:
        assert self.settings.cluster
        while True:
            try:
                address = scheduler_address(self.settings.cluster)
                client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except (ClusterUnavailable, OSError, TimeoutError) as error:
                reason = error.user_message() if isinstance(error, ClusterUnavailable) else str(error)
                self._disconnected(f"The Dask scheduler at {self.settings.cluster} does not answer: {reason}")
                if self._idle():
                    return
                time.sleep(RECONNECT_PAUSE_S)
                continue
            try:
                if self._session(client, address):
                    return
            except Exception as error:  # the relay's own defect: said where it can be seen, then a fresh session
                traceback.print_exc()
                self._disconnected(f"The cluster relay failed: {type(error).__name__}: {error}")
                time.sleep(RECONNECT_PAUSE_S)
            finally:
                self.client = None
                with contextlib.suppress(Exception):
                    client.close()

    def _session(self, client: Client, address: str) -> bool:
        """Follow the cluster through one connection; True when idle (leave), False when the connection is lost."""
        self.client = client
        self._set_state(True, address, f"Connected to the Dask scheduler at {address}.")
        client.subscribe_topic(self.names.topic, lambda event: self.events.put(event[1]))
        self._adopt(client)
        self._clean_leftovers(client)
        while True:
            if client.status != "running" or any(f.future is not None and f.future.cancelled()
                                                 for f in self.followed.values()):  # fmt: skip
                self._disconnected(f"The connection to the Dask scheduler at {address} was lost.")
                return False
            self._drain_events()
            self._collect()
            self._relay_cancels(client)
            self._beat()
            self._claim(client)
            if self._idle():
                return True
            time.sleep(TICK_S)

    # -- taking runs -------------------------------------------------------------------------------------

    def _claim(self, client: Client) -> None:
        """Claim queued runs while the cluster has a free worker thread, and submit each."""
        if time.monotonic() - self.workers_at > WORKERS_REFRESH_S:
            self.workers = workers_of(client.scheduler_info(n_workers=-1))
            self.workers_at = time.monotonic()
            if not self.workers:
                self._set_state(True, self.state.scheduler if self.state else None,
                                "The scheduler has no workers: queued runs wait until one joins.")  # fmt: skip
        threads = sum(worker.threads for worker in self.workers)
        while (run := self.store.claim_next(threads, executor=EXECUTOR)) is not None:
            self._submit(client, run)

    def _submit(self, client: Client, run: BacktestRunInfo) -> None:
        self.store.set_runtime(run.id, supervisor_pid=self.me.pid, supervisor_started=self.me.create_time())
        followed = self.followed[run.id] = Followed(run.id, StoreProgressSink(self.store, run.id))
        docker = run.request.engine == EngineName.LEAN_DOCKER
        if docker and not any(worker.docker for worker in self.workers):
            status = ClusterStatus(setting=str(self.settings.cluster), scheduler=client.scheduler.address,
                                   workers=self.workers)  # fmt: skip
            self._end(run.id, EngineOutcome(status="failed", error=no_docker_worker(status)))
            return
        job = build_job(self.store, self.settings, run.id, run.request)
        bundle = TaskBundle(
            run_id=run.id, algorithm_id=job.algorithm_id, engine=run.request.engine,
            code=archive.pack(job.project_dir), overrides=job.overrides, docker=DockerChoice.of(self.settings),
            token=self.names.token, fingerprint=code_fingerprint(),
        )  # fmt: skip
        key = self.names.key(run.id)
        resources = {DOCKER_RESOURCE: 1} if docker else None
        future = client.submit(run_backtest_task, bundle, key=key, pure=False, resources=resources)
        client.publish_dataset(future, name=key, override=True)  # keeps the task when this client goes
        followed.future = future
        followed.sink.message("Submitted to the cluster: waiting for a worker thread")

    def _adopt(self, client: Client) -> None:
        """Re-attach to the tasks of the store's running cluster runs (after a restart or a reconnection)."""
        for run_id in self.store.running_ids(EXECUTOR):
            followed = self.followed.get(run_id)
            if followed is None:
                followed = self.followed[run_id] = Followed(run_id, _resumed_sink(self.store, run_id))
                followed.worker = self.store.runtime(run_id).get("engine_ref")
            if followed.future is not None:
                continue
            followed.attempt = max(followed.attempt, _attempts(client, self.names.attempts(run_id)))
            future = client.get_dataset(self.names.key(run_id), default=None)
            if future is not None:
                followed.future, followed.lost_since = future, None
                self.store.set_runtime(run_id, supervisor_pid=self.me.pid, supervisor_started=self.me.create_time())
                followed.sink.message(f"Re-attached to its task on the cluster (worker {followed.worker or '?'})")
            elif followed.attempt or followed.worker:
                self._end(run_id, EngineOutcome(status="failed", error=(
                    f"The Dask scheduler at {client.scheduler.address} no longer holds this run's task (it was "
                    "restarted or lost its state while the run executed), so its result is gone. Start the "
                    "backtest again.")))  # fmt: skip
            else:
                self._requeue(run_id)

    def _clean_leftovers(self, client: Client) -> None:
        """Drop this store's datasets whose run is no longer running (a relay that died between storing a
        result and forgetting its task); their tasks, if still executing, are told to stop."""
        running = set(self.store.running_ids(EXECUTOR))
        for name in client.list_datasets():
            run_id = self.names.run_id(str(name))
            if run_id and run_id not in running:
                Event(self.names.cancel(run_id), client=client).set()
                self._forget(client, run_id, stop=True)

    # -- following runs ----------------------------------------------------------------------------------

    def _drain_events(self) -> None:
        while True:
            try:
                message = self.events.get_nowait()
            except queue.Empty:
                return
            followed = self.followed.get(str(message.get("run")))
            attempt = int(message.get("attempt", 0))
            if followed is None or attempt < followed.attempt:
                continue  # another store's run, or an attempt already replaced
            if message.get("kind") == "started":
                self._started(followed, attempt, str(message.get("worker")), str(message.get("host")))
            elif message.get("kind") == "report" and attempt == followed.attempt:
                try:
                    for report in message.get("progress", []):
                        followed.sink.progress(EngineProgress.model_validate(report))
                except ValidationError:
                    continue  # a malformed report is skipped; the next one a half second later replaces it
                for line in message.get("log", []):
                    followed.sink.log(str(line))

    def _started(self, followed: Followed, attempt: int, worker: str, host: str) -> None:
        if attempt > 1 and attempt > followed.attempt:
            note = (
                f"The Dask worker {followed.worker or 'running it'} was lost mid-run (stopped, killed, out of memory "
                f"or disconnected). Dask started the backtest again on {worker}, from the start (attempt {attempt} "
                f"of {TASK_ATTEMPTS}); nothing of the lost attempt is kept."
            )
            followed.notes.append(note)
            followed.sink = StoreProgressSink(self.store, followed.run_id)
            followed.sink.log(note)
        followed.attempt, followed.worker = attempt, worker
        self.store.set_runtime(followed.run_id, engine_ref=worker)
        followed.sink.message(f"Running on the Dask worker {worker} ({host})")

    def _collect(self) -> None:
        """Store the runs whose task ended."""
        for followed in list(self.followed.values()):
            future = followed.future
            if future is None or future.status not in ("finished", "error"):
                continue
            if future.status == "finished":
                self._store_result(followed, future.result())
            else:
                error = future.exception()
                self._end(followed.run_id, EngineOutcome(status="failed", error=_task_failure(error),
                                                         traceback="".join(traceback.format_tb(future.traceback()))
                                                         or None))  # fmt: skip

    def _store_result(self, followed: Followed, result: TaskResult) -> None:
        """The result folder into the run's folder (each file whole), then the run's end."""
        folder = self.store.run_dir(followed.run_id)
        self.store.set_runtime(followed.run_id, engine_ref=result.worker)
        if result.archive is not None:
            archive.unpack(result.archive, folder)
            ran = (result.engine_ended or 0) - (result.engine_started or 0)
            followed.notes.append(
                f"Ran on the Dask worker {result.worker} ({result.host}), attempt {result.attempt}: engine "
                f"{ran:.2f} s; result folder {len(result.archive) / 1000:.0f} kB compressed."
            )
        self._end(followed.run_id, result.outcome, logged=result.archive is not None)

    def _end(self, run_id: str, outcome: EngineOutcome, logged: bool = False) -> None:
        """Finish a run this relay owns and forget its task; ``logged``: the engine's log already says why."""
        followed = self.followed.pop(run_id)
        folder = self.store.run_dir(run_id)
        for note in followed.notes:
            append_log(folder, note, level="TRACE")
        if outcome.error and not logged:
            append_log(folder, outcome.error)
        followed.sink.flush()
        if self.store.get(run_id).status == BacktestStatus.RUNNING:
            record_outcome(self.store, self.settings, run_id, outcome)
        if self.client is not None:
            self._forget(self.client, run_id, stop=followed.cancel_sent)
        if followed.future is not None:
            followed.future.release()

    def _requeue(self, run_id: str) -> None:
        """A claimed run that never started goes back to the head of the queue (nothing of it ran)."""
        followed = self.followed.pop(run_id)
        self.store.mark_if(run_id, BacktestStatus.RUNNING, BacktestStatus.QUEUED)
        followed.sink.message("Back in the queue: the cluster connection was lost before it started")

    def _forget(self, client: Client, run_id: str, *, stop: bool = False) -> None:
        """Remove the run's names from the scheduler: its dataset, attempt count and cancel event, except with
        ``stop`` (a cancel was sent): that event stays set, a few bytes on the scheduler, so a task that had
        started unheard (or is left over) still ends its engine; clearing it would delete it unseen."""
        with contextlib.suppress(Exception):  # gone already, or the connection is: a later session cleans up
            client.unpublish_dataset(self.names.key(run_id))
            Variable(self.names.attempts(run_id), client=client).delete()
            if not stop:
                Event(self.names.cancel(run_id), client=client).clear()

    def _relay_cancels(self, client: Client) -> None:
        """A cancel request in the store sets the run's cancel event, which its task turns into the engine's."""
        waiting = [run_id for run_id, followed in self.followed.items() if not followed.cancel_sent]
        for run_id in self.store.cancel_requests(waiting):
            followed = self.followed[run_id]
            followed.cancel_sent = True
            Event(self.names.cancel(run_id), client=client).set()
            if followed.attempt == 0 and followed.future is not None:  # still waiting for a worker: drop it
                future = followed.future
                self._end(
                    run_id, EngineOutcome(status="cancelled", error="Cancelled before it started on the cluster.")
                )
                future.cancel()
            else:
                followed.sink.message("Cancelling: the worker is stopping the engine")

    def _beat(self) -> None:
        if time.monotonic() - self.beat_at < HEARTBEAT_S:
            for followed in self.followed.values():
                followed.sink.flush_pending()
            return
        self.beat_at = time.monotonic()
        self.store.heartbeat_many(list(self.followed))
        for followed in self.followed.values():
            followed.sink.flush_pending()

    # -- connection state --------------------------------------------------------------------------------

    def _disconnected(self, message: str) -> None:
        """No scheduler: queued runs wait; runs that had started end once the loss outlasts LOST_GRACE_S."""
        self._set_state(False, self.settings.cluster, f"{message} Queued runs wait until it answers.")
        now = time.monotonic()
        for followed in list(self.followed.values()):
            if followed.lost_since is None:
                followed.lost_since, followed.lost_reason, followed.future = now, message, None
                followed.sink.message(f"{message} Reconnecting…")
            elif now - followed.lost_since > LOST_GRACE_S:
                if followed.attempt:
                    where = followed.worker or "a worker"
                    reason = (
                        f"{followed.lost_reason} The run had started on {where}; its result can only come back "
                        "through the scheduler, so it is lost. Start the backtest again."
                    )
                    self._end(followed.run_id, EngineOutcome(status="failed", error=reason))
                else:
                    self._requeue(followed.run_id)

    def _set_state(self, connected: bool, scheduler: str | None, message: str) -> None:
        if self.state and (self.state.connected, self.state.message) == (connected, message):
            return
        now = datetime.now(UTC)
        since = self.state.since if self.state and self.state.connected == connected else now
        self.state = RelayState(pid=self.me.pid, connected=connected, scheduler=scheduler, message=message,
                                since=since, updated_at=now)  # fmt: skip
        control.write_state(self.settings, self.state)
        print(f"{now:%Y-%m-%d %H:%M:%S} {message}", flush=True)

    def _idle(self) -> bool:
        """True once nothing has been queued or followed for IDLE_EXIT_S."""
        if self.followed or self.store.has_queued():
            self.idle_since = None
            return False
        self.idle_since = self.idle_since or time.monotonic()
        return time.monotonic() - self.idle_since > IDLE_EXIT_S


def _resumed_sink(store: RunStore, run_id: str) -> StoreProgressSink:
    """A sink that continues from the run's stored progress (a new relay shows no reset to 0%)."""
    sink = StoreProgressSink(store, run_id)
    stored = store.get_progress(run_id)
    if stored is not None:
        sink.state = stored.model_copy(update={"status": BacktestStatus.RUNNING})
        sink.tail.extend(stored.log_tail)
    return sink


def _attempts(client: Client, name: str) -> int:
    try:
        return int(Variable(name, client=client).get(timeout=0))
    except TimeoutError:
        return 0


def _task_failure(error: BaseException | None) -> str:
    """Why a task raised instead of returning a result, in the analyst's words."""
    if isinstance(error, KilledWorker):
        return (
            "The Dask workers running this backtest were lost (killed, out of memory or disconnected) and the "
            f"scheduler gave up on it: {error}. Check the workers' logs and memory, then start it again."
        )
    if isinstance(error, ImportError) and "backtest_core" in str(error):
        return (
            f"A Dask worker cannot import Backtest Studio ({error}). Start workers where this project is "
            "installed, e.g. `PYTHONPATH=/path/to/backtest-studio dask worker ADDRESS`."
        )
    return f"The cluster task failed: {type(error).__name__}: {error}"


def main() -> int:
    settings = Settings()
    try:
        lock = ownership.hold(control.relay_folder(settings))
    except BlockingIOError:
        return 0  # this store's relay runs already
    store = RunStore(settings)
    try:
        Relay(settings, store).run()
    finally:
        lock.close()
    if store.has_queued() or store.running_ids(EXECUTOR):  # work arrived as this relay was leaving
        control.start_relay(settings)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
