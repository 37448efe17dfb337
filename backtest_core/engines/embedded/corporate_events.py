"""LEAN's splits and dividends of an equity subscription, from its factor file, as its time slices carry them.

LEAN's ``SplitEventProvider`` and ``DividendEventProvider`` look at each trading day ``D`` the subscription
visits: a row of the factor file dated ``D`` whose next row changes the split factor gives a split warning at
``D`` 00:00 and the split itself at the next trading day's 00:00; one whose next row changes the price factor
gives a dividend at the next trading day's 00:00. Those moments are time slices of their own (before the day's
first bar), so ``on_data`` runs there with a Slice whose ``splits``/``dividends`` hold them and whose bars are
empty (LEAN's ``HasData`` counts auxiliary data). In the adjusted prices the engine feeds, a split or dividend
changes neither holdings nor cash (``SecurityPortfolioManager.ApplySplit``/``ApplyDividend`` act on raw prices).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

import numpy as np

from backtest_core.engines.embedded.clock import NS
from backtest_core.engines.embedded.data import FactorFile, MarketHours, SecurityKind
from backtest_core.engines.embedded.feed import NEVER
from backtest_core.engines.embedded.model import BaseData, Symbol, _DataDictionary, _Enum
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security


class SplitType(_Enum):
    WARNING = 0
    SPLIT_OCCURRED = 1
    Warning = 0
    SplitOccurred = 1


class Split(BaseData):
    """LEAN's ``Split``: ``value`` is the reference price; a warning's is the last raw price before its day.
    Its decimals reach Python as floats (as pythonnet converts them); ``str`` prints them as LEAN does."""

    __slots__ = ("_factor", "_price", "symbol", "time", "type")

    def __init__(self, symbol: Symbol, time: datetime, price: Decimal | None, factor: Decimal, kind: SplitType) -> None:
        self.symbol, self.time, self._price, self._factor, self.type = symbol, time, price, factor, kind

    def _known_price(self) -> Decimal:
        if self._price is None:  # LEAN's LastRawPrice of the quote subscription, which comes last
            raise UnsupportedApi("Split.reference_price of a split warning for a security with quote data")
        return self._price

    reference_price = property(lambda self: float(self._known_price()))

    split_factor = property(lambda self: float(self._factor))
    end_time = property(lambda self: self.time)
    value = price = property(lambda self: self.reference_price)

    def __str__(self) -> str:
        kind = "Split Warning" if self.type == SplitType.WARNING else "Split"
        return f"{kind}: {self.symbol}: {self._factor} | {self._known_price()}"

    __repr__ = __str__


class Dividend(BaseData):
    """LEAN's ``Dividend``: ``value`` is the distribution per share."""

    __slots__ = ("_distribution", "_price", "symbol", "time")

    def __init__(self, symbol: Symbol, time: datetime, distribution: Decimal, reference_price: Decimal) -> None:
        self.symbol, self.time, self._distribution, self._price = symbol, time, distribution, reference_price

    distribution = value = price = property(lambda self: float(self._distribution))
    reference_price = property(lambda self: float(self._price))
    end_time = property(lambda self: self.time)

    def __str__(self) -> str:
        return f"Dividend: {self.symbol}: {self._distribution} | {self._price}"

    __repr__ = __str__


@dataclass(frozen=True)
class CorporateEvent:
    """One split warning, split or dividend on ``day`` (its 00:00 in exchange time)."""

    day: date
    kind: str  # "warning", "split" or "dividend"
    factor: Decimal  # the split factor, or the price factor ratio of a dividend
    reference_price: Decimal  # the factor file row's (a warning's comes from the data when it is emitted)


