"""LEAN's momentum family: rate and percentage of change, momentum, RSI, MACD and the Stochastic."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from backtest_core.engines.embedded.indicators.averages import Sum, moving_average
from backtest_core.engines.embedded.indicators.base import (
    Indicator,
    MovingAverageType,
    StampedIndicator,
    name_and_numbers,
)
from backtest_core.engines.embedded.indicators.composite import Identity
from backtest_core.engines.embedded.indicators.extremes import Maximum, Minimum


class _Lookback(Indicator):
    """Compares the latest value with the one ``period`` updates back (the first value until there is one)."""

    label = ""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.warm_up_period = self.period + 1
        super().__init__(name or f"{self.label}({self.period})")
        self._values: deque[float] = deque()

    def _next(self, point: float) -> float:
        values = self._values
        values.append(point)
        past = values.popleft() if len(values) > self.period else values[0]
        return self._compare(point, past)

    def _compare(self, latest: float, past: float) -> float:
        raise NotImplementedError

    def _reset_state(self) -> None:
        self._values.clear()

    Period = property(lambda self: self.period)


class Momentum(_Lookback):
    label = "MOM"

    def _compare(self, latest: float, past: float) -> float:
        return latest - past


class RateOfChange(_Lookback):
    label = "ROC"

    def _compare(self, latest: float, past: float) -> float:
        return (latest - past) / past if past != 0 else 0.0


class RateOfChangePercent(RateOfChange):
    label = "ROCP"

    def _compare(self, latest: float, past: float) -> float:
        return 100 * super()._compare(latest, past)


class MomentumPercent(RateOfChangePercent):
    label = "MOMP"


class RelativeStrengthIndex(StampedIndicator):
    """Averages of gains and losses (Wilders by default); 100 while the average loss rounds to 0."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.moving_average_type = MovingAverageType(int(numbers[1]) if len(numbers) > 1 else 2)
        self.warm_up_period = self.period + 1
        name = name or f"RSI({self.period})"
        super().__init__(name)
        self.average_gain = moving_average(self.moving_average_type, self.period, name + "Up")
        self.average_loss = moving_average(self.moving_average_type, self.period, name + "Down")
        self._last: float | None = None

    def _next(self, point: float) -> float:
        last, stamp = self._last, self._stamp
        if last is not None:
            if point >= last:
                self.average_gain.accept(stamp, point - last)
                self.average_loss.accept(stamp, 0.0)
            else:
                self.average_gain.accept(stamp, 0.0)
                self.average_loss.accept(stamp, last - point)
        self._last = point
        loss = max(self.average_loss.current.value, 0.0)
        gain = max(self.average_gain.current.value, 0.0)
        if round(loss, 10) == 0:
            return 100.0
        return 100.0 - 100.0 / (1 + gain / loss)

    @property
    def is_ready(self) -> bool:
        return self.average_gain.is_ready and self.average_loss.is_ready

    def _reset_state(self) -> None:
        self._last = None
        self.average_gain.reset()
        self.average_loss.reset()

    AverageGain = property(lambda self: self.average_gain)
    AverageLoss = property(lambda self: self.average_loss)
    MovingAverageType = property(lambda self: self.moving_average_type)


class MovingAverageConvergenceDivergence(StampedIndicator):
    """Fast minus slow average; the signal averages it once both are ready, the histogram follows the signal."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        fast, slow, signal = (int(n) for n in numbers[:3])
        kind = MovingAverageType(int(numbers[3]) if len(numbers) > 3 else 1)
        if fast >= slow:
            raise ValueError("MovingAverageConvergenceDivergence: fastPeriod must be less than slowPeriod")
        self.warm_up_period = slow + signal - 1
        name = name or f"MACD({fast},{slow},{signal})"
        super().__init__(name)
        self.fast = moving_average(kind, fast, name + "_Fast")
        self.slow = moving_average(kind, slow, name + "_Slow")
        self.signal = moving_average(kind, signal, name + "_Signal")
        self.histogram = Identity(name + "_Histogram")

    def _next(self, point: float) -> float:
        stamp, fast, slow, signal = self._stamp, self.fast, self.slow, self.signal
        fast.accept(stamp, point)
        slow.accept(stamp, point)
        macd = fast.current.value - slow.current.value
        if fast.is_ready and slow.is_ready:
            signal.accept(stamp, macd)
            if signal.is_ready:
                self.histogram.accept(stamp, macd - signal.current.value)
        return macd

    @property
    def is_ready(self) -> bool:
        return self.signal.is_ready

    def _reset_state(self) -> None:
        for part in (self.fast, self.slow, self.signal, self.histogram):
            part.reset()

    Fast = property(lambda self: self.fast)
    Slow = property(lambda self: self.slow)
    Signal = property(lambda self: self.signal)
    Histogram = property(lambda self: self.histogram)


class _Line(Indicator):
    """A line a bar indicator computes itself (LEAN's FunctionalIndicator parts), ready when its source is."""

    def __init__(self, name: str, ready: Callable[[], bool]) -> None:
        super().__init__(name)
        self._ready = ready

    @property
    def is_ready(self) -> bool:
        return self._ready()

    def _next(self, point: float) -> float:
        return point


class Stochastic(StampedIndicator):
    """Fast %K from the ``period`` high and low, %K its ``k_period`` average, %D the ``d_period`` average of %K."""

    needs_bar = True

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        period, self.k_period, self.d_period = (int(n) for n in numbers[:3])
        self.warm_up_period = period + self.k_period + self.d_period - 2
        name = name or f"STO({period},{self.k_period},{self.d_period})"
        super().__init__(name)
        self._maximum = Maximum(name + "_Max", period)
        self._minimum = Minimum(name + "_Min", period)
        self._sum_fast_k = Sum(name + "_SumFastK", self.k_period)
        self._sum_slow_k = Sum(name + "_SumD", self.d_period)
        self.fast_stoch = _Line(name + "_FastStoch", lambda: self._maximum.is_ready)
        self.stoch_k = _Line(name + "_StochK", lambda: self._sum_fast_k.is_ready)
        self.stoch_d = _Line(name + "_StochD", lambda: self._sum_slow_k.is_ready)

    def _next(self, bar: Any) -> float:
        stamp = self._stamp
        self._maximum.accept(stamp, float(bar.high))
        self._minimum.accept(stamp, float(bar.low))
        fast = 0.0
        if self._maximum.is_ready:
            low = self._minimum.current.value
            spread = self._maximum.current.value - low
            if spread != 0:
                fast = (float(bar.close) - low) / spread
                self._sum_fast_k.accept(stamp, fast)
        self.fast_stoch.accept(stamp, fast * 100)
        k = 0.0
        if self._sum_fast_k.is_ready:
            k = self._sum_fast_k.current.value / self.k_period
            self._sum_slow_k.accept(stamp, k)
        self.stoch_k.accept(stamp, k * 100)
        d = self._sum_slow_k.current.value / self.d_period if self._sum_slow_k.is_ready else 0.0
        self.stoch_d.accept(stamp, d * 100)
        return self.fast_stoch.current.value

    @property
    def is_ready(self) -> bool:
        return self.fast_stoch.is_ready and self.stoch_k.is_ready and self.stoch_d.is_ready

    def _reset_state(self) -> None:
        for part in (self.fast_stoch, self.stoch_k, self.stoch_d, self._maximum, self._minimum,
                     self._sum_fast_k, self._sum_slow_k):  # fmt: skip
            part.reset()

    FastStoch = property(lambda self: self.fast_stoch)
    StochK = property(lambda self: self.stoch_k)
    StochD = property(lambda self: self.stoch_d)
