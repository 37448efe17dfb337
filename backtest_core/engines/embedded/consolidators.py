"""LEAN's data consolidators: bars of a longer period, a count of bars, or a price move (Renko, range).

Each class follows its LEAN namesake (``Common/Data/Consolidators``): when a bar is emitted, which bar, with
which times, and in which order its handlers hear of it. The engine side (which data reaches a consolidator,
and the scans between data) lives in ``consolidation.py``. Renko and range arithmetic is done in decimals,
as LEAN's, so a brick of 0.1 stays 0.1; the bars hand out floats like every other price here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import IntEnum
from typing import Any

from backtest_core.engines.embedded.indicators.base import MIN_TIME, RollingWindow, _Event
from backtest_core.engines.embedded.model import Bar, LeanObject, QuoteBar, TradeBar, _LeanClassType
from backtest_core.errors import UnsupportedApi

ONE_DAY = timedelta(days=1)
ONE_HOUR = timedelta(hours=1)
VERIFICATION_MOMENT = datetime(2022, 1, 3, 10, 10, 10)  # LEAN checks a calendar function at this moment


class ConsolidatorError(ValueError):
    """LEAN's ArgumentException/InvalidOperationException from a consolidator, with LEAN's text: raised in the
    algorithm's code, so it ends the run as LEAN's runtime error."""


# -- the bars consolidators make ----------------------------------------------------------------------------


class RenkoType(IntEnum):
    CLASSIC = 0
    WICKED = 1
    Classic = 0
    Wicked = 1


class BarDirection(IntEnum):
    RISING = 0
    NO_DELTA = 1
    FALLING = 2
    Rising = 0
    NoDelta = 1
    Falling = 2


class _DecimalBar(TradeBar):
    """A bar whose prices are kept as decimals (Renko and range arithmetic); read as floats."""

    __slots__ = ("_close", "_high", "_low", "_open", "_volume", "is_closed")

    def _set(self, open_: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> None:
        self._open, self._high, self._low, self._close, self._volume = open_, high, low, close, volume

    open = property(lambda self: float(self._open))  # type: ignore[assignment]
    high = property(lambda self: float(self._high))  # type: ignore[assignment]
    low = property(lambda self: float(self._low))  # type: ignore[assignment]
    close = property(lambda self: float(self._close))  # type: ignore[assignment]
    volume = property(lambda self: float(self._volume))  # type: ignore[assignment]
    period = property(lambda self: self.end_time - self.time)  # type: ignore[assignment]
    IsClosed = property(lambda self: self.is_closed)


class RenkoBar(_DecimalBar):
    """LEAN's RenkoBar: classic bars grow with each update until the price moves a brick from the open;
    wicked ones are made whole by the RenkoConsolidator."""

    __slots__ = ("brick_size", "type")

    def __init__(self, symbol: Any = None, time: datetime = MIN_TIME, brick_size: Any = 0, open_: Any = 0,
                 volume: Any = 0, end_time: datetime | None = None, high: Any = None, low: Any = None,
                 close: Any = None, renko_type: RenkoType = RenkoType.CLASSIC) -> None:  # fmt: skip
        self.symbol, self.time = symbol, time
        self.end_time = end_time if end_time is not None else time
        self.brick_size, self.type = _dec(brick_size), renko_type
        opened = _dec(open_)
        self._set(opened, _dec(high if high is not None else opened), _dec(low if low is not None else opened),
                  _dec(close if close is not None else opened), _dec(volume))  # fmt: skip
        self.is_closed = False
        self.is_fill_forward = False

    def update(self, time: datetime, value: Decimal, volume: Decimal) -> bool:
        if self.type == RenkoType.WICKED:
            raise ConsolidatorError('A "Wicked" RenkoBar cannot be updated!')
        if self.is_closed:
            return True
        if self.time == MIN_TIME:
            self.time = time
        self.end_time = time
        low_close, high_close = self._open - self.brick_size, self._open + self.brick_size
        self._close = min(high_close, max(low_close, value))
        self._volume += volume
        if value <= low_close or value >= high_close:
            self.is_closed = True
        self._high = max(self._high, self._close)
        self._low = min(self._low, self._close)
        return self.is_closed

    @property
    def direction(self) -> BarDirection:
        if self._open < self._close:
            return BarDirection.RISING
        return BarDirection.FALLING if self._open > self._close else BarDirection.NO_DELTA

    spread = property(lambda self: float(abs(self._close - self._open)))
    start = property(lambda self: self.time)
    Update = update
    BrickSize = property(lambda self: float(self.brick_size))
    Type = property(lambda self: self.type)
    Direction = direction
    Spread = spread
    Start = start


class VolumeRenkoBar(_DecimalBar):
    """A bar closed once ``brick_size`` volume traded; the volume beyond it starts the next bar."""

    __slots__ = ("brick_size",)

    def __init__(self, symbol: Any, start: datetime, end_time: datetime, brick_size: Decimal, open_: Decimal,
                 high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> None:  # fmt: skip
        self.symbol, self.time, self.end_time, self.brick_size = symbol, start, end_time, brick_size
        self._set(open_, high, low, close, volume)
        self.is_fill_forward = False

    @property
    def is_closed(self) -> bool:  # type: ignore[override]
        return self._volume >= self.brick_size

    def update(self, time: datetime, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> Decimal:
        if self.is_closed:
            return Decimal(0)
        self.end_time = time
        excess = self._volume + volume - self.brick_size
        self._volume = self.brick_size if excess > 0 else self._volume + volume
        self._close = close
        self._high = max(self._high, high)
        self._low = min(self._low, low)
        return excess

    def rollover(self) -> VolumeRenkoBar:
        close = self._close
        return VolumeRenkoBar(self.symbol, self.end_time, self.end_time, self.brick_size, close, close, close,
                              close, Decimal(0))  # fmt: skip

    start = property(lambda self: self.time)
    BrickSize = property(lambda self: float(self.brick_size))


class RangeBar(_DecimalBar):
    """A bar closed once its high and low are ``range_size`` apart. LEAN's RangeBar is a TradeBar whose
    start is never set (``DateTime.MinValue``): its end time moves with each update."""

    __slots__ = ("range_size",)

    def __init__(self, symbol: Any, end_time: datetime, range_size: Decimal, open_: Decimal,
                 volume: Decimal = Decimal(0)) -> None:  # fmt: skip
        self.symbol, self.time, self.end_time, self.range_size = symbol, MIN_TIME, end_time, range_size
        self._set(open_, open_, open_, open_, volume)
        self.is_closed = False
        self.is_fill_forward = False

    def update(self, time: datetime, value: Decimal, volume: Decimal) -> None:
        self.end_time = time
        if value < self._low:
            if self._high - value > self.range_size:
                self.is_closed = True
                self._low = self._close = self._high - self.range_size
                return
            self._low = value
        elif value > self._high:
            if value - self._low > self.range_size:
                self.is_closed = True
                self._high = self._close = self._low + self.range_size
                return
            self._high = value
        self._volume += volume

    RangeSize = property(lambda self: float(self.range_size))


class CalendarInfo(LeanObject):
    """A consolidation period: where it starts and how long it is."""

    def __init__(self, start: datetime, period: timedelta) -> None:
        self.start, self.period = start, period

    end = property(lambda self: self.start + self.period)
    Start = property(lambda self: self.start)
    Period = property(lambda self: self.period)
    End = end


def _end_of_week(moment: datetime) -> datetime:
    weekday = (moment.weekday() + 1) % 7  # .NET's DayOfWeek: Sunday is 0
    days = 8 - weekday
    return datetime.combine(moment.date() + timedelta(days=1 if days == 8 else days), datetime.min.time())


def _add_months(day: date, months: int) -> datetime:
    month = day.month - 1 + months
    return datetime(day.year + month // 12, month % 12 + 1, 1)


def _weekly(moment: datetime) -> CalendarInfo:
    return CalendarInfo(_end_of_week(moment) - timedelta(days=7), timedelta(days=7))


def _monthly(moment: datetime) -> CalendarInfo:
    start = datetime(moment.year, moment.month, 1)
    return CalendarInfo(start, _add_months(moment, 1) - start)


def _quarterly(moment: datetime) -> CalendarInfo:
    start = datetime(moment.year, (moment.month - 1) // 3 * 3 + 1, 1)
    return CalendarInfo(start, _add_months(start, 3) - start)


def _yearly(moment: datetime) -> CalendarInfo:
    start = datetime(moment.year, 1, 1)
    return CalendarInfo(start, datetime(moment.year + 1, 1, 1) - start)


class Calendar(LeanObject, metaclass=_LeanClassType):
    """LEAN's calendar periods for consolidators: ``Calendar.WEEKLY`` and so on."""

    WEEKLY = Weekly = staticmethod(_weekly)
    MONTHLY = Monthly = staticmethod(_monthly)
    QUARTERLY = Quarterly = staticmethod(_quarterly)
    YEARLY = Yearly = staticmethod(_yearly)


