"""The indicator core, as LEAN's ``IndicatorBase<T>``: samples, the current point, its window and Updated event.

An update counts a sample, computes the next value and, when the computation succeeded (LEAN's
``IndicatorStatus.Success``), makes it the current point and tells the Updated handlers; a failed computation
(``None`` from ``_next``) keeps the previous point, as LEAN does. Values are floats (LEAN's are decimals).
Each indicator keeps O(1) state per update, since it runs once per bar. LEAN's Python names work in both
spellings (``is_ready``/``IsReady``, ``current.value``/``Current.Value``, ``update``/``Update``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from enum import IntEnum
from itertools import islice
from typing import TYPE_CHECKING, Any

from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.indicators.precomputed import Precomputed

MIN_TIME = datetime.min  # LEAN's DateTime.MinValue: the time of an indicator's point before its first update
# LEAN's WindowBase.DefaultWindowSize: an indicator's window until the algorithm resizes it. The window's first
# item and sample is the point before the first update: LEAN's IndicatorBase constructor (and Reset) sets Current
# to (DateTime.MinValue, 0), which WindowBase.Current adds to the window (Indicators/IndicatorBase.cs), so a
# window of n is ready after n - 1 updates, its oldest item that point.
DEFAULT_WINDOW_SIZE = 2


class MovingAverageType(IntEnum):
    SIMPLE = 0
    EXPONENTIAL = 1
    WILDERS = 2
    LINEAR_WEIGHTED_MOVING_AVERAGE = 3
    DOUBLE_EXPONENTIAL = 4
    TRIPLE_EXPONENTIAL = 5
    TRIANGULAR = 6
    T3 = 7
    KAMA = 8
    HULL = 9
    ALMA = 10
    ZLEMA = 11
    MGD = 12
    Simple = 0
    Exponential = 1
    Wilders = 2
    LinearWeightedMovingAverage = 3
    DoubleExponential = 4
    TripleExponential = 5
    Triangular = 6
    Kama = 8
    Hull = 9
    Alma = 10
    Zlema = 11


class IndicatorStatus(IntEnum):
    SUCCESS = 0
    INVALID_INPUT = 1
    MATH_ERROR = 2
    VALUE_NOT_READY = 3
    Success = 0
    InvalidInput = 1
    MathError = 2
    ValueNotReady = 3


class IndicatorResult:
    """What a composer returns (LEAN's ``IndicatorResult``): a value and whether it is one."""

    __slots__ = ("status", "value")

    def __init__(self, value: float, status: IndicatorStatus = IndicatorStatus.SUCCESS) -> None:
        self.value = float(value)
        self.status = IndicatorStatus(int(status))

    Value = property(lambda self: self.value)
    Status = property(lambda self: self.status)


class IndicatorDataPoint:
    __slots__ = ("end_time", "symbol", "time", "value")

    def __init__(self, *args: Any) -> None:
        """``(time, value)`` or ``(symbol, time, value)``, as LEAN's constructors; no arguments: empty."""
        symbol = None
        if len(args) == 3:
            symbol, args = args[0], args[1:]
        time, value = (*args, MIN_TIME, 0.0)[:2] if args else (MIN_TIME, 0.0)
        self.symbol = symbol
        self.time = time
        self.end_time = time
        self.value = float(value)

    Value = property(lambda self: self.value)
    Time = property(lambda self: self.time)
    EndTime = property(lambda self: self.end_time)
    Price = property(lambda self: self.value)
    Symbol = property(lambda self: self.symbol)

    @property
    def price(self) -> float:
        return self.value

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"{self.time}: {self.value}"


new_point = object.__new__  # a point without the __init__ call: a third of the cost of reading one


def point_at(stamp: datetime | None, value: float) -> IndicatorDataPoint:
    """A point made without argument parsing (once per update on the engine's path)."""
    made = new_point(IndicatorDataPoint)
    made.symbol = None
    made.time = made.end_time = stamp
    made.value = value
    return made


class PointOfSeries(IndicatorDataPoint):
    """A precomputed value (``precomputed.py``) whose time is made only when read (most reads want the value)."""

    __slots__ = ("index", "series")

    symbol = None

    @property  # type: ignore[override]
    def time(self) -> datetime:
        return self.series.end_time(self.index)

    end_time = time


class RollingWindow:
    """LEAN's RollingWindow (``Common/Indicators/RollingWindow.cs``): index 0 is the newest item.

    As LEAN's: setting ``size`` resizes (dropping the oldest items when it shrinks), and an index past the items
    held gives None, first growing the window to hold it when it is past the size.
    """

    def __init__(self, size: int, *_: Any) -> None:
        self._size = int(size)
        self._items: deque[Any] = deque(maxlen=self._size)
        self.samples = 0
        self._removed: Any = None

    def add(self, item: Any) -> None:
        items = self._items
        if len(items) == self._size:
            self._removed = items[-1]
        items.appendleft(item)
        self.samples += 1

    def __getitem__(self, index: int) -> Any:
        if index < 0:  # from the oldest end, as LEAN's; within the size, an index before the items is None
            if self._size + index < 0:
                raise IndexError(f"window index {index} is beyond its size {self._size}")
            index += len(self._items)
            if index < 0:
                return None
        if index >= len(self._items):
            if index >= self._size:
                self.size = index + 1
            return None
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, size: int) -> None:
        """LEAN's ``Resize``: the newest ``size`` items stay."""
        self._size = int(size)
        self._items = deque(islice(self._items, self._size), maxlen=self._size)

    @property
    def count(self) -> int:
        return len(self._items)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._size

    @property
    def most_recently_removed(self) -> Any:
        if self.samples <= self._size:
            raise IndexError("No items have been removed yet!")
        return self._removed

    def reset(self) -> None:
        self._items.clear()
        self.samples = 0
        self._removed = None

    Add = add
    Reset = reset
    Count = count
    IsReady = is_ready
    MostRecentlyRemoved = most_recently_removed
    Size = size
    Samples = property(lambda self: self.samples)


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

    def fire(self, *arguments: Any) -> None:
        for handler in list(self.handlers):
            handler(*arguments)


