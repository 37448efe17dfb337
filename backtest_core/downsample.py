"""Fewer points for drawing, keeping every bucket's first, last, highest and lowest point.

A 13-year minute curve has millions of points; a browser draws a few thousand smoothly. Min/max bucketing
keeps peaks and troughs (drawdowns stay exact to the pixel) and, applied to a zoom window only, gives back
full detail as the window narrows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_MAX_POINTS = 4000


def downsample(
    series: pd.Series,
    max_points: int = DEFAULT_MAX_POINTS,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.Series:
    """At most about ``max_points`` points of ``series`` (optionally cut to ``[start, end]``), extremes kept."""
    if start is not None or end is not None:
        series = series.loc[start:end]
    count = len(series)
    if count <= max_points or max_points < 8:
        return series
    buckets = max_points // 4
    values = series.to_numpy(dtype=float, na_value=np.nan)
    edges = np.linspace(0, count, buckets + 1).astype(np.int64)
    keep = np.zeros(count, dtype=bool)
    keep[edges[:-1]] = True
    keep[edges[1:] - 1] = True
    starts = edges[:-1]
    filled_low = np.where(np.isnan(values), np.inf, values)
    filled_high = np.where(np.isnan(values), -np.inf, values)
    keep[starts + _argreduce(filled_low, edges, np.minimum)] = True
    keep[starts + _argreduce(filled_high, edges, np.maximum)] = True
    return series[keep]


def _argreduce(values: np.ndarray, edges: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Offset, within each bucket ``[edges[i], edges[i+1])``, of the bucket's min (or max) value."""
    extreme = ufunc.reduceat(values, edges[:-1])
    bucket_of = np.repeat(np.arange(len(edges) - 1), np.diff(edges))
    is_extreme = values == extreme[bucket_of]
    positions = np.arange(len(values)) - edges[:-1][bucket_of]
    # first matching position per bucket: mask others with a large number and take the minimum
    masked = np.where(is_extreme, positions, np.iinfo(np.int64).max)
    return np.minimum.reduceat(masked, edges[:-1])