# -- the consolidators --------------------------------------------------------------------------------------


class ConsolidatorBase(LeanObject):
    """What every consolidator has: the last bars made (``consolidator[0]``), ``consolidated`` and the
    DataConsolidated event. Engine-side handlers (indicator updates, ``consolidate`` handlers, scan times)
    go on ``base_event``; the algorithm's ``data_consolidated += ...`` on the class's typed event where LEAN
    has one, which for most classes fires after the base event and for the timeless ones before it."""

    input_kind = "any"  # which data it takes: "trade" bars, "quote" bars, or "any" (LEAN's abstract input)
    output_type: type = TradeBar
    typed_first = False
    has_typed_event = True

    def __init__(self) -> None:
        self.consolidated: Any = None
        self._window = RollingWindow(2)
        self.base_event = _Event()
        self._typed_event = _Event() if self.has_typed_event else self.base_event
        self.disposed = False

    # LEAN's Python spellings of the event (the typed one where the class has it)
    def _get_event(self) -> _Event:
        return self._typed_event

    def _set_event(self, event: _Event) -> None:
        if event is not self._typed_event:
            raise TypeError("add or remove handlers with += and -=; DataConsolidated cannot be replaced")

    data_consolidated = DataConsolidated = property(_get_event, _set_event)

    def _emit(self, bar: Any) -> None:
        """LEAN's OnDataConsolidated: the window first, then the handlers, then ``consolidated``."""
        if bar is not None:
            self._window.add(bar)
        if self.typed_first:
            self._typed_event.fire(self, bar)
            self.base_event.fire(self, bar)
        else:
            self.base_event.fire(self, bar)
            self.consolidated = bar
            if self._typed_event is not self.base_event:
                self._typed_event.fire(self, bar)
        self.consolidated = bar

    def update(self, data: Any) -> None:
        raise NotImplementedError

    def scan(self, local_time: datetime) -> None:
        """Emit a bar whose period has passed without new data (time-based consolidators)."""

    @property
    def working_data(self) -> Any:
        return None

    @property
    def current(self) -> Any:
        return self._window[0] if len(self._window) else None

    @property
    def previous(self) -> Any:
        return self._window[1] if len(self._window) > 1 else None

    @property
    def window(self) -> RollingWindow:
        return self._window

    def __getitem__(self, index: int) -> Any:
        return self._window[index]

    def reset(self) -> None:
        self.consolidated = None
        self._window.reset()

    def dispose(self) -> None:
        self.disposed = True
        self.base_event.handlers.clear()
        self._typed_event.handlers.clear()

    @property
    def input_type(self) -> type:
        return {"trade": TradeBar, "quote": QuoteBar}.get(self.input_kind, object)

    Update = update
    Scan = scan
    Reset = reset
    Dispose = dispose
    WorkingData = property(lambda self: self.working_data)
    Consolidated = property(lambda self: self.consolidated)
    Current = property(lambda self: self.current)
    Previous = property(lambda self: self.previous)
    Window = property(lambda self: self.window)
    InputType = property(lambda self: self.input_type)
    OutputType = property(lambda self: self.output_type)


