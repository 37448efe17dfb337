"""LEAN's dispersion indicators: variance, standard deviation, Bollinger Bands, true range and its average."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from backtest_core.engines.embedded.indicators.averages import moving_average
from backtest_core.engines.embedded.indicators.base import (
    Indicator,
    MovingAverageType,
    StampedIndicator,
    name_and_numbers,
)
from backtest_core.engines.embedded.indicators.composite import ConstantIndicator, Identity, IndicatorExtensions


class Variance(Indicator):
    """Population variance of the last ``period`` values, with LEAN's running sums: the mean of this update
    is taken before the oldest value of the full window is taken off (0 for the first value)."""

    label = "VAR"

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.warm_up_period = self.period
        super().__init__(name or f"{self.label}({self.period})")
        self._values: deque[float] = deque(maxlen=self.period)  # newest first, as LEAN's window
        self._sum = self._squares = 0.0

    def _variance(self, point: float) -> float:
        self._values.appendleft(point)
        self._sum += point
        self._squares += point * point
        if self._samples < 2:
            return 0.0
        count = min(self.period, self._samples)
        mean, mean_of_squares = self._sum / count, self._squares / count
        if count == self.period:
            removed = self._values[self.period - 1]
            self._sum -= removed
            self._squares -= removed * removed
        return max(0.0, mean_of_squares - mean * mean)

    def _next(self, point: float) -> float:
        return self._variance(point)

    def _reset_state(self) -> None:
        self._values.clear()
        self._sum = self._squares = 0.0

    Period = property(lambda self: self.period)


class StandardDeviation(Variance):
    label = "STD"

    def _next(self, point: float) -> float:
        return math.sqrt(self._variance(point))


class BollingerBands(StampedIndicator):
    """LEAN's bands as composites of the middle average and the deviation; its own value is the price."""

    def __init__(self, *args: Any) -> None:
        """``(period, k, moving_average_type=SIMPLE)``, optionally after a name, as LEAN's constructors."""
        name, numbers = name_and_numbers(args)
        period, k, kind = (*numbers, MovingAverageType.SIMPLE)[:3]
        self.period, self.k = int(period), float(k)
        self.moving_average_type = MovingAverageType(int(kind))
        self.warm_up_period = self.period
        name = name or f"BB({self.period},{_decimal_text(k)})"
        super().__init__(name)
        extend = IndicatorExtensions
        self.standard_deviation = StandardDeviation(name + "_StandardDeviation", self.period)
        self.middle_band = moving_average(self.moving_average_type, self.period, name + "_MiddleBand")
        self.lower_band = extend.minus(self.middle_band, extend.times(self.standard_deviation, self.k),
                                       name + "_LowerBand")  # fmt: skip
        self.upper_band = extend.plus(self.middle_band, extend.times(self.standard_deviation, self.k),
                                      name + "_UpperBand")  # fmt: skip
        width = extend.minus(self.upper_band, self.lower_band)
        self.band_width = extend.times(extend.over(width, self.middle_band), ConstantIndicator("ct", 100.0),
                                       name + "_BandWidth")  # fmt: skip
        self.price = Identity(name + "_Close")
        self.percent_b = extend.over(extend.minus(self.price, self.lower_band), width, name + "_%B")

    def _next(self, point: float) -> float | None:
        stamp = self._stamp
        self.standard_deviation.accept(stamp, point)
        self.middle_band.accept(stamp, point)
        self.price.accept(stamp, point)
        if self.is_ready and self.standard_deviation.current.value == 0:
            return None  # LEAN's MathError: %B could not update, so the bands do not emit
        return point

    @property
    def is_ready(self) -> bool:
        return all(line.is_ready for line in (self.middle_band, self.upper_band, self.lower_band,
                                              self.band_width, self.percent_b))  # fmt: skip

    def _reset_state(self) -> None:
        for line in (self.standard_deviation, self.middle_band, self.upper_band, self.lower_band,
                     self.band_width, self.percent_b):  # fmt: skip
            line.reset()

    MiddleBand = property(lambda self: self.middle_band)
    UpperBand = property(lambda self: self.upper_band)
    LowerBand = property(lambda self: self.lower_band)
    StandardDeviation = property(lambda self: self.standard_deviation)
    BandWidth = property(lambda self: self.band_width)
    PercentB = property(lambda self: self.percent_b)
    Price = property(lambda self: self.price)
    MovingAverageType = property(lambda self: self.moving_average_type)


class TrueRange(Indicator):
    """The greatest of the bar's range and its distances from the previous close; ready after two bars."""

    needs_bar = True
    warm_up_period = 2

    def __init__(self, name: str = "TR") -> None:
        super().__init__(name)
        self._previous_close: float | None = None

    def _next(self, bar: Any) -> float:
        high, low = float(bar.high), float(bar.low)
        greatest = high - low
        previous = self._previous_close
        if self._samples > 1 and previous is not None:
            greatest = max(greatest, abs(previous - high), abs(previous - low))
        self._previous_close = float(bar.close)
        return greatest

    def _reset_state(self) -> None:
        self._previous_close = None


class AverageTrueRange(StampedIndicator):
    """The true range smoothed by a moving average (Wilders by default), updated with every true range."""

    needs_bar = True

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.moving_average_type = MovingAverageType(int(numbers[1]) if len(numbers) > 1 else 2)
        self.warm_up_period = self.period
        name = name or f"ATR({self.period})"
        super().__init__(name)
        self.true_range = TrueRange(name)
        kind_name = _pascal_enum(self.moving_average_type)
        self._smoother = IndicatorExtensions.of(
            moving_average(self.moving_average_type, self.period, f"{name}_{kind_name}"), self.true_range, False
        )

    def _next(self, bar: Any) -> float:
        self.true_range.accept(self._stamp, bar)
        return self._smoother.current.value

    @property
    def is_ready(self) -> bool:
        return self._smoother.is_ready

    def _reset_state(self) -> None:
        self._smoother.reset()
        self.true_range.reset()

    TrueRange = property(lambda self: self.true_range)
    MovingAverageType = property(lambda self: self.moving_average_type)


def _pascal_enum(kind: MovingAverageType) -> str:
    return "".join(part.capitalize() for part in kind.name.split("_"))


def _decimal_text(value: Any) -> str:
    """How LEAN prints a decimal parameter in a name: ``2`` for an int, ``2.5`` for a float."""
    return str(value)
