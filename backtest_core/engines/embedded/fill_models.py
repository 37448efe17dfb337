"""LEAN's fill model API for algorithms that write their own (``security.set_fill_model(MyFillModel())``).

LEAN's ``BacktestingBrokerage`` asks the security's fill model ``Fill(FillModelParameters)`` for each open order at
each scan (after the buying-power check) and applies the events it returns, partial fills included: an event is
applied when it changes the order's status or fills some quantity, and only a ``Filled`` event is charged the fee
model's fee (when the model left it at zero). ``Fill`` dispatches by order type as LEAN's does: a market order goes
to ``market_fill(asset, order)``, which a subclass may override (calling ``super().market_fill``, whose event fills
the whole order quantity, as LEAN's does); the other order types take the engine's rules of the base class.
``EquityFillModel`` is LEAN's rules for equities; ``FillModel``/``ImmediateFillModel`` (LEAN's default for the
others) are LEAN's base rules, which on an equity the engine has for market orders only (the other order types are
refused by name there). Combo orders go to ``combo_market_fill``, ``combo_limit_fill`` or ``combo_leg_limit_fill``
``(order, parameters)`` with the whole group in ``parameters.securities_for_orders``; a subclass may override them
(calling ``super()``, LEAN's base rules: see ``combo_orders.py``). The other per-order-type members (``limit_fill``,
...) are refused by name when overridden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.model import (
    LeanObject,
    Order,
    OrderDirection,
    OrderEvent,
    OrderStatus,
    OrderType,
    QuoteBar,
    TradeBar,
    _snake,
)
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

LEAN_MEMBERS = frozenset({
    "limit_fill", "limit_if_touched_fill", "stop_market_fill", "stop_limit_fill",
    "trailing_stop_fill", "market_on_open_fill", "market_on_close_fill", "get_prices",
    "get_prices_checking_python_wrapper",
})  # fmt: skip
# the combo orders' fills a model may override (calling LEAN's base rules with ``super()``), by order type
COMBO_FILLS = {OrderType.COMBO_MARKET: "combo_market_fill", OrderType.COMBO_LIMIT: "combo_limit_fill",
               OrderType.COMBO_LEG_LIMIT: "combo_leg_limit_fill"}  # fmt: skip


class Fill(LeanObject):
    """LEAN's Fill: the order events of one fill attempt (none: not filled)."""

    def __init__(self, events: OrderEvent | Iterable[OrderEvent]) -> None:
        self.events = [events] if isinstance(events, OrderEvent) else list(events)

    def __iter__(self) -> Any:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


class FillModelParameters(LeanObject):
    """What a fill model is asked with: the security, the order and LEAN's stale price span; for a combo order
    also every order of its group with its security (``securities_for_orders``)."""

    def __init__(self, security: Security, order: Order, stale_price_time_span: timedelta, default: Callable | None,
                 securities_for_orders: Any = None, legs: ComboLegRules | None = None) -> None:  # fmt: skip
        self.security, self.order, self.stale_price_time_span = security, order, stale_price_time_span
        self._default = default  # the engine's fill price for the order now (None: not filled)
        self.securities_for_orders = securities_for_orders
        self._legs = legs  # LEAN's per-leg rules for combo orders, on the engine's data


class ComboLegRules(Protocol):
    """LEAN's ``InternalMarketFill``, ``InternalLimitFill`` and ``GetPrices`` for one leg of a combo, now."""

    def market(self, security: Security, order: Order) -> OrderEvent: ...

    def limit(self, security: Security, order: Order, limit_price: float) -> OrderEvent: ...

    def prices(self, security: Security, order: Order) -> tuple[datetime, TradeBar] | None: ...


