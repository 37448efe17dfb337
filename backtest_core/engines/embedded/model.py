"""The objects a LEAN algorithm touches: Symbol, bars, Slice, orders, tickets, events, and LEAN's enums.

Names follow LEAN's Python API in snake_case, with LEAN's PascalCase spellings as aliases. Anything LEAN has
that is not here raises :class:`UnsupportedApi` through :class:`LeanObject`, never a silent wrong answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from enum import EnumType, IntEnum
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from backtest_core.engines.embedded.clock import local_datetime
from backtest_core.engines.embedded.clr_types import KeyValuePair
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import from_float, normalize, smart_rounding


class LeanObject:
    """A LEAN object: LEAN's other spellings its algorithm uses are aliases (:func:`spell_lean_objects`), and a
    name it lacks is refused naming the missing API (``algorithm.refusal_of``, from the AttributeError).

    No ``__getattr__``: CPython 3.11 does not specialise attribute reads on a class with one, and the engine
    reads securities, holdings and orders at every step.
    """


class _Spelling:
    """LEAN's other spelling of a member (``Price`` for ``price``) on LeanObject: a non-data descriptor, so an
    instance's own attribute of that name and a subclass's member win, as they would over a ``__getattr__``."""

    __slots__ = ("snake",)

    def __init__(self, snake: str) -> None:
        self.snake = snake

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # a class-level name is the metaclass's (``_LeanClassType``) or missing
            raise AttributeError(self.snake)
        return getattr(instance, self.snake)


def spell_lean_objects(names: Iterable[str]) -> None:
    """Make each of ``names`` (the identifiers of an algorithm's sources) that is another spelling of a
    snake_case name (``Quantity``, ``AveragePrice``) an alias of it on every LEAN object."""
    for name in names:
        snake = _snake(name)
        if snake != name and not name.startswith("__") and name not in vars(LeanObject):
            setattr(LeanObject, name, _Spelling(snake))


def _snake(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if (
            char.isupper()
            and index
            and (not name[index - 1].isupper() or (index + 1 < len(name) and name[index + 1].islower()))
        ):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _pascal(name: str) -> str:
    """``on_order_event`` -> ``OnOrderEvent``."""
    return "".join(part.capitalize() for part in name.split("_"))


def spelled_like_lean(klass: type) -> type:
    """Give ``klass`` LEAN's PascalCase spelling of each of its public members (``TotalPortfolioValue``): the
    member itself under the second name. For a class whose LEAN names are all its own members, in place of a
    ``__getattr__``, which would stop CPython 3.11 specialising every attribute read on it."""
    for name in dir(klass):
        pascal = _pascal(name)
        if not name.startswith("_") and pascal != name and _snake(pascal) == name and not hasattr(klass, pascal):
            setattr(klass, pascal, inspect.getattr_static(klass, name))
    return klass


class _LeanClassType(type):
    """A class-level LEAN name the engine lacks (``Symbol.create_future``, ``BrokerageName.AXOS``) fails naming
    it; a PascalCase spelling of a class method finds the snake_case one."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        snake = _snake(name)
        if snake != name and snake in dir(cls):
            return getattr(cls, snake)
        raise UnsupportedApi(f"{cls.__name__}.{name}")


class _LeanEnumType(_LeanClassType, EnumType):
    pass


class _Enum(IntEnum, metaclass=_LeanEnumType):
    """LEAN enums accept both ``Resolution.DAILY`` and ``Resolution.Daily``."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return None


class Resolution(_Enum):
    TICK = 0
    SECOND = 1
    MINUTE = 2
    HOUR = 3
    DAILY = 4
    Tick = 0
    Second = 1
    Minute = 2
    Hour = 3
    Daily = 4


class SecurityType(_Enum):
    BASE = 0
    EQUITY = 1
    FOREX = 4
    CRYPTO = 7
    Base = 0
    Equity = 1
    Forex = 4
    Crypto = 7


class OrderType(_Enum):
    MARKET = 0
    LIMIT = 1
    STOP_MARKET = 2
    STOP_LIMIT = 3
    MARKET_ON_OPEN = 4
    MARKET_ON_CLOSE = 5
    LIMIT_IF_TOUCHED = 7
    COMBO_MARKET = 8
    COMBO_LIMIT = 9
    COMBO_LEG_LIMIT = 10
    TRAILING_STOP = 11
    Market = 0
    Limit = 1
    StopMarket = 2
    StopLimit = 3
    MarketOnOpen = 4
    MarketOnClose = 5
    LimitIfTouched = 7
    ComboMarket = 8
    ComboLimit = 9
    ComboLegLimit = 10
    TrailingStop = 11


class OrderStatus(_Enum):
    NEW = 0
    SUBMITTED = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 5
    NONE = 6
    INVALID = 7
    CANCEL_PENDING = 8
    UPDATE_SUBMITTED = 9
    New = 0
    Submitted = 1
    PartiallyFilled = 2
    Filled = 3
    Canceled = 5
    Invalid = 7

    @property
    def is_closed(self) -> bool:
        return self in _CLOSED


class OrderDirection(_Enum):
    BUY = 0
    SELL = 1
    HOLD = 2
    Buy = 0
    Sell = 1
    Hold = 2


# Members the order path compares with at every order and event, read once: an enum class's attribute read is
# not specialised by CPython 3.11 (EnumType has __getattr__), a module global's is.
_CLOSED = (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.INVALID)
_FILLS = (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED)
# enum members the order path reads, as module globals for every engine module: CPython 3.11 runs each
# attribute read of an enum class through EnumType's __getattr__ hook, unspecialised (~1,000 instructions)
BUY, SELL = OrderDirection.BUY, OrderDirection.SELL
MARKET, _NEW = OrderType.MARKET, OrderStatus.NEW
MARKETABLE = (OrderType.MARKET, OrderType.COMBO_MARKET)
LIMIT_PRICED = (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED)
STOP_PRICED = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP)


class BrokerageName(_Enum):
    DEFAULT = 0
    QUANTCONNECT_BROKERAGE = 0
    INTERACTIVE_BROKERS_BROKERAGE = 1
    GDAX = 12  # LEAN's obsolete name (GDAXBrokerageModel derives from CoinbaseBrokerageModel, unchanged)
    ZERODHA = 15
    COINBASE = 32
    Default = 0
    QuantConnectBrokerage = 0
    InteractiveBrokersBrokerage = 1
    Zerodha = 15
    Coinbase = 32


class AccountType(_Enum):
    MARGIN = 0
    CASH = 1
    Margin = 0
    Cash = 1


class DataNormalizationMode(_Enum):
    RAW = 0
    ADJUSTED = 1
    SPLIT_ADJUSTED = 2
    TOTAL_RETURN = 3
    FORWARD_PANAMA_CANAL = 4
    BACKWARDS_PANAMA_CANAL = 5
    BACKWARDS_RATIO = 6
    SCALED_RAW = 7
    Raw = 0
    Adjusted = 1
    SplitAdjusted = 2
    TotalReturn = 3
    ForwardPanamaCanal = 4
    BackwardsPanamaCanal = 5
    BackwardsRatio = 6
    ScaledRaw = 7


class Market(metaclass=_LeanClassType):
    """LEAN's market names the engine has data and hours for; any other (``Market.BINANCE``) is refused."""

    USA = "usa"
    COINBASE = "coinbase"
    GDAX = "coinbase"
    OANDA = "oanda"
    INDIA = "india"
    Usa = "usa"
    India = "india"
    Coinbase = "coinbase"
    Oanda = "oanda"


SECURITY_TYPE_NAMES = {SecurityType.EQUITY: "Equity", SecurityType.CRYPTO: "Crypto", SecurityType.FOREX: "Forex"}


class Symbol(LeanObject, metaclass=_LeanClassType):
    """A security's identity. ``value`` is the ticker; ``id`` LEAN's identifier text (e.g. ``SPY R735QTJ8XC9X``)."""

    __slots__ = ("id", "market", "security_type", "value")

    def __init__(self, value: str, security_type: SecurityType, market: str, identifier: str) -> None:
        self.value = value
        self.security_type = security_type
        self.market = market
        self.id = identifier

    @classmethod
    def create(
        cls, ticker: str, security_type: SecurityType, market: str, alias: str | None = None, base_data_type: Any = None
    ) -> Symbol:
        """LEAN's ``Symbol.Create(ticker, securityType, market, alias = null, baseDataType = null)``."""
        if alias is not None:
            raise UnsupportedApi("Symbol.create(alias=...)")
        if base_data_type is not None:
            raise UnsupportedApi("Symbol.create(base_data_type=...)")
        kind = SecurityType(security_type)
        return cls(ticker.upper(), kind, market, security_identifier(ticker.upper(), kind, market))

    Create = create
    Value = property(lambda self: self.value)
    ID = property(lambda self: self.id)
    SecurityType = property(lambda self: self.security_type)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Symbol):
            return self.id == other.id
        if isinstance(other, str):
            return other.upper() == self.value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return self.value

    def to_json(self) -> dict[str, str]:
        return {"value": self.value, "id": self.id, "permtick": self.value}


