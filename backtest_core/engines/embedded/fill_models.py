"""LEAN's fill model API for algorithms that write their own ``Fill`` (``security.set_fill_model(MyFillModel())``).

LEAN's ``BacktestingBrokerage`` asks the security's fill model ``Fill(FillModelParameters)`` for each open order at
each scan (after the buying-power check) and applies the events it returns. The base classes' ``Fill`` is the
engine's own fill logic: ``EquityFillModel`` for equities, ``FillModel``/``ImmediateFillModel`` (LEAN's default for
the others) for crypto and forex. A subclass may override ``fill`` (returning ``super().fill(parameters)`` or its
own ``Fill``); the per-order-type members (``market_fill``, ``limit_fill``, ...) and partial fills are refused by
name, as is a base class whose rules are not the security's (``ImmediateFillModel`` on an equity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.model import (
    LeanObject,
    Order,
    OrderDirection,
    OrderEvent,
    OrderStatus,
    QuoteBar,
    TradeBar,
    _snake,
)
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

LEAN_MEMBERS = frozenset({
    "market_fill", "limit_fill", "limit_if_touched_fill", "stop_market_fill", "stop_limit_fill",
    "trailing_stop_fill", "market_on_open_fill", "market_on_close_fill", "combo_market_fill", "combo_limit_fill",
    "combo_leg_limit_fill", "get_prices", "get_prices_checking_python_wrapper",
})  # fmt: skip


class Fill(LeanObject):
    """LEAN's Fill: the order events of one fill attempt (none: not filled)."""

    def __init__(self, events: OrderEvent | Iterable[OrderEvent]) -> None:
        self.events = [events] if isinstance(events, OrderEvent) else list(events)

    def __iter__(self) -> Any:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


class FillModelParameters(LeanObject):
    """What a fill model is asked with: the security, the order and LEAN's stale price span."""

    def __init__(self, security: Security, order: Order, stale_price_time_span: timedelta, default: Callable) -> None:
        self.security, self.order, self.stale_price_time_span = security, order, stale_price_time_span
        self._default = default  # the engine's fill price for the order now (None: not filled)


class FillModel:
    """LEAN's FillModel (and ImmediateFillModel): LEAN's rules for securities other than equities."""

    def fill(self, parameters: FillModelParameters) -> Fill:
        price = parameters._default()
        order = parameters.order
        if price is None:
            return Fill(_event(parameters, order.status, 0.0, 0.0))
        return Fill(_event(parameters, OrderStatus.FILLED, price, order.quantity - order.quantity_filled))


class ImmediateFillModel(FillModel):
    pass


class EquityFillModel(FillModel):
    """LEAN's EquityFillModel: LEAN's fill rules for equities."""


def _event(parameters: FillModelParameters, status: OrderStatus, price: float, quantity: float) -> OrderEvent:
    order = parameters.order
    direction = OrderDirection.BUY if order.quantity > 0 else OrderDirection.SELL
    clock = parameters.security.clock
    return OrderEvent(order.id, 0, order.symbol, clock.utc, status, direction, price, quantity, order.quantity, 0.0)


def checked_fill_model(model: Any, security: Security) -> FillModel:
    """The model, if the engine can ask it: derived from the base class of the security's rules, overriding ``fill``
    only (the others are refused naming them)."""
    equity = security.kind == SecurityKind.EQUITY
    if not isinstance(model, FillModel):
        raise UnsupportedApi(f"Security.set_fill_model({type(model).__name__})")
    if equity != isinstance(model, EquityFillModel):
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


def custom_fill_price(model: FillModel, parameters: FillModelParameters) -> float | None:
    """The price ``model`` fills the order at now, or None; a partial fill is refused by name."""
    fill = model.fill(parameters)
    if not isinstance(fill, Fill):
        raise UnsupportedApi(f"{type(model).__name__}.fill returning {type(fill).__name__}")
    filled = [event for event in fill if event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED)]
    if not filled:
        return None
    order = parameters.order
    if len(filled) > 1 or filled[0].status != OrderStatus.FILLED or filled[0].fill_quantity != order.quantity:
        raise UnsupportedApi(f"{type(model).__name__}.fill with a partial fill")
    return filled[0].fill_price


class SecurityCache(LeanObject):
    """``security.cache``: the latest data of each type (LEAN's SecurityCache), fill-forward bars included."""

    def __init__(self, security: Security) -> None:
        self._security = security

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
