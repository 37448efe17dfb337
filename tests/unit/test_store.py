"""The run store on real SQLite files, with real processes writing at once, and real LEAN results."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from backtest_core.errors import InvalidRequest, InvalidRunId, RunIsActive, RunNotFound
from backtest_core.models import BacktestProgress, BacktestRequest, BacktestStatus, RunQuery, SortKey
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path


def _request(**fields) -> BacktestRequest:
    return BacktestRequest(**{"strategy": "buy_and_hold", **fields})


@pytest.fixture
def store(studio_home) -> RunStore:
    return RunStore(studio_home)


def test_create_snapshots_code_and_request(store, tmp_path):
    project = tmp_path / "proj"
    (project / "backtests" / "old").mkdir(parents=True)
    (project / "main.py").write_text("print('algo')\n")
    (project / "config.json").write_text('{"parameters": {}}')
    (project / "backtests" / "old" / "x.json").write_text("{}")
    run = store.create(_request(tags=["a"]), project)
    folder = store.run_dir(run.id)
    assert run.status == BacktestStatus.QUEUED and run.tags == ["a"]
    assert (folder / "code" / "main.py").read_text() == "print('algo')\n"
    assert not (folder / "code" / "backtests").exists()
    assert BacktestRequest.model_validate_json((folder / "request.json").read_text()) == run.request
    assert store.algorithm_id(run.id) == run.id


@pytest.mark.parametrize("bad", ["../etc", "/abs", "a/b", "..", "", "x" * 65, "a b", "id;drop"])
def test_ids_with_path_tricks_are_refused(store, bad):
    with pytest.raises(InvalidRunId):
        store.get(bad)
    with pytest.raises(InvalidRunId):
        store.run_dir(bad)


def test_unknown_id(store):
    with pytest.raises(RunNotFound):
        store.get("20200101-000000-abcdef")


def test_queued_rows_are_claimed_first_in_first_out_within_the_limit(store):
    runs = [store.create(_request(), None) for _ in range(3)]
    assert store.claim_next(limit=2).id == runs[0].id
    assert store.claim_next(limit=2).id == runs[1].id
    assert store.claim_next(limit=2) is None  # limit reached
    assert store.get(runs[2].id).status == BacktestStatus.QUEUED
    store.set_status(runs[0].id, BacktestStatus.COMPLETED)
    claimed = store.claim_next(limit=2)
    assert claimed.id == runs[2].id and claimed.status == BacktestStatus.RUNNING and claimed.started_at
    assert store.claim_next(limit=5) is None  # nothing left queued


def test_progress_round_trip_and_cancel_flag(store):
    run = store.create(_request(), None)
    assert store.get_progress(run.id) is None
    progress = BacktestProgress(run_id=run.id, status=BacktestStatus.RUNNING, percent=42.5, log_tail=["a", "b"])
    store.update_progress(run.id, progress)
    assert store.get_progress(run.id) == progress
    assert not store.cancel_requested(run.id)
    store.request_cancel(run.id)
    assert store.cancel_requested(run.id)


def test_delete_refused_while_active(store):
    run = store.create(_request(), None)
    with pytest.raises(RunIsActive):
        store.delete(run.id)
    store.set_status(run.id, BacktestStatus.CANCELLED)
    store.delete(run.id)
    assert not store.run_dir(run.id).exists()
    with pytest.raises(RunNotFound):
        store.get(run.id)


def test_tags_and_note(store):
    run = store.create(_request(), None)
    store.add_tag(run.id, "keep")
    store.add_tag(run.id, "v2")
    store.remove_tag(run.id, "keep")
    store.set_note(run.id, "looks promising")
    assert store.get(run.id).tags == ["v2"] and store.get(run.id).note == "looks promising"
    assert [r.id for r in store.list(RunQuery(tag="v2")).items] == [run.id]
    with pytest.raises(InvalidRequest, match="tags"):
        store.add_tag(run.id, "no/slash")


def test_finalize_copies_key_statistics_from_the_lean_result(store, lean_fixtures):
    run = store.create(_request(), None)
    source = lean_fixtures / "cli2025-spy-minute-sma-301orders"
    for file in source.iterdir():
        shutil.copy2(file, store.run_dir(run.id) / file.name.replace("1186467672", run.id))
    finished = store.finalize(run.id, BacktestStatus.COMPLETED)
    assert finished.status == BacktestStatus.COMPLETED and finished.finished_at is not None
    assert finished.stats.total_orders == 301 and finished.stats.end_equity == 98118.51
    assert finished.stats.sharpe == -2.036 and finished.stats.net_profit == -1.881


def test_finalize_without_result_marks_completed_run_failed(store):
    run = store.create(_request(), None)
    finished = store.finalize(run.id, BacktestStatus.COMPLETED)
    assert finished.status == BacktestStatus.FAILED and "unreadable" in finished.error
    cancelled = store.finalize(store.create(_request(), None).id, BacktestStatus.CANCELLED)
    assert cancelled.status == BacktestStatus.CANCELLED


def test_listing_pages_sorts_and_filters(store, lean_fixtures):
    report = import_path(store, lean_fixtures)
    assert len(report.imported) == 13 and not report.skipped  # the Launcher folder holds two results
    by_sharpe = store.list(RunQuery(sort=SortKey.SHARPE, page_size=5))
    values = [r.stats.sharpe for r in by_sharpe.items]
    assert by_sharpe.total == 13 and values == sorted(values, reverse=True) and values[:2] == [8.637, 7.8]
    ascending = store.list(RunQuery(sort=SortKey.SHARPE, descending=False, page_size=13)).items
    assert ascending[-1].stats.sharpe is None  # NULLs last in both directions
    assert [r.stats.sharpe for r in ascending[:2]] == [-2.036, -0.272]
    second = store.list(RunQuery(sort=SortKey.SHARPE, page=2, page_size=5))
    assert not {r.id for r in second.items} & {r.id for r in by_sharpe.items}
    failed = store.list(RunQuery(status=[BacktestStatus.FAILED]))
    assert failed.total == 2 and all(r.error for r in failed.items)
    assert store.list(RunQuery(text="Brown Horse")).total == 1
    assert store.list(RunQuery(text="%")).total == 0  # wildcards are literal
    assert store.list(RunQuery(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))).total == 5


def test_import_is_idempotent_and_reports_unreadable(store, lean_fixtures, tmp_path):
    project = tmp_path / "MyProject" / "backtests"
    shutil.copytree(lean_fixtures / "cli2025-spy-daily-13y", project / "2025-06-06_05-00-00")
    broken = project / "2025-06-07_00-00-00"
    broken.mkdir()
    (broken / "123.json").write_text('{"charts": {"Strategy Equity": ')
    first = import_path(store, project.parent)
    assert len(first.imported) == 1 and len(first.skipped) == 1 and "123.json" in first.skipped[0][1]
    run = store.get(first.imported[0])
    assert run.strategy == "MyProject" and run.created_at.year == 2025 and run.stats.total_orders == 9
    again = import_path(store, project)
    assert again.imported == [] and again.already_present == first.imported


def _create_many(home: str, count: int, label: str) -> None:
    store = RunStore(Settings(home=home))
    for index in range(count):
        run = store.create(_request(name=f"{label}-{index}"), None)
        store.update_progress(run.id, BacktestProgress(run_id=run.id, status=BacktestStatus.QUEUED, percent=1))
        store.add_tag(run.id, label)


def test_two_processes_writing_at_once_lose_nothing(studio_home):
    """Two separate interpreters (not forks: the store must hold up across real processes) write at once."""
    RunStore(studio_home)
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from tests.unit.test_store import _create_many; "
                "_create_many(sys.argv[1], 40, sys.argv[2])",
                str(studio_home.home),
                f"p{i}",
            ],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for writer in writers:
        _, error = writer.communicate(timeout=120)
        assert writer.returncode == 0, error
    store = RunStore(studio_home)
    assert store.list(RunQuery(tag="p0")).total == 40 and store.list(RunQuery(tag="p1")).total == 40
    assert all(store.get_progress(r.id) is not None for r in store.list(RunQuery(page_size=100)).items)
