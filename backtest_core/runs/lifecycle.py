"""Submit, cancel, watch and recover runs. Reads come from the store only, so polling is cheap.

``submit`` records the run as a queued row and dispatches: when a slot is free the run gets its supervisor
in a new process session at once, otherwise it waits as a row (no process) until a supervisor ending or a
poll dispatches it. From then on the run belongs to its supervisor, not to the caller (a Streamlit rerun,
a closed tab or a finished CLI command change nothing). ``recover`` resolves runs whose supervisor is gone
and moves the queue: it runs on every ``active()`` poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from pydantic import BaseModel

from backtest_core import strategies
from backtest_core.engines.lean_docker.spec import store_label
from backtest_core.errors import EngineUnavailable, InvalidRequest
from backtest_core.models import BacktestProgress, BacktestRequest, BacktestRunInfo, BacktestStatus, EngineName
from backtest_core.runs import ownership
from backtest_core.runs.dispatch import dispatch, start_supervisor
from backtest_core.runs.executors import executor_for
from backtest_core.runs.jobs import append_log
from backtest_core.runs.preflight import check_launch
from backtest_core.settings import Settings
from backtest_core.store import RunStore

SPAWN_GRACE = timedelta(seconds=10)  # a run claimed this recently may not have recorded its supervisor yet
WAIT_POLL_S = 0.5


class CancelAnswer(BaseModel):
    """What ``cancel`` did, in words for the analyst."""

    run_id: str
    status: BacktestStatus
    message: str

    def __str__(self) -> str:
        return self.message


def submit(request: BacktestRequest, settings: Settings | None = None, project: Path | None = None) -> str:
    """Validate, record the run as queued, start it if a slot is free; return the run id at once.

    ``project`` is the code to run: the catalogue's project of ``request.strategy`` by default, or another
    LEAN project folder (a stored run's code snapshot, to run again exactly what it ran).
    """
    settings = settings or Settings()
    project = project or strategies.resolve_project(request.strategy, settings.strategies)
    details = strategies.get_strategy(str(project), settings.strategies)
    if details.error:
        raise InvalidRequest("strategy", f"{request.strategy} cannot run: {details.error}")
    check_launch(request, details, settings.data_dir)
    if request.engine == EngineName.LEAN_DOCKER:  # here, or on the cluster's Docker workers
        availability = executor_for(settings).engine_availability(request.engine)
        if not availability.available:
            raise EngineUnavailable(availability.message)
    store = RunStore(settings)
    run = store.create(request, project)
    dispatch(settings, store)
    return run.id


def run_again(run_id: str, settings: Settings | None = None) -> str:
    """Submit a stored run's request once more with its code snapshot (what it ran, not the catalogue's code
    of today); the new run's id. InvalidRequest when the run kept no code to run."""
    settings = settings or Settings()
    store = RunStore(settings)
    run = store.get(run_id)
    code = store.run_dir(run_id) / "code"
    if not (code / "main.py").is_file():
        raise InvalidRequest(
            "code",
            f"run {run_id} kept no Python code snapshot (code/main.py) to run again; "
            "clone it into the Run page to run the catalogue's current code with its request",
        )
    return submit(run.request, settings, project=code)


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
        message=f"Run {run_id} is being stopped; its Result page will show what it wrote before it stopped.",
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
    """Resolve running runs whose supervisor process is gone, then move the queue; return the ids changed.

    A ``lean-docker`` run whose container still exists gets a new supervisor that re-attaches to it; any
    other orphan is marked failed with the reason. A run on the Dask cluster is never a local orphan: the
    cluster relay follows it, and a dispatch with ``BACKTEST_CLUSTER`` set starts a relay that re-attaches
    to it. Queued runs are rows without a process: nothing to recover, only to dispatch.
    """
    store = store or RunStore(settings)
    changed = []
    for run in runs if runs is not None else store.active():
        if run.status != BacktestStatus.RUNNING or ownership.is_owned(store.run_dir(run.id)):
            continue
        runtime = store.runtime(run.id)
        if runtime.get("executor", "local") != "local":
            continue
        if supervisor_alive(runtime.get("supervisor_pid"), runtime.get("supervisor_started")):
            continue  # started but not locked yet (or a run from before locks): its pid answers
        claimed = run.started_at or run.created_at
        if runtime.get("supervisor_pid") is None and datetime.now(UTC) - claimed < SPAWN_GRACE:
            continue  # just claimed by a dispatcher that is starting its supervisor
        if run.engine == EngineName.LEAN_DOCKER and _container_exists(settings, run.id):
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
    changed.extend(dispatch(settings, store))
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
    from backtest_core.engines.lean_docker import client as docker_client  # the docker SDK only when asked

    try:
        client = docker_client.connect(timeout=3)
    except EngineUnavailable:
        return False
    return docker_client.find_container(client, run_id, store_label(settings.home)) is not None