class _PeriodSpecification:
    """How a period consolidator rounds a time to its bar's start (LEAN's IPeriodSpecification)."""

    def __init__(self, period: timedelta | None, start_time: timedelta | None = None,
                 calendar: Callable[[datetime], Any] | None = None, mixed: bool = False) -> None:  # fmt: skip
        self.period, self.start_time, self.calendar, self.mixed = period, start_time, calendar, mixed

    def rounded(self, moment: datetime) -> datetime:
        if self.calendar is not None:
            info = self.calendar(moment)
            self.period = info.period
            return info.start
        if self.period is None or self.mixed:
            return moment
        if self.start_time is not None:
            return consolidator_start_time(self.period, self.start_time, moment)
        if self.period > ONE_DAY:
            return moment  # LEAN #4915: periods longer than a day are not rounded
        return round_down(moment, self.period)


def set_end(bar: Any, end: datetime) -> None:
    """LEAN's ``EndTime`` setter on a bar whose period follows from it."""
    bar.end_time = end
    if isinstance(bar, TradeBar) and not isinstance(bar, _DecimalBar):
        bar.period = end - bar.time


def round_down(moment: datetime, period: timedelta) -> datetime:
    """LEAN's ``DateTime.RoundDown``: to a multiple of ``period`` counted from 0001-01-01."""
    if period <= timedelta(0):
        return moment
    return moment - (moment - datetime.min) % period


def consolidator_start_time(period: timedelta, start_time: timedelta, moment: datetime) -> datetime:
    """LEAN's ``GetConsolidatorStartTime``: bars anchored at ``start_time`` of the day (of the month for
    periods of a week or more)."""
    reference = datetime.combine(moment.date(), datetime.min.time()) + start_time
    if period >= timedelta(days=7):
        reference = datetime(moment.year, moment.month, 1) + start_time
    intervals = math.floor((moment - reference).total_seconds() / period.total_seconds())
    return reference + timedelta(seconds=intervals * period.total_seconds())


