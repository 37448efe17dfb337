"""``self.schedule.on(date_rule, time_rule, action)`` with LEAN's date and time rules.

Rules become concrete exchange-local datetimes for the backtest period once initialize has run, so the loop
only walks a sorted list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from backtest_core.engines.embedded.data import MarketHours
from backtest_core.engines.embedded.model import LeanObject

DAY_NAMES = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


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
    times: Callable[[date], list[datetime]]


class DateRules(LeanObject):
    def __init__(self, hours_of: Callable[[Any], MarketHours]) -> None:
        self._hours_of = hours_of

    def every_day(self, symbol: Any = None) -> DateRule:
        if symbol is None:
            return DateRule("EveryDay", lambda start, end: list(_days(start, end)))
        hours = self._hours_of(symbol)
        return DateRule(
            f"EveryDay: {symbol}", lambda start, end: [d for d in _days(start, end) if hours.is_trading_day(d)]
        )

    def every(self, *days: Any) -> DateRule:
        wanted = {int(d) for d in (days[0] if len(days) == 1 and isinstance(days[0], list | tuple) else days)}
        return DateRule("Every", lambda start, end: [d for d in _days(start, end) if d.weekday() in wanted])

    def week_start(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        return self._period_start("WeekStart", symbol, days_offset, lambda d: d.isocalendar()[:2])

    def month_start(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        return self._period_start("MonthStart", symbol, days_offset, lambda d: (d.year, d.month))

    def on(self, *dates: Any) -> DateRule:
        """``on(date, ...)`` or LEAN's ``on(year, month, day)``."""
        if len(dates) == 3 and all(isinstance(part, int) for part in dates):
            dates = (date(*dates),)
        chosen = {d.date() if isinstance(d, datetime) else d for d in dates}
        return DateRule("On", lambda start, end: sorted(d for d in chosen if start <= d <= end))

    def _period_start(self, name: str, symbol: Any, offset: int, key: Callable[[date], Any]) -> DateRule:
        hours = self._hours_of(symbol) if symbol is not None else None

        def days(start: date, end: date) -> list[date]:
            chosen: dict[Any, list[date]] = {}
            # look back far enough that the first period's start is known, then keep the range
            for day in _days(start - timedelta(days=40), end):
                if hours is None or hours.is_trading_day(day):
                    chosen.setdefault(key(day), []).append(day)
            picked = [group[min(offset, len(group) - 1)] for group in chosen.values()]
            return [d for d in picked if start <= d <= end]

        return DateRule(name, days)

    EveryDay = every_day
    Every = every
    WeekStart = week_start
    MonthStart = month_start
    On = on


class TimeRules(LeanObject):
    def __init__(self, hours_of: Callable[[Any], MarketHours], time_zone: Callable[[], Any]) -> None:
        self._hours_of = hours_of

    def at(self, hour: int | time, minute: int = 0, second: int = 0) -> TimeRule:
        at = hour if isinstance(hour, time) else time(int(hour), int(minute), int(second))
        return TimeRule("At", lambda day: [datetime.combine(day, at)])

    def midnight(self) -> TimeRule:
        return self.at(0, 0)

    def noon(self) -> TimeRule:
        return self.at(12, 0)

    def after_market_open(
        self, symbol: Any, minutes_after_open: float = 0, extended_market_open: bool = False
    ) -> TimeRule:
        hours = self._hours_of(symbol)

        def times(day: date) -> list[datetime]:
            session = hours.regular_session(day)
            return [session[0] + timedelta(minutes=minutes_after_open)] if session else []

        return TimeRule("AfterMarketOpen", times)

    def before_market_close(
        self, symbol: Any, minutes_before_close: float = 0, extended_market_close: bool = False
    ) -> TimeRule:
        hours = self._hours_of(symbol)

        def times(day: date) -> list[datetime]:
            session = hours.regular_session(day)
            return [session[1] - timedelta(minutes=minutes_before_close)] if session else []

        return TimeRule("BeforeMarketClose", times)

    def every(self, interval: timedelta) -> TimeRule:
        step = interval if isinstance(interval, timedelta) else timedelta(minutes=float(interval))

        def times(day: date) -> list[datetime]:
            start = datetime.combine(day, time.min)
            count = int(timedelta(days=1) / step)
            return [start + step * i for i in range(count)]

        return TimeRule("Every", times)

    At = at
    Midnight = property(lambda self: self.midnight())
    Noon = property(lambda self: self.noon())
    AfterMarketOpen = after_market_open
    BeforeMarketClose = before_market_close
    Every = every


@dataclass
class ScheduledEvent:
    name: str
    date_rule: DateRule
    time_rule: TimeRule
    action: Callable[..., Any]

    def times(self, start: date, end: date) -> Iterator[datetime]:
        for day in self.date_rule.days(start, end):
            yield from self.time_rule.times(day)


class Scheduler(LeanObject):
    def __init__(self) -> None:
        self.events: list[ScheduledEvent] = []

    def on(self, date_rule: DateRule, time_rule: TimeRule, action: Callable[..., Any], *_: Any) -> ScheduledEvent:
        if not callable(action):
            action, time_rule = time_rule, action  # type: ignore[assignment]
        event = ScheduledEvent(f"{date_rule.name}: {time_rule.name}", date_rule, time_rule, action)
        self.events.append(event)
        return event

    On = on


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
