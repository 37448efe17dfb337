"""LEAN's buying power model API for algorithms that write their own (``security.set_buying_power_model(...)``).

LEAN wraps a Python model (``BuyingPowerModelPythonWrapper``) and asks it, member by member, wherever the engine asks
a buying power model: the order quantity of ``set_holdings``/``calculate_order_quantity``
(``GetMaximumOrderQuantityForTargetBuyingPower``, with the margin fraction ``PortfolioTarget.Percent`` worked out),
the check of each order at submission and before each fill (``HasSufficientBuyingPowerForOrder``) and the margin a
position holds (``GetReservedBuyingPowerForPosition``, which the capacity estimate weighs).
Calls a model makes to its base class run LEAN's default (the engine's), which inside calls the base's own
members, not the Python overrides (as in LEAN, where the C# base does not see them). ``BuyingPowerModel()`` has
leverage 1, as LEAN's. ``GetMaintenanceMargin`` is what LEAN's ``Portfolio.TotalMarginUsed``/``MarginRemaining``
sum (its position group model asks the security's model, so a Python override counts), and with them the
margin-call check (:mod:`.security_models`). Overrides of the members the engine does not route (leverage, initial
margin, buying power, delta quantities) are refused by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.model import LeanObject, Order, _snake
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Portfolio, Security

ROUTED = (
    "get_maximum_order_quantity_for_target_buying_power",
    "has_sufficient_buying_power_for_order",
    "get_reserved_buying_power_for_position",
    "get_maintenance_margin",
)
LEAN_MEMBERS = frozenset(ROUTED) | {
    "get_leverage", "set_leverage", "get_buying_power", "get_initial_margin_requirement",
    "get_initial_margin_required_for_order", "get_maximum_order_quantity_for_delta_buying_power",
    "get_margin_remaining",
}  # fmt: skip


class GetMaximumOrderQuantityResult(LeanObject):
    """The quantity a model allows; an error when it gives a reason (LEAN's two constructors)."""

    def __init__(self, quantity: float, reason: str | None = None, is_error: bool | None = None) -> None:
        self.quantity, self.reason = float(quantity), reason or ""
        self.is_error = bool(self.reason) if is_error is None else bool(is_error)


class HasSufficientBuyingPowerForOrderResult(LeanObject):
    def __init__(self, is_sufficient: bool, reason: str | None = None) -> None:
        self.is_sufficient, self.reason = bool(is_sufficient), reason or ""


class _Amount(LeanObject):
    """LEAN's margin results (MaintenanceMargin, InitialMargin, ReservedBuyingPowerForPosition): one value."""

    def __init__(self, value: float) -> None:
        self.value = float(value)

    def __float__(self) -> float:
        return self.value


class MaintenanceMargin(_Amount):
    pass


class InitialMargin(_Amount):
    pass


class ReservedBuyingPowerForPosition(_Amount):
    absolute_used_buying_power = property(lambda self: self.value)
    AbsoluteUsedBuyingPower = absolute_used_buying_power


class GetMaximumOrderQuantityForTargetBuyingPowerParameters(LeanObject):
    def __init__(
        self,
        portfolio: Portfolio,
        security: Security,
        target_buying_power: float,
        minimum_order_margin_portfolio_percentage: float = 0.0,
        silence_non_error_reasons: bool = False,
    ) -> None:
        self.portfolio, self.security, self.target_buying_power = portfolio, security, float(target_buying_power)
        self.minimum_order_margin_portfolio_percentage = minimum_order_margin_portfolio_percentage
        self.silence_non_error_reasons = silence_non_error_reasons


class HasSufficientBuyingPowerForOrderParameters(LeanObject):
    def __init__(self, portfolio: Portfolio, security: Security, order: Order) -> None:
        self.portfolio, self.security, self.order = portfolio, security, order

    def sufficient(self) -> HasSufficientBuyingPowerForOrderResult:
        return HasSufficientBuyingPowerForOrderResult(True)

    def insufficient(self, reason: str) -> HasSufficientBuyingPowerForOrderResult:
        return HasSufficientBuyingPowerForOrderResult(False, reason)


class ReservedBuyingPowerForPositionParameters(LeanObject):
    def __init__(self, security: Security) -> None:
        self.security = security

    def result_in_account_currency(self, value: float) -> ReservedBuyingPowerForPosition:
        return ReservedBuyingPowerForPosition(value)


class MaintenanceMarginParameters(LeanObject):
    def __init__(self, security: Security, quantity: float) -> None:
        self.security, self.quantity = security, quantity
        self.absolute_holdings_value = abs(quantity * security.price)
        self.absolute_quantity = abs(quantity)


class BuyingPowerModel:
    """LEAN's BuyingPowerModel as a Python base class: LEAN's default margin rules (the engine's) at the leverage
    it is built with (1 unless given)."""

    def __init__(self, leverage: float = 1.0, required_free_buying_power_percent: float = 0.0) -> None:
        if leverage < 1:
            raise ValueError("Leverage must be greater than or equal to 1.")
        if required_free_buying_power_percent:
            raise UnsupportedApi("BuyingPowerModel with a required free buying power percent")
        self._lean_leverage = float(leverage)

    def get_maximum_order_quantity_for_target_buying_power(
        self, parameters: GetMaximumOrderQuantityForTargetBuyingPowerParameters
    ) -> GetMaximumOrderQuantityResult:
        from backtest_core.engines.embedded.broker import margin_target_quantity

        quantity = margin_target_quantity(parameters.portfolio, parameters.security, parameters.target_buying_power)
        return GetMaximumOrderQuantityResult(quantity, "", False)

    def has_sufficient_buying_power_for_order(
        self, parameters: HasSufficientBuyingPowerForOrderParameters
    ) -> HasSufficientBuyingPowerForOrderResult:
        from backtest_core.engines.embedded.broker import default_buying_power_problem

        problem = default_buying_power_problem(parameters.portfolio, parameters.security, parameters.order)
        return HasSufficientBuyingPowerForOrderResult(not problem, problem)

    def get_reserved_buying_power_for_position(
        self, parameters: ReservedBuyingPowerForPositionParameters
    ) -> ReservedBuyingPowerForPosition:
        security = parameters.security
        return ReservedBuyingPowerForPosition(abs(security.holdings.quantity * security.price) / security.leverage)

    def get_maintenance_margin(self, parameters: MaintenanceMarginParameters) -> MaintenanceMargin:
        return MaintenanceMargin(parameters.absolute_holdings_value / parameters.security.leverage)


def checked_buying_power_model(model: Any) -> BuyingPowerModel:
    """The model, after refusing what the engine cannot route: a model not derived from ``BuyingPowerModel``, and
    overrides of LEAN's members other than :data:`ROUTED` in snake_case (naming them)."""
    if not isinstance(model, BuyingPowerModel):
        raise UnsupportedApi(f"Security.set_buying_power_model({type(model).__name__})")
    for cls in type(model).__mro__:
        if cls is BuyingPowerModel:
            break
        for name, member in vars(cls).items():
            if callable(member) and _snake(name) in LEAN_MEMBERS and name not in ROUTED:
                raise UnsupportedApi(f"{cls.__name__}.{name} overriding BuyingPowerModel.{name}")
    return model


def model_leverage(model: BuyingPowerModel) -> float:
    """The leverage LEAN's base model is built with (1 when a subclass never calls ``__init__``)."""
    return model.__dict__.get("_lean_leverage", 1.0)


def overrides(model: BuyingPowerModel | None, name: str) -> bool:
    """Whether the algorithm's model has its own ``name`` (else the engine's default runs, without a call)."""
    return model is not None and getattr(type(model), name) is not getattr(BuyingPowerModel, name)