class _PeriodCountConsolidator(ConsolidatorBase):
    """LEAN's PeriodCountConsolidatorBase: by time span (optionally anchored), by count, both, or by a
    calendar function. A bar is emitted when data comes for a later period, when a scan finds its period
    over, or at the count."""

    def __init__(self, period_or_count: Any, second: Any = None, *, start_time: timedelta | None = None) -> None:
        super().__init__()
        self._max_count: int | None = None
        first = period_or_count
        if isinstance(first, timedelta):
            self._spec = _PeriodSpecification(first, second if second is not None else start_time)
        elif isinstance(first, int) and not isinstance(first, bool):
            self._max_count = first
            self._spec = (
                _PeriodSpecification(second, mixed=True)
                if isinstance(second, timedelta)
                else _PeriodSpecification(None)
            )
        elif callable(first):
            _check_calendar(first)
            self._spec = _PeriodSpecification(timedelta(seconds=1), calendar=first)
        else:
            raise ConsolidatorError(
                f"Unable to create a consolidator period from {first!r}: {type(self).__name__} takes a timedelta "
                "(and a start time), a count (and a timedelta) or a calendar function"
            )
        self._period: timedelta | None = self._spec.period
        self._symbol_id: str | None = None
        self._count = 0
        self._working: Any = None
        self._last_emit: datetime | None = None
        self._checked_span = False

    @property
    def is_time_based(self) -> bool:
        return self._max_count is None

    @property
    def working_data(self) -> Any:
        return self._working

    working_bar = WorkingBar = working_data

    def _rounded_time(self, moment: datetime) -> datetime:
        start = self._spec.rounded(moment)
        if self._working is None:
            self._period = self._spec.period
        return start

    def _rounded_bar_time(self, data: Any) -> datetime:
        start = self._rounded_time(data.time)
        if self._period is not None and start + self._period < data.end_time:
            if data.end_time - data.time == ONE_HOUR and start.date() < data.time.date():
                start = self._rounded_time(data.end_time)  # US equity hour bars start at 9:00, the open is 9:30
            else:
                start = data.time
        return start

    def update(self, data: Any) -> None:
        symbol_id = getattr(data.symbol, "id", data.symbol)
        if self._symbol_id is None:
            self._symbol_id = symbol_id
        elif symbol_id != self._symbol_id:
            raise ConsolidatorError(
                "Consolidators can only be used with a single symbol. The previous consolidated SecurityIdentifier "
                f"({self._symbol_id}) is not the same as in the current data ({symbol_id})."
            )
        if not self._checked_span and self._period is not None and self._spec.calendar is None \
                and not self._spec.mixed and self._max_count is None:  # fmt: skip
            self._checked_span = True
            if data.end_time - data.time > self._period:
                raise ConsolidatorError(
                    f"For Symbol {data.symbol} can not consolidate bars of period: {_span_text(self._period)}, "
                    f"using data of the same or higher period: {_span_text(data.end_time - data.time)}"
                )
        fire = False
        aggregate_before = self._max_count is not None
        if self._max_count is not None:
            self._count += 1
            if self._count >= self._max_count:
                self._count = 0
                fire = True
        if self._last_emit is None:
            self._last_emit = MIN_TIME if self.is_time_based else data.time
        if self._period is not None:
            if (self._working is not None and data.time - self._working.time >= self._period
                    and self._rounded_bar_time(data) > self._last_emit):  # fmt: skip
                fire = True
            if self._period == timedelta(0):
                fire = aggregate_before = True
        if aggregate_before and data.time >= self._last_emit:
            self._aggregate(data)
            if self._max_count is not None:
                set_end(self._working, data.end_time)  # a count bar ends with its last input
        if fire:
            working = self._working
            if working is not None and self._period is not None and isinstance(working, TradeBar):
                set_end(working, working.time + self._period)
            self._last_emit = working.end_time if self.is_time_based and working is not None else data.time
            self._fire(working)
        if not aggregate_before and data.time >= self._last_emit:
            self._aggregate(data)

    def scan(self, local_time: datetime) -> None:
        working, period = self._working, self._period
        if working is None or not period or local_time - working.time < period:
            return
        if self._rounded_time(local_time) > self._last_emit:
            self._last_emit = working.end_time
            self._fire(working)

    def _fire(self, bar: Any) -> None:
        self._emit(bar)
        self._working = None

    def _aggregate(self, data: Any) -> None:
        raise NotImplementedError

    def _bar_period(self, data: Any) -> timedelta:
        if self.is_time_based and self._period is not None:
            return self._period
        return data.end_time - data.time

    def reset(self) -> None:
        super().reset()
        self._symbol_id = None
        self._count = 0
        self._working = None
        self._last_emit = None
        self._checked_span = False


class TradeBarConsolidator(_PeriodCountConsolidator):
    """Trade bars into longer trade bars: first open, highest high, lowest low, last close, summed volume."""

    input_kind = "trade"

    def __init__(self, period_or_count: Any, second: Any = None, start_time: timedelta | None = None) -> None:
        super().__init__(period_or_count, second, start_time=start_time)

    @staticmethod
    def from_resolution(resolution: Any) -> TradeBarConsolidator:
        return TradeBarConsolidator(resolution_span(resolution))

    def _aggregate(self, data: Any) -> None:
        working = self._working
        if working is None:
            start = self._rounded_bar_time(data)
            period = self._bar_period(data)
            self._working = TradeBar(start, start + period, data.symbol, data.open, data.high, data.low, data.close,
                                     data.volume)  # fmt: skip
            return
        working.close = data.close
        working.volume += data.volume
        if data.low < working.low:
            working.low = data.low
        if data.high > working.high:
            working.high = data.high

    FromResolution = from_resolution


