"""Trade-level difference of two runs: which round trips both made, which only one did, and what each group
contributes to the difference in profit.

Two closed trades match when they are in the same symbol and their holding periods overlap; each trade
matches at most one, the one it overlaps longest (ties: the earliest entry). Trades count for a window when
they were closed in it. The contributions are in the runs' account currency: only-A trades add their
profit, only-B trades subtract theirs, matched trades add the difference; what is left of the equity
difference is not in closed trades (positions still open, fees, cash).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel

_KEPT = ["symbol", "direction", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "profit_loss"]


class TradeContributions(BaseModel):
    only_a: float
    only_b: float
    matched: float
    not_in_trades: float
    equity_difference: float


class TradeDiff(BaseModel, arbitrary_types_allowed=True):
    only_a: pd.DataFrame
    only_b: pd.DataFrame
    matched: pd.DataFrame
    contributions: TradeContributions


def closed_in(trades: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Trades whose exit lies in ``(start, end]`` (UTC timestamps)."""
    if trades.empty:
        return trades.reindex(columns=_KEPT)
    exits = pd.to_datetime(trades["exit_time"], utc=True)
    return trades.loc[(exits > start) & (exits <= end), _KEPT].reset_index(drop=True)


def match_trades(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[int, int]]:
    """(row in a, row in b) pairs of matched trades (see the module text); per symbol on arrays, so a pair
    of minute runs with thousands of trades each is matched in milliseconds."""
    pairs: list[tuple[int, int]] = []
    for symbol, group in a.groupby("symbol", sort=False):
        others = b.index[b["symbol"] == symbol].to_numpy()
        if len(others) == 0:
            continue
        entry_b = pd.to_datetime(b.loc[others, "entry_time"], utc=True).to_numpy("datetime64[ns]").astype("int64")
        exit_b = pd.to_datetime(b.loc[others, "exit_time"], utc=True).to_numpy("datetime64[ns]").astype("int64")
        free = np.ones(len(others), dtype=bool)
        ordered = group.sort_values("entry_time", kind="stable")
        entries = pd.to_datetime(ordered["entry_time"], utc=True).to_numpy("datetime64[ns]").astype("int64")
        exits = pd.to_datetime(ordered["exit_time"], utc=True).to_numpy("datetime64[ns]").astype("int64")
        for i, entry, exit_ in zip(ordered.index, entries, exits, strict=True):
            overlap = np.minimum(exit_b, exit_) - np.maximum(entry_b, entry)
            candidates = np.flatnonzero(free & (overlap >= 0))
            if len(candidates) == 0:
                continue
            longest = candidates[overlap[candidates] == overlap[candidates].max()]
            j = longest[np.argmin(entry_b[longest])]
            free[j] = False
            pairs.append((int(i), int(others[j])))
    return sorted(pairs)


def trade_diff(a: pd.DataFrame, b: pd.DataFrame, equity_difference: float) -> TradeDiff:
    """Only-A, only-B and matched trades of two runs' closed trades, with each group's contribution to
    ``equity_difference`` (A's profit minus B's over the same window)."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    pairs = match_trades(a, b) if not a.empty and not b.empty else []
    matched_a, matched_b = [i for i, _ in pairs], [j for _, j in pairs]
    left, right = a.loc[matched_a].reset_index(drop=True), b.loc[matched_b].reset_index(drop=True)
    matched = pd.DataFrame(
        {
            "symbol": left["symbol"],
            "entry_a": left["entry_time"],
            "entry_b": right["entry_time"],
            "entry_shift": right["entry_time"] - left["entry_time"],
            "exit_a": left["exit_time"],
            "exit_b": right["exit_time"],
            "exit_shift": right["exit_time"] - left["exit_time"],
            "profit_a": left["profit_loss"].astype(float),
            "profit_b": right["profit_loss"].astype(float),
        }
    )
    matched["profit_difference"] = matched["profit_a"] - matched["profit_b"]
    only_a = a.drop(index=matched_a).reset_index(drop=True)
    only_b = b.drop(index=matched_b).reset_index(drop=True)
    only_a_total = float(only_a["profit_loss"].astype(float).sum())
    only_b_total = -float(only_b["profit_loss"].astype(float).sum())
    matched_total = float(matched["profit_difference"].sum())
    return TradeDiff(
        only_a=only_a,
        only_b=only_b,
        matched=matched,
        contributions=TradeContributions(
            only_a=only_a_total,
            only_b=only_b_total,
            matched=matched_total,
            not_in_trades=equity_difference - only_a_total - only_b_total - matched_total,
            equity_difference=equity_difference,
        ),
    )
