"""Returns by calendar period: months and years (compounded, fractions).

Each period is measured from the last value of the period before it; the first period from its own first
point, so the periods of one curve compound exactly to its total return.
"""

from __future__ import annotations

import pandas as pd


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
