"""The worst drawdowns of an equity curve: when each began, bottomed and recovered, how deep and how long.

A drawdown period starts at a peak (the last point at the running maximum before the fall), bottoms at its
lowest point and ends at recovery, the first later point at or above the peak (LEAN's convention for
``Drawdown Recovery``: ``V >= peak``). A period still under water at the curve's end has no recovery.
Depth is a negative fraction of the peak. Periods are measured on every point of the curve as given, so a
minute curve's intraday dips count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["start", "trough", "recovery", "depth", "length", "to_trough", "to_recover"]


def drawdown_periods(equity: pd.Series) -> pd.DataFrame:
    """Every drawdown period of ``equity`` (time-indexed), deepest first.

    Columns: ``start`` (peak time), ``trough``, ``recovery`` (NaT while unrecovered), ``depth`` (fraction,
    negative), ``length`` (peak to recovery, or to the last point), ``to_trough`` and ``to_recover`` (trough to
    recovery, NaT while unrecovered).
    """
    values = equity.to_numpy(dtype=float)
    if len(values) < 2:
        return _empty(equity.index)
    peaks = np.maximum.accumulate(values)
    under = values < peaks
    if not under.any():
        return _empty(equity.index)
    times = equity.index
    # runs of consecutive points under water; each is one period
    edges = np.diff(np.concatenate([[0], under.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # stop: first point back at the peak
    rows = []
    for first, stop in zip(starts, stops, strict=True):
        peak_at = first - 1  # the point before the fall holds the running maximum
        lowest = first + int(np.argmin(values[first:stop]))
        recovered = stop < len(values)
        end_at = stop if recovered else len(values) - 1
        rows.append(
            {
                "start": times[peak_at],
                "trough": times[lowest],
                "recovery": times[stop] if recovered else pd.NaT,
                "depth": values[lowest] / peaks[peak_at] - 1.0,
                "length": times[end_at] - times[peak_at],
                "to_trough": times[lowest] - times[peak_at],
                "to_recover": times[stop] - times[lowest] if recovered else pd.NaT,
            }
        )
    # typed per column: one whose every value is NaT (no period recovered) would otherwise be naive datetime
    span = (times[1:2] - times[0:1]).dtype
    dtypes = {"start": times.dtype, "trough": times.dtype, "recovery": times.dtype, "depth": float,
              "length": span, "to_trough": span, "to_recover": span}  # fmt: skip
    frame = pd.DataFrame({name: pd.Series([row[name] for row in rows], dtype=dtypes[name]) for name in COLUMNS})
    return frame.sort_values(["depth", "start"], kind="stable", ignore_index=True)


def worst_drawdowns(equity: pd.Series, count: int = 5) -> pd.DataFrame:
    """The ``count`` deepest drawdown periods (see ``drawdown_periods``), deepest first."""
    return drawdown_periods(equity).head(count)


def _empty(index: pd.Index) -> pd.DataFrame:
    times = pd.Series(pd.DatetimeIndex([], tz=getattr(index, "tz", None)))
    spans = pd.Series(pd.to_timedelta([]))
    return pd.DataFrame(
        {
            "start": times,
            "trough": times,
            "recovery": times,
            "depth": pd.Series(dtype=float),
            "length": spans,
            "to_trough": spans,
            "to_recover": spans,
        }
    )
