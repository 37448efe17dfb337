"""A real Dask cluster on loopback for the tests and the benchmark: ``dask scheduler`` and ``dask worker``
processes on 127.0.0.1, no dashboards. ``stop`` kills every process started here by its id (each in its own
session, so a worker's nanny, worker process and engine children go together).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from backtest_core.cluster.control import read_state, relay_running
from backtest_core.settings import PROJECT_ROOT, Settings

DASK = Path(sys.executable).parent / "dask"  # the command the distributed package installs
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def until(condition: Callable[[], object], timeout: float = 120, what: str = "condition") -> object:
    """Poll (the system under test offers no push events to a test) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class LoopbackCluster:
    """A scheduler on 127.0.0.1:<port> and workers with one thread each, as separate real processes."""

    def __init__(self, folder: Path, data: Path) -> None:
        self.folder = folder
        self.data = data
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self, workers: int = 2, **worker_env: str) -> LoopbackCluster:
        self.start_scheduler()
        for _ in range(workers):
            self.add_worker(**worker_env)
        self.wait_for_workers(workers)
        return self

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn(
            "scheduler",
            [
                str(DASK),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-dashboard",
                "--dashboard-address",
                "127.0.0.1:0",
            ],
        )

    def add_worker(self, *extra: str, unset: tuple[str, ...] = (), **env: str) -> subprocess.Popen[bytes]:
        """A worker with one thread; ``env`` added to its environment, the variables in ``unset`` removed."""
        name = f"worker-{len(self.workers) + 1}"
        local = self.folder / name
        local.mkdir(exist_ok=True)
        worker = self._spawn(
            name,
            [
                str(DASK),
                "worker",
                self.address,
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--nthreads",
                "1",
                "--name",
                name,
                "--local-directory",
                str(local),
                *extra,
            ],
            {"BACKTEST_DATA": str(self.data), "BACKTEST_HOME": str(local / "home")} | env,
            unset,
        )
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, count: int) -> None:
        until(lambda: len(self.identity().get("workers", {})) >= count, START_TIMEOUT_S, f"{count} dask workers")

    def identity(self) -> dict:
        from backtest_core.cluster.status import scheduler_identity
        from backtest_core.errors import ClusterUnavailable

        try:
            return scheduler_identity(self.address, timeout=2)
        except ClusterUnavailable:
            return {}

    def stop_scheduler(self) -> None:
        """As an operator would: SIGTERM, and the workers leave with it."""
        assert self.scheduler is not None
        self.scheduler.send_signal(signal.SIGTERM)
        self.scheduler.wait(timeout=60)
        for worker in self.workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=60)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process is not None:
                kill(process)

    def _spawn(
        self, name: str, arguments: list[str], env: dict[str, str] | None = None, unset: tuple[str, ...] = ()
    ) -> subprocess.Popen[bytes]:
        environment = os.environ | {"PYTHONPATH": str(PROJECT_ROOT)} | (env or {})
        for variable in ("BACKTEST_CLUSTER", *unset):
            environment.pop(variable, None)
        log = (self.folder / f"{name}.log").open("ab")
        return subprocess.Popen(arguments, cwd=self.folder, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process started here and everything in its session (nanny, worker, engine children)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def engine_children(run_id: str) -> list[psutil.Process]:
    """The embedded engine processes running ``run_id`` (the job JSON on their command line names it)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if "backtest_core.engines.embedded.worker" in line and f'"run_id": "{run_id}"' in line:
            found.append(process)
    return found


def stop_relay(settings: Settings) -> None:
    """Kill this store's cluster relay by its pid (as recorded in its state), if it runs."""
    state = read_state(settings)
    if state is not None and relay_running(settings):
        with contextlib.suppress(psutil.NoSuchProcess):
            relay = psutil.Process(state.pid)
            relay.kill()
            relay.wait(timeout=30)
