"""Submit, cancel, watch and recover runs. Reads come from the store only, so polling is cheap.

``submit`` records the run and starts its supervisor in a new process session; from then on the run belongs
to that process, not to the caller (a Streamlit rerun, a closed tab or a finished CLI command change
nothing). ``recover`` resolves runs whose supervisor is gone: it runs on every ``active()`` poll.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psutil
from pydantic import BaseModel

from backtest_core import strategies
from backtest_core.engines.lean_docker import client as docker_client
from backtest_core.engines.lean_docker.runner import LeanDockerEngine
from backtest_core.engines.lean_docker.spec import store_label
from backtest_core.engines.registry import engine_availability
from backtest_core.errors import EngineUnavailable, InvalidRequest, StudioError
from backtest_core.models import BacktestProgress, BacktestRequest, BacktestRunInfo, BacktestStatus, EngineName
from backtest_core.runs import ownership
from backtest_core.runs.supervisor import append_log, build_job
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore

SPAWN_GRACE = timedelta(seconds=10)  # a queued run younger than this may not have recorded its supervisor yet
WAIT_POLL_S = 0.5


class CancelAnswer(BaseModel):
    """What ``cancel`` did, in words for the analyst."""

    run_id: str
    status: BacktestStatus
    message: str

    def __str__(self) -> str:
        return self.message


def submit(request: BacktestRequest, settings: Settings | None = None) -> str:
    """Validate, record the run as queued, start its supervisor; return the run id at once."""
    settings = settings or Settings()
    project = strategies.resolve_project(request.strategy, settings.strategies)
    details = strategies.get_strategy(str(project), settings.strategies)
    if details.error:
        raise InvalidRequest("strategy", f"{request.strategy} cannot run: {details.error}")
    if request.engine == EngineName.LEAN_DOCKER:
        availability = engine_availability(request.engine, settings)
        if not availability.available:
            raise EngineUnavailable(availability.message)
    store = RunStore(settings)
    run = store.create(request, project)
    if request.engine == EngineName.LEAN_DOCKER and store.try_claim_slot(run.id, settings.max_concurrent):
        return _start_container_now(store, settings, run.id, request)
    start_supervisor(store, settings, run.id)
    return run.id


def _start_container_now(store: RunStore, settings: Settings, run_id: str, request: BacktestRequest) -> str:
    """A free slot: start LEAN's container from here, then hand it to a supervisor that follows it.

    Starting a Python supervisor costs half a second before it could create the container; this way the
    container runs at once. Were this process to die in between, recovery finds the labelled container.
    """
    try:
        LeanDockerEngine(settings).start(build_job(store, settings, run_id, request))
    except StudioError as error:
        append_log(store.run_dir(run_id), error.user_message())
        store.finalize(run_id, BacktestStatus.FAILED, error=error.user_message())
        return run_id
    start_supervisor(store, settings, run_id, reattach=True)
    return run_id


def start_supervisor(store: RunStore, settings: Settings, run_id: str, *, reattach: bool = False) -> None:
    """A detached ``backtest_core.runs.supervisor`` for ``run_id`` (new session; reaped if we outlive it)."""
    arguments = [sys.executable, "-m", "backtest_core.runs.supervisor", run_id] + (["--reattach"] if reattach else [])
    with (store.run_dir(run_id) / "supervisor.txt").open("ab") as output:
        child = subprocess.Popen(
            arguments,
            cwd=str(PROJECT_ROOT),
            env=settings_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    with contextlib.suppress(psutil.NoSuchProcess):  # already finished: recovery sees the final status
        store.set_runtime(run_id, supervisor_pid=child.pid, supervisor_started=psutil.Process(child.pid).create_time())
    threading.Thread(target=child.wait, daemon=True).start()  # no zombie while this process lives


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment for a supervisor: this process's, with every setting spelled out."""
    environment = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None:
            environment[f"BACKTEST_{name.upper()}"] = str(value)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), environment.get("PYTHONPATH")]))
    return environment


def cancel(run_id: str, settings: Settings | None = None) -> CancelAnswer:
    """Stop a run: a queued one never starts, a running one is stopped within seconds; finished ones say so."""
    store = RunStore(settings or Settings())
    run = store.get(run_id)
    if not run.status.is_active:
        return CancelAnswer(
            run_id=run_id,
            status=run.status,
            message=f"Run {run_id} has already ended ({run.status.value}); nothing to cancel.",
        )
    store.request_cancel(run_id)
    if run.status == BacktestStatus.QUEUED and store.mark_if(
        run_id, BacktestStatus.QUEUED, BacktestStatus.CANCELLED, "Cancelled while queued; never started."
    ):
        return CancelAnswer(
            run_id=run_id,
            status=BacktestStatus.CANCELLED,
            message=f"Run {run_id} was queued; it is cancelled and will not start.",
        )
    return CancelAnswer(
        run_id=run_id,
        status=BacktestStatus.RUNNING,
        message=f"Run {run_id} is being stopped; its log and partial results are kept.",
    )


