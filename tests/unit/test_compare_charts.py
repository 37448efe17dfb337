"""The Compare timeline figure on hand-made runs: one time axis in exchange time, the fan past 20 runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest_core import compare_charts
from backtest_core.analysis.calendar import TradingCalendar, daily_closes
from backtest_core.analysis.comparison import ComparedRun, RunFacts, build_workbench
from backtest_core.analysis.inputs import RunInputs
from backtest_core.analysis.windows import RunCurve
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind


@pytest.fixture
def calendar(tmp_path) -> TradingCalendar:
    return TradingCalendar("US", LeanDataFolder(tmp_path).market_hours(SecurityKind.EQUITY, "usa", "SPY"), 252)


def _runs(count: int, calendar: TradingCalendar) -> list[ComparedRun]:
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2019-01-02", "2019-06-28") + pd.Timedelta(hours=16)
    index = pd.DatetimeIndex(days).tz_localize("America/New_York").tz_convert("UTC")
    runs = []
    for i in range(count):
        equity = pd.Series(1000 * np.cumprod(1 + rng.normal(0, 0.01, len(index))), index=index)
        curve = RunCurve(id=f"r{i}", label=f"r{i}", equity=equity, closes=daily_closes(equity, calendar))
        facts = RunFacts(id=f"r{i}", name=f"run {i}", start_capital=1000.0)
        runs.append(ComparedRun(facts=facts, curve=curve, lean_statistics={},
                                inputs=RunInputs(id=f"r{i}", fields={}), trade_source=pd.DataFrame))  # fmt: skip
    return runs


def test_every_panel_shares_one_axis_in_new_york_time(calendar):
    bench = build_workbench(_runs(3, calendar), calendar, lambda day: 0.0)
    labels = {run.facts.id: run.facts.name for run in bench.runs}
    figure = compare_charts.timeline_figure(bench, labels)
    assert {trace.xaxis for trace in figure.data} == {"x", "x2", "x3", "x4", "x5", "x6"}
    assert figure.layout.xaxis2.matches == "x" or figure.layout.xaxis.matches == "x6"  # shared_xaxes
    first = figure.data[0]
    assert pd.Timestamp(first.x[0]) == pd.Timestamp("2019-01-02 16:00")  # the base close, at 16:00 New York (not UTC)
    assert figure.layout.dragmode == "select"


def test_past_twenty_runs_a_median_and_iqr_fan_is_drawn(calendar):
    bench = build_workbench(_runs(22, calendar), calendar, lambda day: 0.0)
    labels = {run.facts.id: run.facts.name for run in bench.runs}
    figure = compare_charts.timeline_figure(bench, labels, highlight=["r3"])
    names = [trace.name for trace in figure.data]
    assert "Median of runs" in names and "IQR (25-75%)" in names
    faint = next(t for t in figure.data if t.name == "run 7" and t.xaxis == "x")
    assert faint.line.color.startswith("rgba(") and faint.showlegend is False
    bold = next(t for t in figure.data if t.name == "run 3" and t.xaxis == "x")
    assert bold.line.width == 2.5 and bold.showlegend
    median = next(t for t in figure.data if t.name == "Median of runs")
    assert median.y[-1] == pytest.approx(np.median([bench.rebased[r.facts.id].iloc[-1] for r in bench.runs]))
