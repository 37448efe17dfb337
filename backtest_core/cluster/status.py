"""What the cluster offers now: its workers, their threads and resources, and this store's runs on them.

Asked of the scheduler in one short RPC (``identity``), without a Dask client, so a page can ask on every
refresh. ``BACKTEST_CLUSTER`` is a scheduler address (``tcp://host:port``) or a scheduler file written by
``dask scheduler --scheduler-file``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, computed_field

from backtest_core.cluster.control import RelayState, read_state, relay_running
from backtest_core.cluster.protocol import DOCKER_RESOURCE, EXECUTOR
from backtest_core.engines.base import EngineAvailability
from backtest_core.errors import ClusterUnavailable
from backtest_core.models import BacktestStatus, EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore

PROBE_TIMEOUT_S = 3.0
START_HINT = (
    "Start a scheduler (`dask scheduler --port 8786`) and workers (`dask worker tcp://HOST:8786`), or unset "
    "BACKTEST_CLUSTER to run backtests on this machine."
)


class ClusterWorker(BaseModel):
    address: str
    name: str
    host: str
    threads: int = Field(description="tasks it runs at once: one backtest each")
    memory_limit: int | None = Field(default=None, description="bytes")
    resources: dict[str, float] = Field(default_factory=dict)
    executing: int = Field(default=0, description="tasks executing now (any client's)")
    runs: list[str] = Field(default_factory=list, description="this store's runs executing on it")

    @computed_field
    @property
    def docker(self) -> bool:
        """Declares the Docker resource: may run lean-docker backtests."""
        return self.resources.get(DOCKER_RESOURCE, 0) >= 1


class ClusterStatus(BaseModel):
    """The cluster as this store sees it; ``problem`` says why it cannot be used, when it cannot."""

    setting: str = Field(description="BACKTEST_CLUSTER as given")
    scheduler: str | None = None
    reachable: bool = False
    problem: str | None = None
    workers: list[ClusterWorker] = Field(default_factory=list)
    running: int = Field(default=0, description="this store's runs executing on the cluster")
    queued: int = Field(default=0, description="this store's runs waiting for a free worker thread")
    relay_running: bool = Field(default=False, description="this store's relay process is alive")
    relay: RelayState | None = Field(default=None, description="what the relay last saw")

    @computed_field
    @property
    def threads(self) -> int:
        """The concurrency limit on a cluster: every worker thread runs one backtest."""
        return sum(worker.threads for worker in self.workers)

    @property
    def docker_workers(self) -> list[ClusterWorker]:
        return [worker for worker in self.workers if worker.docker]

    def worker_rows(self) -> list[dict[str, object]]:
        """One row per worker, for a table (page or terminal)."""
        return [
            {
                "worker": worker.address, "host": worker.host, "threads": worker.threads,
                "resources": resources_text(worker.resources), "executing": worker.executing,
                "this store's runs": ", ".join(worker.runs),
            }
            for worker in self.workers
        ]  # fmt: skip


def resources_text(resources: dict[str, float]) -> str:
    return " ".join(f"{name}={value:g}" for name, value in sorted(resources.items()))


def scheduler_address(setting: str) -> str:
    """The scheduler's address from ``BACKTEST_CLUSTER``: given as is, or read from a scheduler file."""
    if "://" in setting:
        return setting
    path = Path(setting).expanduser()
    try:
        address = json.loads(path.read_text()).get("address")
    except FileNotFoundError as error:
        raise ClusterUnavailable(
            f"BACKTEST_CLUSTER: the scheduler file {path} does not exist (is the scheduler running?)",
            f"Start it with `dask scheduler --scheduler-file {path}`, or set BACKTEST_CLUSTER to tcp://host:port.",
        ) from error
    except (OSError, ValueError, AttributeError) as error:
        raise ClusterUnavailable(
            f"BACKTEST_CLUSTER: the scheduler file {path} cannot be read: {error}",
            "Point BACKTEST_CLUSTER at the file `dask scheduler --scheduler-file` writes, or at tcp://host:port.",
        ) from error
    if not isinstance(address, str) or "://" not in address:
        raise ClusterUnavailable(f"BACKTEST_CLUSTER: the scheduler file {path} names no scheduler address")
    return address


