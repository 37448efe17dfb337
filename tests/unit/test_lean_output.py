"""LEAN's output details the embedded engine reproduces: OrderListHash, LEAN's decimals, the capacity estimate."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from backtest_core.engines.embedded.capacity import CapacityEstimate, MarketBar, SymbolCapacity
from backtest_core.engines.embedded.model import Order, OrderStatus, OrderType, Resolution, SecurityType, Symbol
from backtest_core.engines.embedded.order_hash import EMPTY_HASH, order_list_hash
from backtest_core.stats.decimals import json_text, round_significant, smart_rounding

NS = 1_000_000_000


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_order_list_hash_of_a_real_lean_run_equals_leans(lean_fixtures: Path) -> None:
    """301 market orders of a lean CLI run, rebuilt from its result file: the hash LEAN logged. Its SPY prices
    of 2023 carry no price factor, so LEAN held them with the 4 decimals of its files."""
    folder = lean_fixtures / "cli2025-spy-minute-sma-301orders"
    logged = re.search(r"STATISTICS:: OrderListHash (\w+)", (folder / "log.txt").read_text())
    assert logged is not None
    orders, submitted = {}, {}
    for key, body in json.loads((folder / "1186467672.json").read_text())["orders"].items():
        symbol = Symbol(body["symbol"]["value"], SecurityType.EQUITY, "usa", body["symbol"]["id"])
        order = Order(body["id"], symbol, body["quantity"], OrderType(body["type"]), _utc(body["time"]), body["tag"])
        order.status, order.price = OrderStatus(body["status"]), body["price"]
        order.last_fill_time = _utc(body["lastFillTime"]) if "lastFillTime" in body else None
        data = body["orderSubmissionData"]
        submitted[order.id] = tuple(Decimal(f"{data[side]:.4f}") for side in ("bidPrice", "askPrice", "lastPrice"))
        orders[int(key)] = order
    assert len(orders) == 301
    assert order_list_hash(orders, lambda order: submitted[order.id]) == logged[1]
    assert order_list_hash({}, lambda order: submitted[order.id]) == EMPTY_HASH == "d41d8cd98f00b204e9800998ecf8427e"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("144.78172417000", "144.7817"),  # 7 significant digits
        ("1447.8172417", "1447.8172"),  # above 1000: 4 decimals
        ("0.000123456789", "0.0001234568"),
        ("100.0000", "100"),  # normalised: no trailing zeros, no exponent
        ("20.79702298950", "20.79702"),
        ("2.50000005", "2.5"),
        ("-5000.123456", "-5000.123"),  # negatives take the significant-digits branch, as in LEAN
    ],
)
def test_smart_rounding_is_leans(value: str, rounded: str) -> None:
    assert format(smart_rounding(Decimal(value)), "f") == rounded


def test_decimals_print_as_newtonsoft_prints_them() -> None:
    assert json_text(Decimal("144.7800") * Decimal("0.8604238")) == "124.57215776400"  # scales add up: 4 + 7
    assert json_text(Decimal("688")) == "688.0"
    assert json_text(Decimal("-10") * Decimal("0")) == "0.0"  # a zero has no sign
    assert format(round_significant(Decimal("56123000.00"), 2), "f") == "56000000.00"
    assert format(round_significant(Decimal("0"), 2), "f") == "0"


class _Holding:
    def __init__(self, value: float) -> None:
        self.absolute_holdings_value = value
        self.invested = value != 0


class _Security:
    def __init__(self, held: float) -> None:
        self.symbol = Symbol("SPY", SecurityType.EQUITY, "usa", "SPY R735QTJ8XC9X")
        self.holdings = _Holding(held)
        self.buying_power_model = None  # LEAN's default model: the position's value is its buying power used
        self.quote_rate = 1.0  # quoted in the account currency
        self.cash_account = False


class _Portfolio:
    total_portfolio_value = 100_000.0


def test_a_minute_fill_watches_the_market_for_leans_window() -> None:
    """After a fill LEAN adds the market's dollar volume while within k = 6,000,000 / (average dollar volume)
    minutes of the fill (between 1 and 120), k worked out again at each bar: $3,000,000 at the first bar (a
    2-minute window), then (100 × 60,000 shares over one minute) $6,000,000, a 1-minute window, so the third
    bar ends the watch. The first fill of a symbol counts in full (no fast-trading discount)."""
    watched = SymbolCapacity(_Security(0.0))
    fill_ns = int(datetime(2013, 10, 7, 13, 31, tzinfo=UTC).timestamp()) * NS
    watched.on_fill(fill_ns, 100.0, 10)
    bar = MarketBar(close=100.0, volume=30_000.0, resolution=Resolution.MINUTE)
    minute = 60 * NS
    assert not watched.update(fill_ns, bar)
    assert not watched.update(fill_ns + minute, bar)
    assert watched.update(fill_ns + 2 * minute, bar)  # past the window: done
    # two bars of $3,000,000 at the minute resolution's 0.20 scale
    assert watched.market_capacity_dollar_volume == pytest.approx(2 * 3_000_000 * 0.20)


def test_capacity_is_the_smallest_symbols_volume_over_the_strategys_share() -> None:
    """A snapshot: daily market volume $1,200,000 over a share of sales of 1 (the only symbol): $1,200,000;
    then, with nothing sold since and holdings of 90% of the portfolio, a third of 1,200,000 / 0.9 plus two
    thirds of the previous estimate: 1,232,000 (LEAN's 0.33/0.66 weights), rounded to the nearest 1000."""
    security = _Security(90_000.0)
    estimate = CapacityEstimate(date(2013, 10, 7), date(2013, 10, 11), _Portfolio(), None)
    fill_ns = int(datetime(2013, 10, 7, 13, 31, tzinfo=UTC).timestamp()) * NS
    watched = SymbolCapacity(security)
    estimate._by_symbol[security.symbol] = watched
    watched.on_fill(fill_ns, 100.0, 900)
    for minutes in range(3):
        watched.update(fill_ns + minutes * 60 * NS, MarketBar(100.0, 30_000.0, Resolution.MINUTE))
    estimate.on_step(fill_ns + 180 * NS, {}, force=True)
    assert estimate.capacity == Decimal("1200000.00")
    assert estimate.lowest_capacity_asset == "SPY R735QTJ8XC9X"
    estimate.on_step(fill_ns + 240 * NS, {}, force=True)
    assert estimate.capacity == Decimal("1232000.00")
