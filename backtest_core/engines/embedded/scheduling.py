"""``self.schedule.on(date_rule, time_rule, action)`` with LEAN's date and time rules (``Common/Scheduling``).

A date rule gives dates (a security's trading days for the rules that name one, with LEAN's offsets and
period boundaries); a time rule turns each date into moments, in the algorithm's time zone (``at``,
``every``, ``midnight``, ``noon``) or the exchange's (market open and close). Rules are worked out into UTC
moments when the backtest needs them, so the loop only walks a sorted list; an event scheduled while the
algorithm runs joins that list, and its moments already past are skipped, as LEAN's.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backtest_core.engines.embedded.data import MarketHours
from backtest_core.engines.embedded.model import LeanObject

DAY_NAMES = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NS = 1_000_000_000


class DayOfWeek:
    SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = 6, 0, 1, 2, 3, 4, 5
    Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday = 6, 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class DateRule:
    name: str
    days: Callable[[date, date], list[date]]


@dataclass(frozen=True)
class TimeRule:
    name: str
    moments: Callable[[date], list[datetime]]  # aware datetimes


def utc_ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000


class DateRules(LeanObject):
    """LEAN's DateRules; ``hours_of(symbol)`` gives a security's exchange hours, ``now()`` the algorithm's
    current time in its zone."""

    def __init__(self, hours_of: Callable[[Any], MarketHours], now: Callable[[], datetime]) -> None:
        self._hours_of = hours_of
        self._now = now

    @property
    def today(self) -> DateRule:
        today = self._now().date()
        return DateRule("TodayOnly", lambda start, end: [today])

    @property
    def tomorrow(self) -> DateRule:
        tomorrow = self._now().date() + timedelta(days=1)
        return DateRule("TomorrowOnly", lambda start, end: [tomorrow])

    def every_day(self, symbol: Any = None, extended_market_hours: bool = False) -> DateRule:
        if symbol is None:
            return DateRule("EveryDay", lambda start, end: list(_days(start, end)))
        hours = self._hours_of(symbol)
        return DateRule(
            f"{symbol}: EveryDay",
            lambda start, end: [d for d in _days(start, end) if _date_open(hours, d, extended_market_hours)],
        )

    def every(self, *days: Any) -> DateRule:
        wanted = {int(d) for d in (days[0] if len(days) == 1 and isinstance(days[0], list | tuple) else days)}
        return DateRule("Every", lambda start, end: [d for d in _days(start, end) if d.weekday() in wanted])

    def on(self, *dates: Any) -> DateRule:
        """``on(date, ...)`` or LEAN's ``on(year, month, day)``."""
        if len(dates) == 3 and all(isinstance(part, int) for part in dates):
            dates = (date(*dates),)
        chosen = sorted({d.date() if isinstance(d, datetime) else d for d in dates})
        return DateRule("On", lambda start, end: [d for d in chosen if start <= d <= end])

    def week_start(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("WeekStart", symbol, days_offset, extended_market_hours, True, _weeks, 6)

    def week_end(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("WeekEnd", symbol, days_offset, extended_market_hours, False, _weeks, 6)

    def month_start(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("MonthStart", symbol, days_offset, extended_market_hours, True, _months, 30)

    def month_end(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("MonthEnd", symbol, days_offset, extended_market_hours, False, _months, 30)

    def quarter_start(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("QuarterStart", symbol, days_offset, extended_market_hours, True, _quarters, 92)

    def quarter_end(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("QuarterEnd", symbol, days_offset, extended_market_hours, False, _quarters, 92)

    def year_start(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("YearStart", symbol, days_offset, extended_market_hours, True, _years, 365)

    def year_end(self, symbol: Any = None, days_offset: int = 0, extended_market_hours: bool = True) -> DateRule:
        return self._period("YearEnd", symbol, days_offset, extended_market_hours, False, _years, 365)

    def _period(self, name: str, symbol: Any, offset: int, extended: bool, forward: bool,
                periods: Callable[..., Iterator[tuple[date, date]]], limit: int) -> DateRule:  # fmt: skip
        """LEAN's period rules: the period's first (last) day, or the next (previous) trading day when closed,
        moved ``offset`` trading days on, but never past the period's other end."""
        if isinstance(symbol, int) and not isinstance(symbol, bool):
            symbol, offset = None, symbol  # week_start(2): LEAN's offset-only overload
        offset = int(offset)
        hours = self._hours_of(symbol) if symbol is not None else None
        if hours is not None and periods is _weeks:
            days = _trading_weekdays(hours)
            if offset > len(days) - 1:
                raise ValueError(
                    f"DateRules.{name}() : offset {offset} is out of range for {symbol}'s schedule, please use an "
                    f"offset between 0 - {len(days) - 1}"
                )
        elif not 0 <= offset <= limit:
            raise ValueError(f"DateRules.{name}() : Offset must be between 0 and {limit}")
        extended = extended if hours is not None else False

        def days(start: date, end: date) -> list[date]:
            chosen = []
            for base, boundary in periods(start, end, hours, forward):
                day = _scheduled_day(hours, base, offset, forward, extended, boundary)
                if start <= day <= end:
                    chosen.append(day)
            return chosen

        return DateRule(f"{symbol}: {name}" if symbol is not None else name, days)

    Today = today
    Tomorrow = tomorrow
    EveryDay = every_day
    Every = every
    On = on
    WeekStart = week_start
    WeekEnd = week_end
    MonthStart = month_start
    MonthEnd = month_end
    QuarterStart = quarter_start
    QuarterEnd = quarter_end
    YearStart = year_start
    YearEnd = year_end


def _date_open(hours: MarketHours | None, day: date, extended: bool) -> bool:
    """LEAN's ``IsDateOpen``: the exchange has hours that day (any with extended hours)."""
    if hours is None:
        return True
    if day in hours.holidays:
        return False
    return any(extended or state == "market" for _, _, state in hours.sessions.get(day.weekday(), []))


def _scheduled_day(hours: MarketHours | None, base: date, offset: int, forward: bool, extended: bool,
                   boundary: date | None) -> date:  # fmt: skip
    """LEAN's ``GetScheduledDay``."""
    step = timedelta(days=1 if forward else -1)

    def next_trading(day: date) -> date:
        day += step
        while not _date_open(hours, day, False):
            day += step
        return day

    day = base
    if not _date_open(hours, day, extended):
        day = next_trading(day)
    for _ in range(offset):
        day = next_trading(day)
    if boundary is not None:
        if forward and day > boundary:
            day = _scheduled_day(hours, boundary, 0, False, extended, None)
        if not forward and day < boundary:
            day = _scheduled_day(hours, boundary, 0, True, extended, None)
    return day


def _trading_weekdays(hours: MarketHours) -> list[int]:
    """The weekdays (Python's numbering) with hours, Sunday first as .NET orders them."""
    return sorted((d for d in range(7) if hours.sessions.get(d)), key=lambda d: (d + 1) % 7)


def _weeks(start: date, end: date, hours: MarketHours | None, forward: bool) -> Iterator[tuple[date, date]]:
    """Each week's base day and boundary: Monday to Sunday (back from Friday to the Saturday before), or the
    schedule's first and last trading weekday, over the weeks of ``start`` through ``end`` (LEAN's weeks run
    Monday to Sunday)."""
    if hours is None:
        base_day, boundary_day = (1, 7) if forward else (5, -1)  # .NET weekdays: Sunday 0 ... Saturday 6
    else:
        days = [(day + 1) % 7 for day in _trading_weekdays(hours)]
        base_day, boundary_day = (days[0], days[-1]) if forward else (days[-1], days[0])
    monday = start - timedelta(days=start.weekday())
    last_sunday = end + timedelta(days=6 - end.weekday())
    base = monday + timedelta(days=(base_day - 1) % 7)
    while base <= last_sunday:
        yield base, base + timedelta(days=boundary_day - base_day)
        base += timedelta(days=7)


def _months(start: date, end: date, hours: Any, forward: bool) -> Iterator[tuple[date, date]]:
    month = date(start.year, start.month, 1)
    while month <= end:
        last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        yield (month, last) if forward else (last, month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _quarters(start: date, end: date, hours: Any, forward: bool) -> Iterator[tuple[date, date]]:
    quarter = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while quarter <= end:
        last_month = quarter.month + 2
        last = date(quarter.year, last_month, calendar.monthrange(quarter.year, last_month)[1])
        yield (quarter, last) if forward else (last, quarter)
        quarter = date(quarter.year + (quarter.month + 2) // 12, (quarter.month + 2) % 12 + 1, 1)


def _years(start: date, end: date, hours: Any, forward: bool) -> Iterator[tuple[date, date]]:
    """LEAN iterates from the start's month to the end's month: a year whose first (last) day falls outside
    them has no event."""
    span_first = date(start.year, start.month, 1)
    span_last = date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
    for year in range(start.year, end.year + 1):
        first, last = date(year, 1, 1), date(year, 12, 31)
        base, boundary = (first, last) if forward else (last, first)
        if span_first <= base <= span_last:
            yield base, boundary


class TimeRules(LeanObject):
    """LEAN's TimeRules; ``time_zone()`` is the algorithm's, ``now()`` the current UTC moment, ``all_hours()``
    the exchange hours of the algorithm's securities (the rules without a symbol use the earliest open and
    latest close among them)."""

    def __init__(self, hours_of: Callable[[Any], MarketHours], time_zone: Callable[[], ZoneInfo],
                 now: Callable[[], datetime] | None = None,
                 all_hours: Callable[[], list[MarketHours]] | None = None) -> None:  # fmt: skip
        self._hours_of, self._time_zone = hours_of, time_zone
        self._now, self._all_hours = now, all_hours or (lambda: [])

    def at(self, *args: Any) -> TimeRule:
        """``at(hour, minute[, second][, zone])`` or ``at(timedelta[, zone])``, in the algorithm's zone by default."""
        zone = args[-1] if args and isinstance(args[-1], ZoneInfo | str) else None
        numbers = args[:-1] if zone is not None else args
        if numbers and isinstance(numbers[0], timedelta):
            offset = numbers[0]
        elif numbers and isinstance(numbers[0], time):
            moment = numbers[0]
            offset = timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)
        else:
            hour, minute, second = (*[int(n) for n in numbers], 0, 0)[:3]
            offset = timedelta(hours=hour, minutes=minute, seconds=second)
        zone_of = (lambda: ZoneInfo(zone) if isinstance(zone, str) else zone) if zone is not None else self._time_zone
        return TimeRule("At", lambda day: [_aware(datetime.combine(day, time.min) + offset, zone_of())])

    @property
    def midnight(self) -> TimeRule:
        return TimeRule("Midnight", lambda day: [_aware(datetime.combine(day, time.min), self._time_zone())])

    @property
    def noon(self) -> TimeRule:
        return TimeRule("Noon", lambda day: [_aware(datetime.combine(day, time(12)), self._time_zone())])

    @property
    def now(self) -> TimeRule:
        moment = self._now() if self._now is not None else None
        return TimeRule("Now", lambda day: [moment])

    def every(self, interval: timedelta) -> TimeRule:
        step = interval if isinstance(interval, timedelta) else timedelta(minutes=float(interval))
        if step <= timedelta(0):
            raise ValueError("TimeRules.Every(): time span interval can not be zero or less")

        def moments(day: date) -> list[datetime]:
            start, zone = datetime.combine(day, time.min), self._time_zone()
            count = -(-timedelta(days=1) // step)  # ceil: times from midnight while under a day
            return [_aware(start + step * i, zone) for i in range(count)]

        return TimeRule("Every", moments)

    def after_market_open(self, symbol: Any = None, minutes_after_open: float = 0,
                          extended_market_open: bool = False) -> TimeRule:  # fmt: skip
        if isinstance(symbol, int | float) and not isinstance(symbol, bool):  # (minutes, extended) without a symbol
            symbol, minutes_after_open, extended_market_open = None, symbol, bool(minutes_after_open)
        shift = timedelta(minutes=float(minutes_after_open))
        hours_list = (lambda: [self._hours_of(symbol)]) if symbol is not None else self._all_hours

        def moments(day: date) -> list[datetime]:
            found = [_aware(opens + shift, hours.exchange_tz) for hours in hours_list()
                     if (opens := _first_open(hours, day, extended_market_open)) is not None]  # fmt: skip
            return [min(found)] if found else []

        return TimeRule("AfterMarketOpen", moments)

    def before_market_open(self, symbol: Any = None, minutes_before_open: float = 0,
                           extended_market_open: bool = False) -> TimeRule:  # fmt: skip
        if isinstance(symbol, int | float) and not isinstance(symbol, bool):
            symbol, minutes_before_open, extended_market_open = None, symbol, bool(minutes_before_open)
        return self.after_market_open(symbol, -float(minutes_before_open), extended_market_open)

    def before_market_close(self, symbol: Any = None, minutes_before_close: float = 0,
                            extended_market_close: bool = False) -> TimeRule:  # fmt: skip
        if isinstance(symbol, int | float) and not isinstance(symbol, bool):
            symbol, minutes_before_close, extended_market_close = None, symbol, bool(minutes_before_close)
        shift = timedelta(minutes=float(minutes_before_close))
        hours_list = (lambda: [self._hours_of(symbol)]) if symbol is not None else self._all_hours

        def moments(day: date) -> list[datetime]:
            found = [_aware(closes - shift, hours.exchange_tz) for hours in hours_list()
                     if (closes := _last_close(hours, day, extended_market_close)) is not None]  # fmt: skip
            return [max(found)] if found else []

        return TimeRule("BeforeMarketClose", moments)

    def after_market_close(self, symbol: Any = None, minutes_after_close: float = 0,
                           extended_market_close: bool = False) -> TimeRule:  # fmt: skip
        if isinstance(symbol, int | float) and not isinstance(symbol, bool):
            symbol, minutes_after_close, extended_market_close = None, symbol, bool(minutes_after_close)
        return self.before_market_close(symbol, -float(minutes_after_close), extended_market_close)

    At = at
    Midnight = midnight
    Noon = noon
    Now = now
    AfterMarketOpen = after_market_open
    BeforeMarketOpen = before_market_open
    BeforeMarketClose = before_market_close
    AfterMarketClose = after_market_close
    Every = every


def _first_open(hours: MarketHours, day: date, extended: bool) -> datetime | None:
    """The day's first open (of a market segment, or any segment with extended hours), if it opens."""
    if not _date_open(hours, day, extended):
        return None
    if not extended:
        session = hours.regular_session(day)
        return session[0] if session is not None else None
    windows = hours.open_windows(day, True)
    return min(start for start, _ in windows) if windows else None


def _last_close(hours: MarketHours, day: date, extended: bool) -> datetime | None:
    """The day's last close (LEAN's ``GetLastDailyMarketClose``)."""
    if not _date_open(hours, day, extended):
        return None
    if not extended:
        session = hours.regular_session(day)
        return session[1] if session is not None else None
    windows = hours.open_windows(day, True)
    return max(end for _, end in windows) if windows else None


def _aware(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone)


@dataclass
class ScheduledEvent:
    name: str
    date_rule: DateRule
    time_rule: TimeRule
    action: Callable[..., Any]

    def utc_times(self, start: date, end: date) -> list[int]:
        """The event's moments (UTC nanoseconds) on the rule's dates from ``start`` to ``end``, in order."""
        moments = {
            utc_ns(moment)
            for day in self.date_rule.days(start, end)
            for moment in self.time_rule.moments(day)
            if moment is not None
        }
        return sorted(moments)


class Scheduler(LeanObject):
    """``self.schedule``; ``added(event)`` tells a running backtest of an event scheduled during the run."""

    def __init__(self) -> None:
        self.events: list[ScheduledEvent] = []
        self.added: Callable[[ScheduledEvent], None] | None = None

    def on(self, *args: Any) -> ScheduledEvent:
        """``on(date_rule, time_rule, action)`` or LEAN's named form ``on(name, date_rule, time_rule, action)``."""
        name = args[0] if args and isinstance(args[0], str) else None
        rest = args[1:] if name is not None else args
        date_rule, time_rule, action = rest[:3]
        if not callable(action):
            action, time_rule = time_rule, action  # type: ignore[assignment]
        event = ScheduledEvent(name or f"{date_rule.name}: {time_rule.name}", date_rule, time_rule, action)
        self.events.append(event)
        if self.added is not None:
            self.added(event)
        return event

    On = on


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
