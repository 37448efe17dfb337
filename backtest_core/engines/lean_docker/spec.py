"""What a LEAN container for one run looks like, as plain data (no Docker calls here).

Mirrors the lean CLI (`lean backtest`): the project at ``/LeanCLI``, data at ``/Lean/Data``, results at
``/Results``, the object store at ``/Storage``, a generated launcher ``config.json`` mounted read-only where
LEAN's launcher reads it, and a start script that byte-compiles the project (so a syntax error fails fast
with Python's own message) and then ``exec``s LEAN, making LEAN PID 1: its exit code is the container's and
SIGINT reaches it directly.

LEAN's local job queue ignores start/end/cash, so when a request overrides them the algorithm is loaded
through a generated wrapper module that subclasses the user's algorithm and applies them right after the
user's own ``initialize`` (the same point at which the embedded engine applies them).
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from pydantic import BaseModel, Field

from backtest_core.engines.base import EngineJob, RunOverrides

LAUNCHER_DIR = "/Lean/Launcher/bin/Debug"
LAUNCHER_CONFIG = f"{LAUNCHER_DIR}/config.json"
START_SCRIPT = "/lean-cli-start.sh"
PROJECT_MOUNT = "/LeanCLI"
DATA_MOUNT = "/Lean/Data"
RESULTS_MOUNT = "/Results"
STORAGE_MOUNT = "/Storage"
WRAPPER_MOUNT = "/BacktestStudio"
WRAPPER_MODULE = "backtest_studio_overrides"
WRAPPER_CLASS = "BacktestStudioOverrides"

LABEL_RUN = "backtest-studio.run-id"
LABEL_STORE = "backtest-studio.store"
LABEL_ALGORITHM = "backtest-studio.algorithm-id"

# Handlers and limits the lean CLI's generated config carries for a local Python backtest.
_LEAN_CLI_KEYS: dict[str, object] = {
    "composer-dll-directory": ".",
    "debugging": False,
    "debugging-method": "LocalCmdline",
    "debug-mode": False,
    "log-handler": "QuantConnect.Logging.CompositeLogHandler",
    "messaging-handler": "QuantConnect.Messaging.Messaging",
    "job-queue-handler": "QuantConnect.Queues.JobQueue",
    "api-handler": "QuantConnect.Api.Api",
    "map-file-provider": "QuantConnect.Data.Auxiliary.LocalDiskMapFileProvider",
    "factor-file-provider": "QuantConnect.Data.Auxiliary.LocalDiskFactorFileProvider",
    "data-provider": "QuantConnect.Lean.Engine.DataFeeds.DefaultDataProvider",
    "data-channel-provider": "DataChannelProvider",
    "object-store": "QuantConnect.Lean.Engine.Storage.LocalObjectStore",
    "data-aggregator": "QuantConnect.Lean.Engine.DataFeeds.AggregationManager",
    "symbol-minute-limit": 10000,
    "symbol-second-limit": 10000,
    "symbol-tick-limit": 10000,
    "show-missing-data-logs": True,
    "maximum-data-points-per-chart-series": 1000000,
    "maximum-chart-series": 30,
    "force-exchange-always-open": False,
    "transaction-log": "",
    "job-user-id": "0",
    "api-access-token": "",
    "job-organization-id": "",
    "project-id": -1,
    "python-additional-paths": [],
    "storage-limit-mb": "9999999",
    "storage-file-count": "9999999",
    "environments": {
        "backtesting": {
            "live-mode": False,
            "setup-handler": "QuantConnect.Lean.Engine.Setup.BacktestingSetupHandler",
            "result-handler": "QuantConnect.Lean.Engine.Results.BacktestingResultHandler",
            "data-feed-handler": "QuantConnect.Lean.Engine.DataFeeds.FileSystemDataFeed",
            "real-time-handler": "QuantConnect.Lean.Engine.RealTime.BacktestingRealTimeHandler",
            "history-provider": ["QuantConnect.Lean.Engine.HistoricalData.SubscriptionDataReaderHistoryProvider"],
            "transaction-handler": "QuantConnect.Lean.Engine.TransactionHandlers.BacktestingTransactionHandler",
        }
    },
}


class FileMount(BaseModel):
    """A single generated file bound into the container (read-only)."""

    source: Path
    target: str
    read_only: bool = True


class ContainerSpec(BaseModel):
    """Everything ``containers.run`` needs, so tests can assert it without starting anything."""

    image: str
    name: str
    hostname: str
    labels: dict[str, str]
    entrypoint: list[str]
    working_dir: str = LAUNCHER_DIR
    volumes: dict[str, dict[str, str]]
    file_mounts: list[FileMount]
    environment: dict[str, str] = Field(default_factory=dict)
    stop_signal: str = "SIGINT"
    network_mode: str | None = None
    mem_limit: str | None = None
    nano_cpus: int | None = None


class LaunchFiles(BaseModel):
    """The generated files: launcher config, start script and (with overrides) the wrapper module."""

    config: dict[str, object]
    start_script: str
    wrapper: str | None = None


class ResourceLimits(BaseModel):
    memory: str | None = None
    cpus: float | None = None
    network_mode: str | None = None


def container_name(run_id: str) -> str:
    """Container name for a run: stable, so a restarted supervisor finds it again."""
    return f"backtest_studio_{run_id}"


def store_label(home: Path) -> str:
    """Identifies the store a container belongs to (several stores may share one Docker daemon)."""
    return hashlib.sha1(str(home.resolve()).encode()).hexdigest()[:16]


def needs_wrapper(overrides: RunOverrides) -> bool:
    return any(v is not None for v in (overrides.start_date, overrides.end_date, overrides.initial_cash))


def launcher_config(job: EngineJob, class_name: str | None) -> dict[str, object]:
    """LEAN's launcher config.json, as the lean CLI writes it for a local Python backtest."""
    wrapped = needs_wrapper(job.overrides)
    config: dict[str, object] = {
        "environment": "backtesting",
        "algorithm-language": "Python",
        "algorithm-location": f"{WRAPPER_MOUNT}/{WRAPPER_MODULE}.py" if wrapped else f"{PROJECT_MOUNT}/main.py",
        "algorithm-type-name": WRAPPER_CLASS if wrapped else (class_name or "main"),
        "algorithm-id": job.algorithm_id,
        "backtest-name": job.run_id,
        "close-automatically": True,
        "data-folder": DATA_MOUNT,
        "results-destination-folder": RESULTS_MOUNT,
        "object-store-root": STORAGE_MOUNT,
        "parameters": dict(job.overrides.parameters),
    }
    config.update(_LEAN_CLI_KEYS)
    if wrapped:
        config["python-additional-paths"] = [PROJECT_MOUNT]
    return config


