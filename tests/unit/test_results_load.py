"""load_result on every real LEAN result in the shared fixtures: values checked against the raw JSON (read
here with plain ``json``) and against facts documented in the fixtures' SOURCES.md.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from backtest_core.results import LeanResult, load_result

FOLDERS = [
    "cli2022-gaptrading-zero-orders",
    "cli2022-init-syntaxerror",
    "cli2022-tqqq-daily-customdata-110orders",
    "cli2024-msft-options-10y-nodata",
    "cli2024-ondata-runtimeerror",
    "cli2025-btcusd-minute-supertrend",
    "cli2025-csharp-graham-667orders-large",
    "cli2025-spy-daily-13y",
    "cli2025-spy-minute-sma-301orders",
    "cloud2025-qqq-options-449orders",
    "launcher2026-leanbot-multirun",
    "lean2020-testdata-basictemplate",
]


def raw_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def pick(obj: dict, name: str) -> object:
    """A key in whichever case LEAN used (camelCase from 2024-05, PascalCase before)."""
    return obj.get(name, obj.get(name[0].upper() + name[1:]))


def raw_points(chart_series: dict) -> list:
    return pick(chart_series, "values")


def point_time(point: list | dict) -> pd.Timestamp:
    seconds = point["x"] if isinstance(point, dict) else point[0]
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def point_close(point: list | dict) -> float:
    return point["y"] if isinstance(point, dict) else point[-1]


@pytest.fixture(scope="module")
def results(lean_fixtures: Path) -> dict[str, LeanResult]:
    return {name: load_result(lean_fixtures / name) for name in FOLDERS}


def test_every_fixture_folder_is_covered(lean_fixtures: Path):
    on_disk = sorted(p.name for p in lean_fixtures.iterdir() if p.is_dir())
    assert on_disk == sorted(FOLDERS)


@pytest.mark.parametrize("name", FOLDERS)
def test_result_matches_raw_json(results, name):
    result = results[name]
    raw = raw_json(result.path)
    assert result.statistics.raw == {k: str(v) for k, v in (pick(raw, "statistics") or {}).items()}
    assert result.runtime_statistics == pick(raw, "runtimeStatistics")
    assert len(result.orders) == len(pick(raw, "orders") or {})
    assert set(result.charts) == set(pick(raw, "charts") or {})
    for chart_name, chart in (pick(raw, "charts") or {}).items():
        for series_name, series in pick(chart, "series").items():
            assert len(result.charts[chart_name].series[series_name]) == len(raw_points(series))
    closed = pick(pick(raw, "totalPerformance"), "closedTrades")
    assert len(result.closed_trades) == len(closed)
    state = pick(raw, "state")
    if state:
        assert result.status == state["Status"]


@pytest.mark.parametrize("name", FOLDERS)
def test_equity_is_candle_close_with_utc_index(results, name):
    result = results[name]
    raw = raw_json(result.path)
    charts = pick(raw, "charts")
    assert isinstance(result.equity.index, pd.DatetimeIndex)
    assert str(result.equity.index.tz) == "UTC"
    if "Strategy Equity" not in charts:
        assert result.equity.empty
        return
    points = raw_points(pick(charts["Strategy Equity"], "series")["Equity"])
    assert len(result.equity) == len(points)
    assert result.equity.index[0] == point_time(points[0])
    assert result.equity.index[-1] == point_time(points[-1])
    assert result.equity.iloc[-1] == pytest.approx(point_close(points[-1]))
    assert list(result.equity_ohlc.columns) == ["open", "high", "low", "close"]
    assert (result.equity_ohlc["close"].to_numpy() == result.equity.to_numpy()).all()


def test_spy_minute_orders_equity_and_statistics(results):
    result = results["cli2025-spy-minute-sma-301orders"]
    assert result.algorithm_id == "1186467672"
    assert len(result.orders) == 301
    assert len(result.order_events) == 602
    assert len(result.closed_trades) == 150
    assert result.statistics.value("End Equity") == 98118.51
    assert result.equity.iloc[-1] == pytest.approx(98118.51)
    assert result.statistics.value("Sharpe Ratio") == -2.036
    assert result.statistics.raw["Lowest Capacity Asset"] == "SPY R735QTJ8XC9X"
    assert result.statistics.value("Total Orders") == 301
    assert set(result.orders["type"]) == {"Market"}
    assert set(result.orders["status"]) == {"Filled"}
    assert set(result.orders["direction"]) == {"Buy", "Sell"}
    assert set(result.orders["security_type"]) == {"Equity"}
    assert result.orders["id"].tolist() == list(range(1, 302))
    assert result.orders["time"].iloc[0] == pd.Timestamp("2023-01-03T15:43:00Z")
    assert set(result.order_events["status"]) == {"Submitted", "Filled"}
    assert result.order_events["time"].is_monotonic_increasing
    first_trade = result.closed_trades.iloc[0]
    assert first_trade["symbol"] == "SPY"
    assert first_trade["direction"] == "Long"
    assert first_trade["profit_loss"] == -146.32
    assert first_trade["duration"] == pd.Timedelta(minutes=28)
    assert first_trade["order_ids"] == [1, 2]
    assert result.start_date == date(2023, 1, 1)
    assert result.end_date == date(2023, 1, 31)
    assert result.summary is not None and result.summary["statistics"]["End Equity"] == "98118.51"
    assert not result.is_failed


def test_filled_quantity_in_events_matches_orders(results):
    """Fill events carry the signed fill quantity; per order they add up to the order quantity."""
    result = results["cli2025-spy-minute-sma-301orders"]
    fills = result.order_events[result.order_events["status"] == "Filled"]
    filled = fills.groupby("order_id")["fill_quantity"].sum()
    quantities = result.orders.set_index("id")["quantity"]
    assert (filled.reindex(quantities.index) == quantities).all()


def test_tqqq_pascalcase_xy_points_and_kebab_order_events(results):
    result = results["cli2022-tqqq-daily-customdata-110orders"]
    assert len(result.orders) == 110
    assert len(result.order_events) == 220
    assert len(result.closed_trades) == 55
    assert set(result.orders["security_type"]) == {"Base"}
    events = result.order_events
    assert events["order_id"].tolist()[:2] == [1, 1]
    assert events["symbol_id"].iloc[0] == "TQQQ.YahooData 2S"
    first_fill = events[events["status"] == "Filled"].iloc[0]
    assert first_fill["fill_price"] == pytest.approx(result.orders["price"].iloc[0])
    assert result.returns.name == "Daily Performance"
    assert len(result.returns) == 365
    assert result.closed_trades["profit_loss"].sum() == pytest.approx(-2189.83, abs=0.01)
    assert result.trade_statistics["totalNumberOfTrades"] == 55
    # no algorithmConfiguration in 2022: the period comes from the log's Dates: line
    assert result.start_date == date(2021, 1, 1)
    assert result.end_date == date(2022, 1, 1)
    assert result.status == "Completed"


def test_msft_array_points_and_total_trades_name(results):
    result = results["cli2024-msft-options-10y-nodata"]
    assert result.statistics.value("Total Orders", "Total Trades") == 0
    assert len(result.equity) == 3657
    assert result.equity.index[0] == pd.Timestamp("2010-10-07 04:00:00", tz="UTC")
    assert result.start_date == date(2010, 10, 7)
    assert result.end_date == date(2020, 10, 11)
    assert result.started_at == datetime(2024, 3, 6, 13, 36, 46, tzinfo=UTC)
    assert result.charts["Portfolio Margin"].series == {}
    assert result.returns.name == "Return"


def test_runtime_error_run_exposes_error_and_stack(results):
    result = results["cli2024-ondata-runtimeerror"]
    assert result.status == "RuntimeError"
    assert result.is_failed
    assert result.runtime_error.startswith("Runtime Error: Argument type should be Symbol or a list of Symbol.")
    assert "plot_market" in result.stack_trace
    assert len(result.equity) == 4


def test_init_syntax_error_parses_with_empty_parts(results):
    result = results["cli2022-init-syntaxerror"]
    assert result.charts == {}
    assert result.orders.empty and "status" in result.orders.columns
    assert result.order_events.empty
    assert result.closed_trades.empty
    assert result.statistics.raw == {}
    assert result.equity.empty and str(result.equity.index.tz) == "UTC"
    assert result.drawdown.empty and result.benchmark.empty and result.returns.empty
    # no state block in 2022: the error is read from log.txt
    assert result.is_failed
    assert result.status == "RuntimeError"
    assert "SyntaxError : invalid syntax (main.py, line 35)" in result.runtime_error
    assert result.log_statistics["OrderListHash"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert result.algorithm_log == ""


def test_csharp_large_result(results):
    result = results["cli2025-csharp-graham-667orders-large"]
    assert len(result.orders) == 667
    assert len(result.order_events) == 1497
    assert len(result.closed_trades) == 309
    assert set(result.orders["type"]) == {"Market", "MarketOnOpen"}
    assert set(result.orders["status"]) == {"Filled", "Canceled"}
    margin = result.charts["Portfolio Margin"]
    assert {s.series_type for s in margin.series.values()} == {"StackedArea"}
    assert any(s.points["value"].isna().any() for s in margin.series.values())  # [t, null] points
    assert result.statistics.value("End Equity") == 107847.69
    assert result.equity.iloc[-1] == pytest.approx(107847.69)
    assert result.log_statistics["End Equity"] == "107847.69"
    assert result.logs[0].text.startswith("Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE")


def test_cloud_download_with_spaces_in_names(results, lean_fixtures):
    result = results["cloud2025-qqq-options-449orders"]
    assert result.algorithm_id == "Focused Brown Horse"
    assert result.path == lean_fixtures / "cloud2025-qqq-options-449orders" / "Focused Brown Horse.json"
    assert len(result.orders) == 449
    assert set(result.orders["type"]) == {"Market", "Limit", "OptionExercise"}
    options = result.orders[result.orders["security_type"] == "Option"]
    assert set(options["underlying"]) == {"QQQ"}
    assert result.orders["limit_price"].iloc[0] == 1.11
    assert result.orders["tag"].iloc[0] == "ENTRY"
    assert result.orders["symbol"].nunique() == 95
    assert len(result.closed_trades) == 323
    assert result.order_events.empty  # a cloud download has none
    assert result.algorithm_log.startswith("2014-12-31 15:55:00 Launching analysis for")
    assert result.log_text == ""


def test_crypto_without_engine_log(results):
    result = results["cli2025-btcusd-minute-supertrend"]
    assert result.orders["security_type"].tolist() == ["Crypto"]
    assert result.orders["quantity"].iloc[0] == 0.59923046
    assert result.log_text == "" and result.logs == []
    assert result.algorithm_log.count("\n") >= 40_000
    assert result.parameters["atr_period"] == "10"
    assert result.start_date == date(2023, 1, 1)


def test_spy_daily_space_separated_dates(results):
    result = results["cli2025-spy-daily-13y"]
    assert len(result.equity) == 6869
    assert result.start_date == date(2012, 1, 1)
    assert result.end_date == date(2025, 6, 5)
    assert set(result.orders["type"]) == {"MarketOnOpen"}
    assert result.algorithm_configuration["brokerage"] == 1


def test_oldest_format_numbers_and_daily_performance(results):
    result = results["lean2020-testdata-basictemplate"]
    assert result.statistics.value("Total Orders", "Total Trades") == 1
    assert result.statistics.value("Sharpe Ratio") == 4.824
    assert result.portfolio_statistics["sharpeRatio"] == "4.8243"
    assert result.returns.name == "Daily Performance"
    ohlc = result.equity_ohlc
    assert (ohlc["open"] == ohlc["close"]).all()  # {x, y} equity points are flat candles
    assert result.orders["time_in_force"].iloc[0] == "GoodTilCanceled"
    assert "alphaRuntimeStatistics" in result.extra
    assert result.start_date is None  # neither configuration nor log says


def test_custom_charts_keep_unit_type_and_color(results):
    result = results["lean2020-testdata-basictemplate"]
    alpha = result.charts["Alpha"].series["Direction Score"]
    assert (alpha.unit, alpha.series_type, alpha.color) == ("%", "Line", "")
    count = result.charts["Insight Count"].series["Count"]
    assert (count.unit, count.series_type) == ("#", "Bar")
    assert result.charts["Alpha Assets"].series["SPY"].series_type == "Treemap"
    raw_count = raw_json(result.path)["Charts"]["Insight Count"]["Series"]["Count"]["Values"]
    assert count.values.tolist() == [p["y"] for p in raw_count]
    assert count.values.index[0] == point_time(raw_count[0])


def test_multirun_folder_picks_matching_log_run(results, lean_fixtures):
    folder = lean_fixtures / "launcher2026-leanbot-multirun"
    buy_and_hold = load_result(folder / "BuyAndHoldXOM.json")
    assert buy_and_hold.algorithm_id == "BuyAndHoldXOM"
    assert "Loaded BuyAndHoldXOM" in buy_and_hold.log_text
    assert "Loaded PairsTradingCsvData" not in buy_and_hold.log_text
    assert buy_and_hold.log_statistics["End Equity"] == buy_and_hold.statistics.raw["End Equity"] == "101694.38"
    assert len(buy_and_hold.order_events) == 2
    pairs = results["launcher2026-leanbot-multirun"]
    assert "Algorithm Id:(PairsTradingCsvData)" in pairs.log_text
    assert pairs.log_text.count("LEAN ALGORITHMIC TRADING ENGINE") == 1


def test_folder_choice_config_then_newest(tmp_path, lean_fixtures):
    source = lean_fixtures / "launcher2026-leanbot-multirun"
    for name in ("BuyAndHoldXOM.json", "PairsTradingCsvData.json"):
        shutil.copy(source / name, tmp_path / name)
    os.utime(tmp_path / "BuyAndHoldXOM.json", (2_000_000_000, 2_000_000_000))
    os.utime(tmp_path / "PairsTradingCsvData.json", (1_000_000_000, 1_000_000_000))
    assert load_result(tmp_path).algorithm_id == "BuyAndHoldXOM"  # newest
    (tmp_path / "config").write_text(json.dumps({"id": "PairsTradingCsvData"}))
    assert load_result(tmp_path).algorithm_id == "PairsTradingCsvData"  # named in config
    assert load_result(tmp_path / "BuyAndHoldXOM.json").algorithm_id == "BuyAndHoldXOM"  # explicit file


def test_missing_optional_parts_are_not_errors(tmp_path, lean_fixtures):
    shutil.copy(lean_fixtures / "cli2025-spy-minute-sma-301orders" / "1186467672.json", tmp_path / "1186467672.json")
    result = load_result(tmp_path)
    assert len(result.orders) == 301
    assert result.order_events.empty and "fill_price" in result.order_events.columns
    assert result.summary is None and result.log_text == "" and result.algorithm_log == ""


def test_result_survives_pickling(results):
    """Streamlit's st.cache_data pickles what it caches."""
    result = results["cli2025-spy-minute-sma-301orders"]
    copy = pickle.loads(pickle.dumps(result))
    pd.testing.assert_series_equal(copy.equity, result.equity)
    pd.testing.assert_frame_equal(copy.orders, result.orders)
    assert copy.logs == result.logs
    assert copy.statistics.raw == result.statistics.raw
