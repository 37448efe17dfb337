"""The window a comparison is made on, which runs it can hold, and the runs' curves cut to it.

A window is a span of trading days ``[start, end]``, both inclusive. A run covers it when it has a closing
equity on the trading day before ``start`` (the base every return of the window is measured from) and on
``end``. Runs that do not are excluded with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pydantic import BaseModel

from backtest_core.analysis.calendar import TradingCalendar, trading_day_of

NO_CURVE = "its equity curve has fewer than two trading-day closes"


class Window(BaseModel):
    """Trading days ``start`` to ``end`` inclusive."""

    start: date
    end: date

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


class Excluded(BaseModel):
    """A chosen run left out of the comparison, and why (shown to the analyst)."""

    id: str
    reason: str


@dataclass(frozen=True, eq=False)
class RunCurve:
    """One run's equity at full detail (UTC index) and its closing equity per trading day (see calendar)."""

    id: str
    label: str
    equity: pd.Series
    closes: pd.Series

    @property
    def first_day(self) -> date | None:
        """The first trading day with a return (the close before it is the starting equity)."""
        return self.closes.index[1].date() if len(self.closes) > 1 else None

    @property
    def last_day(self) -> date | None:
        return self.closes.index[-1].date() if len(self.closes) > 1 else None

    def own_window(self) -> Window | None:
        first, last = self.first_day, self.last_day
        return Window(start=first, end=last) if first and last else None


def coverage_problem(curve: RunCurve, window: Window) -> str | None:
    """Why ``curve`` cannot be compared on ``window`` (None when it covers it)."""
    if curve.first_day is None or curve.last_day is None:
        return NO_CURVE
    if curve.last_day < window.start or curve.first_day > window.end:
        return f"its data ({curve.first_day} – {curve.last_day}) does not overlap the window {window.label()}"
    if curve.first_day > window.start or curve.last_day < window.end:
        return f"its data ({curve.first_day} – {curve.last_day}) covers only part of the window {window.label()}"
    return None


def common_window(curves: Sequence[RunCurve]) -> tuple[Window | None, list[Excluded]]:
    """The span every kept run covers: runs are taken in order (the baseline first) and one that would leave
    no common trading day is excluded, so the window is never empty while the first run has data."""
    window: Window | None = None
    excluded: list[Excluded] = []
    for curve in curves:
        own = curve.own_window()
        if own is None:
            excluded.append(Excluded(id=curve.id, reason=NO_CURVE))
            continue
        if window is None:
            window = own
            continue
        start, end = max(window.start, own.start), min(window.end, own.end)
        if start > end:
            reason = f"its data ({own.label()}) does not overlap the common window {window.label()} of the runs before"
            excluded.append(Excluded(id=curve.id, reason=reason))
            continue
        window = Window(start=start, end=end)
    return window, excluded


def snapped(window: Window, calendar: TradingCalendar) -> Window:
    """``window`` moved inward onto trading days (a brush or typed dates may fall on a weekend)."""
    return Window(start=calendar.first_on_or_after(window.start), end=calendar.last_on_or_before(window.end))


def window_closes(closes: pd.Series, window: Window) -> pd.Series:
    """The base close (last one before ``start``) followed by the closes of the window's trading days."""
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    before = closes.loc[closes.index < start]
    inside = closes.loc[(closes.index >= start) & (closes.index <= end)]
    return pd.concat([before.iloc[-1:], inside]) if len(before) else inside


def window_returns(closes: pd.Series, window: Window) -> pd.Series:
    """Daily returns (fractions) of the window's trading days, each against the close before it."""
    return window_closes(closes, window).pct_change().iloc[1:]


def aligned_returns(curves: Sequence[RunCurve], window: Window) -> pd.DataFrame:
    """Paired daily returns of the window, one column per run id, on the union of the runs' trading days
    (a day one run has no point on carries its last close: a zero return)."""
    closes = {curve.id: window_closes(curve.closes, window) for curve in curves}
    frame = pd.DataFrame(closes).sort_index().ffill()
    return frame.pct_change().iloc[1:]


def rebased_equity(curve: RunCurve, window: Window, calendar: TradingCalendar, level: float = 100.0) -> pd.Series:
    """The full-detail equity of the window, divided by the base close and scaled to ``level`` (100): every
    run starts from the same point at the window's start. The base point is kept as the first point."""
    days = trading_day_of(curve.equity, calendar)
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    before = curve.equity[days < start]
    inside = curve.equity[(days >= start) & (days <= end)]
    base = float(before.iloc[-1]) if len(before) else float(inside.iloc[0])
    drawn = pd.concat([before.iloc[-1:], inside]) if len(before) else inside
    return drawn / base * level
