"""LEAN's fee model API for algorithms that write their own (``security.set_fee_model(MyFeeModel())``).

LEAN asks a security's fee model for the fee of an order wherever a fee enters: the fill
(``BacktestingBrokerage``: the completely filled order), the buying-power check of an order
(``BuyingPowerModel.GetInitialMarginRequiredForOrder``) and the sizing of ``set_holdings``
(``GetMaximumOrderQuantityForTargetBuyingPower``: a market order of the candidate quantity, id 0). A custom model
is called with ``OrderFeeParameters(security, order)`` at each of those points, as LEAN calls it, so a model that
reads the security's state or keeps its own sees the same calls. Fees in a currency other than the account's
would need LEAN's conversion of the fee through the cash book, which is not modelled: they are refused by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.model import CashAmount, LeanObject, Order, OrderFee, OrderType
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

BASE_FEE_CURRENCY = "USD"  # LEAN's FeeModel base: zero USD


class OrderFeeParameters(LeanObject):
    """What a fee model is asked with: the security and the order."""

    def __init__(self, security: Security, order: Order) -> None:
        self.security, self.order = security, order

    Security = property(lambda self: self.security)
    Order = property(lambda self: self.order)


class FeeModel:
    """LEAN's FeeModel base class: no fee (zero USD) unless a subclass says otherwise."""

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        return OrderFee(CashAmount(0.0, BASE_FEE_CURRENCY))


def checked_fee_model(model: Any) -> Any:
    """The model, if it is one the engine can ask for fees (it has ``get_order_fee`` or ``GetOrderFee``)."""
    if callable(getattr(model, "get_order_fee", None)) or callable(getattr(model, "GetOrderFee", None)):
        return model
    raise UnsupportedApi(f"Security.set_fee_model({type(model).__name__})")


def custom_order_fee(model: Any, security: Security, order: Order) -> float:
    """The fee ``model`` asks for ``order``, in the account currency (LEAN's ``GetOrderFee``)."""
    snake = getattr(type(model), "get_order_fee", None)
    pascal = snake is None or snake is FeeModel.get_order_fee
    method = model.GetOrderFee if pascal and callable(getattr(model, "GetOrderFee", None)) else model.get_order_fee
    fee = method(OrderFeeParameters(security, order))
    if not isinstance(fee, OrderFee):
        raise UnsupportedApi(f"{type(model).__name__}.get_order_fee returning {type(fee).__name__}")
    account = security.cash_book.account_currency if security.cash_book is not None else BASE_FEE_CURRENCY
    if fee.value.currency != account and fee.value.amount:
        raise UnsupportedApi(f"a fee in {fee.value.currency} (only the account currency {account})")
    return fee.value.amount


def sizing_order(security: Security, quantity: float, utc: Any) -> Order:
    """The market order LEAN prices a candidate quantity with (``new MarketOrder(symbol, quantity, utcTime)``)."""
    return Order(0, security.symbol, quantity, OrderType.MARKET, utc)
