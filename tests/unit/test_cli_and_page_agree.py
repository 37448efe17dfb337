"""A run's numbers do not depend on the dashboard: the same request through the CLI and through the Run page
(AppTest driving the real page, real supervisors, the embedded engine on LEAN's real data) gives identical
LEAN statistics, runtime statistics and descriptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backtest_core import runs
from backtest_core.cli import main as cli
from backtest_core.models import BacktestStatus, RunQuery
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.ui import PAGE_FILES

pytestmark = pytest.mark.slow


def test_cli_and_run_page_give_identical_statistics(studio_home, lean_data: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    arguments = ["--start", "2016-01-04", "--end", "2018-12-31", "--cash", "250000", "--param", "fast=10"]
    assert cli(["run", "sma_crossover", *arguments, "--wait", "--json"]) == 0
    by_cli = json.loads(capsys.readouterr().out)

    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.query_params["strategy"] = "sma_crossover"
    app.switch_page(PAGE_FILES["run"]).run()
    app.checkbox[0].check()
    app.date_input[0].set_value("2016-01-04")
    app.date_input[1].set_value("2018-12-31")
    app.checkbox[1].check()
    app.number_input[0].set_value(250000.0)
    app.session_state["params-sma_crossover"] = {"edited_rows": {2: {"value": "10"}}, "added_rows": [],
                                                 "deleted_rows": []}  # fmt: skip
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    store = RunStore(Settings())
    page_run = next(run for run in store.list(RunQuery()).items if run.id != by_cli["id"])
    finished = runs.wait(page_run.id, Settings(), timeout=180)
    assert finished.status == BacktestStatus.COMPLETED, finished.error

    cli_result, page_result = store.result(by_cli["id"]), store.result(page_run.id)
    assert page_result.statistics.raw == cli_result.statistics.raw == by_cli["statistics"]
    assert page_result.runtime_statistics == cli_result.runtime_statistics
    assert finished.description == store.get(by_cli["id"]).description
    assert finished.description.start_capital == 250_000 and cli_result.statistics.raw["Start Equity"] == "250000"