class BaseDataConsolidator(_PeriodCountConsolidator):
    """Any data's value into trade bars (LEAN's BaseDataConsolidator: no volume)."""

    def __init__(self, period_or_count: Any, second: Any = None) -> None:
        super().__init__(period_or_count, second)

    def _aggregate(self, data: Any) -> None:
        value = float(data.value)
        working = self._working
        if working is None:
            start = self._rounded_time(data.time)  # LEAN's bar keeps TradeBar's default minute until it is emitted
            self._working = TradeBar(start, start + timedelta(minutes=1), data.symbol, value, value, value, value, 0.0)
            return
        working.close = value
        if value < working.low:
            working.low = value
        if value > working.high:
            working.high = value


class QuoteBarConsolidator(_PeriodCountConsolidator):
    """Quote bars into longer quote bars; a bar after the first opens at the previous bar's closes."""

    input_kind = "quote"
    output_type = QuoteBar

    def __init__(self, period_or_count: Any, second: Any = None, start_time: timedelta | None = None) -> None:
        super().__init__(period_or_count, second, start_time=start_time)

    def _aggregate(self, data: Any) -> None:
        working = self._working
        if working is None:
            start = self._rounded_bar_time(data)
            working = QuoteBar(start, start + self._bar_period(data), data.symbol, None, None, 0.0, 0.0)
            previous = self.consolidated
            if previous is not None:  # opens at the previous bar's closing bid and ask
                if previous.bid is not None and previous.bid.close:
                    close = previous.bid.close
                    working.bid = Bar(close, close, close, close)
                if previous.ask is not None and previous.ask.close:
                    close = previous.ask.close
                    working.ask = Bar(close, close, close, close)
                working.bid_size = previous.bid_size if previous.bid_size > 0 else 0.0
                working.ask_size = previous.ask_size if previous.ask_size > 0 else 0.0
            self._working = working
        for side, size in (("bid", "bid_size"), ("ask", "ask_size")):
            quoted = getattr(data, side)
            if quoted is None:
                continue
            setattr(working, size, getattr(data, size))
            mine = getattr(working, side)
            if mine is None:
                setattr(working, side, Bar(quoted.open, quoted.high, quoted.low, quoted.close))
            else:
                mine.close = quoted.close
                if mine.high < quoted.high:
                    mine.high = quoted.high
                if mine.low > quoted.low:
                    mine.low = quoted.low


class IdentityDataConsolidator(ConsolidatorBase):
    """Each new data point as it is (one per end time)."""

    has_typed_event = False

    def __init__(self, input_kind: str = "any") -> None:
        super().__init__()
        self.input_kind = input_kind
        self._last: Any = None

    def update(self, data: Any) -> None:
        if self._last is None or data.end_time != self._last.end_time:
            self._emit(data)
            self._last = data

    @property
    def working_data(self) -> Any:
        return self._last

    def reset(self) -> None:
        super().reset()
        self._last = None


class _TimelessConsolidator(ConsolidatorBase):
    """LEAN's BaseTimelessConsolidator: a value (and volume) per input from selectors; bars close on price."""

    typed_first = True

    def __init__(self, selector: Callable[[Any], Any] | None = None,
                 volume_selector: Callable[[Any], Any] | None = None) -> None:  # fmt: skip
        super().__init__()
        self._selector = selector
        self._volume_selector = volume_selector
        self._bar: Any = None

    def _value(self, data: Any) -> Decimal:
        return _dec(self._selector(data) if self._selector is not None else data.value)

    def _volume(self, data: Any) -> Decimal:
        if self._volume_selector is not None:
            return _dec(self._volume_selector(data))
        return _dec(data.volume) if isinstance(data, TradeBar) else Decimal(0)

    def update(self, data: Any) -> None:
        value, volume = self._value(data), self._volume(data)
        if self._bar is not None:
            self._update_bar(data.time, value, volume)
        if self._bar is None:
            self._new_bar(data, value, volume)

    def _update_bar(self, time: datetime, value: Decimal, volume: Decimal) -> None:
        raise NotImplementedError

    def _new_bar(self, data: Any, value: Decimal, volume: Decimal) -> None:
        raise NotImplementedError

    @property
    def working_data(self) -> Any:
        return self._bar

    def reset(self) -> None:
        self._bar = None
        super().reset()


