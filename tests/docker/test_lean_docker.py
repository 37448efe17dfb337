"""The lean-docker engine against a real Docker daemon and an image honouring LEAN's contract."""

from __future__ import annotations

import json
import threading
import time

import docker
import pytest

from backtest_core.engines.lean_docker.runner import LeanDockerEngine
from backtest_core.engines.lean_docker.spec import (
    LABEL_ALGORITHM,
    LABEL_RUN,
    LABEL_STORE,
    LAUNCHER_CONFIG,
    container_name,
    store_label,
)
from backtest_core.results import load_result
from tests.docker.conftest import RecordingSink, make_job

pytestmark = pytest.mark.docker


def _wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def _container(client: docker.DockerClient, run_id: str):
    try:
        return client.containers.get(container_name(run_id))
    except docker.errors.NotFound:
        return None


def test_completed_run_is_parsed_and_matches_the_recording(docker_settings, lean_fixtures, tmp_path):
    # slow enough (~3 s) that the runner's twice-a-second look at /Results sees the midway snapshot
    job = make_job(tmp_path, "run-complete", {"replay": "completed", "replay-pause": "60000"})
    sink = RecordingSink()
    outcome = LeanDockerEngine(docker_settings).run(job, sink, threading.Event())
    assert outcome.status == "completed", outcome.error
    fixture = json.loads((lean_fixtures / "cli2025-spy-minute-sma-301orders/1186467672.json").read_text())
    result = load_result(job.output_dir)
    assert result.statistics.raw == fixture["statistics"]
    assert len(result.orders) == 301
    assert any("Dates: Start:" in line for line in sink.lines)
    # progress came from the midway snapshot: a real percentage and the simulated date of its last point
    assert sink.reports and 0 < sink.reports[-1].percent < 100
    assert sink.reports[-1].period_start is not None
    assert (job.output_dir / "log.txt").stat().st_size > 0


def test_failed_run_keeps_lean_error_text(docker_settings, tmp_path):
    job = make_job(tmp_path, "run-failed", {"replay": "runtime-error", "replay-pause": "1000"})
    outcome = LeanDockerEngine(docker_settings).run(job, RecordingSink(), threading.Event())
    assert outcome.status == "failed"
    assert outcome.error.startswith("Runtime Error:")
    assert "main.py" in (outcome.error + (outcome.traceback or ""))


def test_container_contract_mounts_labels_config_and_stop_signal(docker_settings, docker_client, tmp_path):
    from datetime import date

    job = make_job(
        tmp_path,
        "run-inspect",
        {"replay": "completed", "replay-pause": "200000"},
        start_date=date(2023, 1, 3),
        end_date=date(2023, 1, 20),
        initial_cash=250000,
    )
    cancel = threading.Event()
    outcome: dict = {}
    thread = threading.Thread(
        target=lambda: outcome.update(
            o=LeanDockerEngine(docker_settings, stop_grace=10).run(job, RecordingSink(), cancel)
        )
    )
    thread.start()
    try:
        container = _wait_for(lambda: _container(docker_client, job.run_id))
        attrs = container.attrs
        mounts = {m["Destination"]: m for m in attrs["Mounts"]}
        assert mounts["/LeanCLI"]["Source"] == str(job.project_dir) and mounts["/LeanCLI"]["RW"]
        assert mounts["/Lean/Data"]["Source"] == str(job.data_dir)
        assert mounts["/Results"]["Source"] == str(job.output_dir)
        assert mounts["/Storage"]["Source"] == str(job.storage_dir)
        assert not mounts[LAUNCHER_CONFIG]["RW"] and not mounts["/lean-cli-start.sh"]["RW"]
        labels = attrs["Config"]["Labels"]
        assert labels[LABEL_RUN] == job.run_id and labels[LABEL_ALGORITHM] == job.algorithm_id
        assert labels[LABEL_STORE] == store_label(docker_settings.home)
        assert attrs["Config"]["StopSignal"] == "SIGINT"
        assert attrs["Config"]["Entrypoint"] == ["bash", "/lean-cli-start.sh"]
        assert attrs["Config"]["WorkingDir"] == "/Lean/Launcher/bin/Debug"
        assert attrs["HostConfig"]["NetworkMode"] == "none"
        config = json.loads((job.output_dir / "launcher" / "config.json").read_text())
        assert config["algorithm-id"] == job.algorithm_id and config["close-automatically"] is True
        assert config["environment"] == "backtesting" and config["algorithm-language"] == "Python"
        assert config["data-folder"] == "/Lean/Data" and config["results-destination-folder"] == "/Results"
        assert config["parameters"]["replay"] == "completed"
        # start/end/cash overrides go through a wrapper that subclasses the user's algorithm
        assert config["algorithm-type-name"] == "BacktestStudioOverrides"
        wrapper = (job.output_dir / "launcher" / "backtest_studio_overrides.py").read_text()
        assert "_user_module.ReplayedAlgorithm" in wrapper and "self.set_cash(250000.0)" in wrapper
        assert "self.set_start_date(2023, 1, 3)" in wrapper and "self.set_end_date(2023, 1, 20)" in wrapper
    finally:
        cancel.set()
        thread.join(timeout=60)
    assert outcome["o"].status == "cancelled"


