"""LEAN's delisting events of equities: a warning on the delisting date, the delisting on the next trading day.

How LEAN emits them (``DelistingEventProvider``, fed by ``SubscriptionDataReader``'s new tradable dates from
``DateChangeTimeKeeper``): the reader announces each trading day of the subscription up to the map file's
delisting date, and then the first trading day after it, if the period reaches it. The first of those days on or
after the delisting date brings the ``Warning``, stamped at midnight of the delisting date; the first day after
it brings ``Delisted``, stamped at midnight of the next calendar day. Each is a time slice of its own at that
moment, carries the last price before it, and is a data point.

What a ``Delisted`` event does (``UniverseSelection.HandleDelisting``, ``BacktestingBrokerage.ProcessDelistings``,
``BrokerageTransactionHandler.HandleDelistingNotification``): the security is marked delisted and no longer
tradable, its open orders are cancelled and a position left is closed at the last price, without fee, by a
market order tagged ``Liquidate from delisting``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np

from backtest_core.engines.embedded.clock import NS
from backtest_core.engines.embedded.data.map_files import MapFile
from backtest_core.engines.embedded.model import BaseData, Symbol, _DataDictionary, _Enum

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

LIQUIDATE_FROM_DELISTING_TAG = "Liquidate from delisting"


class DelistingType(_Enum):
    WARNING = 0
    DELISTED = 1


class Delisting(BaseData):
    """One delisting event of ``slice.delistings`` (its time is also its end time, as LEAN's)."""

    __slots__ = ("price", "symbol", "time", "type")

    def __init__(self, symbol: Symbol, moment: datetime, price: float, kind: DelistingType) -> None:
        self.symbol, self.time, self.price, self.type = symbol, moment, price, kind

    end_time = property(lambda self: self.time)
    value = property(lambda self: self.price)
    Symbol = property(lambda self: self.symbol)
    Time = property(lambda self: self.time)
    EndTime = end_time
    Price = property(lambda self: self.price)
    Value = value
    Type = property(lambda self: self.type)

    def __repr__(self) -> str:
        kind = "Delisting Warning" if self.type == DelistingType.WARNING else "Delisted"
        return f"{kind}: {self.symbol} {self.time:%m/%d/%Y %H:%M:%S}"


class Delistings(_DataDictionary):
    """``slice.delistings``: this moment's events by symbol."""


NO_DELISTINGS = Delistings()


def delisting_events(security: Security, map_file: MapFile, first: date, last: date) -> list[tuple[int, Delisting]]:
    """The delisting events of ``security``'s subscription over ``first..last`` (UTC ns, event), in time order;
    its feeds must be loaded (each event carries the last price before it)."""
    delisted = map_file.delisting_date
    if not map_file.dates or first > delisted:  # LEAN's reader ends at once when it starts past the delisting
        return []
    hours, extended = security.hours, security.extended_market_hours
    events = []
    for kind, since in ((DelistingType.WARNING, delisted), (DelistingType.DELISTED, delisted + timedelta(days=1))):
        if any(hours.open_windows(day, extended) for day in _days(max(first, since), last)):
            moment = datetime.combine(since, time.min)
            utc_ns = int(moment.replace(tzinfo=hours.exchange_tz).timestamp()) * NS
            events.append((utc_ns, Delisting(security.symbol, moment, _last_price(security, utc_ns), kind)))
    return events


def _last_price(security: Security, utc_ns: int) -> float:
    """The close of the subscription's last trade (else quote) bar ending by ``utc_ns``."""
    for feed in (security.trade_feed, security.quote_feed):
        if feed is not None and feed.count:
            index = int(np.searchsorted(feed.bars.end_ns, utc_ns, side="right")) - 1
            if index >= 0:
                return float(feed.bars.close[index])
    return 0.0


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
