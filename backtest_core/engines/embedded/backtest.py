"""One embedded backtest: load the algorithm, merge its data into time steps, run it, sample it like LEAN.

Loop order per time step (LEAN's AlgorithmManager): daily samples for every local midnight passed, scheduled
events due strictly before this step (they see the data up to their own time, as LEAN's ScanPastEvents),
security prices updated, fills of resting orders, the events due at this very step (LEAN's SetTime; a quit in
one ends the run before ``on_data``), indicators and consolidators updated, ``on_data``, then fills of orders
placed in it at this step's prices, the capacity estimate's update, then the equity candle and LEAN's
resample-period sample (reference §8.2, §8.9).
"""

from __future__ import annotations

import bisect
import importlib.util
import math
import re
import sys
import time as wallclock
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import chain
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import numpy as np

from backtest_core.engines.base import RunOverrides
from backtest_core.engines.embedded import consolidators, india, lean_modules
from backtest_core.engines.embedded import indicators as ind
from backtest_core.engines.embedded.algorithm import QCAlgorithm, refusal_of, spell_like_lean
from backtest_core.engines.embedded.algorithm_settings import AlgorithmSettings
from backtest_core.engines.embedded.benchmark_currency import add_benchmark_cash
from backtest_core.engines.embedded.broker import (
    DEFAULT_LEVERAGE,
    NO_BARS,
    Portfolio,
    Security,
    Transactions,
    portfolio_value,
)
from backtest_core.engines.embedded.brokerage_models import DefaultBrokerageModel, benchmark_function
from backtest_core.engines.embedded.capacity import CapacityEstimate
from backtest_core.engines.embedded.clock import Clock, local_datetime
from backtest_core.engines.embedded.clr_types import DOTNET_TYPES
from backtest_core.engines.embedded.combo_orders import GroupOrderManager, Leg, check_sizing, combo_type, lean_decimal
from backtest_core.engines.embedded.consolidation import Consolidation, SubscriptionManager, subscription_kinds
from backtest_core.engines.embedded.consolidators import ConsolidatorBase, IdentityDataConsolidator, resolution_span
from backtest_core.engines.embedded.corporate_events import CorporateSteps, corporate_events
from backtest_core.engines.embedded.currency_feeds import (
    attach_cash,
    ensure_currency_feeds,
    feed_kinds,
    seed_conversion_rates,
)
from backtest_core.engines.embedded.data import (
    DEFAULT_MARKET,
    EQUITY_MARKETS,
    Bars,
    LeanDataFolder,
    MarketHours,
    SecurityKind,
    joined,
)
from backtest_core.engines.embedded.data.map_files import BEGINNING_OF_TIME, MapFile
from backtest_core.engines.embedded.data_points import bars_up_to, universe_points
from backtest_core.engines.embedded.delistings import (
    LIQUIDATE_FROM_DELISTING_TAG,
    NO_DELISTINGS,
    Delisting,
    Delistings,
    DelistingType,
    delisting_events,
)
from backtest_core.engines.embedded.feed import CHUNK, NEVER, BarFeed, union_of_sorted
from backtest_core.engines.embedded.fill_forward import fill_forward_times
from backtest_core.engines.embedded.history import History, bars_start_ns
from backtest_core.engines.embedded.indicator_warm_up import warm_up_indicator
from backtest_core.engines.embedded.indicators.precomputed import UpdateSeries, can_precompute, precompute
from backtest_core.engines.embedded.model import (
    MARKET,
    Bar,
    BrokerageName,
    DataNormalizationMode,
    MarketOnCloseOrder,
    Order,
    OrderStatus,
    OrderTicket,
    OrderType,
    QuoteBar,
    Resolution,
    SecurityType,
    Slice,
    SubmitOrderRequest,
    Symbol,
    TradeBar,
    _pascal,
    _SymbolDict,
    security_identifier,
    spell_lean_objects,
)
from backtest_core.engines.embedded.recorder import Recorder
from backtest_core.engines.embedded.scheduling import DateRules, Scheduler, TimeRules
from backtest_core.engines.embedded.security_models import (
    LocalDiskShortableProvider,
    MarginCallCheck,
    SecurityModelScan,
)
from backtest_core.engines.embedded.symbol_cache import SymbolCache
from backtest_core.engines.embedded.symbol_changes import (
    CANCELLED_ON_SYMBOL_CHANGE,
    NO_SYMBOL_CHANGES,
    SymbolChangedEvent,
    SymbolChangedEvents,
    symbol_changed_events,
)
from backtest_core.engines.embedded.time_in_force import OrderProperties
from backtest_core.engines.embedded.timezones import local_naive_ns
from backtest_core.engines.embedded.trades import timespan
from backtest_core.engines.embedded.universe import SecurityChanges
from backtest_core.errors import DataMissing, StudioError, UnsupportedApi
from backtest_core.models import Resolution as ResolutionName
from backtest_core.models.request import MAX_CASH

LEAN_API_DIR = Path(__file__).parent / "lean_api"
RESOLUTION_NAMES = {
    Resolution.SECOND: ResolutionName.SECOND,
    Resolution.MINUTE: ResolutionName.MINUTE,
    Resolution.HOUR: ResolutionName.HOUR,
    Resolution.DAILY: ResolutionName.DAILY,
}
KIND_TYPES = {
    SecurityKind.EQUITY: SecurityType.EQUITY,
    SecurityKind.CRYPTO: SecurityType.CRYPTO,
    SecurityKind.FOREX: SecurityType.FOREX,
}
# read by every order: module globals, since CPython 3.11 does not specialise an enum class's attribute reads
_MARKET_ON_CLOSE, _EQUITY = OrderType.MARKET_ON_CLOSE, SecurityKind.EQUITY
NS = 1_000_000_000
END_OF_TIME = 2**63 - 1


class AlgorithmFailure(StudioError):
    """The algorithm could not be loaded, initialised or run; the text is LEAN-style and names file and line."""

    def __init__(self, message: str, trace: str = "") -> None:
        super().__init__(message)
        self.trace = trace


@dataclass
class Subscription:
    security: Security
    trades: Bars | None
    quotes: Bars | None
    map_file: MapFile | None = None  # an equity's: the files to read for each date, and its delisting date
    indicators: list[tuple[ind.Indicator, Callable[[Any], float] | None]] = field(default_factory=list)
    per_bar: list[tuple[ind.Indicator, Callable[[Any], float] | None]] = field(default_factory=list)
    """The automatic indicators updated bar by bar, in registration order; the others are precomputed."""
    updates: UpdateSeries | None = None  # the precomputed indicators' inputs and update count

    def precompute_indicators(self, shared: set[int]) -> None:
        """Compute ahead the indicators that can be (``shared``: ids of indicators registered twice, kept bar
        by bar); the rest stay bar by bar."""
        chosen = [
            indicator
            for indicator, selector in self.indicators
            if selector is None and id(indicator) not in shared and can_precompute(indicator)
        ]
        if not chosen:
            return
        feed = self.indicator_feed()
        if feed is None:
            return
        self.updates = UpdateSeries(feed.bars.close, feed.bars.end_ns, self.security.hours.exchange_tz)
        for indicator in chosen:
            precompute(indicator, self.updates, self.refresh_per_bar)
        self.refresh_per_bar()

    def indicator_feed(self) -> BarFeed | None:
        """The feed LEAN's automatic indicators follow: the subscription's first (trades, or a forex pair's
        quotes), whose bars (and filled-forward bars) update them."""
        first = subscription_kinds(self.security)[0]
        return self.security.trade_feed if first == "trade" else self.security.quote_feed

    def run_bar_by_bar(self) -> None:
        """Hand every precomputed indicator back (a filled-forward bar is not in their precomputed inputs)."""
        for indicator, _ in self.indicators:
            indicator.run_bar_by_bar()

    def refresh_per_bar(self) -> None:
        self.per_bar = [pair for pair in self.indicators if pair[0].ahead is None]


