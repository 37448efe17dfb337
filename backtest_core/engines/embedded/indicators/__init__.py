"""LEAN's indicators for the embedded engine: the same names, readiness rules and values.

Each indicator keeps O(1) state per update (running sums, deques), since it runs once per bar. The LEAN
Python names work in both spellings (``is_ready``/``IsReady``, ``current.value``/``Current.Value``,
``update``/``Update``). Indexing (``sma[0]``, ``sma[1]``) gives the latest and earlier values, as LEAN's window.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from backtest_core.engines.embedded.indicators.precomputed import Precomputed


class MovingAverageType(IntEnum):
    SIMPLE = 0
    EXPONENTIAL = 1
    WILDERS = 2
    Simple = 0
    Exponential = 1
    Wilders = 2


class IndicatorDataPoint:
    __slots__ = ("end_time", "time", "value")

    def __init__(self, time: datetime | None = None, value: float = 0.0) -> None:
        self.time = time
        self.end_time = time
        self.value = float(value)

    Value = property(lambda self: self.value)
    Time = property(lambda self: self.time)
    EndTime = property(lambda self: self.end_time)
    Price = property(lambda self: self.value)

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"{self.time}: {self.value}"


new_point = object.__new__  # a point without the __init__ call: a third of the cost of reading one


class PointOfSeries(IndicatorDataPoint):
    """A precomputed value (``precomputed.py``) whose time is made only when read (most reads want the value)."""

    __slots__ = ("index", "series")

    @property  # type: ignore[override]
    def time(self) -> datetime:
        return self.series.end_time(self.index)

    end_time = time


class RollingWindow:
    """LEAN's RollingWindow: index 0 is the newest item."""

    def __init__(self, size: int, *_: Any) -> None:
        self.size = int(size)
        self._items: deque[Any] = deque(maxlen=self.size)
        self.samples = 0

    def add(self, item: Any) -> None:
        self._items.appendleft(item)
        self.samples += 1

    def __getitem__(self, index: int) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    @property
    def count(self) -> int:
        return len(self._items)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.size

    def reset(self) -> None:
        self._items.clear()
        self.samples = 0

    Add = add
    Reset = reset
    Count = count
    IsReady = is_ready
    Size = property(lambda self: self.size)


class _Event:
    """``indicator.updated += handler`` as in LEAN's Python API."""

    def __init__(self) -> None:
        self.handlers: list[Callable[..., Any]] = []

    def __iadd__(self, handler: Callable[..., Any]) -> _Event:
        self.handlers.append(handler)
        return self

    def __isub__(self, handler: Callable[..., Any]) -> _Event:
        self.handlers.remove(handler)
        return self


