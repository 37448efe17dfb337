"""Deflated Sharpe Ratio and PBO (CSCV) against the papers' worked example and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from backtest_core.analysis.selection_bias import (
    deflated_sharpe_of_best,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probability_of_backtest_overfitting,
    sharpe_ratio,
)


def test_deflated_sharpe_matches_the_papers_numerical_example():
    # Bailey & López de Prado (2014), section "A numerical example": annualised SR 2.5 over 5 years of daily
    # returns (T = 1250), skewness -3, kurtosis 10, N = 100 trials whose annualised SR have variance 0.5.
    # The paper finds SR0 ≈ 0.1132 (per day) and DSR ≈ 0.9004.
    result = deflated_sharpe_ratio(2.5 / math.sqrt(250), 1250, -3.0, 10.0, 100, 0.5 / 250)
    assert result.expected_max_sharpe == pytest.approx(0.1132, abs=5e-5)
    assert result.dsr == pytest.approx(0.9004, abs=5e-4)


def test_expected_maximum_by_hand():
    # sqrt(0.002) * (0.42278 * z(0.99) + 0.57722 * z(1 - 1/(100 e))) with z(0.99) = 2.32635, z(0.99632) = 2.68021
    by_hand = math.sqrt(0.002) * ((1 - 0.5772157) * 2.326348 + 0.5772157 * 2.680210)
    assert expected_max_sharpe(100, 0.002) == pytest.approx(by_hand, rel=1e-5)
    assert expected_max_sharpe(1, 0.002) == 0.0  # one trial: nothing selected, no deflation


def test_more_trials_deflate_more():
    few = deflated_sharpe_ratio(0.1, 1000, 0.0, 3.0, 5, 0.001)
    many = deflated_sharpe_ratio(0.1, 1000, 0.0, 3.0, 500, 0.001)
    assert many.dsr < few.dsr


def test_deflated_sharpe_of_best_states_its_inputs():
    rng = np.random.default_rng(3)
    returns = {f"r{i}": pd.Series(rng.normal(0.0005 * i, 0.01, 500)) for i in range(5)}
    result = deflated_sharpe_of_best(returns, "r4")
    sharpes = [sharpe_ratio(series) for series in returns.values()]
    assert result.trials == 5 and result.observations == 500
    assert result.best_sharpe == pytest.approx(sharpe_ratio(returns["r4"]))
    assert result.sharpe_variance == pytest.approx(np.var(sharpes, ddof=1))
    assert result.skewness == pytest.approx(stats.skew(returns["r4"]))
    assert result.kurtosis == pytest.approx(stats.kurtosis(returns["r4"], fisher=False))
    assert 0.0 <= result.dsr <= 1.0


def _two_blocks(first: list[float], second: list[float]) -> list[float]:
    return first + second


def test_pbo_is_one_when_the_in_sample_winner_always_loses_out_of_sample():
    # S = 2 blocks of 2 days. A is good in block 1 and bad in block 2, B the other way round: whichever block is
    # in-sample, its winner ranks last out of sample: ω = 1/3, λ = ln(1/2) < 0 in both splits.
    frame = pd.DataFrame(
        {"A": _two_blocks([0.02, 0.01], [-0.01, -0.02]), "B": _two_blocks([-0.01, -0.02], [0.02, 0.01])}
    )
    result = probability_of_backtest_overfitting(frame, blocks=2)
    assert result.combinations == 2 and result.blocks == 2
    assert result.logits == pytest.approx([math.log(0.5), math.log(0.5)])
    assert result.pbo == 1.0


def test_pbo_is_zero_when_one_trial_wins_everywhere():
    frame = pd.DataFrame({"A": _two_blocks([0.02, 0.01], [0.03, 0.01]), "B": _two_blocks([-0.01, 0.0], [0.0, -0.01])})
    result = probability_of_backtest_overfitting(frame, blocks=2)
    assert result.logits == pytest.approx([math.log(2.0), math.log(2.0)])  # ω = 2/3
    assert result.pbo == 0.0


def test_pbo_by_hand_with_four_blocks_and_three_trials():
    # Blocks of 2 days [m + 0.01, m - 0.01], m in thousandths: A = 2,2,0,0  B = 0,0,2,2  C = 1,1,1,1.
    # Splits (in-sample blocks) in itertools order; C has the least spread whenever means tie:
    # {0,1}: A best (mean 2); out of sample {2,3}: A 0, B 2, C 1 → A ranks 1 of 3, ω = 1/4 → λ = ln(1/3)
    # {0,2} {0,3} {1,2} {1,3}: A and B average 1 with a spread of means, C 1 without → C best; out of sample
    #        again A and B average 1 with spread, C 1 without → C ranks 3, ω = 3/4 → λ = ln 3
    # {2,3}: B best; out of sample {0,1}: B 0 → ω = 1/4 → λ = ln(1/3).  PBO = 2/6.
    means = {"A": [2, 2, 0, 0], "B": [0, 0, 2, 2], "C": [1, 1, 1, 1]}
    columns = {name: [v for m in ms for v in (m / 1000 + 0.01, m / 1000 - 0.01)] for name, ms in means.items()}
    result = probability_of_backtest_overfitting(pd.DataFrame(columns), blocks=4)
    third, three = math.log(1 / 3), math.log(3)
    assert result.combinations == 6
    assert result.logits == pytest.approx([third, three, three, three, three, third])
    assert result.pbo == pytest.approx(1 / 3)


def test_pbo_of_pure_noise_is_near_one_half():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(0, 0.01, size=(800, 20)))
    result = probability_of_backtest_overfitting(frame, blocks=10)
    assert result.combinations == math.comb(10, 5)
    assert 0.25 < result.pbo < 0.75


def test_pbo_refuses_too_little_data():
    with pytest.raises(ValueError, match="at least 2 trials"):
        probability_of_backtest_overfitting(pd.DataFrame({"A": [0.01] * 10}))
    with pytest.raises(ValueError, match="at least 4 common days"):
        probability_of_backtest_overfitting(pd.DataFrame({"A": [0.01, 0.02, 0.0], "B": [0.0, 0.01, 0.02]}))
