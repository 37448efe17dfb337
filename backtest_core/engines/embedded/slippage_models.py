"""LEAN's slippage models written in Python (``security.set_slippage_model(MySlippageModel())``).

LEAN's fill models ask the security's ``ISlippageModel.GetSlippageApproximation(asset, order)`` and add the
amount to a buy's fill price, take it off a sell's. Without one a security has LEAN's ``NullSlippageModel``
(none). pythonnet hands the Python value to C# as ``decimal.Parse(str(value))``, the shortest text of a float,
which is the float itself here. The engine applies it to market orders (``MarketFill`` of every fill model);
LEAN also slips stop market, trailing stop and market-on-open/close fills, which with a slippage model set are
refused by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.model import Order, OrderType
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

SLIPPED_ELSEWHERE = frozenset({OrderType.STOP_MARKET, OrderType.TRAILING_STOP, OrderType.MARKET_ON_OPEN,
                               OrderType.MARKET_ON_CLOSE})  # fmt: skip


def checked_slippage_model(model: Any) -> Any:
    """The model if it answers LEAN's ``GetSlippageApproximation`` (either spelling)."""
    if not callable(getattr(model, "get_slippage_approximation", None)) and not callable(
        getattr(model, "GetSlippageApproximation", None)
    ):
        raise UnsupportedApi(f"Security.set_slippage_model({type(model).__name__})")
    return model


def refuse_unmodelled(security: Security, order: Order) -> None:
    """Refuse an order LEAN would slip by the security's slippage model where the engine does not."""
    if security.slippage_model is not None and order.type in SLIPPED_ELSEWHERE:
        raise UnsupportedApi(f"a slippage model on {order.type.name} orders")


def slipped(security: Security, order: Order, price: float | None) -> float | None:
    """A market fill price with the security's slippage: added when buying, taken off when selling."""
    model = security.slippage_model
    if price is None or model is None:
        return price
    method = getattr(model, "get_slippage_approximation", None) or model.GetSlippageApproximation
    slip = float(method(security, order))
    return price + slip if order.quantity > 0 else price - slip