def start_script(python_files: list[str]) -> str:
    """The container's start script: byte-compile the project, then hand PID 1 to LEAN."""
    targets = " ".join(f'"{PROJECT_MOUNT}/{name}"' for name in python_files) or f'"{PROJECT_MOUNT}/main.py"'
    return (
        "#!/usr/bin/env bash\n"
        "set -e\n"
        f"if [ -d '{PROJECT_MOUNT}' ]; then\n"
        f"    python -m compileall -q {targets}\n"
        "else\n"
        f"    echo '{PROJECT_MOUNT} is not mounted, skipping compilation...'\n"
        "fi\n"
        "exec dotnet QuantConnect.Lean.Launcher.dll\n"
    )


def overrides_wrapper(class_name: str, overrides: RunOverrides) -> str:
    """A module whose only algorithm subclasses the user's and applies start/end/cash after initialize.

    LEAN calls ``initialize`` or ``Initialize`` on the class it finds; the wrapper defines both and runs the
    user's own one (whichever spelling the user wrote), then the overrides.
    """
    calls: list[str] = []
    if overrides.start_date is not None:
        d = overrides.start_date
        calls.append(f"self.set_start_date({d.year}, {d.month}, {d.day})")
    if overrides.end_date is not None:
        d = overrides.end_date
        calls.append(f"self.set_end_date({d.year}, {d.month}, {d.day})")
    if overrides.initial_cash is not None:
        calls.append(f"self.set_cash({overrides.initial_cash!r})")
    applied = "\n".join(f"        {call}" for call in calls)
    return f'''"""Generated by Backtest Studio: applies the run's start/end/cash after the algorithm's initialize."""
from AlgorithmImports import *  # noqa: F403
import main as _user_module

_UserAlgorithm = _user_module.{class_name}


def _user_initialize(algorithm):
    for klass in type(algorithm).__mro__[1:]:
        if klass.__name__ == "QCAlgorithm" or klass is object:
            return None
        for name in ("initialize", "Initialize"):
            method = vars(klass).get(name)
            if method is not None:
                return method(algorithm)
    return None


class {WRAPPER_CLASS}(_UserAlgorithm):
    def initialize(self):
        _user_initialize(self)
{applied}

    def Initialize(self):
        self.initialize()
'''


