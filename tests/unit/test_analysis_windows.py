"""Comparison windows, coverage and rebasing on hand-made daily closes."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from backtest_core.analysis.calendar import TradingCalendar, daily_closes
from backtest_core.analysis.window_stats import window_statistics
from backtest_core.analysis.windows import (
    RunCurve,
    Window,
    aligned_returns,
    common_window,
    coverage_problem,
    rebased_equity,
    window_closes,
    window_returns,
)
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind


@pytest.fixture
def calendar(tmp_path) -> TradingCalendar:
    return TradingCalendar("US", LeanDataFolder(tmp_path).market_hours(SecurityKind.EQUITY, "usa", "SPY"), 252)


def _run(run_id: str, start: str, values: list[float], calendar: TradingCalendar) -> RunCurve:
    """A daily LEAN-like curve: the start value at midnight of ``start``, then one close per weekday."""
    days = pd.bdate_range(start, periods=len(values) - 1)
    times = [pd.Timestamp(start)] + [day + pd.Timedelta(hours=16) for day in days]
    equity = pd.Series(values, index=pd.DatetimeIndex(times).tz_localize("America/New_York").tz_convert("UTC"))
    return RunCurve(id=run_id, label=run_id, equity=equity, closes=daily_closes(equity, calendar))


def test_common_window_takes_runs_in_order_and_excludes_one_that_does_not_overlap(calendar):
    a = _run("a", "2020-01-06", [100.0] * 11, calendar)  # 2020-01-06 .. 2020-01-17
    b = _run("b", "2020-01-08", [50.0] * 11, calendar)  # 2020-01-08 .. 2020-01-22
    c = _run("c", "2021-01-04", [10.0] * 5, calendar)
    window, excluded = common_window([a, b, c])
    assert window == Window(start=date(2020, 1, 8), end=date(2020, 1, 17))
    assert [item.id for item in excluded] == ["c"]
    assert "does not overlap" in excluded[0].reason and "2021-01-04" in excluded[0].reason
    assert coverage_problem(b, Window(start=date(2020, 1, 6), end=date(2020, 1, 10))).startswith("its data")
    assert coverage_problem(a, window) is None


def test_window_returns_start_from_the_close_before_the_window(calendar):
    a = _run("a", "2020-01-06", [100.0, 110.0, 99.0, 108.9, 108.9], calendar)
    window = Window(start=date(2020, 1, 7), end=date(2020, 1, 8))
    closes = window_closes(a.closes, window)
    assert closes.tolist() == [110.0, 99.0, 108.9]  # base: the close of 2020-01-06
    assert window_returns(a.closes, window).tolist() == pytest.approx([-0.1, 0.1])
    rebased = rebased_equity(a, window, calendar)
    assert rebased.iloc[0] == 100.0 and rebased.iloc[-1] == pytest.approx(99.0)


def test_aligned_returns_pair_the_runs_day_by_day(calendar):
    a = _run("a", "2020-01-06", [100.0, 110.0, 121.0, 121.0], calendar)
    b = _run("b", "2020-01-06", [10.0, 10.0, 11.0, 9.9], calendar)
    returns = aligned_returns([a, b], Window(start=date(2020, 1, 6), end=date(2020, 1, 8)))
    assert returns["a"].tolist() == pytest.approx([0.1, 0.1, 0.0])
    assert returns["b"].tolist() == pytest.approx([0.0, 0.1, -0.1])


def test_window_statistics_by_hand():
    closes = pd.Series([100.0, 110.0, 99.0, 108.9], index=pd.to_datetime(["2020-01-03", "2020-01-06",
                                                                            "2020-01-07", "2020-01-08"]))  # fmt: skip
    stats = window_statistics(closes, lambda day: 0.02, 252)
    r = np.array([0.1, -0.1, 0.1])
    mean, std = r.mean(), r.std(ddof=1)  # 0.0333…, 0.11547…
    assert stats.total_return == pytest.approx(0.089)
    assert stats.net_profit == pytest.approx(8.9)
    assert stats.max_drawdown == pytest.approx(0.1)
    assert stats.annual_volatility == pytest.approx(std * np.sqrt(252))
    assert stats.sharpe_ratio == pytest.approx(((1 + mean) ** 252 - 1 - 0.02) / (std * np.sqrt(252)))
    assert stats.compounding_annual_return == pytest.approx(1.089 ** (365 / 5) - 1)
    assert stats.sortino_ratio is None  # a single negative day has no deviation
    assert stats.best_day == pytest.approx(0.1) and stats.worst_day == pytest.approx(-0.1)
    assert stats.trading_days == 3 and stats.start == date(2020, 1, 6)