class ClassicRenkoConsolidator(_TimelessConsolidator):
    """Classic Renko bricks: a bar closes when the value moves ``bar_size`` from its open; the next opens at
    that close (the first, with ``even_bars``, at the brick multiple above the first value)."""

    output_type = RenkoBar

    def __init__(self, bar_size: Any, selector: Any = None, volume_selector: Any = None,
                 even_bars: bool = True) -> None:  # fmt: skip
        if isinstance(selector, bool):  # ClassicRenkoConsolidator(bar_size, even_bars)
            selector, even_bars = None, selector
        if isinstance(selector, IntEnum):  # the obsolete (bar_size, RenkoType) form
            if int(selector) != RenkoType.CLASSIC:
                raise ConsolidatorError("Please use the new RenkoConsolidator type if RenkoType is not Classic")
            selector = None
        super().__init__(selector, volume_selector)
        self._bar_size = _dec(bar_size)
        if self._bar_size < Decimal("1e-28"):
            raise ConsolidatorError("RenkoConsolidator bar size must be positve and greater than 1e-28")
        self._even_bars = even_bars
        self._last_close: Decimal | None = None

    def _update_bar(self, time: datetime, value: Decimal, volume: Decimal) -> None:
        bar = self._bar
        bar.update(time, value, volume)
        if bar.is_closed:
            self._last_close = bar._close
            self._emit(bar)
            self._bar = None

    def _new_bar(self, data: Any, value: Decimal, volume: Decimal) -> None:
        opened = self._last_close if self._last_close is not None else value
        if self._even_bars and self._last_close is None:
            opened = (opened / self._bar_size).to_integral_value(ROUND_CEILING) * self._bar_size
        self._bar = RenkoBar(data.symbol, data.time, self._bar_size, opened, volume)

    def reset(self) -> None:
        super().reset()
        self._last_close = None

    type = Type = property(lambda self: RenkoType.CLASSIC)


class RenkoConsolidator(ConsolidatorBase):
    """LEAN's (wicked) Renko: bricks of ``bar_size`` from the first price rounded to a brick, with wicks."""

    output_type = RenkoBar
    typed_first = True

    def __init__(self, bar_size: Any) -> None:
        super().__init__()
        self._bar_size = _dec(bar_size)
        if self._bar_size <= 0:
            raise ConsolidatorError("Renko consolidator BarSize must be strictly greater than zero")
        self._first = True
        self._last_wicko: RenkoBar | None = None
        self._current: RenkoBar | None = None
        self._open_on = self._close_on = MIN_TIME
        self._open = self._high = self._low = self._close = Decimal(0)

    def update(self, data: Any) -> None:
        rate = _dec(data.price)
        if self._first:
            self._first = False
            rate = closest_multiple(rate, self._bar_size)
            self._open_on = self._close_on = data.time
            self._open = self._high = self._low = self._close = rate
            return
        self._close_on = data.time
        self._high = max(self._high, rate)
        self._low = min(self._low, rate)
        self._close = rate
        last = self._last_wicko
        if self._close > self._open:
            if last is None or last.direction == BarDirection.RISING:
                self._rising(data)
                return
            limit = last._open + self._bar_size
            if self._close > limit:
                self._wicko(data, last._open, limit, self._low, limit)
                self._open_on, self._open, self._low = self._close_on, limit, limit
                self._rising(data)
        elif self._close < self._open:
            if last is None or last.direction == BarDirection.FALLING:
                self._falling(data)
                return
            limit = last._open - self._bar_size
            if self._close < limit:
                self._wicko(data, last._open, self._high, limit, limit)
                self._open_on, self._open, self._high = self._close_on, limit, limit
                self._falling(data)

    def _wicko(self, data: Any, open_: Decimal, high: Decimal, low: Decimal, close: Decimal) -> None:
        wicko = RenkoBar(data.symbol, self._open_on, self._bar_size, open_, 0, self._close_on, high, low, close,
                         RenkoType.WICKED)  # fmt: skip
        self._last_wicko = wicko
        self._emit(wicko)

    def _rising(self, data: Any) -> None:
        while self._close > (limit := self._open + self._bar_size):
            self._wicko(data, self._open, limit, self._low, limit)
            self._open_on, self._open, self._low = self._close_on, limit, limit

    def _falling(self, data: Any) -> None:
        while self._close < (limit := self._open - self._bar_size):
            self._wicko(data, self._open, self._high, limit, limit)
            self._open_on, self._open, self._high = self._close_on, limit, limit

    def _emit(self, bar: Any) -> None:
        """LEAN fires the typed event before the current bar moves on, then the base event."""
        if bar is not None:
            self._window.add(bar)
        self._typed_event.fire(self, bar)
        self._current = bar
        self.base_event.fire(self, bar)
        self.consolidated = bar

    @property
    def working_data(self) -> Any:
        return self._current

    def reset(self) -> None:
        super().reset()
        self._first = True
        self._last_wicko = self._current = None
        self._open_on = self._close_on = MIN_TIME
        self._open = self._high = self._low = self._close = Decimal(0)

    type = Type = property(lambda self: RenkoType.WICKED)


WickedRenkoConsolidator = RenkoConsolidator


def closest_multiple(price: Decimal, bar_size: Decimal) -> Decimal:
    """LEAN's ``GetClosestMultiple``: the nearest multiple of ``bar_size`` (halves to even)."""
    floor = (price / bar_size).to_integral_value(ROUND_FLOOR)
    modulus = price - bar_size * floor
    return bar_size * (floor + (modulus / bar_size).to_integral_value(ROUND_HALF_EVEN))


