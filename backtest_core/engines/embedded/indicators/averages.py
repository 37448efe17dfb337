"""LEAN's moving averages and rolling sum, with the batch computation (``precompute``) the engine uses for
automatic indicators: the same float operations in the same order as bar-by-bar updates, so bit-identical."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from backtest_core.engines.embedded.indicators.base import Indicator, MovingAverageType, name_and_numbers
from backtest_core.errors import UnsupportedApi


class _RollingSum(Indicator):
    """The sum of the last ``period`` values, added then the leaving value taken off (LEAN's ``Sum``)."""

    def __init__(self, name: str, period: int) -> None:
        self.period = int(period)
        if self.period < 1:
            raise ValueError(f"{type(self).__name__}: the period must be at least 1 (it is {period})")
        self.warm_up_period = self.period
        super().__init__(name)
        self._values: deque[float] = deque()
        self._sum = 0.0

    def _add(self, point: float) -> float:
        self._values.append(point)
        self._sum += point
        if len(self._values) > self.period:
            self._sum -= self._values.popleft()
        return self._sum

    def _reset_state(self) -> None:
        self._values.clear()
        self._sum = 0.0

    Period = property(lambda self: self.period)


class Sum(_RollingSum):
    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        super().__init__(name or f"SUM({int(numbers[0])})", numbers[0])

    def _next(self, point: float) -> float:
        return self._add(point)


class SimpleMovingAverage(_RollingSum):
    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        super().__init__(name or f"SMA({int(numbers[0])})", numbers[0])

    def _next(self, point: float) -> float:
        return self._add(point) / len(self._values)

    def precompute(self, inputs: np.ndarray) -> tuple[np.ndarray, Callable[[int], None]]:
        """Every value ``_next`` would give for ``inputs`` from a fresh start, with the same float operations in
        the same order: the running sum adds each input and then takes off the one leaving the window, so
        one sequential cumulative sum over the interleaved additions and subtractions reproduces it."""
        period, count = self.period, len(inputs)
        if count > period:
            steps = np.empty(2 * count - period)
            steps[:period] = inputs[:period]
            pairs = steps[period:].reshape(-1, 2)
            pairs[:, 0] = inputs[period:]
            pairs[:, 1] = -inputs[: count - period]
            running = np.cumsum(steps)
            sums = np.concatenate([running[:period], running[period + 1 :: 2]])
        else:
            sums = np.cumsum(inputs)
        values = sums / np.minimum(np.arange(1, count + 1), period)

        def restore(updates: int) -> None:
            self._values = deque(inputs[max(0, updates - period) : updates].tolist())
            self._sum = sums.item(updates - 1) if updates else 0.0

        return values, restore


class _Smoothed(Indicator):
    """An average that sums its first values (the seed) and then smooths: ``x·k + previous·(1−k)``."""

    seed_samples = 1  # the samples summed into the seed

    def _seeded(self, samples: int, seed: float) -> float:
        """The value while seeding."""
        raise NotImplementedError

    def _next(self, point: float) -> float:
        samples = self._samples
        if samples <= self.seed_samples:
            self._seed += point
            return self._seeded(samples, self._seed)
        return point * self.k + self.current.value * (1 - self.k)

    def _reset_state(self) -> None:
        self._seed = 0.0

    def precompute(self, inputs: np.ndarray) -> tuple[np.ndarray, Callable[[int], None]]:
        """Every value ``_next`` would give for ``inputs`` from a fresh start (same operations, same order)."""
        seeding, k, values = self.seed_samples, self.k, []
        seed = value = 0.0
        for samples, point in enumerate(inputs.tolist(), 1):
            if samples <= seeding:
                seed += point
                value = self._seeded(samples, seed)
            else:
                value = point * k + value * (1 - k)
            values.append(value)

        def restore(updates: int) -> None:
            self._seed = 0.0
            for point in inputs[: min(updates, seeding)].tolist():
                self._seed += point

        return np.array(values, dtype=float), restore

    Period = property(lambda self: self.period)


class ExponentialMovingAverage(_Smoothed):
    """LEAN's: 0 until ready, then the simple average of the first ``period`` values, then
    ``x·k + previous·(1−k)``."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.k = float(numbers[1]) if len(numbers) > 1 else 2.0 / (1 + self.period)
        self.warm_up_period = self.seed_samples = self.period
        label = f"EMA({self.period})" if len(numbers) == 1 else f"EMA({self.period},{numbers[1]})"
        super().__init__(name or label)
        self._seed = 0.0

    def _seeded(self, samples: int, seed: float) -> float:
        return seed / self.period if samples == self.period else 0.0


class WildersMovingAverage(_Smoothed):
    """LEAN's WilderMovingAverage: the simple average while fewer than ``period`` values came, then
    ``x/period + previous·(1 − 1/period)`` (from the ``period``-th value on)."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.k = 1.0 / self.period
        self.warm_up_period = self.period
        self.seed_samples = self.period - 1
        super().__init__(name or f"WWMA{self.period}")
        self._seed = 0.0

    def _seeded(self, samples: int, seed: float) -> float:
        return seed / samples


AVERAGES: dict[int, type[Indicator]] = {
    MovingAverageType.SIMPLE: SimpleMovingAverage,
    MovingAverageType.EXPONENTIAL: ExponentialMovingAverage,
    MovingAverageType.WILDERS: WildersMovingAverage,
}


def moving_average(kind: Any, period: int, name: str | None = None) -> Indicator:
    """LEAN's ``MovingAverageType.AsIndicator(name, period)`` for the averages this engine has."""
    maker = AVERAGES.get(int(kind))
    if maker is None:
        raise UnsupportedApi(f"MovingAverageType.{MovingAverageType(int(kind)).name}")
    return maker(name, int(period)) if name else maker(int(period))