def build_run_spec(
    job: EngineJob,
    *,
    image: str,
    class_name: str | None,
    python_files: list[str],
    files_dir: Path,
    store: str,
    limits: ResourceLimits | None = None,
) -> tuple[ContainerSpec, LaunchFiles]:
    """The container and the files to write into ``files_dir`` before starting it."""
    limits = limits or ResourceLimits()
    wrapper = overrides_wrapper(class_name or "main", job.overrides) if needs_wrapper(job.overrides) else None
    files = LaunchFiles(
        config=launcher_config(job, class_name), start_script=start_script(python_files), wrapper=wrapper
    )
    volumes = {
        str(job.project_dir): {"bind": PROJECT_MOUNT, "mode": "rw"},
        str(job.data_dir): {"bind": DATA_MOUNT, "mode": "rw"},
        str(job.output_dir): {"bind": RESULTS_MOUNT, "mode": "rw"},
    }
    if job.storage_dir is not None:
        volumes[str(job.storage_dir)] = {"bind": STORAGE_MOUNT, "mode": "rw"}
    file_mounts = [
        FileMount(source=files_dir / "config.json", target=LAUNCHER_CONFIG),
        FileMount(source=files_dir / "lean-cli-start.sh", target=START_SCRIPT),
    ]
    if wrapper is not None:
        file_mounts.append(
            FileMount(source=files_dir / f"{WRAPPER_MODULE}.py", target=f"{WRAPPER_MOUNT}/{WRAPPER_MODULE}.py")
        )
    spec = ContainerSpec(
        image=image,
        name=container_name(job.run_id),
        hostname=platform.node() or "backtest-studio",
        labels={LABEL_RUN: job.run_id, LABEL_STORE: store, LABEL_ALGORITHM: job.algorithm_id},
        entrypoint=["bash", START_SCRIPT],
        volumes=volumes,
        file_mounts=file_mounts,
        network_mode=limits.network_mode,
        mem_limit=limits.memory,
        nano_cpus=int(limits.cpus * 1e9) if limits.cpus else None,
    )
    return spec, files


def write_launch_files(files: LaunchFiles, files_dir: Path) -> None:
    """Write the generated files where the spec's file mounts expect them."""
    files_dir.mkdir(parents=True, exist_ok=True)
    (files_dir / "config.json").write_text(json.dumps(files.config, indent=4))
    script = files_dir / "lean-cli-start.sh"
    script.write_text(files.start_script)
    script.chmod(0o755)
    if files.wrapper is not None:
        (files_dir / f"{WRAPPER_MODULE}.py").write_text(files.wrapper)
