"""Neighbourhood smoothing, stability and the plateau's best; the in-sample / out-of-sample table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from backtest_core.analysis.holdout import holdout_table, split_date
from backtest_core.analysis.robustness import axis_order, neighbourhood, robust_choice


def _grid(values: dict[tuple[int, int], float]) -> pd.DataFrame:
    rows = [{"id": f"{a}-{b}", "a": str(a), "b": str(b), "objective": v} for (a, b), v in values.items()]
    return pd.DataFrame(rows).set_index("id")


def test_a_spike_loses_to_a_plateau():
    # 3x4 grid: a lone spike of 3.0 at (1, 10) among zeros; a plateau of 2.0 around (3, 30)..(3, 40)
    values = {(a, b): 0.0 for a in (1, 2, 3) for b in (10, 20, 30, 40)}
    values[(1, 10)] = 3.0
    values.update({(2, 30): 2.0, (2, 40): 2.0, (3, 30): 2.0, (3, 40): 2.0})
    scored = neighbourhood(_grid(values), ["a", "b"], "objective", maximize=True)
    # the spike's neighbours are (1,20), (2,10), (2,20): all 0 → smoothed (3+0+0+0)/4, fall 3, stability 0
    assert scored.loc["1-10", "smoothed"] == pytest.approx(0.75)
    assert scored.loc["1-10", "fall"] == pytest.approx(3.0)
    assert scored.loc["1-10", "stability"] == pytest.approx(0.0)
    # (3,40): neighbours (2,30) (2,40) (3,30) all 2.0 → smoothed 2, fall 0, stability 1
    assert scored.loc["3-40", "smoothed"] == pytest.approx(2.0)
    assert scored.loc["3-40", "stability"] == pytest.approx(1.0)
    choice = robust_choice(scored, "objective", maximize=True)
    assert choice.raw_best == "1-10" and choice.plateau_best == "3-40"


def test_missing_cells_are_left_out_and_minimising_turns_the_fall_around():
    values = {(1, 10): 5.0, (1, 20): math.nan, (2, 10): 7.0, (2, 20): 9.0}
    scored = neighbourhood(_grid(values), ["a", "b"], "objective", maximize=False)
    assert math.isnan(scored.loc["1-20", "smoothed"])
    assert scored.loc["1-10", "smoothed"] == pytest.approx((5 + 7 + 9) / 3)
    assert scored.loc["1-10", "fall"] == pytest.approx(8.0 - 5.0)  # neighbours are 3 worse (higher) on average
    assert scored.loc["1-10", "stability"] == pytest.approx(1 - 3 / 4)
    assert robust_choice(scored, "objective", maximize=False).raw_best == "1-10"


def test_a_cell_whose_neighbours_all_failed_cannot_be_the_plateau():
    values = {(1, 10): 1.0, (1, 20): 1.1, (2, 10): 1.2, (3, 10): math.nan, (3, 20): math.nan, (4, 30): 9.0}
    values.update({(2, 20): math.nan, (3, 30): math.nan, (4, 20): math.nan, (4, 10): math.nan, (2, 30): math.nan})
    scored = neighbourhood(_grid(values), ["a", "b"], "objective", maximize=True)
    assert math.isnan(scored.loc["4-30", "smoothed"]) and math.isnan(scored.loc["4-30", "stability"])
    choice = robust_choice(scored, "objective", maximize=True)
    assert choice.raw_best == "4-30"
    assert choice.plateau_best in ("1-10", "1-20", "2-10")  # the three neighbours of each other, all smoothed to 1.1
    assert scored.loc["2-10", "smoothed"] == pytest.approx(1.1)


def test_axis_order_is_numeric_when_it_can_be():
    assert axis_order(pd.Series(["10", "5", "100"])) == ["5", "10", "100"]
    assert axis_order(pd.Series(["hour", "daily"])) == ["daily", "hour"]


def test_holdout_ranks_in_sample_and_reports_out_of_sample():
    days = pd.date_range("2020-01-01", periods=100, freq="D")
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.001, 100)
    good_then_bad = pd.Series(np.r_[np.full(80, 0.002), np.full(20, -0.002)] + noise, index=days)
    steady = pd.Series(0.001 + noise, index=days)
    table, split = holdout_table({"fader": good_then_bad, "steady": steady}, holdout=0.2)
    assert split.cut == days[80] and split.in_sample_days == 80 and split.out_of_sample_days == 20
    assert list(table.index) == ["fader", "steady"]  # best in-sample first
    assert table.loc["fader", "IS rank"] == 1 and table.loc["fader", "OOS rank"] == 2
    expected = ((1 + good_then_bad[80:]).prod() - 1) * 100
    assert table.loc["fader", "OOS return %"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="between 0 and 1"):
        split_date({"x": steady}, 1.5)


def test_a_tie_of_neighbourhoods_goes_to_the_better_cell():
    # a 2x3 grid from a real sweep: (5,20) and (9,20) share their neighbourhood {(5,20) (5,30) (9,20) (9,30)},
    # summed in another order (their means differ in the last bits); the plateau's best is the better of them
    values = {(5, 20): -0.222, (5, 30): 0.05, (9, 20): 0.572, (9, 30): 0.018, (5, 40): -0.5, (9, 40): -0.6}
    scored = neighbourhood(_grid(values), ["a", "b"], "objective", maximize=True)
    assert scored.loc["5-20", "smoothed"] == pytest.approx(scored.loc["9-20", "smoothed"])
    assert robust_choice(scored, "objective", maximize=True).plateau_best == "9-20"
    lowest = robust_choice(scored.assign(smoothed=-scored["smoothed"], objective=-scored["objective"]), "objective",
                           maximize=False)  # fmt: skip
    assert lowest.plateau_best == "9-20"
