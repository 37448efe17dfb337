"""Trading days and closing equity: the one daily convention every comparison uses.

A trading day's closing equity is the last equity point before the next trading day's session opens. After
the close prices stop moving, and LEAN samples the day's equity at the following midnight, so a daily and
a minute result of the same algorithm get the same closes on the same dates. Points at or before a day's
open (LEAN's midnight sample, the starting capital) belong to the trading day before; weekend and holiday
samples fold into the last trading day, so returns are per trading day, never per calendar day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from backtest_core.engines.embedded.data import MarketHours

US_EQUITY_DAYS_PER_YEAR = 252  # LEAN's default Settings.TradingDaysPerYear
EVERY_DAY_PER_YEAR = 365  # what LEAN sets for crypto brokerages (BaseSetupHandler)


@dataclass(frozen=True)
class TradingCalendar:
    """An exchange's trading days and session opens (from LEAN's market-hours database), and how many of
    its trading days make a year for annualising."""

    name: str
    hours: MarketHours
    periods_per_year: int

    def trading_days(self, first: date, last: date) -> list[date]:
        days, day = [], first
        while day <= last:
            if self.hours.is_trading_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def session_opens(self, days: list[date]) -> np.ndarray:
        """UTC nanoseconds of each trading day's regular open."""
        opens = []
        for day in days:
            session = self.hours.regular_session(day)
            assert session is not None  # only trading days are passed
            opens.append(session[0])
        local = pd.DatetimeIndex(opens).tz_localize(self.hours.exchange_tz)
        return local.tz_convert("UTC").asi8

    def first_on_or_after(self, day: date) -> date:
        while not self.hours.is_trading_day(day):
            day += timedelta(days=1)
        return day

    def last_on_or_before(self, day: date) -> date:
        while not self.hours.is_trading_day(day):
            day -= timedelta(days=1)
        return day


def trading_day_of(equity: pd.Series, calendar: TradingCalendar) -> pd.DatetimeIndex:
    """For each equity point, the trading day whose close it values (tz-naive dates; see the module text)."""
    utc = equity.index.tz_convert("UTC")
    local = utc.tz_convert(calendar.hours.exchange_tz)
    first = local[0].date() - timedelta(days=10)  # room for the trading day before the first point
    days = calendar.trading_days(first, local[-1].date())
    opens = calendar.session_opens(days)
    position = np.searchsorted(opens, utc.asi8, side="left") - 1  # last open strictly before each point
    return pd.DatetimeIndex(np.array(days, dtype="datetime64[ns]")[np.maximum(position, 0)], name="date")


def daily_closes(equity: pd.Series, calendar: TradingCalendar) -> pd.Series:
    """Closing equity of each trading day the curve covers (index: the trading dates, tz-naive).

    The first entry is the trading day before the run's first session: its value is the starting equity,
    the base of the first day's return.
    """
    if equity.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"), name=equity.name)
    days = trading_day_of(equity, calendar)
    closes = pd.Series(equity.to_numpy(dtype=float), index=days).groupby(level=0).last()
    closes.index.name = "date"
    return closes.rename(equity.name)
