"""The Run and History pages never do nothing silently (AppTest, real store, real strategies and data): every
refusal is said next to its field or at the top, and nothing is started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from tests.apptest_pages import page


@pytest.fixture
def strategies(studio_home: Settings, lean_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped strategies plus a broken one, over LEAN's real data."""
    folder = tmp_path / "strategies"
    shutil.copytree(PROJECT_ROOT / "strategies", folder)
    (folder / "broken").mkdir()
    (folder / "broken" / "main.py").write_text("class Broken(QCAlgorithm)\n    pass\n")
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(folder))
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    return folder


def run_page(**query: str) -> AppTest:
    return page("run", **query)


def start(app: AppTest) -> AppTest:
    app.button[0].click().run()  # the form's Start, the page's only button
    assert not app.exception, [e.value for e in app.exception]
    return app


def errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def nothing_started() -> bool:
    return RunStore(Settings()).list().total == 0


def test_a_link_to_a_broken_strategy_says_why_and_preselects_nothing(strategies: Path) -> None:
    app = run_page(strategy="broken")
    assert any("'broken' cannot run" in e and "main.py line 1" in e for e in errors(app)), errors(app)
    assert app.selectbox[0].value is None and not app.button  # no form: nothing can start the wrong strategy
    unknown = run_page(strategy="nope")
    assert any("'nope' is not a strategy" in e for e in errors(unknown))


def test_a_name_over_the_limit_is_refused_next_to_it(strategies: Path) -> None:
    app = run_page(strategy="sma_crossover")
    app.text_input[1].set_value("x" * 130)
    start(app)
    assert any("at most 120 characters; this one has 130" in e for e in errors(app)), errors(app)
    assert nothing_started()


def test_a_parameter_the_algorithm_cannot_parse_is_refused_by_name(strategies: Path) -> None:
    app = run_page(strategy="sma_crossover")
    app.session_state["params-sma_crossover"] = {"edited_rows": {2: {"value": "abc"}}, "added_rows": [],
                                                 "deleted_rows": []}  # fmt: skip
    start(app)
    assert any(e.startswith("fast: 'abc' is not a whole number such as 20") for e in errors(app)), errors(app)
    assert nothing_started()


def test_an_emptied_cell_is_refused_as_empty_not_sent_as_nan(strategies: Path) -> None:
    app = run_page(strategy="sma_crossover")
    app.session_state["params-sma_crossover"] = {"edited_rows": {3: {"value": None}}, "added_rows": [],
                                                 "deleted_rows": []}  # fmt: skip
    start(app)
    assert any(e.startswith("slow: is empty") for e in errors(app)), errors(app)
    assert not any("nan" in e for e in errors(app)) and nothing_started()


def test_a_resolution_the_strategy_does_not_map_is_refused(strategies: Path) -> None:
    app = run_page(strategy="sma_crossover")
    app.selectbox[1].set_value("second")
    start(app)
    assert any("'second' is not one of daily, hour, minute" in e for e in errors(app)), errors(app)
    assert nothing_started()


def test_the_data_range_is_shown_and_a_period_without_data_is_refused_with_it(strategies: Path) -> None:
    app = run_page(strategy="sma_crossover")
    assert any("SPY (daily): 1998-01-02 to 2021-03-31" in c.value for c in app.caption)
    app.checkbox[0].check()
    app.date_input[0].set_value("2021-06-01")
    app.date_input[1].set_value("2022-06-30")
    start(app)
    assert any("has no data" in e and "2021-03-31" in e for e in errors(app)), errors(app)
    assert nothing_started()


def test_deleting_a_running_run_says_it_cannot(studio_home: Settings) -> None:
    store = RunStore(studio_home)
    running = store.create(BacktestRequest(strategy="buy_and_hold"), None)
    store.claim_next(limit=1)
    assert store.get(running.id).status == BacktestStatus.RUNNING

    def script(run_id: str) -> None:
        from backtest_core import ui

        ui.action_outcomes()
        if not ui.st.session_state.get("done"):
            ui.st.session_state["done"] = True
            ui.apply_to_runs("Deleted", [run_id], ui.store().delete)
            ui.st.rerun()

    app = AppTest.from_function(script, args=(running.id,), default_timeout=30)
    app.run()
    assert any(f"run {running.id} is running: Cancel it first" in e.value for e in app.error), app.error
    assert store.exists(running.id)
