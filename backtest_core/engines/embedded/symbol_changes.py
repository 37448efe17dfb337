"""LEAN's symbol changed events: an equity whose map file renames it during the run (``MappingEventProvider``).

At the start the subscription takes the ticker its map file gives for the start date (the requested one when the
map file has no data that day). On each later trading day up to the delisting date the reader announces, the
ticker of that day is looked up again; when it differs, a ``SymbolChangedEvent`` (old and new ticker) is stamped
at midnight of that day, a time slice of its own and a data point. The algorithm gets it in
``slice.symbol_changed_events`` and ``on_symbol_changed_events``, and then LEAN cancels the symbol's open orders
(``AlgorithmManager``: "Open order cancelled on symbol changed event").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from backtest_core.engines.embedded.clock import NS
from backtest_core.engines.embedded.data.map_files import MapFile
from backtest_core.engines.embedded.model import BaseData, Symbol, _DataDictionary

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

CANCELLED_ON_SYMBOL_CHANGE = "Open order cancelled on symbol changed event"


class SymbolChangedEvent(BaseData):
    __slots__ = ("new_symbol", "old_symbol", "symbol", "time")

    def __init__(self, symbol: Symbol, moment: datetime, old_symbol: str, new_symbol: str) -> None:
        self.symbol, self.time, self.old_symbol, self.new_symbol = symbol, moment, old_symbol, new_symbol

    end_time = property(lambda self: self.time)
    Symbol = property(lambda self: self.symbol)
    Time = property(lambda self: self.time)
    EndTime = end_time
    OldSymbol = property(lambda self: self.old_symbol)
    NewSymbol = property(lambda self: self.new_symbol)

    def __repr__(self) -> str:
        return f"{self.time:%m/%d/%Y %H:%M:%S} {self.old_symbol}->{self.new_symbol}"


class SymbolChangedEvents(_DataDictionary):
    """``slice.symbol_changed_events``: this moment's renames by (requested) symbol."""


NO_SYMBOL_CHANGES = SymbolChangedEvents()


def symbol_changed_events(
    security: Security, map_file: MapFile, first: date, last: date
) -> list[tuple[int, SymbolChangedEvent]]:
    """The renames ``security``'s subscription announces over ``first..last`` (UTC ns, event), in time order."""
    requested = security.symbol.value
    current = map_file.mapped_symbol(first, requested) if map_file.has_data(first) else requested
    ranges = map_file.ticker_ranges(first, last, requested)
    if all(ticker == current for ticker, _, _ in ranges):
        return []  # one ticker all along (the usual case)
    hours, extended = security.hours, security.extended_market_hours
    events = []
    for ticker, since, until in ranges:
        day = since
        while day <= until and not hours.open_windows(day, extended):
            day += timedelta(days=1)
        if day > until or ticker == current:
            continue
        moment = datetime.combine(day, time.min)
        utc_ns = int(moment.replace(tzinfo=hours.exchange_tz).timestamp()) * NS
        events.append((utc_ns, SymbolChangedEvent(security.symbol, moment, current, ticker)))
        current = ticker
    return events
