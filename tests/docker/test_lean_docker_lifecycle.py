"""lean-docker runs through the real lifecycle: submit, supervisor killed mid-run, re-attach, result stored."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from backtest_core import runs
from backtest_core.engines.lean_docker.spec import LABEL_RUN
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
pytestmark = pytest.mark.docker


def test_supervisor_restart_reattaches_to_the_running_container(docker_settings, docker_client, lean_data,
                                                                 monkeypatch) -> None:  # fmt: skip
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    settings = Settings()
    store = RunStore(settings)
    request = BacktestRequest(strategy="hold_spy_daily", engine=EngineName.LEAN_DOCKER,
                              parameters={"replay": "completed", "replay-pause": "60000"})  # fmt: skip
    run_id = runs.submit(request, settings)
    deadline = time.monotonic() + 60
    while not docker_client.containers.list(filters={"label": f"{LABEL_RUN}={run_id}"}):
        assert time.monotonic() < deadline, "the LEAN container never started"
        time.sleep(0.2)
    first = store.runtime(run_id)["supervisor_pid"]
    supervisor = psutil.Process(first)
    os.kill(first, signal.SIGKILL)
    psutil.wait_procs([supervisor], timeout=10)
    assert any(run.id == run_id for run in runs.active(settings))  # re-attached, still active
    second = store.runtime(run_id)["supervisor_pid"]
    assert second != first and psutil.pid_exists(second)
    run = runs.wait(run_id, settings, timeout=180)
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert run.stats.total_orders == 301  # the replayed LEAN result was collected and indexed
    assert not docker_client.containers.list(all=True, filters={"label": f"{LABEL_RUN}={run_id}"})
