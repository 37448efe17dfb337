"""Docker tests run against a real daemon and a locally built image honouring LEAN's contract."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import DockerException

from backtest_core.engines.base import EngineJob, RunOverrides
from tests.docker.lean_contract_image import IMAGE, build_image
from tests.recording_sink import RecordingSink

pytestmark = pytest.mark.docker


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except DockerException as error:
        pytest.skip(f"no Docker engine reachable ({error}); install docker.io and start dockerd")
    yield client
    client.close()


@pytest.fixture(scope="session")
def contract_image(docker_client, lean_fixtures, tmp_path_factory, worker_id) -> str:
    """Built once per test run. Under xdist the workers share their base temporary folder's parent: the first
    to take the lock there builds, and the others reuse its image instead of re-tagging it under running tests."""
    if worker_id == "master":
        return build_image(docker_client, lean_fixtures, tmp_path_factory.mktemp("lean-image"))
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / "lean-image.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = shared / "lean-image.built"
        if not built.exists():
            build_image(docker_client, lean_fixtures, tmp_path_factory.mktemp("lean-image"))
            built.write_text(IMAGE)
    return IMAGE


@pytest.fixture
def docker_settings(studio_home, contract_image, monkeypatch):
    """Settings pointing at the contract image, with containers cut off from every network."""
    monkeypatch.setenv("BACKTEST_LEAN_IMAGE", contract_image)
    monkeypatch.setenv("BACKTEST_DOCKER_NETWORK", "none")
    from backtest_core.settings import Settings

    return Settings()


def make_job(tmp_path: Path, run_id: str, parameters: dict[str, str], **overrides) -> EngineJob:
    project = tmp_path / run_id / "code"
    project.mkdir(parents=True)
    (project / "main.py").write_text(
        "from AlgorithmImports import *\n\n\nclass ReplayedAlgorithm(QCAlgorithm):\n"
        "    def initialize(self):\n        self.add_equity('SPY', Resolution.MINUTE)\n"
    )
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return EngineJob(
        run_id=run_id,
        algorithm_id=run_id,
        project_dir=project,
        data_dir=data,
        output_dir=tmp_path / run_id,
        overrides=RunOverrides(parameters=parameters, **overrides),
        storage_dir=tmp_path / "storage",
    )


__all__ = ["IMAGE", "RecordingSink", "make_job"]
