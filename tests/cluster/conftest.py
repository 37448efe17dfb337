"""Fixtures over a real loopback Dask cluster (``tests.cluster.loopback``) and a store that uses it.

Every process started for a test is killed by its id when its fixture ends, and so is the store's relay.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest_core.settings import PROJECT_ROOT, Settings
from tests.cluster.loopback import DASK, LoopbackCluster, stop_relay

ALGORITHMS = PROJECT_ROOT / "tests" / "algorithms"


def require_dask() -> None:
    if not DASK.exists():
        pytest.skip(f"no {DASK}: install the optional extra (pip install distributed)")


@pytest.fixture(scope="module")
def loopback_cluster(tmp_path_factory: pytest.TempPathFactory, lean_data: Path) -> Iterator[LoopbackCluster]:
    """Two workers shared by a module's tests; a killed worker comes back (its nanny restarts it)."""
    require_dask()
    cluster = LoopbackCluster(tmp_path_factory.mktemp("dask"), lean_data)
    try:
        yield cluster.start(workers=2)
    finally:
        cluster.stop()


@pytest.fixture
def own_cluster(tmp_path: Path, lean_data: Path) -> Iterator[LoopbackCluster]:
    """A cluster for one test that stops it or changes it (started by the test)."""
    require_dask()
    cluster = LoopbackCluster(tmp_path / "dask", lean_data)
    cluster.folder.mkdir()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def cluster_settings(studio_home: Settings, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A private store whose runs go to the cluster the test names with ``use_cluster``."""
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    settings = Settings()
    yield settings
    stop_relay(Settings())


def use_cluster(monkeypatch: pytest.MonkeyPatch, cluster: LoopbackCluster) -> Settings:
    monkeypatch.setenv("BACKTEST_CLUSTER", cluster.address)
    return Settings()