class Indicator:
    """Base: ``update`` takes ``(time, value)``, a data point, or a bar; subclasses implement ``_next``.

    The state lives in underscored attributes read through properties, because an automatic indicator may
    instead be precomputed over the loaded bars (``ahead``, see ``precomputed.py``); anything that needs the
    bar-by-bar state (an update by hand, reset, the window or Updated event) first turns it back.
    """

    warm_up_period = 1
    needs_bar = False

    def __init__(self, name: str) -> None:
        self.name = name
        self._samples = 0
        self._current = IndicatorDataPoint()
        self._previous = IndicatorDataPoint()
        self._window = RollingWindow(max(2, self.warm_up_period))
        self._updated = _Event()
        self._exposed = False  # the window or Updated event was handed out: it must stay bar by bar
        self.ahead: Precomputed | None = None

    def update(self, time_or_input: Any, value: float | None = None) -> bool:
        self.run_bar_by_bar()
        if value is not None:
            self.accept(time_or_input, float(value))
        else:
            stamp = getattr(time_or_input, "end_time", None)
            self.accept(stamp, time_or_input if self.needs_bar else _value_of(time_or_input))
        return self.is_ready

    def accept(self, stamp: datetime | None, point: Any) -> None:
        """One new input (a float, or a bar for ``needs_bar`` indicators): the engine's automatic updates
        call this straight, once per bar, so it does only what every update must."""
        self._samples += 1
        current = IndicatorDataPoint(stamp, self._next(point))
        self._previous, self._current = self._current, current
        self._window.add(current)
        if self._updated.handlers:
            for handler in self._updated.handlers:
                handler(self, current)

    def _next(self, point: Any) -> float:
        raise NotImplementedError

    def run_bar_by_bar(self) -> None:
        """Leave precomputed mode at the state reached so far; the next updates come bar by bar."""
        ahead = self.ahead
        if ahead is not None:
            self.ahead = None
            ahead.hand_back(self)

    @property
    def samples(self) -> int:
        return self._samples if self.ahead is None else self.ahead.series.count

    @property
    def current(self) -> IndicatorDataPoint:
        ahead = self.ahead
        if ahead is None:
            return self._current
        # read at every bar by most algorithms, so all here in one call: the point is kept until the next update
        index = ahead.series.count - 1
        latest = ahead.latest
        if latest is not None and latest.index == index:
            return latest
        offset = index - ahead.chunk_first
        if not 0 <= offset < len(ahead.chunk):
            if index < 0:
                return IndicatorDataPoint()
            offset = ahead.load_chunk(index)
        made = new_point(PointOfSeries)
        made.value = ahead.chunk[offset]
        made.series = ahead.series
        made.index = index
        ahead.latest = made
        return made

    @property
    def previous(self) -> IndicatorDataPoint:
        return self._previous if self.ahead is None else self.ahead.point(1)

    @property
    def window(self) -> RollingWindow:
        self.run_bar_by_bar()
        self._exposed = True
        return self._window

    def _get_updated(self) -> _Event:
        self.run_bar_by_bar()
        self._exposed = True
        return self._updated

    def _set_updated(self, event: _Event) -> None:
        """``indicator.updated += handler`` assigns the event back after adding to it."""
        if event is not self._updated:
            raise TypeError("add or remove handlers with += and -=; the Updated event cannot be replaced")

    updated = Updated = property(_get_updated, _set_updated)

    @property
    def is_ready(self) -> bool:
        ahead = self.ahead  # read at every bar by most algorithms: samples without a second property call
        return (self._samples if ahead is None else ahead.series.count) >= self.warm_up_period

    def reset(self) -> None:
        self.run_bar_by_bar()
        self.__init__(*self._arguments)  # type: ignore[misc]

    def __getitem__(self, index: int) -> IndicatorDataPoint:
        if self.ahead is None:
            return self._window[index]
        return self.ahead.window_item(index, self._window.size)

    def __float__(self) -> float:
        return self.current.value

    def __repr__(self) -> str:
        return f"{self.name}: {self.current.value:.6g}"

    Update = update
    Reset = reset
    IsReady = property(lambda self: self.is_ready)
    Current = property(lambda self: self.current)
    Previous = property(lambda self: self.previous)
    Samples = property(lambda self: self.samples)
    WarmUpPeriod = property(lambda self: self.warm_up_period)
    Name = property(lambda self: self.name)
    Window = property(lambda self: self.window)


class ComponentIndicator(Indicator):
    """A band or line of a composite indicator (``bb.upper_band``): updated by its parent with the value it derives."""

    def __init__(self, name: str) -> None:
        self._arguments = (name,)
        super().__init__(name)

    def _next(self, point: float) -> float:
        return float(point)


def _value_of(item: Any) -> float:
    for attribute in ("close", "value", "price"):
        found = getattr(item, attribute, None)
        if found is not None:
            return float(found)
    return float(item)


