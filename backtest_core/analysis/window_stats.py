"""Statistics of one run on a window, with one convention for every run of a comparison.

- Returns: daily, of the closing equity of each trading day (``analysis.calendar``), so daily, hourly and
  minute results are measured alike. LEAN's own figures count every calendar day (weekends as zero returns);
  these count trading days only, which is why they differ a little from LEAN's printed ones.
- Annualisation: ``periods_per_year`` trading days (252, LEAN's default; 365 on an every-day calendar).
- Formulas as LEAN's ``PortfolioStatistics``: sample (n−1) deviations; annual performance
  ``(1 + mean)^N − 1``; Sharpe ``(annual performance − rf) / (std·√N)``; Sortino with the deviation of the
  negative returns; CAR over calendar years of 365 days from the base close to the last close.
- Risk-free rate as LEAN takes it: its ``InterestRateProvider`` rate (the data folder's
  ``interest-rate.csv``, 1% without it), averaged over the window's trading days.
- Drawdown: the deepest fall of the closing equity from its running peak (intraday dips are not counted, so
  a minute run is not penalised against a daily one).
- PSR: Bailey & López de Prado's probabilistic Sharpe ratio of the daily excess returns against a stated
  benchmark Sharpe (LEAN's: 1 a year, i.e. 1/√N a day).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel

from backtest_core.stats import probabilistic_sharpe

RiskFree = Callable[[date], float]


class WindowStatistics(BaseModel):
    """Figures of one run on one window; money in the run's account currency, ratios as fractions."""

    start: date
    end: date
    trading_days: int
    start_equity: float
    end_equity: float
    net_profit: float
    total_return: float
    compounding_annual_return: float | None
    annual_volatility: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    max_drawdown: float
    probabilistic_sharpe_ratio: float | None
    risk_free_rate: float
    best_day: float | None
    worst_day: float | None


def average_risk_free(days: pd.DatetimeIndex, rate: RiskFree) -> float:
    """The mean annual risk-free rate over ``days`` (LEAN averages its provider's rate the same way)."""
    if len(days) == 0:
        return 0.0
    return float(np.mean([rate(day.date()) for day in days]))


def window_statistics(
    closes: pd.Series, rate: RiskFree, periods_per_year: int, benchmark_sharpe: float = 1.0
) -> WindowStatistics:
    """Statistics of ``closes`` (the base close followed by the window's closes, see ``window_closes``).

    ``benchmark_sharpe`` is the annual Sharpe ratio the PSR is measured against.
    """
    values = closes.to_numpy(dtype=float)
    returns = values[1:] / values[:-1] - 1.0
    n = periods_per_year
    rf = average_risk_free(closes.index[1:], rate)
    start, end = float(values[0]), float(values[-1])
    years = (closes.index[-1] - closes.index[0]).days / 365.0
    car = (end / start) ** (1.0 / years) - 1.0 if years > 0 and start > 0 and end / start > 0 else None
    std = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    annual_std = std * math.sqrt(n) if len(returns) > 1 else None
    performance = (float(np.mean(returns)) + 1.0) ** n - 1.0 if len(returns) else 0.0
    sharpe = (performance - rf) / annual_std if annual_std else None
    negative = returns[returns < 0]
    downside = float(np.std(negative, ddof=1)) * math.sqrt(n) if len(negative) > 1 else 0.0
    sortino = (performance - rf) / downside if downside else None
    psr = probabilistic_sharpe(returns, benchmark_sharpe / math.sqrt(n), rf / n) if std > 0 else None
    peaks = np.maximum.accumulate(values)
    return WindowStatistics(
        start=closes.index[1].date() if len(closes) > 1 else closes.index[0].date(),
        end=closes.index[-1].date(),
        trading_days=len(returns),
        start_equity=start,
        end_equity=end,
        net_profit=end - start,
        total_return=end / start - 1.0 if start else 0.0,
        compounding_annual_return=car if car is not None and math.isfinite(car) else None,
        annual_volatility=annual_std,
        sharpe_ratio=sharpe,
        sortino_ratio=sortino,
        max_drawdown=float(np.max(1.0 - values / peaks)) if len(values) else 0.0,
        probabilistic_sharpe_ratio=psr,
        risk_free_rate=rf,
        best_day=float(np.max(returns)) if len(returns) else None,
        worst_day=float(np.min(returns)) if len(returns) else None,
    )
