"""What the sweep page shows, shaped here so the page only draws: heatmap grids, top runs, equity fans.

Every function takes the report's table (one row per run or skipped combination; see ``summary``) and
returns frames. Cells with no objective keep a word for why: failed, zero trades, skipped, queued ...
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from backtest_core.analysis.returns import daily_equity
from backtest_core.analysis.robustness import axis_order
from backtest_core.sweeps.summary import SKIPPED, ZERO_TRADES

Aggregate = Literal["max", "mean", "median"]
FAN_FROM = 50  # runs; past this the overlay draws a median and interquartile band instead of every curve


def top_ids(table: pd.DataFrame, count: int, maximize: bool, column: str = "objective") -> list[str]:
    """The ``count`` best runs by ``column`` (runs without a value never count)."""
    ran = table[(table["status"] != SKIPPED) & table[column].notna()]
    return list(ran.sort_values(column, ascending=not maximize).index[:count])


def axis_values(table: pd.DataFrame, parameter: str) -> list[str]:
    """A parameter's values in grid order (for filters and held values)."""
    return axis_order(table[parameter])


def filter_table(table: pd.DataFrame, statuses: list[str], values: dict[str, list[str]]) -> pd.DataFrame:
    """Rows whose status is in ``statuses`` (all when empty) and whose parameters are among ``values``."""
    keep = pd.Series(True, index=table.index)
    if statuses:
        keep &= table["status"].isin(statuses)
    for name, chosen in values.items():
        if chosen:
            keep &= table[name].astype(str).isin(chosen)
    return table[keep]


def heatmap_grid(
    table: pd.DataFrame, x: str, y: str, how: Aggregate = "max", held: dict[str, str] | None = None,
    maximize: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Objective over the ``x``/``y`` pair: ``(values, labels)`` indexed by y, columned by x, in grid order.

    Parameters named in ``held`` are held at those values (other rows left out); the rest are aggregated by
    ``how`` over the runs that have an objective (``max`` means the best: the minimum when minimising). A
    cell without a value is labelled with why: its runs' status (``failed``, ``skipped``, ...), or ``no run``.
    """
    rows = table
    for name, value in (held or {}).items():
        rows = rows[rows[name].astype(str) == str(value)]
    xs, ys = axis_order(table[x]), axis_order(table[y])
    values = pd.DataFrame(np.nan, index=ys, columns=xs)
    labels = pd.DataFrame("no run", index=ys, columns=xs)
    for (y_value, x_value), cell in rows.groupby([rows[y].astype(str), rows[x].astype(str)]):
        objective = cell["objective"].dropna()
        if not objective.empty:
            value = (objective.max() if maximize else objective.min()) if how == "max" else getattr(objective, how)()
            values.loc[y_value, x_value] = value
            zero = (cell["status"] == ZERO_TRADES).all()
            labels.loc[y_value, x_value] = f"{value:.3g}" + (" (0 trades)" if zero else "")
        else:
            labels.loc[y_value, x_value] = " / ".join(sorted(set(cell["status"])))
    return values, labels


def series_by_value(table: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """One parameter against the objective: value, objective (NaN where none) and status, in grid order."""
    order = {value: index for index, value in enumerate(axis_order(table[parameter]))}
    frame = table[[parameter, "objective", "status"]].copy()
    frame["position"] = frame[parameter].astype(str).map(order)
    return frame.sort_values("position")


def normalised_equity(equity: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """Each run's daily equity rescaled to 100 at its first day."""
    curves = {}
    for run_id, curve in equity.items():
        daily = daily_equity(curve)
        if len(daily) and daily.iloc[0] != 0:
            curves[run_id] = daily / daily.iloc[0] * 100
    return curves


def equity_fan(curves: dict[str, pd.Series]) -> pd.DataFrame:
    """Median and interquartile band of normalised curves by day (columns q25, median, q75)."""
    frame = pd.DataFrame(curves).sort_index().ffill()
    return pd.DataFrame(
        {"q25": frame.quantile(0.25, axis=1), "median": frame.median(axis=1), "q75": frame.quantile(0.75, axis=1)}
    )
