"""The queue's only mover: hand queued runs to where they execute while slots are free.

A queued run is a row in the store and nothing else (no process, no memory). ``dispatch`` is called
whenever a slot may have freed or a run was added: by ``submit``, by every supervisor as it ends, and by
``recover`` (each monitor poll, each CLI start, the dashboard's start), so the queue moves with nobody
watching and resumes after a restart. Claiming is one SQLite transaction, so concurrent dispatchers never
start a run twice. Where runs execute is the executor's choice (``runs.executors``): here, a detached
supervisor per run (below), or the Dask cluster named by ``BACKTEST_CLUSTER``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from backtest_core.errors import StudioError
from backtest_core.models import BacktestRunInfo, BacktestStatus, EngineName
from backtest_core.runs.executors import executor_for
from backtest_core.runs.jobs import append_log, build_job
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore


def dispatch(settings: Settings, store: RunStore | None = None) -> list[str]:
    """Start queued runs, oldest first, until the concurrency limit is reached; return the ids started."""
    return executor_for(settings).dispatch(store or RunStore(settings))


def dispatch_locally(settings: Settings, store: RunStore) -> list[str]:
    """The local executor: a supervisor on this machine per claimed run, up to ``BACKTEST_MAX_CONCURRENT``."""
    started = []
    while (run := store.claim_next(settings.max_concurrent)) is not None:
        _launch(store, settings, run)
        started.append(run.id)
    return started


def _launch(store: RunStore, settings: Settings, run: BacktestRunInfo) -> None:
    """Give a claimed (now running) run its owner; a failure to start ends it failed with the reason."""
    try:
        if run.request.engine == EngineName.LEAN_DOCKER:
            from backtest_core.engines.lean_docker.runner import LeanDockerEngine  # the docker SDK only for it

            # start LEAN's container from here, then hand it to a supervisor that follows it: the container
            # runs half a second sooner, and were this process to die in between, recovery finds its label
            LeanDockerEngine(settings).start(build_job(store, settings, run.id, run.request))
            start_supervisor(store, settings, run.id, reattach=True)
        else:
            start_supervisor(store, settings, run.id)
    except (StudioError, OSError) as error:
        message = error.user_message() if isinstance(error, StudioError) else f"Could not start the run: {error}"
        append_log(store.run_dir(run.id), message)
        store.finalize(run.id, BacktestStatus.FAILED, error=message)


def start_supervisor(store: RunStore, settings: Settings, run_id: str, *, reattach: bool = False) -> None:
    """A detached ``backtest_core.runs.supervisor`` for ``run_id`` (new session; reaped if we outlive it)."""
    module = ["backtest_core.runs.supervisor", run_id] + (["--reattach"] if reattach else [])
    child = start_detached(module, settings, store.run_dir(run_id) / "supervisor.txt")
    with contextlib.suppress(psutil.NoSuchProcess):  # already finished: recovery sees the final status
        store.set_runtime(run_id, supervisor_pid=child.pid, supervisor_started=psutil.Process(child.pid).create_time())


def start_detached(module: list[str], settings: Settings, output: Path) -> subprocess.Popen[bytes]:
    """``python -m <module...>`` in a session of its own with the settings spelled out, its output appended
    to ``output``; waited for on a thread, so it leaves no zombie while this process lives."""
    with output.open("ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", *module],
            cwd=str(PROJECT_ROOT),
            env=settings_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    threading.Thread(target=child.wait, daemon=True).start()
    return child


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment for a supervisor: this process's, with every setting spelled out."""
    environment = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None:
            environment[f"BACKTEST_{name.upper()}"] = str(value)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), environment.get("PYTHONPATH")]))
    return environment
