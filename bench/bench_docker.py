"""Overhead of the lean-docker runner against a bare ``docker run`` of the same container, same run.

Uses the test image that honours LEAN's container contract (busybox, replays a real LEAN result quickly).
Two spans, taken from the Docker daemon's own event times (start, die):
- submit -> container running: ``runs.submit`` (validation, store row, detached supervisor, launch files,
  container create) against ``containers.run`` of the identical container spec;
- container exit -> result stored: the run's ``finished_at`` in the store (logs pumped, result parsed, key
  statistics indexed, container removed) against ``wait()`` returning plus ``load_result`` of the output.
Goal: both within 1.5x of the bare run. Medians of ``--runs`` runs each.

    .venv/bin/python -m bench.bench_docker [--runs 5]   (from the project root; needs dockerd)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import docker

from backtest_core import runs
from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.lean_docker.runner import run_arguments
from backtest_core.engines.lean_docker.spec import LABEL_RUN, build_run_spec, write_launch_files
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.results import load_result
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from tests.docker.lean_contract_image import build_image

REPLAY = {"replay": "completed", "replay-pause": "0"}


def events(client: docker.DockerClient, label: str, since: float) -> dict[str, float]:
    """Unix times of the container's start and die events."""
    found: dict[str, float] = {}
    stream = client.events(since=int(since) - 1, until=int(time.time()) + 1, decode=True,
                           filters={"label": label, "type": "container"})  # fmt: skip
    for event in stream:
        if event.get("status") in ("start", "die"):
            found[event["status"]] = event["timeNano"] / 1e9
    return found


def ours(client: docker.DockerClient, settings: Settings) -> tuple[float, float]:
    request = BacktestRequest(strategy="hold_spy_daily", engine=EngineName.LEAN_DOCKER, parameters=REPLAY)
    submitted = time.time()
    run_id = runs.submit(request, settings)
    run = runs.wait(run_id, settings, timeout=120)
    assert run.status == BacktestStatus.COMPLETED, run.error
    moments = events(client, f"{LABEL_RUN}={run_id}", submitted)
    stored = RunStore(settings).get(run_id).finished_at.timestamp()
    return moments["start"] - submitted, stored - moments["die"]


def bare(client: docker.DockerClient, settings: Settings, image: str, root: Path, index: int) -> tuple[float, float]:
    project = PROJECT_ROOT / "tests" / "algorithms" / "hold_spy_daily"
    output = root / f"bare-{index}"
    output.mkdir()
    job = EngineJob(f"bare-{index}", f"bare{index}", project, settings.data_dir, output,
                    RunOverrides(parameters=REPLAY), settings.storage_dir)  # fmt: skip
    spec, files = build_run_spec(job, image=image, class_name="HoldSpyDaily", python_files=["main.py"],
                                 files_dir=output / "launcher", store="bench")  # fmt: skip
    write_launch_files(files, output / "launcher")
    arguments = run_arguments(spec) | {"network_mode": "none"}
    started = time.time()
    container = client.containers.run(**arguments)
    container.wait()
    load_result(output)
    collected = time.time()
    moments = events(client, f"{LABEL_RUN}={job.run_id}", started)
    container.remove(force=True)
    return moments["start"] - started, collected - moments["die"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    client = docker.from_env()
    shared = Settings().shared
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        image = build_image(client, shared / "fixtures" / "lean-results", root / "image")
        os.environ |= {
            "BACKTEST_HOME": str(root / "home"), "BACKTEST_LEAN_IMAGE": image, "BACKTEST_DOCKER_NETWORK": "none",
            "BACKTEST_STRATEGIES": str(PROJECT_ROOT / "tests" / "algorithms"),
            "BACKTEST_DATA": str(shared / "lean-data"),
        }  # fmt: skip
        settings = Settings()
        mine = [ours(client, settings) for _ in range(args.runs)]
        plain = [bare(client, settings, image, root, i) for i in range(args.runs)]
    print(f"{datetime.now(UTC):%Y-%m-%d}, {args.runs} runs each, medians")
    print(f"{'span':<34} {'runner':>10} {'bare docker':>12} {'ratio':>7}")
    for label, index in (("submit -> container running", 0), ("container exit -> result stored", 1)):
        a = statistics.median(m[index] for m in mine) * 1000
        b = statistics.median(p[index] for p in plain) * 1000
        print(f"{label:<34} {a:8.0f}ms {b:10.0f}ms {a / b:6.2f}x")


if __name__ == "__main__":
    main()