def _name_and_numbers(args: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """LEAN constructors take an optional leading name: ``(period, ...)`` or ``(name, period, ...)``."""
    return (args[0], args[1:]) if args and isinstance(args[0], str) else (None, args)


class SimpleMovingAverage(Indicator):
    def __init__(self, *args: Any) -> None:
        name, numbers = _name_and_numbers(args)
        self.period = int(numbers[0])
        self._arguments = args
        self.warm_up_period = self.period
        super().__init__(name or f"SMA({self.period})")
        self._values: deque[float] = deque()
        self._sum = 0.0

    def _next(self, point: float) -> float:
        self._values.append(point)
        self._sum += point
        if len(self._values) > self.period:
            self._sum -= self._values.popleft()
        return self._sum / len(self._values)

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


class ExponentialMovingAverage(Indicator):
    """Seeded with the simple average of the first ``period`` values, then ``k·x + (1−k)·previous``."""

    def __init__(self, *args: Any) -> None:
        name, numbers = _name_and_numbers(args)
        self.period = int(numbers[0])
        self.k = float(numbers[1]) if len(numbers) > 1 else 2.0 / (self.period + 1)
        self._arguments = args
        self.warm_up_period = self.period
        super().__init__(name or f"EMA({self.period})")
        self._seed = 0.0

    def _next(self, point: float) -> float:
        if self._samples <= self.period:
            self._seed += point
            return self._seed / self._samples
        return point * self.k + self._current.value * (1 - self.k)

    def precompute(self, inputs: np.ndarray) -> tuple[np.ndarray, Callable[[int], None]]:
        """Every value ``_next`` would give for ``inputs`` from a fresh start (same operations, same order)."""
        period, k, values = self.period, self.k, []
        seed = value = 0.0
        for samples, point in enumerate(inputs.tolist(), 1):
            if samples <= period:
                seed += point
                value = seed / samples
            else:
                value = point * k + value * (1 - k)
            values.append(value)

        def restore(updates: int) -> None:
            self._seed = 0.0
            for point in inputs[: min(updates, period)].tolist():
                self._seed += point

        return np.array(values, dtype=float), restore


class WildersMovingAverage(ExponentialMovingAverage):
    def __init__(self, period: int) -> None:
        super().__init__(f"WWMA({period})", period, 1.0 / period)


def moving_average(kind: MovingAverageType, period: int) -> Indicator:
    if kind == MovingAverageType.SIMPLE:
        return SimpleMovingAverage(period)
    if kind == MovingAverageType.WILDERS:
        return WildersMovingAverage(period)
    return ExponentialMovingAverage(period)


class RelativeStrengthIndex(Indicator):
    """Averages of gains and losses (Wilders by default); 100 when there were no losses."""

    def __init__(self, period: int, moving_average_type: MovingAverageType = MovingAverageType.WILDERS) -> None:
        self.period = int(period)
        self._arguments = (period, moving_average_type)
        self.warm_up_period = self.period + 1
        super().__init__(f"RSI({self.period})")
        self.average_gain = moving_average(moving_average_type, self.period)
        self.average_loss = moving_average(moving_average_type, self.period)
        self._last: float | None = None

    def _next(self, point: float) -> float:
        if self._last is not None:
            change = point - self._last
            self.average_gain.update(None, max(change, 0.0))
            self.average_loss.update(None, max(-change, 0.0))
        self._last = point
        if self.average_loss.samples == 0:
            return 0.0
        loss = self.average_loss.current.value
        if loss == 0:
            return 100.0
        return 100.0 - 100.0 / (1.0 + self.average_gain.current.value / loss)


class _Lookback(Indicator):
    """Indicators comparing the latest value with the value ``period`` samples back."""

    def __init__(self, period: int, label: str) -> None:
        self.period = int(period)
        self._arguments = (period,)
        self.warm_up_period = self.period + 1
        super().__init__(f"{label}({self.period})")
        self._history: deque[float] = deque(maxlen=self.period + 1)

    def _next(self, point: float) -> float:
        self._history.append(point)
        return self._compare(point, self._history[0])

    def _compare(self, latest: float, past: float) -> float:
        raise NotImplementedError


class Momentum(_Lookback):
    def __init__(self, period: int) -> None:
        super().__init__(period, "MOM")

    def _compare(self, latest: float, past: float) -> float:
        return latest - past


class RateOfChange(_Lookback):
    def __init__(self, period: int) -> None:
        super().__init__(period, "ROC")

    def _compare(self, latest: float, past: float) -> float:
        return (latest - past) / past if past else 0.0


class MomentumPercent(_Lookback):
    def __init__(self, period: int) -> None:
        super().__init__(period, "MOMP")

    def _compare(self, latest: float, past: float) -> float:
        return 100.0 * (latest - past) / past if past else 0.0


class _Extreme(Indicator):
    def __init__(self, period: int, label: str, pick: Callable[..., float]) -> None:
        self.period = int(period)
        self._arguments = (period,)
        self.warm_up_period = self.period
        super().__init__(f"{label}({self.period})")
        self._pick = pick
        self._values: deque[float] = deque(maxlen=self.period)
        self.periods_since = 0

    def _next(self, point: float) -> float:
        self._values.append(point)
        return self._pick(self._values)


class Maximum(_Extreme):
    def __init__(self, period: int) -> None:
        super().__init__(period, "MAX", max)
        self._arguments = (period,)


class Minimum(_Extreme):
    def __init__(self, period: int) -> None:
        super().__init__(period, "MIN", min)
        self._arguments = (period,)


class StandardDeviation(Indicator):
    """Population standard deviation of the last ``period`` values (LEAN's)."""

    def __init__(self, period: int) -> None:
        self.period = int(period)
        self._arguments = (period,)
        self.warm_up_period = self.period
        super().__init__(f"STD({self.period})")
        self._values: deque[float] = deque()
        self._sum = 0.0
        self._squares = 0.0

    def _next(self, point: float) -> float:
        self._values.append(point)
        self._sum += point
        self._squares += point * point
        if len(self._values) > self.period:
            old = self._values.popleft()
            self._sum -= old
            self._squares -= old * old
        count = len(self._values)
        mean = self._sum / count
        return math.sqrt(max(self._squares / count - mean * mean, 0.0))


class BollingerBands(Indicator):
    def __init__(self, *args: Any) -> None:
        """``(period, k=2, moving_average_type=SIMPLE)``, optionally after a name, as LEAN's constructors."""
        name, numbers = _name_and_numbers(args)
        period, k, moving_average_type = (*numbers, 2.0, MovingAverageType.SIMPLE)[:3]
        self.period, self.k = int(period), float(k)
        self._arguments = args
        self.warm_up_period = self.period
        super().__init__(name or f"BB({self.period},{self.k})")
        self.middle_band = moving_average(moving_average_type, self.period)
        self.standard_deviation = StandardDeviation(self.period)
        self.upper_band = ComponentIndicator("UpperBand")
        self.lower_band = ComponentIndicator("LowerBand")
        self.band_width = ComponentIndicator("BandWidth")
        self.percent_b = ComponentIndicator("PercentB")

    def _next(self, point: float) -> float:
        self.middle_band.update(None, point)
        self.standard_deviation.update(None, point)
        middle, spread = self.middle_band.current.value, self.k * self.standard_deviation.current.value
        self.upper_band.update(None, middle + spread)
        self.lower_band.update(None, middle - spread)
        self.band_width.update(None, (2 * spread / middle) if middle else 0.0)
        width = 2 * spread
        self.percent_b.update(None, (point - (middle - spread)) / width if width else 0.0)
        return middle

    MiddleBand = property(lambda self: self.middle_band)
    UpperBand = property(lambda self: self.upper_band)
    LowerBand = property(lambda self: self.lower_band)
    StandardDeviation = property(lambda self: self.standard_deviation)
    BandWidth = property(lambda self: self.band_width)
    PercentB = property(lambda self: self.percent_b)


class MovingAverageConvergenceDivergence(Indicator):
    def __init__(self, fast: int, slow: int, signal: int,
                 moving_average_type: MovingAverageType = MovingAverageType.EXPONENTIAL) -> None:  # fmt: skip
        self._arguments = (fast, slow, signal, moving_average_type)
        self.warm_up_period = int(slow) + int(signal) - 1
        super().__init__(f"MACD({fast},{slow},{signal})")
        self.fast = moving_average(moving_average_type, int(fast))
        self.slow = moving_average(moving_average_type, int(slow))
        self.signal = moving_average(moving_average_type, int(signal))
        self.histogram = ComponentIndicator("Histogram")

    def _next(self, point: float) -> float:
        self.fast.update(None, point)
        self.slow.update(None, point)
        macd = self.fast.current.value - self.slow.current.value
        if self.slow.is_ready:
            self.signal.update(None, macd)
        self.histogram.update(None, macd - self.signal.current.value)
        return macd

    @property
    def is_ready(self) -> bool:
        return self.signal.is_ready

    Fast = property(lambda self: self.fast)
    Slow = property(lambda self: self.slow)
    Signal = property(lambda self: self.signal)
    Histogram = property(lambda self: self.histogram)


class AverageTrueRange(Indicator):
    needs_bar = True

    def __init__(self, period: int, moving_average_type: MovingAverageType = MovingAverageType.WILDERS) -> None:
        self.period = int(period)
        self._arguments = (period, moving_average_type)
        self.warm_up_period = self.period + 1
        super().__init__(f"ATR({self.period})")
        self.true_range = IndicatorDataPoint()
        self._average = moving_average(moving_average_type, self.period)
        self._previous_close: float | None = None

    def _next(self, bar: Any) -> float:
        high, low, close = float(bar.high), float(bar.low), float(bar.close)
        if self._previous_close is None:
            true_range = high - low
        else:
            true_range = max(high - low, abs(high - self._previous_close), abs(low - self._previous_close))
        self._previous_close = close
        self.true_range = IndicatorDataPoint(None, true_range)
        if self._samples > 1:
            self._average.update(None, true_range)
        return self._average.current.value

    TrueRange = property(lambda self: self.true_range)


class VolumeWeightedAveragePriceIndicator(Indicator):
    """Volume-weighted average of the typical price ``(high+low+close)/3`` over ``period`` bars."""

    needs_bar = True

    def __init__(self, period: int) -> None:
        self.period = int(period)
        self._arguments = (period,)
        self.warm_up_period = self.period
        super().__init__(f"VWAP({self.period})")
        self._pairs: deque[tuple[float, float]] = deque()
        self._weighted = 0.0
        self._volume = 0.0

    def _next(self, bar: Any) -> float:
        volume = float(getattr(bar, "volume", 0.0) or 0.0)
        typical = (float(bar.high) + float(bar.low) + float(bar.close)) / 3.0
        self._pairs.append((typical * volume, volume))
        self._weighted += typical * volume
        self._volume += volume
        if len(self._pairs) > self.period:
            weighted, old_volume = self._pairs.popleft()
            self._weighted -= weighted
            self._volume -= old_volume
        return self._weighted / self._volume if self._volume else typical


__all__ = [
    "AverageTrueRange",
    "BollingerBands",
    "ExponentialMovingAverage",
    "Indicator",
    "IndicatorDataPoint",
    "Maximum",
    "Minimum",
    "Momentum",
    "MomentumPercent",
    "MovingAverageConvergenceDivergence",
    "MovingAverageType",
    "RateOfChange",
    "RelativeStrengthIndex",
    "RollingWindow",
    "SimpleMovingAverage",
    "StandardDeviation",
    "VolumeWeightedAveragePriceIndicator",
    "WildersMovingAverage",
]
