"""A cancel that meets a task whose start the relay has not heard yet (a real scheduler, worker and engine).

The relay drops a run it believes is still waiting for a worker thread (attempt 0) and cancels its future;
but the task may have started on the worker already, unseen, and Dask cannot interrupt a running task. Only
the run's cancel event reaches it, so that event must stay set once the run is forgotten. The relay is
stepped here by hand, in this process, to stand exactly in that gap; everything else is real processes.

The task hears its cancel event through one long poll at a time. A set-then-clear while a poll waits on the
scheduler still wakes it, so each test pauses the worker (SIGSTOP) until its pending poll has timed out on the
scheduler: the cancel then arrives between two polls, where a cleared (deleted) event is never seen.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from typing import IO

import psutil
import pytest
from distributed import Client, Event

from backtest_core import runs
from backtest_core.cluster import archive, control
from backtest_core.cluster.protocol import DockerChoice, Names, TaskBundle, code_fingerprint
from backtest_core.cluster.relay import Relay
from backtest_core.cluster.task import CANCEL_WAIT_S, run_backtest_task
from backtest_core.engines.base import RunOverrides
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.runs import ownership
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from tests.cluster.conftest import ALGORITHMS, use_cluster
from tests.cluster.loopback import LoopbackCluster, engine_children, until

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.timeout(600)]
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30  # the task polls its cancel event every second; the engine ends within a few


@contextlib.contextmanager
def between_cancel_polls(engine: psutil.Process) -> Iterator[None]:
    """The engine's Dask worker stopped until its pending cancel poll has timed out, resumed on leaving."""
    worker = engine.parent()
    assert worker is not None
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        time.sleep(2 * CANCEL_WAIT_S + 0.5)
        yield
    finally:
        os.kill(worker.pid, signal.SIGCONT)


@pytest.fixture
def relay_here(own_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[tuple[Relay, Client]]:  # fmt: skip
    """A relay in this process on a one-worker cluster, holding the store's relay lock, so the relay a submit
    starts leaves at once and only the test moves this one."""
    own_cluster.start(workers=1)
    settings = use_cluster(monkeypatch, own_cluster)
    lock: IO[bytes] = ownership.hold(control.relay_folder(settings))
    relay = Relay(settings, RunStore(settings))
    client = Client(own_cluster.address, timeout=30, set_as_default=False)
    relay.client = client
    try:
        yield relay, client
    finally:
        client.close()
        lock.close()


def test_a_run_cancelled_after_its_task_started_unheard_ends_its_engine(relay_here: tuple[Relay, Client]) -> None:
    relay, client = relay_here
    settings, store = relay.settings, relay.store
    run_id = runs.submit(BacktestRequest(strategy="loops_forever"), settings)
    relay._claim(client)  # submitted to the cluster; its "started" event is never drained
    assert relay.followed[run_id].attempt == 0
    [engine] = until(lambda: engine_children(run_id), START_TIMEOUT_S, "the engine on the worker")

    with between_cancel_polls(engine):
        runs.cancel(run_id, settings)
        relay._relay_cancels(client)  # the relay believes the run never started: it drops it and its task

    assert run_id not in relay.followed
    assert store.get(run_id).status == BacktestStatus.CANCELLED
    assert "Cancelled before it started on the cluster" in (store.run_dir(run_id) / "log.txt").read_text()
    assert Event(relay.names.cancel(run_id), client=client).is_set()  # kept set for the task that runs on
    psutil.wait_procs([engine], timeout=STOP_TIMEOUT_S)
    assert not engine.is_running(), "the cancelled run's engine runs on, on the worker"


def test_a_left_over_task_of_this_store_is_told_to_stop(relay_here: tuple[Relay, Client]) -> None:
    """A task whose run the store no longer follows (a relay that died after storing it) ends its engine."""
    relay, client = relay_here
    names = Names.of(relay.settings)
    bundle = TaskBundle(
        run_id="left-over", algorithm_id="left-over", engine=EngineName.EMBEDDED,
        code=archive.pack(ALGORITHMS / "loops_forever"), overrides=RunOverrides(),
        docker=DockerChoice.of(relay.settings), token=names.token, fingerprint=code_fingerprint(),
    )  # fmt: skip
    future = client.submit(run_backtest_task, bundle, key=names.key("left-over"), pure=False)
    client.publish_dataset(future, name=names.key("left-over"))
    [engine] = until(lambda: engine_children("left-over"), START_TIMEOUT_S, "the left-over task's engine")

    with between_cancel_polls(engine):
        relay._clean_leftovers(client)

    assert names.key("left-over") not in client.list_datasets()
    assert Event(names.cancel("left-over"), client=client).is_set()
    psutil.wait_procs([engine], timeout=STOP_TIMEOUT_S)
    assert not engine.is_running(), "the left-over task's engine runs on"
    assert future.result(timeout=STOP_TIMEOUT_S).outcome.status == "cancelled"
