"""Closed trades and trade statistics against real LEAN results: same fills in, LEAN's figures out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from backtest_core.engines.embedded.trades import ClosedTrade, TradeBuilder, timespan, trade_statistics

FIXTURES = {  # result folder -> algorithm id (results with closed trades, Python and C#)
    "cli2025-spy-minute-sma-301orders": "1186467672",
    "cli2025-spy-daily-13y": None,
    "cli2025-csharp-graham-667orders-large": None,
}
PRICE_PATH_KEYS = {"mae", "mfe", "endTradeDrawdown"}  # need the prices between fills, not in the result


def main_file(folder: Path) -> Path:
    return next(p for p in folder.glob("*.json") if p.stem.isdigit())


def load(lean_fixtures: Path, name: str) -> tuple[dict, list[dict]]:
    main = main_file(lean_fixtures / name)
    events = json.loads(main.with_name(f"{main.stem}-order-events.json").read_text())
    return json.loads(main.read_text()), events


def rebuild(events: list[dict]) -> list[ClosedTrade]:
    builder = TradeBuilder()
    for event in events:
        if event["status"] in ("filled", "partiallyFilled"):
            builder.on_fill(event["symbolValue"], event["symbol"], event["orderId"],
                            datetime.fromtimestamp(event["time"], UTC), event["fillPrice"], event["fillQuantity"],
                            event.get("orderFeeAmount", 0.0))  # fmt: skip
    return builder.closed_trades


def from_json(item: dict) -> ClosedTrade:
    def when(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    return ClosedTrade(
        symbol=item["symbol"]["value"], symbol_id=item["symbol"]["id"], entry_time=when(item["entryTime"]),
        entry_price=item["entryPrice"], direction=item["direction"], quantity=item["quantity"],
        exit_time=when(item["exitTime"]), exit_price=item["exitPrice"], profit_loss=item["profitLoss"],
        total_fees=item["totalFees"], mae=item["mae"], mfe=item["mfe"], end_trade_drawdown=item["endTradeDrawdown"],
        order_ids=item.get("orderIds", []),
    )  # fmt: skip


@pytest.mark.parametrize("name", FIXTURES)
def test_fills_rebuild_leans_closed_trades(lean_fixtures: Path, name: str) -> None:
    result, events = load(lean_fixtures, name)
    expected = result["totalPerformance"]["closedTrades"]
    trades = rebuild(events)
    assert len(trades) == len(expected) > 0
    for mine, theirs in zip(trades, expected, strict=True):
        produced = mine.to_json()
        for key, value in theirs.items():
            if key not in PRICE_PATH_KEYS:
                assert produced[key] == value, (key, produced, theirs)


@pytest.mark.parametrize("name", FIXTURES)
def test_trade_statistics_print_as_lean_prints_them(lean_fixtures: Path, name: str) -> None:
    result, _ = load(lean_fixtures, name)
    trades = [from_json(item) for item in result["totalPerformance"]["closedTrades"]]
    assert trade_statistics(trades) == result["totalPerformance"]["tradeStatistics"]


def test_no_trades_gives_leans_empty_block(lean_fixtures: Path) -> None:
    result, _ = load(lean_fixtures, "cli2025-btcusd-minute-supertrend")
    expected = result["totalPerformance"]["tradeStatistics"]
    if result["totalPerformance"]["closedTrades"]:
        pytest.skip("fixture has trades")
    assert trade_statistics([]) == expected


def test_price_path_sets_mae_mfe_and_partial_closes_split_fees() -> None:
    builder = TradeBuilder()
    t0 = datetime(2024, 1, 2, 15, tzinfo=UTC)
    builder.on_fill("SPY", "SPY R735QTJ8XC9X", 1, t0, 100.0, 10, 1.0)
    for price in (97.5, 0.0, 104.0):  # 0: no price yet, ignored
        builder.mark({"SPY R735QTJ8XC9X": SimpleNamespace(price=price)})
    builder.on_fill("SPY", "SPY R735QTJ8XC9X", 2, t0, 102.0, -4, 1.0)
    builder.on_fill("SPY", "SPY R735QTJ8XC9X", 3, t0, 101.0, -10, 1.0)  # closes 6, reverses into 4 short
    first, second = builder.closed_trades
    assert (first.quantity, first.profit_loss, first.total_fees, first.mae, first.mfe) == (4, 8.0, 2.0, -10.0, 16.0)
    assert (second.quantity, second.profit_loss, second.total_fees) == (6, 6.0, 1.0)
    assert first.end_trade_drawdown == 8.0 - 16.0
    assert builder.open_positions


def test_timespan_text_matches_dotnet() -> None:
    assert timespan(36_000_000_000) == "01:00:00"
    assert timespan(864_000_000_000 + 5) == "1.00:00:00.0000005"
