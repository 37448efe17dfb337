"""The benchmark beside an equity curve: what the curve's starting amount would have become in it.

LEAN samples its benchmark (``Benchmark`` chart, SPY by default) once a day; those samples are kept as they
are, never interpolated to the equity's own resolution: an intraday chart names them daily samples and holds each
as a step (``daily_only``), and draws a benchmark sampled within the day (another writer's) at its own times.
Zero samples mean LEAN had no benchmark price (no data) and are dropped, so they never draw a fall to zero.
"""

from __future__ import annotations

import pandas as pd

from backtest_core.analysis.sessions import TimeAxis, has_intraday_samples

DAILY_BENCHMARK = "Benchmark (daily samples, rebased)"  # its legend name where the axis has the time of day


def daily_only(benchmark: pd.Series | None, axis: TimeAxis) -> bool:
    """An intraday axis and a benchmark with no two samples within one day (LEAN's one a day, at midnight): all it
    says of the time between samples is that it was not sampled."""
    if not axis.intraday or benchmark is None or benchmark.empty:
        return False
    return not has_intraday_samples(axis.local(pd.DatetimeIndex(benchmark.index)))


def rebased_benchmark(benchmark: pd.Series, equity: pd.Series) -> pd.Series:
    """``benchmark`` scaled so that it equals ``equity`` at the equity's first point, over the equity's span.

    The benchmark's value at that moment is its last sample at or before it (its first sample after, when it
    starts later); the result starts with that base point at the equity's first time. Empty when either is.
    """
    prices = benchmark[benchmark > 0].dropna()
    if prices.empty or equity.empty:
        return pd.Series(dtype=float, name=benchmark.name)
    first, last = equity.index[0], equity.index[-1]
    before = prices.loc[:first]
    base_time, base = (first, float(before.iloc[-1])) if len(before) else (prices.index[0], float(prices.iloc[0]))
    inside = prices.loc[(prices.index > base_time) & (prices.index <= last)]
    drawn = pd.concat([pd.Series([base], index=pd.DatetimeIndex([base_time]).as_unit(prices.index.unit)), inside])
    return (drawn / base * float(equity.iloc[0])).rename(benchmark.name)
