"""A dashboard (relay) restart that finds its cluster run's task gone: resolved on start, with the reason.

Real ``dask scheduler`` and ``dask worker`` processes on loopback: the relay dies while a run executes, the
scheduler is restarted meanwhile (so it no longer holds the task), and the next start's relay must end the
run as failed saying why, with nothing of the lost attempt stored, and take the queue on the new scheduler.
"""

from __future__ import annotations

import psutil
import pytest

from backtest_core import runs
from backtest_core.cluster.control import read_state
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from tests.cluster.conftest import use_cluster
from tests.cluster.loopback import LoopbackCluster, engine_children, stop_relay, until

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.timeout(600)]
RUN_TIMEOUT_S = 300


def test_a_run_whose_task_the_restarted_scheduler_lost_fails_with_the_reason_on_the_next_start(
    own_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_cluster.start(workers=1)
    settings = use_cluster(monkeypatch, own_cluster)
    store = RunStore(settings)
    lost = runs.submit(BacktestRequest(strategy="loops_forever"), settings)
    [engine] = until(lambda: engine_children(lost), RUN_TIMEOUT_S, "the run's engine on the worker")
    until(lambda: store.runtime(lost).get("engine_ref"), 60, "the relay to hear the run start")
    stop_relay(settings)  # the dashboard's machine goes down ...
    own_cluster.stop_scheduler()  # ... and the cluster is restarted while it is away
    psutil.wait_procs([engine], timeout=30)
    assert not engine.is_running()
    own_cluster.workers.clear()
    own_cluster.start(workers=1)
    waiting = runs.submit(BacktestRequest(strategy="hold_spy_daily"), settings)  # this starts the next relay
    assert store.get(lost).status == BacktestStatus.RUNNING  # nothing resolved it while no relay ran

    failed = until(lambda: (run := store.get(lost)).status != BacktestStatus.RUNNING and run, 120, "the lost run")
    assert failed.status == BacktestStatus.FAILED
    assert "no longer holds this run's task" in failed.error and "Start the backtest again" in failed.error
    assert own_cluster.address in failed.error
    assert not (store.run_dir(lost) / f"{lost}.json").exists()  # nothing of the lost attempt stored
    assert read_state(settings).connected
    run = runs.wait(waiting, settings, timeout=RUN_TIMEOUT_S)  # the queue goes on, on the new scheduler
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert store.runtime(waiting)["executor"] == "dask"
