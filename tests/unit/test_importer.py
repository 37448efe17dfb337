"""Importing real LEAN result folders: every result, every log name, labels from the files, no duplicates."""

from __future__ import annotations

import json
import shutil

import pytest

from backtest_core.cli import main as cli
from backtest_core.models import BacktestStatus, EngineName, ResultSource, RunQuery
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from backtest_core.views import log_sources


@pytest.fixture
def store(studio_home: Settings) -> RunStore:
    return RunStore(studio_home)


def by_name(store: RunStore) -> dict[str, object]:
    return {run.strategy: run for run in store.list(RunQuery(page_size=100)).items}


def test_a_launcher_folder_holding_two_results_imports_both_each_with_its_own_files(store, lean_fixtures):
    report = import_path(store, lean_fixtures / "launcher2026-leanbot-multirun")
    assert len(report.imported) == 2 and not report.skipped
    runs = by_name(store)
    assert set(runs) == {"BuyAndHoldXOM", "PairsTradingCsvData"}
    hold = runs["BuyAndHoldXOM"]
    assert hold.engine == EngineName.LEAN and hold.description.source == ResultSource.LAUNCHER
    folder = store.run_dir(hold.id)
    assert (folder / "BuyAndHoldXOM.json").exists() and not (folder / "PairsTradingCsvData.json").exists()
    assert store.result(hold.id).algorithm_id == "BuyAndHoldXOM"
    assert store.result(runs["PairsTradingCsvData"].id).algorithm_id == "PairsTradingCsvData"


def test_labels_come_from_the_files(store, lean_fixtures):
    import_path(store, lean_fixtures)
    runs = by_name(store)
    cloud = runs["cloud2025-qqq-options-449orders"]
    assert cloud.name == "Focused Brown Horse" and cloud.description.source == ResultSource.CLOUD
    cli_run = runs["cli2025-spy-daily-13y"]
    assert cli_run.description.source == ResultSource.LEAN_CLI and cli_run.description.language == "python"
    assert runs["cli2025-csharp-graham-667orders-large"].description.language == "csharp"
    assert {run.engine for run in runs.values()} == {EngineName.LEAN}
    assert len({run.strategy for run in runs.values()}) == len(runs)  # no more "lean-results" for all


def test_every_log_file_name_reaches_the_log_view(store, lean_fixtures):
    import_path(store, lean_fixtures)
    runs = by_name(store)
    cloud = runs["cloud2025-qqq-options-449orders"]
    logs = log_sources(store.result(cloud.id), store.run_dir(cloud.id))
    assert list(logs) == ["Algorithm log (Focused Brown Horse_logs.txt)"] and len(logs[next(iter(logs))]) > 1000
    btc = runs["cli2025-btcusd-minute-supertrend"]  # no log.txt: only <id>-log.txt
    assert list(log_sources(store.result(btc.id), store.run_dir(btc.id))) == ["Algorithm log (1422993005-log.txt)"]
    spy = runs["cli2025-spy-daily-13y"]
    assert len(log_sources(store.result(spy.id), store.run_dir(spy.id))) == 2


def test_importing_the_store_itself_or_a_copy_of_it_adds_nothing(store, lean_fixtures, tmp_path):
    first = import_path(store, lean_fixtures)
    assert import_path(store, store.runs_dir).imported == []
    copy = tmp_path / "backup"
    shutil.copytree(store.runs_dir, copy)
    again = import_path(store, copy)
    assert again.imported == [] and sorted(again.already_present) == sorted(first.imported)
    assert store.list().total == len(first.imported)


def test_a_renamed_copy_of_a_lean_cli_run_is_recognised_by_content(store, lean_fixtures, tmp_path):
    import_path(store, lean_fixtures / "cli2025-spy-daily-13y")
    moved = tmp_path / "elsewhere" / "Baseline" / "backtests" / "2025-06-06_01-00-49"
    shutil.copytree(lean_fixtures / "cli2025-spy-daily-13y", moved)
    report = import_path(store, moved.parent.parent)
    assert report.imported == [] and len(report.already_present) == 1


def test_a_folder_with_only_a_log_is_a_failed_run_with_its_log_and_statistics(store, lean_fixtures, tmp_path, capsys):
    folder = tmp_path / "Baseline" / "backtests" / "2025-06-06_01-00-49"
    folder.mkdir(parents=True)
    for name in ("log.txt", "config"):
        shutil.copy(lean_fixtures / "cli2025-spy-daily-13y" / name, folder / name)
    report = import_path(store, tmp_path / "Baseline")
    (run_id,) = report.imported
    run = store.get(run_id)
    assert run.status == BacktestStatus.FAILED and run.strategy == "Baseline"
    assert "before writing its result" in run.error and [w.code for w in run.description.warnings] == ["no-result"]
    assert run.stats.total_orders == 9 and run.stats.sharpe is not None  # printed by LEAN's STATISTICS block
    assert run.description.period_start.isoformat() == "2012-01-01" and run.description.start_capital == 10_000
    assert cli(["show", run_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["statistics"]["Total Orders"] == "9" and shown["statistics_source"] == "log"
    assert shown["warnings"][0]["code"] == "no-result"
    assert import_path(store, tmp_path).imported == []  # recognised again


def test_a_cli_import_of_an_empty_folder_says_what_was_looked_for(store, tmp_path, capsys):
    assert cli(["import", str(tmp_path)]) == 1
    assert "no LEAN result" in capsys.readouterr().out


def test_a_run_of_another_store_is_this_apps_with_the_request_it_was_sent(store, studio_home, lean_data,
                                                                          tmp_path, monkeypatch):  # fmt: skip
    from datetime import date

    from backtest_core import runs
    from backtest_core.models import BacktestRequest

    other = Settings(home=tmp_path / "other", data=lean_data)
    request = BacktestRequest(strategy="buy_and_hold", start_date=date(2015, 1, 5), end_date=date(2015, 6, 30))
    sent = runs.wait(runs.submit(request, other), other, timeout=120)
    assert sent.status == BacktestStatus.COMPLETED, sent.error
    (run_id,) = import_path(store, other.runs_dir).imported
    run = store.get(run_id)
    assert run.description.source == ResultSource.APP and run.engine == EngineName.EMBEDDED
    assert run.request == sent.request and run.strategy == "buy_and_hold"
