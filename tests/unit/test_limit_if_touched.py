"""Limit-if-touched orders as LEAN's ``EquityFillModel.LimitIfTouchedFill`` defines them, against a simulation of
its rules written here from LEAN's code (not from the engine) over the minute bars and quotes the run saw."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_embedded_engine import ALGORITHMS, debug_lines, run


def test_limit_if_touched_orders_arm_on_the_trigger_and_fill_on_the_quote(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "limit_if_touched", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    lines = [(line[:19], line[20:]) for line in debug_lines(tmp_path)]
    price = next(float(text.split()[1]) for _, text in lines if text.startswith("placed "))
    orders = {1: {"buy": True, "trigger": price - 0.3, "limit": price - 0.15, "touched": False},
              2: {"buy": False, "trigger": price + 0.3, "limit": price + 0.15, "touched": False}}  # fmt: skip
    expected = {}
    for moment, text in lines:
        if not text.startswith("bar "):
            continue
        low, high, ask, bid = (float(x) for x in text.split()[1:])
        for order_id, order in orders.items():
            if order_id in expected:
                continue
            # once the bar trades at or through the trigger the order stays touched; then the best effort ask
            # (buy) or bid (sell), here the minute's quote, must be at or better than the limit
            order["touched"] |= low <= order["trigger"] if order["buy"] else high >= order["trigger"]
            if order["touched"] and order["buy"] and ask <= order["limit"]:
                expected[order_id] = (moment, min(ask, order["limit"]))
            elif order["touched"] and not order["buy"] and bid >= order["limit"]:
                expected[order_id] = (moment, max(bid, order["limit"]))
    fills = {
        int(text.split()[1]): (moment, float(text.split()[2])) for moment, text in lines if text.startswith("fill ")
    }
    assert fills == expected and len(fills) == 2
    triggers = [float(text.split()[3]) for _, text in lines if text.startswith("fill ")]
    assert sorted(triggers) == sorted(order["trigger"] for order in orders.values())
