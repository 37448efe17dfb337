"""LEAN's ARIMA (``Indicators/AutoRegressiveIntegratedMovingAverage.cs`` on ``TimeSeriesIndicator.cs``).

Each update fits the last ``period`` values again, newest first as LEAN's window holds them: differenced ``d``
times, an AR(p) least-squares fit without intercept, then (for q > 0) a fit of the AR lags and q lagged AR
residuals, with the intercept, both by MathNet's ``Fit.MultiDim`` with ``NormalEquations``: ``XᵀX`` and ``Xᵀy``
summed row by row, solved by the Cholesky factor of MathNet 5's managed provider (LEAN's MathNet.Numerics
5.0.0: column by column, each updating those right of it) and its forward and back substitutions, in its
order. The forecast is undifferenced and held as LEAN's decimal (15 significant digits). A fit that fails (a
matrix that is not positive definite) gives zero parameters, as LEAN's ``HandleExceptions``.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from backtest_core.engines.embedded.indicators.base import Indicator, name_and_numbers


class AutoRegressiveIntegratedMovingAverage(Indicator):
    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        ar_order, diff_order, ma_order, period = (int(value) for value in numbers[:4])
        intercept = bool(numbers[4]) if len(numbers) > 4 else True
        if ar_order < 0 or ma_order < 0:
            raise ValueError("AR/MA orders cannot be negative.")
        if ar_order == 0:
            raise ValueError("arOrder (p) must be greater than zero for all currently available fitting methods.")
        if period < max(ar_order, ma_order):
            raise ValueError("Period must exceed both arOrder and maOrder")
        self.ar_order, self.diff_order, self.ma_order, self.period = ar_order, diff_order, ma_order, period
        self.intercept_term = intercept
        self.warm_up_period = period
        super().__init__(name or f"ARIMA(({ar_order}, {diff_order}, {ma_order}), {period}, {intercept})")
        self._data: deque[float] = deque(maxlen=period)  # newest first
        self.ar_parameters: list[float] = []
        self.ma_parameters: list[float] = []
        self.intercept = 0.0
        self.ar_residual_error = self.ma_residual_error = 0.0
        self._residuals: list[float] = []

    def reset(self) -> None:
        super().reset()
        self._data.clear()

    def _next(self, point: float) -> float:
        self._data.appendleft(point)
        if len(self._data) < self.period:
            return 0.0
        series = list(self._data)
        heads: list[float] = []
        if self.diff_order > 0:
            series, heads = difference_series(self.diff_order, series)
        self._two_step_fit(series)
        total = 0.0
        for index in range(self.ar_order):
            total += self.ar_parameters[index] * series[index]
        for index in range(self.ma_order):
            total += self.ma_parameters[index] * self._residuals[self.ma_order + index + 1]
        total += self.intercept
        if self.diff_order > 0:
            total = inverse_differenced_series([total, *series], heads)[0]
        return float(format(total, ".15g"))  # LEAN's (decimal)summants

    def _two_step_fit(self, series: list[float]) -> None:
        self._residuals = []
        lags = lagged_series(self.ar_order, series)
        self._auto_regressive_step(lags, series)
        if self.ma_order > 0:
            self._moving_average_step(lags, series)

    def _auto_regressive_step(self, lags: list[list[float]], data: list[float]) -> None:
        p = self.ar_order
        fits = normal_equations(lags, data[p:], False)
        error = 0.0
        for index in range(len(data)):
            if index < p:
                self._residuals.append(0.0)
                continue
            residual = data[index] - _dot(lags[index - p], fits)
            error += residual**2
            self._residuals.append(residual)
        self.ar_residual_error = error / (len(data) - p - 1)
        if self.ma_order == 0:
            self.ar_parameters = fits

    def _moving_average_step(self, lags: list[list[float]], data: list[float]) -> None:
        p, q = self.ar_order, self.ma_order
        lagged_errors = lagged_series(q, self._residuals)
        rows = [lags[index] + lagged_errors[index] for index in range(len(lagged_errors))]
        fits = normal_equations(rows, data[q:], self.intercept_term)
        parameters = fits[1:] if self.intercept_term else fits
        error = 0.0
        for index in range(q, len(data)):
            residual = data[index] - _dot(rows[index - q], parameters)
            error += residual**2
        self.ma_residual_error = error / (len(data) - max(p, q) - 1)
        offset = 1 if self.intercept_term else 0
        self.ma_parameters = fits[offset + p :]
        self.ar_parameters = fits[offset : offset + p]
        if self.intercept_term:
            self.intercept = fits[0]

    ArParameters = property(lambda self: self.ar_parameters)
    MaParameters = property(lambda self: self.ma_parameters)
    Intercept = property(lambda self: self.intercept)


def _dot(row: list[float], vector: list[float]) -> float:
    total = 0.0
    for left, right in zip(row, vector, strict=False):
        total += left * right
    return total


def difference_series(order: int, series: list[float]) -> tuple[list[float], list[float]]:
    """``TimeSeriesIndicator.DifferenceSeries``: each pass keeps its last (oldest) value as a head."""
    heads = []
    for _ in range(order):
        heads.append(series[-1])
        series = [series[index] - series[index + 1] for index in range(len(series) - 1)]
    return series, heads


def inverse_differenced_series(series: list[float], heads: list[float]) -> list[float]:
    """``InverseDifferencedSeries``: the heads put back in their order (LEAN pops them off a stack made of the
    reversed heads), each followed by a reversed cumulative sum."""
    values = list(series)
    for head in heads:
        values.append(head)
        values.reverse()
        running, sums = 0.0, []
        for value in values:
            running += value
            sums.append(running)
        sums.reverse()
        values = sums
    return values


def lagged_series(p: int, series: list[float]) -> list[list[float]]:
    """``LaggedSeries``: for each t from p on, the values at t-1 ... t-p."""
    return [[series[t - j] for j in range(1, p + 1)] for t in range(p, len(series))]


def normal_equations(rows: list[list[float]], response: list[float], intercept: bool) -> list[float]:
    """MathNet's ``MultipleRegression.NormalEquations``: ``(XᵀX) b = Xᵀy`` by Cholesky; zeros when it fails."""
    if intercept:
        rows = [[1.0, *row] for row in rows]
    n = len(rows[0])
    a = [[0.0] * n for _ in range(n)]
    b = [0.0] * n
    for i in range(n):
        for j in range(n):
            total = 0.0
            for row in rows:
                total += row[i] * row[j]
            a[i][j] = total
        total = 0.0
        for row, y in zip(rows, response, strict=True):
            total += row[i] * y
        b[i] = total
    lower = [row[:] for row in a]  # MathNet's managed CholeskyFactor: column by column, updating those right of it
    for j in range(n):
        pivot = lower[j][j]
        if pivot <= 0.0:  # "Matrix must be positive definite": LEAN logs it and takes zeros
            return [0.0] * n
        pivot = math.sqrt(pivot)
        lower[j][j] = pivot
        for i in range(j + 1, n):
            lower[i][j] /= pivot
        for k in range(j + 1, n):
            for i in range(k, n):
                lower[i][k] -= lower[i][j] * lower[k][j]
    x = list(b)  # DoCholeskySolve: L y = b (the earlier terms taken off last first), then Lᵀ x = y
    for i in range(n):
        total = x[i]
        for k in range(i - 1, -1, -1):
            total -= lower[i][k] * x[k]
        x[i] = total / lower[i][i]
    for i in range(n - 1, -1, -1):
        total = x[i]
        for k in range(i + 1, n):
            total -= lower[k][i] * x[k]
        x[i] = total / lower[i][i]
    return x
