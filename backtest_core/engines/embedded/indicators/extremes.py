"""LEAN's Maximum and Minimum over a window, with the periods since the extreme."""

from __future__ import annotations

from collections import deque
from typing import Any

from backtest_core.engines.embedded.indicators.base import Indicator, name_and_numbers


class _Extreme(Indicator):
    """The extreme of the last ``period`` values: kept while it stays in the window, searched again (newest
    first, the newest of equal values winning) once it leaves."""

    label = ""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        if self.period < 1:
            raise ValueError(f"{type(self).__name__}: the period must be at least 1 (it is {self.period})")
        self.warm_up_period = self.period
        super().__init__(name or f"{self.label}({self.period})")
        self._values: deque[float] = deque(maxlen=self.period)  # newest first
        self.periods_since = 0

    def _next(self, point: float) -> float:
        self._values.appendleft(point)
        if self._samples == 1 or self._beats(point, self.current.value):
            self.periods_since = 0
            return point
        if self.periods_since >= self.period - 1:
            best = 0
            for index, value in enumerate(self._values):
                if self._beats_strictly(value, self._values[best]):
                    best = index
            self.periods_since = best
            return self._values[best]
        self.periods_since += 1
        return self.current.value

    def _beats(self, value: float, other: float) -> bool:
        raise NotImplementedError

    def _beats_strictly(self, value: float, other: float) -> bool:
        raise NotImplementedError

    def _reset_state(self) -> None:
        self._values.clear()
        self.periods_since = 0

    Period = property(lambda self: self.period)


class Maximum(_Extreme):
    label = "MAX"

    def _beats(self, value: float, other: float) -> bool:
        return value >= other

    def _beats_strictly(self, value: float, other: float) -> bool:
        return value > other

    PeriodsSinceMaximum = periods_since_maximum = property(lambda self: self.periods_since)


class Minimum(_Extreme):
    label = "MIN"

    def _beats(self, value: float, other: float) -> bool:
        return value <= other

    def _beats_strictly(self, value: float, other: float) -> bool:
        return value < other

    PeriodsSinceMinimum = periods_since_minimum = property(lambda self: self.periods_since)
