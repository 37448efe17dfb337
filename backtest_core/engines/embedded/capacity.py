"""LEAN's strategy capacity estimate (``Common/CapacityEstimate.cs`` and ``Common/SymbolCapacity.cs``).

After each fill, LEAN watches the traded symbol's bars for a while (minutes scaled by the symbol's dollar volume
at minute resolution, the next bar at hour and daily resolution) and adds up the market dollar volume it could
have taken, discounted when the strategy trades the symbol often. At each snapshot (every few days, at most
weekly) the symbol with the least of it sets the capacity: its daily market volume over the strategy's share
of it (its share of sales, or of holdings), weighted a third against two thirds of the previous estimate.
The statistics print the estimate rounded to 1000 and to 2 significant digits, and the symbol's id.

Called by the loop only while a symbol is watched or a snapshot is due, so a step costs two comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np

from backtest_core.engines.embedded.broker import buying_power_used
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.model import Resolution
from backtest_core.stats.decimals import ZERO, from_float

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Portfolio, Security
    from backtest_core.engines.embedded.feed import BarFeed
    from backtest_core.engines.embedded.model import OrderEvent

NS = 1_000_000_000
DAY_NS = 86_400 * NS
NEVER = 2**63 - 1
CAPACITY_EFFECT = timedelta(days=30)  # a symbol not held is dropped this long after its last fill
FOREX_MINUTE_VOLUME = 25_000_000.0  # LEAN's stand-in volume for quote-only forex bars
FAST_TRADING_SCALING = 2.0
DOLLAR_VOLUME_SCALE = 6_000_000.0
RESOLUTION_SCALE = {Resolution.DAILY: 0.02, Resolution.HOUR: 0.05, Resolution.MINUTE: 0.20,
                    Resolution.SECOND: 0.50, Resolution.TICK: 0.50}  # fmt: skip
CAPACITY_QUANTUM = Decimal("1000.00")
# read at every step a symbol is watched: module globals, since CPython 3.11 does not specialise an enum class's
# attribute reads (EnumType has __getattr__)
_HOUR, _DAILY, _SUB_MINUTE = Resolution.HOUR, Resolution.DAILY, (Resolution.SECOND, Resolution.TICK)


class MarketBar:
    """The bar LEAN's ``SymbolCapacity.GetBar`` sees for a symbol at a time step (made at each step a traded
    symbol is watched: slots, not a frozen dataclass, whose fields are set by a call each)."""

    __slots__ = ("close", "resolution", "volume")

    def __init__(self, close: float, volume: float, resolution: Resolution) -> None:
        self.close = close
        self.volume = volume
        self.resolution = resolution


class SymbolCapacity:
    """One traded symbol's market dollar volume after its fills."""

    def __init__(self, security: Security) -> None:
        self.security = security
        self.trades = 0
        self.sale_volume = 0.0
        self._previous_volume = 0.0
        self._previous_ns: int | None = None
        self._average_dollar_volume = 0.0
        self._resolution_scale = 0.0
        self._market_dollar_volume = 0.0
        self._reset_market_volume = False
        self._discount = 0.0
        self._last_fill_ns: int | None = None

    @property
    def market_capacity_dollar_volume(self) -> float:
        return self._market_dollar_volume * self._resolution_scale

    def on_fill(self, fill_ns: int, fill_price: float, fill_quantity: float) -> None:
        self.sale_volume += self.security.quote_rate * fill_price * abs(fill_quantity)
        # trades close together take less of the market's volume each (a day apart: all of it)
        previous = self._last_fill_ns if self._last_fill_ns is not None else fill_ns - DAY_NS
        discount = FAST_TRADING_SCALING * ((fill_ns - previous) / NS / 60) / 390
        self._discount = 1.0 if discount > 1 else max(0.20, discount)
        if self._reset_market_volume:
            self._market_dollar_volume = 0.0
            self.trades = 0
            self._reset_market_volume = False
        self.trades += 1
        self._last_fill_ns = fill_ns

    def update(self, step_ns: int, bar: MarketBar | None) -> bool:
        """This step's bar; True once the symbol's window after its last fill has passed."""
        if bar is None or bar.volume == 0:
            return False
        minutes = (step_ns - (self._previous_ns if self._previous_ns is not None else step_ns)) / NS / 60
        rate = self.security.quote_rate  # LEAN's values are in the account currency
        if self._previous_ns is None or minutes == 0:
            self._average_dollar_volume = rate * bar.close * bar.volume
        else:
            self._average_dollar_volume = bar.close * rate * (bar.volume + self._previous_volume) / minutes
        self._previous_ns = step_ns
        self._previous_volume = bar.volume
        included = self._includes(step_ns, bar.resolution)
        if included:
            self._resolution_scale = RESOLUTION_SCALE[bar.resolution]
            self._market_dollar_volume += bar.close * self._discount * bar.volume * rate
        return not included

    def _includes(self, step_ns: int, resolution: Resolution) -> bool:
        """LEAN's ``IncludeMarketVolume``: is this step still in the window after the last fill?"""
        fill_ns = self._last_fill_ns
        if fill_ns is None:
            return False
        if resolution == _HOUR:
            return step_ns == _round_up(fill_ns, 3600 * NS)
        if resolution == _DAILY:
            return step_ns == fill_ns or step_ns - step_ns % DAY_NS == _round_up(fill_ns, DAY_NS)
        sub_minute = resolution in _SUB_MINUTE
        scale = DOLLAR_VOLUME_SCALE / 60 if sub_minute else DOLLAR_VOLUME_SCALE
        k = scale / self._average_dollar_volume if self._average_dollar_volume != 0 else 10.0
        floor = 5 if sub_minute else 1
        timeout_minutes = 120 if k > 120 else int(max(floor, k))
        return step_ns <= fill_ns + timeout_minutes * 60 * NS

    def reset(self) -> None:
        self._reset_market_volume = True
        self.sale_volume = 0.0

    def should_remove(self, step_ns: int) -> bool:
        if self.security.holdings.invested or self._last_fill_ns is None:
            return False
        return step_ns >= self._last_fill_ns + int(CAPACITY_EFFECT.total_seconds()) * NS


