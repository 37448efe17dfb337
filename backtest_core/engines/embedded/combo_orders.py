"""LEAN's combo orders: ``combo_market_order``, ``combo_limit_order`` and ``combo_leg_limit_order``.

A combo is one order per leg (``Leg.create(symbol, ratio, limit=None)``), each ``ratio × quantity`` shares, tied by a
``GroupOrderManager`` (LEAN's ``Common/Orders/GroupOrderManager.cs``). The brokerage fills the group at once
(``BacktestingBrokerage.Scan``): at each scan, for each open leg in id order, the leg's security's fill model is
asked ``Fill`` with every order of the group and its security (``FillModelParameters.SecuritiesForOrders``), and
the events it returns are applied leg by leg; the group leaves the brokerage once every event is closed. LEAN's
base ``FillModel`` fills a combo market order leg by leg at each leg's market fill (none unless all fill), a
combo limit order when the sum of the legs' lows (buying; highs selling) times their ratios (a hundredth of the
ratio for equities) passes the group's limit, each leg at that low (high), and a combo leg limit order when
every leg's own limit fills (``Common/Orders/Fills/FillModel.cs``).

Modelled for equities under LEAN's default brokerage and good-til-canceled orders; LEAN's checks that would turn
a combo invalid (no price, not shortable, buying power, zero quantity) are refused by name rather than imitated.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from backtest_core.engines.embedded.model import LeanObject, OrderDirection, OrderType
from backtest_core.stats.decimals import json_text, normalize

COMBO_TYPES = frozenset({OrderType.COMBO_MARKET, OrderType.COMBO_LIMIT, OrderType.COMBO_LEG_LIMIT})


class Leg(LeanObject):
    """LEAN's Leg: a symbol, its ratio in the combo and, for combo leg limit orders, its limit price."""

    def __init__(self, symbol: Any, quantity: int, order_price: Any = None) -> None:
        self.symbol, self.quantity, self.order_price = symbol, int(quantity), order_price

    @staticmethod
    def create(symbol: Any, quantity: int, limit_price: Any = None) -> Leg:
        return Leg(symbol, quantity, limit_price)

    Create = create
    Symbol = property(lambda self: self.symbol)
    Quantity = property(lambda self: self.quantity)
    OrderPrice = property(lambda self: self.order_price)


class GroupOrderManager(LeanObject):
    """LEAN's GroupOrderManager: the combo's id, leg count, quantity, limit price and order ids."""

    def __init__(self, group_id: int, count: int, quantity: float, limit_price: Decimal) -> None:
        self.id, self.count, self.quantity = group_id, count, quantity
        self.limit_decimal = limit_price  # as LEAN holds it, for the order hash
        self.order_ids: list[int] = []

    @property
    def limit_price(self) -> float:
        return float(self.limit_decimal)

    @property
    def direction(self) -> OrderDirection:
        if self.quantity > 0:
            return OrderDirection.BUY
        return OrderDirection.SELL if self.quantity < 0 else OrderDirection.HOLD

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    def json(self) -> str:
        """As Newtonsoft writes it in an order (``id``, ``quantity``, ``count``, ``limitPrice``, ``orderIds``,
        ``direction``)."""
        ids = ",".join(str(order_id) for order_id in self.order_ids)
        return (f'{{"id":{self.id},"quantity":{json_text(lean_decimal(self.quantity))},'
                f'"count":{self.count},"limitPrice":{json_text(self.limit_decimal)},"orderIds":[{ids}],'
                f'"direction":{int(self.direction)}}}')  # fmt: skip


class KeyValuePair(LeanObject):
    """A .NET dictionary's entry as Python iterates it."""

    def __init__(self, key: Any, value: Any) -> None:
        self.key, self.value = key, value

    Key = property(lambda self: self.key)
    Value = property(lambda self: self.value)


class OrdersSecurities(LeanObject):
    """``FillModelParameters.securities_for_orders``: LEAN's ``Dictionary<Order, Security>`` of the group."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self._pairs = pairs

    def __iter__(self) -> Any:
        return iter([KeyValuePair(order, security) for order, security in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)

    def __getitem__(self, order: Any) -> Any:
        for key, security in self._pairs:
            if key is order:
                return security
        raise KeyError(order)

    def keys(self) -> list[Any]:
        return [order for order, _ in self._pairs]

    def values(self) -> list[Any]:
        return [security for _, security in self._pairs]

    count = Count = property(__len__)
    Keys = property(keys)
    Values = property(values)


def combo_type(legs: list[Leg], limit_price: float) -> OrderType:
    """``SubmitComboOrder``'s order type: leg limit when a leg has a price, else limit with a group limit."""
    if any(leg.order_price is not None for leg in legs):
        return OrderType.COMBO_LEG_LIMIT
    return OrderType.COMBO_LIMIT if limit_price != 0 else OrderType.COMBO_MARKET


def check_sizing(legs: list[Leg], quantity: float) -> None:
    """LEAN's ``CheckComboOrderSizing``: the leg quantities are ratios (their greatest common divisor is 1)."""
    divisor = abs(math.gcd(*(leg.quantity for leg in legs)))
    if divisor != 1:
        given = ", ".join(f"{leg.quantity} {leg.symbol}" for leg in legs)
        reduced = ", ".join(f"{leg.quantity // divisor} {leg.symbol}" for leg in legs)
        raise ValueError(
            "The global combo quantity should be used to increase or reduce the size of the order, while the leg "
            "quantities should be used to specify the ratio of the order. The combo order quantities should be "
            f"reduced from {quantity}x({given}) to {quantity * divisor}x({reduced})."
        )


def lean_decimal(value: Any) -> Decimal:
    """The decimal LEAN holds for a price the algorithm gives: an ``int`` exactly, a ``float`` as .NET converts
    a double (15 significant digits). Equities' prices stay as given: on adjusted data LEAN's
    ``AdjustedPriceVariationModel`` has no minimum variation, so ``RoundOrderPrices`` leaves combo limits alone."""
    if isinstance(value, int):
        return Decimal(value)
    return normalize(Decimal(format(float(value), ".15g")))
