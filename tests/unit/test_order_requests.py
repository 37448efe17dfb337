"""Order requests the algorithm builds (``SubmitOrderRequest`` + ``transactions.add_order``), LEAN's text of an
``OrderEvent`` and ``Extensions.round_to_significant_digits``, as LEAN's sources define them."""

from __future__ import annotations

import re
from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from backtest_core.engines.embedded.extensions import Extensions
from tests.unit.test_embedded_engine import debug_lines, indented, run_source


def _run(tmp_path: Path, lean_data: Path, on_data: str) -> EngineOutcome:
    body = (
        "class Algo(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2013, 10, 7)\n"
        "        self.set_end_date(2013, 10, 8)\n"
        "        self.add_equity('SPY', Resolution.MINUTE)\n"
        "    def on_data(self, data):\n"
        "        if self.transactions.orders_count:\n"
        "            return\n"
        "        price = data['SPY'].price\n"
        f"{indented(on_data)}\n"
        "    def on_order_event(self, event):\n"
        "        self.debug(f'event {event}')\n"
    )
    return run_source(tmp_path, lean_data, body)


def _events(tmp_path: Path) -> list[str]:
    return [line.split(" event ", 1)[1] for line in debug_lines(tmp_path / "out") if " event " in line]


def test_a_limit_request_is_submitted_as_built(lean_data: Path, tmp_path: Path) -> None:
    on_data = """
        request = SubmitOrderRequest(OrderType.LIMIT, SecurityType.EQUITY, "SPY", 10, 0, price + 1, self.utc_time,
                                     "mine", asynchronous=True)
        ticket = self.transactions.add_order(request)
        self.debug(f"ticket {ticket.order_type.name} {ticket.tag} {ticket.get(OrderField.LIMIT_PRICE) - price:.2f} "
                   f"{ticket.submit_request.asynchronous}")
    """
    outcome = _run(tmp_path, lean_data, on_data)
    assert outcome.status == "completed", outcome.error
    assert any(line.endswith("ticket LIMIT mine 1.00 True") for line in debug_lines(tmp_path / "out"))
    # LEAN's OrderEvent.ToString: UTC time, status, quantity, the order's prices (smart-rounded), fee on fills
    submitted, filled = _events(tmp_path)[:2]
    assert re.fullmatch(
        r"Time: 10/07/2013 13:31:00 OrderID: 1 EventID: 1 Symbol: SPY Status: Submitted Quantity: 10 "
        r"LimitPrice: \$\d+\.\d+",
        submitted,
    ), submitted
    assert re.fullmatch(
        r"Time: 10/07/2013 13:32:00 OrderID: 1 EventID: 2 Symbol: SPY Status: Filled Quantity: 10 "
        r"FillQuantity: 10 FillPrice: \$\d+\.\d+ LimitPrice: \$\d+\.\d+ OrderFee: 1 USD",
        filled,
    ), filled