class CapacityEstimate:
    """The strategy's capacity over the run, as LEAN's result handler keeps it."""

    def __init__(self, start: date, end: date, portfolio: Portfolio, internal_ns: np.ndarray | None = None) -> None:
        """``internal_ns``: end times of LEAN's internal benchmark bars, time steps of LEAN's loop that the
        engine's data may not have (a daily algorithm's hours): a snapshot falls due at the first of them."""
        self._portfolio = portfolio
        self._internal_ns = internal_ns if internal_ns is not None else np.empty(0, dtype=np.int64)
        self._by_symbol: dict[object, SymbolCapacity] = {}
        self.monitored: list[SymbolCapacity] = []
        # LEAN's period: the run's length in days less one, between one day and a week; its start and end are
        # the algorithm's StartDate (midnight) and EndDate (the last tick of the end date)
        span_days = (end - start).days + 1 - 1e-7 / 86_400
        self._period = timedelta(days=max(min(span_days - 1, 7), 1))
        self._next_snapshot = datetime.combine(start, datetime.min.time()) + self._period
        self.snapshot_ns = NEVER  # the first step on or after the next snapshot's UTC date, once anything traded
        self.wake_ns = NEVER  # the loop calls on_step from this step on: 0 while a symbol is watched
        self._capacity = ZERO
        self.lowest_capacity_asset = ""
        self._resolutions: dict[int, Resolution] = {}  # each feed's bar resolution as LEAN reads it, by id

    @property
    def has_internal_steps(self) -> bool:
        return len(self._internal_ns) > 0

    def _rewake(self) -> None:
        self.wake_ns = 0 if self.monitored else self.snapshot_ns

    @property
    def capacity(self) -> Decimal:
        """LEAN's ``Capacity``: the estimate rounded to the nearest 1000 (half away from zero)."""
        multiple = (self._capacity / CAPACITY_QUANTUM).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return CAPACITY_QUANTUM * multiple

    def on_order_event(self, event: OrderEvent, security: Security) -> None:
        if not event.is_fill:
            return
        symbol_capacity = self._by_symbol.get(security.symbol)
        if symbol_capacity is None:
            symbol_capacity = self._by_symbol[security.symbol] = SymbolCapacity(security)
            self.snapshot_ns = _utc_ceiling_ns(self._next_snapshot)
        fill_ns = int(event.utc_time.timestamp() * NS)
        symbol_capacity.on_fill(fill_ns, event.fill_price, event.fill_quantity)
        if symbol_capacity not in self.monitored:
            self.monitored.append(symbol_capacity)
        self._rewake()

    def before_step(self, step_ns: int) -> None:
        """Snapshots due at internal benchmark steps before ``step_ns`` (its data not applied yet); called when
        ``step_ns`` is past ``snapshot_ns``."""
        internal = self._internal_ns
        while self.snapshot_ns < step_ns:
            index = int(np.searchsorted(internal, self.snapshot_ns, side="left"))
            if index >= len(internal) or internal[index] >= step_ns:
                return
            self.on_step(int(internal[index]), {}, step_data=False)

    def on_step(self, step_ns: int, filled: Mapping[object, object], force: bool = False,
                step_data: bool = True) -> None:  # fmt: skip
        """LEAN's ``UpdateMarketCapacity`` at the end of a time step (``force``: the final ones); ``filled``:
        the step's fill-forward bars by symbol; ``step_data``: False for an internal step without the
        securities' data."""
        for index in range(len(self.monitored) - 1, -1, -1):
            watched = self.monitored[index]
            bar = market_bar(watched.security, step_ns, filled, self._resolutions) if step_data else None
            if watched.update(step_ns, bar):
                del self.monitored[index]
        if force or (step_ns >= self.snapshot_ns and self._by_symbol):
            self._snapshot(step_ns)
        self._rewake()

    def _snapshot(self, step_ns: int) -> None:
        total_value = self._portfolio.total_portfolio_value
        if total_value == 0 or not self._by_symbol:
            return
        symbols = list(self._by_symbol.values())
        smallest = min(symbols, key=lambda each: each.market_capacity_dollar_volume)  # the first of equals
        self.lowest_capacity_asset = smallest.security.symbol.id
        total_sales = sum(each.sale_volume for each in symbols)
        share_of_sales = smallest.sale_volume / total_sales if total_sales != 0 else 0.0
        share_of_holdings = buying_power_used(smallest.security) / total_value
        scaling = max(share_of_sales, share_of_holdings)
        daily_volume = from_float(smallest.market_capacity_dollar_volume) / smallest.trades
        estimate = self._capacity if scaling == 0 else daily_volume / from_float(scaling)
        if self._capacity != 0:
            estimate = Decimal("0.33") * estimate + self._capacity * Decimal("0.66")
        self._capacity = estimate
        for each in symbols:
            if not each.should_remove(step_ns):
                each.reset()
                continue
            del self._by_symbol[each.security.symbol]
            if each in self.monitored:
                self.monitored.remove(each)
        utc_day = datetime.fromtimestamp(step_ns // DAY_NS * 86_400, UTC).replace(tzinfo=None)
        self._next_snapshot = utc_day + self._period
        self.snapshot_ns = _utc_ceiling_ns(self._next_snapshot) if self._by_symbol else NEVER


def market_bar(security: Security, step_ns: int, filled: Mapping[object, object],
               resolutions: dict[int, Resolution]) -> MarketBar | None:  # fmt: skip
    """What LEAN's ``SymbolCapacity.GetBar`` reads from the current slice: the trade bar received at this step,
    else a quote bar made into one (its sizes' mean as volume; forex, which has none, LEAN's stand-in). A
    fill-forward trade bar has no volume, so LEAN passes over that step."""
    trades, quotes = security.trade_feed, security.quote_feed
    if trades is not None and trades.current_ns == step_ns:
        return MarketBar(
            trades.closes[trades.offset], trades.current_value("volume"), _bar_resolution(trades, resolutions)
        )
    if security.symbol in filled:
        return None
    if quotes is not None and quotes.current_ns == step_ns:
        bid, ask, bid_size, ask_size = quotes.quote()
        volume = FOREX_MINUTE_VOLUME if security.kind == SecurityKind.FOREX else (bid_size + ask_size) / 2
        return MarketBar((bid + ask) / 2, volume, _bar_resolution(quotes, resolutions))
    return None


def _bar_resolution(feed: BarFeed, known: dict[int, Resolution]) -> Resolution:
    """LEAN's ``bar.Period.ToHigherResolutionEquivalent(false)``: a daily equity bar spans its session (6.5
    hours, or an early close's 3.5), so LEAN treats it as an hour bar here. The same for every bar of a feed:
    worked out once."""
    found = known.get(id(feed))
    if found is None:
        found = known[id(feed)] = _period_resolution(int(feed.bars.end_ns[feed.current]) -
                                                     int(feed.bars.start_ns[feed.current]))  # fmt: skip
    return found


def _period_resolution(period_ns: int) -> Resolution:
    for resolution, span_ns in ((Resolution.TICK, NS), (Resolution.SECOND, 60 * NS), (Resolution.MINUTE, 3600 * NS),
                                (Resolution.HOUR, DAY_NS)):  # fmt: skip
        if period_ns < span_ns:
            return resolution
    return Resolution.DAILY


def _round_up(ns: int, step: int) -> int:
    return -(-ns // step) * step


def _utc_ceiling_ns(moment: datetime) -> int:
    """The first UTC midnight at or after ``moment`` (LEAN compares the step's UTC date with it)."""
    ns = int(moment.replace(tzinfo=UTC).timestamp() * NS)
    return _round_up(ns, DAY_NS)