# LEAN's SecurityIdentifier: ticker + base-36 of (days since 1899-12-30 of the first listing date) x 10^14
# + market code x 100 + security type. Forex and crypto carry no date.
# LEAN's Market codes (``Common/Market.cs``)
_MARKET_CODES = {"usa": 1, "fxcm": 2, "oanda": 3, "bitfinex": 5, "india": 11, "gdax": 12, "binance": 16,
                 "bybit": 37, "coinbase": 38}  # fmt: skip
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_OLE_EPOCH = date(1899, 12, 30)
DEFAULT_LISTING = date(1998, 1, 2)


def security_identifier(ticker: str, security_type: SecurityType, market: str, listed: date | None = None) -> str:
    """LEAN's ``SecurityIdentifier.ToString()`` for equities, forex and crypto (e.g. ``SPY R735QTJ8XC9X``)."""
    days = ((listed or DEFAULT_LISTING) - _OLE_EPOCH).days if security_type == SecurityType.EQUITY else 0
    properties = days * 10**14 + _MARKET_CODES.get(market, 0) * 100 + int(security_type)
    text = ""
    while properties:
        properties, digit = divmod(properties, 36)
        text = _BASE36[digit] + text
    return f"{ticker} {text}"


class RegressionTestException(Exception):
    """What LEAN's regression algorithms raise when a check fails."""


