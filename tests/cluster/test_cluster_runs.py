"""Runs on a real loopback Dask cluster: the store's queue handed to ``dask worker`` processes.

Each test drives the product as a user does (``runs.submit``/``cancel``/``wait``, the CLI), against real
scheduler, worker, relay and engine processes, and checks what lands in the store.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import psutil
import pytest

from backtest_core import runs
from backtest_core.cli import main
from backtest_core.cluster.control import read_state
from backtest_core.errors import EngineUnavailable
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName
from backtest_core.models.sweep import Objective
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import build_grid
from backtest_core.sweeps.launch import plan_sweep, submit_sweep
from tests.apptest_pages import page
from tests.cluster.conftest import ALGORITHMS, use_cluster
from tests.cluster.loopback import LoopbackCluster, engine_children, free_port, kill, stop_relay, until

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.timeout(900)]
RUN_TIMEOUT_S = 300


def paced(pause: float = 0.04, **parameters: str) -> BacktestRequest:
    return BacktestRequest(strategy="paced_daily", parameters={"pause": str(pause), **parameters})


def outcome(store: RunStore, run_id: str) -> tuple[dict[str, str], list[dict]]:
    """What must not depend on where a run executed: LEAN's statistics and the orders."""
    result = store.result(run_id)
    return result.statistics.raw, result.orders.astype(str).to_dict("records")


def cli(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """``python -m backtest_core ARGUMENTS`` as typed, run in this process: exit code, stdout, stderr."""
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def paced_run_under_way(settings: Settings, pause: float = 0.04) -> tuple[str, psutil.Process]:
    """A ``paced_daily`` run a tenth done on the cluster, and its engine process on the worker."""
    run_id = runs.submit(paced(pause), settings)
    until(lambda: runs.progress(run_id, settings).percent > 10, RUN_TIMEOUT_S, "the run under way")
    [engine] = engine_children(run_id)
    return run_id, engine


def worker_of(process: psutil.Process, cluster: LoopbackCluster) -> psutil.Process:
    """The Dask worker process an engine child belongs to (a process of one of the cluster's worker sessions)."""
    parent = process.parent()
    assert parent is not None and os.getpgid(parent.pid) in {worker.pid for worker in cluster.workers}
    return parent


def local_settings(home: Path, data: Path) -> Settings:
    """A store of its own on the local queue (limit 2): where the runs the cluster must reproduce are made."""
    return Settings(home=home, data=data, strategies=ALGORITHMS, max_concurrent=2, cluster=None)


def run_sweep(settings: Settings) -> list[str]:
    """A four-run sweep of ``paced_daily`` over ``fast`` launched as the Run page launches one; its runs
    (in grid order), each waited for and completed. Four are two per worker, and hold the default ``fast``."""
    plan = plan_sweep(paced(0), build_grid(["fast=2:5:1"]), Objective(), settings)
    sweep = submit_sweep(plan, settings)
    ids = [run.id for run in SweepStore(RunStore(settings)).run_infos(sweep.id)]
    assert len(ids) == 4
    for run_id in ids:
        run = runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S)
        assert run.status == BacktestStatus.COMPLETED, run.error
    return ids


@pytest.fixture(scope="module")
def made_here(tmp_path_factory: pytest.TempPathFactory, lean_data: Path) -> list[tuple[dict[str, str], list]]:
    """The four-run sweep made here by the local queue: what the cluster must reproduce."""
    settings = local_settings(tmp_path_factory.mktemp("local-store"), lean_data)
    ids = run_sweep(settings)
    store = RunStore(settings)
    assert {store.runtime(run_id)["executor"] for run_id in ids} == {"local"}
    return [outcome(store, run_id) for run_id in ids]


@pytest.fixture(scope="module")
def paced_reference(made_here: list[tuple[dict[str, str], list]]) -> tuple[dict[str, str], list]:
    """``paced_daily`` at its default ``fast`` (5) made here: what every cluster run of it must reproduce."""
    return made_here[5 - 2]


def test_a_sweep_of_four_runs_on_the_cluster_equals_the_same_runs_made_here(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch,
    made_here: list[tuple[dict[str, str], list]],
) -> None:  # fmt: skip
    settings = use_cluster(monkeypatch, loopback_cluster)
    cluster_ids = run_sweep(settings)
    store = RunStore(settings)
    workers = set(loopback_cluster.identity()["workers"])
    places = [store.runtime(run_id) for run_id in cluster_ids]
    assert {place["executor"] for place in places} == {"dask"}
    assert {place["engine_ref"] for place in places} == workers  # both workers took runs
    assert [outcome(store, run_id) for run_id in cluster_ids] == made_here
    for run_id in cluster_ids:
        folder = store.run_dir(run_id)
        assert {"log.txt", f"{run_id}.json", f"{run_id}-order-events.json"} <= {p.name for p in folder.iterdir()}
        assert "Ran on the Dask worker" in (folder / "log.txt").read_text()
    assert len({json.dumps(statistics, sort_keys=True) for statistics, _ in made_here}) > 1  # a real sweep


