"""What travels between the relay (the submitting machine) and a task on a Dask worker, and the names both use.

Everything a store puts on the scheduler (task keys, the datasets that keep tasks alive, cancel events,
attempt counters, the progress topic) is named with the store's token, so several studios can share one
cluster without seeing each other's runs.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from backtest_core.engines.base import EngineOutcome, RunOverrides
from backtest_core.models import EngineName
from backtest_core.settings import PROJECT_ROOT, Settings

EXECUTOR = "dask"  # the store's name for runs that execute on the cluster (``runs.executor``)
# A worker lost mid-run (killed, out of memory, disconnected): Dask starts the task again elsewhere. The run
# is retried once that way, from the start and with nothing of the lost attempt kept; a second loss fails it.
TASK_ATTEMPTS = 2
DOCKER_RESOURCE = "docker"  # workers that can run lean-docker declare it: dask worker ... --resources docker=1
CODE_PACKAGE = PROJECT_ROOT / "backtest_core"


@dataclass(frozen=True)
class Names:
    """The scheduler-side names of one store's runs."""

    token: str

    @classmethod
    def of(cls, settings: Settings) -> Names:
        """Names scoped to this machine's store (host name and store folder)."""
        place = f"{socket.getfqdn()}:{settings.home.resolve()}"
        return cls(hashlib.sha256(place.encode()).hexdigest()[:12])

    @property
    def prefix(self) -> str:
        return f"backtest-studio-{self.token}-"

    @property
    def topic(self) -> str:
        """Where this store's tasks send progress (one topic per store: the scheduler keeps a bounded tail)."""
        return f"{self.prefix}progress"

    def key(self, run_id: str) -> str:
        """The run's task key; also the name of the dataset that keeps the task alive without a client."""
        return f"{self.prefix}{run_id}"

    def run_id(self, key: str) -> str | None:
        """The run a task key or dataset name belongs to, None when it is not this store's."""
        rest = key.removeprefix(self.prefix)
        return rest if rest != key and rest != "progress" else None

    def cancel(self, run_id: str) -> str:
        return f"{self.key(run_id)}-cancel"

    def attempts(self, run_id: str) -> str:
        return f"{self.key(run_id)}-attempts"


class DockerChoice(BaseModel):
    """The submitter's LEAN image and container limits, applied by the worker that runs a lean-docker task."""

    lean_image: str
    docker_memory: str | None = None
    docker_cpus: float | None = None
    docker_network: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> DockerChoice:
        return cls.model_validate(settings.model_dump(include=set(cls.model_fields)))


class TaskBundle(BaseModel):
    """One run as a task: its code travels with it; the data folder is the worker's own (BACKTEST_DATA)."""

    run_id: str
    algorithm_id: str
    engine: EngineName
    code: bytes  # the run's code snapshot, packed (archive.pack)
    overrides: RunOverrides
    docker: DockerChoice
    token: str
    fingerprint: str  # of the submitter's Backtest Studio code; a worker running other code refuses the run

    @property
    def names(self) -> Names:
        return Names(self.token)


class TaskResult(BaseModel):
    """What a task returns: the engine's outcome and the run's result folder, packed (None when no engine
    ran), with where and when it ran."""

    outcome: EngineOutcome
    archive: bytes | None = None
    worker: str
    host: str
    attempt: int
    task_started: float  # epoch seconds on the worker
    engine_started: float | None = None
    engine_ended: float | None = None


def code_fingerprint(package: Path = CODE_PACKAGE) -> str:
    """A digest of Backtest Studio's Python sources: the same on two machines means the same engine code."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