class BaseData(LeanObject):
    """LEAN's base of all data: the type algorithms name (``consolidate(BaseData, ...)``, ``isinstance``)."""

    __slots__ = ()


class TradeBar(BaseData):
    __slots__ = ("close", "end_time", "high", "is_fill_forward", "low", "open", "period", "symbol", "time", "volume")

    def __init__(self, time: datetime, end_time: datetime, symbol: Symbol, open_: float, high: float, low: float,
                 close: float, volume: float, is_fill_forward: bool = False) -> None:  # fmt: skip
        self.time, self.end_time, self.symbol = time, end_time, symbol
        self.open, self.high, self.low, self.close, self.volume = open_, high, low, close, volume
        self.period = end_time - time
        self.is_fill_forward = is_fill_forward

    IsFillForward = property(lambda self: self.is_fill_forward)

    @property
    def value(self) -> float:
        return self.close

    @property
    def price(self) -> float:
        return self.close

    Open = property(lambda self: self.open)
    High = property(lambda self: self.high)
    Low = property(lambda self: self.low)
    Close = property(lambda self: self.close)
    Volume = property(lambda self: self.volume)
    Time = property(lambda self: self.time)
    EndTime = property(lambda self: self.end_time)
    Symbol = property(lambda self: self.symbol)
    Value = property(lambda self: self.close)
    Price = property(lambda self: self.close)

    def __repr__(self) -> str:
        return f"{self.symbol} {self.end_time} O:{self.open} H:{self.high} L:{self.low} C:{self.close} V:{self.volume}"


class Bar(LeanObject):
    __slots__ = ("close", "high", "low", "open")

    def __init__(self, open_: float, high: float, low: float, close: float) -> None:
        self.open, self.high, self.low, self.close = open_, high, low, close

    Open = property(lambda self: self.open)
    High = property(lambda self: self.high)
    Low = property(lambda self: self.low)
    Close = property(lambda self: self.close)


class QuoteBar(BaseData):
    __slots__ = ("ask", "ask_size", "bid", "bid_size", "end_time", "symbol", "time")

    def __init__(self, time: datetime, end_time: datetime, symbol: Symbol, bid: Bar, ask: Bar, bid_size: float,
                 ask_size: float) -> None:  # fmt: skip
        self.time, self.end_time, self.symbol = time, end_time, symbol
        self.bid, self.ask, self.bid_size, self.ask_size = bid, ask, bid_size, ask_size

    @property
    def close(self) -> float:
        return (self.bid.close + self.ask.close) / 2

    @property
    def open(self) -> float:
        return (self.bid.open + self.ask.open) / 2

    @property
    def high(self) -> float:
        return (self.bid.high + self.ask.high) / 2

    @property
    def low(self) -> float:
        return (self.bid.low + self.ask.low) / 2

    value = price = close
    period = property(lambda self: self.end_time - self.time)
    last_bid_size = property(lambda self: self.bid_size)
    last_ask_size = property(lambda self: self.ask_size)
    Bid = property(lambda self: self.bid)
    Ask = property(lambda self: self.ask)
    Close = property(lambda self: self.close)
    EndTime = property(lambda self: self.end_time)
    Symbol = property(lambda self: self.symbol)


