"""Derived views of a result's equity curve and statistics, for the detail and compare pages.

Pure pandas: series in, frames out. Conventions are stated where they matter (returns are fractions, years
of 252 trading days for rolling figures, drawdown as a negative fraction from the running peak).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from backtest_core.models.statistics import parse_statistic

TRADING_DAYS = 252


def daily_equity(equity: pd.Series) -> pd.Series:
    """Last equity value of each calendar day (UTC dates), days without a point dropped."""
    if equity.empty:
        return equity
    return equity.groupby(equity.index.normalize()).last()


def daily_returns(equity: pd.Series) -> pd.Series:
    """Day-over-day returns (fractions) of the daily closing equity."""
    return daily_equity(equity).pct_change().dropna()


def drawdown(equity: pd.Series) -> pd.Series:
    """Drawdown from the running peak as a negative fraction (0 at a new high)."""
    if equity.empty:
        return equity
    return equity / equity.cummax() - 1.0


def monthly_returns(equity: pd.Series) -> pd.DataFrame:
    """Compounded return of each month (fraction): rows are years, columns 1..12, NaN where no data."""
    if equity.empty:
        return pd.DataFrame(columns=range(1, 13), dtype=float)
    month_end = equity.groupby([equity.index.year, equity.index.month]).last()
    month_start = equity.groupby([equity.index.year, equity.index.month]).first()
    previous_end = month_end.shift(1)
    base = previous_end.fillna(month_start)  # first month: measured from its first point
    returns = month_end / base - 1.0
    returns.index = returns.index.set_names(["year", "month"])
    table = returns.unstack("month").reindex(columns=range(1, 13))
    return table.astype(float)


def yearly_returns(equity: pd.Series) -> pd.Series:
    """Compounded return of each calendar year (fraction), the first year from its first point."""
    if equity.empty:
        return pd.Series(dtype=float)
    year_end = equity.groupby(equity.index.year).last()
    base = year_end.shift(1).fillna(equity.groupby(equity.index.year).first())
    return (year_end / base - 1.0).rename("return")


def rolling_sharpe(equity: pd.Series, window_days: int = 126) -> pd.Series:
    """Annualised Sharpe ratio of daily returns over a rolling window (risk-free rate 0, sample std)."""
    returns = daily_returns(equity)
    if len(returns) < window_days:
        return pd.Series(dtype=float)
    mean = returns.rolling(window_days).mean()
    std = returns.rolling(window_days).std(ddof=1)
    sharpe = (mean / std.replace(0.0, np.nan)) * math.sqrt(TRADING_DAYS)
    return sharpe.dropna()


def normalised(equity: pd.Series, start: float = 100.0) -> pd.Series:
    """The curve rescaled so that its first point equals ``start`` (for overlaying several runs)."""
    if equity.empty or equity.iloc[0] == 0:
        return equity
    return equity / equity.iloc[0] * start


# Whether a larger value of a statistic is better (True), worse (False); absent: not ranked.
HIGHER_IS_BETTER: dict[str, bool] = {
    "Net Profit": True,
    "Compounding Annual Return": True,
    "Sharpe Ratio": True,
    "Sortino Ratio": True,
    "Probabilistic Sharpe Ratio": True,
    "Win Rate": True,
    "Loss Rate": False,
    "Average Win": True,
    "Average Loss": True,
    "Profit-Loss Ratio": True,
    "Expectancy": True,
    "Alpha": True,
    "Information Ratio": True,
    "Treynor Ratio": True,
    "End Equity": True,
    "Drawdown": False,
    "Annual Standard Deviation": False,
    "Annual Variance": False,
    "Tracking Error": False,
    "Total Fees": False,
    "Drawdown Recovery": False,
}


def statistics_table(statistics: Mapping[str, Mapping[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Side-by-side statistics of several runs and, for each, where the best value of a row stands.

    ``statistics`` maps a column label (run) to LEAN's printed statistics. Returns ``(table, best)``: the
    printed strings (rows: statistic names in first-seen order) and a boolean frame marking the best cell of
    each rankable row (ties all marked; rows with fewer than two numbers unmarked).
    """
    names: list[str] = []
    for stats in statistics.values():
        names.extend(name for name in stats if name not in names)
    table = pd.DataFrame({label: [stats.get(name, "") for name in names] for label, stats in statistics.items()})
    table.index = pd.Index(names, name="Statistic")
    best = pd.DataFrame(False, index=table.index, columns=table.columns)
    for name in names:
        if name not in HIGHER_IS_BETTER:
            continue
        values = pd.Series({label: parse_statistic(table.at[name, label]) for label in table.columns}, dtype=float)
        if values.notna().sum() < 2:
            continue
        target = values.max() if HIGHER_IS_BETTER[name] else values.min()
        best.loc[name] = values == target
    return table, best


def parameter_diff(parameters: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The parameters whose values differ between runs (rows), one column per run; '' where absent."""
    keys = sorted({key for params in parameters.values() for key in params})
    rows = {
        key: [params.get(key, "") for params in parameters.values()]
        for key in keys
        if len({params.get(key, "") for params in parameters.values()}) > 1
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(parameters.keys()))
    frame.index.name = "Parameter"
    return frame


def common_start(curves: Sequence[pd.Series]) -> pd.Timestamp | None:
    """The latest first timestamp among the curves: where all of them have data."""
    starts = [curve.index[0] for curve in curves if not curve.empty]
    return max(starts) if starts else None
