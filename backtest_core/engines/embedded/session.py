"""LEAN's ``Security.session`` (``SecurityCache.Session``): the day's OHLCV so far and the days before it.

LEAN gives every security a ``Session`` of size 0, which does nothing until the algorithm sets its ``size``
(``Common/Data/Market/Session.cs``); from then on a ``SessionConsolidator`` (``Common/Data/Consolidators/
SessionConsolidator.cs``) takes every data point the security's cache receives, filled-forward bars included,
and builds one ``SessionBar`` per trading day from the bars of the regular session. ``session[0]`` is the day
in progress (the working bar itself), ``session[1]`` the day before, and so on; the day is closed when the
algorithm's time reaches another date (``SecurityCache.OnTimeUpdated``) or a bar a day later arrives.

Here the session's consolidator is fed like the algorithm's own consolidators (see ``consolidation.py``), so
securities without a session cost nothing. Only sessions of trade data are modelled (LEAN's equities and
crypto); a session of quote data (forex, CFDs) is refused by name.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.consolidators import ConsolidatorBase
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.model import LeanObject, TradeBar
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

ONE_DAY = timedelta(days=1)
DECIMAL_MAX = float(79228162514264337593543950335)  # LEAN's decimal.MaxValue: the low before any trade


class SessionBar(LeanObject):
    """LEAN's SessionBar of trade data: open, high, low and close of the regular session's trade bars (zero
    before the first one), and the volume of the bars that do not overlap."""

    def __init__(self, time: datetime, symbol: Any) -> None:
        self.time, self.symbol = time, symbol
        self.period = ONE_DAY
        self.volume = 0.0
        self.open_interest = 0.0
        self._prices: list[float] | None = None  # open, high, low, close once the bar has begun
        self._bar_time: datetime | None = None  # LEAN's inner bar's Time: the end of the last bar taken
        self._last_volume_time = datetime.min
        self._opened = False  # LEAN's ``Initialized``: the open is the first trade bar's

    @property
    def end_time(self) -> datetime:
        return self.time if self.time == datetime.max else self.time + self.period

    open = property(lambda self: self._price(0))
    high = property(lambda self: self._price(1))
    low = property(lambda self: self._price(2))
    close = property(lambda self: self._price(3))
    value = close

    def _price(self, index: int) -> float:
        return self._prices[index] if self._prices is not None else 0.0

    def update(self, bar: TradeBar) -> None:
        """``SessionBar.Update`` with a trade bar: a bar starting before the last one taken ended is skipped."""
        if self._bar_time is None:
            self._bar_time = datetime.combine(bar.time.date(), datetime.min.time())
            self._prices = [0.0, 0.0, DECIMAL_MAX, 0.0]
        if bar.time < self._bar_time:
            return
        if self._last_volume_time <= bar.time:
            self._last_volume_time = bar.end_time
            self.volume += bar.volume
        prices = self._prices
        assert prices is not None
        if not self._opened:
            self._opened = True
            prices[0] = bar.open
        prices[3] = bar.close
        if bar.low < prices[2]:
            prices[2] = bar.low
        if bar.high > prices[1]:
            prices[1] = bar.high
        self._bar_time = bar.end_time

    def __repr__(self) -> str:
        return f"O: {self.open} H: {self.high} L: {self.low} C: {self.close} V: {self.volume}"


class SessionConsolidator(ConsolidatorBase):
    """LEAN's SessionConsolidator (a ``PeriodCountConsolidatorBase`` of one day) over trade bars."""

    input_kind = "trade"
    has_typed_event = False

    def __init__(self, security: Security) -> None:
        super().__init__()
        self._security = security
        self._last_emit: datetime | None = None
        self._working: SessionBar | None = None
        self._initialized = False
        self._new_working_bar()

    @property
    def working_instance(self) -> SessionBar:
        if self._working is None:
            self._new_working_bar()
        assert self._working is not None
        return self._working

    def _new_working_bar(self) -> None:
        time = datetime.max
        if self.consolidated is not None:  # LEAN's GetNextTradingDay of the day just closed
            day = self.consolidated.time.date() + ONE_DAY
            while not self._security.hours.is_trading_day(day):
                day += ONE_DAY
            time = datetime.combine(day, datetime.min.time())
        self._working = SessionBar(time, self._security.symbol)
        self._initialized = False

    def update(self, data: Any) -> None:
        """LEAN's order: the time update's scan (the slice's time is the bar's end), then the data point."""
        self.validate_and_scan(data.end_time)
        working = self._working
        if self._last_emit is None:
            self._last_emit = datetime.min
        if working is not None and data.time - working.time >= ONE_DAY and _day(data.time) > self._last_emit:
            self._last_emit = working.end_time
            self._consolidate(working)
        if data.time >= self._last_emit:
            self._aggregate(self.working_instance, data)

    def _aggregate(self, working: SessionBar, data: Any) -> None:
        if not self._initialized:
            if working.time == datetime.max or data.time.date() > working.time.date():
                working.time = datetime.combine(data.time.date(), datetime.min.time())
            self._initialized = True
        if not self._security.hours.is_open_during(data.time, data.end_time, False):
            return
        working.update(data)

    def validate_and_scan(self, local: datetime) -> None:
        """``ValidateAndScan``: once the day has begun, a scan when the local date is another one."""
        if self._initialized and local.date() != self.working_instance.time.date():
            self.scan(local)

    def scan(self, local_time: datetime) -> None:
        working, last_emit = self._working, self._last_emit
        if working is None or last_emit is None:  # C#'s comparison with a null DateTime? is false
            return
        if working.time != datetime.max and local_time - working.time >= ONE_DAY and _day(local_time) > last_emit:
            self._last_emit = working.end_time
            self._consolidate(working)

    def _consolidate(self, bar: SessionBar) -> None:
        """The typed ``DataConsolidated`` LEAN's Session listens to fires after ``Consolidated`` is set, so the
        next working bar starts on the trading day after this one."""
        self._working = None
        self._window.add(bar)
        self.consolidated = bar
        self.base_event.fire(self, bar)

    def reset(self) -> None:
        super().reset()
        self._last_emit = None
        self._new_working_bar()


