"""Runs stored before runs were described get their description once, from their own files (real SQLite,
real runs of the embedded engine, real LEAN results imported); and the part of a period a run had data for.

The old store is made as one really was: runs made now, then the index taken back to its first schema
(the columns later migrations added dropped, ``user_version`` 1), so opening it runs every migration since.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from backtest_core import runs
from backtest_core.cli import main
from backtest_core.compare_runs import compare
from backtest_core.models import BacktestRequest, BacktestStatus, RunDescription
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from backtest_core.store.schema import MIGRATIONS

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
ADDED_LATER = ("description", "sweep_id", "content_hash", "executor")  # the columns of migrations 2..4


@pytest.fixture
def settings(studio_home: Settings, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    return Settings()


def cli_json(capsys: pytest.CaptureFixture[str], *arguments: str) -> dict:
    """``python -m backtest_core ARGUMENTS --json`` as typed, in this process."""
    assert main([*arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def completed(request: BacktestRequest, settings: Settings) -> str:
    run = runs.wait(runs.submit(request, settings), settings, timeout=180)
    assert run.status == BacktestStatus.COMPLETED, run.error
    return run.id


def as_first_schema(index: Path) -> None:
    """The index as the first release wrote it: no description (nor the later columns), user_version 1."""
    connection = sqlite3.connect(index, isolation_level=None)
    try:
        indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        for name, sql in indexes.fetchall():
            if any(column in sql for column in ADDED_LATER) or "undescribed" in name:
                connection.execute(f"DROP INDEX {name}")
        for column in ADDED_LATER:
            connection.execute(f"ALTER TABLE runs DROP COLUMN {column}")
        connection.execute("DROP TABLE sweeps")
        connection.execute("PRAGMA user_version = 1")
    finally:
        connection.close()


def test_runs_of_an_old_store_are_described_from_their_files_once(
    settings: Settings, lean_fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RunStore(settings)
    minute = completed(BacktestRequest(strategy="hold_spy_minute_pascal"), settings)
    imported = import_path(store, lean_fixtures / "cli2025-spy-daily-13y").imported[0]
    log_only = tmp_path / "never-wrote-a-result"
    log_only.mkdir()
    shutil.copy(lean_fixtures / "cli2024-ondata-runtimeerror" / "log.txt", log_only / "log.txt")
    failed_import = import_path(store, log_only).imported[0]
    asked = BacktestRequest(strategy="hold_spy_daily", start_date=date(2014, 1, 2), end_date=date(2014, 6, 30),
                            initial_cash=25_000)  # fmt: skip
    never_ran = store.create(asked, ALGORITHMS / "hold_spy_daily").id
    assert runs.cancel(never_ran, settings).status == BacktestStatus.CANCELLED
    as_imported = {run_id: store.get(run_id).description for run_id in (imported, failed_import)}
    as_ran = store.get(minute).description

    as_first_schema(settings.index_path)
    listed = {run["id"]: run for run in cli_json(capsys, "list")["items"]}

    with sqlite3.connect(settings.index_path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    for run_id, description in as_imported.items():  # an import's description comes from its files alone
        assert store.get(run_id).description == description
        assert listed[run_id]["description"] == description.model_dump(mode="json", exclude={"warnings"})
    assert [w["code"] for w in listed[failed_import]["warnings"]] == ["no-result"]
    backfilled = store.get(minute).description  # all its files state; its subscriptions only its engine knew
    assert backfilled == as_ran.model_copy(update={
        "resolution": None, "data_source": "unknown", "data_start": None, "data_end": None,
    })  # fmt: skip
    assert (backfilled.period_start, backfilled.period_end) == (date(2013, 10, 7), date(2013, 10, 11))
    assert backfilled.start_capital == 100_000 and backfilled.engine_version == "embedded, LEAN v2.5.0.0 API"
    shown = cli_json(capsys, "show", never_ran)["description"]  # nothing ran: what its request asked for
    assert (shown["period_start"], shown["period_end"], shown["start_capital"]) == ("2014-01-02", "2014-06-30", 25000)
    assert shown["source"] == "app" and shown["resolution"] is None

    assert store.undescribed() == []  # once: the next start finds nothing to do
    store.set_description(minute, RunDescription(period_start=date(2000, 1, 3)))
    cli_json(capsys, "list")
    assert store.get(minute).description.period_start == date(2000, 1, 3)  # a stored description is kept


def test_a_run_padded_with_days_without_data_says_which_days_its_data_covers(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """SPY minute data starts 2013-10-04; a minute run asked for September has prices for six days of it."""
    period = {"start_date": date(2013, 9, 3), "end_date": date(2013, 10, 11)}
    minute = completed(BacktestRequest(strategy="hold_spy_minute_pascal", **period), settings)
    daily = completed(BacktestRequest(strategy="hold_spy_daily", **period), settings)

    shown = cli_json(capsys, "show", minute)
    assert (shown["description"]["data_start"], shown["description"]["data_end"]) == ("2013-10-04", "2013-10-11")
    assert "data-starts-late" in [warning["code"] for warning in shown["warnings"]]
    assert main(["show", minute]) == 0
    assert "2013-09-03 to 2013-10-11 · minute · starting capital 100,000 · prices only 2013-10-04 to 2013-10-11" in (
        capsys.readouterr().out
    )
    shown = cli_json(capsys, "show", daily)
    assert (shown["description"]["data_start"], shown["description"]["data_end"]) == ("2013-09-03", "2013-10-11")

    compared = {run["id"]: run["period"] for run in cli_json(capsys, "compare", minute, daily)["runs"]}
    assert compared[minute]["data"] == {"start": "2013-10-04", "end": "2013-10-11"}  # not its flat equity's span
    assert compared[daily]["data"] == {"start": "2013-09-03", "end": "2013-10-11"}
    bench = compare([minute, daily], settings)
    assert bench.run(minute).curve.first_day < date(2013, 10, 4)  # the curve runs on, flat, before the data
    assert bench.run(minute).data_label() == "2013-10-04 – 2013-10-11"  # the Compare header's "data" cell
