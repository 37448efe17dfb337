"""Derived views and downsampling on real SPY prices from the shared LEAN data."""

import csv
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from backtest_core import charts
from backtest_core.analysis import periods, returns
from backtest_core.analysis.sessions import TimeAxis
from backtest_core.downsample import downsample


@pytest.fixture(scope="module")
def spy_close(lean_data) -> pd.Series:
    """SPY daily closes as LEAN stores them (price x 10000), indexed at 16:00 New York in UTC."""
    with zipfile.ZipFile(lean_data / "equity/usa/daily/spy.zip") as archive:
        text = archive.read(archive.namelist()[0]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    index = pd.to_datetime([row[0] for row in rows], format="%Y%m%d %H:%M").tz_localize("America/New_York")
    closes = [int(row[4]) / 10000 for row in rows]
    return pd.Series(closes, index=(index + pd.Timedelta(hours=16)).tz_convert("UTC"), name="SPY")


def test_monthly_returns_compound_to_the_yearly_return(spy_close):
    equity = spy_close.loc["2010":"2012"]
    monthly = periods.monthly_returns(equity)
    yearly = periods.yearly_returns(equity)
    for year in (2011, 2012):
        compounded = float(np.prod(1 + monthly.loc[year].dropna()) - 1)
        assert compounded == pytest.approx(yearly.loc[year], rel=1e-12)
    # one month checked by hand: Feb 2011 = last Feb close / last Jan close - 1
    feb = equity.loc["2011-02"].iloc[-1] / equity.loc["2011-01"].iloc[-1] - 1
    assert monthly.loc[2011, 2] == pytest.approx(feb)


def test_drawdown_of_2008(spy_close):
    dd = returns.drawdown(spy_close.loc["2007":"2009"])
    assert dd.max() == 0.0
    trough = dd.idxmin()
    assert trough.year == 2009 and trough.month == 3  # SPY's low of the crisis
    assert -0.6 < dd.min() < -0.5


def test_rolling_sharpe_matches_direct_formula(spy_close):
    equity = spy_close.loc["2015":"2016"]
    sharpe = returns.rolling_sharpe(equity, window_days=60)
    daily = equity.pct_change().dropna()
    last = daily.iloc[-60:]
    assert sharpe.iloc[-1] == pytest.approx(last.mean() / last.std(ddof=1) * np.sqrt(252))


def test_downsample_keeps_extremes_and_ends(spy_close):
    drawn = downsample(spy_close, max_points=400)
    assert len(drawn) <= 400
    assert drawn.max() == spy_close.max() and drawn.min() == spy_close.min()
    assert drawn.index[0] == spy_close.index[0] and drawn.index[-1] == spy_close.index[-1]
    assert drawn.index.is_monotonic_increasing


def test_downsample_window_gives_full_detail_when_narrow(spy_close):
    window = downsample(
        spy_close,
        max_points=400,
        start=pd.Timestamp("2013-10-01", tz="UTC"),
        end=pd.Timestamp("2013-10-31 23:59", tz="UTC"),
    )
    assert len(window) == len(spy_close.loc["2013-10-01":"2013-10-31"])


def test_equity_figure_downsamples_a_minute_size_curve():
    index = pd.date_range("2020-01-01", periods=300_000, freq="min", tz="UTC")
    equity = pd.Series(100000 + np.cumsum(np.random.default_rng(1).normal(0, 10, len(index))), index=index)
    figure = charts.equity_figure(equity, TimeAxis(zone="UTC", intraday=True))
    assert all(len(trace.x) <= 4000 for trace in figure.data)
    assert max(figure.data[0].y) == equity.max()
