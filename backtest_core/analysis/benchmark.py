"""The benchmark beside an equity curve: what the curve's starting amount would have become in it.

LEAN samples its benchmark (``Benchmark`` chart, SPY by default) once a day; those samples are kept as they
are, never interpolated to the equity's own resolution. Zero samples mean LEAN had no benchmark price (no
data) and are dropped, so they never draw a fall to zero.
"""

from __future__ import annotations

import pandas as pd


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
