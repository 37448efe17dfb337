"""LEAN's statistics recomputed from real LEAN results' own samples must print exactly as LEAN printed them."""

from pathlib import Path

import pytest

from backtest_core.engines.embedded.data import LeanDataFolder
from backtest_core.models import parse_statistic
from backtest_core.results import load_result
from backtest_core.stats import StatisticsInputs, as_decimal, compute_statistics

# Capacity needs each traded asset's market volume over time, which a result file does not hold.
NOT_FROM_RESULT = {"Estimated Strategy Capacity", "Lowest Capacity Asset"}


def _points(series):
    return [(stamp.timestamp(), float(value)) for stamp, value in series.items()]


@pytest.mark.parametrize(
    "fixture", ["cli2025-spy-minute-sma-301orders", "cli2025-spy-daily-13y", "cli2025-csharp-graham-667orders-large"]
)
def test_statistics_match_lean_exactly(fixture, lean_fixtures, lean_data):
    result = load_result(lean_fixtures / fixture)
    raw = result.statistics.raw
    inputs = StatisticsInputs(
        equity=_points(result.equity),
        daily_returns=_points(result.returns),
        benchmark=_points(result.benchmark),
        portfolio_turnover=_points(result.charts["Portfolio Turnover"].series["Portfolio Turnover"].values),
        profit_loss=[float(v) for v in result.profit_loss.to_numpy()],
        starting_capital=parse_statistic(raw["Start Equity"]),
        total_fees=parse_statistic(raw["Total Fees"]),
        total_orders=int(raw["Total Orders"]),
        risk_free_rate=LeanDataFolder(Path(lean_data)).risk_free_rate,
        psr_on_excess_returns=False,  # these results come from LEAN 2025, before PSR used excess returns
    )
    report = compute_statistics(inputs)
    assert [name for name in report.statistics if name in raw] == list(raw)  # LEAN's names, LEAN's order
    mismatches = {
        k: (v, report.statistics[k]) for k, v in raw.items() if k not in NOT_FROM_RESULT and report.statistics[k] != v
    }
    assert mismatches == {}
    portfolio = result.portfolio_statistics
    for key in ("sharpeRatio", "drawdown", "totalNetProfit", "annualVariance", "beta"):
        assert float(report.portfolio_statistics[key]) == pytest.approx(float(portfolio[key]), abs=1e-4)


def test_too_few_returns_reports_zeros_like_lean():
    inputs = StatisticsInputs(
        equity=[(0, 100000.0), (86400, 101000.0)], daily_returns=[(0, 0.0), (86400, 1.0), (172800, 0.5)],
        benchmark=[], portfolio_turnover=[(86400, 0.5)], profit_loss=[], starting_capital=100000,
        total_fees=1, total_orders=1, risk_free_rate=lambda day: 0.01,
    )  # fmt: skip
    statistics = compute_statistics(inputs).statistics
    assert statistics["Net Profit"] == "0%" and statistics["Sharpe Ratio"] == "0"
    # 0.5m * 100 is 50.0m in C# (scales add), printed "50.0"
    assert statistics["Portfolio Turnover"] == "50.0%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (101000.0, "101000"),
        (94421.59999999999, "94421.6"),  # DelistingEventsAlgorithm: 94421.60m, smart-rounded by the candle
        (103600.0001, "103600.00"),  # the last equity candle of the cli2025 BTCUSD fixture
        (100070.8996, "100070.90"),
        (101691.92, "101691.92"),
    ],
)
def test_end_equity_is_the_smart_rounded_last_candle_to_two_places(value: float, text: str) -> None:
    inputs = StatisticsInputs(
        equity=[(0, 100000.0), (86400, value)], daily_returns=[(0, 0.0), (86400, 1.0)], benchmark=[],
        portfolio_turnover=[], profit_loss=[], starting_capital=100000, total_fees=1, total_orders=1,
        risk_free_rate=lambda day: 0.01,
    )  # fmt: skip
    assert compute_statistics(inputs).statistics["End Equity"] == text


@pytest.mark.parametrize(
    ("value", "text"), [(0.1 + 0.2, "0.3"), (1.0, "1"), (0.0, "0"), (-2.9000000001, "-2.9000000001")]
)
def test_doubles_become_dotnet_decimals(value, text):
    assert str(as_decimal(value)) == text
