"""lean-docker on a loopback Dask cluster: only a worker declaring the Docker resource takes the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest_core import runs
from backtest_core.engines.lean_docker.spec import LABEL_RUN
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from tests.cluster.conftest import require_dask
from tests.cluster.loopback import LoopbackCluster, stop_relay

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
pytestmark = [pytest.mark.docker, pytest.mark.cluster, pytest.mark.slow]


def test_a_lean_docker_run_goes_to_the_worker_with_the_docker_resource(
    docker_settings, docker_client, lean_data, monkeypatch, tmp_path
) -> None:
    require_dask()
    cluster = LoopbackCluster(tmp_path / "dask", lean_data)
    cluster.folder.mkdir()
    try:
        cluster.start(workers=1)  # no Docker resource
        cluster.add_worker("--resources", "docker=1")
        cluster.wait_for_workers(2)
        docker_worker = next(
            address for address, info in cluster.identity()["workers"].items() if info["resources"].get("docker")
        )
        monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
        monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
        monkeypatch.setenv("BACKTEST_CLUSTER", cluster.address)
        settings = Settings()
        request = BacktestRequest(strategy="hold_spy_daily", engine=EngineName.LEAN_DOCKER,
                                  parameters={"replay": "completed", "replay-pause": "0"})  # fmt: skip
        run = runs.wait(runs.submit(request, settings), settings, timeout=300)
        assert run.status == BacktestStatus.COMPLETED, run.error
        assert run.stats.total_orders == 301  # the replayed LEAN result came home and was indexed
        assert RunStore(settings).runtime(run.id)["engine_ref"] == docker_worker
        assert run.executor == "dask"
        assert not docker_client.containers.list(all=True, filters={"label": f"{LABEL_RUN}={run.id}"})
    finally:
        stop_relay(Settings())
        cluster.stop()