class _SymbolDict(dict):
    """A dict keyed by Symbol that also accepts tickers, as LEAN's collections do."""

    def _key(self, key: Any) -> Any:
        if isinstance(key, str):
            for symbol in self.keys():
                if symbol == key:
                    return symbol
        return key

    def __getitem__(self, key: Any) -> Any:
        return dict.__getitem__(self, self._key(key))

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, self._key(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return dict.get(self, self._key(key), default)

    def contains_key(self, key: Any) -> bool:
        return key in self

    ContainsKey = contains_key
    count = Count = property(len)


class _DataDictionary(_SymbolDict):
    """A Slice's collection (``bars``, ``quote_bars``, ``delistings``, ...): iterated from Python, as LEAN's
    dictionaries are through pythonnet, as key/value pairs (``for kvp in data.bars: kvp.key, kvp.value``)."""

    def __iter__(self) -> Iterator[Any]:
        return (KeyValuePair(key, value) for key, value in self.items())


class Slice:
    """One time step's data: ``data[symbol]`` is the trade bar (or quote bar when only quotes exist).

    Built from the feeds that had a bar at this step, on first access: most steps of most algorithms read
    little or nothing of it, and bar objects with their times are the costly part of a step.
    """

    __slots__ = ("_all", "_bars", "_changes", "_delistings", "_dividends", "_filled", "_fresh", "_quote_bars",
                 "_splits", "_utc_ns", "_zone")  # fmt: skip

    def __init__(
        self,
        utc_ns: int,
        zone: ZoneInfo,
        fresh: list[tuple[Any, int]],
        filled: Mapping[Symbol, TradeBar],
        delistings: Mapping[Symbol, Any],
        symbol_changed_events: Mapping[Symbol, Any],
        splits: _DataDictionary | None = None,
        dividends: _DataDictionary | None = None,
    ) -> None:
        self._utc_ns, self._zone = utc_ns, zone
        self._fresh = fresh  # (feed, bar index): a feed has .bar(index), .is_quote and .symbol
        self._filled = filled  # fill-forward trade bars of subscriptions without a bar at this step
        self._delistings = delistings  # this moment's delisting events (see delistings.py), usually none
        self._changes = symbol_changed_events  # and renames (symbol_changes.py)
        self._all: _SymbolDict | None = None  # with _bars and _quote_bars, made by _built()
        self._splits, self._dividends = splits, dividends  # a corporate step's (auxiliary data, not in _all)

    def _built(self) -> _SymbolDict:
        if self._all is None:
            bars, quotes = {}, {}
            for feed, index in self._fresh:
                if not feed.security.internal:  # the cash book's conversion feeds stay out (LEAN's internal)
                    (quotes if feed.is_quote else bars)[feed.symbol] = feed.bar(index)
            for symbol, bar in self._filled.items():  # a trade subscription fills forward beside fresh quotes
                bars.setdefault(symbol, bar)
            self._bars, self._quote_bars = _DataDictionary(bars), _DataDictionary(quotes)
            self._all = _SymbolDict({**quotes, **bars})
            for symbol in chain(*(events.keys() for events in (self._splits, self._dividends) if events)):
                self._all.setdefault(symbol, None)  # LEAN keys an equity's auxiliary data too, with no bar: None
        return self._all

    @property
    def time(self) -> datetime:
        return local_datetime(self._utc_ns, self._zone)

    @property
    def bars(self) -> _SymbolDict:
        self._built()
        return self._bars

    @property
    def quote_bars(self) -> _SymbolDict:
        self._built()
        return self._quote_bars

    @property
    def delistings(self) -> Mapping[Symbol, Any]:
        return self._delistings

    @property
    def symbol_changed_events(self) -> Mapping[Symbol, Any]:
        return self._changes

    def __getitem__(self, key: Any) -> Any:
        return self._built()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._built()

    def __iter__(self) -> Iterator[Symbol]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())

    def __repr__(self) -> str:
        return f"Slice({self.time}: {dict(self._built())!r})"

    def get(self, key: Any, default: Any = None) -> Any:
        return self._built().get(key, default)

    def keys(self) -> Any:
        return self._built().keys()

    def values(self) -> Any:
        return self._built().values()

    def items(self) -> Any:
        return self._built().items()

    def contains_key(self, key: Any) -> bool:
        return key in self._built()

    @property
    def splits(self) -> _DataDictionary:
        return self._splits if self._splits is not None else _DataDictionary()

    @property
    def dividends(self) -> _DataDictionary:
        return self._dividends if self._dividends is not None else _DataDictionary()

    @property
    def has_data(self) -> bool:
        """LEAN's ``HasData``: any data for the algorithm, auxiliary data included."""
        return bool(self._fresh or self._filled or self._delistings or self._changes or self._splits or self._dividends)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attributes = {"Bars": "bars", "QuoteBars": "quote_bars", "Time": "time", "HasData": "has_data",
                      "ContainsKey": "contains_key", "Get": "get", "Delistings": "delistings",
                      "SymbolChangedEvents": "symbol_changed_events", "Splits": "splits",
                      "Dividends": "dividends"}  # fmt: skip
        collections = {"Keys": "keys", "Values": "values", "Count": "__len__"}  # LEAN properties
        if name in attributes:
            return getattr(self, attributes[name])
        if name in collections:
            found = getattr(self, collections[name])()
            return found if name == "Count" else list(found)
        raise UnsupportedApi(f"Slice.{name}")

    count = property(__len__)


class CashAmount(LeanObject):
    """LEAN's CashAmount: an amount in a currency."""

    def __init__(self, amount: float, currency: str) -> None:
        self.amount, self.currency = float(amount), str(currency)

    Amount = property(lambda self: self.amount)
    Currency = property(lambda self: self.currency)