def status(run_id: str, settings: Settings | None = None) -> BacktestRunInfo:
    return RunStore(settings or Settings()).get(run_id)


def progress(run_id: str, settings: Settings | None = None) -> BacktestProgress:
    """The last progress the supervisor stored (one small row; never the log)."""
    store = RunStore(settings or Settings())
    return _with_status(store.get_progress(run_id), store.get(run_id))


def active_progress(settings: Settings | None = None) -> list[tuple[BacktestRunInfo, BacktestProgress]]:
    """Every queued or running run with its last progress: what a monitor poll needs, in two queries."""
    settings = settings or Settings()
    runs = active(settings)
    stored = RunStore(settings).get_progress_many([run.id for run in runs])
    return [(run, _with_status(stored.get(run.id), run)) for run in runs]


def _with_status(report: BacktestProgress | None, run: BacktestRunInfo) -> BacktestProgress:
    if report is None:
        return BacktestProgress(run_id=run.id, status=run.status, percent=0.0 if run.status.is_active else 100.0)
    report.status = run.status
    return report


def active(settings: Settings | None = None) -> list[BacktestRunInfo]:
    """Queued and running runs, after resolving any whose supervisor is gone."""
    settings = settings or Settings()
    store = RunStore(settings)
    runs = store.active()
    if runs and recover(settings, store, runs):
        runs = store.active()
    return runs


def wait(
    run_id: str,
    settings: Settings | None = None,
    timeout: float | None = None,
    on_progress: Callable[[BacktestProgress], None] | None = None,
) -> BacktestRunInfo:
    """Block until the run ends (or ``timeout`` seconds pass); ``on_progress`` sees each poll."""
    settings = settings or Settings()
    store = RunStore(settings)
    deadline = time.monotonic() + timeout if timeout is not None else None
    while True:
        run = store.get(run_id)
        if on_progress is not None:
            on_progress(progress(run_id, settings))
        if not run.status.is_active:
            return run
        recover(settings, store, [run])
        if deadline is not None and time.monotonic() > deadline:
            return run
        time.sleep(WAIT_POLL_S)


def recover(settings: Settings, store: RunStore | None = None, runs: list[BacktestRunInfo] | None = None) -> list[str]:
    """Resolve active runs whose supervisor process is gone; return the ids it changed.

    A ``lean-docker`` run whose container still exists gets a new supervisor that re-attaches to it; any
    other orphan is marked failed with the reason.
    """
    store = store or RunStore(settings)
    changed = []
    for run in runs if runs is not None else store.active():
        owned = ownership.is_owned(store.run_dir(run.id))
        if owned:
            continue
        runtime = store.runtime(run.id)
        if owned is None and supervisor_alive(runtime.get("supervisor_pid"), runtime.get("supervisor_started")):
            continue  # started but not locked yet (or a run from before locks): its pid answers
        if runtime.get("supervisor_pid") is None and datetime.now(UTC) - run.created_at < SPAWN_GRACE:
            continue
        if (
            run.status == BacktestStatus.RUNNING
            and run.engine == EngineName.LEAN_DOCKER
            and _container_exists(settings, run.id)
        ):
            start_supervisor(store, settings, run.id, reattach=True)
            changed.append(run.id)
            continue
        reason = (
            f"The run's supervisor process (pid {runtime.get('supervisor_pid')}) ended without finishing the "
            "run (killed, or the machine restarted). Start the backtest again."
        )
        if store.mark_if(run.id, run.status, BacktestStatus.FAILED, reason):
            append_log(store.run_dir(run.id), reason)
            changed.append(run.id)
    return changed


def supervisor_alive(pid: int | None, started: float | None) -> bool:
    """True when process ``pid`` still exists and is the one started at ``started`` (pids are reused)."""
    if pid is None:
        return False
    try:
        process = psutil.Process(int(pid))
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(process.create_time() - float(started)) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _container_exists(settings: Settings, run_id: str) -> bool:
    try:
        client = docker_client.connect(timeout=3)
    except EngineUnavailable:
        return False
    return docker_client.find_container(client, run_id, store_label(settings.home)) is not None
