"""Fill models written in Python, asked as LEAN's ``BacktestingBrokerage`` asks them.

At each scan of an open order LEAN calls the security's ``FillModel.Fill(FillModelParameters)`` and applies the
fills it returns: an empty ``Fill`` leaves the order open for the next scan; ``super().fill`` is LEAN's own rules
(``EquityFillModel`` for equities).
"""

from __future__ import annotations

from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, indented, run_source

MODELS = """
class ForwardOnly(EquityFillModel):
    def fill(self, parameters):
        local = Extensions.convert_from_utc(parameters.order.time, parameters.security.exchange.time_zone)
        bar = parameters.security.cache.get_data(TradeBar)
        if bar is not None and local <= bar.end_time:
            return super().fill(parameters)
        return Fill([])

class Same(EquityFillModel):
    def fill(self, parameters):
        return super().fill(parameters)

class Halves(EquityFillModel):
    def fill(self, parameters):
        fill = list(super().fill(parameters))[0]
        fill.fill_quantity = parameters.order.quantity / 2
        fill.status = OrderStatus.PARTIALLY_FILLED
        return Fill([fill])

class OwnMarket(EquityFillModel):
    def market_fill(self, asset, order):
        return None
"""


def _run(tmp_path: Path, lean_data: Path, initialize: str) -> EngineOutcome:
    body = (
        "class Algo(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2013, 10, 7)\n"
        "        self.set_end_date(2013, 10, 11)\n"
        "        self.spy = self.add_equity('SPY', Resolution.HOUR)\n"
        f"{indented(initialize)}\n"
        "        self.schedule.on(self.date_rules.every_day(), self.time_rules.after_market_open('SPY'), self.trade)\n"
        "    def trade(self):\n"
        "        ticket = self.market_order('SPY', 1 if self.time.day % 2 else -1)\n"
        "        self.debug(f'placed {ticket.status.name}')\n"
        "    def on_order_event(self, event):\n"
        "        if event.status == OrderStatus.FILLED:\n"
        "            self.debug(f'filled {event.fill_price}')\n"
    )
    return run_source(tmp_path, lean_data, MODELS + body)


def _lines(tmp_path: Path) -> list[str]:
    return debug_lines(tmp_path / "out")


def test_an_empty_fill_leaves_the_order_open_for_newer_data(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "self.spy.set_fill_model(ForwardOnly())")
    assert outcome.status == "completed", outcome.error
    lines = _lines(tmp_path)
    placed = [line for line in lines if line.endswith(" placed SUBMITTED")]
    fills = [line for line in lines if " filled " in line]
    assert len(placed) >= 3 and {line[11:19] for line in placed} == {"09:30:00"}
    assert [line[11:19] for line in fills] == ["10:00:00"] * len(placed)  # the first hour bar after each order


def test_the_base_fill_is_leans_equity_fill(lean_data: Path, tmp_path: Path) -> None:
    default = tmp_path / "default"
    assert _run(default, lean_data, "pass").status == "completed"
    same = tmp_path / "same"
    outcome = _run(same, lean_data, "self.spy.set_fill_model(Same())")
    assert outcome.status == "completed", outcome.error
    fills = [line for line in _lines(default) if " filled " in line]
    assert len(fills) >= 3 and fills == [line for line in _lines(same) if " filled " in line]


def test_partial_fills_and_per_order_type_members_are_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    halves = tmp_path / "halves"
    outcome = _run(halves, lean_data, "self.spy.set_fill_model(Halves())")
    assert outcome.status == "failed" and "Halves.fill with a partial fill" in outcome.error
    own = tmp_path / "own"
    outcome = _run(own, lean_data, "self.spy.set_fill_model(OwnMarket())")
    assert outcome.status == "failed" and "OwnMarket.market_fill overriding FillModel.market_fill" in outcome.error
    immediate = tmp_path / "immediate"
    outcome = _run(immediate, lean_data, "self.spy.set_fill_model(ImmediateFillModel())")
    assert outcome.status == "failed" and "ImmediateFillModel for equity securities" in outcome.error
