"""In-sample / out-of-sample: hold out the last part of the period, rank runs in-sample, see how they fare after.

The split is one date for every run (the same calendar cut), so the out-of-sample days are the same days
for all of them. Sharpe ratios are annualised with √252 (LEAN's trading days per year), risk-free rate 0.
"""

from __future__ import annotations

import math

import pandas as pd
from pydantic import BaseModel

from backtest_core.analysis.returns import TRADING_DAYS
from backtest_core.analysis.selection_bias import sharpe_ratio


class HoldoutSplit(BaseModel):
    cut: pd.Timestamp
    in_sample_days: int
    out_of_sample_days: int

    model_config = {"arbitrary_types_allowed": True}


def split_date(returns: dict[str, pd.Series], holdout: float) -> pd.Timestamp:
    """The first out-of-sample day: ``holdout`` (0..1) of the span of all runs' days lies on or after it."""
    if not 0 < holdout < 1:
        raise ValueError(f"holdout {holdout} must be between 0 and 1 (the share of the period held out)")
    days = sorted({day for series in returns.values() for day in series.index})
    if len(days) < 4:
        raise ValueError("the runs have fewer than 4 days of returns; nothing to hold out")
    return days[min(len(days) - 1, max(1, math.floor(len(days) * (1 - holdout))))]


def holdout_table(returns: dict[str, pd.Series], holdout: float) -> tuple[pd.DataFrame, HoldoutSplit]:
    """One row per run: in-sample and out-of-sample Sharpe and return, ranked by in-sample Sharpe (best first).

    ``oos rank`` is the run's rank out of sample (1 = best), so a high in-sample rank that falls shows.
    """
    cut = split_date(returns, holdout)
    rows = []
    for run_id, series in returns.items():
        before, after = series[series.index < cut], series[series.index >= cut]
        rows.append(
            {
                "id": run_id,
                "IS sharpe": sharpe_ratio(before) * math.sqrt(TRADING_DAYS),
                "OOS sharpe": sharpe_ratio(after) * math.sqrt(TRADING_DAYS),
                "IS return %": ((1 + before).prod() - 1) * 100 if len(before) else math.nan,
                "OOS return %": ((1 + after).prod() - 1) * 100 if len(after) else math.nan,
            }
        )
    table = pd.DataFrame(rows).set_index("id")
    table["IS rank"] = table["IS sharpe"].rank(ascending=False, method="min")
    table["OOS rank"] = table["OOS sharpe"].rank(ascending=False, method="min")
    table = table.sort_values("IS rank", na_position="last")
    days = sorted({day for series in returns.values() for day in series.index})
    split = HoldoutSplit(
        cut=cut, in_sample_days=sum(day < cut for day in days), out_of_sample_days=sum(day >= cut for day in days)
    )
    return table, split
