"""One run's closed trades and orders, looked at closely: filters, win/loss streaks, a summary, order events.

Trades are LEAN's closed round trips (``totalPerformance.closedTrades``). A trade is a win as LEAN counts it:
its ``is_win`` flag when the result has one (an in-the-money option assignment is a win whatever its
profit), else a profit above zero (gross of fees). Trades belong to a window when they were closed in it.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from pydantic import BaseModel


class TradeSummary(BaseModel):
    """Figures of a set of closed trades; money in the account currency."""

    trades: int
    wins: int
    losses: int
    win_rate: float | None
    net_profit: float
    average_win: float | None
    average_loss: float | None
    profit_factor: float | None
    longest_winning_streak: int
    longest_losing_streak: int
    median_holding: pd.Timedelta | None

    model_config = {"arbitrary_types_allowed": True}


def wins(trades: pd.DataFrame) -> pd.Series:
    """Whether each trade is a win (see the module text)."""
    if "is_win" in trades and trades["is_win"].notna().all():
        return trades["is_win"].astype(bool)
    return trades["profit_loss"].astype(float) > 0


def closed_between(trades: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Trades whose exit lies in ``(start, end]`` (UTC; None leaves that side open), all columns kept."""
    keep = pd.Series(True, index=trades.index)
    if start is not None:
        keep &= trades["exit_time"] > start
    if end is not None:
        keep &= trades["exit_time"] <= end
    return trades[keep]


def filtered(frame: pd.DataFrame, **allowed: Collection[object] | None) -> pd.DataFrame:
    """Rows whose column values are among ``allowed[column]``; a None or empty choice keeps every row.

    ``filtered(orders, symbol=["SPY"], direction=["Buy"], tag=None)``.
    """
    keep = pd.Series(True, index=frame.index)
    for column, values in allowed.items():
        if values:
            keep &= frame[column].isin(list(values))
    return frame[keep]


def streaks(trades: pd.DataFrame) -> pd.DataFrame:
    """Runs of consecutive wins or losses, in the order the trades closed.

    Columns: ``win`` (bool), ``length``, ``first_exit``, ``last_exit``, ``profit_loss`` (the run's total).
    """
    columns = ["win", "length", "first_exit", "last_exit", "profit_loss"]
    if trades.empty:
        return pd.DataFrame(columns=columns)
    ordered = trades.sort_values("exit_time", kind="stable")
    won = wins(ordered).to_numpy()
    run = np.concatenate([[0], np.cumsum(won[1:] != won[:-1])])
    grouped = ordered.assign(_run=run, _win=won).groupby("_run", sort=True)
    return pd.DataFrame(
        {
            "win": grouped["_win"].first().to_numpy(),
            "length": grouped.size().to_numpy(),
            "first_exit": grouped["exit_time"].first().to_numpy(),
            "last_exit": grouped["exit_time"].last().to_numpy(),
            "profit_loss": grouped["profit_loss"].sum().to_numpy(),
        },
        columns=columns,
    )


def holding_times(trades: pd.DataFrame) -> pd.Series:
    """How long each trade was held (exit minus entry)."""
    return (trades["exit_time"] - trades["entry_time"]).rename("holding")


def summary(trades: pd.DataFrame) -> TradeSummary:
    """Counts, win rate, average win and loss, profit factor, longest streaks and median holding time."""
    if trades.empty:
        return TradeSummary(
            trades=0,
            wins=0,
            losses=0,
            win_rate=None,
            net_profit=0.0,
            average_win=None,
            average_loss=None,
            profit_factor=None,
            longest_winning_streak=0,
            longest_losing_streak=0,
            median_holding=None,
        )
    won = wins(trades)
    profit = trades["profit_loss"].astype(float)
    gains, losses = profit[won], profit[~won]
    runs = streaks(trades)
    gross_loss = float(-losses[losses < 0].sum())
    return TradeSummary(
        trades=len(trades),
        wins=int(won.sum()),
        losses=int((~won).sum()),
        win_rate=float(won.mean()),
        net_profit=float(profit.sum()),
        average_win=float(gains.mean()) if len(gains) else None,
        average_loss=float(losses.mean()) if len(losses) else None,
        profit_factor=float(gains[gains > 0].sum()) / gross_loss if gross_loss > 0 else None,
        longest_winning_streak=int(runs.loc[runs["win"], "length"].max()) if runs["win"].any() else 0,
        longest_losing_streak=int(runs.loc[~runs["win"], "length"].max()) if (~runs["win"]).any() else 0,
        median_holding=holding_times(trades).median(),
    )


def order_events(events: pd.DataFrame, order_id: int) -> pd.DataFrame:
    """The events of one order (submitted, partial fills, fill, cancel, ...), in the order they happened."""
    return events[events["order_id"] == order_id].reset_index(drop=True)
