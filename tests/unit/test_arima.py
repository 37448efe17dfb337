"""LEAN's ARIMA indicator: MathNet's normal equations solve least squares, differencing inverts, and the forecast
of a series that grows by a constant step is the next step (checked against numpy, independently)."""

from __future__ import annotations

import numpy as np
import pytest

from backtest_core.engines.embedded.indicators import AutoRegressiveIntegratedMovingAverage
from backtest_core.engines.embedded.indicators.time_series import (
    difference_series,
    inverse_differenced_series,
    lagged_series,
    normal_equations,
)


def test_normal_equations_give_the_least_squares_fit() -> None:
    generator = np.random.default_rng(7)
    design = generator.normal(size=(40, 2))
    response = design @ np.array([0.5, -2.0]) + 3.0 + generator.normal(scale=0.1, size=40)
    expected, *_ = np.linalg.lstsq(np.column_stack([np.ones(40), design]), response, rcond=None)
    fitted = normal_equations(design.tolist(), response.tolist(), True)
    assert fitted == pytest.approx(expected.tolist(), rel=1e-9)
    assert normal_equations([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], [1.0, 2.0, 3.0], False) == [0.0, 0.0]  # singular


def test_differencing_keeps_the_oldest_value_and_inverts() -> None:
    series = [5.0, 3.0, 4.0, 1.0]  # newest first, as LEAN's window
    diffs, heads = difference_series(1, series)
    assert (diffs, heads) == ([2.0, -1.0, 3.0], [1.0])
    assert inverse_differenced_series(diffs, heads) == series
    assert lagged_series(1, [3.0, 2.0, 1.0]) == [[3.0], [2.0]]  # for each t from p on: the value at t - 1


def test_arima_is_zero_until_ready_then_continues_a_constant_step() -> None:
    arima = AutoRegressiveIntegratedMovingAverage("ARIMA", 1, 1, 0, 10)
    for step in range(9):
        arima.update(np.datetime64("2020-01-01"), 100.0 + 2.0 * step)
        assert arima.current.value == 0.0 and not arima.is_ready
    arima.update(np.datetime64("2020-01-02"), 118.0)
    assert arima.is_ready
    assert arima.current.value == pytest.approx(120.0)
    assert arima.ar_parameters == pytest.approx([1.0])


def test_arima_checks_its_orders_as_lean_does() -> None:
    with pytest.raises(ValueError, match="arOrder"):
        AutoRegressiveIntegratedMovingAverage(0, 1, 1, 10)
    with pytest.raises(ValueError, match="Period must exceed"):
        AutoRegressiveIntegratedMovingAverage(3, 1, 1, 2)