class FillModel:
    """LEAN's FillModel (and ImmediateFillModel): LEAN's base rules."""

    parameters: FillModelParameters | None = None  # LEAN's ``Parameters``: those of the fill being asked

    def fill(self, parameters: FillModelParameters) -> Fill:
        self.parameters = parameters
        order = parameters.order
        combo = COMBO_FILLS.get(order.type)
        if combo is not None:
            pascal = "".join(part.capitalize() for part in combo.split("_"))
            method = getattr(self, pascal) if _defines(type(self), pascal) else getattr(self, combo)
            events = method(order, parameters)
            return Fill(list(events) if events is not None else [])
        if order.type == OrderType.MARKET:
            market_fill = self.MarketFill if _defines(type(self), "MarketFill") else self.market_fill
            event = market_fill(parameters.security, order)
            if not isinstance(event, OrderEvent):
                raise UnsupportedApi(f"{type(self).__name__}.market_fill returning {type(event).__name__}")
            return Fill(event)
        price = parameters._default()
        if price is None:
            return Fill(_event(parameters, order.status, 0.0, 0.0))
        return Fill(_event(parameters, OrderStatus.FILLED, price, order.quantity - order.quantity_filled))

    def market_fill(self, asset: Security, order: Order) -> OrderEvent:
        """LEAN's ``MarketFill``: the whole order quantity at the rules' price (the order's status when none)."""
        parameters = self.parameters
        if parameters is None or parameters.order is not order:
            raise UnsupportedApi(f"{type(self).__name__}.market_fill called outside the model's fill")
        price = parameters._default()
        if price is None:
            return _event(parameters, order.status, 0.0, 0.0)
        return _event(parameters, OrderStatus.FILLED, price, order.quantity)

    MarketFill = market_fill

    def combo_market_fill(self, order: Order, parameters: FillModelParameters) -> list[OrderEvent]:
        """LEAN's ``ComboMarketFill``: each leg's market fill, in id order; none unless every leg fills."""
        fills = []
        for pair in _legs_by_id(parameters):
            fill = _rules(self, parameters).market(pair.value, pair.key)
            if fill.status != OrderStatus.FILLED:
                return []
            fills.append(fill)
        return fills

    def combo_limit_fill(self, order: Order, parameters: FillModelParameters) -> list[OrderEvent]:
        """LEAN's ``ComboLimitFill``: none on data ending before a leg's order; else the legs' lows (buying) or
        highs (selling) times their ratios (a hundredth of it for equities) summed, against the group's limit;
        through it, every leg fills whole at that low (high)."""
        rules, group = _rules(self, parameters), order.group_order_manager
        priced = []
        for pair in _legs_by_id(parameters):
            prices = rules.prices(pair.value, pair.key)
            if prices is None or prices[0] < pair.key.time:
                return []
            priced.append((pair, prices[1]))
        buying = group.direction == OrderDirection.BUY
        current = 0.0
        for pair, bar in priced:
            ratio = pair.key.quantity / group.quantity
            if pair.value.kind == SecurityKind.EQUITY:
                ratio /= 100
            current += (bar.low if buying else bar.high) * ratio
        if not (current < group.limit_price if buying else current > group.limit_price):
            return []
        if group.direction == OrderDirection.HOLD:
            return []
        clock = parameters.security.clock
        return [_leg_event(pair.key, clock.utc, OrderStatus.FILLED, bar.low if buying else bar.high, pair.key.quantity)
                for pair, bar in priced]  # fmt: skip

    def combo_leg_limit_fill(self, order: Order, parameters: FillModelParameters) -> list[OrderEvent]:
        """LEAN's ``ComboLegLimitFill``: each leg's limit fill at its own limit; none unless every leg fills."""
        fills = []
        for pair in _legs_by_id(parameters):
            fill = _rules(self, parameters).limit(pair.value, pair.key, pair.key.limit_price)
            if fill.status != OrderStatus.FILLED:
                return []
            fills.append(fill)
        return fills

    ComboMarketFill = combo_market_fill
    ComboLimitFill = combo_limit_fill
    ComboLegLimitFill = combo_leg_limit_fill


class ImmediateFillModel(FillModel):
    pass


class EquityFillModel(FillModel):
    """LEAN's EquityFillModel: LEAN's fill rules for equities."""


def _defines(cls: type, name: str) -> bool:
    """Whether a class of the algorithm (below LEAN's fill models) defines ``name``."""
    for klass in cls.__mro__:
        if klass in (FillModel, ImmediateFillModel, EquityFillModel):
            return False
        if name in vars(klass):
            return True
    return False


def _legs_by_id(parameters: FillModelParameters) -> list[Any]:
    if parameters.securities_for_orders is None:
        raise UnsupportedApi("FillModel combo fills of an order that is not a combo order")
    return sorted(parameters.securities_for_orders, key=lambda pair: pair.key.id)


def _rules(model: FillModel, parameters: FillModelParameters) -> ComboLegRules:
    rules = parameters._legs
    if rules is None or model.parameters is not parameters:
        raise UnsupportedApi(f"{type(model).__name__} combo fills called outside the model's fill")
    return rules


def _leg_event(order: Order, utc: datetime, status: OrderStatus, price: float, quantity: float) -> OrderEvent:
    """LEAN's ``new OrderEvent(order, utcTime, OrderFee.Zero)`` with a fill set on it."""
    direction = OrderDirection.BUY if order.quantity > 0 else OrderDirection.SELL
    return OrderEvent(order.id, 0, order.symbol, utc, status, direction, price, quantity, order.quantity, 0.0)