def _day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), datetime.min.time())


class Session(LeanObject):
    """LEAN's Session: a rolling window of session bars, ``[0]`` the working one; inactive at size 0."""

    def __init__(self, security: Security) -> None:
        self._security = security
        self._size = 0
        self._items: list[SessionBar] = []
        self._consolidator: SessionConsolidator | None = None

    # RollingWindow's members
    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = int(value)
        del self._items[self._size :]
        if self._size > 0 and self._consolidator is None:
            self._activate()

    def __getitem__(self, index: int) -> SessionBar:
        if not 0 <= index < len(self._items):
            raise IndexError(f"Index out of range. Size: {self._size}, Count: {len(self._items)}, Index: {index}")
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    count = property(__len__)

    @property
    def is_ready(self) -> bool:
        return self._size > 0 and len(self._items) >= self._size

    def _add(self, bar: SessionBar) -> None:
        self._items.insert(0, bar)
        del self._items[self._size :]

    # the working bar's values
    def _working(self, name: str) -> float:
        return getattr(self._consolidator.working_instance, name) if self._consolidator is not None else 0.0

    open = property(lambda self: self._working("open"))
    high = property(lambda self: self._working("high"))
    low = property(lambda self: self._working("low"))
    close = property(lambda self: self._working("close"))
    volume = property(lambda self: self._working("volume"))
    open_interest = property(lambda self: self._working("open_interest"))

    @property
    def end_time(self) -> datetime | None:
        return self._consolidator.working_instance.end_time if self._consolidator is not None else None

    @property
    def symbol(self) -> Any:
        return self._security.symbol

    def _activate(self) -> None:
        security = self._security
        if security.kind == SecurityKind.FOREX:
            raise UnsupportedApi("Security.session of quote data (forex)")
        if security.session_host is None:
            raise UnsupportedApi("Security.session of this security")
        consolidator = self._consolidator = SessionConsolidator(security)
        consolidator.base_event += lambda sender, bar: self._add(consolidator.working_instance)
        self._add(consolidator.working_instance)
        security.session_host.add(security.symbol, consolidator)

    def reset(self) -> None:
        """``Session.Reset`` (the cache's, when the security leaves the algorithm): the working bar anew."""
        consolidator = self._consolidator
        if consolidator is not None:
            self._items.clear()
            consolidator.reset()
            self._add(consolidator.working_instance)

    def detach(self) -> None:
        """No more data (its security left the algorithm): its consolidator leaves the consolidation."""
        consolidator = self._consolidator
        if consolidator is not None and self._security.session_host is not None:
            self._security.session_host.remove(self._security.symbol, consolidator)