class RangeConsolidator(_TimelessConsolidator):
    """Range bars of ``range`` minimum price moves; a move through several ranges makes the bars between
    (with no volume)."""

    output_type = RangeBar

    def __init__(self, range: int, selector: Any = None, volume_selector: Any = None) -> None:
        super().__init__(selector, volume_selector)
        self.range = int(range)
        self._first = True
        self._minimum_price_variation = Decimal(0)
        self.range_size = Decimal(0)

    def _update_bar(self, time: datetime, value: Decimal, volume: Decimal) -> None:
        bar = self._bar
        rising = False
        if value > bar._high:
            rising = True
        elif value < bar._low:
            rising = False
        bar.update(time, value, volume)
        while bar.is_closed:
            self._emit(bar)
            opened = bar._high + self._minimum_price_variation if rising else bar._low - self._minimum_price_variation
            bar = RangeBar(bar.symbol, bar.end_time, self.range_size, opened)
            bar.update(time, value, Decimal(0) if abs(bar._low - value) > self.range_size else volume)
        self._bar = bar

    def _new_bar(self, data: Any, value: Decimal, volume: Decimal) -> None:
        opened = value
        if self._first:
            self._minimum_price_variation = _dec(minimum_price_variation(data.symbol))
            self.range_size = self._minimum_price_variation * self.range
            opened = (opened / self.range_size).to_integral_value(ROUND_CEILING) * self.range_size
            self._first = False
        self._bar = RangeBar(data.symbol, data.time, self.range_size, opened, volume)

    def reset(self) -> None:
        super().reset()
        self._first = True
        self._minimum_price_variation = self.range_size = Decimal(0)

    Range = property(lambda self: self.range)
    RangeSize = property(lambda self: float(self.range_size))


class ClassicRangeConsolidator(RangeConsolidator):
    """Range bars where a move past the range closes the bar and the next opens at the move's value."""

    def _update_bar(self, time: datetime, value: Decimal, volume: Decimal) -> None:
        bar = self._bar
        bar.update(time, value, volume)
        if bar.is_closed:
            self._emit(bar)
            self._bar = None


class VolumeRenkoConsolidator(ConsolidatorBase):
    """Bars of ``bar_size`` traded volume from trade bars."""

    output_type = VolumeRenkoBar

    def __init__(self, bar_size: Any) -> None:
        super().__init__()
        self._bar_size = _dec(bar_size)
        self._bar: VolumeRenkoBar | None = None

    def _adjusted(self, volume: Decimal, price: Decimal) -> Decimal:
        return volume

    def update(self, data: Any) -> None:
        if type(data) is not TradeBar:
            raise ConsolidatorError(f"{type(self).__name__} must be used with TradeBar or Tick data.")
        close = _dec(data.price)
        opened, high, low, volume = _dec(data.open), _dec(data.high), _dec(data.low), _dec(data.volume)
        adjusted = self._adjusted(volume, close)
        if self._bar is None:
            self._bar = VolumeRenkoBar(data.symbol, data.time, data.end_time, self._bar_size, opened, high, low,
                                       close, Decimal(0))  # fmt: skip
        left_over = self._bar.update(data.end_time, high, low, close, adjusted)
        while left_over >= 0:
            self._emit(self._bar)
            self._bar = self._bar.rollover()
            left_over = self._bar.update(data.end_time, high, low, close, left_over)

    @property
    def working_data(self) -> Any:
        return self._bar

    def reset(self) -> None:
        super().reset()
        self._bar = None


class DollarVolumeRenkoConsolidator(VolumeRenkoConsolidator):
    """Bars of ``bar_size`` traded value (volume × price)."""

    def _adjusted(self, volume: Decimal, price: Decimal) -> Decimal:
        return volume * price


class SequentialConsolidator(ConsolidatorBase):
    """The bars of ``first`` fed into ``second``; this consolidator emits ``second``'s bars."""

    has_typed_event = False

    def __init__(self, first: ConsolidatorBase, second: ConsolidatorBase) -> None:
        super().__init__()
        if second.input_kind not in ("any", first_output_kind(first)):
            raise ConsolidatorError("first.OutputType must equal second.OutputType!")
        self.first, self.second = first, second
        self.input_kind = first.input_kind
        self.output_type = second.output_type
        first.base_event += lambda sender, bar: second.update(bar)
        second.base_event += lambda sender, bar: self._emit(bar)

    def update(self, data: Any) -> None:
        self.first.update(data)

    def scan(self, local_time: datetime) -> None:
        self.first.scan(local_time)

    @property
    def working_data(self) -> Any:
        return self.second.working_data

    def reset(self) -> None:
        self.first.reset()
        self.second.reset()
        super().reset()

    First = property(lambda self: self.first)
    Second = property(lambda self: self.second)