def test_progress_rows_appear_while_a_cluster_run_executes(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = use_cluster(monkeypatch, loopback_cluster)
    run_id = runs.submit(paced(0.02), settings)
    seen = []

    def moving() -> bool:
        report = runs.progress(run_id, settings)
        if report.status == BacktestStatus.RUNNING and report.percent > 0:
            seen.append(report)
        return len({round(r.percent) for r in seen}) >= 3

    until(moving, RUN_TIMEOUT_S, "three progress rows of a running cluster run")
    last = seen[-1]
    assert [r.percent for r in seen] == sorted(r.percent for r in seen)
    assert last.simulated_time is not None and last.simulated_time.year == 2014
    assert last.equity is not None and len(last.equity_points) >= 2
    assert any("close" in line for line in last.log_tail)  # the algorithm's own log lines
    assert last.message.startswith("Running on the Dask worker")
    assert runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S).status == BacktestStatus.COMPLETED


def test_cluster_status_shows_the_run_then_cancel_reaches_the_worker_and_ends_its_engine(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    settings = use_cluster(monkeypatch, loopback_cluster)
    run_id = runs.submit(BacktestRequest(strategy="loops_forever"), settings)
    [engine] = until(lambda: engine_children(run_id), RUN_TIMEOUT_S, "the engine process on a worker")
    worker_of(engine, loopback_cluster)
    job = json.loads(engine.cmdline()[-1])  # the child's job: the strategy code it runs came in the task
    code = Path(job["project_dir"])
    assert code.parent.parent.name.startswith(f"backtest-{run_id}-") and (code / "main.py").is_file()
    assert not code.is_relative_to(settings.home) and not code.is_relative_to(ALGORITHMS)
    store = RunStore(settings)
    until(lambda: any("endless loop" in line for line in runs.progress(run_id, settings).log_tail), RUN_TIMEOUT_S,
          "the loop to begin, as the run's log says")  # fmt: skip

    code, shown, problem = cli(capsys, "cluster", "status", "--json")
    assert code == 0, problem
    status = json.loads(shown)
    assert status["reachable"] and status["threads"] == 2 and len(status["workers"]) == 2
    assert status["running"] == 1 and status["relay_running"]
    [busy] = [worker for worker in status["workers"] if worker["runs"]]
    assert busy["runs"] == [run_id] and busy["executing"] == 1 and busy["threads"] == 1
    _, text, _ = cli(capsys, "cluster", "status")
    assert busy["address"] in text and run_id in text and "2 thread(s)" in text
    for name in ("run", "sweep"):  # the pages that start runs show the same cluster
        shown_page = page(name)
        [panel] = [box.value for box in shown_page.info if "Dask cluster" in box.value]
        assert loopback_cluster.address in panel and "2 worker(s), 2 thread(s)" in panel and "1 running" in panel
        [table] = [frame.value for frame in shown_page.dataframe if "worker" in frame.value.columns]
        assert sorted(table["worker"]) == sorted(worker["address"] for worker in status["workers"])
        assert table.set_index("worker").loc[busy["address"], "this store's runs"] == run_id

    answer = runs.cancel(run_id, settings)
    assert "being stopped" in answer.message
    run = runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.CANCELLED
    psutil.wait_procs([engine], timeout=30)
    assert not engine.is_running()
    log = (store.run_dir(run_id) / "log.txt").read_text()
    assert "entering an endless loop" in log  # the partial result folder came home


@pytest.mark.parametrize("stop", ["kill-9", "sigterm"])  # a worker process killed (its nanny restarts it), or
def test_a_worker_lost_mid_run_is_retried_once_and_the_result_is_the_same(  # `dask worker` stopped by its operator
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch,
    paced_reference: tuple[dict[str, str], list], stop: str,
) -> None:  # fmt: skip
    settings = use_cluster(monkeypatch, loopback_cluster)
    store = RunStore(settings)
    run_id, engine = paced_run_under_way(settings, pause=0.02)  # both attempts in ~10 s
    worker = worker_of(engine, loopback_cluster)
    if stop == "kill-9":
        os.kill(worker.pid, signal.SIGKILL)
    else:  # a closing worker ends its engine and hands the task back rather than storing a cancelled run
        [command] = [process for process in loopback_cluster.workers if process.pid == os.getpgid(worker.pid)]
        command.send_signal(signal.SIGTERM)
    psutil.wait_procs([engine], timeout=30)
    assert not engine.is_running()  # the lost attempt's engine went with its worker

    run = runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert outcome(store, run_id) == paced_reference
    log = (store.run_dir(run_id) / "log.txt").read_text()
    assert "was lost mid-run" in log and "attempt 2 of 2" in log
    assert log.count("Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE") == 1  # only the second attempt's log
    if stop == "sigterm":
        loopback_cluster.add_worker()  # an operator's stop is for good
    loopback_cluster.wait_for_workers(2)  # the nanny brought the killed worker back


def test_a_run_whose_worker_is_lost_twice_fails_with_the_reason_and_nothing_stored(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = use_cluster(monkeypatch, loopback_cluster)
    store = RunStore(settings)
    run_id = runs.submit(paced(), settings)
    for attempt in (1, 2):
        loopback_cluster.wait_for_workers(2)
        [engine] = until(lambda: engine_children(run_id), RUN_TIMEOUT_S, f"attempt {attempt}'s engine")
        os.kill(worker_of(engine, loopback_cluster).pid, signal.SIGKILL)
        psutil.wait_procs([engine], timeout=30)

    run = runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.FAILED
    assert "lost 2 times" in run.error and "not tried again" in run.error
    assert not (store.run_dir(run_id) / f"{run_id}.json").exists()  # nothing of either attempt was stored
    assert "lost 2 times" in (store.run_dir(run_id) / "log.txt").read_text()
    assert run.stats.end_equity is None
    loopback_cluster.wait_for_workers(2)


def test_a_killed_relay_is_replaced_on_the_next_poll_and_re_attaches(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch,
    paced_reference: tuple[dict[str, str], list],
) -> None:  # fmt: skip
    settings = use_cluster(monkeypatch, loopback_cluster)
    store = RunStore(settings)
    run_id, engine = paced_run_under_way(settings)
    first = read_state(settings).pid
    stop_relay(settings)  # kill -9, as a machine restart or an OOM kill would
    assert store.get(run_id).status == BacktestStatus.RUNNING  # not an orphan: its task runs on
    runs.active(settings)  # what every monitor poll and the dashboard's start do
    until(lambda: (state := read_state(settings)) and state.pid != first and state.connected, 120, "a new relay")
    assert engine.is_running()  # the engine was never interrupted
    run = runs.wait(run_id, settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert outcome(store, run_id) == paced_reference


def test_a_scheduler_stopped_between_submit_and_start_keeps_the_run_queued(
    own_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_cluster.start(workers=1)
    settings = use_cluster(monkeypatch, own_cluster)
    store = RunStore(settings)
    busy = runs.submit(BacktestRequest(strategy="loops_forever"), settings)
    [engine] = until(lambda: engine_children(busy), RUN_TIMEOUT_S, "the busy run's engine")
    waiting = runs.submit(BacktestRequest(strategy="hold_spy_daily"), settings)
    assert store.get(waiting).status == BacktestStatus.QUEUED  # the cluster's one thread is taken

    own_cluster.stop_scheduler()
    stopped = until(lambda: not store.get(busy).status.is_active, 120, "the started run to be resolved")
    assert stopped
    lost = store.get(busy)
    assert lost.status == BacktestStatus.FAILED
    assert "connection to the Dask scheduler" in lost.error and "Start the backtest again" in lost.error
    psutil.wait_procs([engine], timeout=30)
    assert not engine.is_running()
    until(lambda: (s := read_state(settings)) and not s.connected and "does not answer" in s.message, 60,
          "the relay to say the scheduler does not answer")  # fmt: skip
    assert own_cluster.address in read_state(settings).message
    assert store.get(waiting).status == BacktestStatus.QUEUED  # not lost: it waits for the scheduler

    own_cluster.workers.clear()
    own_cluster.start(workers=1)
    run = runs.wait(waiting, settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.COMPLETED, run.error
    assert run.stats.end_equity == pytest.approx(104486.22)


def test_an_unreachable_scheduler_at_submit_is_said_and_the_run_stays_queued(
    cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("BACKTEST_CLUSTER", address)
    code, submitted, problem = cli(capsys, "run", "hold_spy_daily")
    run_id = submitted.strip()
    assert code == 2 and run_id
    assert f"The Dask scheduler at {address} does not answer" in problem
    assert f"run {run_id} stays queued" in problem
    store = RunStore(Settings())
    assert store.get(run_id).status == BacktestStatus.QUEUED
    code, shown, _ = cli(capsys, "cluster", "status", "--json")
    status = json.loads(shown)
    assert code == 1 and not status["reachable"] and "does not answer" in status["problem"]
    assert status["queued"] == 1
    until(lambda: (s := read_state(Settings())) and not s.connected, 60, "the relay's state")
    assert store.get(run_id).status == BacktestStatus.QUEUED
    [warning] = [box.value for box in page("run").warning if "Dask cluster" in box.value]
    assert "cannot be reached" in warning and f"The Dask scheduler at {address} does not answer" in warning


def test_lean_docker_on_a_cluster_without_a_docker_worker_is_refused_with_the_reason(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = use_cluster(monkeypatch, loopback_cluster)
    with pytest.raises(EngineUnavailable) as refused:
        runs.submit(BacktestRequest(strategy="hold_spy_daily", engine=EngineName.LEAN_DOCKER), settings)
    assert "Docker resource" in str(refused.value) and "--resources docker=1" in str(refused.value)
    assert RunStore(settings).list().total == 0


def test_a_worker_without_the_data_folder_says_so(
    own_cluster: LoopbackCluster, cluster_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "no-data-here"
    own_cluster.start(workers=1, BACKTEST_DATA=str(missing))
    settings = use_cluster(monkeypatch, own_cluster)
    run = runs.wait(runs.submit(BacktestRequest(strategy="hold_spy_daily"), settings), settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.FAILED
    assert f"has no LEAN data folder at {missing}" in run.error and "BACKTEST_DATA" in run.error
    assert f"has no LEAN data folder at {missing}" in (RunStore(settings).run_dir(run.id) / "log.txt").read_text()

    kill(own_cluster.workers[0])  # the next worker has no BACKTEST_DATA at all: it does not guess <home>/data
    own_cluster.add_worker(unset=("BACKTEST_DATA",))
    until(lambda: [w["name"] for w in own_cluster.identity().get("workers", {}).values()] == ["worker-2"], 120,
          "only the worker without BACKTEST_DATA")  # fmt: skip
    run = runs.wait(runs.submit(BacktestRequest(strategy="hold_spy_daily"), settings), settings, timeout=RUN_TIMEOUT_S)
    assert run.status == BacktestStatus.FAILED
    assert "has no BACKTEST_DATA set" in run.error and "Start the worker with BACKTEST_DATA" in run.error
    assert RunStore(settings).runtime(run.id)["engine_ref"] in own_cluster.identity()["workers"]  # worker-2 said it


def test_a_worker_running_other_code_refuses_the_run_and_the_same_code_runs_it(
    loopback_cluster: LoopbackCluster, cluster_settings: Settings
) -> None:
    from distributed import Client

    from backtest_core.cluster.archive import pack, unpack
    from backtest_core.cluster.protocol import DockerChoice, Names, TaskBundle, code_fingerprint
    from backtest_core.cluster.task import run_backtest_task
    from backtest_core.engines.base import RunOverrides

    names = Names.of(cluster_settings)
    bundle = TaskBundle(
        run_id="other-code", algorithm_id="other-code", engine=EngineName.EMBEDDED,
        code=pack(ALGORITHMS / "hold_spy_daily"), overrides=RunOverrides(), docker=DockerChoice.of(cluster_settings),
        token=names.token, fingerprint="0" * 16,
    )  # fmt: skip
    with Client(loopback_cluster.address, timeout=30, set_as_default=False) as client:
        refused = client.submit(run_backtest_task, bundle, key=names.key("other-code"), pure=False).result(timeout=120)
        same = bundle.model_copy(update={"run_id": "same-code", "algorithm_id": "same-code",
                                         "fingerprint": code_fingerprint()})  # fmt: skip
        ran = client.submit(run_backtest_task, same, key=names.key("same-code"), pure=False).result(RUN_TIMEOUT_S)
    assert refused.outcome.status == "failed" and refused.archive is None
    assert "runs other Backtest Studio code" in refused.outcome.error and "0" * 16 in refused.outcome.error
    assert (
        ran.outcome.status == "completed" and ran.attempt == 1 and ran.worker in loopback_cluster.identity()["workers"]
    )
    assert {"same-code.json", "log.txt"} <= set(unpack(ran.archive, cluster_settings.home / "unpacked"))
