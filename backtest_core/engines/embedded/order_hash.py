"""LEAN's ``OrderListHash`` statistic: the MD5 of the order list as Newtonsoft serialises it.

LEAN (``Extensions.GetHash(IDictionary<int, Order>)``, called by ``Messaging`` on the final result) orders the
orders by id, smart-rounds each one's price and its limit, stop, trigger and trailing amounts, serialises each
with Newtonsoft's defaults (``Formatting.None``) and hashes the texts joined by commas. Reproducing it needs
Newtonsoft's layout: a subclass's own properties before the base class's, decimals with every digit of their
scale, UTC times ending in ``Z``, the symbol as ``SymbolJsonConverter`` writes it and the time in force as
``TimeInForceJsonConverter`` does.

Order kinds the engine adds later need only an entry in ``_OWN_FIELDS`` (their own properties, in the order
their LEAN class declares them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from backtest_core.engines.embedded.india import IndiaOrderProperties
from backtest_core.engines.embedded.model import BUY, MARKETABLE, SELL, Order, OrderDirection, OrderStatus, OrderType
from backtest_core.stats.decimals import ZERO, from_float, json_text, normalize, smart_rounded_float

EMPTY_HASH = hashlib.md5(b"").hexdigest()

SubmissionPrices = Callable[[Order], tuple[Decimal, Decimal, Decimal] | None]

# Each order class's own JSON properties in LEAN's declaration order, "type" where the class overrides it.
_OWN_FIELDS: dict[int, tuple[str, ...]] = {
    OrderType.MARKET: ("type",),
    OrderType.LIMIT: ("limitPrice", "type"),
    OrderType.STOP_MARKET: ("stopPrice", "type"),
    OrderType.STOP_LIMIT: ("stopPrice", "stopTriggered", "limitPrice", "type"),
    OrderType.MARKET_ON_OPEN: ("type",),
    OrderType.MARKET_ON_CLOSE: ("type",),
    7: ("type", "triggerPrice", "limitPrice", "triggerTouched"),  # LimitIfTouchedOrder
    11: ("trailingAmount", "trailingAsPercentage", "type", "stopPrice"),  # TrailingStopOrder : StopMarketOrder
    # combo orders: ComboOrder overrides Quantity, so it comes after the class's own
    OrderType.COMBO_MARKET: ("type", "quantity"),
    OrderType.COMBO_LIMIT: ("type", "quantity"),
    OrderType.COMBO_LEG_LIMIT: ("type", "limitPrice", "quantity"),
}
# read by every order: module globals, since CPython 3.11 does not specialise an enum class's attribute reads
_LIMIT, _COMBO_LEG_LIMIT = OrderType.LIMIT, OrderType.COMBO_LEG_LIMIT
_HOLD = OrderDirection.HOLD
_NOT_ACCEPTED = (OrderStatus.INVALID, OrderStatus.NEW)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ROUNDED = {"limitPrice": "limit_price", "stopPrice": "stop_price", "triggerPrice": "trigger_price",
            "trailingAmount": "trailing_amount"}  # fmt: skip
_FLAGS = {"stopTriggered": "stop_triggered", "triggerTouched": "trigger_touched",
          "trailingAsPercentage": "trailing_as_percentage"}  # fmt: skip
_TIME_IN_FORCE_TYPES = {
    "DayTimeInForce": "QuantConnect.Orders.TimeInForces.DayTimeInForce",
    "GoodTilDateTimeInForce": "QuantConnect.Orders.TimeInForces.GoodTilDateTimeInForce",
}


def order_list_hash(orders: Mapping[int, Order], submission_prices: SubmissionPrices) -> str:
    """LEAN's OrderListHash of ``orders``; ``submission_prices`` gives each order's bid, ask and last price
    at submission as the decimals LEAN held."""
    symbols: dict[Any, str] = {}
    texts = [order_json(orders[order_id], submission_prices(orders[order_id]), symbols) for order_id in sorted(orders)]
    return hashlib.md5(",".join(texts).encode()).hexdigest()


def order_json(
    order: Order, submission: tuple[Decimal, Decimal, Decimal] | None, symbols: dict[Any, str] | None = None
) -> str:
    """One order as LEAN's GetHash serialises it (after smart-rounding its prices); ``submission`` is None for
    an order that never went through the brokerage (the engine's closing of a delisted position). ``symbols``
    keeps each symbol's JSON for the next order of the list."""
    order_type = int(order.type)
    price = smart_rounded_float(order.price)
    quantity = _quantity(order.quantity)
    own = _OWN_FIELDS.get(order_type)
    if own is None:
        raise ValueError(f"OrderListHash: no LEAN layout for order type {order.type!r}")
    rounded = {name: smart_rounded_float(_field(order, _ROUNDED[name]) or 0.0) for name in own if name in _ROUNDED}
    if order_type == _COMBO_LEG_LIMIT:  # GetHash smart-rounds LimitOrder's limits, not this class's
        rounded["limitPrice"] = order.limit_decimal
    quantity_text = json_text(quantity)
    parts: list[str] = []
    for name in own:
        if name == "type":
            parts.append(f'"type":{order_type}')
        elif name == "quantity":
            parts.append(f'"quantity":{quantity_text}')
        elif name in _FLAGS:
            parts.append(f'"{name}":{_bool(_field(order, _FLAGS[name]) or False)}')
        else:
            parts.append(f'"{name}":{json_text(rounded[name])}')
    placed = _time(order.time)
    moments = (("lastFillTime", order.last_fill_time), ("lastUpdateTime", order.last_update_time),
               ("canceledTime", order.canceled_time))  # fmt: skip
    times = "".join(f',"{name}":"{_time(moment)}"' for name, moment in moments if moment is not None)
    if submission is None:
        bid = ask = ZERO
        submitted = "null"
    else:
        bid, ask, last = submission
        submitted = f'{{"bidPrice":{json_text(bid)},"askPrice":{json_text(ask)},"lastPrice":{json_text(last)}}}'
    marketable = _bool(_is_marketable(order, quantity, rounded.get("limitPrice"), bid, ask))
    group = _field(order, "group_order_manager")
    grouped = "" if group is None else f',"groupOrderManager":{group.json()}'
    own_quantity = "" if "quantity" in own else f',"quantity":{quantity_text}'
    adjustment = int(_field(order, "price_adjustment_mode") or 1)  # the subscription's: Adjusted
    return (
        f'{{{",".join(parts)},"id":{order.id},"contingentId":0,"brokerId":{_broker_ids(order)},'
        f'"symbol":{_symbol(order.symbol, symbols)},"price":{json_text(price)},'
        f'"priceCurrency":{_string(order_currency(order))},"time":"{placed}","createdTime":"{placed}"{times}'
        f'{own_quantity},"status":{int(order.status)},"tag":{_string(order.tag or "")},'
        f'"properties":{_properties(order)},"securityType":{int(order.symbol.security_type)},'
        f'"direction":{int(_direction(quantity))},"value":{json_text(quantity * price)},'
        f'"orderSubmissionData":{submitted},"isMarketable":{marketable}{grouped},"priceAdjustmentMode":{adjustment}}}'
    )


def _quantity(quantity: float) -> Decimal:
    """LEAN's normalised decimal quantity; a whole number (most quantities) without the Decimal arithmetic."""
    if float(quantity).is_integer() and abs(quantity) < 1e15:
        return Decimal(int(quantity))
    return normalize(from_float(quantity))


def _field(owner: Any, attribute: str) -> Any:
    """An attribute, or None where the object has none (without the LEAN-API lookup a missing name costs)."""
    try:
        return object.__getattribute__(owner, attribute)
    except AttributeError:
        return None


def _is_marketable(order: Order, quantity: Decimal, limit: Decimal | None, bid: Decimal, ask: Decimal) -> bool:
    """LEAN's ``Order.IsMarketable``: a market order, or a limit order at or through the submission quote."""
    kind = order.type
    if kind == _LIMIT and limit is not None:
        return (quantity > 0 and limit >= ask) or (quantity < 0 and limit <= bid)
    return kind in MARKETABLE


def _direction(quantity: Decimal) -> OrderDirection:
    if quantity > 0:
        return BUY
    return SELL if quantity < 0 else _HOLD


def _broker_ids(order: Order) -> str:
    return "[" + ",".join(_string(str(broker_id)) for broker_id in order_broker_ids(order)) + "]"


def order_broker_ids(order: Order) -> list[str]:
    """The backtesting brokerage gives every order it accepted its id as broker id (none to an order that
    never reached it)."""
    accepted = order.status not in _NOT_ACCEPTED and order.submission is not None
    return [str(order.id)] if accepted else []


def order_currency(order: Order) -> str:
    """The quote currency the transaction handler tags an order with (empty if it never tagged it)."""
    currency = _field(order, "price_currency")
    return "USD" if currency is None else currency


def _symbol(symbol: Any, known: dict[Any, str] | None) -> str:
    text = known.get(symbol) if known is not None else None
    if text is None:
        text = f'{{"value":{_string(symbol.value)},"id":{_string(symbol.id)},"permtick":{_string(symbol.value)}}}'
        if known is not None:
            known[symbol] = text
    return text


def _properties(order: Order) -> str:
    """``OrderProperties`` as Newtonsoft writes it by default: the time in force (see :func:`properties_json`);
    ``IndiaOrderProperties`` its own ``ProductType`` first, then the base class's time in force and exchange."""
    properties = _field(order, "properties")
    time_in_force = ",".join(f"{_string(key)}:{_string(value)}" for key, value in _time_in_force(properties).items())
    if not isinstance(properties, IndiaOrderProperties):
        return '{"timeInForce":{' + time_in_force + "}}"
    product = "null" if properties.product_type is None else _string(properties.product_type)
    return f'{{"ProductType":{product},"timeInForce":{{{time_in_force}}},"Exchange":{_exchange(properties)}}}'


def _exchange(properties: IndiaOrderProperties) -> str:
    members = properties.exchange.json_members()
    types = ",".join(str(kind) for kind in members.pop("SecurityTypes"))
    return (
        "{"
        + "".join(f"{_string(key)}:{_string(value)}," for key, value in members.items())
        + f'"SecurityTypes":[{types}]}}'
    )


def properties_json(order: Order) -> dict[str, Any]:
    """An order's ``properties`` as LEAN's result files write them (camelCase): the time in force by LEAN's
    TimeInForceJsonConverter (the default GoodTilCanceled as ``{}``, others with their ``$type`` and
    properties); ``IndiaOrderProperties`` also its product type and exchange."""
    properties = _field(order, "properties")
    time_in_force = _time_in_force(properties)
    if not isinstance(properties, IndiaOrderProperties):
        return {"timeInForce": time_in_force}
    exchange = {key[0].lower() + key[1:]: value for key, value in properties.exchange.json_members().items()}
    return {"productType": properties.product_type, "timeInForce": time_in_force, "exchange": exchange}


def _time_in_force(properties: Any) -> dict[str, str]:
    time_in_force = _field(properties, "time_in_force") if properties is not None else None
    kind = type(time_in_force).__name__ if time_in_force is not None else "GoodTilCanceledTimeInForce"
    if kind not in _TIME_IN_FORCE_TYPES:
        return {}
    body = {"$type": _TIME_IN_FORCE_TYPES[kind]}
    expiry = _field(time_in_force, "expiry")
    if expiry is not None:
        body["Expiry"] = f"{expiry:%Y-%m-%dT%H:%M:%S}"
    return body


def _time(moment: datetime) -> str:
    """Newtonsoft's ISO text of a UTC DateTime: seconds, then up to 7 fractional digits without trailing zeros
    (``isoformat``: strftime is slow)."""
    text = moment.replace(tzinfo=None).isoformat()
    return (text.rstrip("0") if moment.microsecond else text) + "Z"


def _string(text: str) -> str:
    """A JSON string as Newtonsoft escapes it by default (quotes, backslashes and control characters)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    escaped = (_ESCAPES.get(char) or (f"\\u{ord(char):04x}" if ord(char) < 0x20 else char) for char in text)
    return '"' + "".join(escaped) + '"'


def _bool(value: bool) -> str:
    return "true" if value else "false"
