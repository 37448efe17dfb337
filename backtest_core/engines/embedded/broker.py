"""Securities, the portfolio and the simulated brokerage, with LEAN's default models (reference §8).

- Fills: market orders at the latest ask (buy) / bid (sell) close, else the trade close; market orders while
  the exchange is closed become MarketOnOpen; MOO at the open of the first regular-session bar after the
  order, MOC at the session's last close; limit and stop orders from bar highs and lows.
- Fees: Interactive Brokers for equities (0.005/share, min $1, max 0.5% of value); none for crypto/forex.
- Time in force: see :mod:`.time_in_force` (an expired order is canceled at the scan, before its fill).
- Buying power: margin account, leverage 2 for equities (50 forex, 1 crypto); orders without it are Invalid.
- ``set_holdings``: LEAN's 0.25% free-portfolio buffer, target margin over unit margin, rounded toward zero
  to the lot size, then reduced until the target plus the order's fee fits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from backtest_core.engines.embedded import india
from backtest_core.engines.embedded.buying_power_models import (
    BuyingPowerModel,
    GetMaximumOrderQuantityForTargetBuyingPowerParameters,
    HasSufficientBuyingPowerForOrderParameters,
    ReservedBuyingPowerForPositionParameters,
    checked_buying_power_model,
    model_leverage,
    overrides,
)
from backtest_core.engines.embedded.cash_account import (
    cash_buying_power_problem,
    cash_holdings_quantity,
    coinbase_fee,
    refused_order,
)
from backtest_core.engines.embedded.cash_book import Cash, CashBook
from backtest_core.engines.embedded.clock import Clock
from backtest_core.engines.embedded.combo_orders import GroupOrderManager, OrdersSecurities, lean_decimal
from backtest_core.engines.embedded.data import FactorFile, MarketHours, SecurityKind, SymbolProperties
from backtest_core.engines.embedded.fee_models import checked_fee_model, custom_order_fee, sizing_order
from backtest_core.engines.embedded.fill_models import (
    EquityFillModel,
    FillModel,
    FillModelParameters,
    SecurityCache,
    checked_fill_model,
    combo_fill_events,
    custom_fill_events,
    leg_event,
)
from backtest_core.engines.embedded.model import (
    BUY,
    LIMIT_PRICED,
    MARKET,
    SELL,
    Bar,
    CancelOrderRequest,
    LeanObject,
    Order,
    OrderDirection,
    OrderEvent,
    OrderResponse,
    OrderResponseErrorCode,
    OrderStatus,
    OrderTicket,
    OrderType,
    Resolution,
    SecurityType,
    Symbol,
    TradeBar,
    UpdateOrderFields,
    UpdateOrderRequest,
    spelled_like_lean,
    trailing_amount_text,
)
from backtest_core.engines.embedded.security_models import (
    ConvertibleCashAmount,
    MarginInterestRateModel,
    NullShortableProvider,
    checked_margin_interest_rate_model,
    checked_shortable_provider,
    maintenance_margin,
    shortable,
    shortable_error,
)
from backtest_core.engines.embedded.session import Session
from backtest_core.engines.embedded.slippage_models import checked_slippage_model, refuse_unmodelled, slipped
from backtest_core.engines.embedded.time_in_force import OrderProperties
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import ONE, ZERO, from_float

if TYPE_CHECKING:
    from backtest_core.engines.embedded.feed import BarFeed

QUARTER_HOUR_NS = 900_000_000_000  # a time zone's offset is a multiple: the local day is one within it
FREE_PORTFOLIO_VALUE_PERCENTAGE = 0.0025
STALE_PRICE_SPAN = timedelta(hours=1)  # LEAN's default Settings.StalePriceTimeSpan (the setting is refused)
MINIMUM_ORDER_MARGIN_PERCENTAGE = 0.001
DEFAULT_LEVERAGE = {SecurityKind.EQUITY: 2.0, SecurityKind.FOREX: 50.0, SecurityKind.CRYPTO: 1.0}
# enum members the order path reads, as module globals: CPython 3.11 does not specialise an enum class's
# attribute reads (EnumType has __getattr__), which cost ~1,000 instructions each
_EQUITY, _SUBMITTED, _FILLED = SecurityKind.EQUITY, OrderStatus.SUBMITTED, OrderStatus.FILLED


class SecurityHolding(LeanObject):
    def __init__(self, security: Security) -> None:
        self.security = security
        self.quantity = 0.0
        self.average_price = 0.0
        self.total_fees = 0.0
        self.net_profit = 0.0  # realised, after fees

    @property
    def symbol(self) -> Symbol:
        return self.security.symbol

    @property
    def price(self) -> float:
        return self.security.price

    @property
    def holdings_value(self) -> float:
        """In the account currency (LEAN's ``HoldingsValue``)."""
        security = self.security
        value = self.quantity * security.price
        return value if security.quote_cash is None else value * security.quote_rate

    @property
    def absolute_holdings_value(self) -> float:
        return abs(self.holdings_value)

    @property
    def holdings_cost(self) -> float:
        return self.quantity * self.average_price

    @property
    def unrealized_profit(self) -> float:
        security = self.security
        profit = (security.price - self.average_price) * self.quantity
        return profit if security.quote_cash is None else profit * security.quote_rate

    @property
    def unrealized_profit_percent(self) -> float:
        cost = abs(self.holdings_cost)
        return self.unrealized_profit / cost if cost else 0.0

    @property
    def invested(self) -> bool:
        return self.quantity != 0

    @property
    def is_long(self) -> bool:
        return self.quantity > 0

    @property
    def is_short(self) -> bool:
        return self.quantity < 0

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    def get_quantity_value(self, quantity: float, price: float | None = None) -> ConvertibleCashAmount:
        """LEAN's ``GetQuantityValue``: ``quantity`` at the price (the current one), in the quote currency."""
        price = self.security.price if price is None else price
        return ConvertibleCashAmount(float(price) * float(quantity), self.security.quote_currency_cash)

    Quantity = property(lambda self: self.quantity)
    AveragePrice = property(lambda self: self.average_price)
    Invested = invested
    IsLong = is_long
    IsShort = is_short
    UnrealizedProfit = unrealized_profit
    HoldingsValue = holdings_value
    unrealised_profit = unrealized_profit


class Security(LeanObject):
    """A subscribed security: its data, the latest prices seen, its holding and its models."""

    def __init__(
        self,
        symbol: Symbol,
        kind: SecurityKind,
        resolution: Resolution,
        hours: MarketHours,
        properties: SymbolProperties,
        leverage: float,
        fill_forward: bool,
        extended_hours: bool,
    ) -> None:
        self.symbol = symbol
        self.kind = kind
        self.resolution = resolution
        self.hours = hours
        self.symbol_properties = properties
        self.leverage = leverage
        self.fill_forward = fill_forward
        self.extended_market_hours = extended_hours
        self.trade_feed: BarFeed | None = None
        self.quote_feed: BarFeed | None = None
        self.price = 0.0  # the latest trade close; the quotes' mid before the first trade (set by the feeds)
        self.holdings = SecurityHolding(self)
        self.clock: Clock | None = None  # the backtest's, for what depends on the current time
        self.fee_model_constant: float | None = 0.0 if kind != SecurityKind.EQUITY else None
        self.fee_model: Any = None  # the algorithm's own (set_fee_model), asked for every fee when set
        self.buying_power_model: BuyingPowerModel | None = None  # the algorithm's own (set_buying_power_model)
        self.fill_model: FillModel | None = None  # the algorithm's own (set_fill_model)
        self.slippage_model: Any = None  # the algorithm's own (set_slippage_model); LEAN's NullSlippageModel
        self.forward_bar: TradeBar | None = None  # this step's fill-forward trade bar, while a fill model is asked
        self.factor_file: FactorFile | None = None  # an equity's, for the decimals LEAN holds (lean_price)
        self.is_delisted = False  # set by its delisting (see delistings.py), which also ends its trading
        self.is_tradable = True
        self._factor_by_quarter: dict[int, Decimal] = {}
        self._factor_by_day: dict[date, Decimal] = {}
        self.quote_currency = properties.quote_currency if properties is not None else "USD"
        self.quote_cash: Cash | None = None  # its quote currency's cash entry, unless the account currency's
        self.base_cash: Cash | None = None  # a crypto or forex pair's base currency entry
        self.internal = False  # a conversion security LEAN adds for the cash book: no slice data, no events
        self.cash_account = False  # under a Coinbase brokerage: LEAN's CashBuyingPowerModel and CoinbaseFeeModel
        self.shortable_provider: Any = NullShortableProvider.instance
        self._margin_interest_rate_model: Any = MarginInterestRateModel.NULL
        self.cash_book: Any = None  # the portfolio's (set as the backtest adds it)
        self.session_host: Any = None  # the backtest's consolidation, which feeds an active session
        self._session: Session | None = None

    @property
    def quote_currency_cash(self) -> Cash:
        """LEAN's ``QuoteCurrency``: its quote currency's entry of the cash book."""
        return self.quote_cash if self.quote_cash is not None else self.cash_book[self.cash_book.account_currency]

    @property
    def quote_rate(self) -> float:
        """Its quote currency's conversion rate to the account currency (LEAN's ``QuoteCurrency.ConversionRate``)."""
        cash = self.quote_cash
        return 1.0 if cash is None else cash.conversion_rate

    def get_last_data(self) -> Bar | None:
        """LEAN's ``GetLastData``: the latest bar received, a quote bar winning over a trade bar of the same end
        (trades only for equities)."""
        trade, quote = self.last_trade, None
        feed = self.quote_feed
        if feed is not None and feed.current >= 0 and self.kind != SecurityKind.EQUITY:
            quote = feed.bar()
        if quote is None or (trade is not None and trade.end_time > quote.end_time):
            return trade
        return quote

    def data_days_ns(self) -> tuple[int, int]:
        """Start times of the current quote and trade bars (-1 before the first): the days whose price factors
        the current prices were scaled by."""
        quotes, trades = self.quote_feed, self.trade_feed
        quote_ns = int(quotes.bars.start_ns[quotes.current]) if quotes is not None and quotes.current >= 0 else -1
        trade_ns = int(trades.bars.start_ns[trades.current]) if trades is not None and trades.current >= 0 else -1
        return quote_ns, trade_ns

    def _price_factor(self, bar_start_ns: int) -> Decimal:
        """The factor file's decimal for the exchange day of ``bar_start_ns``: the day found once per quarter
        hour, its factor once per day."""
        quarter = bar_start_ns // QUARTER_HOUR_NS
        cache = self._factor_by_quarter
        if quarter not in cache:
            day = datetime.fromtimestamp(bar_start_ns / 1e9, self.hours.exchange_tz).date()
            factor = self._factor_by_day.get(day)
            if factor is None:
                factor = self._factor_by_day[day] = self.factor_file.decimal_scale(np.datetime64(day, "D"))
            cache[quarter] = factor
        return cache[quarter]

    def lean_price(self, value: float, bar_start_ns: int) -> Decimal:
        """The decimal LEAN holds for ``value``, a price of the bar starting at ``bar_start_ns``. An equity's
        file price is an integer of 1/10000s (4 decimals), multiplied, unless the factor is 1, by the day's
        price scale factor as written in the factor file; other prices are read as written."""
        if not value:
            return ZERO
        if self.kind != _EQUITY:
            return from_float(value)
        factor = ONE
        if self.factor_file is not None and bar_start_ns >= 0:
            factor = self._price_factor(bar_start_ns)
        if factor == ONE:
            return Decimal(f"{value:.4f}")
        return Decimal(f"{value / float(factor):.4f}") * factor

    @property
    def last_trade(self) -> TradeBar | None:
        """The latest trade bar received (fill-forward bars do not count)."""
        feed = self.trade_feed
        return feed.bar() if feed is not None and feed.current >= 0 else None  # type: ignore[return-value]

    @property
    def quote(self) -> tuple[float, float, float, float]:
        """The latest quote: bid close, ask close, bid size, ask size (zeros before the first quote bar)."""
        feed = self.quote_feed
        return feed.quote() if feed is not None and feed.current >= 0 else (0.0, 0.0, 0.0, 0.0)

    @property
    def bid_price(self) -> float:
        """The latest bid close; the price while there is none (LEAN's ``Security.BidPrice``)."""
        feed = self.quote_feed
        bid = feed.bids[feed.offset] if feed is not None and feed.current >= 0 else 0.0
        return bid or self.price

    @property
    def ask_price(self) -> float:
        """The latest ask close; the price while there is none (LEAN's ``Security.AskPrice``)."""
        feed = self.quote_feed
        ask = feed.asks[feed.offset] if feed is not None and feed.current >= 0 else 0.0
        return ask or self.price

    bid_size = property(lambda self: self.quote[2])
    ask_size = property(lambda self: self.quote[3])

    @property
    def open(self) -> float:
        return self.last_trade.open if self.last_trade else self.price

    @property
    def high(self) -> float:
        return self.last_trade.high if self.last_trade else self.price

    @property
    def low(self) -> float:
        return self.last_trade.low if self.last_trade else self.price

    @property
    def close(self) -> float:
        return self.price

    @property
    def volume(self) -> float:
        return self.last_trade.volume if self.last_trade else 0.0

    @property
    def has_data(self) -> bool:
        return self.price > 0

    @property
    def invested(self) -> bool:
        return self.holdings.invested

    @property
    def exchange(self) -> _ExchangeView:
        return _ExchangeView(self)

    def set_leverage(self, leverage: float) -> None:
        self.leverage = float(leverage)

    def set_fee_model(self, model: Any) -> None:
        self.fee_model = checked_fee_model(model)

    def set_buying_power_model(self, model: Any) -> None:
        """LEAN's ``SetBuyingPowerModel``: the security's leverage becomes the model's (``Security.Leverage``)."""
        self.buying_power_model = checked_buying_power_model(model)
        self.leverage = model_leverage(model)

    def set_shortable_provider(self, provider: Any) -> None:
        self.shortable_provider = checked_shortable_provider(provider)

    @property
    def margin_interest_rate_model(self) -> Any:
        return self._margin_interest_rate_model

    @margin_interest_rate_model.setter
    def margin_interest_rate_model(self, model: Any) -> None:
        self._margin_interest_rate_model = checked_margin_interest_rate_model(model)

    def set_margin_interest_rate_model(self, model: Any) -> None:
        self.margin_interest_rate_model = model

    @property
    def local_time(self) -> datetime:
        """LEAN's ``Security.LocalTime``: now in the exchange's time zone."""
        return self.clock.local_in(self.hours.exchange_tz)

    def set_fill_model(self, model: Any) -> None:
        self.fill_model = checked_fill_model(model, self)

    def set_slippage_model(self, model: Any) -> None:
        self.slippage_model = checked_slippage_model(model)

    @property
    def session(self) -> Session:
        """LEAN's ``Security.Session`` (inactive until its ``size`` is set; see ``session.py``)."""
        if self._session is None:
            self._session = Session(self)
        return self._session

    @property
    def cache(self) -> SecurityCache:
        return SecurityCache(self)

    # -- LEAN's custom properties (Security is a DynamicObject): attributes the algorithm sets, by name too

    def _custom(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if key not in _SECURITY_STATE}

    def add(self, key: str, value: Any) -> None:
        self.set(key, value)

    def set(self, key: str, value: Any) -> None:
        if key in _SECURITY_STATE:
            raise UnsupportedApi(f"Security custom property {key!r} (the engine's own state)")
        setattr(self, key, value)

    def __getitem__(self, key: str) -> Any:
        custom = self._custom()
        if key not in custom:
            raise KeyError(f"The given key '{key}' was not present in the dictionary.")
        return custom[key]

    __setitem__ = set

    @property
    def get(self) -> _TypedGetter:
        """``security.get[T](key)``: LEAN's ``Get<T>``, the property cast to ``T`` (KeyError when absent)."""
        return _TypedGetter(self, raising=True)

    @property
    def try_get(self) -> _TypedGetter:
        """``found, value = security.try_get[T](key)``: LEAN's ``TryGet<T>`` with its out parameter."""
        return _TypedGetter(self, raising=False)

    def remove(self, key: str) -> bool:
        if key not in self._custom():
            return False
        delattr(self, key)
        return True

    def clear(self) -> None:
        for key in self._custom():
            delattr(self, key)

    Price = property(lambda self: self.price)
    Close = close
    Open = open
    High = high
    Low = low
    Volume = volume
    Holdings = property(lambda self: self.holdings)
    Symbol = property(lambda self: self.symbol)
    HasData = has_data
    BidPrice = bid_price
    AskPrice = ask_price
    Leverage = property(lambda self: self.leverage)
    SetLeverage = set_leverage


# the attributes a Security is built with: any other one is a custom property the algorithm set
_PROBE = Symbol("_", SecurityType.EQUITY, "usa", "_")
_SECURITY_STATE = frozenset(vars(Security(_PROBE, SecurityKind.EQUITY, Resolution.DAILY, None, None, 1.0, True, False)))  # type: ignore[arg-type]


class _TypedGetter:
    """``Get<T>`` / ``TryGet<T>`` of LEAN's custom properties: subscripted with the type, then called."""

    def __init__(self, security: Security, raising: bool) -> None:
        self._security, self._raising = security, raising

    def __getitem__(self, kind: Any) -> Any:
        def read(key: str) -> Any:
            custom = self._security._custom()
            if key not in custom:
                if self._raising:
                    raise KeyError(f"The given key '{key}' was not present in the dictionary.")
                return False, None
            value = custom[key]
            if isinstance(kind, type) and not isinstance(value, kind):
                raise TypeError(
                    f"Unable to get the '{key}' property from {value!r}: it is not a supported {kind.__name__} value."
                )
            return value if self._raising else (True, value)

        return read


class _ExchangeView(LeanObject):
    """``security.exchange``: its hours and whether it is open now (LEAN's SecurityExchange)."""

    def __init__(self, security: Security) -> None:
        self.hours = ExchangeHours(security.hours)
        self._security = security

    @property
    def exchange_open(self) -> bool:
        clock = self._security.clock
        hours = self._security.hours
        return clock is not None and hours.is_open(clock.local_in(hours.exchange_tz), False)

    def date_time_is_open(self, moment: datetime) -> bool:
        return self._security.hours.is_open(moment, False)

    Hours = property(lambda self: self.hours)
    time_zone = TimeZone = property(lambda self: self._security.hours.exchange_tz)


class ExchangeHours(LeanObject):
    """``security.exchange.hours``: LEAN's SecurityExchangeHours over the engine's market hours (regular hours)."""

    def __init__(self, hours: MarketHours) -> None:
        self._hours = hours

    time_zone = TimeZone = property(lambda self: self._hours.exchange_tz)

    def is_open(self, local: datetime, extended_market_hours: bool = False) -> bool:
        return self._hours.is_open(_as_datetime(local), bool(extended_market_hours))

    def get_next_market_open(self, local: datetime, extended_market_hours: bool) -> datetime:
        """The first regular open after ``local`` (LEAN looks 15 days ahead, then throws)."""
        local = _as_datetime(local)
        if extended_market_hours:
            raise UnsupportedApi("SecurityExchangeHours.get_next_market_open with extended market hours")
        for offset in range(15):
            session = self._hours.regular_session(local.date() + timedelta(days=offset))
            if session is not None and session[0] > local:
                return session[0]
        raise ValueError(f"Unable to locate next market open within two weeks of {local}.")

    def get_next_market_close(self, local: datetime, extended_market_hours: bool) -> datetime:
        """The first regular close after ``local``."""
        if extended_market_hours:
            raise UnsupportedApi("SecurityExchangeHours.get_next_market_close with extended market hours")
        close = self._hours.next_regular_close(_as_datetime(local))
        if close is None:
            raise ValueError(f"Unable to locate next market close within two weeks of {local}.")
        return close


def _as_datetime(moment: date | datetime) -> datetime:
    """A Python date where LEAN takes a DateTime: its midnight, as pythonnet converts it."""
    return moment if isinstance(moment, datetime) else datetime.combine(moment, datetime.min.time())


def portfolio_value(portfolio: Portfolio) -> float:
    """LEAN's ``TotalPortfolioValue``: with other currencies, the cash book's value in the account currency plus
    the positions other than crypto and forex (those are in the cash book). A function, which the time loop
    calls at every step: CPython 3.11 runs a property in an interpreter call of its own."""
    if portfolio.cash_entries:
        total = portfolio.cash
        for cash in portfolio.cash_entries:
            total += cash.value_in_account_currency
        for holding in portfolio.held:
            total += holding.holdings_value
        return total
    held = portfolio.held
    return portfolio.cash + _positions_value(held) if held else portfolio.cash


@spelled_like_lean
class Portfolio(dict):
    """Holdings by symbol (tickers accepted), cash and the totals LEAN reports.

    No ``__getattr__`` (the engine reads it at every step): LEAN's PascalCase names are its members'
    (:func:`spelled_like_lean`) and a name it lacks is refused naming it (``algorithm.refusal_of``)."""

    def __init__(self) -> None:
        super().__init__()
        self.cash = 100000.0  # the account currency's (its cash book entry reads it)
        self.cash_book = CashBook(self)
        self.cash_entries: list[Cash] = []  # other currencies with an amount: their value joins the total
        self.total_fees = 0.0
        self.total_sale_volume = 0.0
        self.profit_loss: list[tuple[datetime, float]] = []  # LEAN's TransactionRecord
        self.winning_transactions = 0
        self.losing_transactions = 0
        self.held: list[SecurityHolding] = []  # holdings with a position, in portfolio order (set on each fill)

    def __getitem__(self, key: Any) -> SecurityHolding:
        for symbol, holding in self.items():
            if symbol == key:
                return holding
        raise KeyError(f"{key} is not in the portfolio: add it with add_equity/add_crypto/add_forex first")

    def __contains__(self, key: object) -> bool:
        return any(symbol == key for symbol in self.keys())

    def refresh_held(self) -> None:
        self.held = [holding for holding in self.values() if holding.quantity]
        self.cash_entries = [cash for cash in self.cash_book.others() if cash.amount]
        if self.cash_entries:  # LEAN counts crypto and forex positions through their base currency's cash
            self.held = [h for h in self.held if h.security.kind not in _PAIR_KINDS]

    @property
    def total_holdings_value(self) -> float:
        """LEAN's ``TotalHoldingsValue`` (in the account currency)."""
        if self.cash_entries:
            return sum(holding.holdings_value for holding in self.values() if holding.quantity)
        return _positions_value(self.held)

    @property
    def total_absolute_holdings_cost(self) -> float:
        return sum(abs(holding.holdings_cost) for holding in self.values())

    total_portfolio_value = property(portfolio_value)

    @property
    def total_unrealized_profit(self) -> float:
        return sum(holding.unrealized_profit for holding in self.values())

    total_unrealised_profit = total_unrealized_profit

    @property
    def total_profit(self) -> float:
        return sum(holding.net_profit + holding.total_fees for holding in self.values())

    @property
    def total_net_profit(self) -> float:
        return sum(holding.net_profit for holding in self.values())

    @property
    def invested(self) -> bool:
        return any(holding.invested for holding in self.values())

    @property
    def total_margin_used(self) -> float:
        """LEAN's ``TotalMarginUsed``: each position's maintenance margin (its model's when it has one; LEAN's
        position group model asks ``GetMaintenanceMargin``, not ``GetReservedBuyingPowerForPosition``)."""
        # a cash account's currency bought outright holds no margin (the engine's CashBuyingPowerModel)
        return sum(maintenance_margin(holding.security) for holding in self.held if not holding.security.cash_account)

    @property
    def margin_remaining(self) -> float:
        value, used = self.margin_levels()
        return value - used

    def margin_levels(self) -> tuple[float, float]:
        """``TotalPortfolioValue`` and ``TotalMarginUsed`` in one pass over the positions (each order's buying
        power check and the margin-call check every five minutes ask both; the two properties walk them twice
        through a frame per position). A position in the account currency without the algorithm's buying power
        model holds its absolute value over the leverage (``maintenance_margin``'s default), added in the
        properties' order, so the sums are theirs to the bit."""
        if self.cash_entries:
            return self.total_portfolio_value, self.total_margin_used
        held = self.held
        value = used = 0
        for holding in held:
            security = holding.security
            amount = holding.quantity * security.price
            value += amount
            if security.cash_account:
                continue  # a currency bought outright holds no margin (see total_margin_used)
            if security.buying_power_model is None and security.quote_cash is None:
                used += abs(amount) / security.leverage
            else:
                used += maintenance_margin(security)
        return (self.cash + value if held else self.cash), used

    def keys_view(self) -> list[Symbol]:
        return list(self.keys())

    Cash = property(lambda self: self.cash)  # instance attributes: the class's other members get theirs made
    CashBook = property(lambda self: self.cash_book)
    TotalFees = property(lambda self: self.total_fees)


def _positions_value(held: list[SecurityHolding]) -> float:
    """The positions' value when no other currency is held: a plain loop, adding as sum() would."""
    total = 0
    for holding in held:
        total += holding.quantity * holding.security.price
    return total


def buying_power_used(security: Security) -> float:
    """The position's reserved buying power times its leverage (what LEAN's capacity estimate weighs): its
    absolute value, unless the algorithm's buying power model reserves otherwise."""
    model = security.buying_power_model
    if security.cash_account and model is None:
        return 0.0  # LEAN's CashBuyingPowerModel reserves nothing
    if overrides(model, "get_reserved_buying_power_for_position"):
        parameters = ReservedBuyingPowerForPositionParameters(security)
        reserved = model.get_reserved_buying_power_for_position(parameters).absolute_used_buying_power
        return float(reserved) * security.leverage
    return security.holdings.absolute_holdings_value


_PAIR_KINDS = (SecurityKind.CRYPTO, SecurityKind.FOREX)
NO_BARS: Mapping[Symbol, TradeBar] = MappingProxyType({})
HOUR = timedelta(hours=1)


def order_fee(security: Security, quantity: float, price: float, order: Order | None = None) -> float:
    """The fee of ``order`` (None: a market order of ``quantity`` being sized): the security's own fee model's
    when the algorithm set one, else Interactive Brokers' equity fee of the security's market (LEAN's default),
    zero for crypto and forex under the default model."""
    if security.fee_model is not None:
        order = order if order is not None else sizing_order(security, quantity, security.clock.utc)
        return custom_order_fee(security.fee_model, security, order)
    if security.cash_account:  # in the quote currency (see fee_currency)
        order = order if order is not None else sizing_order(security, quantity, security.clock.utc)
        return float(coinbase_fee(security, order))
    if security.fee_model_constant is not None:
        return security.fee_model_constant
    if security.symbol.market == india.INDIA:
        return india.interactive_brokers_fee(quantity, quantity * price)
    per_share = 0.005 * abs(quantity)
    if per_share < 1.0:
        return 1.0  # the $1 minimum wins even over the 0.5% cap (LEAN checks it first)
    return min(per_share, 0.005 * abs(quantity * price))


def fee_cash(portfolio: Portfolio, security: Security) -> Cash | None:
    """The cash entry a fee is paid from when not the account currency's: the quote currency's under LEAN's
    CoinbaseFeeModel; other models here charge in the account currency."""
    return security.quote_cash if security.cash_account else None


@dataclass
class Transactions:
    """Order book and fill engine of one backtest (LEAN's transaction handler + backtesting brokerage)."""

    portfolio: Portfolio
    securities: dict[Symbol, Security]
    on_event: Any  # callable(OrderEvent, Order, Security) -> None
    on_message: Any  # callable(level, text) -> None
    clock: Clock
    orders: dict[int, Order] = field(default_factory=dict)
    tickets: dict[int, OrderTicket] = field(default_factory=dict)
    _event_ids: dict[int, int] = field(default_factory=dict)
    working: dict[int, Order] = field(default_factory=dict)
    """Orders still working, by id (the loop tests it at every step; orders leave it as they close)."""
    _warned_rounding: bool = False
    group_ids: int = 0  # the combo orders' GroupOrderManager ids given so far

    # -- placing ---------------------------------------------------------------------------------------------

    def submit(
        self,
        security: Security,
        quantity: float,
        order_type: OrderType,
        tag: str = "",
        limit_price: float | None = None,
        stop_price: float | None = None,
        asynchronous: bool = False,
        properties: OrderProperties | None = None,
        trailing: tuple[float, bool] | None = None,
        trigger_price: float | None = None,
    ) -> OrderTicket:
        """``trailing``: a trailing stop order's amount and whether it is a fraction of the price;
        ``trigger_price``: a limit-if-touched order's."""
        if security.cash_account:
            refused_order(security, order_type, quantity)
        order_id = len(self.orders) + 1
        limit_price, stop_price = self._on_tick(security, limit_price), self._on_tick(security, stop_price)
        order = Order(order_id, security.symbol, quantity, order_type, self.clock.utc, tag, limit_price, stop_price)
        if trigger_price is not None:
            order.trigger_price = self._on_tick(security, trigger_price)
        if trailing is not None:
            amount, order.trailing_as_percentage = trailing
            order.trailing_amount = amount if order.trailing_as_percentage else self._on_tick(security, amount)
            order.tag = tag or f"Trailing Amount: {trailing_amount_text(order)}"  # LEAN's default tag
        order.properties = properties if properties is not None else OrderProperties()
        if security.quote_currency != "USD":  # the transaction handler tags the order with its quote currency
            order.price_currency = security.quote_currency
        order.expires_ns = order.properties.expires_ns(security, order.time)
        order.submission = (security.bid_price, security.ask_price, security.price)
        order.submission_days = security.data_days_ns()
        order.asynchronous = asynchronous
        self.orders[order_id] = order
        ticket = OrderTicket(order, self)
        self.tickets[order_id] = ticket
        problem = self._validate(security, order)
        if problem:
            self._invalidate(order, problem)
            return ticket
        order.status = _SUBMITTED
        self.working[order_id] = order
        self._emit(order, _SUBMITTED, 0.0, 0.0, 0.0)
        return ticket

    def close_delisted(self, security: Security, tag: str) -> None:
        """LEAN's ``HandleDelistingNotification``: a market order closing the position, added as an open order
        (never through the brokerage: no submission event, broker id or submission prices) and filled at once
        at the security's price without fee."""
        order_id = len(self.orders) + 1
        order = Order(order_id, security.symbol, -security.holdings.quantity, OrderType.MARKET, self.clock.utc, tag)
        order.submission = None
        order.price_currency = ""
        self.orders[order_id] = order
        self.tickets[order_id] = OrderTicket(order, self)
        order.status = OrderStatus.SUBMITTED
        self.working[order_id] = order
        quantity, price = order.quantity, security.price
        _apply_fill(self.portfolio, security, quantity, price, 0.0, self.clock.utc, quantity > 0)
        self.portfolio.refresh_held()
        order.quantity_filled, order.price, order.status = quantity, price, OrderStatus.FILLED
        order.last_fill_time = self.clock.utc
        del self.working[order_id]
        self._emit(order, OrderStatus.FILLED, price, quantity, 0.0, tag)

    def _validate(self, security: Security, order: Order) -> str:
        if order.quantity == 0:
            return "Unable to submit order with zero quantity."
        if security.price == 0:
            return (
                f"{security.symbol.id}: The security does not have an accurate price as it has not yet received a "
                "bar of data. Before placing a trade (or using SetHoldings) warm up your algorithm with "
                "SetWarmup, or use slice.Contains(symbol) to confirm the Slice object has price before using "
                "the data."
            )
        if order.quantity < 0 and not self._shortable(security, order.quantity):
            order.tag = shortable_error(security, order.quantity)  # LEAN tags the invalid order with it
            return order.tag
        return self._buying_power_problem(security, order)

    def _shortable(self, security: Security, quantity: float) -> bool:
        """LEAN's ``QCAlgorithm.Shortable`` with the open orders' remaining quantity (this one's not yet open)."""
        symbol = security.symbol
        open_quantity = sum(
            order.quantity - order.quantity_filled for order in self.working.values() if order.symbol == symbol
        )
        return shortable(security, security.holdings.quantity, open_quantity, quantity)

    def _buying_power_problem(self, security: Security, order: Order) -> str:
        """Why the order lacks buying power ('' when it has it): LEAN's ``HasSufficientBuyingPowerForOrder``, the
        security's model's when the algorithm wrote one."""
        model = security.buying_power_model
        if security.cash_account and model is None:
            return cash_buying_power_problem(self.portfolio, security, order)
        if not overrides(model, "has_sufficient_buying_power_for_order"):
            return default_buying_power_problem(self.portfolio, security, order)
        parameters = HasSufficientBuyingPowerForOrderParameters(self.portfolio, security, order)
        result = model.has_sufficient_buying_power_for_order(parameters)
        if result.is_sufficient:
            return ""
        value = (order.quantity - order.quantity_filled) * _estimate_price(security, order)
        return f"Insufficient buying power to complete orders (Value:[{value:.4f}]), Reason: {result.reason}."

    def _on_tick(self, security: Security, price: float | None) -> float | None:
        """LEAN's ``RoundOrderPrices``: limit and stop prices go to the security's minimum price variation, with
        one warning per run when a price changes."""
        if price is None:
            return None
        rounded = round_to_tick(security, price)
        if rounded != price and not self._warned_rounding:
            self._warned_rounding = True
            self.on_message(
                "ERROR",
                f"Warning: To meet brokerage precision requirements, order price was rounded to {rounded} from {price}",
            )
        return rounded

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Orders still working; kept apart from the full book so each time step costs O(open), not O(all)."""
        return [o for o in self.working.values() if symbol is None or o.symbol == symbol]

    def cancel_order(self, order_id: int, tag: str | None = None) -> OrderResponse:
        order = self.orders.get(order_id)
        if order is None:
            return OrderResponse.unable_to_find(order_id)
        ticket = self.tickets[order_id]
        if ticket.cancel_request is not None and ticket.cancel_request.response.is_success:
            in_progress = "Cancellation is already in progress."
            return OrderResponse(order_id, OrderResponseErrorCode.INVALID_REQUEST, in_progress)
        request = ticket.cancel_request = CancelOrderRequest(order_id, self.clock.utc, tag)
        if tag is not None:  # LEAN sets the tag before it looks at the status: a filled order takes it too
            order.tag = tag
        if order.status.is_closed:
            request.response = OrderResponse.invalid_status(order)
            return request.response
        self._close(order, OrderStatus.CANCELED, "")
        return request.response

    def _close(self, order: Order, status: OrderStatus, message: str) -> None:
        """An open order canceled (by request or expiry) or made invalid, with its event."""
        order.status = status
        self.working.pop(order.id, None)
        if status == OrderStatus.CANCELED:
            order.canceled_time = self.clock.utc
        self._emit(order, status, 0.0, 0.0, 0.0, message)

    def update_order(self, order_id: int, fields: UpdateOrderFields) -> OrderResponse:
        """LEAN's update request: a closed order takes a new tag only (and no event); prices go to the tick."""
        order = self.orders.get(order_id)
        if order is None:
            return OrderResponse.unable_to_find(order_id)
        self.tickets[order_id].update_requests.append(UpdateOrderRequest(order_id, self.clock.utc, fields))
        if order.status.is_closed:
            if fields.quantity is not None or fields.limit_price is not None or fields.stop_price is not None:
                return OrderResponse.invalid_status(order)
            if fields.tag is not None:
                order.tag = fields.tag
            return OrderResponse(order_id)
        if fields.quantity is not None and float(fields.quantity) == 0:  # LEAN's handler: refused, order unchanged
            message = f"Unable to update order with id {order_id} that has zero quantity."
            return OrderResponse(order_id, OrderResponseErrorCode.ORDER_QUANTITY_ZERO, message)
        if fields.quantity is not None:
            order.quantity = float(fields.quantity)
        security = self.securities[order.symbol]
        if fields.limit_price is not None:
            order.limit_price = self._on_tick(security, float(fields.limit_price))
        if fields.stop_price is not None:
            order.stop_price = self._on_tick(security, float(fields.stop_price))
        if fields.trigger_price is not None and order.type == OrderType.LIMIT_IF_TOUCHED:  # others ignore it (LEAN)
            order.trigger_price = self._on_tick(security, float(fields.trigger_price))
        if fields.trailing_amount is not None and order.type == OrderType.TRAILING_STOP:  # others ignore it (LEAN)
            amount = float(fields.trailing_amount)
            order.trailing_amount = amount if order.trailing_as_percentage else self._on_tick(security, amount)
        if fields.tag is not None:
            order.tag = fields.tag
        order.last_update_time = self.clock.utc
        order.status = OrderStatus.UPDATE_SUBMITTED  # LEAN's status until the order's next event
        self._emit(order, OrderStatus.UPDATE_SUBMITTED, 0.0, 0.0, 0.0, "")
        return OrderResponse(order_id)

    # -- filling ---------------------------------------------------------------------------------------------

    def scan(self, fresh: set[Symbol], forward: Mapping[Symbol, TradeBar] = NO_BARS) -> None:
        """Try to fill every open order with the latest data (``fresh``: symbols with a bar at this step;
        ``forward``: the fill-forward trade bars of this step)."""
        if not self.working:
            return
        for order in self.open_orders():
            if order.group_order_manager is not None:
                self._combo_scan(order, forward)
                continue
            security = self.securities[order.symbol]
            placed_now = order.time == self.clock.utc
            if placed_now and order.type != MARKET:
                continue  # LEAN looks at other orders from the next bar on
            if (
                order.expires_ns is not None
                and self.clock.ns >= order.expires_ns
                and not _stale_on_open(security, order)
            ):
                self._close(order, OrderStatus.CANCELED, "The order has expired.")
                continue
            # LEAN checks buying power before every fill attempt: prices and the portfolio move while an order
            # waits (an order placed this moment was checked against this very state when it was submitted)
            problem = "" if placed_now else self._buying_power_problem(security, order)
            if problem:
                self._invalidate(order, problem)
                continue
            is_fresh, bar = order.symbol in fresh, forward.get(order.symbol)
            if security.fill_model is not None:
                self._model_fill(security, order, is_fresh, bar)
                continue
            price = self._fill_price(security, order, is_fresh, bar)
            if price is not None:
                self._fill(security, order, price, order.quantity - order.quantity_filled, _FILLED)

    def _model_fill(self, security: Security, order: Order, fresh: bool, forward: TradeBar | None) -> None:
        """The algorithm's fill model asked (LEAN's ``FillModel.Fill``) and its fills applied as LEAN's
        ``BacktestingBrokerage.Scan`` applies them: each one that changes the order's status or fills some
        quantity. Its base class's rules are the engine's: ``EquityFillModel``'s, or on an equity LEAN's base
        ``FillModel``'s (market orders only)."""
        model = security.fill_model
        rules = self._fill_price
        if security.kind == SecurityKind.EQUITY and not isinstance(model, EquityFillModel):
            rules = partial(self._base_fill_price, type(model).__name__)
        security.forward_bar = forward  # what the security's cache holds at this step
        try:
            default = partial(rules, security, order, fresh, forward)
            events = custom_fill_events(model, FillModelParameters(security, order, STALE_PRICE_SPAN, default))
        finally:
            security.forward_bar = None
        for event in events:
            if event.status != order.status or event.fill_quantity:
                self._fill(security, order, event.fill_price, event.fill_quantity, event.status, event.fee)
            if order.status.is_closed:
                break

    # -- combo orders (see combo_orders.py) -----------------------------------------------------------------

    def submit_combo(self, legs: list[tuple[Security, float, float | None]], group: GroupOrderManager,
                     order_type: OrderType, tag: str, properties: OrderProperties) -> list[OrderTicket]:  # fmt: skip
        """LEAN's combo submission: an order per leg (``(security, quantity, limit)``), each request followed by
        a brokerage scan (``ProcessAsynchronousEvents``); the last one places the whole group, every leg
        Submitted. A combo LEAN would turn invalid is refused by name."""
        if type(properties.time_in_force).__name__ != "GoodTilCanceledTimeInForce":
            raise UnsupportedApi(f"combo orders with {type(properties.time_in_force).__name__}")
        orders = []
        for security, quantity, limit in legs:
            order_id = len(self.orders) + 1
            order = Order(order_id, security.symbol, quantity, order_type, self.clock.utc, tag)
            order.group_order_manager = group
            group.order_ids.append(order_id)
            if limit is not None:
                order.limit_decimal = lean_decimal(limit)
                order.limit_price = float(order.limit_decimal)
            order.properties = properties.clone()
            order.submission = (security.bid_price, security.ask_price, security.price)
            order.submission_days = security.data_days_ns()
            self.orders[order_id] = order
            self.tickets[order_id] = OrderTicket(order, self)
            orders.append(order)
        for order, (security, _, _) in zip(orders, legs, strict=True):
            problem = self._validate(security, order)
            if problem:
                raise UnsupportedApi(f"a combo order LEAN would refuse ({problem})")
        for _ in orders[1:]:
            self.scan(set())
        for order in orders:
            order.status = OrderStatus.SUBMITTED
            self.working[order.id] = order
            self._emit(order, OrderStatus.SUBMITTED, 0.0, 0.0, 0.0)
        self.scan(set())
        return [self.tickets[order.id] for order in orders]

    def _combo_scan(self, order: Order, forward: Mapping[Symbol, TradeBar]) -> None:
        """``BacktestingBrokerage.Scan`` for one open leg of a combo: a leg closed meanwhile leaves; a group
        with a leg gone waits; then the buying power of each leg (LEAN's fallback when the legs make no position
        group), the fill model of this leg's security asked for the whole group, and its events applied leg by
        leg. The group leaves once every event returned is closed."""
        if order.status.is_closed:
            self.working.pop(order.id, None)
            return
        if order.time == self.clock.utc and order.type != OrderType.COMBO_MARKET:
            return
        group = order.group_order_manager
        if any(order_id not in self.working for order_id in group.order_ids):
            return
        orders = [self.orders[order_id] for order_id in sorted(group.order_ids)]
        pairs = [(leg, self.securities[leg.symbol]) for leg in orders]
        for leg, security in pairs:
            problem = self._buying_power_problem(security, leg)
            if problem:
                raise UnsupportedApi(f"a combo order without the buying power to fill ({problem})")
        security = self.securities[order.symbol]
        model = security.fill_model if security.fill_model is not None else FillModel()
        rules = _ComboRules(self, forward)
        for _, leg_security in pairs:
            leg_security.forward_bar = forward.get(leg_security.symbol)
        try:
            parameters = FillModelParameters(security, order, STALE_PRICE_SPAN, None, OrdersSecurities(pairs), rules)
            fills = combo_fill_events(model, parameters)
        finally:
            for _, leg_security in pairs:
                leg_security.forward_bar = None
        if not fills:
            return
        for leg, leg_security in pairs:
            for event in fills:
                if event.order_id == leg.id and (event.status != leg.status or event.fill_quantity):
                    quantity = float(event.fill_quantity)
                    self._fill(leg_security, leg, float(event.fill_price), quantity, event.status, event.fee, True)
        if all(event.status.is_closed for event in fills):
            for leg in orders:
                self.working.pop(leg.id, None)

    def _base_fill_price(
        self, model: str, security: Security, order: Order, fresh: bool, forward: TradeBar | None
    ) -> float | None:
        """LEAN's base ``FillModel`` rules on an equity: ``MarketFill`` and ``MarketOnOpenFill`` (see
        :func:`_base_market_price`, :func:`_base_market_on_open_price`), with the security's slippage."""
        local = self.clock.local_in(security.hours.exchange_tz)
        if order.type == OrderType.MARKET:
            return slipped(security, order, _base_market_price(security, order, local, forward))
        if order.type == OrderType.MARKET_ON_OPEN:
            return slipped(security, order, _base_market_on_open_price(security, order, local, forward))
        raise UnsupportedApi(f"{model}: LEAN's FillModel rules for {order.type.name} orders of equities")

    def _fill_price(self, security: Security, order: Order, fresh: bool, forward: TradeBar | None) -> float | None:
        hours = security.hours
        local = self.clock.local_in(hours.exchange_tz)
        if order.type == MARKET:
            if not hours.is_open(local, security.extended_market_hours) and security.kind == _EQUITY:
                return None
            return slipped(security, order, _market_price(security, order.direction))
        refuse_unmodelled(security, order)
        if order.type == OrderType.TRAILING_STOP:
            return _trailing_stop_fill(security, order, forward, local)
        if order.type == OrderType.LIMIT_IF_TOUCHED:
            bar = forward or security.last_trade
            if bar is None or bar.end_time <= _local(order.time, hours):
                return None
            if not _open_for_fill(hours, bar, local, security.extended_market_hours):
                return None
            return _limit_if_touched_fill(security, order, bar)
        if order.type in (OrderType.LIMIT, OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
            # LEAN's fill models read the security's cache: the trade bar (this step's, its fill-forward copy
            # ending now, or an older one) for limit and stop market orders; for stop limits the ask (buying) or
            # bid (selling) side of the latest quote bar when quotes are subscribed. Never a bar ending by the
            # order's time; the exchange must be open (stop market orders: regular hours only)
            quote_side = None
            if order.type == OrderType.STOP_LIMIT and security.quote_feed is not None:
                quote_side = _quote_side(security, order.direction)
            bar = quote_side or forward or security.last_trade
            if bar is None or bar.end_time <= _local(order.time, hours):
                return None
            extended = security.extended_market_hours and order.type != OrderType.STOP_MARKET
            if not _open_for_fill(hours, bar, local, extended):
                return None
            return _bar_fill_price(order, bar)
        bar = security.last_trade
        if bar is None or not fresh or bar.end_time <= _local(order.time, hours):
            return None
        if order.type == OrderType.MARKET_ON_OPEN:
            placed = _local(order.time, hours)
            if hours.is_open(placed) and placed.date() == local.date():
                return None  # placed while the market was open: it waits for the next session's open
            session = hours.regular_session(bar.end_time.date())
            covers_open = session is not None and bar.time <= session[0] < bar.end_time  # daily or hour bars
            in_session = session is not None and session[0] <= bar.time < session[1]
            return bar.open if covers_open or in_session else None
        # market on close (``EquityFillModel.MarketOnCloseFill``): once the first regular close after the order
        # is reached, at the latest trade close
        close = hours.next_regular_close(_local(order.time, hours))
        return bar.close if close is not None and local >= close else None

    def _invalidate(self, order: Order, problem: str) -> None:
        """LEAN's invalid order: its event with the reason, and the reason as an algorithm error."""
        self._close(order, OrderStatus.INVALID, problem)
        self.on_message("ERROR", f"Order Error: ids: [{order.id}], {problem}")

    def _fill(
        self,
        security: Security,
        order: Order,
        price: float,
        quantity: float,
        status: OrderStatus,
        fee: float = 0.0,
        combo: bool = False,
    ) -> None:
        """A fill (``status`` Filled or PartiallyFilled) of ``quantity`` at ``price``. Only the order's last fill
        pays a fee, the fee model's for the whole order unless the fill brought one (LEAN's Scan); the order's
        price is the quantity-weighted mean of its fills (LEAN's ``OrderTicket.AddOrderEvent``). A combo's leg
        stays with the brokerage until its whole group is done (``combo``)."""
        if status == _FILLED and not fee:
            fee = order_fee(security, order.quantity, price, order)
        _apply_fill(self.portfolio, security, quantity, price, fee, self.clock.utc, order.quantity > 0)
        self.portfolio.refresh_held()
        if quantity:
            filled = order.quantity_filled + quantity
            if order.quantity_filled:
                order.price = (abs(order.quantity_filled) * order.price + abs(quantity) * price) / abs(filled)
            else:
                order.price = price
            order.quantity_filled = filled
        order.status = status
        if status == _FILLED and not combo:
            del self.working[order.id]
        order.last_fill_time = self.clock.utc
        self._emit(order, status, price, quantity, fee)

    def _emit(
        self, order: Order, status: OrderStatus, price: float, quantity: float, fee: float, message: str = ""
    ) -> None:
        order_id, symbol, ordered = order.id, order.symbol, order.quantity  # read once: each is used twice
        event_id = self._event_ids.get(order_id, 0) + 1
        self._event_ids[order_id] = event_id
        direction = BUY if ordered > 0 else SELL
        event = OrderEvent(
            order_id, event_id, symbol, self.clock.utc, status, direction, price, quantity, ordered, fee, message
        )
        security = self.securities[symbol]
        if security.quote_currency != "USD" or self.portfolio.cash_book.account_currency != "USD":
            event.price_currency = security.quote_currency
            event.fee_currency = (
                security.quote_currency if security.cash_account else (self.portfolio.cash_book.account_currency)
            )
        ticket = self.tickets[order_id]
        event.describe_order(order, ticket)
        ticket.order_events.append(event)
        self.on_event(event, order, security)


class _ComboRules:
    """LEAN's base FillModel rules for one leg of a combo at this scan (see ``fill_models.ComboLegRules``)."""

    def __init__(self, transactions: Transactions, forward: Mapping[Symbol, TradeBar]) -> None:
        self._clock, self._forward = transactions.clock, forward

    def _now(self, security: Security) -> datetime:
        if security.kind != SecurityKind.EQUITY:
            raise UnsupportedApi(f"combo orders of {security.kind.value} securities")
        return self._clock.local_in(security.hours.exchange_tz)

    def market(self, security: Security, order: Order) -> OrderEvent:
        """``InternalMarketFill``: the base market fill price with the security's slippage."""
        local = self._now(security)
        price = None
        if order.status != OrderStatus.CANCELED:
            price = _base_market_price(security, order, local, self._forward.get(security.symbol))
        return leg_event(order, self._clock.utc, slipped(security, order, price) if price is not None else None)

    def limit(self, security: Security, order: Order, limit_price: float) -> OrderEvent:
        """``InternalLimitFill``: with the exchange open (extended hours as subscribed), on the ``GetPrices`` bar
        ending after the order: buying below the limit at the bar's high or the limit, the lower; selling above
        it at its low or the limit, the higher."""
        local, hours = self._now(security), security.hours
        latest, bar = _base_prices(security, order, self._forward.get(security.symbol))
        price = None
        if (
            order.status != OrderStatus.CANCELED
            and latest is not None
            and bar is not None
            and _open_for_fill(hours, latest, local, security.extended_market_hours)
            and bar.end_time > _local(order.time, hours)
        ):
            if order.quantity > 0 and bar.low < limit_price:
                price = min(bar.high, limit_price)
            elif order.quantity < 0 and bar.high > limit_price:
                price = max(bar.low, limit_price)
        return leg_event(order, self._clock.utc, price)

    def prices(self, security: Security, order: Order) -> tuple[datetime, TradeBar] | None:
        """``GetPrices``'s bar and its end (UTC); None without data."""
        self._now(security)
        _, bar = _base_prices(security, order, self._forward.get(security.symbol))
        if bar is None:
            return None
        return bar.end_time.replace(tzinfo=security.hours.exchange_tz).astimezone(UTC), bar


def default_buying_power_problem(portfolio: Portfolio, security: Security, order: Order) -> str:
    """LEAN's message when the margin remaining cannot take the unfilled part of ``order``, else ''."""
    price = _estimate_price(security, order)
    quantity = order.quantity - order.quantity_filled
    margins = _order_margins(portfolio, security, quantity, price, order)
    if margins is None or margins[0] <= margins[1] + 1e-9:
        return ""
    value = quantity * price
    return (
        f"Insufficient buying power to complete orders (Value:[{value:.4f}]), Reason: Id: {order.id}, "
        f"Initial Margin: {abs(value) / security.leverage:.2f}, Free Margin: {margins[1]:.2f}."
    )


def _stale_on_open(security: Security, order: Order) -> bool:
    """LEAN's pre-check before expiry: a market-on-open order waits, unexamined, until data newer than it."""
    if order.type != OrderType.MARKET_ON_OPEN:
        return False
    bar = security.last_trade
    return bar is None or _local(order.time, security.hours) >= bar.end_time


def round_to_tick(security: Security, price: float) -> float:
    """A price on the security's tick grid, computed as LEAN does in decimal with banker's rounding. Equities
    keep their price: on adjusted data (the only mode here) LEAN's ``AdjustedPriceVariationModel`` has no
    minimum; crypto and forex use their symbol's minimum price variation."""
    if security.kind == SecurityKind.EQUITY:
        return price
    increment = Decimal(repr(security.symbol_properties.minimum_price_variation))
    if increment <= 0:
        return price
    return float(round(Decimal(repr(price)) / increment) * increment)


def _bar_fill_price(order: Order, bar: TradeBar) -> float | None:
    """LEAN's EquityFillModel for limit and stop orders against the first trade bar closing after the order.

    Limit: filled at the limit, or at the open when the bar gaps through it favourably. Stop market: filled at
    the stop, or at the open when the bar gaps through it. Stop limit: triggered when the bar trades through
    the stop, then filled while the close is on the right side of the limit, at the limit or better.
    """
    buy, stop, limit = order.quantity > 0, order.stop_price, order.limit_price
    if order.type == OrderType.LIMIT:
        if buy and bar.low < limit:
            return bar.open if bar.open < limit else limit
        if not buy and bar.high > limit:
            return bar.open if bar.open > limit else limit
        return None
    if order.type == OrderType.STOP_MARKET:
        if buy and bar.high >= stop:
            return bar.open if bar.open >= stop else stop
        if not buy and bar.low <= stop:
            return bar.open if bar.open <= stop else stop
        return None
    if not order.stop_triggered:  # stop limit
        order.stop_triggered = bar.high > stop if buy else bar.low < stop
    if order.stop_triggered:
        if buy and bar.close < limit:
            return min(bar.high, limit)
        if not buy and bar.close > limit:
            return max(bar.low, limit)
    return None


def _trailing_stop_fill(security: Security, order: Order, forward: TradeBar | None, local: datetime) -> float | None:
    """LEAN's ``FillModel.TrailingStopFill`` (equities do not override it): in regular hours, on the ask (buying)
    or bid (selling) side of the latest quote bar when quotes are subscribed, else the trade bar, newer than the
    order: filled when the bar trades through the stop, at the worse of the stop and the close; otherwise the
    stop follows the bar's high (selling) or low (buying) when it has moved more than the trailing amount away
    (``TrailingStopOrder.TryUpdateStopPrice``), after the fill attempt."""
    hours = security.hours
    quote_side = _quote_side(security, order.direction) if security.quote_feed is not None else None
    bar = quote_side or forward or security.last_trade
    if bar is None or not _open_for_fill(hours, bar, local, False) or bar.end_time <= _local(order.time, hours):
        return None
    stop, amount, fraction = order.stop_price, order.trailing_amount, order.trailing_as_percentage
    if order.quantity < 0:
        if bar.low <= stop:
            return min(stop, bar.close)
        if bar.high - stop > (bar.high * amount if fraction else amount):
            order.stop_price = bar.high * (1 - amount) if fraction else bar.high - amount
        return None
    if bar.high >= stop:
        return max(stop, bar.close)
    if stop - bar.low > (bar.low * amount if fraction else amount):
        order.stop_price = bar.low * (1 + amount) if fraction else bar.low + amount
    return None


def _limit_if_touched_fill(security: Security, order: Order, bar: TradeBar) -> float | None:
    """LEAN's ``EquityFillModel.LimitIfTouchedFill`` on the trade bar newer than the order: once a bar trades at
    or through the trigger (low for a buy, high for a sell) the order stays touched, and it fills when the best
    effort ask (buying) or bid (selling) is at or better than the limit, at that price capped by the limit."""
    buying, limit = order.quantity > 0, order.limit_price
    if order.trigger_touched or (bar.low <= order.trigger_price if buying else bar.high >= order.trigger_price):
        order.trigger_touched = True
        price = _best_effort_quote(security, order, buying, bar)
        if buying and price <= limit:
            return min(price, limit)
        if not buying and price >= limit:
            return max(price, limit)
    return None


def _best_effort_quote(security: Security, order: Order, buying: bool, trade: TradeBar) -> float:
    """LEAN's ``GetBestEffortAskPrice``/``GetBestEffortBidPrice`` without ticks: the latest quote bar's ask (bid)
    close if it ended within ``StalePriceTimeSpan`` (an hour) before the order, else the latest trade bar's
    close if newer and within it, else the newer of the two stale prices."""
    cut_off = _local(order.time, security.hours) - STALE_PRICE_SPAN
    feed, quote_end, price = security.quote_feed, None, 0.0
    if feed is not None and feed.current >= 0:
        quote = feed.bar()
        side = quote.ask if buying else quote.bid
        price, quote_end = (side.close if side is not None else quote.close), quote.end_time
        if quote_end >= cut_off:
            return price
    if quote_end is None or trade.end_time > quote_end:
        price = trade.close
    return price


def trailing_stop_price(price: float, amount: float, fraction: bool, buying: bool) -> float:
    """LEAN's ``TrailingStopOrder.CalculateStopPrice``: ``amount`` (or the fraction ``amount`` of the price)
    above the price for a buy, below it for a sell."""
    if fraction:
        return price * (1 + amount) if buying else price * (1 - amount)
    return price + amount if buying else price - amount


def _open_for_fill(hours: MarketHours, bar: TradeBar, local: datetime, extended: bool) -> bool:
    """LEAN's ``FillModel.IsExchangeOpen``: open now, or the bar in hand spans an open period and is current
    (for bars over an hour: it ends today, so a daily bar ending at the close still fills)."""
    if hours.is_open(local, extended):
        return True
    current = local.date() == bar.end_time.date() if bar.end_time - bar.time > HOUR else local <= bar.end_time
    return current and hours.is_open_during(bar.time, bar.end_time, extended)


def _quote_side(security: Security, direction: OrderDirection) -> TradeBar | None:
    """The ask (buying) or bid (selling) side of the latest quote bar, as a bar with its times."""
    feed = security.quote_feed
    if feed is None or feed.current < 0:
        return None
    quote = feed.bar()
    side = quote.ask if direction == BUY else quote.bid
    if side is None:
        return None
    return TradeBar(quote.time, quote.end_time, security.symbol, side.open, side.high, side.low, side.close, 0.0)


def _local(utc: datetime, hours: MarketHours) -> datetime:
    return utc.astimezone(hours.exchange_tz).replace(tzinfo=None)


def _market_price(security: Security, direction: OrderDirection) -> float:
    """Latest ask (buying) or bid (selling) close when quotes are as fresh as trades, else the trade close."""
    quotes, trades = security.quote_feed, security.trade_feed
    quote_is_fresh = (
        quotes is not None
        and quotes.current >= 0
        and (trades is None or trades.current < 0 or quotes.current_ns >= trades.current_ns)
    )
    if quote_is_fresh:
        quote = security.ask_price if direction == BUY else security.bid_price
        if quote > 0:
            return quote
    return security.price


def _base_prices(security: Security, order: Order, forward: TradeBar | None) -> tuple[TradeBar | None, TradeBar | None]:
    """The latest data of the security (``GetLastData``) and the bar LEAN's ``FillModel.GetPrices`` prices
    from: the ask (buying) or bid (selling) side of the latest quote bar when quotes are subscribed, else the
    latest trade bar."""
    trade = forward or security.last_trade
    quote = _quote_side(security, order.direction) if security.quote_feed is not None else None
    latest = max((bar for bar in (trade, quote) if bar is not None), key=lambda bar: bar.end_time, default=None)
    return latest, quote or trade


def _base_market_on_open_price(
    security: Security, order: Order, local: datetime, forward: TradeBar | None
) -> float | None:
    """LEAN's base ``FillModel.MarketOnOpenFill`` price (before slippage): never on data ending by the order's
    time, nor the same day as an order placed while the market was open; then, with the exchange open, the
    open of the bar ``GetPrices`` gives."""
    hours = security.hours
    latest, bar = _base_prices(security, order, forward)
    placed = _local(order.time, hours)
    if latest is None or bar is None or placed >= latest.end_time:
        return None
    if hours.is_open(placed, False) and placed.date() == local.date():
        return None
    if not _open_for_fill(hours, latest, local, False):
        return None
    return bar.open


def _base_market_price(security: Security, order: Order, local: datetime, forward: TradeBar | None) -> float | None:
    """LEAN's base ``FillModel.MarketFill`` price (before slippage) on the security's latest data, or None to
    wait: with the exchange open (``IsExchangeOpen``), on the ask (buying) or bid (selling) side of the latest
    quote bar when quotes are subscribed, else the latest trade bar (``GetPrices``). Data older than the
    stale span before the order waits for fresh data when it is more than a bar behind, always at hour and
    daily resolutions; there an order resting since before the bar began fills at its open
    (``GetMarketFillPrice``), else at its close."""
    hours = security.hours
    latest, bar = _base_prices(security, order, forward)
    if latest is None or bar is None or not _open_for_fill(hours, latest, local, False):
        return None
    placed = _local(order.time, hours)
    coarse = security.resolution in (Resolution.HOUR, Resolution.DAILY)
    if bar.end_time + STALE_PRICE_SPAN < placed and (
        coarse or placed - bar.end_time > RESOLUTION_SPANS[security.resolution]
    ):
        return None
    if coarse and bar.open and placed <= bar.time:
        return bar.open
    return bar.close


RESOLUTION_SPANS = {Resolution.TICK: timedelta(0), Resolution.SECOND: timedelta(seconds=1),
                    Resolution.MINUTE: timedelta(minutes=1), Resolution.HOUR: HOUR,
                    Resolution.DAILY: timedelta(days=1)}  # fmt: skip


def _estimate_price(security: Security, order: Order) -> float:
    if order.type in LIMIT_PRICED and order.limit_price:
        return order.limit_price
    return _market_price(security, order.direction)


def _order_margins(
    portfolio: Portfolio, security: Security, quantity: float, price: float, order: Order
) -> tuple[float, float] | None:
    """LEAN's ``HasSufficientBuyingPowerForOrder``: the initial margin of the whole order (and its fee) against
    the free margin, which for an order against the position adds back that position's maintenance and
    initial margin (``GetMarginRemaining``); None for an order that only reduces or closes the position (a
    waiting one is checked at every scan: no fee or margin to work out)."""
    held = security.holdings.quantity
    if held * quantity < 0 and abs(held) >= abs(quantity):
        return None
    free = portfolio.margin_remaining
    if held * quantity < 0:  # reversing: the position's margin comes back
        free += 2 * abs(held) * security.price / security.leverage
    return abs(quantity) * price / security.leverage + order_fee(security, quantity, price, order), free


def _apply_fill(
    portfolio: Portfolio,
    security: Security,
    quantity: float,
    price: float,
    fee: float,
    when: datetime,
    buying: bool,
) -> None:
    """LEAN's ``SecurityPortfolioModel.ProcessFill``: the quote currency pays, a crypto or forex pair's base
    currency is bought (a currency swap), the fee leaves its own currency; values in the account currency. A
    fill against the position (by the order's direction, ``buying``, so a fill of no quantity counts too)
    records its profit less twice its fee as a transaction."""
    holding = security.holdings
    if security.quote_cash is None and security.base_cash is None:
        portfolio.cash -= quantity * price + fee
        rate = 1.0
    else:
        rate = security.quote_rate
        quote = security.quote_cash
        if quote is None:
            portfolio.cash -= quantity * price
        else:
            quote.amount -= quantity * price
        if security.base_cash is not None:
            security.base_cash.amount += quantity
        paid_from = fee_cash(portfolio, security)
        if paid_from is None:
            portfolio.cash -= fee
        else:
            paid_from.amount -= fee
            fee = fee * paid_from.conversion_rate
    portfolio.total_fees += fee
    portfolio.total_sale_volume += abs(quantity * price) * rate
    holding.total_fees += fee
    held = holding.quantity
    if held == 0:
        holding.average_price, holding.quantity = price, quantity
        holding.net_profit -= fee
        return
    if (held > 0) == buying:
        total = held + quantity
        holding.average_price = (holding.average_price * held + price * quantity) / total
        holding.quantity = total
        holding.net_profit -= fee
        return
    closed = min(abs(quantity), abs(held)) * math.copysign(1, held)
    realised = (price - holding.average_price) * closed * rate
    holding.net_profit += realised - fee
    portfolio.profit_loss.append((when, realised - 2 * fee))  # LEAN's TransactionRecord convention
    if realised - 2 * fee > 0:
        portfolio.winning_transactions += 1
    else:
        portfolio.losing_transactions += 1
    remaining = held + quantity
    if remaining == 0:
        holding.quantity, holding.average_price = 0.0, 0.0
    elif remaining * held > 0:
        holding.quantity = remaining
    else:  # reversed through zero: the rest opens at this price
        holding.quantity, holding.average_price = remaining, price


def holdings_quantity(portfolio: Portfolio, security: Security, percent: float) -> float:
    """Order quantity that brings ``security`` to ``percent`` of the portfolio, as LEAN's ``PortfolioTarget.Percent``
    computes it: the percent less the free-portfolio buffer, over the leverage, is the margin fraction the buying
    power model's ``GetMaximumOrderQuantityForTargetBuyingPower`` is asked for (see :func:`margin_target_quantity`)."""
    if security.price <= 0:
        return 0.0
    if security.cash_account and security.buying_power_model is None:
        return cash_holdings_quantity(portfolio, security, percent)
    fraction = percent * (1.0 - FREE_PORTFOLIO_VALUE_PERCENTAGE) / security.leverage
    model = security.buying_power_model
    if not overrides(model, "get_maximum_order_quantity_for_target_buying_power"):
        return margin_target_quantity(portfolio, security, fraction)
    parameters = GetMaximumOrderQuantityForTargetBuyingPowerParameters(
        portfolio, security, fraction, MINIMUM_ORDER_MARGIN_PERCENTAGE
    )
    result = model.get_maximum_order_quantity_for_target_buying_power(parameters)
    if result.is_error:
        raise UnsupportedApi(f"a buying power model's error for the order quantity ({result.reason})")
    return float(result.quantity)


def margin_target_quantity(portfolio: Portfolio, security: Security, fraction: float) -> float:
    """LEAN's ``BuyingPowerModel.GetMaximumOrderQuantityForTargetBuyingPower`` for the margin ``fraction`` of the
    portfolio: skip changes under 0.1% of the portfolio; the lots that reach the target margin, rounded so the
    holdings end at or under it; then again with the order's fee taken off the portfolio value, until they fit.
    """
    price = security.price
    total = portfolio.total_portfolio_value
    unit_margin = price / security.leverage
    held = security.holdings.quantity
    lot = security.symbol_properties.lot_size or 1.0
    target = fraction * total
    if target == 0:
        return -held
    too_small = abs(target - held * unit_margin) < total * MINIMUM_ORDER_MARGIN_PERCENTAGE
    if too_small and portfolio.margin_remaining > 0:
        return 0.0
    last = 0.0
    while True:
        lots = (target / unit_margin - held) / lot
        size = (math.floor(lots + 1e-9) if target > 0 else math.ceil(lots - 1e-9)) * lot  # end at or under target
        while (
            (size + held) * unit_margin - target > 1e-9 if target > 0 else (size + held) * unit_margin - target < -1e-9
        ):
            size += -lot if target > 0 else lot
        if size == 0:
            return 0.0
        target = (total - order_fee(security, size, price)) * fraction
        if size == last:
            return size  # LEAN reports a convergence failure here
        last = size
        if abs((size + held) * unit_margin) <= abs(target) + 1e-9:
            return size
