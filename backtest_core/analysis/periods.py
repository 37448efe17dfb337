"""Returns by calendar period (months, years) and in named market stress windows (compounded, fractions).

Each period is measured from the last value of the period before it; the first period from its own first
point, so the periods of one curve compound exactly to its total return.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel


def monthly_returns(equity: pd.Series) -> pd.DataFrame:
    """Compounded return of each month (fraction): rows are years, columns 1..12, NaN where no data."""
    if equity.empty:
        return pd.DataFrame(columns=range(1, 13), dtype=float)
    month_end = equity.groupby([equity.index.year, equity.index.month]).last()
    month_start = equity.groupby([equity.index.year, equity.index.month]).first()
    base = month_end.shift(1).fillna(month_start)  # first month: measured from its first point
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


def compounded(returns: pd.Series, period: str) -> pd.Series:
    """Daily returns compounded per calendar ``period`` ("month": index (year, month); "year": index year)."""
    index = returns.index
    keys = [index.year, index.month] if period == "month" else [index.year]
    result = (1.0 + returns).groupby(keys).prod() - 1.0
    result.index = result.index.set_names(["year", "month"] if period == "month" else ["year"])
    return result


class StressWindow(BaseModel):
    """A named market stress period (S&P 500 peak to trough, or the episode's span)."""

    name: str
    start: date
    end: date


STRESS_WINDOWS = (
    StressWindow(name="2008 GFC", start=date(2007, 10, 9), end=date(2009, 3, 9)),
    StressWindow(name="2010 flash crash", start=date(2010, 4, 23), end=date(2010, 7, 2)),
    StressWindow(name="2011 US downgrade", start=date(2011, 7, 22), end=date(2011, 10, 3)),
    StressWindow(name="2015-16 selloff", start=date(2015, 8, 10), end=date(2016, 2, 11)),
    StressWindow(name="2018 Q4", start=date(2018, 9, 20), end=date(2018, 12, 24)),
    StressWindow(name="2020 COVID crash", start=date(2020, 2, 19), end=date(2020, 3, 23)),
    StressWindow(name="2022 rates", start=date(2022, 1, 3), end=date(2022, 10, 12)),
)


def stress_windows_within(start: date, end: date) -> list[StressWindow]:
    """The named stress windows that lie wholly inside ``[start, end]``."""
    return [window for window in STRESS_WINDOWS if start <= window.start and window.end <= end]


def stress_figures(returns: pd.Series, window: StressWindow) -> tuple[float, float]:
    """(return, max drawdown as a positive fraction) of daily ``returns`` (date index) over ``window``."""
    inside = returns.loc[(returns.index >= pd.Timestamp(window.start)) & (returns.index <= pd.Timestamp(window.end))]
    curve = np.concatenate([[1.0], np.cumprod(1.0 + inside.to_numpy())])
    return float(curve[-1] - 1.0), float(np.max(1.0 - curve / np.maximum.accumulate(curve)))
