"""Buying power models written in Python, asked where LEAN's ``BuyingPowerModelPythonWrapper`` asks them.

``PortfolioTarget.Percent`` (``calculate_order_quantity``, ``set_holdings``) asks
``GetMaximumOrderQuantityForTargetBuyingPower`` with the margin fraction (the percent less the free-portfolio
buffer, over the model's leverage); each order's checks ask ``HasSufficientBuyingPowerForOrder``; the portfolio's
margin used is the sum of ``GetReservedBuyingPowerForPosition``. ``BuyingPowerModel()`` has leverage 1.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, run_source, spy_hours_algorithm

MODELS = """
class Lots(BuyingPowerModel):
    def __init__(self, algorithm):
        super().__init__()
        self.algorithm = algorithm

    def get_maximum_order_quantity_for_target_buying_power(self, parameters):
        self.algorithm.debug(f"target {parameters.target_buying_power:.6f}")
        quantity = super().get_maximum_order_quantity_for_target_buying_power(parameters).quantity
        self.algorithm.debug(f"base {quantity:g}")
        return GetMaximumOrderQuantityResult(np.floor(quantity / 100) * 100)

class Always(BuyingPowerModel):
    def has_sufficient_buying_power_for_order(self, parameters):
        return HasSufficientBuyingPowerForOrderResult(True)

    def get_reserved_buying_power_for_position(self, parameters):
        return parameters.result_in_account_currency(0)

class Unmargined(Always):
    def get_maintenance_margin(self, parameters):
        return MaintenanceMargin(0)

class Never(BuyingPowerModel):
    def has_sufficient_buying_power_for_order(self, parameters):
        return HasSufficientBuyingPowerForOrderResult(False, f"no for {parameters.order.quantity:g}")

class Levered(BuyingPowerModel):
    def get_leverage(self, security):
        return 5
"""


def _run(tmp_path: Path, lean_data: Path, initialize: str, on_data: str) -> EngineOutcome:
    body = spy_hours_algorithm(
        initialize,
        "if self.portfolio.invested or self.transactions.orders_count:\n    return\n"
        + textwrap.dedent(on_data).strip(),
        "self.debug(f'event {event.status.name} {event.message}')",
    )
    return run_source(tmp_path, lean_data, MODELS + body)


def _texts(tmp_path: Path) -> list[str]:
    return [line[20:] for line in debug_lines(tmp_path / "out")]


def test_the_quantity_comes_from_the_models_maximum_order_quantity(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_buying_power_model(Lots(self))\nself.debug(f'leverage {self.spy.leverage:g}')",
        "self.debug(f'quantity {self.calculate_order_quantity(self.spy.symbol, 1):g}')",
    )
    assert outcome.status == "completed", outcome.error
    lines = _texts(tmp_path)
    assert "leverage 1" in lines  # LEAN's BuyingPowerModel() is built with leverage 1
    assert "target 0.997500" in lines  # the percent less LEAN's 0.25% free-portfolio buffer, over leverage 1
    base = float(next(line for line in lines if line.startswith("base ")).split()[1])
    quantity = float(next(line for line in lines if line.startswith("quantity ")).split()[1])
    assert base > 600 and quantity == (base // 100) * 100  # the model's rounding, not the engine's


def test_a_model_that_always_has_buying_power_fills_an_order_over_the_margin(lean_data: Path, tmp_path: Path) -> None:
    order = "self.market_order(self.spy.symbol, 10 * self.calculate_order_quantity(self.spy.symbol, 1))"
    default = tmp_path / "default"
    assert _run(default, lean_data, "pass", order).status == "completed"
    assert any(line.startswith("event INVALID Insufficient buying power") for line in _texts(default))
    custom = tmp_path / "custom"
    check = "\nself.debug(f'margin {self.portfolio.total_margin_used:g} {self.portfolio.margin_remaining > 0}')"
    outcome = _run(custom, lean_data, "self.spy.set_buying_power_model(Unmargined())", order + check)
    assert outcome.status == "completed", outcome.error
    lines = _texts(custom)
    assert "event FILLED " in lines
    assert "margin 0 True" in lines  # the margin used is the model's maintenance margin (zero)


def test_a_position_over_its_maintenance_margin_meets_leans_margin_call(lean_data: Path, tmp_path: Path) -> None:
    # LEAN's TotalMarginUsed asks GetMaintenanceMargin (the base's here: ten times the portfolio value at leverage
    # 1), not the model's zero reserved buying power: DefaultMarginCallModel liquidates, which the engine refuses
    order = "self.market_order(self.spy.symbol, 10 * self.calculate_order_quantity(self.spy.symbol, 1))"
    outcome = _run(tmp_path, lean_data, "self.spy.set_buying_power_model(Always())", order)
    assert outcome.status == "failed"
    assert "a margin call (DefaultMarginCallModel liquidation orders) is not supported" in outcome.error
    assert "event FILLED " in _texts(tmp_path)


def test_an_insufficient_result_invalidates_the_order_with_its_reason(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "self.spy.set_buying_power_model(Never())", "self.market_order('SPY', 3)")
    assert outcome.status == "completed", outcome.error
    assert "event INVALID Insufficient buying power to complete orders (Value:[" in " ".join(_texts(tmp_path))
    assert any(line.endswith("Reason: no for 3.") for line in _texts(tmp_path))


def test_the_leverage_the_model_is_built_with_is_the_securitys(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_buying_power_model(BuyingPowerModel(3))\nself.debug(f'x {self.spy.leverage:g}')",
        "pass",
    )
    assert outcome.status == "completed", outcome.error
    assert "x 3" in _texts(tmp_path)


def test_members_the_engine_does_not_route_are_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "self.spy.set_buying_power_model(Levered())", "pass")
    assert outcome.status == "failed"
    assert "Levered.get_leverage overriding BuyingPowerModel.get_leverage" in outcome.error
    other = tmp_path / "other"
    outcome = _run(other, lean_data, "self.spy.set_buying_power_model(object())", "pass")
    assert outcome.status == "failed" and "Security.set_buying_power_model(object)" in outcome.error