class MarketHourAwareConsolidator(ConsolidatorBase):
    """LEAN's daily consolidation of intraday data: bars of the regular session (open to close, early closes
    included) for exchanges with sessions; other data by the period from midnight."""

    has_typed_event = False

    def __init__(self, daily_strict_end_time_enabled: bool, resolution: Any, input_kind: str = "trade",
                 tick_type: Any = None, extended_market_hours: bool = False) -> None:  # fmt: skip
        super().__init__()
        if isinstance(resolution, timedelta):
            raise UnsupportedApi("MarketHourAwareConsolidator with a period (only a resolution)")
        from backtest_core.engines.embedded.model import Resolution

        self._strict_enabled = bool(daily_strict_end_time_enabled)
        self._extended = bool(extended_market_hours)
        self.period = resolution_span(resolution)
        self.input_kind = input_kind
        daily = Resolution(int(resolution)) == Resolution.DAILY
        self._hours: Any = None
        self._use_strict = False
        period = self._daily_strict_end_time if daily else self.period
        self.consolidator = (TradeBarConsolidator if input_kind != "quote" else QuoteBarConsolidator)(period)
        self.output_type = self.consolidator.output_type
        self.consolidator.base_event += lambda sender, bar: self._emit(bar)

    def bind(self, security: Any) -> None:
        """The exchange's hours, as LEAN reads them from its market-hours database on the first data."""
        self._hours = security.hours
        self._use_strict = use_strict_end_time(self._strict_enabled, security, self.period)

    def update(self, data: Any) -> None:
        hours = self._hours
        if (self._extended or hours is None or hours.is_open(data.time, False)
                or (self.period == ONE_DAY and data.end_time - data.time >= ONE_HOUR
                    and hours.is_open_during(data.time, data.end_time, False))):  # fmt: skip
            self.consolidator.update(data)

    def scan(self, local_time: datetime) -> None:
        self.consolidator.scan(local_time)

    def _daily_strict_end_time(self, moment: datetime) -> CalendarInfo:
        if not self._use_strict or self.period > ONE_DAY:
            return CalendarInfo(moment if self.period > ONE_DAY else round_down(moment, self.period), self.period)
        return daily_calendar(moment, self._hours)

    @property
    def working_data(self) -> Any:
        return self.consolidator.working_data

    def reset(self) -> None:
        self.consolidator.reset()
        super().reset()


def use_strict_end_time(enabled: bool, security: Any, period: timedelta) -> bool:
    """LEAN's ``UseStrictEndTime``: daily bars from the open to the close, for exchanges with sessions."""
    from backtest_core.engines.embedded.data import SecurityKind

    if period <= ONE_HOUR or security.kind != SecurityKind.EQUITY:
        return False  # crypto markets are always open; forex is never strict
    return enabled


def daily_calendar(moment: datetime, hours: Any) -> CalendarInfo:
    """LEAN's ``GetDailyCalendar`` for regular hours: the latest session that opened by ``moment``."""
    day = moment.date()
    for _ in range(9):
        session = hours.regular_session(day)
        if session is not None and session[0] <= moment:
            return CalendarInfo(session[0], session[1] - session[0])
        day -= timedelta(days=1)
    raise ConsolidatorError(f"No market open found before {moment} in the last 9 days")


def first_output_kind(consolidator: ConsolidatorBase) -> str:
    return {TradeBar: "trade", QuoteBar: "quote"}.get(consolidator.output_type, "any")


def resolution_span(resolution: Any) -> timedelta:
    from backtest_core.engines.embedded.model import Resolution

    spans = {Resolution.SECOND: timedelta(seconds=1), Resolution.MINUTE: timedelta(minutes=1),
             Resolution.HOUR: ONE_HOUR, Resolution.DAILY: ONE_DAY}  # fmt: skip
    level = Resolution(int(resolution))
    if level not in spans:
        raise UnsupportedApi(f"consolidators at {level.name.lower()} resolution")
    return spans[level]


def _check_calendar(calendar: Callable[[datetime], Any]) -> None:
    if calendar(VERIFICATION_MOMENT).start > VERIFICATION_MOMENT:
        raise ConsolidatorError(
            "FuncPeriodSpecification: Please use a function that computes the start of the bar associated with "
            "the given date time. Should never return a time later than the one passed in."
        )


def _span_text(span: timedelta) -> str:
    """A .NET TimeSpan as text: ``1.00:00:00``, ``01:00:00``."""
    days, rest = divmod(int(span.total_seconds()), 86_400)
    hours, rest = divmod(rest, 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}.{text}" if days else text


def _dec(value: Any) -> Decimal:
    """A price as LEAN's decimal: the float's shortest text (what LEAN's Python bridge does)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


# set by the backtest: a symbol's minimum price variation (Range bars need it, as LEAN's symbol database)
minimum_price_variation: Callable[[Any], float] = lambda symbol: 0.01  # noqa: E731