class Backtest:
    """Runs one algorithm file over one data folder; ``recorder`` collects what LEAN would write."""

    def __init__(
        self,
        project_dir: Path,
        data_dir: Path,
        overrides: RunOverrides,
        recorder: Recorder,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.project_dir = project_dir
        self.data = LeanDataFolder(data_dir)
        self.overrides = overrides
        self.recorder = recorder
        self.should_stop = should_stop
        MarketOnCloseOrder.reset()  # LEAN's static: one LEAN process runs one algorithm
        self.parameters = dict(overrides.parameters)
        self.start = date(1998, 1, 1)
        self.start_given = False
        self.end = datetime.now(UTC).date() - timedelta(days=1)
        self.clock = Clock(int(datetime(1998, 1, 1, tzinfo=UTC).timestamp()) * NS, ZoneInfo("America/New_York"))
        self.portfolio = Portfolio()
        LocalDiskShortableProvider.data_root = data_dir  # LEAN's global data folder
        self.securities: dict[Symbol, Security] = {}
        SymbolCache.clear()  # LEAN's is per process, which runs one algorithm
        self.securities_view = _SymbolDict()
        self.subscriptions: dict[Symbol, Subscription] = {}
        self.transactions = Transactions(
            self.portfolio, self.securities, self._on_order_event, recorder.engine_log, self.clock
        )
        self.transactions_view = _TransactionsView(self.transactions)
        self.scheduler = Scheduler()
        self.consolidation = Consolidation(self)
        self.subscription_manager = SubscriptionManager(self.consolidation)
        self.settings = AlgorithmSettings()
        self.history_requests = History(self)
        self.date_rules = DateRules(self._hours_of, lambda: self.local_time)
        self.time_rules = TimeRules(self._hours_of, lambda: self.time_zone, lambda: self.utc_time, self._all_hours)
        self.scheduler.added = self._schedule_now
        self.due_events: _DueEvents | None = None  # the loop's scheduled events, once it runs
        self.wake = Wake()  # the loop's next step with a timed check due (see Wake)
        self.benchmark_ticker = "SPY"
        self.benchmark_function: Callable[[datetime], float] | None = None  # the algorithm's, via set_benchmark
        self._benchmark_failed = False
        self.brokerage = 0
        self.brokerage_model: DefaultBrokerageModel | None = None  # a Python subclass, via set_brokerage_model
        self.benchmark_set = False
        self.default_order_properties = OrderProperties()
        self.warm_up: tuple[int | timedelta, Resolution | None] | None = None
        self.warming_up = False
        self.runtime_extra: dict[str, str] = {}
        self.summary_extra: dict[str, str] = {}  # set_summary_statistic's, after LEAN's own statistics
        self.insights: list[Any] = []  # emit_insights'
        self.stop_requested: str | None = None
        self.initialized = False
        self.algorithm: QCAlgorithm | None = None
        self.order_event_hook: Callable[[Any], Any] | None = None  # the algorithm's on_order_event, if it has one
        self.last_step_ns: int | None = None  # the last time step processed (the final sample's time)
        self.last_filled: dict[Symbol, TradeBar] = NO_BARS  # its fill-forward bars (LEAN's last slice)
        self.capacity: CapacityEstimate | None = None
        self.feeds: list[BarFeed] = []
        self.warm_start = datetime.combine(self.start, datetime.min.time())  # where the data begins (warm-up)
        self.warm_start_day = self.start
        self.fill_forward_points = 0  # fill-forward bars made (trade and quote): LEAN counts them as data points
        self.history_data_points = 0  # bars handed out by history requests (LEAN's AlgorithmHistoryDataPoints)
        self.map_file_points = 0  # data points of renames and delistings, and a universe selection per delisting
        self.selection_points = 0  # LEAN's user-defined universes' selections: at the start, and per change
        self.universe_changes: list[tuple[Security, bool]] = []  # (security, added) asked during this time step
        self.unsubscribed: set[Symbol] = set()  # removed from their universe: no more data
        self.subscribed_from: dict[Symbol, date] = {}  # securities added while running: their first day
        self.securities_changed_hook: Callable[[Any], Any] | None = None
        self.security_initializers: list[Callable[[Security], Any]] = []  # add_security_initializer's
        self._cash_set = self._cash_symbol_explicit = self._account_currency_set = False
        self.internal_securities = False  # whether the cash book added conversion securities
        self.start_equity: Decimal | None = None  # the portfolio value LEAN starts from, as its decimal

    @property
    def time_zone(self) -> ZoneInfo:
        return self.clock.zone

    @property
    def utc_time(self) -> datetime:
        return self.clock.utc

    @property
    def local_time(self) -> datetime:
        return self.clock.local

    # -- called by QCAlgorithm ---------------------------------------------------------------------------

    def set_start(self, day: date) -> None:
        """LEAN's SetStartDate also moves the algorithm's time there: history in initialize ends at the start."""
        self.start, self.start_given = day, True
        self.clock.ns = _local_midnight_ns(day, self.time_zone)

    def set_end(self, day: date) -> None:
        self.end = min(day, datetime.now(UTC).date() - timedelta(days=1))

    def set_cash(self, amount: float) -> None:
        self._check_cash(amount)
        self.portfolio.cash = amount
        self._cash_set, self._cash_symbol_explicit = True, False

    @staticmethod
    def _check_cash(amount: float) -> None:
        if not 0 <= float(amount) <= MAX_CASH:  # NaN fails too
            raise UnsupportedApi(f"set_cash({amount}): cash outside 0 to {MAX_CASH:,} (in 64-bit floats, cents "
                                 "stay exact only below it)")  # fmt: skip

    def set_currency_cash(self, currency: str, amount: float, rate: float) -> None:
        """LEAN's ``SetCash(symbol, amount, conversionRate)``: that currency's entry, added when missing."""
        self._check_cash(amount)
        if rate:
            raise UnsupportedApi("set_cash(currency, amount, conversion_rate) with a conversion rate")
        book = self.portfolio.cash_book
        if currency.upper() in book:
            book[currency].set_amount(amount)
        else:
            book.add(currency, amount, 0.0)
        self._cash_set, self._cash_symbol_explicit = True, True

    def set_account_currency(self, currency: str, amount: float | None) -> None:
        """LEAN's ``SecurityPortfolioManager.SetAccountCurrency``: once, before any security; the amount set so
        far moves to the new currency unless it was set with ``set_cash(currency, ...)``."""
        book = self.portfolio.cash_book
        currency = currency.upper()
        if self._account_currency_set:
            return  # LEAN logs the second call and keeps the first currency
        self._account_currency_set = True
        if self.securities:
            raise ValueError(
                "SecurityPortfolioManager.SetAccountCurrency(): Cannot change AccountCurrency after adding a "
                "Security. Please move SetAccountCurrency() before AddSecurity()."
            )
        previous, previous_amount = book.account_currency, self.portfolio.cash
        book.set_account_currency(currency)
        if self._cash_symbol_explicit and self._cash_set and previous != currency:
            self.portfolio.cash = 0.0
            book.add(previous, previous_amount, 1.0)
        if amount is not None:
            self.set_cash(float(amount))

    def set_brokerage(self, brokerage: int) -> None:
        """LEAN's ``SetBrokerageModel(BrokerageName)`` for the Default, InteractiveBrokers and Zerodha models:
        the securities added so far get the new model's security initializer, keeping their leverage."""
        self.brokerage = brokerage
        if brokerage == india.ZERODHA:
            for security in self.securities.values():
                if not security.internal:
                    india.initialize_for_zerodha(security, security.leverage)

    @property
    def coinbase(self) -> bool:
        """Under LEAN's Coinbase (GDAX) brokerage model."""
        return self.brokerage in (BrokerageName.GDAX, BrokerageName.COINBASE) and self.brokerage_model is None

    def set_time_zone(self, zone: str | ZoneInfo) -> None:
        self.clock.set_zone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))
        if self.start_given:  # LEAN puts the algorithm's time back at the start date, read in the new zone
            self.clock.ns = _local_midnight_ns(self.start, self.time_zone)

    def set_warm_up(self, period: int | timedelta, resolution: Resolution | None) -> None:
        self.warm_up = (period, resolution)

    def add_security(
        self,
        kind: SecurityKind,
        ticker: str,
        resolution: Any,
        market: str,
        fill_forward: bool,
        leverage: float,
        extended: bool,
        options: dict[str, Any],
        internal: bool = False,
    ) -> Security:
        unknown = set(options) - {"data_normalization_mode", "dataNormalizationMode"}
        if unknown:
            raise UnsupportedApi(f"add_{kind.value}({', '.join(sorted(unknown))}=...)")
        mode = options.get("data_normalization_mode", options.get("dataNormalizationMode"))
        if kind == SecurityKind.EQUITY and mode is not None and int(mode) != DataNormalizationMode.ADJUSTED:
            raise UnsupportedApi(f"data_normalization_mode={DataNormalizationMode(int(mode)).name} for equities")
        if self.initialized and self.warming_up:
            raise UnsupportedApi(f"add_{kind.value} during warm-up")
        resolution = Resolution(int(resolution)) if resolution is not None else Resolution.MINUTE
        if resolution == Resolution.TICK:
            raise UnsupportedApi("tick resolution")
        if not market:  # the brokerage model's DefaultMarkets
            zerodha_equity = kind == SecurityKind.EQUITY and self.brokerage == india.ZERODHA
            market = india.INDIA if zerodha_equity else DEFAULT_MARKET[kind]
        if kind == SecurityKind.EQUITY and market not in EQUITY_MARKETS:
            raise UnsupportedApi(f"add_equity({ticker}) in market {market} (US and India equities only)")
        account_currency = self.portfolio.cash_book.account_currency
        if kind == SecurityKind.EQUITY and market == india.INDIA:
            india.check_account_currency(ticker, account_currency)
        hours = self.data.market_hours(kind, market, ticker)
        properties = self.data.symbol_properties(kind, market, ticker, account_currency)
        if kind == SecurityKind.FOREX and len(ticker) == 6:  # LEAN's default quote currency of a forex pair
            properties = replace(properties, quote_currency=ticker.upper()[3:])
        map_file = None
        if kind == SecurityKind.EQUITY:  # LEAN's identifier: the first ticker and date of today's map file
            named = self.data.map_file_of_ticker(market, ticker, date.today())
            first_ticker, listed = (named.first_ticker, named.first_date) if named.dates else (ticker, None)
            if listed is None and market == india.INDIA:
                listed = india.UNMAPPED_FIRST_DATE
            identifier = security_identifier(first_ticker.upper(), SecurityType.EQUITY, market, listed)
            symbol = Symbol(ticker.upper(), SecurityType.EQUITY, market, identifier)
            map_file = self.data.map_file_of_identifier(market, first_ticker, listed or BEGINNING_OF_TIME)
        else:
            symbol = Symbol.create(ticker, KIND_TYPES[kind], market)
        if self.initialized and symbol in self.securities and symbol not in self.unsubscribed:
            raise UnsupportedApi(f"add_{kind.value}({ticker}) of a security already added, after initialize")
        security = Security(
            symbol, kind, resolution, hours, properties, leverage or DEFAULT_LEVERAGE[kind], fill_forward, extended
        )
        security.clock = self.clock
        security.session_host = self.consolidation
        attach_cash(self.portfolio.cash_book, security)
        security.cash_account = self.coinbase  # LEAN's BrokerageModelSecurityInitializer, at the addition
        if security.cash_account:
            security.leverage = 1.0
        if self.brokerage == india.ZERODHA and not internal:  # LEAN's GetLeverage: 1 for internal feeds
            india.initialize_for_zerodha(security, leverage)
        security.cash_book = self.portfolio.cash_book
        if map_file is not None:
            security.factor_file = self.data.factor_file(map_file.permtick, market)
        self.securities[symbol] = security
        self.securities_view[symbol] = security
        SymbolCache.set(symbol.value, symbol)
        self.portfolio[symbol] = security.holdings
        self.subscriptions[symbol] = Subscription(security, None, None, map_file)
        if self.security_initializers:  # LEAN's CreateSecurity: the initializers, then the leverage asked for
            for initialize in self.security_initializers:
                initialize(security)
            if leverage:
                security.set_leverage(leverage)
        if self.initialized:
            self._refuse_events_ahead(security, f"add_{kind.value}")
            self.universe_changes.append((security, True))
        return security

    def add_security_initializer(self, initializer: Any) -> None:
        if self.initialized:
            raise UnsupportedApi("add_security_initializer after initialize (LEAN throws)")
        initialize = initializer if callable(initializer) else getattr(initializer, "initialize", None)
        if not callable(initialize):
            raise UnsupportedApi(f"add_security_initializer({type(initializer).__name__})")
        self.security_initializers.append(initialize)

    def add_internal_security(self, kind: SecurityKind, ticker: str, market: str, resolution: Resolution) -> Security:
        """A conversion security the cash book needs: subscribed, filled forward, never shown to the algorithm."""
        if self.security_initializers:  # whether LEAN initializes them too is not modelled
            raise UnsupportedApi("add_security_initializer with the cash book's conversion securities")
        security = self.add_security(kind, ticker, resolution, market, True, 0.0, False, {}, internal=True)
        security.internal = True
        self.internal_securities = True
        return security

    def remove_security(self, key: Any, tag: str | None = None) -> bool:
        """LEAN's RemoveSecurity: open orders cancelled and holdings liquidated now (tag "Removed"), the
        security no longer tradable; it leaves its universe at the end of this time step (see
        :meth:`_apply_universe_changes`)."""
        if not self.initialized:
            raise UnsupportedApi("remove_security in initialize")
        if self.warming_up:
            raise UnsupportedApi("remove_security during warm-up")
        security = self._find_security(key)
        if security is None:
            return False
        self._refuse_events_ahead(security, "remove_security")
        tag = "Removed" if tag is None else tag
        for order in self.transactions.open_orders(security.symbol):
            self.transactions.cancel_order(order.id, tag)
        if security.holdings.quantity:
            self.algorithm.liquidate(security.symbol, tag=tag)
        security.is_tradable = False
        self.universe_changes = [change for change in self.universe_changes if change[0] is not security]
        if security.symbol not in self.unsubscribed:
            self.universe_changes.append((security, False))
        return True

    def security(self, key: Any) -> Security:
        found = self._find_security(key)
        if found is not None:
            return found
        raise StudioError(
            f"symbol: {key} is not subscribed", "Add it in initialize with add_equity/add_crypto/add_forex."
        )

    def _security_for_order(self, key: Any) -> Security:
        """LEAN's GetSecurityForOrder adds a security the algorithm has not (a ticker it converts to a Symbol
        through the SymbolCache, else a bare one); the engine adds securities only when asked."""
        found = self._find_security(key)
        if found is None:
            raise UnsupportedApi(f"ordering {key} without adding it (LEAN adds the security)")
        return found

    def _find_security(self, key: Any) -> Security | None:
        if isinstance(key, Security):  # LEAN converts a Security to its Symbol wherever a Symbol is asked for
            key = key.symbol
        if isinstance(key, Symbol):  # at once (every order asks); tickers by the scan, first subscribed first
            found = self.securities.get(key)
            if found is not None:
                return found
        for symbol, security in self.securities.items():
            if symbol == key:
                return security
        return None

    def register(self, key: Any, indicator: ind.Indicator, selector: Any, resolution: Any = None) -> ind.Indicator:
        """LEAN's RegisterIndicator: at the subscription's own resolution the automatic updates of the time loop
        (which may be precomputed); at another resolution or period, or with a given consolidator, the bars
        of a consolidator."""
        security = self.security(key)
        consolidator = resolution if isinstance(resolution, ConsolidatorBase) else None
        if consolidator is None:
            period = resolution if isinstance(resolution, timedelta) else None
            level = None if period is not None or resolution is None else Resolution(int(resolution))
            consolidator = self.consolidation.create(security, period=period, resolution=level)
            if isinstance(consolidator, IdentityDataConsolidator):
                subscription = self.subscriptions[security.symbol]
                subscription.indicators.append((indicator, selector))
                subscription.per_bar.append((indicator, selector))
                return indicator
        self.consolidation.feed_indicator(security, indicator, consolidator, selector)
        return indicator

    def unregister(self, indicator: ind.Indicator) -> None:
        """LEAN's UnregisterIndicator: no more automatic updates (its consolidators removed)."""
        indicator.run_bar_by_bar()
        for subscription in self.subscriptions.values():
            subscription.indicators = [pair for pair in subscription.indicators if pair[0] is not indicator]
            subscription.refresh_per_bar()
        for consolidator in indicator.consolidators:
            self.consolidation.remove(None, consolidator)
        indicator.consolidators.clear()

    def trade_selector(self, key: Any, pick: Callable[[Any], float]) -> Callable[[Any], float] | None:
        """``pick`` when the symbol's first subscription has trade bars (LEAN's MAX/MIN read highs and lows
        then), else None (the data's value)."""
        return pick if subscription_kinds(self.security(key))[0] == "trade" else None

    def guard_consolidators(self, action: Callable[[], Any]) -> None:
        self._guard("Consolidators update", action)

    def warm_up_indicator(
        self, key: Any, indicator: ind.Indicator, resolution: Any = None, selector: Any = None
    ) -> None:
        warm_up_indicator(self, key, indicator, resolution, selector)

    def _refused_before_trading(self) -> bool:
        """LEAN's answer to an order request in initialize or during warm-up: an error in the log, no order."""
        if self.warming_up or not self.initialized:
            self.recorder.engine_log(
                "ERROR",
                "This operation is not allowed in Initialize or during warm up: "
                "OrderRequest. Please move this code to the OnWarmupFinished() method.",
            )
            return True
        return False

    def order(
        self, key: Any, quantity: float, order_type: OrderType, tag: str = "", asynchronous: bool = False,
        properties: Any = None, trailing: tuple[float, bool] | None = None, **prices: float,
    ) -> Any:  # fmt: skip
        """LEAN's order request: its own ``OrderProperties`` or a copy of the default ones."""
        if properties is not None and not isinstance(properties, OrderProperties):
            raise UnsupportedApi(f"order_properties={type(properties).__name__}: only LEAN's OrderProperties")
        security = self._security_for_order(key)
        if self._refused_before_trading():
            return None
        if self.brokerage == india.ZERODHA:
            india.check_zerodha_order(security, order_type)
        if not security.is_tradable:  # delisted or removed
            message = f"The security with symbol '{security.symbol}' is marked as non-tradable."
            return self._invalid_ticket(security, quantity, order_type, tag, message)
        if order_type == _MARKET_ON_CLOSE and _past_market_on_close_buffer(security, self.clock.local_in):
            message = (
                f"MarketOnClose orders must be placed within {timespan(MarketOnCloseOrder.submission_time_buffer)} "
                "before market close. Override this TimeSpan buffer by setting "
                "Orders.MarketOnCloseOrder.SubmissionTimeBuffer in QCAlgorithm.Initialize()."
            )
            return self._invalid_ticket(security, quantity, order_type, tag, message)
        lot = security.symbol_properties.lot_size or 1.0
        quantity = math.trunc(float(quantity) / lot) * lot if security.kind == _EQUITY else float(quantity)
        if (
            order_type == MARKET
            and security.kind == _EQUITY
            and not security.hours.is_open(
                self.clock.local_in(security.hours.exchange_tz), security.extended_market_hours
            )
        ):
            order_type = OrderType.MARKET_ON_OPEN
            self.algorithm_message(
                "Debug",
                "Warning: market orders submitted while the market is closed are "
                "automatically converted into MarketOnOpen orders to fill at the next market open.",
                once=True,
            )
        ticket = self.transactions.submit(
            security, quantity, order_type, tag, prices.get("limit_price"), prices.get("stop_price"), asynchronous,
            properties if properties is not None else self.default_order_properties.clone(), trailing,
            prices.get("trigger_price"),
        )  # fmt: skip
        if order_type == MARKET:
            self.transactions.scan(set())
        return ticket

    def combo_order(
        self, legs: list[Any], quantity: float, limit_price: float, asynchronous: bool, tag: str, properties: Any
    ) -> list[OrderTicket] | None:
        """LEAN's ``SubmitComboOrder``: a group of the legs' orders (see :mod:`.combo_orders`)."""
        if properties is not None and not isinstance(properties, OrderProperties):
            raise UnsupportedApi(f"order_properties={type(properties).__name__}: only LEAN's OrderProperties")
        legs = list(legs)
        if not legs or not all(isinstance(leg, Leg) for leg in legs):
            raise UnsupportedApi("combo orders of anything but a list of Leg")
        check_sizing(legs, quantity)
        if self._refused_before_trading():
            return None
        kind = combo_type(legs, limit_price)
        transactions = self.transactions
        transactions.group_ids += 1
        group = GroupOrderManager(transactions.group_ids, len(legs), quantity, lean_decimal(limit_price))
        specs = []
        for leg in legs:
            security = self.security(leg.symbol)
            if security.kind != SecurityKind.EQUITY:
                raise UnsupportedApi(f"combo orders of {security.kind.value} securities")
            if not security.is_tradable:
                raise UnsupportedApi("combo orders of a security that is not tradable")
            specs.append((security, float(leg.quantity * quantity), leg.order_price))
        properties = properties if properties is not None else self.default_order_properties
        return transactions.submit_combo(specs, group, kind, tag, properties)

    def _invalid_ticket(
        self, security: Security, quantity: float, order_type: OrderType, tag: str, message: str
    ) -> OrderTicket:
        """LEAN's PreOrderChecks refusal (``OrderTicket.InvalidSubmitRequest``): the error logged, no order made,
        and a ticket of id 0 and status Invalid that the order book never holds."""
        self.algorithm_message("Error", message)
        order = Order(0, security.symbol, float(quantity), order_type, self.utc_time, tag)
        order.status = OrderStatus.INVALID
        return OrderTicket(order, self.transactions)

    def plot(self, chart: str, series: str, value: float) -> None:
        self.recorder.plot(chart, series, self.utc_time, value)

    def add_chart(self, chart: Any) -> None:
        self.recorder.add_chart(chart)

    def algorithm_message(self, kind: str, text: str, once: bool = False) -> None:
        self.recorder.algorithm_message(kind, text, self.local_time, once)

    # -- running ---------------------------------------------------------------------------------------

    def run(self) -> None:
        """Load, initialise and run the algorithm; raise AlgorithmFailure with LEAN's error text on failure."""
        consolidators.minimum_price_variation = self._minimum_price_variation
        algorithm = self._create_algorithm()
        self.algorithm = algorithm
        if _overrides_hook(algorithm, "on_order_event"):
            self.order_event_hook = _hook(algorithm, "on_order_event")
        try:
            _hook(algorithm, "initialize")()
        except UnsupportedApi as error:
            raise self._refusal(error) from error
        except StudioError:
            raise
        except Exception as error:
            self._refuse_missing(error)
            raise AlgorithmFailure(
                "During the algorithm initialization, the following exception has occurred: "
                + _describe(error, self.project_dir),
                traceback.format_exc(),
            ) from error
        self._apply_overrides()
        try:
            if self.brokerage_model is not None and not self.benchmark_set:  # LEAN's PostInitialize
                self.benchmark_function = benchmark_function(self.brokerage_model, self.securities)
            if self.coinbase and not self.benchmark_set:
                self._coinbase_benchmark()
            self._refuse_foreign_benchmark()
            add_benchmark_cash(self)
            ensure_currency_feeds(self)  # LEAN's BaseSetupHandler.SetupCurrencyConversions
            seed_conversion_rates(self)
        except UnsupportedApi as error:
            raise self._refusal(error) from error
        self.portfolio.refresh_held()
        if self.end < self.start:
            raise StudioError(f"end date {self.end} is before start date {self.start}", "Fix the dates of the run.")
        warm_start = self.warm_start = self._warm_up_start()
        self.start_equity = self.portfolio.cash_book.total_value_decimal()  # before any position
        self.recorder.start(self, self.portfolio.total_portfolio_value)
        internal = self.recorder.benchmark[0] if self.recorder.benchmark is not None else None
        self.capacity = CapacityEstimate(self.start, self.end, self.portfolio, internal)
        self._load_all(warm_start.date())
        self.initialized = True
        self._loop(warm_start)

    def _apply_overrides(self) -> None:
        if self.overrides.start_date:
            self.start = self.overrides.start_date
        if self.overrides.end_date:
            self.end = self.overrides.end_date
        if self.overrides.initial_cash:
            self.portfolio.cash = self.overrides.initial_cash

    def _create_algorithm(self) -> QCAlgorithm:
        main = self.project_dir / "main.py"
        if not main.exists():
            raise AlgorithmFailure(f"No main.py in {self.project_dir}: a LEAN Python project needs one.")
        source = main.read_text()
        try:
            compile(source, str(main), "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST: LEAN's build check
        except SyntaxError as error:
            raise AlgorithmFailure(
                f"Build Error File: main.py Line {error.lineno} Column {error.offset} - "
                f"{type(error).__name__}: {error.msg}"
            ) from error
        for path in (str(LEAN_API_DIR), str(self.project_dir)):
            if path not in sys.path:
                sys.path.insert(0, path)
        lean_modules.install(_implemented_lean_names)
        sys.modules.pop("main", None)
        try:
            spec = importlib.util.spec_from_file_location("main", main)
            module = importlib.util.module_from_spec(spec)
            sys.modules["main"] = module
            spec.loader.exec_module(module)
        except UnsupportedApi as error:  # a LEAN name the engine lacks
            raise self._refusal(error) from error
        except Exception as error:
            raise AlgorithmFailure(
                f"Loader.TryCreatePythonAlgorithm(): Unable to import python module {main}. "
                + _describe(error, self.project_dir),
                traceback.format_exc(),
            ) from error
        klass = _find_class(module)
        if klass is None:
            raise AlgorithmFailure("main.py defines no class deriving from QCAlgorithm")
        names = _identifiers(self.project_dir)
        spell_like_lean(klass, names)
        spell_lean_objects(names)
        algorithm = klass.__new__(klass)
        algorithm._backtest = self
        try:
            klass.__init__(algorithm)
        except Exception as error:
            self._refuse_missing(error)
            raise AlgorithmFailure(
                "Algorithm constructor failed: " + _describe(error, self.project_dir), traceback.format_exc()
            ) from error
        return algorithm

    def _coinbase_benchmark(self) -> None:
        """``CoinbaseBrokerageModel.GetBenchmark``: BTCUSD on Coinbase, its currencies in the cash book, read by
        LEAN's internal hourly feed; without hour data its price stays 0, as the benchmark's value."""
        benchmark = Security(Symbol.create("BTCUSD", SecurityType.CRYPTO, "coinbase"), SecurityKind.CRYPTO,
                             Resolution.HOUR, self.data.market_hours(SecurityKind.CRYPTO, "coinbase", "BTCUSD"),
                             self.data.symbol_properties(SecurityKind.CRYPTO, "coinbase", "BTCUSD"), 1.0, False,
                             False)  # fmt: skip
        attach_cash(self.portfolio.cash_book, benchmark)
        first = self.start - timedelta(days=1)
        bars = self.data.read_bars(SecurityKind.CRYPTO, "coinbase", "BTCUSD", ResolutionName.HOUR, "trade", first,
                                   self.end)  # fmt: skip
        if bars is not None and len(bars):
            raise UnsupportedApi("the Coinbase brokerage's BTCUSD benchmark with hour data")
        self.benchmark_function = lambda utc: 0.0

    def _refuse_foreign_benchmark(self) -> None:
        """The security benchmark is read as a US equity: one that names a subscribed security of another
        market (an India equity) is refused."""
        if self.benchmark_function is not None:
            return
        for symbol in self.securities:
            if symbol.value == self.benchmark_ticker and symbol.market != "usa":
                raise UnsupportedApi(f"set_benchmark({symbol.value}) of a security in market {symbol.market}")

    def _minimum_price_variation(self, key: Any) -> float:
        return self.security(key).symbol_properties.minimum_price_variation

    def _hours_of(self, key: Any) -> Any:
        """A security's exchange hours; a ticker not subscribed is read as a US equity, as LEAN's rules do."""
        if isinstance(key, str) and not any(symbol == key for symbol in self.securities):
            self.algorithm_message(
                "Debug",
                f"Warning: no existing symbol found for ticker {key}, it will be created with Equity type.",
                once=True,
            )
            SymbolCache.set(key, Symbol.create(key, SecurityType.EQUITY, "usa"))
            return self.data.market_hours(SecurityKind.EQUITY, "usa", key)
        return self.security(key).hours

    def _all_hours(self) -> list[Any]:
        """LEAN's GetMarketOpenCloseExchangeHours: SPY's hours, and those of the other securities whose market
        is not always open."""
        hours = [self.data.market_hours(SecurityKind.EQUITY, "usa", "SPY")]
        for security in self.securities.values():
            us_equity = security.kind == SecurityKind.EQUITY and security.symbol.market == "usa"
            if not us_equity and not _always_open(security.hours):
                hours.append(security.hours)
        return hours

    def _schedule_now(self, event: Any) -> None:
        """An event scheduled while the algorithm runs: its moments from now on join the loop's list."""
        if self.due_events is not None:
            today = self.local_time.date() - timedelta(days=1)
            moments = [moment for moment in event.utc_times(today, self.end) if moment >= self.clock.ns]
            self.due_events.add([(moment, event.action) for moment in moments])
            self.wake.ns = 0

    def _warm_up_start(self) -> datetime:
        """When warm-up data begins (algorithm time), as LEAN's ``TryGetWarmupHistoryStartTime``: a span back
        from the start, or the earliest start of ``n`` bars back through each security's open hours (at the
        warm-up resolution if given, else the security's own); without securities, n periods back."""
        start = datetime.combine(self.start, datetime.min.time())
        if self.warm_up is None:
            return start
        period, resolution = self.warm_up
        if isinstance(period, timedelta):
            return start - period
        level = Resolution(int(resolution)) if resolution is not None else None
        if not self.securities:
            return start - int(period) * resolution_span(level if level is not None else Resolution.MINUTE)
        start_ns = int(start.replace(tzinfo=self.time_zone).timestamp()) * NS
        earliest = min(
            bars_start_ns(security, int(period), level if level is not None else security.resolution, start_ns)
            for security in self.securities.values()
        )
        return local_datetime(earliest, self.time_zone)

    def load_bars(
        self, security: Security, resolution: Resolution, tick_type: str, first: date, last: date
    ) -> Bars | None:
        """A security's bars as the engine feeds them: its session's, adjusted as LEAN adjusts them."""
        return self._load(security, resolution, tick_type, first, last)

    def _load(self, security: Security, resolution: Resolution, tick_type: str, first: date, last: date) -> Bars | None:
        """An equity's bars are read from the files its map file names for each date (a renamed ticker's
        older files under the old name), none after its delisting date."""
        symbol = security.symbol
        map_file = self.subscriptions[symbol].map_file
        ranges = map_file.ticker_ranges(first, last, symbol.value) if map_file else [(symbol.value, first, last)]
        level = RESOLUTION_NAMES[resolution]
        parts = []
        for ticker, since, until in ranges:
            part = self.data.read_bars(security.kind, symbol.market, ticker, level, tick_type, since, until)
            if part is not None and len(part):
                parts.append(part)
        if not parts:
            return None
        bars = joined(parts)
        if map_file is None and resolution in (Resolution.MINUTE, Resolution.SECOND, Resolution.HOUR):
            bars = bars.select(_in_session(bars, security.hours, security.extended_market_hours))  # forex's closes
        if map_file is not None:
            if resolution in (Resolution.MINUTE, Resolution.SECOND, Resolution.HOUR):
                bars = bars.select(_in_session(bars, security.hours, security.extended_market_hours))
            bars = self.data.adjusted(bars, map_file.permtick, security.hours.exchange_tz, symbol.market)
        return bars

    def _load_all(self, first: date) -> None:
        for subscription in self.subscriptions.values():
            self._load_subscription(subscription, first)

    def _load_subscription(self, subscription: Subscription, first: date) -> None:
        """A subscription's trade bars and (minute and second, or forex) quote bars from ``first`` to the end."""
        security = subscription.security
        kinds = feed_kinds(security) if security.kind != SecurityKind.EQUITY else ("trade", "quote")
        last = self._last_exchange_day(security)
        trades = self._load(security, security.resolution, "trade", first, last) if "trade" in kinds else None
        quotes = None
        if "quote" in kinds and (security.resolution in (Resolution.MINUTE, Resolution.SECOND) or
                                 security.kind == SecurityKind.FOREX):  # fmt: skip
            quotes = self._load(security, security.resolution, "quote", first, last)
        mapped_india = (
            security.symbol.market == india.INDIA
            and subscription.map_file is not None
            and bool(subscription.map_file.dates)
        )  # LEAN runs on with its map file's renames only, as here
        if trades is None and quotes is None and not security.internal and not mapped_india:
            folder = self.data.folder(security.kind, security.symbol.market, RESOLUTION_NAMES[security.resolution])
            listed = subscription.map_file
            span = "" if listed is None or not listed.dates else (
                f" (its map file {listed.permtick.lower()}.csv lists it from {listed.first_date} to "
                f"{listed.delisting_date})"
            )  # fmt: skip
            raise DataMissing(
                f"No {security.resolution.name.lower()} data for {security.symbol.value} between {first} and "
                f"{self.end}{span}: searched {folder}",
                "Download the data into the data folder (BACKTEST_DATA), choose dates the data covers, or "
                "run `python -m backtest_core data sample` for a synthetic set.",
            )
        subscription.trades, subscription.quotes = trades, quotes

    def _last_exchange_day(self, security: Security) -> date:
        """The exchange's date at the algorithm's last moment: a later one where the exchange's time zone is
        ahead (a crypto exchange's UTC days run into an algorithm's New York evening)."""
        end_ns = _local_midnight_ns(self.end + timedelta(days=1), self.time_zone) - 1
        return max(self.end, local_datetime(end_ns, security.hours.exchange_tz).date())

    def _loop(self, warm_start: datetime) -> None:
        """The time loop. Written for speed: one pass per time step, idle parts skipped by cheap checks."""
        algorithm = self.algorithm
        on_data = _hook(algorithm, "on_data")
        start_ns = _local_midnight_ns(self.start, self.time_zone)
        end_ns = _local_midnight_ns(self.end + timedelta(days=1), self.time_zone)
        warm_ns = int(warm_start.replace(tzinfo=self.time_zone).timestamp() * NS)
        feeds = self.feeds = self._feeds(warm_ns, end_ns)
        self.warm_start_day = warm_start.date()
        corporate = CorporateSteps(self.securities.values(), warm_start.date(), self.end)
        due_events = self._map_file_events(warm_start.date())
        event_ns = [np.array(sorted(due_events), dtype=np.int64)] if due_events else []
        step_times = union_of_sorted(
            [feed.bars.end_ns for feed in feeds] + self._fill_forward_grids(end_ns) + event_ns + corporate.grid
        )
        next_event_ns = min(due_events, default=END_OF_TIME)
        on_splits = _hook(algorithm, "on_splits") if _overrides_hook(algorithm, "on_splits") else None
        on_dividends = _hook(algorithm, "on_dividends") if _overrides_hook(algorithm, "on_dividends") else None
        self._precompute_indicators()
        indicator_feeds = [
            (feed, subscription)
            for subscription in self.subscriptions.values()
            if (feed := subscription.indicator_feed()) is not None
        ]
        filling_forward = [
            feed
            for security in self.securities.values()
            if security.fill_forward
            for feed in (security.trade_feed, security.quote_feed)
            if feed is not None
        ]
        self.selection_points = universe_points(self.securities.values())
        events = _DueEvents(self._scheduled_events(warm_start.date()), start_ns, self._run_event)
        self.due_events = events
        self.warming_up = self.warm_up is not None and warm_ns < start_ns
        clock, recorder, zone = self.clock, self.recorder, self.time_zone
        if self.warming_up:
            clock.ns = warm_ns
            recorder.algorithm_message("Debug", "Algorithm starting warm up...", self.local_time, False)
        else:  # LEAN calls it once even without a warm-up period, before the first data
            clock.ns = start_ns
            self._guard("OnWarmupFinished", _hook(algorithm, "on_warmup_finished"))
        if _overrides_hook(algorithm, "on_securities_changed"):  # the first slice's: the initial universes'
            self.securities_changed_hook = _hook(algorithm, "on_securities_changed")
            self._notify_changes([security for security in self.securities.values() if not security.internal], [])
        portfolio, working, capacity = self.portfolio, self.transactions.working, self.capacity
        # LEAN's internal hourly benchmark steps fall between the steps of a daily subscription only
        between_steps = capacity.has_internal_steps and any(
            security.resolution == Resolution.DAILY for security in self.securities.values()
        )
        filled = NO_BARS
        should_stop, consolidation, corporate_ns = self.should_stop, self.consolidation, corporate.next_ns
        wake = self.wake
        wake.ns = 0
        recorder.begin(start_ns, end_ns)
        if any(symbol.market == india.INDIA for symbol in self.securities):
            recorder.sample_internal_steps(start_ns)
        internal_steps = recorder.internal_ns is not None
        check_ns = recording = 0  # the day's housekeeping runs at the first step of each local day
        midnight_due = False  # a daily sample due at this very step (a bar ending at midnight)
        model_scan = SecurityModelScan(clock.ns)
        warn = _hook(algorithm, "on_margin_call_warning")
        margin_calls = MarginCallCheck(
            partial(self._guard, "OnMarginCallWarning", warn)
            if _overrides_hook(algorithm, "on_margin_call_warning")
            else None
        )
        while True:
            for step_ns in _as_python_ints(step_times):
                timed = step_ns >= wake.ns  # one of the timed checks of this step may be due (see Wake)
                if timed and step_ns >= check_ns:  # cancel check, end of warm-up, daily samples
                    if self.stop_requested or should_stop():
                        recorder.engine_log(
                            "TRACE", f"AlgorithmManager.Run(): Algorithm stopped: {self.stop_requested or 'cancelled'}"
                        )
                        break
                    if self.warming_up and step_ns > start_ns:
                        self._finish_warm_up(start_ns)
                    recording = not self.warming_up
                    if recording:
                        if step_ns >= recorder.next_midnight_ns:  # LEAN's ScanPastEvents: midnights before it
                            recorder.sample_midnights(self, step_ns - 1)
                            midnight_due = recorder.next_midnight_ns == step_ns
                        check_ns = recorder.next_midnight_ns
                    else:  # warming up: again at the start, and each local day for the cancel check
                        check_ns = min(start_ns + 1, self.next_local_midnight_ns(step_ns))
                if internal_steps and recording:
                    recorder.internal_steps_before(step_ns, portfolio_value(portfolio))
                if between_steps and step_ns > capacity.snapshot_ns:  # due at a step of LEAN's internal benchmark
                    capacity.before_step(step_ns)
                if timed:
                    if events.next_ns < step_ns:
                        events.fire_before(step_ns)
                    if consolidation.next_scan_ns < step_ns:
                        consolidation.scan_before(step_ns)
                clock.ns = step_ns
                fresh: list[tuple[BarFeed, int]] = []
                for feed in feeds:
                    if feed.next_ns == step_ns:
                        fresh.append((feed, feed.advance()))
                delistings, changes = NO_DELISTINGS, NO_SYMBOL_CHANGES
                if timed and step_ns == next_event_ns:  # renames and delistings: slices of their own, at midnight
                    changes, delistings = self._map_file_slice(due_events.pop(step_ns), filling_forward)
                    next_event_ns = min(due_events, default=END_OF_TIME)
                filled = filled_quotes = NO_BARS
                for ff_feed in filling_forward:
                    if ff_feed.current_ns != step_ns:
                        filled_quotes = {}
                        filled = self._fill_forward(filling_forward, step_ns, filled_quotes)
                        break
                if timed and step_ns >= model_scan.next_ns:  # LEAN's hourly margin interest, on the updated prices
                    self._guard("MarginInterestRateModel", model_scan.run, step_ns, self.securities.values())
                fresh_symbols = None
                if working:  # LEAN fills resting orders on the new data before OnData
                    fresh_symbols = {feed.symbol for feed, _ in fresh}
                    self._scan(fresh_symbols, filled)
                if events.next_ns == step_ns:  # LEAN's SetTime: events at this step see its prices and fills,
                    events.fire_before(step_ns + 1)  # not its consolidators' updates nor OnData, which follow
                if self.stop_requested:  # LEAN's check after SetTime: a quit in an event stops before OnData
                    self.last_step_ns = step_ns
                    break
                if midnight_due:  # LEAN's SetTime: a midnight at this step sees its prices and fills
                    midnight_due = False
                    recorder.sample_midnights(self, step_ns)
                    check_ns = recorder.next_midnight_ns
                for feed, subscription in indicator_feeds:  # LEAN's identity consolidators: each bar, filled too
                    if subscription.indicators:
                        if feed.current_ns == step_ns:
                            if subscription.updates is not None:
                                subscription.updates.advance()
                            if subscription.per_bar:
                                _update_indicators(subscription.per_bar, feed)
                        elif filled_quotes is not NO_BARS:
                            forward = (filled_quotes if feed.is_quote else filled).get(feed.symbol)
                            if forward is not None:  # a filled-forward bar: precomputed values have none for it
                                subscription.run_bar_by_bar()
                                _update_indicators(subscription.per_bar, feed, forward)
                if consolidation.feeding:  # then the consolidators get this step's data
                    try:
                        consolidation.update(step_ns, filled, filled_quotes)
                    except StudioError:
                        raise
                    except Exception as error:
                        self._runtime_error("Consolidators update", error)
                if step_ns >= margin_calls.next_ns and portfolio.held:  # LEAN's margin calls, before OnData
                    self._guard("Portfolio.MarginCallModel", margin_calls.run, step_ns, portfolio)
                if delistings and _overrides_hook(algorithm, "on_delistings"):
                    self._guard("OnDelistings", _hook(algorithm, "on_delistings"), delistings)
                if timed and step_ns == corporate_ns:  # LEAN's slice of splits and dividends, before the day's bars
                    splits, dividends = corporate.take(step_ns)
                    corporate_ns = corporate.next_ns
                    if splits and on_splits is not None:
                        self._guard("OnSplits", on_splits, splits)
                    if dividends and on_dividends is not None:
                        self._guard("OnDividends", on_dividends, dividends)
                    data = Slice(step_ns, zone, fresh, filled, delistings, changes, splits, dividends)
                else:
                    data = Slice(step_ns, zone, fresh, filled, delistings, changes)
                try:
                    if not self.internal_securities or self._has_algorithm_data(fresh, filled):
                        on_data(data)  # LEAN's Slice.HasData: internal feeds' data does not count
                except UnsupportedApi as error:
                    raise self._refusal(error) from error
                except StudioError:
                    raise
                except Exception as error:
                    self._runtime_error("OnData", error)
                if working:  # orders updated in on_data may fill on this step's data too
                    if fresh_symbols is None:
                        fresh_symbols = {feed.symbol for feed, _ in fresh}
                    self._scan(fresh_symbols)
                if step_ns >= capacity.wake_ns:  # a traded symbol watched, or a snapshot due
                    capacity.on_step(step_ns, filled)
                if recording:
                    recorder.on_step(self, step_ns, portfolio_value(portfolio))
                if timed:  # the next step at which one of the timed checks is due
                    wake.ns = min(check_ns, events.next_ns + 1, consolidation.next_scan_ns + 1, next_event_ns,
                                  model_scan.next_ns, corporate_ns)  # fmt: skip
                self.last_step_ns = step_ns
                if self.stop_requested or self.universe_changes:
                    break
            if self.stop_requested or not self.universe_changes or self.last_step_ns is None or should_stop():
                break
            # the end of this time step (LEAN's OnEndOfTimeStep): the universes change, the steps follow
            self._apply_universe_changes(filling_forward, indicator_feeds, end_ns)
            wake.ns = 0
            active = [
                feed.bars.end_ns
                for feed in feeds
                if feed.symbol not in self.unsubscribed and feed.security is self.securities[feed.symbol]
            ]
            step_times = union_of_sorted(active + self._fill_forward_grids(end_ns) + event_ns + corporate.grid)
            step_times = step_times[step_times > self.last_step_ns]
            between_steps = capacity.has_internal_steps and any(
                security.resolution == Resolution.DAILY for security in self.securities.values()
            )
        self.last_filled = filled
        if not self.stop_requested:
            events.fire_before(end_ns)  # the last day's events after its last bar
        if self.last_step_ns is not None:
            clock.ns = self.last_step_ns
        if not self.stop_requested or self.stop_requested == "Quit":
            self._guard("OnEndOfAlgorithm", _hook(algorithm, "on_end_of_algorithm"))
            self.final_capacity_update()

    def _has_algorithm_data(self, fresh: list[tuple[BarFeed, int]], filled: Mapping[Symbol, TradeBar]) -> bool:
        """Whether a step has data of the algorithm's own subscriptions (not only the cash book's)."""
        securities = self.securities
        return any(not feed.security.internal for feed, _ in fresh) or any(
            not securities[symbol].internal for symbol in filled
        )

    def final_capacity_update(self) -> None:
        """LEAN's forced ``ProcessSynchronousEvents`` at the end (after OnEndOfAlgorithm, and again on exit)."""
        if self.capacity is not None and self.last_step_ns is not None:
            self.capacity.on_step(self.last_step_ns, self.last_filled, force=True)

    def _feeds(self, warm_ns: int, end_ns: int) -> list[BarFeed]:
        """A feed per loaded bar series, holding the bars that end after warm-up begins (without a warm-up, from
        the start on: LEAN's reader keeps a bar ending at the start, a crypto minute bar ending at midnight) and
        by the end date."""
        after_ns = warm_ns - 1 if self.warm_up is None else warm_ns
        return [feed for subscription in self.subscriptions.values()
                for feed in self._subscription_feeds(subscription, after_ns, end_ns)]  # fmt: skip

    def _subscription_feeds(self, subscription: Subscription, after_ns: int, end_ns: int) -> list[BarFeed]:
        """A subscription's feeds, of the bars ending after ``after_ns`` and by ``end_ns``."""
        feeds = []
        security = subscription.security
        for bars, is_quote in ((subscription.trades, False), (subscription.quotes, True)):
            if bars is not None:
                keep = (bars.end_ns > after_ns) & (bars.end_ns <= end_ns)
                feed = BarFeed(security, bars.select(keep), is_quote)
                feeds.append(feed)
                if is_quote:
                    security.quote_feed = feed
                else:
                    security.trade_feed = feed
        return feeds

    def _map_file_events(self, first: date) -> dict[int, list[SymbolChangedEvent | Delisting]]:
        """The renames and delistings of the equities over the run, by moment (see :mod:`.symbol_changes`,
        :mod:`.delistings`)."""
        due: dict[int, list[SymbolChangedEvent | Delisting]] = {}
        for subscription in self.subscriptions.values():
            security, map_file = subscription.security, subscription.map_file
            if map_file is not None:
                found = symbol_changed_events(security, map_file, first, self.end)
                for utc_ns, event in found + delisting_events(security, map_file, first, self.end):
                    due.setdefault(utc_ns, []).append(event)
        return due

    def _map_file_slice(
        self, events: list[SymbolChangedEvent | Delisting], filling_forward: list[BarFeed]
    ) -> tuple[SymbolChangedEvents, Delistings]:
        """This moment's renames and delistings as the slice's collections, each a data point, in LEAN's order:
        ``on_symbol_changed_events``, then the renamed symbol's open orders cancelled; then the delistings (a
        delisted security is no longer tradable nor filled forward; a position left in it is closed at its last
        price, then its open orders are cancelled: LEAN's HandleDelisting, HandleDelistingNotification,
        ProcessDelistings)."""
        changes, delistings = SymbolChangedEvents(), Delistings()
        for event in events:
            (changes if isinstance(event, SymbolChangedEvent) else delistings)[event.symbol] = event
            self.map_file_points += 1
        if changes:
            if _overrides_hook(self.algorithm, "on_symbol_changed_events"):
                hook = _hook(self.algorithm, "on_symbol_changed_events")
                self._guard("OnSymbolChangedEvents", hook, changes)
            for symbol, _ in changes.items():  # (iterating the collection gives key/value pairs)
                for order in self.transactions.open_orders(symbol):
                    self.transactions.cancel_order(order.id, CANCELLED_ON_SYMBOL_CHANGE)
        for event in delistings.values():
            if event.type != DelistingType.DELISTED:
                continue
            security = self.securities[event.symbol]
            security.is_delisted, security.is_tradable = True, False
            # it leaves its user-defined universe, whose replaced subscription selects once more: a data point
            self.map_file_points += 1
            filling_forward[:] = [feed for feed in filling_forward if feed.security is not security]
            if security.holdings.quantity:
                self.transactions.close_delisted(security, LIQUIDATE_FROM_DELISTING_TAG)
            if not self.warming_up:
                for order in self.transactions.open_orders(security.symbol):
                    self.transactions.cancel_order(order.id)
        return changes, delistings

    def _apply_universe_changes(
        self, filling_forward: list[BarFeed], indicator_feeds: list[tuple[BarFeed, Subscription]], end_ns: int
    ) -> None:
        """The securities added or removed during this time step join or leave their user-defined universe, as
        at LEAN's end of time step: the universe's subscription is replaced and selects once more (a data point
        per universe changed), an added security's data starts with the bars ending after now, a removed one's
        ends now; then ``on_securities_changed``. Added equities with splits, dividends, renames or a delisting
        ahead, and removed ones with such events still to come, are refused (their events are not replayed
        from the middle of the run)."""
        changes, self.universe_changes = self.universe_changes, []
        now_ns, tomorrow = self.clock.ns, self.local_time.date() + timedelta(days=1)  # today's events are past
        self.selection_points += len({(security.kind, security.symbol.market) for security, _ in changes})
        added = [security for security, is_added in changes if is_added]
        removed = [security for security, is_added in changes if not is_added]
        for security in removed:
            self.unsubscribed.add(security.symbol)
            if security._session is not None:  # LEAN resets the cache of a security leaving the algorithm
                security.session.reset()
                security.session.detach()
            for feed in (security.trade_feed, security.quote_feed):
                if feed is not None:
                    feed.next_ns = NEVER
            filling_forward[:] = [feed for feed in filling_forward if feed.security is not security]
            indicator_feeds[:] = [pair for pair in indicator_feeds if pair[0].security is not security]
        for security in added:
            # added again: LEAN's new Security with new subscriptions (the old feeds stay, ended, for the count)
            self.unsubscribed.discard(security.symbol)
            if _overrides_hook(self.algorithm, "on_end_of_day"):
                self.due_events.add(self._end_of_day_events(self.local_time.date(), [security], now_ns))
            subscription = self.subscriptions[security.symbol]
            self._load_subscription(subscription, tomorrow - timedelta(days=1))
            self.subscribed_from[security.symbol] = tomorrow
            new_feeds = self._subscription_feeds(subscription, now_ns, end_ns)
            self.feeds.extend(new_feeds)
            if security.fill_forward:
                filling_forward.extend(new_feeds)
            feed = subscription.indicator_feed()
            if feed is not None:
                indicator_feeds.append((feed, subscription))
        if self.securities_changed_hook is not None:
            self._notify_changes(added, removed)

    def _refuse_events_ahead(self, security: Security, api: str) -> None:
        """A universe change mid-run is refused for an equity with corporate or map-file events after today."""
        map_file = self.subscriptions[security.symbol].map_file
        if map_file is None:
            return
        day = self.local_time.date() + timedelta(days=1)  # today's, at midnight, are past
        ahead = corporate_events(security.factor_file, security.hours, day, self.end)
        ahead += symbol_changed_events(security, map_file, day, self.end)
        if ahead or (map_file.dates and day <= map_file.delisting_date <= self.end):
            raise UnsupportedApi(f"{api}({security.symbol.value}) with splits, dividends, renames or a delisting "
                                 "ahead in the run")  # fmt: skip

    def _notify_changes(self, added: list[Security], removed: list[Security]) -> None:
        changes = SecurityChanges(added, removed)
        self._guard("OnSecuritiesChanged", self.securities_changed_hook, changes)

    def _fill_forward_grids(self, end_ns: int) -> list[np.ndarray]:
        """The moments LEAN's fill-forward may emit bars for each security filling forward (after its first bar):
        time steps of LEAN's loop even without data (see :mod:`.fill_forward`); none for those removed."""
        grids = []
        for security in self.securities.values():
            if security.symbol in self.unsubscribed:
                continue
            feeds = [feed for feed in (security.trade_feed, security.quote_feed) if feed is not None and feed.count]
            if security.fill_forward and feeds:
                first_ns = min(int(feed.bars.end_ns[0]) for feed in feeds)
                hours, extended = security.hours, security.extended_market_hours
                grids.append(fill_forward_times(hours, security.resolution, extended, first_ns, end_ns))
        return grids

    def _precompute_indicators(self) -> None:
        registered = Counter(id(indicator) for sub in self.subscriptions.values() for indicator, _ in sub.indicators)
        shared = {key for key, times in registered.items() if times > 1}
        for subscription in self.subscriptions.values():
            subscription.precompute_indicators(shared)

    def _finish_warm_up(self, start_ns: int) -> None:
        self.warming_up = False
        self.clock.ns = start_ns
        self.recorder.algorithm_message("Debug", "Algorithm finished warming up.", self.local_time, False)
        self._guard("OnWarmupFinished", _hook(self.algorithm, "on_warmup_finished"))

    def benchmark_series(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Adjusted benchmark closes by bar end (LEAN's internal hourly SPY feed; daily bars when no hourly data)."""
        if self.benchmark_function is not None:
            return None
        ticker = self.benchmark_ticker
        hours = self.data.market_hours(SecurityKind.EQUITY, "usa", ticker)
        begin = self.warm_start.date()  # LEAN's feed starts one trading day before the data (warm-up included)
        first = begin - timedelta(days=1)
        while not hours.is_trading_day(first) and first > begin - timedelta(days=10):
            first -= timedelta(days=1)
        for level in (ResolutionName.HOUR, ResolutionName.DAILY):
            bars = self.data.read_bars(SecurityKind.EQUITY, "usa", ticker, level, "trade", first, self.end)
            if bars is None or len(bars) == 0:
                continue
            if level == ResolutionName.HOUR:  # LEAN's feed: regular hours only, as any subscription's
                bars = bars.select(_in_session(bars, hours, False))
            bars = self.data.adjusted(bars, ticker, hours.exchange_tz)
            keep = bars.end_ns > _local_midnight_ns(first, hours.exchange_tz)
            return np.asarray(bars.end_ns[keep]), np.asarray(bars.close[keep], dtype=float)
        self.recorder.engine_log("TRACE", f"Benchmark: no hour or daily data for {ticker}; benchmark values are 0.")
        return None

    def data_point_count(self) -> int:
        """LEAN's ``DataPoints`` for this run so far (see :mod:`.data_points`)."""
        if self.last_step_ns is None:
            return 0
        last_day = local_datetime(self.last_step_ns, self.time_zone).date()
        total = sum(feed.current + 1 for feed in self.feeds) + self.fill_forward_points + self.map_file_points
        total += self.selection_points
        for security in self.securities.values():
            first = self.subscribed_from.get(security.symbol, self.warm_start_day)
            events = corporate_events(security.factor_file, security.hours, first, last_day)
            total += len(events)  # equities only: others have no factor file
        benchmark = self.recorder.benchmark
        if benchmark is not None:
            # LEAN's loop runs the internal feed to the end date unless the algorithm stopped it
            total += bars_up_to(benchmark[0], self.last_step_ns if self.stop_requested else END_OF_TIME)
        return total

    def benchmark_value(self, utc: datetime) -> float:
        """The algorithm's benchmark function at ``utc``. An exception in it fails the run as LEAN's runtime
        error; the final samples written after that use 0, so the partial result is still kept."""
        if self._benchmark_failed or self.benchmark_function is None:
            return 0.0
        try:
            return float(self.benchmark_function(utc))
        except Exception as error:
            self._benchmark_failed = True
            self._runtime_error("Benchmark", error)

    def next_local_midnight_ns(self, utc_ns: int) -> int:
        """The first midnight in the algorithm's time zone after ``utc_ns`` (days are 23 or 25 hours long across
        DST changes)."""
        return _local_midnight_ns(local_datetime(utc_ns, self.time_zone).date() + timedelta(days=1), self.time_zone)

    def _fill_forward(
        self, feeds: list[BarFeed], step_ns: int, quotes: dict[Symbol, QuoteBar]
    ) -> dict[Symbol, TradeBar]:
        """LEAN's fill-forward: a subscription without a bar at this step, while its market is open and on its
        own resolution's grid (a daily one: at its day's close), sees its last bar again (``is_fill_forward``:
        the last close as OHLC, no volume, ending now; automatic indicators and consolidators are updated with it;
        resting orders may fill on it, as on LEAN's cached bar). Trade bars are returned for the Slice; quote
        bars go into ``quotes`` and are counted as LEAN's data points."""
        filled: dict[Symbol, TradeBar] = {}
        for feed in feeds:
            if feed.current_ns == step_ns or feed.current < 0:
                continue
            security = feed.security
            last = feed.bar()
            local = local_datetime(step_ns, security.hours.exchange_tz)
            if local <= last.end_time:
                continue
            if security.resolution == Resolution.DAILY:
                session = security.hours.regular_session(local.date())
                due = session is not None and local == session[1]
                start = session[0] if session is not None else local
            else:
                period = last.end_time - last.time
                due = (local - last.end_time) % period == timedelta(0) and security.hours.is_open_during(
                    local - period, local, security.extended_market_hours
                )
                start = local - period
            if not due:
                continue
            self.fill_forward_points += 1
            if not feed.is_quote:
                close = last.close
                filled[security.symbol] = TradeBar(start, local, security.symbol, close, close, close, close, 0.0, True)
            else:  # for consolidators and indicators of quotes (LEAN's Slice has them too)
                bid, ask = last.bid.close, last.ask.close
                quotes[security.symbol] = QuoteBar(start, local, security.symbol, Bar(bid, bid, bid, bid),
                                                   Bar(ask, ask, ask, ask), last.bid_size, last.ask_size)  # fmt: skip
        return filled

    def _run_event(self, utc_ns: int, action: Callable[[], Any]) -> None:
        self.clock.ns = utc_ns
        self._guard("scheduled event", action)
        self._scan(set())

    def _scheduled_events(self, first: date) -> list[tuple[int, Callable[[], Any]]]:
        events = [
            (moment, event.action) for event in self.scheduler.events for moment in event.utc_times(first, self.end)
        ]
        if _overrides_hook(self.algorithm, "on_end_of_day"):
            events += self._end_of_day_events(first, list(self.securities.values()))
        events.sort(key=lambda pair: pair[0])
        return events

    def _end_of_day_events(
        self, first: date, securities: list[Security], after_ns: int = -1
    ) -> list[tuple[int, Callable[[], Any]]]:
        """LEAN calls ``on_end_of_day(symbol)`` ten minutes before each session of a security closes, from its
        addition (events after ``after_ns``) until it leaves the algorithm (LEAN's real-time handler drops them
        then)."""
        hook = _hook(self.algorithm, "on_end_of_day")
        events = []
        for security in securities:
            symbol = security.symbol

            def end_of_day(security: Security = security, symbol: Symbol = symbol) -> None:
                if symbol not in self.unsubscribed and self.securities.get(symbol) is security:
                    hook(symbol)

            day = first
            while day <= self.end:
                session = security.hours.regular_session(day)
                if session is not None:
                    moment = (session[1] - timedelta(minutes=10)).replace(tzinfo=security.hours.exchange_tz)
                    moment_ns = int(moment.timestamp() * NS)
                    if moment_ns > after_ns:
                        events.append((moment_ns, end_of_day))
                day += timedelta(days=1)
        return events

    def _guard(self, context: str, action: Callable[..., Any], *args: Any) -> None:
        """Run user code (``action(*args)``: no partial made at each of the loop's calls); an exception stops the
        algorithm with LEAN's runtime error text."""
        if self.stop_requested and self.stop_requested.startswith("Runtime Error"):
            return
        try:
            action(*args)
        except UnsupportedApi as error:
            raise self._refusal(error) from error
        except StudioError:
            raise
        except Exception as error:
            self._runtime_error(context, error)

    def _scan(self, fresh: set[Symbol], forward: Mapping[Symbol, TradeBar] = NO_BARS) -> None:
        """The open orders tried for fills; a LEAN API the algorithm's models use and the engine lacks refuses."""
        try:
            self.transactions.scan(fresh, forward)
        except UnsupportedApi as error:
            raise self._refusal(error) from error
        except AttributeError as error:
            self._refuse_missing(error)
            raise

    def _refusal(self, error: UnsupportedApi) -> AlgorithmFailure:
        """A LEAN API the engine lacks, met in the algorithm's code: the refusal first (naming the API), then
        where in the project, then what to do."""
        return AlgorithmFailure(f"{_describe(error, self.project_dir)}\n{error.hint}", traceback.format_exc())

    def _refuse_missing(self, error: Exception) -> None:
        """Refuse a LEAN member the algorithm lacks (an AttributeError of it, see ``refusal_of``) by its name."""
        refusal = refusal_of(error)
        if refusal is not None:
            raise self._refusal(refusal) from error

    def _runtime_error(self, context: str, error: Exception) -> NoReturn:
        """Stop the run on an exception raised by the algorithm, logged and worded as LEAN does (a LEAN member
        the algorithm lacks is refused instead)."""
        self._refuse_missing(error)
        message = f"Runtime Error: {_describe(error, self.project_dir)}"
        self.recorder.engine_log(
            "ERROR",
            f"Extensions.SetRuntimeError(): RuntimeError at {self.utc_time:%m/%d/%Y %H:%M:%S} UTC. "
            f"Context: {context} {type(error).__name__}: {error}",
        )
        self.stop_requested = message
        raise AlgorithmFailure(message, traceback.format_exc()) from error

    def _on_order_event(self, event: Any, order: Any, security: Security) -> None:
        """An order's event to the results, the capacity estimate and the algorithm (the transactions give the
        order's security: a dictionary lookup by Symbol, hashed in Python, fewer per event)."""
        self.recorder.order_event(event, order, security)
        if self.capacity is not None:
            self.capacity.on_order_event(event, security)
        if self.order_event_hook is not None:
            self._guard("OnOrderEvent", lambda: self.order_event_hook(event))


class Wake:
    """The loop's next time step at which one of its timed checks may be due: the day's housekeeping (cancel
    check, end of warm-up, daily samples), scheduled events due before the step, consolidator scans, renames and
    delistings, the hourly security-model scan and corporate slices. The loop makes those checks only from then
    on, so a step with none of them due costs one comparison for all; it sets ``ns`` again after each step that
    made them. Whatever makes one of them due sooner from outside the loop (an event scheduled or a consolidator
    added while the algorithm runs) sets ``ns`` to 0: the next step makes them all. (Events due at the step
    itself are checked at every step: one scheduled within it fires within it.)"""

    __slots__ = ("ns",)

    def __init__(self) -> None:
        self.ns = 0


class _DueEvents:
    """Scheduled events in time order; ``fire_before`` runs those due strictly before a moment (those before
    the start date, during warm-up, are passed over)."""

    def __init__(
        self, events: list[tuple[int, Callable[[], Any]]], start_ns: int, run: Callable[[int, Callable[[], Any]], None]
    ) -> None:
        self.events, self.start_ns, self.run = events, start_ns, run
        self.index = 0
        self.next_ns = events[0][0] if events else END_OF_TIME

    def add(self, events: list[tuple[int, Callable[[], Any]]]) -> None:
        """Events scheduled during the run, after those already due at the same moments (LEAN's order)."""
        for event in events:
            place = bisect.bisect_right(self.events, event[0], lo=self.index, key=lambda pair: pair[0])
            self.events.insert(place, event)
        self.next_ns = self.events[self.index][0] if self.index < len(self.events) else END_OF_TIME

    def fire_before(self, limit_ns: int) -> None:
        while self.next_ns < limit_ns:
            utc_ns, action = self.events[self.index]
            if utc_ns >= self.start_ns:
                self.run(utc_ns, action)
            self.index += 1
            self.next_ns = self.events[self.index][0] if self.index < len(self.events) else END_OF_TIME


class _TransactionsView:
    """``self.transactions``: LEAN's SecurityTransactionManager over the order book."""

    def __init__(self, transactions: Transactions) -> None:
        self._t = transactions

    def get_open_orders(self, filter: Any = None, symbol: Any = None) -> list[Any]:
        """LEAN's two overloads: by ``symbol`` or by ``filter`` (a predicate, or a symbol given by position)."""
        wanted = symbol if symbol is not None else filter
        return [o for o in self._t.open_orders() if _accepts(wanted, o)]

    def cancel_open_orders(self, symbol: Any = None, tag: str | None = None) -> list[Any]:
        """LEAN's two overloads: ``CancelOpenOrders()`` tags each order with when it canceled them (the UTC time
        in .NET's round-trip format), ``CancelOpenOrders(symbol, tag=None)`` with ``tag``."""
        if symbol is None and tag is None:
            utc = self._t.clock.utc
            tag = f"Canceled by CancelOpenOrders() at {utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond * 10:07d}Z"
        return [self.cancel_order(o.id, tag) for o in self.get_open_orders(symbol)]

    def cancel_order(self, order_id: int, tag: str | None = None) -> Any:
        """LEAN's manager returns the order's ticket (the ticket's own ``cancel`` returns the response)."""
        self._t.cancel_order(order_id, tag)
        return self._t.tickets.get(order_id)

    def get_order_by_id(self, order_id: int) -> Any:
        return self._t.orders.get(order_id)

    def add_order(self, request: SubmitOrderRequest) -> OrderTicket:
        """LEAN's ``AddOrder``: the request straight to the transaction handler, without QCAlgorithm's own checks
        and conversions (warm-up, lot size, market-on-close buffer, market orders while closed)."""
        if not isinstance(request, SubmitOrderRequest):
            raise UnsupportedApi(f"transactions.add_order({type(request).__name__})")
        kind = request.order_type
        if kind not in _REQUEST_PRICES:
            raise UnsupportedApi(f"transactions.add_order of a {kind.name} order")
        security = next((each for symbol, each in self._t.securities.items() if symbol == request.symbol), None)
        if security is None:
            raise UnsupportedApi(f"transactions.add_order for {request.symbol}, a security the algorithm did not add")
        utc = request.time if request.time.tzinfo is not None else request.time.replace(tzinfo=UTC)
        if utc != self._t.clock.utc:
            raise UnsupportedApi("SubmitOrderRequest with a time other than the algorithm's UTC time")
        properties = request.order_properties
        if properties is not None and not isinstance(properties, OrderProperties):
            raise UnsupportedApi(f"order_properties={type(properties).__name__}: only LEAN's OrderProperties")
        limit, stop, trigger = (
            getattr(request, name) if name in _REQUEST_PRICES[kind] else None
            for name in ("limit_price", "stop_price", "trigger_price")
        )
        ticket = self._t.submit(security, request.quantity, kind, request.tag, limit, stop, request.asynchronous,
                                properties, trigger_price=trigger)  # fmt: skip
        if kind == OrderType.MARKET:
            self._t.scan(set())
        return ticket

    def get_order_ticket(self, order_id: int) -> Any:
        return self._t.tickets.get(order_id)

    def get_order_tickets(self, filter: Any = None) -> list[Any]:
        return [t for t in self._t.tickets.values() if _accepts(filter, t)]

    def get_open_order_tickets(self, filter: Any = None) -> list[Any]:
        working = self._t.working
        return [t for i, t in self._t.tickets.items() if i in working and _accepts(filter, t)]

    def get_open_orders_remaining_quantity(self, filter: Any = None) -> float:
        """LEAN's sum of ``quantity - quantity_filled`` over the open tickets the filter (or symbol) takes."""
        return sum(t.quantity - t.quantity_filled for t in self.get_open_order_tickets(filter))

    def get_orders(self, filter: Any = None) -> list[Any]:
        return [o for o in self._t.orders.values() if _accepts(filter, o)]

    @property
    def orders_count(self) -> int:
        return len(self._t.orders)

    def __getattr__(self, name: str) -> Any:
        from backtest_core.engines.embedded.model import _snake

        snake = _snake(name)
        if snake != name and hasattr(self, snake):
            return getattr(self, snake)
        raise UnsupportedApi(f"Transactions.{name}")


# the prices each order type takes from a SubmitOrderRequest (LEAN's ``Order.CreateOrder``)
_REQUEST_PRICES: dict[OrderType, tuple[str, ...]] = {
    OrderType.MARKET: (),
    OrderType.MARKET_ON_OPEN: (),
    OrderType.MARKET_ON_CLOSE: (),
    OrderType.LIMIT: ("limit_price",),
    OrderType.STOP_MARKET: ("stop_price",),
    OrderType.STOP_LIMIT: ("stop_price", "limit_price"),
    OrderType.LIMIT_IF_TOUCHED: ("limit_price", "trigger_price"),
}


def _accepts(filter: Any, item: Any) -> bool:
    """LEAN's transaction-manager filters: none takes all, a callable is a predicate, anything else a symbol."""
    if filter is None:
        return True
    return bool(filter(item)) if callable(filter) else item.symbol == filter


def _update_indicators(
    indicators: list[tuple[ind.Indicator, Callable[[Any], float] | None]], feed: BarFeed, forward: Any = None
) -> None:
    """Automatic indicator updates with the feed's current bar (or a filled-forward bar): its close (a quote
    bar's mid) and end time, or the bar itself for indicators that read highs and lows or a selector; the bar
    object is made only then."""
    bar = end = None
    value = 0.0
    if forward is not None:
        bar, end, value = forward, forward.end_time, float(forward.close)
    for indicator, selector in indicators:
        if indicator.needs_bar or selector is not None:
            bar = bar or feed.bar()
            if indicator.needs_bar:
                indicator.accept(bar.end_time, bar)
            else:
                indicator.accept(bar.end_time, float(selector(bar)))
        else:
            if end is None:
                end, value = feed.end_time, feed.close_value()
            indicator.accept(end, value)


def _as_python_ints(values: np.ndarray) -> Iterator[int]:
    """The values as Python ints, converted a chunk at a time (a list of ten years of minutes costs ~40 MB)."""
    chunks = (values[first : first + CHUNK].tolist() for first in range(0, len(values), CHUNK))
    return chain.from_iterable(chunks)  # no generator frame resumed per value


def _implemented_lean_names() -> dict[str, Any]:
    """The LEAN and .NET names the engine implements (what LEAN namespaces imported by name hand out)."""
    return vars(importlib.import_module("AlgorithmImports")) | DOTNET_TYPES


def _hook(algorithm: QCAlgorithm, name: str) -> Callable[..., Any]:
    """The user's override of a LEAN hook in either spelling (``on_data`` or ``OnData``)."""
    pascal = _pascal(name)
    for klass in type(algorithm).__mro__:
        if klass is QCAlgorithm:
            break
        for candidate in (name, pascal):
            if candidate in vars(klass):
                return getattr(algorithm, candidate)
    return getattr(algorithm, name)


def _overrides_hook(algorithm: QCAlgorithm | None, name: str) -> bool:
    return algorithm is not None and _hook(algorithm, name).__func__ is not getattr(QCAlgorithm, name)


def _identifiers(project_dir: Path) -> set[str]:
    """Every identifier in the project's Python files: the names its algorithm may ask for in LEAN's spelling."""
    return {
        name
        for path in project_dir.rglob("*.py")
        for name in re.findall(r"[A-Za-z_]\w*", path.read_text(errors="replace"))
    }


def _find_class(module: ModuleType) -> type | None:
    """LEAN's loader: the first name of ``dir(module)`` that is a class defined in the module itself and
    deriving from QCAlgorithm (a base class imported from another file of the project is not it)."""
    for name in sorted(dir(module)):
        value = getattr(module, name)
        if isinstance(value, type) and value.__module__ == module.__name__ and issubclass(value, QCAlgorithm):
            return value
    return None


def _describe(error: BaseException, project_dir: Path) -> str:
    """LEAN's style: the message, then each frame of the project's own code: ``at f`` / code / ``in file: line N``."""
    lines = [f"{type(error).__name__}: {error}" if not isinstance(error, StudioError) else str(error)]
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename)
        if project_dir in path.parents:
            code = (frame.line or "").strip()
            lines.append(f"  at {frame.name}\n    {code}\n in {path.relative_to(project_dir)}: line {frame.lineno}")
    hint = _missing_name_hint(error)
    return "\n".join(lines + ([hint] if hint else []))


def _missing_name_hint(error: BaseException) -> str:
    """What a missing name or module most likely means here: a LEAN API this engine does not provide."""
    if isinstance(error, ModuleNotFoundError):
        return (
            f"Hint: module {error.name!r} is not available to the embedded engine. LEAN's own modules (framework "
            "models, clr/System) come with the lean-docker engine; other packages must be installed here."
        )
    if isinstance(error, NameError) and error.name:
        return (
            f"Hint: {error.name!r} is not defined. If it is part of LEAN's API, the embedded engine does not "
            "provide it: run this strategy with the lean-docker engine. Otherwise check its spelling."
        )
    return ""


def _in_session(bars: Bars, hours: MarketHours, extended: bool) -> np.ndarray:
    """Bars during which the exchange is open (LEAN's ``IsOpenDuringBar``): those overlapping a window of their
    day, the regular session or, with extended hours, also pre- and post-market. So the 9:00-10:00 hour bar
    (trades from 9:30) stays, and a minute file's 9:29 or 20:00 bar goes.

    One window lookup per distinct day, then a vectorised comparison (ten years of minutes in one pass)."""
    zone = hours.exchange_tz
    local = local_naive_ns(bars.start_ns, zone).astype("datetime64[ns]")
    local_end = local + (bars.end_ns - bars.start_ns).astype("timedelta64[ns]")
    days, position = _distinct_days(local.astype("datetime64[D]"))
    windows = [hours.open_windows(day, extended) for day in days.tolist()]
    width = max(1, max((len(day_windows) for day_windows in windows), default=0))
    no_window = (None, None)  # a day with fewer windows is padded with NaT, which overlaps nothing
    padded = [day_windows + [no_window] * (width - len(day_windows)) for day_windows in windows]
    opens = np.array([[open_ for open_, _ in day] for day in padded], dtype="datetime64[ns]").reshape(-1, width)
    closes = np.array([[close for _, close in day] for day in padded], dtype="datetime64[ns]").reshape(-1, width)
    starts, ends = local[:, None], local_end[:, None]
    return ((opens[position] < ends) & (closes[position] > starts)).any(axis=1)  # NaT compares False


def _distinct_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(days, return_inverse=True)``, in one pass when the days are in order (bars are)."""
    if len(days) and (days[1:] >= days[:-1]).all():
        new_day = np.concatenate(([True], days[1:] != days[:-1]))
        return days[new_day], np.cumsum(new_day) - 1
    return np.unique(days, return_inverse=True)


def _past_market_on_close_buffer(security: Security, local_in: Callable[[ZoneInfo], datetime]) -> bool:
    """LEAN's ``IsWithinMarketOnCloseSubmissionBuffer``: later than ``MarketOnCloseOrder.SubmissionTimeBuffer``
    (15.5 minutes unless the algorithm set it) before the next regular close; never for a market always open."""
    hours = security.hours
    if _always_open(hours):
        return False
    local = local_in(hours.exchange_tz)
    close = hours.next_regular_close(local)
    return close is not None and local > close - MarketOnCloseOrder.submission_time_buffer


def _always_open(hours: Any) -> bool:
    whole_day = [(timedelta(0), timedelta(days=1), "market")]
    return not hours.holidays and all(hours.sessions.get(day) == whole_day for day in range(7))


def _local_midnight_ns(day: date, zone: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * NS)


def wall_time() -> float:
    return wallclock.monotonic()
