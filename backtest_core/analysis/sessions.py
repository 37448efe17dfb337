"""The exchange's clock for time axes: its wall-clock time, and the spans in which it does not trade.

Result charts are drawn in the exchange's time zone (LEAN's algorithm time for US equities), named on the
axis, so that "overnight" and "the weekend" mean what they mean to an analyst. An intraday result's axis
skips every span in which none of the traded exchanges is open, worked out from LEAN's market-hours
database (``MarketHours``: weekly sessions, holidays, early closes, late opens). The pre- and post-market
sessions count as open only when the equity curve was sampled in them at many different times of day (an
algorithm trading extended hours); a few odd samples (a scheduled event at 06:30) stay hidden in the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from backtest_core.engines.embedded.data import MarketHours

UTC = ZoneInfo("UTC")
EXTENDED_SAMPLE_TIMES = 10  # distinct times of day sampled in extended-only sessions that mean "extended hours"
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class TimeAxis:
    """How a result's times are shown: the zone (IANA name), intraday or dates, and the closed spans to skip
    (exchange wall-clock times, ``[start, end)``). ``note`` says why the zone is what it is when not obvious."""

    zone: str
    intraday: bool
    closed: tuple[Span, ...] = ()
    note: str = ""

    @property
    def title(self) -> str:
        return f"Time ({self.zone})" if self.intraday else f"Date ({self.zone})"

    def local(self, index: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """UTC times as the exchange's wall-clock times (tz-naive, what a Plotly date axis draws)."""
        return exchange_times(index, ZoneInfo(self.zone))

    def drawn(self, index: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Where UTC times go on the axis: their exchange wall-clock times, with a time inside a closed span
        moved to the span's end (the next open; for the last span, its start). The axis has no room inside
        a closed span, and Plotly breaks a line at a point drawn there; an equity sample at midnight (LEAN's
        daily sample) holds the value of the close before, which is where the next open's pixel lies."""
        local = self.local(index)
        if not self.closed or local.empty:
            return local
        times = local.to_numpy(dtype="datetime64[ns]")
        starts = np.array([start for start, _ in self.closed], dtype="datetime64[ns]")
        ends = np.array([end for _, end in self.closed], dtype="datetime64[ns]")
        position = np.searchsorted(starts, times, side="right") - 1
        span = np.maximum(position, 0)
        inside = (position >= 0) & (times < ends[span])
        targets = ends.copy()
        targets[-1] = starts[-1]  # the last span runs to the end of the axis: its start is the last pixel
        placed = np.where(inside, targets[span], times)
        return pd.DatetimeIndex(placed, name=local.name)

    def utc(self, moment: datetime | pd.Timestamp) -> pd.Timestamp:
        """An exchange wall-clock time (a zoom bound, a URL value) as a UTC timestamp."""
        stamp = pd.Timestamp(moment)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize(self.zone, ambiguous=True, nonexistent="shift_forward")
        return stamp.tz_convert("UTC")


def exchange_times(index: pd.DatetimeIndex, zone: ZoneInfo) -> pd.DatetimeIndex:
    return index.tz_convert(zone).tz_localize(None)


def open_spans(hours: Sequence[MarketHours], zone: ZoneInfo, first: date, last: date, extended: bool) -> list[Span]:
    """Merged spans (wall-clock time in ``zone``) in which at least one of ``hours`` is open, days first..last."""
    spans: list[Span] = []
    for market in hours:
        day = first - timedelta(days=1)  # a session that starts the evening before (forex) reaches into ``first``
        while day <= last + timedelta(days=1):
            for start, end in market.open_windows(day, extended):
                spans.append((_in_zone(start, market.exchange_tz, zone), _in_zone(end, market.exchange_tz, zone)))
            day += timedelta(days=1)
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def closed_spans(open_: Sequence[Span], first: date, last: date) -> list[Span]:
    """The complement of ``open_`` within ``[first 00:00, last+1 00:00)``."""
    cursor, stop = datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min)
    closed: list[Span] = []
    for start, end in open_:
        start, end = max(start, cursor), min(end, stop)
        if start >= end:
            continue
        if start > cursor:
            closed.append((cursor, start))
        cursor = end
    if cursor < stop:
        closed.append((cursor, stop))
    return closed


def has_intraday_samples(local: pd.DatetimeIndex) -> bool:
    """Some day was sampled at two or more times other than midnight (LEAN's daily sample is at 00:00)."""
    daytime = local[(local.hour != 0) | (local.minute != 0)]
    return bool(len(daytime)) and bool(pd.Series(daytime).groupby(daytime.normalize()).nunique().max() >= 2)


def samples_extended_hours(local: pd.DatetimeIndex, regular: Sequence[Span], extended: Sequence[Span]) -> bool:
    """The curve was sampled at many times of day that only the extended sessions cover."""
    if local.empty:
        return False
    values = local.to_numpy()
    inside_regular = inside_spans(values, regular)
    inside_extended = inside_spans(values, extended)
    only_extended = local[inside_extended & ~inside_regular]
    return len(set(zip(only_extended.hour, only_extended.minute, strict=True))) >= EXTENDED_SAMPLE_TIMES


def time_axis(equity: pd.Series, hours: Sequence[MarketHours], resolution: str | None, note: str = "") -> TimeAxis:
    """The axis of a result whose equity (UTC index) was computed on exchanges with ``hours`` (none: unknown,
    drawn in UTC without gaps). It is intraday when the curve was sampled at two or more daytime moments of
    some day, unless the run's data resolution (when known) is daily: a minute run that got no data has only
    LEAN's midnight samples and is drawn on dates."""
    zone = hours[0].exchange_tz if hours else UTC
    if equity.empty:
        return TimeAxis(zone=str(zone), intraday=False, note=note)
    local = exchange_times(equity.index, zone)
    intraday = resolution != "daily" and has_intraday_samples(local)
    if not intraday or not hours:
        return TimeAxis(zone=str(zone), intraday=intraday, note=note)
    first, last = local[0].date(), local[-1].date()
    regular = open_spans(hours, zone, first, last, extended=False)
    extended = open_spans(hours, zone, first, last, extended=True)
    chosen = extended if samples_extended_hours(local, regular, extended) else regular
    return TimeAxis(zone=str(zone), intraday=True, closed=tuple(closed_spans(chosen, first, last)), note=note)


def _in_zone(moment: datetime, source: ZoneInfo, target: ZoneInfo) -> datetime:
    if source == target:
        return moment
    return moment.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)


def inside_spans(values: np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """Whether each time lies in one of the sorted, disjoint ``spans``."""
    times = np.asarray(values, dtype="datetime64[ns]")
    if not spans:
        return np.zeros(len(times), dtype=bool)
    starts = np.array([s for s, _ in spans], dtype="datetime64[ns]")
    ends = np.array([e for _, e in spans], dtype="datetime64[ns]")
    position = np.searchsorted(starts, times, side="right") - 1
    return (position >= 0) & (times < ends[np.maximum(position, 0)])
