"""A single equity curve's derived series: daily closes, returns, drawdown, rolling Sharpe.

Pure pandas, series in and out. Returns are fractions, drawdown a negative fraction from the running peak,
rolling figures annualised with 252 trading days (LEAN's default ``TradingDaysPerYear``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

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


def rolling_sharpe_of_returns(returns: pd.Series, window_days: int, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Annualised Sharpe ratio over a rolling window of daily returns (risk-free rate 0, sample std);
    undefined (dropped) where the window is flat."""
    if len(returns) < window_days:
        return returns.iloc[:0].astype(float)
    mean = returns.rolling(window_days).mean()
    std = returns.rolling(window_days).std(ddof=1)
    return ((mean / std.replace(0.0, np.nan)) * math.sqrt(periods_per_year)).dropna()


def rolling_sharpe(equity: pd.Series, window_days: int = 126) -> pd.Series:
    """Annualised rolling Sharpe ratio of an equity curve's daily returns (see ``rolling_sharpe_of_returns``)."""
    return rolling_sharpe_of_returns(daily_returns(equity), window_days)