def test_cancel_mid_run_stops_container_and_keeps_partial_log(docker_settings, docker_client, tmp_path):
    job = make_job(tmp_path, "run-cancel", {"replay": "completed", "replay-pause": "300000"})
    sink = RecordingSink()
    cancel = threading.Event()
    outcome: dict = {}
    thread = threading.Thread(
        target=lambda: outcome.update(o=LeanDockerEngine(docker_settings, stop_grace=20).run(job, sink, cancel))
    )
    thread.start()
    _wait_for(lambda: len(sink.lines) > 20)
    started = time.monotonic()
    cancel.set()
    thread.join(timeout=60)
    assert time.monotonic() - started < 15  # SIGINT ends LEAN promptly; no wait for the kill grace
    assert outcome["o"].status == "cancelled"
    _wait_for(lambda: _container(docker_client, job.run_id) is None)  # removed in the background
    log = (job.output_dir / "log.txt").read_text()
    assert "Lean instance has been cancelled" in log
    assert 20 < len(log.splitlines()) < 463  # partial: the recording has 463 lines


def test_two_runs_at_once(docker_settings, tmp_path):
    jobs = [make_job(tmp_path, f"run-pair-{i}", {"replay": "completed", "replay-pause": "5000"}) for i in range(2)]
    outcomes: dict[str, object] = {}
    threads = [
        threading.Thread(
            target=lambda j=j: outcomes.update(
                {j.run_id: LeanDockerEngine(docker_settings).run(j, RecordingSink(), threading.Event())}
            )
        )
        for j in jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [outcomes[j.run_id].status for j in jobs] == ["completed", "completed"]
    assert all(load_result(j.output_dir).algorithm_id == j.run_id for j in jobs)


def test_missing_image_is_a_clear_message(studio_home, monkeypatch, tmp_path, docker_client):
    monkeypatch.setenv("BACKTEST_LEAN_IMAGE", "backtest-studio/not-here:never")
    from backtest_core.settings import Settings

    engine = LeanDockerEngine(Settings())
    availability = engine.availability()
    assert not availability.available and "docker pull backtest-studio/not-here:never" in availability.message
    outcome = engine.run(make_job(tmp_path, "run-noimage", {}), RecordingSink(), threading.Event())
    assert outcome.status == "failed" and "not present" in outcome.error


def test_daemon_down_is_a_clear_message(studio_home, monkeypatch, tmp_path, docker_client):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    from backtest_core.settings import Settings

    availability = LeanDockerEngine(Settings()).availability()
    assert not availability.available
    assert "Docker daemon is not reachable" in availability.message and "embedded engine" in availability.message
