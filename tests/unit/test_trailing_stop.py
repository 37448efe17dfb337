"""Trailing stop orders as LEAN's ``FillModel.TrailingStopFill`` and ``TrailingStopOrder`` define them, checked
against a simulation of those rules written here from LEAN's code (not from the engine), over the daily bars the
run saw; and LEAN's own TrailingStopOrderRegressionAlgorithm (outside the regression set) with its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest_core.engines.embedded.broker import trailing_stop_price
from bench.lean_regression import Case, run_case
from tests.unit.test_embedded_engine import ALGORITHMS, debug_lines, run


def lean_scan(order: dict, bar: tuple[float, float, float, float]) -> float | None:
    """One scan of LEAN's TrailingStopFill on a fresh bar in market hours: the fill price, or None after
    moving the stop (TryUpdateStopPrice on the high when selling, the low when buying)."""
    _, high, low, close = bar
    amount, fraction, stop = order["amount"], order["fraction"], order["stop"]
    if order["sell"]:
        if low <= stop:
            return min(stop, close)
        if high - stop > (high * amount if fraction else amount):
            order["stop"] = high * (1 - amount) if fraction else high - amount
    else:
        if high >= stop:
            return max(stop, close)
        if stop - low > (low * amount if fraction else amount):
            order["stop"] = low * (1 + amount) if fraction else low + amount
    return None


def test_trailing_stops_follow_and_fill_as_leans_fill_model(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "trailing_stops", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    lines = [line.split(" ", 2)[2] for line in debug_lines(tmp_path)]
    bars = [tuple(float(x) for x in line.split()[1:]) for line in lines if line.startswith("bar ")]
    # placed at the second close; from the third bar on, LEAN scans twice per time slice (before and after
    # OnData), so a stop moved by the first scan can fill in the second on the same bar
    close = bars[1][3]
    orders = {
        2: {"sell": True, "amount": 2.0, "fraction": False, "stop": close - 2.0},
        3: {"sell": False, "amount": 0.01, "fraction": True, "stop": close * 1.01},
    }
    fills = {}
    for bar in bars[2:]:
        for _ in range(2):
            for order_id, order in orders.items():
                if order_id not in fills and (price := lean_scan(order, bar)) is not None:
                    fills[order_id] = price
    assert {int(i): float(p) for i, p in (line.split()[1:] for line in lines if line.startswith("fill ") and
                                          not line.startswith("fill 1 "))} == fills  # fmt: skip
    finals = [line.split() for line in lines if line.startswith("final ")]
    assert [(int(i), float(stop), amount) for _, i, stop, _, amount in finals] == [
        (2, orders[2]["stop"], "2.0"), (3, orders[3]["stop"], "0.01")
    ]  # fmt: skip
    # LEAN's default tag (Messages.TrailingStopOrder.Tag): the amount in dollars, or the decimal times 100
    assert [line for line in lines if line.startswith("tag ")] == [
        "tag 2 Trailing Amount: $2",
        "tag 3 Trailing Amount: 1.00%",
    ]


@pytest.mark.parametrize(("price", "amount", "fraction", "buying", "expected"), [
    (100.0, 2.0, False, True, 102.0), (100.0, 2.0, False, False, 98.0),
    (100.0, 0.01, True, True, 101.0), (100.0, 0.01, True, False, 99.0),
])  # fmt: skip
def test_the_first_stop_is_leans_calculate_stop_price(price: float, amount: float, fraction: bool, buying: bool,
                                                      expected: float) -> None:  # fmt: skip
    assert trailing_stop_price(price, amount, fraction, buying) == pytest.approx(expected, abs=1e-12)


# LEAN's TrailingStopOrderRegressionAlgorithm (tests/algorithms/lean_trailing_stop_regression, LEAN commit 24863901,
# Apache-2.0, unmodified) and the statistics its C# twin declares, with its DataPoints (3943) and history points (0)
LEAN_TRAILING_STOP = {
    "Total Orders": "2", "Average Win": "0.02%", "Average Loss": "0%", "Compounding Annual Return": "1.833%",
    "Drawdown": "0.000%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "100023.22",
    "Net Profit": "0.023%", "Sharpe Ratio": "3.926", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "66.249%",
    "Loss Rate": "0%", "Win Rate": "100%", "Profit-Loss Ratio": "0", "Alpha": "-0.007", "Beta": "0.007",
    "Annual Standard Deviation": "0.002", "Annual Variance": "0", "Information Ratio": "-8.907",
    "Tracking Error": "0.221", "Treynor Ratio": "1.031", "Total Fees": "$2.00",
    "Estimated Strategy Capacity": "$36000000.00", "Lowest Capacity Asset": "SPY R735QTJ8XC9X",
    "Portfolio Turnover": "5.79%", "Drawdown Recovery": "0", "OrderListHash": "d56bac89a568c3a45cac595e69a35875",
}  # fmt: skip


def test_leans_trailing_stop_regression_algorithm_matches(lean_data: Path, tmp_path: Path) -> None:
    """Judged as LEAN's harness judges it: every statistic as a string, and both data-point counts."""
    case = Case("TrailingStopOrderRegressionAlgorithm", ALGORITHMS / "lean_trailing_stop_regression",
                LEAN_TRAILING_STOP, 3943, 0, {"ema-fast": "10", "ema-slow": "20"}, "Completed")  # fmt: skip
    result = run_case(case, lean_data, tmp_path / "out")
    assert result.verdict == "MATCH", result.reason