def corporate_events(factors: FactorFile | None, hours: MarketHours, first: date, last: date) -> list[CorporateEvent]:
    """The events one equity subscription emits over the trading days ``first..last``, in time order."""
    if factors is None or len(factors.dates) < 2:
        return []
    events = []
    for index, row_day in enumerate(factors.dates[:-1].astype(object)):
        if not first <= row_day <= last or not hours.is_trading_day(row_day):
            continue
        next_day = _next_trading_day(hours, row_day)
        after = next_day is not None and next_day <= last
        price, split = (Decimal(text) for text in factors.texts[index])
        next_price, next_split = (Decimal(text) for text in factors.texts[index + 1])
        reference = Decimal(factors.references[index]) if factors.references else Decimal(0)
        if split != next_split:
            events.append(CorporateEvent(row_day, "warning", split / next_split, Decimal(0)))
            if after:
                events.append(CorporateEvent(next_day, "split", split / next_split, reference))
        if price != next_price and after:
            events.append(CorporateEvent(next_day, "dividend", price / next_price, reference))
    events.sort(key=lambda event: event.day)  # a split on day D+1 comes after the warnings of D
    return events


class CorporateSteps:
    """The time loop's side: the moments of every equity subscription's events (``grid``, to merge into the
    steps) and, at each, the Slice's ``splits`` and ``dividends`` (keyed by symbol; a later event of the same
    symbol at the same moment replaces an earlier one, as in LEAN's TimeSliceFactory)."""

    def __init__(self, securities: Iterable[Security], first: date, last: date) -> None:
        due: dict[int, list[tuple[Security, CorporateEvent]]] = {}
        for security in securities:
            if security.kind != SecurityKind.EQUITY:
                continue
            zone = security.hours.exchange_tz
            for event in corporate_events(security.factor_file, security.hours, first, last):
                moment = int(datetime(event.day.year, event.day.month, event.day.day, tzinfo=zone).timestamp())
                due.setdefault(moment * NS, []).append((security, event))
        self._due = due
        self._moments = sorted(due)
        self.grid = [np.array(self._moments, dtype=np.int64)] if due else []
        self._index = 0
        self.next_ns = self._moments[0] if due else NEVER

    def take(self, step_ns: int) -> tuple[_DataDictionary, _DataDictionary]:
        """The splits and dividends due at ``step_ns`` (the loop's next corporate moment)."""
        splits, dividends = _DataDictionary(), _DataDictionary()
        for security, event in self._due.pop(step_ns):
            symbol = security.symbol
            time = datetime(event.day.year, event.day.month, event.day.day)
            if event.kind == "dividend":
                dividends[symbol] = Dividend(symbol, time, distribution(event), event.reference_price)
            elif event.kind == "split":
                splits[symbol] = Split(symbol, time, event.reference_price, event.factor, SplitType.SPLIT_OCCURRED)
            else:
                splits[symbol] = Split(symbol, time, _last_raw_price(security), event.factor, SplitType.WARNING)
        self._index += 1
        self.next_ns = self._moments[self._index] if self._index < len(self._moments) else NEVER
        return splits, dividends


def _last_raw_price(security: Security) -> Decimal | None:
    """LEAN's ``LastRawPrice`` of the trade subscription: the unadjusted close of its latest bar (0 before the
    first). LEAN's equity files hold prices in ten-thousandths (read as decimals of scale 4), so the unadjusted
    price is rounded back to them."""
    if security.quote_feed is not None:
        return None
    feed = security.trade_feed
    if feed is None or feed.current < 0 or security.factor_file is None:
        return Decimal(0)
    day = np.datetime64(feed.bar().time.date(), "D")  # prices are scaled by their bar's first day
    raw = feed.close_value() / float(security.factor_file.scale(np.array([day]))[0])
    return Decimal(repr(round(raw, 4))).quantize(Decimal("0.0001"))


def distribution(event: CorporateEvent) -> Decimal:
    """LEAN's ``Dividend.ComputeDistribution``: ``round(close - close * ratio, 2)`` in decimals, to even."""
    close = event.reference_price
    return (close - close * event.factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _next_trading_day(hours: MarketHours, day: date) -> date | None:
    for offset in range(1, 15):
        candidate = day + timedelta(days=offset)
        if hours.is_trading_day(candidate):
            return candidate
    return None
