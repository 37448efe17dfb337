"""Ledoit & Wolf's Sharpe-difference test and the mean-difference interval, checked against formulas and arch."""

import math

import numpy as np
import pytest
from arch.bootstrap import CircularBlockBootstrap

from backtest_core.analysis import significance


def _pair(size: int, edge: float, seed: int = 3, correlation: float = 0.85) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 0.01, size)
    noise = math.sqrt(1 / correlation - 1) * 0.01
    return edge + common + rng.normal(0, noise, size), common + rng.normal(0, noise, size)


def test_standard_error_matches_the_iid_normal_formula():
    """For iid normal returns the delta-method variance of the Sharpe difference is known in closed form
    (Jobson & Korkie 1981 as corrected by Memmel 2003); the HAC error must come close to it."""
    a, b = _pair(5000, 0.0004, seed=11)
    result = significance.sharpe_difference_test(a, b, periods_per_year=1, reps=199)
    sa, sb = a.mean() / a.std(), b.mean() / b.std()
    rho = np.corrcoef(a, b)[0, 1]
    memmel = math.sqrt((2 - 2 * rho + 0.5 * (sa**2 + sb**2 - 2 * sa * sb * rho**2)) / len(a))
    assert result.standard_error == pytest.approx(memmel, rel=0.1)
    assert result.difference == pytest.approx(sa - sb)
    assert result.sharpe_a == pytest.approx(sa) and result.sharpe_b == pytest.approx(sb)


def test_a_clear_edge_is_significant_and_its_interval_excludes_zero():
    a, b = _pair(756, 0.001)
    test = significance.compare_pair(a, b, 252, labels=("fast", "slow"))
    assert test.verdict == "significant" and "fast has the higher Sharpe ratio" in test.message
    low, high = test.sharpe.ci
    assert 0 < low < test.sharpe.difference < high
    assert test.sharpe.p_value < 0.01
    assert test.mean.ci[0] > 0


def test_two_draws_of_the_same_process_are_not_told_apart():
    a, b = _pair(504, 0.0, seed=5)
    test = significance.compare_pair(a, b, 252)
    assert test.verdict == "not significant" and "no winner" in test.message
    assert test.sharpe.ci[0] < 0 < test.sharpe.ci[1]


def test_identical_returns_have_no_difference_and_p_one():
    a, _ = _pair(300, 0.0005)
    result = significance.sharpe_difference_test(a, a.copy(), 252, reps=99)
    assert result.difference == 0 and result.p_value == 1.0


def test_too_short_and_flat_windows_say_so():
    a, b = _pair(40, 0.001)
    assert significance.compare_pair(a, b, 252).verdict == "too short"
    assert "Too short to tell: 40 paired trading days" in significance.compare_pair(a, b, 252).message
    flat = significance.compare_pair(np.zeros(100), _pair(100, 0.0)[1], 252, labels=("cash", "spy"))
    assert flat.verdict == "no variation" and "cash" in flat.message


def test_mean_difference_interval_is_arch_percentile_interval():
    a, b = _pair(400, 0.0005, seed=8)
    mine = significance.mean_difference_interval(a, b, reps=500, seed=42)
    reference = CircularBlockBootstrap(mine.block_size, a - b, seed=42).conf_int(np.mean, reps=500, method="percentile")
    assert mine.ci == pytest.approx((reference[0, 0], reference[1, 0]))
    assert mine.difference == pytest.approx(np.mean(a - b))


def test_bootstrap_rows_are_arch_circular_blocks():
    rows = significance.bootstrap_indices(50, 5, 20, "circular", seed=1)
    steps = np.diff(rows, axis=1) % 50
    # within a block consecutive indices follow each other (wrapping around the end)
    assert (steps == 1).mean() >= 0.75
    assert rows.shape == (20, 50) and rows.min() >= 0 and rows.max() < 50


def test_block_size_grows_with_dependence():
    rng = np.random.default_rng(2)
    noise = rng.normal(size=2000)
    persistent = np.convolve(noise, np.ones(20) / 20, mode="same")
    assert significance.block_size(noise[:, None]) < significance.block_size(persistent[:, None])


@pytest.mark.slow
def test_size_under_the_null_is_near_the_level():
    """Under equal Sharpe ratios a 5% test rejects about 5% of the time (here 200 draws, loose bounds)."""
    rejections = 0
    for seed in range(200):
        a, b = _pair(250, 0.0, seed=1000 + seed)
        rejections += significance.sharpe_difference_test(a, b, 252, reps=199).p_value < 0.05
    assert 2 <= rejections <= 24