def test_an_update_to_zero_quantity_is_refused_and_the_order_kept(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's ``BrokerageTransactionHandler.UpdateOrder``: ``OrderResponse.ZeroQuantity``, no update event."""
    on_data = """
        ticket = self.limit_order("SPY", 5, price - 5)
        response = ticket.update_quantity(0, "zero")
        self.debug(f"zero {response.is_error} {response.error_code.name} {response.error_message}")
        self.debug(f"kept {ticket.quantity:g} {ticket.tag!r} {ticket.status.name}")
        ticket.update_quantity(4)
        self.debug(f"after {ticket.quantity:g} {ticket.status.name}")
    """
    outcome = _run(tmp_path, lean_data, on_data)
    assert outcome.status == "completed", outcome.error
    lines = [line[20:] for line in debug_lines(tmp_path / "out")]
    assert "zero True ORDER_QUANTITY_ZERO Unable to update order with id 1 that has zero quantity." in lines
    assert "kept 5 '' SUBMITTED" in lines
    assert "after 4 UPDATE_SUBMITTED" in lines  # LEAN's order status until the order's next event


def test_a_market_request_fills_at_once_with_leans_shorter_overload(lean_data: Path, tmp_path: Path) -> None:
    on_data = """
        request = SubmitOrderRequest(OrderType.MARKET, SecurityType.EQUITY, "SPY", -3, 0, 0, self.utc_time, "m")
        ticket = self.transactions.add_order(request)
        self.debug(f"status {ticket.status.name} {ticket.quantity_filled:g}")
    """
    outcome = _run(tmp_path, lean_data, on_data)
    assert outcome.status == "completed", outcome.error
    assert any(line.endswith("status FILLED -3") for line in debug_lines(tmp_path / "out"))
    assert re.fullmatch(r"Time: .* Status: Filled Quantity: -3 FillQuantity: -3 FillPrice: \$[\d.]+ OrderFee: 1 USD",
                        _events(tmp_path)[1])  # fmt: skip


def test_a_limit_if_touched_request_keeps_its_limit_and_trigger(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's constructor with a trigger price: ``(..., quantity, stop, limit, trigger, time, tag)``."""
    on_data = """
        request = SubmitOrderRequest(OrderType.LIMIT_IF_TOUCHED, SecurityType.EQUITY, "SPY", 1, 0, price - 1,
                                     price - 0.5, self.utc_time, "lit")
        ticket = self.transactions.add_order(request)
        self.debug(f"lit {ticket.order_type.name} {price - ticket.get(OrderField.LIMIT_PRICE):.2f} "
                   f"{price - ticket.get(OrderField.TRIGGER_PRICE):.2f} {ticket.status.name}")
    """
    outcome = _run(tmp_path, lean_data, on_data)
    assert outcome.status == "completed", outcome.error
    assert any(line.endswith("lit LIMIT_IF_TOUCHED 1.00 0.50 SUBMITTED") for line in debug_lines(tmp_path / "out"))


def test_cancel_open_orders_without_arguments_tags_when(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's ``CancelOpenOrders()`` tags each order "Canceled by CancelOpenOrders() at" the UTC time in .NET's
    round-trip format; ``CancelOpenOrders(symbol, tag)`` with the tag given (none: the order's own)."""
    on_data = """
        first, second = self.limit_order("SPY", 1, price - 5), self.limit_order("SPY", 1, price - 6)
        self.transactions.cancel_open_orders()
        third = self.limit_order("SPY", 1, price - 7, tag="c")
        self.transactions.cancel_open_orders(third.symbol)
        self.debug(f"tags {first.tag}|{second.tag}|{third.tag}|{first.status.name}")
    """
    outcome = _run(tmp_path, lean_data, on_data)
    assert outcome.status == "completed", outcome.error
    stamp = "Canceled by CancelOpenOrders() at 2013-10-07T13:31:00.0000000Z"
    assert any(line.endswith(f"tags {stamp}|{stamp}|c|CANCELED") for line in debug_lines(tmp_path / "out"))


def test_requests_the_engine_cannot_submit_as_built_are_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    trailing = tmp_path / "trailing"
    on_data = """
        self.transactions.add_order(SubmitOrderRequest(OrderType.TRAILING_STOP, SecurityType.EQUITY, "SPY", 1, 0,
                                                       0, 0, 1, False, self.utc_time, ""))
    """
    outcome = _run(trailing, lean_data, on_data)
    assert outcome.status == "failed" and "transactions.add_order of a TRAILING_STOP order" in outcome.error
    late = tmp_path / "late"
    on_data = """
        self.transactions.add_order(SubmitOrderRequest(OrderType.MARKET, SecurityType.EQUITY, "SPY", 1, 0, 0,
                                                       self.utc_time - timedelta(days=1), ""))
    """
    outcome = _run(late, lean_data, on_data)
    assert outcome.status == "failed" and "a time other than the algorithm's UTC time" in outcome.error


def test_round_to_significant_digits_rounds_the_decimal_to_even() -> None:
    assert Extensions.round_to_significant_digits(143.6123, 5) == 143.61
    assert Extensions.round_to_significant_digits(0.125, 2) == 0.12  # C#'s Math.Round: to even
    assert Extensions.round_to_significant_digits(0.135, 2) == 0.14
    assert Extensions.RoundToSignificantDigits(98765.4, 2) == 99000.0
    assert Extensions.round_to_significant_digits(0, 3) == 0.0
