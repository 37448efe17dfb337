"""The embedded engine on real LEAN data: LEAN's published figures, the API, errors, and the result format."""

from __future__ import annotations

import gc
import json
import re
import textwrap
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, EngineOutcome, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution
from backtest_core.results import load_result
from backtest_core.results.logs import parse_dates_line
from backtest_core.sample_data import write_sample_data

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
STRATEGIES = Path(__file__).parent.parent.parent / "strategies"


def run(project: Path, data: Path, out: Path, **overrides: object) -> EngineOutcome:
    job = EngineJob("test-run", "4242", project, data, out, RunOverrides(**overrides))
    return run_backtest(job)


def run_source(folder: Path, data: Path, source: str) -> EngineOutcome:
    """Run ``source`` (main.py after LEAN's import line) as ``folder/project``, writing ``folder/out``."""
    project = folder / "project"
    project.mkdir(parents=True)
    (project / "main.py").write_text("from AlgorithmImports import *\n" + source)
    return run(project, data, folder / "out")


def indented(code: str) -> str:
    """``code`` as the body of a method in a test algorithm (eight spaces in)."""
    return textwrap.indent(textwrap.dedent(code).strip(), " " * 8)


def spy_hours_algorithm(initialize: str, on_data: str, on_order_event: str) -> str:
    """A test algorithm over SPY's hour bars of 2013-10-07 and 08 with these method bodies: the frame the
    engine-model tests (fees, fills, buying power) share."""
    return (
        "class Algo(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2013, 10, 7)\n"
        "        self.set_end_date(2013, 10, 8)\n"
        "        self.spy = self.add_equity('SPY', Resolution.HOUR)\n"
        f"{indented(initialize)}\n"
        "    def on_data(self, data):\n"
        f"{indented(on_data)}\n"
        "    def on_order_event(self, event):\n"
        f"{indented(on_order_event)}\n"
    )


def statistics(out: Path) -> dict[str, str]:
    return json.loads((out / "4242.json").read_text())["statistics"]


def debug_lines(out: Path) -> list[str]:
    return (out / "4242-log.txt").read_text().splitlines()


# -- LEAN's own figures -------------------------------------------------------------------------------------


# LEAN's BasicTemplateAlgorithm: every statistic (the issue names the first nine). The Information Ratio
# rests on a tracking error of 0.001, so its last digit needs the daily returns smart-rounded as LEAN stores them.
LEAN_MINUTE_HOLD = {
    "Total Orders": "1", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "271.453%",
    "Drawdown": "2.200%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "101691.92",
    "Net Profit": "1.692%", "Sharpe Ratio": "8.854", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "67.459%",
    "Loss Rate": "0%", "Win Rate": "0%", "Profit-Loss Ratio": "0", "Alpha": "-0.005", "Beta": "0.996",
    "Annual Standard Deviation": "0.222", "Annual Variance": "0.049", "Information Ratio": "-14.565",
    "Tracking Error": "0.001", "Treynor Ratio": "1.97", "Total Fees": "$3.44", "Portfolio Turnover": "19.93%",
    "Drawdown Recovery": "3",
}  # fmt: skip


