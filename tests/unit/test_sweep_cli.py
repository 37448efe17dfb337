"""Sweeps end to end through the CLI with real engine processes on a small SYNTHETIC data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backtest_core.models import BacktestStatus
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from tests.sweep_helpers import UNLUCKY, build_optimize_folder, supervisors, write_strategies

PERIOD = ["--start", "2017-01-01", "--end", "2017-08-31"]


@pytest.fixture
def sweep_home(studio_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    data = tmp_path / "data"
    write_sample_data(data, start=__import__("datetime").date(2016, 6, 1), minute_days=0, tickers=("SPY",))
    monkeypatch.setenv("BACKTEST_DATA", str(data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(write_strategies(tmp_path / "strategies")))
    monkeypatch.setenv("BACKTEST_MAX_CONCURRENT", "2")
    return Settings()


def cli(*args: str, check: bool = True, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"BACKTEST_HOME": str(home)} if home else {})}
    done = subprocess.run(
        [sys.executable, "-m", "backtest_core", *args], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.mark.slow
@pytest.mark.timeout(1200)  # real engine runs; minutes on a loaded machine
def test_a_two_parameter_sweep_end_to_end_and_imported_back_as_lean_optimize(sweep_home, tmp_path):
    done = cli("sweep", "sweepable", "--param", f"fast=5,10,{UNLUCKY}", "--param", "slow=10,20,40",
               "--constraint", "fast < slow", *PERIOD, "--wait", "--json")  # fmt: skip
    shown = json.loads(done.stdout)
    assert set(shown) >= {"id", "status", "counts", "parameters", "runs", "best", "deflated_sharpe", "pbo"}
    assert shown["status"] == "completed" and shown["parameters"] == ["fast", "slow"]
    # 9 combinations; fast < slow skips (10,10) (13,10); (13,20) and (13,40) run and fail on purpose
    assert shown["counts"] == {"queued": 0, "running": 0, "completed": 5, "failed": 2, "cancelled": 0}
    assert sorted(map(tuple, (s.values() for s in shown["skipped"]))) == [("10", "10"), ("13", "10")]
    completed = [r for r in shown["runs"] if r["status"] in ("completed", "zero trades")]
    failed = [r for r in shown["runs"] if r["status"] == "failed"]
    assert {r["parameters"]["fast"] for r in failed} == {UNLUCKY} and all("on purpose" in r["error"] for r in failed)
    best = max(completed, key=lambda r: r["statistics"]["Sharpe Ratio"])
    assert shown["best"]["id"] == best["id"] and shown["best"]["parameters"] == best["parameters"]
    assert 0 <= shown["deflated_sharpe"] <= 1 and shown["deflated_sharpe_inputs"]["trials"] == len(completed)
    assert 0 <= shown["pbo"] <= 1 and shown["pbo_inputs"]["trials"] == len(completed)

    store = RunStore(sweep_home)
    runs = SweepStore(store).run_infos(shown["id"])
    assert len(runs) == 7 and all(run.sweep_id == shown["id"] for run in runs)
    for run in runs:  # every run got exactly its combination
        row = next(r for r in shown["runs"] if r["id"] == run.id)
        assert {k: run.request.parameters[k] for k in ("fast", "slow")} == row["parameters"]

    listed = json.loads(cli("sweep", "list", "--json").stdout)
    assert [item["id"] for item in listed["items"]] == [shown["id"]]
    assert "nothing to cancel" in cli("sweep", "cancel", shown["id"]).stdout
    assert json.loads(cli("sweep", "show", shown["id"], "--json").stdout)["status"] == "completed"  # not cancelled
    assert "deflated Sharpe ratio of the best" in cli("sweep", "show", shown["id"]).stdout

    # the same runs laid out as `lean optimize` output, imported into another store (in this one they are
    # recognised as already stored): a sweep with its runs and parameters
    grid_runs = [
        r["id"] for r in completed if r["parameters"]["fast"] in ("5", "10") and r["parameters"]["slow"] != "10"
    ]
    folder = build_optimize_folder(store, grid_runs, tmp_path / "Proj" / "optimizations" / "2024-01-02_03-04-05")
    other = tmp_path / "other-store"
    imported = json.loads(cli("import", str(folder), "--json", home=other).stdout)["sweeps"][0]
    assert (
        imported["created"] and len(imported["runs"]["imported"]) == 4 and len(imported["failed_without_result"]) == 1
    )
    again = json.loads(cli("import", str(folder.parent.parent), "--json", home=other).stdout)["sweeps"][0]
    assert not again["created"] and again["sweep_id"] == imported["sweep_id"] and not again["runs"]["imported"]
    view = json.loads(cli("sweep", "show", imported["sweep_id"], "--json", home=other).stdout)
    assert view["strategy"] == "Proj" and view["parameters"] == ["fast", "slow"]
    assert view["objective"] == {"statistic": "Sharpe Ratio", "maximize": True}
    assert view["counts"]["completed"] == 4 and view["counts"]["failed"] == 1
    originals = {tuple(r["parameters"].values()): r["statistics"]["Sharpe Ratio"] for r in completed}
    for run in view["runs"]:
        if run["status"] == "completed":
            assert (
                run["statistics"]["Sharpe Ratio"] == originals[(run["parameters"]["fast"], run["parameters"]["slow"])]
            )


@pytest.mark.slow
@pytest.mark.timeout(1200)  # real engine runs; minutes on a loaded machine
def test_a_submitted_sweep_waits_as_rows_and_cancel_stops_the_rest(sweep_home, monkeypatch):
    monkeypatch.setenv("BACKTEST_MAX_CONCURRENT", "1")
    sweep_id = cli("sweep", "sweepable", "--param", "fast=2:30:1", "--param", "slow=50", *PERIOD).stdout.strip()
    store = RunStore(Settings())
    counts = SweepStore(store).counts(sweep_id)  # the command returned with the runs still queued: rows
    assert counts.total == 29 and counts.running <= 1 and counts.queued >= 28
    assert len(supervisors(store.settings.home)) <= 1  # one process for the one slot; none for a queued run
    assert "queued or running runs; finished runs are kept" in cli("sweep", "cancel", sweep_id).stdout
    deadline = time.monotonic() + 60
    while SweepStore(store).counts(sweep_id).active and time.monotonic() < deadline:
        time.sleep(0.5)
    counts = SweepStore(store).counts(sweep_id)
    assert counts.active == 0 and counts.total == 29 and counts.cancelled >= 25  # at most a run or two ended first
    assert all(run.status != BacktestStatus.QUEUED for run in SweepStore(store).run_infos(sweep_id))
    shown = json.loads(cli("sweep", "show", sweep_id, "--json").stdout)
    assert shown["status"] == "cancelled"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--param", "fast=5,10", "--param", "fast=20"], "param: fast is given twice"),
        (["--param", "5,10"], "param: '5,10' has values but no parameter"),
        (["--param", "fast=30:5:5"], "param: fast=30:5:5 is an empty range"),
        (["--param", "fsat=5,10"], "param: fsat is not a parameter of sweepable"),
        (["--param", "fast=1:2000:1"], "param: the sweep would submit 2000 runs; at most 1000"),
        (["--param", "fast=5,10", "--constraint", "fast < slow"], "constraint: 'fast < slow': 'slow' is neither"),
        (["--param", "fast=5,10", "--constraint", "open('x')"], "constraint: \"open('x')\" is not NAME OP"),
    ],
)
def test_bad_grids_are_refused_before_anything_is_stored(sweep_home, args, words):
    done = cli("sweep", "sweepable", *args, check=False)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert SweepStore(RunStore(sweep_home)).list() == []
