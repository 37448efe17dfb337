"""What the sweep page draws from: heatmap cells (aggregated or held), the 1-parameter line, the equity fan."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from backtest_core.sweeps.charts import FAN_GROUPS, equity_overlay_figure, heatmap_figure, objective_line_figure
from backtest_core.sweeps.summary import SKIPPED, ZERO_TRADES
from backtest_core.sweeps.views import heatmap_grid, series_by_value, top_ids


def _table(rows: list[tuple[str, str, str, str, float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["fast", "slow", "lag", "status", "objective"])
    frame["id"] = [f"r{i}" for i in range(len(frame))]
    frame["objective"] = pd.to_numeric(frame["objective"])
    return frame.set_index("id", drop=False)


# fast x slow, with lag 1 and 2 under each cell; (10, 20) failed in both lags, (20, 20) skipped by a constraint
TABLE = _table(
    [
        ("5", "20", "1", "completed", 1.0), ("5", "20", "2", "completed", 3.0),
        ("5", "40", "1", "completed", 2.0), ("5", "40", "2", ZERO_TRADES, 0.0),
        ("10", "20", "1", "failed", None), ("10", "20", "2", "failed", None),
        ("10", "40", "1", "completed", -1.0), ("10", "40", "2", "completed", 5.0),
        ("20", "40", "1", "completed", 4.0), ("20", "40", "2", "cancelled", None),
        ("20", "20", "1", SKIPPED, None), ("20", "20", "2", SKIPPED, None),
    ]
)  # fmt: skip


def test_the_other_parameter_aggregated_by_best_mean_and_median():
    best, labels = heatmap_grid(TABLE, "fast", "slow", "max")
    assert list(best.columns) == ["5", "10", "20"] and list(best.index) == ["20", "40"]  # grid order, not text
    assert best.loc["20", "5"] == 3.0 and best.loc["40", "10"] == 5.0 and best.loc["40", "20"] == 4.0
    mean, _ = heatmap_grid(TABLE, "fast", "slow", "mean")
    assert mean.loc["20", "5"] == 2.0 and mean.loc["40", "5"] == 1.0 and mean.loc["40", "20"] == 4.0
    median, _ = heatmap_grid(TABLE, "fast", "slow", "median")
    assert median.loc["40", "10"] == 2.0
    assert labels.loc["20", "10"] == "failed" and labels.loc["20", "20"] == SKIPPED
    assert labels.loc["20", "5"] == "3"


def test_best_means_the_minimum_when_minimising():
    lowest, _ = heatmap_grid(TABLE, "fast", "slow", "max", maximize=False)
    assert lowest.loc["20", "5"] == 1.0 and lowest.loc["40", "10"] == -1.0


def test_the_other_parameter_held_at_a_value():
    held, labels = heatmap_grid(TABLE, "fast", "slow", "max", held={"lag": "2"})
    assert held.loc["40", "5"] == 0.0 and labels.loc["40", "5"] == "0 (0 trades)"
    assert math.isnan(held.loc["40", "20"]) and labels.loc["40", "20"] == "cancelled"
    assert held.loc["40", "10"] == 5.0


def test_missing_cells_are_coloured_by_why_and_carry_only_their_own_word():
    values, labels = heatmap_grid(TABLE, "fast", "slow", "max", held={"lag": "2"})
    figure = heatmap_figure(values, labels, "fast", "slow", "Sharpe Ratio", best=("10", "40"), others="lag=2")
    valued, missing = figure.data
    assert missing.text[0].tolist() == ["", "failed", SKIPPED] and missing.text[1].tolist() == ["", "", "cancelled"]
    assert missing.z[0].tolist()[1:] == [0.0, 1.0] and missing.z[1][2] == 2.0  # failed, skipped, other colours
    assert math.isnan(missing.z[0][0]) and valued.text[1].tolist() == ["0 (0 trades)", "5", "cancelled"]
    (outline,) = figure.layout.shapes
    assert (outline.x0 + outline.x1) / 2 == pytest.approx(1) and (outline.y0 + outline.y1) / 2 == pytest.approx(1)
    assert figure.layout.title.text == "Sharpe Ratio: slow by fast (lag=2) · outlined: the best run"
    assert not valued.reversescale  # brighter is better: the scale turns round when minimising
    assert heatmap_figure(values, labels, "fast", "slow", "Drawdown", maximize=False).data[0].reversescale


def test_top_ids_skip_runs_without_a_value():
    assert top_ids(TABLE, 3, maximize=True) == ["r7", "r8", "r1"]
    assert top_ids(TABLE, 2, maximize=False) == ["r6", "r3"]


def test_the_line_breaks_where_a_value_has_no_objective_and_names_why():
    table = _table(
        [
            ("5", "", "", "completed", 1.0), ("9", "", "", "completed", 2.0), ("13", "", "", "failed", None),
            ("17", "", "", ZERO_TRADES, 0.0), ("21", "", "", "completed", 1.5),
        ]
    )  # fmt: skip
    figure = objective_line_figure(series_by_value(table, "fast"), "fast", "Sharpe Ratio")
    line = figure.data[0]
    assert list(line.x) == ["5", "9", "13", "17", "21"] and math.isnan(line.y[2])  # a gap, not a zero
    zero = next(trace for trace in figure.data if trace.name == ZERO_TRADES)
    assert list(zero.x) == ["17"] and list(zero.y) == [0.0]
    (shade,) = figure.layout.shapes
    assert (shade.x0, shade.x1) == pytest.approx((1.55, 2.45))  # the third category, "13"
    assert [a.text for a in figure.layout.annotations] == ["failed"]


def _curves(count: int) -> tuple[dict[str, pd.Series], dict[str, str]]:
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    rng = np.random.default_rng(1)
    curves = {f"r{i}": pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, 30)), index=days) for i in range(count)}
    return curves, {run_id: str(5 * (i % 3 + 1)) for i, run_id in enumerate(curves)}


def test_every_run_drawn_in_its_values_colour_below_the_fan_threshold():
    curves, colour = _curves(6)
    figure = equity_overlay_figure(curves, colour, "fast", "r0", fan_from=50)
    lines = [trace for trace in figure.data if not trace.name.startswith("best")]
    assert len(lines) == 6
    by_value = {trace.name: trace.line.color for trace in lines}
    assert sorted(by_value) == ["fast=10", "fast=15", "fast=5"] and len(set(by_value.values())) == 3
    assert figure.data[-1].name == "best (fast=5)" and figure.data[-1].line.color not in by_value.values()


def test_past_the_threshold_a_band_and_one_median_per_value_in_its_colour():
    curves, colour = _curves(60)
    figure = equity_overlay_figure(curves, colour, "fast", "r0", fan_from=50)
    medians = [trace for trace in figure.data if "median of" in (trace.name or "")]
    assert [trace.name for trace in medians] == [
        "fast=5: median of 20",
        "fast=10: median of 20",
        "fast=15: median of 20",
    ]
    assert len({trace.line.color for trace in medians}) == 3
    fives = pd.DataFrame({k: v for k, v in curves.items() if colour[k] == "5"})
    assert list(medians[0].y) == pytest.approx(list(fives.median(axis=1)))
    assert len(figure.data) == 2 + 3 + 1  # band edges, three medians, the best


def test_many_values_share_median_lines_in_contiguous_groups():
    curves, _ = _curves(60)
    colour = {run_id: str(i % 20 + 1) for i, run_id in enumerate(curves)}  # 20 values, 3 runs each
    figure = equity_overlay_figure(curves, colour, "fast", None, fan_from=50)
    medians = [trace.name for trace in figure.data if "median of" in (trace.name or "")]
    assert len(medians) == FAN_GROUPS == 8
    assert (
        medians[0] == "fast 1 to 3: median of 9" and medians[-1] == "fast 19 to 20: median of 6"
    )  # groups of 3, 3, 3, 3, 2, 2, 2, 2
