"""Fee models written in Python and a security's custom properties, as LEAN defines them.

LEAN asks ``security.FeeModel.GetOrderFee(OrderFeeParameters(security, order))`` for the fill of each order, for
its buying-power check, and for each candidate market order (id 0) while sizing ``SetHoldings``
(``BuyingPowerModel.GetMaximumOrderQuantityForTargetBuyingPower``); the fee is charged to the cash and reported on
the fill's ``OrderEvent.OrderFee``. ``Security`` is a ``DynamicObject``: attributes the algorithm sets, ``Add``,
the indexer and ``Get<T>`` read and write the same custom properties.
"""

from __future__ import annotations

from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, run_source, spy_hours_algorithm, statistics

FEE_MODEL = """
class FlatFee(FeeModel):
    def __init__(self, algorithm, amount, currency="USD"):
        self.algorithm, self.amount, self.currency = algorithm, amount, currency

    def get_order_fee(self, parameters):
        order = parameters.order
        self.algorithm.debug(f"asked {order.id} {order.quantity:g} {parameters.security.symbol.value}")
        return OrderFee(CashAmount(self.amount, self.currency))
"""


def _run(tmp_path: Path, lean_data: Path, initialize: str, on_data: str) -> EngineOutcome:
    body = spy_hours_algorithm(
        initialize, on_data, "self.debug(f'event {event.order_id} {event.status.name} {event.order_fee}')"
    )
    return run_source(tmp_path, lean_data, FEE_MODEL + body)


def texts(tmp_path: Path) -> list[str]:
    return [line[20:] for line in debug_lines(tmp_path / "out")]


def test_the_fee_models_fee_is_charged_on_the_fill_and_reported_on_its_event(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_fee_model(FlatFee(self, 2.5))",
        "if not self.portfolio.invested:\n    self.market_order('SPY', 10)",
    )
    assert outcome.status == "completed", outcome.error
    lines = texts(tmp_path)
    assert "event 1 SUBMITTED 0 QCC" in lines  # LEAN's OrderFee.Zero on events that are not fills
    assert "event 1 FILLED 2.5 USD" in lines
    assert "asked 1 10 SPY" in lines  # the fill (and the buying-power check) ask with the order itself
    assert statistics(tmp_path / "out")["Total Fees"] == "$2.50"


def test_set_holdings_prices_each_candidate_as_a_market_order_with_id_zero(lean_data: Path, tmp_path: Path) -> None:
    """A fee of 10% of the portfolio comes off the target: LEAN sizes again with the fee taken off the value."""
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_fee_model(FlatFee(self, 10000))",
        "if not self.portfolio.invested:\n    self.set_holdings('SPY', 1)\n    self.quit()",
    )
    assert outcome.status == "completed", outcome.error
    lines = texts(tmp_path)
    sized = [line for line in lines if line.startswith("asked 0 ")]
    assert len(sized) >= 2  # the first candidate, then again once its fee is known
    filled = next(line for line in lines if line.startswith("asked 1 "))
    quantity = float(filled.split()[2])
    assert quantity == float(sized[-1].split()[2])
    price = 144.0  # about SPY's price on 2013-10-07; the quantity fits (100000 - 10000) * 0.9975 at leverage 1
    assert quantity * price < (100000 - 10000) * 0.9975 * 1.01
    assert quantity * price > (100000 - 10000) * 0.9975 * 0.97


def test_a_fee_in_another_currency_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_fee_model(FlatFee(self, 1, 'EUR'))",
        "if not self.portfolio.invested:\n    self.market_order('SPY', 10)",
    )
    assert outcome.status == "failed"
    assert "a fee in EUR" in outcome.error and "not supported" in outcome.error


def test_an_object_that_is_no_fee_model_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "self.spy.set_fee_model(object())", "pass")
    assert outcome.status == "failed"
    assert "Security.set_fee_model(object)" in outcome.error


def test_the_base_fee_model_charges_nothing(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        "self.spy.set_fee_model(FeeModel())",
        "if not self.portfolio.invested:\n    self.market_order('SPY', 10)",
    )
    assert outcome.status == "completed", outcome.error
    assert statistics(tmp_path / "out")["Total Fees"] == "$0.00"


CUSTOM_PROPERTIES = """
self.spy.slow = 1
self.spy.add("fast", 2)
self.spy["band"] = 3.5
self.debug(f"props {self.spy.slow} {self.spy['fast']} {self.spy.get[float]('band')} {self.spy.get[int]('fast')}")
self.debug(f"try {self.spy.try_get[int]('slow')} {self.spy.try_get[int]('missing')}")
self.spy.band = 4.5
self.debug(f"same {self.spy['band']} removed {self.spy.remove('slow')} {self.spy.remove('slow')}")
try:
    self.spy["slow"]
except KeyError as error:
    self.debug(f"missing {error}")
try:
    self.spy.get[str]("fast")
except TypeError as error:
    self.debug(f"cast {error}")
self.spy.clear()
self.debug(f"cleared {self.spy.try_get[float]('band')} {self.spy.symbol.value}")
"""


def test_custom_properties_are_one_store_for_attributes_add_indexer_and_get(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, CUSTOM_PROPERTIES, "pass")
    assert outcome.status == "completed", outcome.error
    lines = texts(tmp_path)
    assert "props 1 2 3.5 2" in lines
    assert "try (True, 1) (False, None)" in lines
    assert "same 4.5 removed True False" in lines
    assert any(line.startswith("missing ") and "'slow'" in line for line in lines)
    assert any(line.startswith("cast ") and "'fast'" in line and "str" in line for line in lines)
    assert "cleared (False, None) SPY" in lines  # clearing drops the custom properties only


def test_the_engines_own_state_is_no_custom_property(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "self.spy['price'] = 3", "pass")
    assert outcome.status == "failed"
    assert "Security custom property 'price'" in outcome.error
