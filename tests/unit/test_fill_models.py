"""Fill and slippage models written in Python, asked as LEAN's ``BacktestingBrokerage`` asks them.

At each scan of an open order LEAN calls the security's ``FillModel.Fill(FillModelParameters)`` and applies the
fills it returns: an empty ``Fill`` leaves the order open for the next scan, a partial fill leaves the rest open
(only the last fill pays the fee); ``super().fill`` and ``super().market_fill`` are LEAN's own rules
(``EquityFillModel`` for equities, the base ``FillModel`` for ``ImmediateFillModel``).
"""

from __future__ import annotations

from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, indented, run_source, spy_hours_algorithm

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

class ThreeCalls(ImmediateFillModel):
    calls = 0

    def market_fill(self, asset, order):
        fill = super().market_fill(asset, order)
        self.calls += 1
        fill.fill_quantity = {1: 6, 2: 0}.get(self.calls, order.quantity - order.quantity_filled)
        if self.calls < 3:
            fill.status = OrderStatus.PARTIALLY_FILLED
        return fill

class NothingFirst(ImmediateFillModel):
    def market_fill(self, asset, order):
        fill = super().market_fill(asset, order)
        if order.status == OrderStatus.SUBMITTED:
            fill.fill_quantity = 0
            fill.status = OrderStatus.PARTIALLY_FILLED
        return fill

class OwnMarket(EquityFillModel):
    def market_fill(self, asset, order):
        return None

class OwnLimit(EquityFillModel):
    def limit_fill(self, asset, order):
        return None

class Nickel:
    def get_slippage_approximation(self, asset, order):
        return 0.05
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


def _events_run(initialize: str, tmp_path: Path, lean_data: Path, trade: str = "") -> EngineOutcome:
    """A run placing an order (10 shares at market) at 10:00 each day with no order open; each fill logs its
    status, quantity, price, fee and the holdings and mean fill price after it, with the bar's open and close."""
    body = spy_hours_algorithm(
        initialize,
        "if not self.transactions.get_open_orders() and self.time.hour == 10:\n"
        f"    {trade or 'self.market_order(self.spy.symbol, 10, True)'}",
        "if event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):\n"
        "    self.debug(f'EVENT {event.status.name} {event.fill_quantity} {event.fill_price} '\n"
        "               f'{self.spy.open} {self.spy.close} {event.order_fee.value.amount} '\n"
        "               f'{self.spy.holdings.quantity} {event.ticket.average_fill_price}')",
    )
    return run_source(tmp_path, lean_data, MODELS + body)


def _events(initialize: str, tmp_path: Path, lean_data: Path) -> list[tuple[str, list[float], str]]:
    """The fills of :func:`_events_run`: status, figures, time of day."""
    outcome = _events_run(initialize, tmp_path, lean_data)
    assert outcome.status == "completed", outcome.error
    lines = [line for line in _lines(tmp_path) if " EVENT " in line]
    return [(line.split()[3], [float(x) for x in line.split()[4:]], line[11:19]) for line in lines]


def test_partial_fills_leave_the_rest_open_and_the_last_pays_the_fee(lean_data: Path, tmp_path: Path) -> None:
    """The base FillModel fills a market order at the close of the bar it was placed on; a fill of nothing
    that leaves the status as it was is no event; the rest, resting since before the next hour bar began,
    fills at that bar's open (LEAN's GetMarketFillPrice at hour resolution)."""
    (part, first, part_time), (last, second, last_time) = _events(
        "self.spy.set_fill_model(ThreeCalls())", tmp_path, lean_data
    )[:2]
    part_qty, part_price, _, close, part_fee, held, mean = first
    last_qty, price, open_, _, fee, held_after, mean_after = second
    assert (part, part_qty, part_fee, held, part_price, mean) == ("PARTIALLY_FILLED", 6, 0, 6, close, part_price)
    assert (last, last_qty, held_after, price, fee) == ("FILLED", 4, 10, open_, 1.0)
    assert (part_time, last_time) == ("10:00:00", "11:00:00")
    assert mean_after == (6 * part_price + 4 * price) / 10


def test_a_fill_of_nothing_changes_the_status_once(lean_data: Path, tmp_path: Path) -> None:
    events = _events("self.spy.set_fill_model(NothingFirst())", tmp_path, lean_data)
    assert [(status, figures[0]) for status, figures, _ in events[:2]] == [("PARTIALLY_FILLED", 0), ("FILLED", 10)]
    assert events[1][1][1] == events[1][1][3] and events[1][1][4] == 1.0  # at the close, the fee on the last


def test_a_slippage_model_moves_market_fills(lean_data: Path, tmp_path: Path) -> None:
    plain = _events("pass", tmp_path / "plain", lean_data)
    slipped = _events("self.spy.set_slippage_model(Nickel())", tmp_path / "slipped", lean_data)
    assert len(plain) == 2 and [event[1][1] + 0.05 for event in plain] == [event[1][1] for event in slipped]
    stop = "self.stop_market_order(self.spy.symbol, 10, 1.0)"
    outcome = _events_run("self.spy.set_slippage_model(Nickel())", tmp_path / "stop", lean_data, stop)
    assert outcome.status == "failed" and "a slippage model on STOP_MARKET orders is not supported" in outcome.error


def test_what_the_engine_lacks_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path / "own", lean_data, "self.spy.set_fill_model(OwnMarket())")
    assert outcome.status == "failed" and "OwnMarket.market_fill returning NoneType" in outcome.error
    outcome = _run(tmp_path / "limit", lean_data, "self.spy.set_fill_model(OwnLimit())")
    assert outcome.status == "failed" and "OwnLimit.limit_fill overriding FillModel.limit_fill" in outcome.error
    limit = "self.limit_order(self.spy.symbol, 10, 1.0)"
    outcome = _events_run("self.spy.set_fill_model(ImmediateFillModel())", tmp_path / "immediate", lean_data, limit)
    assert outcome.status == "failed" and "LEAN's FillModel rules for LIMIT orders of equities" in outcome.error
