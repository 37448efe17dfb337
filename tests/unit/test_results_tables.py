"""Variants of LEAN's serialisation that the shared fixtures do not contain, made from real fixture data the
way LEAN writes them: closed trades with ``symbols`` (LEAN ≥ 17512), in-run order events (newest first),
scatter points with tooltips.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest_core.results.charts import parse_charts
from backtest_core.results.tables import parse_closed_trades, parse_order_events, snake_case

SPY = "cli2025-spy-minute-sma-301orders"


@pytest.fixture
def spy_raw(lean_fixtures: Path) -> dict:
    return json.loads((lean_fixtures / SPY / "1186467672.json").read_text())


@pytest.fixture
def spy_events(lean_fixtures: Path) -> list:
    return json.loads((lean_fixtures / SPY / "1186467672-order-events.json").read_text())


def test_closed_trades_with_symbols_list(spy_raw):
    trades = spy_raw["totalPerformance"]["closedTrades"]
    newer = []
    for number, trade in enumerate(trades):
        changed = {k: v for k, v in trade.items() if k != "symbol"}
        newer.append({"symbols": [trade["symbol"]], "id": str(number), **changed})
    old_frame = parse_closed_trades(trades)
    new_frame = parse_closed_trades(newer)
    assert new_frame["symbol"].tolist() == old_frame["symbol"].tolist() == ["SPY"] * 150
    assert new_frame["symbol_id"].iloc[0] == "SPY R735QTJ8XC9X"
    assert new_frame["trade_id"].tolist() == [str(n) for n in range(150)]
    pd.testing.assert_series_equal(new_frame["profit_loss"], old_frame["profit_loss"])


def test_in_run_order_events_newest_first_come_out_chronological(spy_events):
    final = parse_order_events(spy_events)
    in_run = parse_order_events(list(reversed(spy_events[-100:])))
    expected = final.iloc[-100:].reset_index(drop=True)
    pd.testing.assert_frame_equal(in_run, expected)


def test_order_event_columns_and_names(spy_events):
    events = parse_order_events(spy_events)
    first = events.iloc[0]
    raw = spy_events[0]
    assert first["id"] == raw["id"]
    assert first["order_id"] == raw["orderId"]
    assert first["time"] == pd.Timestamp(raw["time"], unit="s", tz="UTC")
    assert first["status"] == raw["status"].capitalize()
    assert first["direction"] == raw["direction"].capitalize()
    fees = [e.get("orderFeeAmount") for e in spy_events]
    assert events["order_fee_amount"].sum() == pytest.approx(sum(f for f in fees if f is not None))


def test_scatter_points_with_tooltips(spy_raw):
    line = spy_raw["charts"]["Benchmark"]["series"]["Benchmark"]
    points = [{"x": t, "y": v, "tooltip": f"bar {n}"} for n, (t, v) in enumerate(line["values"])]
    scatter = {**line, "seriesType": 1, "values": points, "scatterMarkerSymbol": "triangle"}
    charts = parse_charts({"Signals": {"name": "Signals", "chartType": 0, "series": {"Buy": scatter}}})
    series = charts["Signals"].series["Buy"]
    assert series.series_type == "Scatter"
    assert series.scatter_marker_symbol == "triangle"
    assert series.points["tooltip"].iloc[2] == "bar 2"
    assert series.values.tolist() == [v for _, v in line["values"]]


@pytest.mark.parametrize(
    ("key", "snake"),
    [("fillPrice", "fill_price"), ("fill-price", "fill_price"), ("order-event-id", "order_event_id"), ("id", "id")],
)
def test_snake_case(key, snake):
    assert snake_case(key) == snake