def scheduler_identity(address: str, timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """The scheduler's own description of itself and its workers (raises ClusterUnavailable)."""
    from distributed.core import rpc  # Dask only when a cluster is asked about

    async def ask() -> dict[str, Any]:
        async with rpc(address, timeout=timeout) as scheduler:
            return await asyncio.wait_for(scheduler.identity(), timeout + 1)  # the connect's own timeout first

    try:
        return asyncio.run(ask())
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise ClusterUnavailable(f"The Dask scheduler at {address} does not answer: {reason}", START_HINT) from error


def workers_of(identity: dict[str, Any]) -> list[ClusterWorker]:
    """The running workers in a scheduler identity (closing or paused ones take no new backtests)."""
    workers = []
    for address, info in sorted(identity.get("workers", {}).items()):
        if info.get("status", "running") != "running":
            continue
        counts = (info.get("metrics") or {}).get("task_counts") or {}
        workers.append(
            ClusterWorker(
                address=address, name=str(info.get("name", address)), host=str(info.get("host", "")),
                threads=int(info.get("nthreads", 0)), memory_limit=info.get("memory_limit"),
                resources={str(k): float(v) for k, v in (info.get("resources") or {}).items()},
                executing=int(counts.get("executing", 0)),
            )
        )  # fmt: skip
    return workers


def cluster_status(settings: Settings, store: RunStore | None = None) -> ClusterStatus:
    """Ask the scheduler and the store; an unusable cluster is a status with its ``problem``, not an error."""
    if not settings.cluster:
        raise ClusterUnavailable(
            "BACKTEST_CLUSTER is not set: backtests run on this machine",
            "Set BACKTEST_CLUSTER=tcp://host:port (a Dask scheduler) to run them on a cluster.",
        )
    store = store or RunStore(settings)
    running = store.running_ids(EXECUTOR)
    status = ClusterStatus(
        setting=settings.cluster,
        running=len(running),
        queued=sum(run.status == BacktestStatus.QUEUED for run in store.active()),
        relay_running=relay_running(settings),
        relay=read_state(settings),
    )
    try:
        status.scheduler = scheduler_address(settings.cluster)
        status.workers = workers_of(scheduler_identity(status.scheduler))
    except ClusterUnavailable as error:
        status.problem = error.user_message()
        return status
    status.reachable = True
    where = {run_id: store.runtime(run_id).get("engine_ref") for run_id in running}
    for worker in status.workers:
        worker.runs = [run_id for run_id, address in where.items() if address == worker.address]
    if not status.workers:
        status.problem = "The scheduler has no workers: queued runs wait until one joins (`dask worker ADDRESS`)."
    return status


def engine_availability(engine: EngineName, settings: Settings) -> EngineAvailability:
    """Whether ``engine`` can run on the cluster: lean-docker needs a worker declaring the Docker resource.

    A scheduler that does not answer refuses nothing: runs wait in the queue until it does.
    """
    status = cluster_status(settings)
    if not status.reachable:
        return EngineAvailability(available=True, message=f"Queued until the cluster answers. {status.problem}")
    if engine == EngineName.LEAN_DOCKER and not status.docker_workers:
        return EngineAvailability(available=False, message=no_docker_worker(status))
    workers = status.docker_workers if engine == EngineName.LEAN_DOCKER else status.workers
    return EngineAvailability(
        available=True,
        message=f"Runs on the Dask cluster at {status.scheduler}: {len(workers)} worker(s), "
        f"{sum(worker.threads for worker in workers)} thread(s).",
    )


def no_docker_worker(status: ClusterStatus) -> str:
    return (
        f"lean-docker on the cluster needs a worker that declares the Docker resource, and none of the "
        f"{len(status.workers)} worker(s) at {status.scheduler} does. Start one on a host with Docker and the LEAN "
        f"image: `dask worker {status.scheduler} --resources {DOCKER_RESOURCE}=1`."
    )