class OrderFee(LeanObject):
    """LEAN's OrderFee: the fee of an order, as a CashAmount (``order_event.order_fee.value.amount``)."""

    def __init__(self, value: CashAmount) -> None:
        if not isinstance(value, CashAmount):
            raise UnsupportedApi(f"OrderFee({type(value).__name__}) (it takes a CashAmount)")
        self.value = value

    Value = property(lambda self: self.value)

    def __float__(self) -> float:  # LEAN's implicit conversion to decimal
        return self.value.amount

    def __str__(self) -> str:
        return f"{normalize(from_float(self.value.amount))} {self.value.currency}"


OrderFee.ZERO = OrderFee(CashAmount(0.0, "QCC"))  # LEAN's OrderFee.Zero, in its null currency
OrderFee.Zero = OrderFee.ZERO


class OrderEvent(LeanObject):
    def __init__(self, order_id: int, event_id: int, symbol: Symbol, utc_time: datetime, status: OrderStatus,
                 direction: OrderDirection, fill_price: float, fill_quantity: float, quantity: float, fee: float,
                 message: str = "") -> None:  # fmt: skip
        self.order_id, self.id, self.symbol, self.utc_time = order_id, event_id, symbol, utc_time
        self.status, self.direction, self.fill_price, self.fill_quantity = status, direction, fill_price, fill_quantity
        self.quantity, self.fee, self.message = quantity, fee, message  # the fee in fee_currency

    # LEAN's HandleOrderEvents sets the order's ticket and current prices on each event (those of its type)
    ticket: OrderTicket | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    trigger_price: float | None = None
    trailing_amount: float | None = None
    fee_currency = "USD"  # the fee's currency (the quote currency's under LEAN's CoinbaseFeeModel)
    price_currency = "USD"  # the fill price's (the security's quote currency)

    def describe_order(self, order: Order, ticket: OrderTicket) -> None:
        """The ticket and the current prices of the order, as LEAN's ``HandleOrderEvents`` sets them by type."""
        self.ticket = ticket
        kind = order.type
        if kind is MARKET:  # the common order: none of the prices below
            return
        if kind in LIMIT_PRICED:
            self.limit_price = order.limit_price
        if kind in STOP_PRICED:
            self.stop_price = order.stop_price
        if kind == OrderType.TRAILING_STOP:
            self.trailing_amount, self.trailing_as_percentage = order.trailing_amount, order.trailing_as_percentage
        if kind == OrderType.LIMIT_IF_TOUCHED:
            self.trigger_price = order.trigger_price

    @property
    def order_fee(self) -> Any:
        """LEAN's ``OrderFee``: the fee in its currency on a fill, ``OrderFee.ZERO`` otherwise."""
        return OrderFee(CashAmount(self.fee, self.fee_currency)) if self.is_fill else OrderFee.ZERO

    @property
    def absolute_fill_quantity(self) -> float:
        return abs(self.fill_quantity)

    @property
    def is_fill(self) -> bool:
        return self.status in _FILLS

    OrderId = property(lambda self: self.order_id)
    Status = property(lambda self: self.status)
    FillPrice = property(lambda self: self.fill_price)
    FillQuantity = property(lambda self: self.fill_quantity)
    Symbol = property(lambda self: self.symbol)
    Direction = property(lambda self: self.direction)

    trailing_as_percentage: bool | None = None

    def __str__(self) -> str:
        """LEAN's ``Messages.OrderEvent.ToString`` (prices smart-rounded, in the account currency's symbol)."""
        time = self.utc_time.strftime("%m/%d/%Y %H:%M:%S")
        text = (f"Time: {time} OrderID: {self.order_id} EventID: {self.id} Symbol: {self.symbol.value} "
                f"Status: {_pascal(self.status.name.lower())} Quantity: {_decimal_text(self.quantity)}")  # fmt: skip
        if self.fill_quantity:
            text += f" FillQuantity: {_decimal_text(self.fill_quantity)} FillPrice: ${_price_text(self.fill_price)}"
        if self.limit_price is not None:
            text += f" LimitPrice: ${_price_text(self.limit_price)}"
        if self.stop_price is not None:
            text += f" StopPrice: ${_price_text(self.stop_price)}"
        if self.trailing_amount is not None:
            text += f" TrailingAmount: {trailing_amount_text(self)}"
        if self.trigger_price is not None:
            text += f" TriggerPrice: ${_price_text(self.trigger_price)}"
        if self.fee:
            text += f" OrderFee: {self.order_fee}"
        if self.message:
            text += f" Message: {self.message}"
        return text

    __repr__ = __str__


def _decimal_text(value: float) -> str:
    return str(normalize(from_float(value)))


def _price_text(value: float) -> str:
    return str(smart_rounding(from_float(value)))


