"""Indicators made of indicators, as LEAN's: Identity, Delay, constants, functional and composite indicators,
and ``IndicatorExtensions`` (``of``, ``plus``, ``minus``, ``times``, ``over``, ``weighted_by`` and the average
of another indicator). A composite follows its parts through their Updated events, so they run bar by bar."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backtest_core.engines.embedded.indicators.averages import ExponentialMovingAverage, SimpleMovingAverage, Sum
from backtest_core.engines.embedded.indicators.base import (
    MIN_TIME,
    Indicator,
    IndicatorDataPoint,
    IndicatorResult,
    IndicatorStatus,
    name_and_numbers,
)
from backtest_core.engines.embedded.indicators.extremes import Maximum, Minimum


class Identity(Indicator):
    """The input value itself; ready after one."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)

    def _next(self, point: float) -> float:
        return point


class WindowIdentity(Identity):
    """The input value; ready once ``period`` came (LEAN's WindowIdentity)."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.warm_up_period = self.period
        super().__init__(name or f"WIN-ID{self.period}")


class Delay(Indicator):
    """The value ``period`` updates back; the first value until then (LEAN's Delay)."""

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        if self.period < 1:
            raise ValueError(f"Delay: the period must be at least 1 (it is {self.period})")
        self.warm_up_period = self.period + 1
        super().__init__(name or f"DELAY({self.period})")
        self._values: deque[float] = deque()

    def _next(self, point: float) -> float:
        values = self._values
        values.append(point)
        if len(values) > self.period:
            return values.popleft()  # the one leaving the window: ``period`` updates back
        return values[0]

    def _reset_state(self) -> None:
        self._values.clear()

    Period = property(lambda self: self.period)


class ConstantIndicator(Indicator):
    """Always the same value, and always ready."""

    provides_warm_up = False  # LEAN's class has no warm-up period to warm it up with

    def __init__(self, name: str, value: float) -> None:
        super().__init__(name)
        self._value = float(value)
        self.current = IndicatorDataPoint(MIN_TIME, self._value)

    @property
    def is_ready(self) -> bool:
        return True

    def _next(self, point: Any) -> float:
        return self._value

    def _reset_state(self) -> None:
        self.current = IndicatorDataPoint(MIN_TIME, self._value)


class FunctionalIndicator(Indicator):
    """``FunctionalIndicator(name, compute_next_value, is_ready[, reset])`` with the algorithm's functions."""

    provides_warm_up = False  # LEAN's class has no warm-up period to warm it up with

    def __init__(
        self,
        name: str,
        compute_next_value: Callable[[Any], float],
        is_ready: Callable[[Any], bool],
        reset: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(name)
        self._compute, self._ready, self._reset = compute_next_value, is_ready, reset

    @property
    def is_ready(self) -> bool:
        return bool(self._ready(self))

    def _next(self, point: Any) -> float:
        return float(self._compute(point))

    def _reset_state(self) -> None:
        if self._reset is not None:
            self._reset()


class CompositeIndicator(Indicator):
    """``composer(left, right)`` each time both parts have updated (or one has, beside a constant), at the
    latest of their times (LEAN's CompositeIndicator)."""

    provides_warm_up = False  # LEAN's class has no warm-up period to warm it up with

    def __init__(self, *args: Any) -> None:
        if len(args) == 4:
            name, left, right, composer = args
        else:
            name, (left, right, composer) = None, args
        self.left, self.right, self._composer = left, right, composer
        super().__init__(name or f"COMPOSE({left.name},{right.name})")
        self._fresh = [False, False]
        left_constant, right_constant = isinstance(left, ConstantIndicator), isinstance(right, ConstantIndicator)
        left.updated += lambda sender, point: self._part_updated(0, point, right_constant)
        right.updated += lambda sender, point: self._part_updated(1, point, left_constant)

    def _part_updated(self, side: int, point: IndicatorDataPoint, other_constant: bool) -> None:
        fresh = self._fresh
        fresh[side] = True
        if fresh[1 - side] or other_constant:
            moment = max(_ticks(point.time), _ticks(self.right.current.time), _ticks(self.left.current.time))
            self.update(IndicatorDataPoint(moment, 0.0))
            fresh[0] = fresh[1] = False

    @property
    def is_ready(self) -> bool:
        return self.left.is_ready and self.right.is_ready

    def _next(self, point: Any) -> float | None:
        result = self._composer(self.left, self.right)
        if isinstance(result, IndicatorResult):
            return result.value if result.status == IndicatorStatus.SUCCESS else None
        return float(result)

    def reset(self) -> None:
        self.left.reset()
        self.right.reset()
        super().reset()

    def _reset_state(self) -> None:
        self._fresh = [False, False]

    Left = property(lambda self: self.left)
    Right = property(lambda self: self.right)


class _ResetCompositeIndicator(CompositeIndicator):
    def __init__(self, name: str, left: Indicator, right: Indicator, composer: Callable[..., Any],
                 extra_reset: Callable[[], None]) -> None:  # fmt: skip
        super().__init__(name, left, right, composer)
        self._extra_reset = extra_reset

    def reset(self) -> None:
        super().reset()
        self._extra_reset()


def _ticks(moment: datetime | None) -> datetime:
    return moment if moment is not None else MIN_TIME


def _over(left: Indicator, right: Indicator) -> IndicatorResult:
    denominator = right.current.value
    if denominator == 0:
        return IndicatorResult(0.0, IndicatorStatus.MATH_ERROR)
    return IndicatorResult(left.current.value / denominator)


def _constant(value: float) -> ConstantIndicator:
    """LEAN names a constant by its invariant text."""
    return ConstantIndicator(str(value), float(value))


def _composed(
    left: Indicator, right: Any, name: str | None, composer: Callable[[Indicator, Indicator], Any]
) -> CompositeIndicator:
    if not isinstance(right, Indicator):
        right = _constant(right)
    return CompositeIndicator(name, left, right, composer)


class IndicatorExtensions:
    """LEAN's ``IndicatorExtensions`` as Python calls them: ``IndicatorExtensions.of(second, first)``."""

    @staticmethod
    def of(second: Indicator, first: Indicator, wait_for_first_to_ready: bool = True) -> Indicator:
        """Feed ``second`` with every update of ``first`` (once ``first`` is ready, by default)."""

        def forward(sender: Any, point: IndicatorDataPoint) -> None:
            if not wait_for_first_to_ready or first.is_ready:
                second.update(point)

        first.updated += forward
        return second

    @staticmethod
    def plus(left: Indicator, right: Any, name: str | None = None) -> CompositeIndicator:
        return _composed(left, right, name, lambda first, second: first.current.value + second.current.value)

    @staticmethod
    def minus(left: Indicator, right: Any, name: str | None = None) -> CompositeIndicator:
        return _composed(left, right, name, lambda first, second: first.current.value - second.current.value)

    @staticmethod
    def times(left: Indicator, right: Any, name: str | None = None) -> CompositeIndicator:
        return _composed(left, right, name, lambda first, second: first.current.value * second.current.value)

    @staticmethod
    def over(left: Indicator, right: Any, name: str | None = None) -> CompositeIndicator:
        return _composed(left, right, name, _over)

    @staticmethod
    def weighted_by(value: Indicator, weight: Indicator, period: int) -> CompositeIndicator:
        """The ``weight``-weighted average of ``value`` over ``period`` updates."""
        x, y = WindowIdentity(period), WindowIdentity(period)
        numerator, denominator = Sum("Sum_xy", period), Sum("Sum_y", period)

        def value_updated(sender: Any, point: IndicatorDataPoint) -> None:
            x.update(point)
            if x.samples == y.samples:
                numerator.update(point.time, point.value * y.current.value)

        def weight_updated(sender: Any, point: IndicatorDataPoint) -> None:
            y.update(point)
            if x.samples == y.samples:
                numerator.update(point.time, point.value * x.current.value)
            denominator.update(point)

        value.updated += value_updated
        weight.updated += weight_updated
        name = f"RESET_COMPOSE({numerator.name},{denominator.name})"
        return _ResetCompositeIndicator(name, numerator, denominator, _over, lambda: (x.reset(), y.reset()))

    @staticmethod
    def sma(left: Indicator, period: int, wait_for_first_to_ready: bool = True) -> SimpleMovingAverage:
        average = SimpleMovingAverage(f"SMA{period}_Of_{left.name}", int(period))
        return IndicatorExtensions.of(average, left, wait_for_first_to_ready)

    @staticmethod
    def ema(left: Indicator, period: int, smoothing_factor: float | None = None,
            wait_for_first_to_ready: bool = True) -> ExponentialMovingAverage:  # fmt: skip
        k = smoothing_factor if smoothing_factor is not None else 2.0 / (1 + int(period))
        average = ExponentialMovingAverage(f"EMA{period}_Of_{left.name}", int(period), float(k))
        return IndicatorExtensions.of(average, left, wait_for_first_to_ready)

    @staticmethod
    def max(left: Indicator, period: int, wait_for_first_to_ready: bool = True) -> Maximum:
        return IndicatorExtensions.of(
            Maximum(f"MAX{period}_Of_{left.name}", int(period)), left, wait_for_first_to_ready
        )

    @staticmethod
    def min(left: Indicator, period: int, wait_for_first_to_ready: bool = True) -> Minimum:
        return IndicatorExtensions.of(
            Minimum(f"MIN{period}_Of_{left.name}", int(period)), left, wait_for_first_to_ready
        )

    Of = of
    Plus = plus
    Minus = minus
    Times = times
    Over = over
    WeightedBy = weighted_by
    SMA = sma
    EMA = ema
    MAX = max
    MIN = min
