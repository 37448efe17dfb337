"""Page-level views and the offline HTML report, on real LEAN results from the shared fixtures."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from backtest_core import charts, report, views
from backtest_core.models import BacktestProgress, BacktestStatus
from backtest_core.results import load_result


@pytest.fixture(scope="module")
def spy_minute(lean_fixtures):
    return load_result(lean_fixtures / "cli2025-spy-minute-sma-301orders")


def test_fills_come_from_order_events_with_signed_quantities(spy_minute):
    fills = views.fills_frame(spy_minute)
    assert len(fills) == 301  # every order of this run filled once
    assert set(fills["symbol"]) == {"SPY"}
    assert (fills["quantity"] > 0).sum() == 151 and (fills["quantity"] < 0).sum() == 150
    assert fills["time"].is_monotonic_increasing


def test_fills_fall_back_to_orders_without_an_events_file(lean_fixtures):
    result = load_result(lean_fixtures / "cloud2025-qqq-options-449orders")
    assert result.order_events.empty
    fills = views.fills_frame(result)
    assert len(fills) == (result.orders["status"] == "Filled").sum()


def test_time_left_extrapolates_elapsed_time():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    progress = BacktestProgress(run_id="r", status=BacktestStatus.RUNNING, percent=25.0)
    assert views.time_left(progress, now - timedelta(minutes=1), now) == timedelta(minutes=3)
    assert views.time_left(progress.model_copy(update={"percent": 0.0}), now, now) is None


def test_html_report_is_self_contained(spy_minute):
    html = report.build_report(spy_minute, "SMA on SPY", "minute")
    assert "Plotly" in html and "98118.51" in html and "Total Orders" in html
    assert not re.search(r"<script[^>]+src=", html)  # no external scripts: opens offline


def test_system_charts_are_drawn_apart_from_custom_ones(spy_minute):
    assert charts.own_charts(spy_minute.charts) == {}
    exposure = [chart.name for chart in charts.standard_charts(spy_minute.charts, charts.EXPOSURE_CHARTS)]
    trading = [chart.name for chart in charts.standard_charts(spy_minute.charts, charts.TRADING_CHARTS)]
    assert exposure == ["Exposure", "Portfolio Margin"]
    assert trading == ["Portfolio Turnover", "Capacity", "Assets Sales Volume"]