@pytest.mark.parametrize("project", ["hold_spy_minute_pascal", "scheduled_buy"])
def test_spy_minute_buy_and_hold_prints_leans_figures(lean_data: Path, tmp_path: Path, project: str) -> None:
    outcome = run(ALGORITHMS / project, lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    stats = statistics(tmp_path)
    assert {key: stats[key] for key in LEAN_MINUTE_HOLD} == LEAN_MINUTE_HOLD


def test_spy_daily_buy_and_hold_prints_leans_figures(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "hold_spy_daily", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    stats = statistics(tmp_path)
    expected = {
        "Total Orders": "1", "End Equity": "104486.22", "Net Profit": "4.486%", "Total Fees": "$3.49",
        "Drawdown": "0.800%", "Sharpe Ratio": "17.304",
    }  # fmt: skip
    assert {key: stats[key] for key in expected} == expected


# LEAN's published statistics for its regression algorithms (Algorithm.CSharp/*.cs ExpectedStatistics,
# LEAN master of 2026-08); capacity, OrderListHash and data points are checked by test_lean_regression.
LEAN_DAILY_HOLD = {
    "Total Orders": "1", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "424.375%",
    "Drawdown": "0.800%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "104486.22",
    "Net Profit": "4.486%", "Sharpe Ratio": "17.304", "Sortino Ratio": "35.217",
    "Probabilistic Sharpe Ratio": "96.710%", "Loss Rate": "0%", "Win Rate": "0%", "Profit-Loss Ratio": "0",
    "Alpha": "-0.249", "Beta": "1.015",
    "Annual Standard Deviation": "0.141", "Annual Variance": "0.02", "Information Ratio": "-19",
    "Tracking Error": "0.011", "Treynor Ratio": "2.403", "Total Fees": "$3.49", "Portfolio Turnover": "10.01%",
    "Drawdown Recovery": "1",
}  # fmt: skip
LEAN_TWO_TARGETS = {
    "Total Orders": "11", "Average Win": "0.00%", "Average Loss": "-0.01%", "Compounding Annual Return": "353.938%",
    "Drawdown": "2.300%", "Expectancy": "-0.749", "Start Equity": "100000", "End Equity": "101952.99",
    "Net Profit": "1.953%", "Sharpe Ratio": "11.757", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "65.498%",
    "Loss Rate": "75%", "Win Rate": "25%", "Profit-Loss Ratio": "0.00", "Alpha": "0.96", "Beta": "0.993",
    "Annual Standard Deviation": "0.248", "Annual Variance": "0.062", "Information Ratio": "8.324",
    "Tracking Error": "0.114", "Treynor Ratio": "2.942", "Total Fees": "$15.02", "Portfolio Turnover": "44.15%",
    "Drawdown Recovery": "2",
}  # fmt: skip


LEAN_SET_HOLDINGS_STEPS = {
    "Total Orders": "4", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "0%",
    "Drawdown": "0%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "98822.71", "Net Profit": "0%",
    "Sharpe Ratio": "0", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "0%", "Loss Rate": "0%",
    "Win Rate": "0%", "Profit-Loss Ratio": "0", "Alpha": "0", "Beta": "0", "Annual Standard Deviation": "0",
    "Annual Variance": "0", "Information Ratio": "0", "Tracking Error": "0", "Treynor Ratio": "0",
    "Total Fees": "$5.41", "Portfolio Turnover": "49.82%", "Drawdown Recovery": "0",
}  # fmt: skip
LEAN_EMA_BAND = {  # LEAN's regression run passes its launcher's parameters: ema-fast 10, ema-slow 20
    "Total Orders": "1", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "286.047%",
    "Drawdown": "0.300%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "101742.04",
    "Net Profit": "1.742%", "Sharpe Ratio": "23.023", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "0%",
    "Loss Rate": "0%", "Win Rate": "0%", "Profit-Loss Ratio": "0", "Alpha": "1.266", "Beta": "0.356",
    "Annual Standard Deviation": "0.086", "Annual Variance": "0.007", "Information Ratio": "-0.044",
    "Tracking Error": "0.147", "Treynor Ratio": "5.531", "Total Fees": "$3.45", "Portfolio Turnover": "19.72%",
    "Drawdown Recovery": "0",
}  # fmt: skip
LEAN_LIMIT_FILL = {  # resting limit orders on second bars: fills on fill-forward bars, equity prices unrounded
    "Total Orders": "35", "Average Win": "0.01%", "Average Loss": "-0.01%", "Compounding Annual Return": "-5.250%",
    "Drawdown": "0.300%", "Expectancy": "-0.200", "Start Equity": "100000", "End Equity": "99931.07",
    "Net Profit": "-0.069%", "Sharpe Ratio": "-1.105", "Sortino Ratio": "-1.712",
    "Probabilistic Sharpe Ratio": "40.992%", "Loss Rate": "50%", "Win Rate": "50%", "Profit-Loss Ratio": "0.60",
    "Alpha": "-0.223", "Beta": "0.1", "Annual Standard Deviation": "0.023", "Annual Variance": "0.001",
    "Information Ratio": "-9.985", "Tracking Error": "0.2", "Treynor Ratio": "-0.254", "Total Fees": "$34.00",
    "Portfolio Turnover": "9.86%", "Drawdown Recovery": "0",
}  # fmt: skip
LEAN_EXTENDED_MARKET = {  # pre/post-market bars (none outside LEAN's sessions), limit orders outside regular hours
    "Total Orders": "5", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "10.774%",
    "Drawdown": "0.100%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "100135.59",
    "Net Profit": "0.136%", "Sharpe Ratio": "8.723", "Sortino Ratio": "41.728",
    "Probabilistic Sharpe Ratio": "85.708%", "Loss Rate": "0%", "Win Rate": "0%", "Profit-Loss Ratio": "0",
    "Alpha": "0.005", "Beta": "0.039", "Annual Standard Deviation": "0.009", "Annual Variance": "0",
    "Information Ratio": "-8.852", "Tracking Error": "0.214", "Treynor Ratio": "2.102", "Total Fees": "$5.00",
    "Portfolio Turnover": "1.44%", "Drawdown Recovery": "2",
}  # fmt: skip
LEAN_STOP_LIMIT = {  # stop-limit orders on daily bars: they fill on a bar that ends at the close
    "Total Orders": "2", "Average Win": "1.28%", "Average Loss": "0%", "Compounding Annual Return": "0.318%",
    "Drawdown": "1.500%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "101277.61",
    "Net Profit": "1.278%", "Sharpe Ratio": "-0.791", "Sortino Ratio": "-0.433",
    "Probabilistic Sharpe Ratio": "0.000%", "Loss Rate": "0%", "Win Rate": "100%", "Profit-Loss Ratio": "0",
    "Alpha": "-0.009", "Beta": "0.03", "Annual Standard Deviation": "0.008", "Annual Variance": "0",
    "Information Ratio": "-0.963", "Tracking Error": "0.104", "Treynor Ratio": "-0.199", "Total Fees": "$2.00",
    "Portfolio Turnover": "0.02%", "Drawdown Recovery": "39",
}  # fmt: skip
LEAN_HOUR_SPLIT = {  # hour bars: the first bar of the day (9:00-10:00) overlaps the session and is kept
    "Total Orders": "1", "Average Win": "0%", "Average Loss": "0%", "Compounding Annual Return": "-0.068%",
    "Drawdown": "0.000%", "Expectancy": "0", "Start Equity": "100000", "End Equity": "99999.31",
    "Net Profit": "-0.001%", "Sharpe Ratio": "-128.305", "Sortino Ratio": "0", "Probabilistic Sharpe Ratio": "0%",
    "Loss Rate": "0%", "Win Rate": "0%", "Profit-Loss Ratio": "0", "Alpha": "0", "Beta": "0",
    "Annual Standard Deviation": "0", "Annual Variance": "0", "Information Ratio": "-9.163", "Tracking Error": "0",
    "Treynor Ratio": "0", "Total Fees": "$1.00", "Portfolio Turnover": "0.01%", "Drawdown Recovery": "0",
}  # fmt: skip


@pytest.mark.parametrize(
    ("project", "parameters", "expected"),
    [
        ("hold_spy_daily", {}, LEAN_DAILY_HOLD),
        ("two_targets_rebalanced", {}, LEAN_TWO_TARGETS),
        ("set_holdings_steps", {}, LEAN_SET_HOLDINGS_STEPS),
        ("ema_band", {"ema-fast": "10", "ema-slow": "20"}, LEAN_EMA_BAND),
        ("hourly_limit_orders", {}, LEAN_LIMIT_FILL),
        ("extended_hours_limits", {}, LEAN_EXTENDED_MARKET),
        ("stop_limit_trend", {}, LEAN_STOP_LIMIT),
        ("hour_bars_split", {}, LEAN_HOUR_SPLIT),
    ],
    ids=[
        "BasicTemplateDaily",
        "SetHoldingsMultipleTargets",
        "SetHoldingsRegression",
        "Parameterized",
        "LimitFill",
        "ExtendedMarketTrading",
        "StopLimitOrder",
        "HourSplit",
    ],
)
def test_every_statistic_matches_leans_regression_figures(lean_data: Path, tmp_path: Path, project: str,
                                                          parameters: dict[str, str],
                                                          expected: dict[str, str]) -> None:  # fmt: skip
    outcome = run(ALGORITHMS / project, lean_data, tmp_path, parameters=parameters)
    assert outcome.status == "completed", outcome.error
    stats = statistics(tmp_path)
    assert {key: stats[key] for key in expected} == expected


def test_result_folder_reads_back_like_lean_output(lean_data: Path, tmp_path: Path) -> None:
    run(ALGORITHMS / "hold_spy_minute_pascal", lean_data, tmp_path)
    result = load_result(tmp_path)
    assert result.equity.iloc[0] == 100000
    assert result.equity.iloc[-1] == pytest.approx(101691.92, abs=0.005)
    assert str(result.equity.index.tz) == "UTC"
    assert result.equity.index[0] == pd.Timestamp("2013-10-07 04:00", tz="UTC")  # start midnight, New York
    assert result.equity.index[-1] == pd.Timestamp("2013-10-11 20:00", tz="UTC")  # last bar's end
    assert len(result.orders) == 1
    order = result.orders.iloc[0]
    assert order["quantity"] == 688 and order["price"] == pytest.approx(144.78172417)
    fills = result.order_events[result.order_events["status"] == "Filled"]
    assert fills["order_fee_amount"].tolist() == [pytest.approx(3.44)]
    assert result.benchmark.iloc[-1] > 0
    assert {"Strategy Equity", "Drawdown", "Benchmark", "Portfolio Turnover"} <= set(result.charts)
    log = (tmp_path / "log.txt").read_text()
    assert parse_dates_line(log) is not None
    assert "STATISTICS:: End Equity 101691.92" in log
    summary = json.loads((tmp_path / "4242-summary.json").read_text())
    assert summary["statistics"]["End Equity"] == "101691.92"


def test_overrides_replace_the_algorithms_dates_and_cash(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "hold_spy_daily", lean_data, tmp_path, start_date=date(2013, 10, 8),
                  end_date=date(2013, 10, 11), initial_cash=50000)  # fmt: skip
    assert outcome.status == "completed", outcome.error
    result = load_result(tmp_path)
    assert result.statistics.raw["Start Equity"] == "50000"
    assert result.equity.index[-1].date() == date(2013, 10, 11)
    configuration = json.loads((tmp_path / "4242.json").read_text())["algorithmConfiguration"]
    assert configuration["startDate"].startswith("2013-10-08") and configuration["endDate"].startswith("2013-10-11")


# -- the API ---------------------------------------------------------------------------------------------------


def test_api_tour_schedules_indicators_history_orders_and_charts(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "api_tour", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    lines = debug_lines(tmp_path)
    opens = [line for line in lines if "open-check" in line]
    closes = [line for line in lines if "close-check" in line]
    assert [line.split()[-1] for line in opens] == ["10:00"] * 5  # after_market_open(30)
    assert [line.split()[-1] for line in closes] == ["15:55"] * 5  # before_market_close(5)
    sma_lines = [line.split() for line in lines if " sma " in line]
    assert len(sma_lines) > 30
    for words in sma_lines:  # automatic SMA == mean of history() == manually updated SMA
        assert words[5] == words[6] == words[7], words
        assert words[8] == "rows=20"
    summary = next(line for line in lines if "summary" in line)
    assert "eod=5" in summary and "ready=True" in summary and "bands=True" in summary and "atr=True" in summary
    result = load_result(tmp_path)
    orders = result.orders.set_index("id")
    limit, stop, cancelled = orders.loc[1], orders.loc[2], orders.loc[3]
    assert limit["type"] == "Limit" and limit["status"] == "Filled" and limit["price"] <= limit["limit_price"]
    assert stop["type"] == "StopMarket" and stop["status"] == "Filled" and stop["price"] <= stop["stop_price"]
    assert cancelled["status"] == "Canceled" and cancelled["tag"] == "not needed"
    tour = result.charts["Tour"]
    assert tour.series["SMA"].values.iloc[-1] == pytest.approx(float(sma_lines[-1][5]), rel=1e-6)


def test_scheduling_warm_up_and_remaining_order_types(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "api_tour_orders", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    lines = debug_lines(tmp_path)
    rules = [line.split(" rule ", 1)[1] for line in lines if " rule " in line and "every_2h" not in line]
    assert rules == ["week_start Mon 09:31", "every Mon 12:00", "every Wed 12:00"]
    assert "warm bars 30" in lines[-2]  # 30 minute bars of warm-up: the last half hour of the Friday before
    assert any("warm-up finished 2013-10-07 00:00 ready=True" in line for line in lines)
    indicators = dict(part.split("=") for part in next(line for line in lines if "indicators" in line).split()[3:])
    data = LeanDataFolder(lean_data)
    bars = data.read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "trade", date(2013, 10, 11),
                          date(2013, 10, 11))  # fmt: skip
    bars = data.adjusted(bars, "spy", ZoneInfo("America/New_York"))
    local_end = pd.to_datetime(bars.end_ns, utc=True).tz_convert("America/New_York")
    session = (local_end.time > time(9, 30)) & (local_end.time <= time(16, 0))  # no extended hours
    regular = bars.close[session]
    last = regular[-10:]
    assert float(indicators["max"]) == pytest.approx(bars.high[session][-10:].max(), abs=1e-6)  # LEAN: highs
    assert float(indicators["min"]) == pytest.approx(bars.low[session][-10:].min(), abs=1e-6)  # and lows
    assert float(indicators["std"]) == pytest.approx(last.std(), abs=1e-6)  # population deviation, as LEAN's
    assert float(indicators["roc"]) == pytest.approx(last[-1] / regular[-11] - 1, abs=1e-6)
    orders = load_result(tmp_path).orders.set_index("id")
    moc, stop_limit, moved, moo = (orders.loc[i] for i in (1, 2, 3, 4))
    assert moc["type"] == "MarketOnClose" and moc["last_fill_time"].strftime("%H:%M") == "20:00"  # the close
    assert stop_limit["type"] == "StopLimit" and stop_limit["price"] <= stop_limit["limit_price"]
    assert moved["limit_price"] > moved["price"] * 1.005  # the update moved the limit up, and then it filled
    assert moo["type"] == "MarketOnOpen" and moo["last_fill_time"].strftime("%m-%d %H:%M") == "10-09 13:31"


def test_example_strategies_run_on_real_data(lean_data: Path, tmp_path: Path) -> None:
    for name in ("buy_and_hold", "sma_crossover", "rsi_mean_reversion", "momentum_rotation"):
        out = tmp_path / name
        outcome = run(STRATEGIES / name, lean_data, out, start_date=date(2009, 1, 2), end_date=date(2013, 12, 31))
        assert outcome.status == "completed", f"{name}: {outcome.error}"
        result = load_result(out)
        assert len(result.orders) >= 1, name
        assert result.equity.index[0].date() == date(2009, 1, 2)


# -- errors --------------------------------------------------------------------------------------------------


def test_syntax_error_names_file_and_line_and_still_writes_a_failed_result(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "syntax_error", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert re.search(r"File: main\.py Line 6", outcome.error), outcome.error
    result = load_result(tmp_path)
    assert result.is_failed
    assert "SyntaxError" in (tmp_path / "log.txt").read_text()


def test_import_error_names_the_module_and_line(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "import_error", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert "a_module_that_does_not_exist" in outcome.error and "main.py: line 2" in outcome.error


def test_runtime_error_in_on_data_keeps_partial_result_and_log(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "raises_in_on_data", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert outcome.error.startswith("Runtime Error: ZeroDivisionError")
    assert "in main.py: line 20" in outcome.error and "in main.py: line 17" in outcome.error
    assert "Traceback" in outcome.traceback
    result = load_result(tmp_path)
    assert result.is_failed
    assert len(result.orders) == 1  # the order placed before the error
    assert result.equity.index[-1] < pd.Timestamp("2013-10-11", tz="UTC")  # stopped early, result kept
    assert any("bought half" in line for line in debug_lines(tmp_path))
    assert "Runtime Error: ZeroDivisionError" in (tmp_path / "log.txt").read_text()
    # LEAN's shape of a run that died (as in the lean CLI fixture cli2024-ondata-runtimeerror): the equity
    # candle closes at the failing bar (10/08 11:20 New York), the daily series end at the last midnight
    charts = json.loads((tmp_path / "4242.json").read_text())["charts"]
    last = {name: series["values"][-1][0] for chart in charts.values() for name, series in chart["series"].items()}
    failing_bar, midnight = int(datetime(2013, 10, 8, 15, 20, tzinfo=UTC).timestamp()), 1381204800
    assert last["Equity"] == failing_bar
    assert last["Return"] == last["Benchmark"] == last["Equity Drawdown"] == last["Portfolio Turnover"] == midnight


def test_a_waiting_order_whose_margin_is_gone_turns_invalid(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's backtesting brokerage checks buying power before every fill attempt, not only when an order is
    placed: a resting limit buy that fitted at 9:31 no longer does once a market buy has used the margin."""
    outcome = run(ALGORITHMS / "margin_gone", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    orders = json.loads((tmp_path / "4242.json").read_text())["orders"]
    assert [(order["type"], order["status"]) for order in orders.values()] == [(1, 7), (0, 3)]  # invalid, filled
    invalid = [line for line in debug_lines(tmp_path) if "invalid at" in line]
    assert len(invalid) == 1 and "2013-10-07 09:32:00" in invalid[0]
    assert "Insufficient buying power to complete orders" in invalid[0] and "Id: 1," in invalid[0]
    assert statistics(tmp_path)["Total Orders"] == "2"


def test_a_run_leaves_the_cyclic_collector_as_it_found_it(lean_data: Path, tmp_path: Path) -> None:
    """Runs tune the collector for their time loop (tests and benchmarks run them in this process)."""
    before = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    for project in ("raises_in_on_data", "hold_spy_minute_pascal"):
        run(ALGORITHMS / project, lean_data, tmp_path / project)
        assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_missing_data_names_symbol_resolution_and_folder(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "missing_data", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert "ZZZQ" in outcome.error and "minute" in outcome.error
    assert str(lean_data / "equity" / "usa" / "minute") in outcome.error


def test_unsupported_api_fails_with_its_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "unsupported_api", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert "add_option" in outcome.error and "not supported" in outcome.error


def test_crypto_and_forex_fill_at_quotes_without_fees(lean_data: Path, tmp_path: Path) -> None:
    for name in ("crypto_and_forex", "forex_daily"):
        out = tmp_path / name
        outcome = run(ALGORITHMS / name, lean_data, out)
        assert outcome.status == "completed", f"{name}: {outcome.error}"
        result = load_result(out)
        buy = result.orders.iloc[0]
        assert buy["status"] == "Filled" and buy["quantity"] > 0
        assert buy["price"] == pytest.approx(buy["ask_price"])  # a market buy pays the ask
        assert result.statistics.raw["Total Fees"] == "$0.00"  # LEAN's default model: no crypto/forex fees
    crypto = load_result(tmp_path / "crypto_and_forex")
    assert crypto.orders["status"].tolist() == ["Filled", "Filled"]
    assert crypto.orders.iloc[1]["quantity"] == -crypto.orders.iloc[0]["quantity"]


def test_fill_forward_repeats_the_last_bar_while_the_market_is_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_sample_data(data, start=date(2020, 12, 28), end=date(2020, 12, 31), minute_days=2, tickers=("SPY", "QQQ"))
    for part in ("trade", "quote"):  # QQQ has no minute data on the last day
        (data / "equity" / "usa" / "minute" / "qqq" / f"20201231_{part}.zip").unlink()
    outcome = run(ALGORITHMS / "fill_forward", data, tmp_path / "out")
    assert outcome.status == "completed", outcome.error
    lines = debug_lines(tmp_path / "out")
    assert any("qqq real=390 filled=390" in line for line in lines), lines[-3:]
    first = next(line for line in lines if "first fill-forward" in line)
    assert "2020-12-31 09:31" in first


def test_small_lean_api_details(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "api_details", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    log = (tmp_path / "4242-log.txt").read_text()
    line = next(line for line in log.splitlines() if " details " in line)
    assert "warmup_calls=1 " in line  # LEAN calls it once even without a warm-up period
    assert "counts=[1] " in line and "bands=BB ready=True" in line
    benchmark = json.loads((tmp_path / "4242.json").read_text())["charts"]["Benchmark"]["series"]["Benchmark"]
    stamps_and_values = [(datetime.fromtimestamp(t, UTC).day, v) for t, v in benchmark["values"]]
    assert len(stamps_and_values) >= 3 and all(value == 100 + day for day, value in stamps_and_values)
    assert [text for text in log.splitlines() if " scheduled at " in text] == [  # date_rules.on(y, m, d)
        "2013-10-07 13:00:00 scheduled at 2013-10-07 13:00 open=True",
        "2013-10-07 17:00:00 scheduled at 2013-10-07 17:00 open=False",
    ]
    orders = json.loads((tmp_path / "4242.json").read_text())["orders"]
    open_limits = sum(1 for order in orders.values() if order["type"] == 1 and order["status"] != 3)
    assert f"tickets={len(orders)} " in line and f"open={open_limits}" in line
    assert f"limits={sum(1 for order in orders.values() if order['type'] == 1)} " in line


def test_ticket_requests_events_and_market_on_close_buffer(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's OrderTicket/BrokerageTransactionHandler/PreOrderChecks, derived from its sources: the ticket's time
    is its latest request's (submit 9:31, update 9:33, cancel 9:35); cancelling a filled order is an
    InvalidOrderStatus (-9) yet takes the tag, and a cancel after a failed one is processed again; every event
    holds its ticket, the order's quantity and (for a limit) its limit; at 15:44 a market-on-close order is
    made (16:00 - 15.5 min = 15:44:30), at 15:45 it is refused without an order (an invalid ticket)."""
    outcome = run(ALGORITHMS / "ticket_requests", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    log = "\n".join(debug_lines(tmp_path))
    assert "tickets time=0:02:00 remaining=10.0/10.0 none=0 requests=1" in log
    assert "cancels time=0:04:00 filled=-9:too late again=-9:retry" in log
    assert "moc 15:44 ticket=3:SUBMITTED orders=3" in log
    assert "moc 15:45 ticket=0:INVALID orders=3" in log  # OrderTicket.InvalidSubmitRequest: id 0, no order
    assert "MarketOnClose orders must be placed within 00:15:30 before market close." in log
    events = next(line for line in log.splitlines() if " events " in line).split(" events ")[1].split()
    limit = events[0].split(":")
    assert limit[:3] == ["1", "SUBMITTED", "1"] and float(limit[3]) > 0 and limit[4] == "10.0"
    assert all(event.split(":")[0] == event.split(":")[2] for event in events)
    assert any(event.startswith("2:FILLED:2:None:3.0") for event in events)


def test_universe_changes_while_running(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's AddSecurity/RemoveSecurity after initialize, derived from QCAlgorithm.RemoveSecurity,
    OnEndOfTimeStep, DataManager and AlgorithmManager: the initial universe's change at the start (00:00), an
    addition at 9:31 heard at the end of that step (tickers in order) with AIG's first bar the one ending 9:32,
    and its price unseeded (SeedInitialPrices is off); a removal cancels the open order and liquidates with the
    tag "Removed" at once, leaves the security untradable (an order for it gets an invalid ticket), and no AIG
    bar arrives after it."""
    outcome = run(ALGORITHMS / "universe_changes", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    lines = [line.split(" ", 2)[2] for line in debug_lines(tmp_path) if line.startswith("2013-")][1:]
    assert lines[:4] == [
        "changed 07 00:00 added=SPY removed= count=1",
        "added 09:31 in_data=False price=0.0",
        "changed 07 09:31 added=AIG,BAC removed= count=2",
        "first AIG bar 09:32 09:32",
    ]
    assert lines[4:11] == [
        "order 07 10:00 AIG FILLED 100.0 tag=",
        "order 08 10:00 AIG CANCELED 100.0 tag=Removed",
        "order 08 10:00 AIG FILLED -100.0 tag=Removed",
        "removed True unknown=False holding=0.0 tradable=False open=0",
        "The security with symbol 'AIG' is marked as non-tradable.",  # PreOrderChecks: an invalid ticket, id 0
        "order after removal 0:INVALID",
        "changed 08 10:00 added= removed=AIG count=1",
    ]
    assert "after removal AIG bars=0" in lines[-1]


def test_universe_change_with_events_ahead_is_refused(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "universe_change_refused", lean_data, tmp_path)
    assert outcome.status == "failed"
    assert "add_equity(AAPL) with splits, dividends, renames or a delisting ahead in the run is not supported" in (
        outcome.error or ""
    )


def test_order_responses_and_positional_arguments(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "order_responses", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    log = (tmp_path / "4242-log.txt").read_text()
    line = next(line for line in log.splitlines() if " responses " in line)
    # LEAN's OrderTicket.Cancel refuses a second cancel itself, before the transaction handler sees it
    assert "cancel=True again=True:-23:Order 1 has already received a cancellation request." in line
    assert "tag=True:tag after cancel quantity=True fill_tag=True:tag after fill async=True/False" in line
