"""One subscription's bars as the time loop consumes them.

The loop only moves a cursor: prices become Python floats a chunk at a time (converting per bar is slow,
converting ten years at once costs gigabytes), and bar objects with their ``datetime`` times are built only
when the algorithm, an indicator, a fill or fill-forward asks for them. An idle time step therefore costs a
comparison and a few assignments per subscription.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from backtest_core.engines.embedded.data import Bars, SecurityKind
from backtest_core.engines.embedded.model import Bar, QuoteBar, TradeBar
from backtest_core.engines.embedded.timezones import local_datetimes

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

CHUNK = 20_000
NEVER = 2**63 - 1  # the next end time of a feed with no bars left


class BarFeed:
    """Trade or quote bars of one security, ordered by end time; ``current`` is the latest bar consumed."""

    def __init__(self, security: Security, bars: Bars, is_quote: bool) -> None:
        self.security = security
        self.symbol = security.symbol
        self.bars = bars
        self.is_quote = is_quote
        # LEAN's SecurityCache: a quote bar sets the price of anything but an equity (its feed comes after the
        # trade feed, so it wins over a trade bar of the same end); an equity's price is its trades'
        self.quotes_price = is_quote and security.kind != SecurityKind.EQUITY
        self.count = len(bars)
        self.next_ns = int(bars.end_ns[0]) if self.count else NEVER  # its end time
        self.current = -1  # absolute index of the latest bar consumed
        self.current_ns = -1  # its end time
        self.offset = -1  # its place in the chunk's lists
        self._bar: tuple[int, TradeBar | QuoteBar] | None = None  # the current bar, once made
        self._first = 0
        self._size = 0
        self._ends: list[int] = []  # end times of the chunk's bars, then the next bar's (or NEVER)
        self.closes: list[float] = []  # trade closes (trade feeds)
        self.bids: list[float] = []  # bid and ask closes (quote feeds)
        self.asks: list[float] = []
        self._columns: dict[str, list[Any]] = {}

    # -- the loop's side ---------------------------------------------------------------------------------

    def advance(self) -> int:
        """Consume the next bar and show it on the security (its price, or its bid and ask); its index."""
        offset = self.offset + 1
        if offset >= self._size:
            offset = self._load(self.current + 1)
        self.offset = offset
        self.current += 1
        self.current_ns = self.next_ns
        self.next_ns = self._ends[offset + 1]  # the chunk's list ends with the next chunk's first end time
        if not self.is_quote:
            self.security.price = self.closes[offset]
        elif self.quotes_price or self.security.trade_feed is None or self.security.trade_feed.current < 0:
            self.security.price = quote_price(self.bids[offset], self.asks[offset])
        return self.current

    def _load(self, index: int) -> int:
        """Make the chunk starting at bar ``index`` current; its offset there is 0."""
        bars, stop = self.bars, min(self.count, index + CHUNK)
        part = slice(index, stop)
        self._first, self._size = index, stop - index
        self._ends = bars.end_ns[part].tolist()
        self._ends.append(int(bars.end_ns[stop]) if stop < self.count else NEVER)
        if self.is_quote:
            self.bids, self.asks = bars.bid[part, 3].tolist(), bars.ask[part, 3].tolist()
        else:
            self.closes = bars.close[part].tolist()
        self._columns = {}
        return 0

    def _column(self, name: str) -> list[Any]:
        """A column of the current chunk as Python values, made on first use."""
        column = self._columns.get(name)
        if column is None:
            part = slice(self._first, self._first + self._size)
            if name in ("start", "end"):
                column = self._local_times(getattr(self.bars, f"{name}_ns")[part])
            else:
                column = getattr(self.bars, name)[part].tolist()
            self._columns[name] = column
        return column

    def _trade_rows(self) -> tuple[list[Any], ...]:
        """The chunk's columns a TradeBar is made of, in its constructor's order, made once per chunk."""
        rows = tuple(self._column(name) for name in ("start", "end", "open", "high", "low", "close", "volume"))
        self._columns["rows"] = rows  # type: ignore[assignment]
        return rows

    def _local_times(self, ns: np.ndarray) -> list[datetime]:
        return local_datetimes(ns, self.security.hours.exchange_tz)

    # -- what the rest of the engine reads ---------------------------------------------------------------

    @property
    def end_time(self) -> datetime:
        """End (exchange time) of the current bar."""
        return self._column("end")[self.offset]

    def current_value(self, name: str) -> Any:
        """One column's value of the current bar (``volume``, ``bid_size``, ...)."""
        return self._column(name)[self.offset]

    def close_value(self) -> float:
        """Close of the current bar: the trade close, or a quote bar's mid (LEAN's ``QuoteBar.Close``)."""
        if self.is_quote:
            return (self.bids[self.offset] + self.asks[self.offset]) / 2
        return self.closes[self.offset]

    def bar(self, index: int | None = None) -> TradeBar | QuoteBar:
        """The bar at ``index`` (default: the current one) as LEAN's TradeBar or QuoteBar."""
        index = self.current if index is None else index
        if self._bar is not None and self._bar[0] == index:
            return self._bar[1]
        made = self._make_bar(index)
        if index == self.current:
            self._bar = (index, made)
        return made

    def _make_bar(self, index: int) -> TradeBar | QuoteBar:
        """From the chunk's Python columns, or straight from the arrays for a bar kept past its chunk (a stored
        Slice)."""
        offset = index - self._first
        if 0 <= offset < self._size:  # the usual case, asked at every step by consolidators: no closures
            if not self.is_quote:
                starts, ends, opens, highs, lows, closes, volumes = self._columns.get("rows") or self._trade_rows()
                return TradeBar(starts[offset], ends[offset], self.symbol, opens[offset], highs[offset], lows[offset],
                                closes[offset], volumes[offset])  # fmt: skip
            start, end = self._column("start")[offset], self._column("end")[offset]

            def value(name: str) -> Any:
                return self._column(name)[offset]
        else:
            start, end = self._local_times(np.array([self.bars.start_ns[index], self.bars.end_ns[index]]))

            def value(name: str) -> Any:
                return getattr(self.bars, name)[index].tolist()

        if self.is_quote:
            bid, ask = Bar(*value("bid")), Bar(*value("ask"))
            return QuoteBar(start, end, self.symbol, bid, ask, value("bid_size"), value("ask_size"))
        return TradeBar(start, end, self.symbol, *(value(name) for name in ("open", "high", "low", "close", "volume")))

    def quote(self) -> tuple[float, float, float, float]:
        """The current quote: bid close, ask close, bid size, ask size."""
        offset = self.offset
        return self.bids[offset], self.asks[offset], self._column("bid_size")[offset], self._column("ask_size")[offset]


def union_of_sorted(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct values of integer arrays (bar end times, each already sorted), in order. A stable sort
    merges sorted runs in linear time; ``np.unique`` hashes instead and took 15 times as long on a year of
    minutes."""
    if not arrays:
        return np.empty(0, dtype=np.int64)
    first = arrays[0]
    if all(np.array_equal(array, first) for array in arrays[1:]) and (first[1:] > first[:-1]).all():
        return first  # the usual case: trades and quotes at the same minutes, already distinct
    joined = np.sort(np.concatenate(arrays), kind="stable")
    keep = np.ones(len(joined), dtype=bool)
    np.not_equal(joined[1:], joined[:-1], out=keep[1:])
    return joined[keep]


def quote_price(bid: float, ask: float) -> float:
    """A security's price from quotes alone: the mid when both sides are quoted, else the quoted side."""
    if bid and ask:
        return (bid + ask) / 2
    return bid or ask