def trailing_amount_text(order: Any) -> str:
    """LEAN's ``Messages.TrailingStopOrder.TrailingAmount``: ``$2`` or ``1.00%`` (the decimal times 100)."""
    amount = normalize(from_float(order.trailing_amount))
    return f"{amount * 100}%" if order.trailing_as_percentage else f"${amount}"


class Order(LeanObject):
    def __init__(self, order_id: int, symbol: Symbol, quantity: float, order_type: OrderType, utc_time: datetime,
                 tag: str = "", limit_price: float | None = None, stop_price: float | None = None) -> None:  # fmt: skip
        self.id, self.symbol, self.quantity, self.type = order_id, symbol, quantity, order_type
        self.time = self.created_time = utc_time
        self.tag, self.limit_price, self.stop_price = tag, limit_price, stop_price
        self.status = _NEW
        self.price = 0.0
        self.last_fill_time: datetime | None = None
        self.canceled_time: datetime | None = None
        self.last_update_time: datetime | None = None
        self.stop_triggered = False
        self.quantity_filled = 0.0
        self.submission: tuple[float, float, float] | None = (0.0, 0.0, 0.0)  # bid, ask, last (None: not submitted)
        self.submission_days: tuple[int, int] = (-1, -1)  # start times of the quote and trade bars behind them
        self.asynchronous = False  # as requested; fills are the same in a backtest

    # set on the orders that have them (class defaults keep the common order's construction short)
    trailing_amount: float | None = None  # trailing stop orders': the distance kept to the market
    trailing_as_percentage = False
    trigger_price: float | None = None  # limit-if-touched orders': the price that arms the limit
    trigger_touched = False
    group_order_manager: Any = None  # a combo order's GroupOrderManager (see combo_orders.py)
    limit_decimal: Any = None  # a combo leg limit order's limit as LEAN holds it (for the order hash)
    properties: Any = None  # its OrderProperties (given when it is submitted)
    expires_ns: int | None = None  # when its time in force expires it (UTC ns); None: never
    time_in_force = property(lambda self: self.properties.time_in_force)

    @property
    def direction(self) -> OrderDirection:
        return BUY if self.quantity > 0 else SELL

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    Id = property(lambda self: self.id)
    Quantity = property(lambda self: self.quantity)
    Status = property(lambda self: self.status)
    Type = property(lambda self: self.type)
    Symbol = property(lambda self: self.symbol)
    Price = property(lambda self: self.price)


class _MarketOnCloseOrderType(_LeanClassType):
    """``MarketOnCloseOrder.SubmissionTimeBuffer``: LEAN's static, read and set under both spellings."""

    @property
    def submission_time_buffer(cls) -> timedelta:
        return cls._submission_time_buffer

    @submission_time_buffer.setter
    def submission_time_buffer(cls, value: timedelta) -> None:
        if not isinstance(value, timedelta):
            raise UnsupportedApi(f"MarketOnCloseOrder.submission_time_buffer = {type(value).__name__}")
        cls._submission_time_buffer = value

    SubmissionTimeBuffer = submission_time_buffer


class MarketOnCloseOrder(metaclass=_MarketOnCloseOrderType):
    """LEAN's MarketOnCloseOrder for its submission buffer: a market-on-close order placed later than the buffer
    before the next close is refused. Each backtest starts from LEAN's default (:meth:`reset`)."""

    DEFAULT_SUBMISSION_TIME_BUFFER = timedelta(minutes=15.5)
    DefaultSubmissionTimeBuffer = DEFAULT_SUBMISSION_TIME_BUFFER
    _submission_time_buffer = DEFAULT_SUBMISSION_TIME_BUFFER

    def __init__(self, *_: Any) -> None:
        raise UnsupportedApi("MarketOnCloseOrder built by the algorithm (use market_on_close_order)")

    @classmethod
    def reset(cls) -> None:
        cls._submission_time_buffer = cls.DEFAULT_SUBMISSION_TIME_BUFFER


