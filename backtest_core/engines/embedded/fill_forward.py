"""The times LEAN's fill-forward can emit a bar for a subscription: time steps even when no data arrives.

LEAN's ``FillForwardEnumerator`` repeats a subscription's last bar at every bar end of its resolution's grid
while the exchange is open during that bar (``IsOpenDuringBar``, with extended hours if subscribed), from the
first bar on until the end. Those moments are time steps of LEAN's loop even when no subscription has data
then (``OnData`` sees the fill-forward bars), so the engine's steps include them. Intraday bars end on
multiples of the period in exchange time (9:31 ... 16:00 for minutes, 10:00 ... 16:00 for hours); daily bars
at each trading day's close (DailyPreciseEndTime), or at midnight where the market never closes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from backtest_core.engines.embedded.clock import local_datetime
from backtest_core.engines.embedded.data import MarketHours
from backtest_core.engines.embedded.feed import union_of_sorted
from backtest_core.engines.embedded.model import Resolution

NS = 1_000_000_000
PERIOD_NS = {Resolution.SECOND: NS, Resolution.MINUTE: 60 * NS, Resolution.HOUR: 3600 * NS}


def fill_forward_times(hours: MarketHours, resolution: Resolution, extended: bool, after_ns: int,
                       end_ns: int) -> np.ndarray:  # fmt: skip
    """UTC end times of the grid bars strictly after ``after_ns`` (the first bar's end) and by ``end_ns``."""
    zone = hours.exchange_tz
    first, last = local_datetime(after_ns, zone).date(), local_datetime(end_ns, zone).date()
    if resolution == Resolution.DAILY:
        local = [_daily_end(hours, day) for day in _days(first, last)]
        ends = np.array([_utc_ns(moment, hours) for moment in local if moment is not None], dtype=np.int64)
    else:
        period = PERIOD_NS[resolution]
        parts = []
        for day in _days(first, last):
            midnight = datetime.combine(day, time.min)
            for open_, close in hours.open_windows(day, extended):
                # bars [t - period, t) overlapping the window: aligned t with open < t < close + period (the
                # window is laid out in UTC from its first end: a DST change within it moves whole hours)
                first_end = midnight + timedelta(
                    microseconds=(_offset_ns(open_, midnight) // period + 1) * period // 1000
                )
                start, stop = _utc_ns(first_end, hours), _utc_ns(close, hours) + period
                if start < stop:
                    parts.append(np.arange(start, stop, period, dtype=np.int64))
        ends = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    ends = union_of_sorted([ends])  # in order already but for windows that overlap: linear, not hashed
    return ends[(ends > after_ns) & (ends <= end_ns)]


def _daily_end(hours: MarketHours, day: date) -> datetime | None:
    session = hours.regular_session(day)
    return session[1] if session is not None else None


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _offset_ns(moment: datetime, midnight: datetime) -> int:
    return round((moment - midnight).total_seconds() * NS)


def _utc_ns(local: datetime, hours: MarketHours) -> int:
    return round(local.replace(tzinfo=hours.exchange_tz).timestamp() * 1_000_000) * 1000
