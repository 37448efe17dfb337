"""Runs measured against each other on one window's paired daily returns (columns: run ids).

- relative curve: run / baseline, both rebased to 100 at the window start (above 100: the run is ahead);
  the excess return is that ratio − 1, and the relative drawdown is the drawdown of that ratio;
- rolling correlation and rolling Sharpe difference over 63/126/252 trading days (a quarter, half a year,
  a year), the Sharpe with risk-free rate 0 as the Result page's rolling Sharpe;
- the equal-weight portfolio is rebalanced to equal weights every trading day (its daily return is the mean
  of the runs' daily returns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest_core.analysis.returns import rolling_sharpe_of_returns

ROLLING_WINDOWS = (63, 126, 252)


def growth(returns: pd.DataFrame | pd.Series, level: float = 100.0) -> pd.DataFrame | pd.Series:
    """Compounded growth of ``level`` at the close of each day (the base day itself not included)."""
    return (1.0 + returns).cumprod() * level


def excess_return(returns: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each run's cumulative return relative to the baseline: growth(run) / growth(baseline) − 1."""
    curves = growth(returns)
    return curves.div(curves[baseline], axis=0) - 1.0


def relative_drawdown(returns: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Drawdown of each run's growth relative to the baseline's (how far it fell behind its best lead)."""
    ratio = excess_return(returns, baseline) + 1.0
    peak = np.maximum(ratio.cummax(), 1.0)  # the window starts level: a lead of 0 is the first peak
    return ratio / peak - 1.0


def rolling_correlation(returns: pd.DataFrame, baseline: str, window_days: int) -> pd.DataFrame:
    """Correlation of each run's daily returns with the baseline's over the trailing ``window_days``."""
    others = returns.drop(columns=[baseline])
    return others.rolling(window_days).corr(returns[baseline]).dropna(how="all")


def rolling_sharpe_difference(
    returns: pd.DataFrame, baseline: str, window_days: int, periods_per_year: int
) -> pd.DataFrame:
    """Rolling Sharpe ratio of each run minus the baseline's, over the trailing ``window_days``."""
    base = rolling_sharpe_of_returns(returns[baseline], window_days, periods_per_year)
    frame = {
        column: rolling_sharpe_of_returns(returns[column], window_days, periods_per_year) - base
        for column in returns.columns
        if column != baseline
    }
    return pd.DataFrame(frame).dropna(how="all")


def correlation_matrix(returns: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation of the runs' daily returns (NaN for a run without variation)."""
    return returns.corr()


def equal_weight(returns: pd.DataFrame) -> pd.Series:
    """Daily returns of a portfolio holding every run in equal parts, rebalanced each trading day."""
    return returns.mean(axis=1).rename("equal weight")


def fan(curves: pd.DataFrame) -> pd.DataFrame:
    """Median and interquartile band across runs at each time (columns q25, median, q75)."""
    quantiles = curves.quantile([0.25, 0.5, 0.75], axis=1).T
    quantiles.columns = ["q25", "median", "q75"]
    return quantiles
