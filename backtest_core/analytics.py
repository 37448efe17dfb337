"""The old Compare page's helpers (LEAN's printed statistics side by side, parameter differences).

Single-curve helpers live in ``backtest_core.analysis``; these go when the Compare page moves onto it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from backtest_core.models.statistics import parse_statistic


def normalised(equity: pd.Series, start: float = 100.0) -> pd.Series:
    """The curve rescaled so that its first point equals ``start`` (for overlaying several runs)."""
    if equity.empty or equity.iloc[0] == 0:
        return equity
    return equity / equity.iloc[0] * start


# Whether a larger value of a statistic is better (True), worse (False); absent: not ranked.
HIGHER_IS_BETTER: dict[str, bool] = {
    "Net Profit": True,
    "Compounding Annual Return": True,
    "Sharpe Ratio": True,
    "Sortino Ratio": True,
    "Probabilistic Sharpe Ratio": True,
    "Win Rate": True,
    "Loss Rate": False,
    "Average Win": True,
    "Average Loss": True,
    "Profit-Loss Ratio": True,
    "Expectancy": True,
    "Alpha": True,
    "Information Ratio": True,
    "Treynor Ratio": True,
    "End Equity": True,
    "Drawdown": False,
    "Annual Standard Deviation": False,
    "Annual Variance": False,
    "Tracking Error": False,
    "Total Fees": False,
    "Drawdown Recovery": False,
}


def statistics_table(statistics: Mapping[str, Mapping[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Side-by-side statistics of several runs and, for each, where the best value of a row stands.

    ``statistics`` maps a column label (run) to LEAN's printed statistics. Returns ``(table, best)``: the
    printed strings (rows: statistic names in first-seen order) and a boolean frame marking the best cell of
    each rankable row (ties all marked; rows with fewer than two numbers unmarked).
    """
    names: list[str] = []
    for stats in statistics.values():
        names.extend(name for name in stats if name not in names)
    table = pd.DataFrame({label: [stats.get(name, "") for name in names] for label, stats in statistics.items()})
    table.index = pd.Index(names, name="Statistic")
    best = pd.DataFrame(False, index=table.index, columns=table.columns)
    for name in names:
        if name not in HIGHER_IS_BETTER:
            continue
        values = pd.Series({label: parse_statistic(table.at[name, label]) for label in table.columns}, dtype=float)
        if values.notna().sum() < 2:
            continue
        target = values.max() if HIGHER_IS_BETTER[name] else values.min()
        best.loc[name] = values == target
    return table, best


def parameter_diff(parameters: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The parameters whose values differ between runs (rows), one column per run; '' where absent."""
    keys = sorted({key for params in parameters.values() for key in params})
    rows = {
        key: [params.get(key, "") for params in parameters.values()]
        for key in keys
        if len({params.get(key, "") for params in parameters.values()}) > 1
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(parameters.keys()))
    frame.index.name = "Parameter"
    return frame


def common_start(curves: Sequence[pd.Series]) -> pd.Timestamp | None:
    """The latest first timestamp among the curves: where all of them have data."""
    starts = [curve.index[0] for curve in curves if not curve.empty]
    return max(starts) if starts else None
