"""The Result page's tabs through AppTest on a real imported LEAN minute result: the statistics as whole
tables, the log-scale toggle and the worst drawdowns (table and shading), and the trade filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest_core.analysis.drawdowns import worst_drawdowns
from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.result_views import headline, unmeasured_headline_note
from backtest_core.results import load_result
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from tests.apptest_pages import page

FIXTURE = "cli2025-spy-minute-sma-301orders"


@pytest.fixture
def run_id(studio_home: Settings, lean_fixtures: Path, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    [imported] = import_path(RunStore(Settings()), lean_fixtures / FIXTURE).imported
    return imported


def _equity_spec(app) -> dict:
    """The figure sent to the equity chart (a live chart: a components.v2 element whose data carries it)."""
    [chart] = app.get("bidi_component")
    return json.loads(json.loads(chart.proto.json)["figure"])


def test_statistics_tab_shows_every_statistic_as_a_table(run_id: str, lean_fixtures: Path) -> None:
    result = load_result(lean_fixtures / FIXTURE)
    app = page("result", id=run_id, tab="Statistics")
    tables = [table.value for table in app.table]
    assert [len(table) for table in tables] == [
        len(result.statistics.raw),
        len(result.runtime_statistics),
        len(result.portfolio_statistics),
        len(result.trade_statistics),
    ]
    assert tables[0].loc["Sharpe Ratio", "value"] == result.statistics.raw["Sharpe Ratio"]
    assert tables[3].loc["Win rate", "value"].endswith("%")  # a rate in words and percent, not raw JSON


def test_log_scale_toggle_and_the_worst_drawdowns_table_and_shading(run_id: str, lean_fixtures: Path) -> None:
    worst = worst_drawdowns(load_result(lean_fixtures / FIXTURE).equity, 5)
    app = page("result", id=run_id)
    assert _equity_spec(app)["layout"]["yaxis"].get("type", "linear") == "linear"
    assert len(_equity_spec(app)["layout"]["shapes"]) == len(worst)  # one band per drawdown
    [table] = [frame.value for frame in app.dataframe]
    assert table["rank"].tolist() == list(range(1, len(worst) + 1))
    assert table["depth"].tolist() == pytest.approx(worst["depth"].tolist())
    app.toggle(key=f"log-{run_id}").set_value(True).run()
    assert not app.exception
    assert _equity_spec(app)["layout"]["yaxis"]["type"] == "log"


def test_trade_filters_narrow_the_closed_trades_and_orders(run_id: str, lean_fixtures: Path) -> None:
    result = load_result(lean_fixtures / FIXTURE)
    trades, orders = len(result.closed_trades), len(result.orders)
    analytics = page("result", id=run_id, tab="Trades")
    assert f"Closed trades in the window ({trades:,} of {trades:,})" in [h.value for h in analytics.subheader]
    assert not analytics.dataframe  # one part at a time: the tables wait for their part
    app = page("result", id=run_id, tab="Trades", part="Orders")
    assert f"Orders in the window ({orders:,} of {orders:,})" in [h.value for h in app.subheader]
    app.multiselect[1].set_value(["Buy"]).run()  # Direction
    assert not app.exception
    buys = int((result.orders["direction"] == "Buy").sum())
    assert f"Orders in the window ({buys:,} of {orders:,})" in [h.value for h in app.subheader]
    assert 0 < buys < orders
    listed = page("result", id=run_id, tab="Trades", part="Closed trades")
    assert len(listed.dataframe[0].value) == trades


def test_headline_money_has_thousands_separators_as_lean_printed_it(lean_fixtures: Path) -> None:
    result = load_result(lean_fixtures / "cloud2025-qqq-options-449orders")
    printed = result.statistics.raw["Total Fees"]
    figures = dict(headline(result))
    assert printed == "$6511.53"  # LEAN's own text, without separators
    assert figures["Fees"] == "$6,511.53"
    assert figures["End Equity"] == f"{float(result.statistics.raw['End Equity']):,.2f} USD"


def test_zeros_lean_prints_for_a_run_too_short_to_measure_are_flagged(
    tmp_path: Path, lean_data: Path, lean_fixtures: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text(
        "from AlgorithmImports import *\n\n"
        "class FailsOnItsFirstDay(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2013, 10, 7)\n"
        "        self.set_end_date(2013, 10, 11)\n"
        "        self.add_equity('SPY', Resolution.MINUTE)\n\n"
        "    def on_data(self, data):\n"
        "        if self.time.hour == 11:\n"
        "            raise ValueError('stops at 11:00')\n"
        "        if not self.portfolio.invested:\n"
        "            self.set_holdings('SPY', 1)\n"
    )
    outcome = run_backtest(EngineJob("short", "4242", project, lean_data, tmp_path / "out", RunOverrides()))
    assert outcome.error and "stops at 11:00" in outcome.error
    result = load_result(tmp_path / "out")
    assert dict(headline(result))["Net Profit"] == "0%"  # LEAN's statistics: none below two daily returns
    note = unmeasured_headline_note(result)
    assert note is not None and f"{result.equity.iloc[-1]:,.2f}" in note
    assert unmeasured_headline_note(load_result(lean_fixtures / FIXTURE)) is None