def leg_event(order: Order, utc: datetime, price: float | None) -> OrderEvent:
    """A leg's fill of its whole quantity at ``price``, or its unfilled event (its status, nothing filled)."""
    if price is None:
        return _leg_event(order, utc, order.status, 0.0, 0.0)
    return _leg_event(order, utc, OrderStatus.FILLED, price, order.quantity)


def combo_fill_events(model: FillModel, parameters: FillModelParameters) -> list[OrderEvent]:
    """The fills ``model`` returns for a combo's orders now; an event of another order, or one that neither fills
    nor leaves its order's status as it is, is refused by name."""
    fill = model.fill(parameters)
    if not isinstance(fill, Fill):
        raise UnsupportedApi(f"{type(model).__name__}.fill returning {type(fill).__name__}")
    orders = {pair.key.id: pair.key for pair in parameters.securities_for_orders}
    fills = []
    for event in fill:
        if not isinstance(event, OrderEvent):
            raise UnsupportedApi(f"{type(model).__name__} returning a {type(event).__name__} as a fill")
        order = orders.get(event.order_id)
        if order is None:
            raise UnsupportedApi(f"{type(model).__name__} returning an event of an order outside the combo")
        if event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):
            fills.append(event)
        elif event.status != order.status:
            raise UnsupportedApi(f"{type(model).__name__} returning a {event.status.name} event")
    return fills


def _event(parameters: FillModelParameters, status: OrderStatus, price: float, quantity: float) -> OrderEvent:
    order = parameters.order
    direction = OrderDirection.BUY if order.quantity > 0 else OrderDirection.SELL
    clock = parameters.security.clock
    return OrderEvent(order.id, 0, order.symbol, clock.utc, status, direction, price, quantity, order.quantity, 0.0)


def checked_fill_model(model: Any, security: Security) -> FillModel:
    """The model, if the engine can ask it: derived from one of LEAN's fill models (``EquityFillModel`` for
    equities only), overriding ``fill``, ``market_fill`` or the combo fills only (the others are refused naming
    them)."""
    if not isinstance(model, FillModel):
        raise UnsupportedApi(f"Security.set_fill_model({type(model).__name__})")
    if isinstance(model, EquityFillModel) and security.kind != SecurityKind.EQUITY:
        raise UnsupportedApi(
            f"{type(model).__name__} for {security.kind.value} securities "
            "(LEAN's EquityFillModel rules are for equities only)"
        )
    for cls in type(model).__mro__:
        if cls in (FillModel, ImmediateFillModel, EquityFillModel):
            break
        for name, member in vars(cls).items():
            if callable(member) and (_snake(name) in LEAN_MEMBERS or name == "Fill"):
                raise UnsupportedApi(f"{cls.__name__}.{name} overriding FillModel.{_snake(name)}")
    return model


def custom_fill_events(model: FillModel, parameters: FillModelParameters) -> list[OrderEvent]:
    """The fills (``Filled`` or ``PartiallyFilled`` events of the order) ``model`` returns for the order now;
    an event that neither fills nor leaves the order's status as it is is refused by name."""
    fill = model.fill(parameters)
    if not isinstance(fill, Fill):
        raise UnsupportedApi(f"{type(model).__name__}.fill returning {type(fill).__name__}")
    order, fills = parameters.order, []
    for event in fill:
        if not isinstance(event, OrderEvent):
            raise UnsupportedApi(f"{type(model).__name__} returning a {type(event).__name__} as a fill")
        if event.order_id != order.id:
            raise UnsupportedApi(f"{type(model).__name__} returning an event of another order")
        if event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):
            fills.append(event)
        elif event.status != order.status:
            raise UnsupportedApi(f"{type(model).__name__} returning a {event.status.name} event")
    return fills


class SecurityCache(LeanObject):
    """``security.cache``: the latest data of each type (LEAN's SecurityCache), fill-forward bars included."""

    def __init__(self, security: Security) -> None:
        self._security = security

    @property
    def session(self) -> Any:
        return self._security.session

    def get_data(self, kind: Any = None) -> Any:
        security = self._security
        if kind is None or kind is TradeBar:
            return security.forward_bar or security.last_trade
        if kind is QuoteBar:
            feed = security.quote_feed
            return feed.bar() if feed is not None and feed.current >= 0 else None
        if getattr(kind, "__name__", "") == "Tick":
            return None  # no tick subscriptions in this engine
        raise UnsupportedApi(f"SecurityCache.get_data({getattr(kind, '__name__', kind)})")