class OrderTicket(LeanObject):
    """What an order method returns: the order's live state, and cancel/update."""

    def __init__(self, order: Order, transactions: Any) -> None:
        self._order = order
        self._transactions = transactions
        self.order_events: list[OrderEvent] = []
        self.update_requests: list[UpdateOrderRequest] = []  # every update asked of a known order (LEAN's)
        self.cancel_request: CancelOrderRequest | None = None

    @property
    def time(self) -> datetime:
        """LEAN's ``GetMostRecentOrderRequest().Time``: the cancel's, else the last update's, else the submission's."""
        if self.cancel_request is not None:
            return self.cancel_request.time
        if self.update_requests:
            return self.update_requests[-1].time
        return self._order.created_time

    order_id = property(lambda self: self._order.id)
    symbol = property(lambda self: self._order.symbol)
    quantity = property(lambda self: self._order.quantity)
    status = property(lambda self: self._order.status)
    order_type = property(lambda self: self._order.type)
    tag = property(lambda self: self._order.tag)

    @property
    def quantity_filled(self) -> float:
        return self._order.quantity_filled

    @property
    def average_fill_price(self) -> float:
        fills = [e for e in self.order_events if e.is_fill]
        total = sum(abs(e.fill_quantity) for e in fills)
        return sum(e.fill_price * abs(e.fill_quantity) for e in fills) / total if total else 0.0

    def cancel(self, tag: str | None = None) -> Any:
        """LEAN's ``OrderTicket.Cancel``: a second cancel after one that did not fail is refused here, before
        it reaches the transaction handler."""
        if self.cancel_request is not None and self.cancel_request.response.is_success:
            return OrderResponse(self._order.id, OrderResponseErrorCode.REQUEST_CANCELED,
                                 f"Order {self._order.id} has already received a cancellation request.")  # fmt: skip
        return self._transactions.cancel_order(self._order.id, tag)

    def update(self, fields: Any) -> Any:
        return self._transactions.update_order(self._order.id, fields)

    def update_quantity(self, quantity: float, tag: str | None = None) -> Any:
        return self.update(UpdateOrderFields(quantity=quantity, tag=tag))

    def update_limit_price(self, limit_price: float, tag: str | None = None) -> Any:
        return self.update(UpdateOrderFields(limit_price=limit_price, tag=tag))

    def update_stop_price(self, stop_price: float, tag: str | None = None) -> Any:
        return self.update(UpdateOrderFields(stop_price=stop_price, tag=tag))

    def update_trailing_amount(self, trailing_amount: float, tag: str | None = None) -> Any:
        return self.update(UpdateOrderFields(trailing_amount=trailing_amount, tag=tag))

    def update_trigger_price(self, trigger_price: float, tag: str | None = None) -> Any:
        return self.update(UpdateOrderFields(trigger_price=trigger_price, tag=tag))

    @property
    def submit_request(self) -> SubmitOrderRequest:
        return SubmitOrderRequest(self._order)

    def get(self, field: Any) -> Any:
        """An order price by ``OrderField`` (those of the order types this engine has)."""
        if field == OrderField.LIMIT_PRICE:
            return self._order.limit_price
        if field == OrderField.STOP_PRICE:
            return self._order.stop_price
        if field == OrderField.TRIGGER_PRICE and self._order.type == OrderType.LIMIT_IF_TOUCHED:
            return self._order.trigger_price
        if field == OrderField.TRAILING_AMOUNT and self._order.type == OrderType.TRAILING_STOP:
            return self._order.trailing_amount
        if field == OrderField.TRAILING_AS_PERCENTAGE and self._order.type == OrderType.TRAILING_STOP:
            return self._order.trailing_as_percentage
        raise UnsupportedApi(f"OrderTicket.get({OrderField(int(field)).name})")

    OrderId = order_id
    Status = status
    QuantityFilled = quantity_filled
    AverageFillPrice = average_fill_price
    Cancel = cancel
    Update = update
    UpdateQuantity = update_quantity
    UpdateLimitPrice = update_limit_price
    UpdateStopPrice = update_stop_price
    UpdateTrailingAmount = update_trailing_amount
    UpdateTriggerPrice = update_trigger_price


class OrderField(_Enum):
    LIMIT_PRICE = 0
    STOP_PRICE = 1
    TRIGGER_PRICE = 2
    TRAILING_AMOUNT = 3
    TRAILING_AS_PERCENTAGE = 4
    LimitPrice = 0
    StopPrice = 1
    TriggerPrice = 2
    TrailingAmount = 3
    TrailingAsPercentage = 4


class SubmitOrderRequest(LeanObject):
    """An order request: ``ticket.submit_request`` (what the order was submitted with), or built by the algorithm
    with LEAN's constructors for ``transactions.add_order``: ``(order_type, security_type, symbol, quantity,
    stop_price, limit_price[, trigger_price[, trailing_amount, trailing_as_percentage]], time, tag,
    properties=None, group_order_manager=None, asynchronous=False)``."""

    def __init__(self, order: Any, *args: Any, **named: Any) -> None:
        if isinstance(order, Order):
            self.order_id, self.order_type, self.symbol = order.id, order.type, order.symbol
            self.quantity, self.limit_price, self.stop_price = order.quantity, order.limit_price, order.stop_price
            self.tag, self.time, self.asynchronous = order.tag, order.created_time, order.asynchronous
            self.order_properties = order.properties
            self.trigger_price, self.trailing_amount = order.trigger_price, order.trailing_amount
            self.trailing_as_percentage = order.trailing_as_percentage
            return
        self.order_id, self.order_type = 0, OrderType(int(order))
        when = next((i for i, arg in enumerate(args) if isinstance(arg, datetime)), -1)
        if when - 3 not in (2, 3, 5):
            raise UnsupportedApi("SubmitOrderRequest with these arguments (LEAN's constructors take a time)")
        security_type, self.symbol, quantity = args[:3]
        self.security_type, self.quantity = security_type, float(quantity)
        stop, limit, trigger, trailing, percentage = (*args[3:when], 0, 0, False)[:5]
        self.stop_price, self.limit_price, self.trigger_price = float(stop), float(limit), float(trigger)
        self.trailing_amount, self.trailing_as_percentage = float(trailing), bool(percentage)
        extra = list(args[when:])
        self.time, self.tag = extra[0], extra[1] if len(extra) > 1 else named.get("tag", "")
        self.order_properties = extra[2] if len(extra) > 2 else named.get("properties")
        if (extra[3] if len(extra) > 3 else named.get("group_order_manager")) is not None:
            raise UnsupportedApi("SubmitOrderRequest with a GroupOrderManager (combo orders)")
        self.asynchronous = bool(extra[4] if len(extra) > 4 else named.get("asynchronous", False))
        unknown = set(named) - {"tag", "properties", "group_order_manager", "asynchronous"}
        if unknown:
            raise UnsupportedApi(f"SubmitOrderRequest({', '.join(sorted(unknown))}=...)")