class Indicator:
    """Base: ``update`` takes ``(time, value)``, a data point, or a bar; subclasses implement ``_next``.

    ``_next`` returns the next value, or None when the computation did not succeed (LEAN's non-success
    status: the sample counts, the current point stays). The state lives in underscored attributes read
    through properties, because an automatic indicator may instead be precomputed over the loaded bars
    (``ahead``, see ``precomputed.py``); anything that needs the bar-by-bar state (an update by hand, reset,
    the window or Updated event) first turns it back.
    """

    warm_up_period = 1
    needs_bar = False  # LEAN's bar indicators: the input is the bar itself, not a value
    current: IndicatorDataPoint
    """A plain attribute, set at each update: read at every bar by most algorithms, and CPython 3.11 runs a
    property in a frame of its own (precomputed indicators get theirs from ``UpdateSeries.advance``)."""
    is_ready: bool
    """Samples reached the warm-up period, a plain attribute kept with the samples for the same reason; a
    subclass whose readiness is its parts' overrides it with a property (``_ready_by_samples`` False)."""
    _ready_by_samples = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "is_ready" in vars(cls):
            cls._ready_by_samples = False

    def __init__(self, name: str) -> None:
        self.name = name
        self._set_samples(0)
        self.current = IndicatorDataPoint()
        self._previous = IndicatorDataPoint()
        self._window = RollingWindow(DEFAULT_WINDOW_SIZE)
        self._window.add(self.current)
        self._updated = _Event()
        self._exposed = False  # the window or Updated event was handed out: it must stay bar by bar
        self._last_inputs: dict[Any, Any] = {}  # the last input by hand per symbol (LEAN's forward-only check)
        self.ahead: Precomputed | None = None
        self.consolidators: list[Any] = []  # those registered for it (``unregister_indicator`` removes them)

    # -- updates ----------------------------------------------------------------------------------------

    def update(self, time_or_input: Any, value: float | None = None) -> bool:
        """LEAN's ``Update(time, value)`` and ``Update(input)``: an input older than the last one of its
        symbol, or the very same input again, is ignored."""
        self.run_bar_by_bar()
        if value is not None:
            if self.needs_bar:
                raise UnsupportedApi(
                    f"{type(self).__name__}.update(time, value): it takes bars (update(trade_bar) or "
                    "update(quote_bar)), as LEAN's"
                )
            stamp, point, key = time_or_input, float(value), None
        else:
            stamp = getattr(time_or_input, "end_time", None)
            key = getattr(time_or_input, "symbol", None)
            point = time_or_input if self.needs_bar else _value_of(time_or_input)
        last = self._last_inputs.get(key)
        if last is not None:
            if time_or_input is last[0] and value is None:
                return self.is_ready
            if stamp is not None and last[1] is not None and stamp < last[1]:
                return self.is_ready
        self._last_inputs[key] = (time_or_input, stamp)
        self.accept(stamp, point)
        return self.is_ready

    def accept(self, stamp: datetime | None, point: Any) -> None:
        """One new input (a float, or a bar for ``needs_bar`` indicators): the engine's automatic updates
        call this straight, once per bar, so it does only what every update must."""
        samples = self._samples = self._samples + 1
        if self._ready_by_samples:
            self.is_ready = samples >= self.warm_up_period
        value = self._next(point)
        if value is None:
            return
        current = point_at(stamp, value)
        self._previous, self.current = self.current, current
        self._window.add(current)
        if self._updated.handlers:
            self._updated.fire(self, current)

    def _next(self, point: Any) -> float | None:
        raise NotImplementedError

    def run_bar_by_bar(self) -> None:
        """Leave precomputed mode at the state reached so far; the next updates come bar by bar."""
        ahead = self.ahead
        if ahead is not None:
            self.ahead = None
            ahead.hand_back(self)

    # -- state ------------------------------------------------------------------------------------------

    def _set_samples(self, samples: int) -> None:
        self._samples = samples
        if self._ready_by_samples:
            self.is_ready = samples >= self.warm_up_period

    @property
    def samples(self) -> int:
        return self._samples if self.ahead is None else self.ahead.series.count

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

    def reset(self) -> None:
        """LEAN's Reset: no samples, an empty current point, the window emptied; Updated handlers stay."""
        self.run_bar_by_bar()
        self._set_samples(0)
        self.current = self._previous = IndicatorDataPoint()
        self._window.reset()
        self._window.add(self.current)
        self._last_inputs.clear()
        self._reset_state()

    def _reset_state(self) -> None:
        """The subclass's own state back to its start (and that of the indicators it owns)."""

    def __getitem__(self, index: int) -> IndicatorDataPoint | None:
        ahead = self.ahead
        if ahead is not None and 0 <= index < self._window.size:
            return ahead.window_item(index)
        self.run_bar_by_bar()  # a negative index or one that resizes the window reads the window itself
        return self._window[index]

    def __iter__(self) -> Iterator[IndicatorDataPoint]:
        """LEAN's ``GetEnumerator``: the window's items, newest first (not indexing until a None)."""
        return iter(list(self.window))

    def __float__(self) -> float:
        return self.current.value

    def __repr__(self) -> str:
        return f"{self.name}: {self.current.value:.6g}"

    # LEAN compares an indicator with a number by its current value (IndicatorBase.Operators)
    def __lt__(self, other: Any) -> bool:
        return self.current.value < float(other)

    def __le__(self, other: Any) -> bool:
        return self.current.value <= float(other)

    def __gt__(self, other: Any) -> bool:
        return self.current.value > float(other)

    def __ge__(self, other: Any) -> bool:
        return self.current.value >= float(other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int | float):
            return self.current.value == other
        return self is other

    __hash__ = object.__hash__

    Update = update
    Reset = reset
    IsReady = property(lambda self: self.is_ready)
    Current = property(lambda self: self.current)
    Previous = property(lambda self: self.previous)
    Samples = property(lambda self: self.samples)
    WarmUpPeriod = property(lambda self: self.warm_up_period)
    Name = property(lambda self: self.name)
    Window = property(lambda self: self.window)


class StampedIndicator(Indicator):
    """An indicator whose parts are updated with the input's time: ``accept`` keeps it for ``_next``."""

    _stamp: datetime | None = None

    def accept(self, stamp: datetime | None, point: Any) -> None:
        self._stamp = stamp
        super().accept(stamp, point)


def _value_of(item: Any) -> float:
    for attribute in ("value", "close", "price"):
        found = getattr(item, attribute, None)
        if found is not None:
            return float(found)
    return float(item)


def name_and_numbers(args: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """LEAN constructors take an optional leading name: ``(period, ...)`` or ``(name, period, ...)``."""
    return (args[0], args[1:]) if args and isinstance(args[0], str) else (None, args)