class OrderResponseErrorCode(_Enum):
    NONE = 0
    INVALID_ORDER_STATUS = -9
    UNABLE_TO_FIND_ORDER = -10
    ORDER_QUANTITY_ZERO = -11
    INVALID_REQUEST = -22
    REQUEST_CANCELED = -23
    InvalidOrderStatus = -9
    UnableToFindOrder = -10
    OrderQuantityZero = -11
    InvalidRequest = -22
    RequestCanceled = -23


class OrderResponse(LeanObject):
    """What an update or cancel request returns: success, or LEAN's error code and message."""

    def __init__(
        self, order_id: int, error_code: OrderResponseErrorCode = OrderResponseErrorCode.NONE, error_message: str = ""
    ) -> None:
        self.order_id, self.error_code, self.error_message = order_id, error_code, error_message

    @classmethod
    def unable_to_find(cls, order_id: int) -> OrderResponse:
        return cls(order_id, OrderResponseErrorCode.UNABLE_TO_FIND_ORDER, f"Unable to locate order with id {order_id}.")

    @classmethod
    def invalid_status(cls, order: Order) -> OrderResponse:
        status = _pascal(order.status.name.lower())
        message = f"Unable to update order with id {order.id} because it already has {status} status."
        return cls(order.id, OrderResponseErrorCode.INVALID_ORDER_STATUS, message)

    is_success = property(lambda self: self.error_code == OrderResponseErrorCode.NONE)
    is_error = property(lambda self: self.error_code != OrderResponseErrorCode.NONE)


class CancelOrderRequest(LeanObject):
    """``ticket.cancel_request``: the cancel asked of an order, and LEAN's response to it."""

    def __init__(self, order_id: int, utc_time: datetime, tag: str | None) -> None:
        self.order_id, self.time, self.tag = order_id, utc_time, tag
        self.response = OrderResponse(order_id)


class UpdateOrderRequest(LeanObject):
    """``ticket.update_requests``: an update asked of an order, with the fields it asked to change."""

    def __init__(self, order_id: int, utc_time: datetime, fields: UpdateOrderFields) -> None:
        self.order_id, self.time = order_id, utc_time
        self.quantity, self.limit_price, self.stop_price = fields.quantity, fields.limit_price, fields.stop_price
        self.trigger_price, self.trailing_amount, self.tag = fields.trigger_price, fields.trailing_amount, fields.tag


class UpdateOrderFields(LeanObject):
    def __init__(self, quantity: float | None = None, limit_price: float | None = None,
                 stop_price: float | None = None, tag: str | None = None, trailing_amount: float | None = None,
                 trigger_price: float | None = None, **pascal: Any) -> None:  # fmt: skip
        unknown = set(pascal) - {"Quantity", "LimitPrice", "StopPrice", "Tag", "TrailingAmount", "TriggerPrice"}
        if unknown:
            raise UnsupportedApi(f"UpdateOrderFields({', '.join(sorted(unknown))}=...)")
        self.quantity = pascal.get("Quantity", quantity)
        self.limit_price = pascal.get("LimitPrice", limit_price)
        self.stop_price = pascal.get("StopPrice", stop_price)
        self.tag = pascal.get("Tag", tag)
        self.trailing_amount = pascal.get("TrailingAmount", trailing_amount)
        self.trigger_price = pascal.get("TriggerPrice", trigger_price)


class PortfolioTarget(LeanObject):
    def __init__(self, symbol: Any, quantity: float, tag: str = "") -> None:
        self.symbol, self.quantity, self.tag = symbol, float(quantity), tag

    @staticmethod
    def percent(algorithm: Any, symbol: Any, percent: float) -> PortfolioTarget:
        return PortfolioTarget(symbol, percent)

    Percent = percent
    Symbol = property(lambda self: self.symbol)
    Quantity = property(lambda self: self.quantity)
