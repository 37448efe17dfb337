"""Combo orders (LEAN's ComboMarket, ComboLimit and ComboLegLimit) on real LEAN hour data under LEAN's base fill
rules: the fills equal what ``FillModel.cs`` takes from the data files, read here independently of the engine;
a fill model's combo overrides see the whole group; the order hash holds LEAN's combo layout."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.combo_orders import GroupOrderManager, Leg, check_sizing, combo_type
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.model import Order, OrderStatus, OrderType, Symbol
from backtest_core.engines.embedded.order_hash import order_json
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution
from tests.unit.test_consolidation import NEW_YORK

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


def hour_bar(lean_data: Path, ticker: str, end: str) -> dict[str, float]:
    """The adjusted hour bar of ``ticker`` ending at ``end`` (New York time)."""
    data = LeanDataFolder(lean_data)
    day = pd.Timestamp(end).date()
    bars = data.adjusted(data.read_bars(SecurityKind.EQUITY, "usa", ticker, Resolution.HOUR, "trade", day, day),
                         ticker, NEW_YORK)  # fmt: skip
    index = int(np.searchsorted(bars.end_ns, pd.Timestamp(end, tz=NEW_YORK).value))
    return {name: float(getattr(bars, name)[index]) for name in ("open", "high", "low", "close")}


@pytest.fixture(scope="module")
def events(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[list[str]]]:
    out = tmp_path_factory.mktemp("combo")
    job = EngineJob("test-run", "8", ALGORITHMS / "combo_orders", lean_data, out, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    found: dict[int, list[list[str]]] = {}
    for line in (out / "8-log.txt").read_text().splitlines():
        words = line.split(" ")
        if words[2:3] == ["event"]:
            found.setdefault(int(words[3]), []).append(words[:2] + words[4:])
    return found


def fills(events: dict[int, list[list[str]]], order_id: int) -> list[tuple[str, float, float]]:
    return [(f"{row[0]} {row[1]}", float(row[4]), float(row[5])) for row in events[order_id] if row[3] == "3"]


def test_a_combo_market_order_fills_every_leg_at_once_at_its_market_price(events: dict, lean_data: Path) -> None:
    spy, ibm = hour_bar(lean_data, "spy", "2019-01-02 10:00"), hour_bar(lean_data, "ibm", "2019-01-02 10:00")
    assert fills(events, 1) == [("2019-01-02 10:00:00", 10.0, pytest.approx(spy["close"]))]
    assert fills(events, 2) == [("2019-01-02 10:00:00", -10.0, pytest.approx(ibm["close"]))]
    assert [row[3] for row in events[1]] == ["1", "3"]  # Submitted, then Filled in the same moment


def test_a_combo_limit_order_compares_the_legs_lows_by_ratio_with_its_limit(events: dict, lean_data: Path) -> None:
    spy, ibm = hour_bar(lean_data, "spy", "2019-01-02 11:00"), hour_bar(lean_data, "ibm", "2019-01-02 11:00")
    assert 0.5 < (spy["low"] - ibm["low"]) / 100 < 2
    assert fills(events, 3) == fills(events, 4) == []
    assert fills(events, 5) == [("2019-01-02 11:00:00", 10.0, pytest.approx(spy["low"]))]
    assert fills(events, 6) == [("2019-01-02 11:00:00", -10.0, pytest.approx(ibm["low"]))]  # the group's side


def test_a_combo_leg_limit_order_fills_only_when_every_leg_does(events: dict, lean_data: Path) -> None:
    spy, ibm = hour_bar(lean_data, "spy", "2019-01-02 11:00"), hour_bar(lean_data, "ibm", "2019-01-02 11:00")
    assert fills(events, 7) == fills(events, 8) == []
    assert fills(events, 9) == [("2019-01-02 11:00:00", 10.0, pytest.approx(spy["high"]))]  # min(high, limit)
    assert fills(events, 10) == [("2019-01-02 11:00:00", -10.0, pytest.approx(ibm["low"]))]  # max(low, limit)


def test_combo_requests_are_checked_and_typed_as_lean_does() -> None:
    spy, ibm = Symbol.create("SPY", 1, "usa"), Symbol.create("IBM", 1, "usa")
    with pytest.raises(ValueError, match=r"reduced from 5x\(2 SPY, -4 IBM\) to 10x\(1 SPY, -2 IBM\)"):
        check_sizing([Leg.create(spy, 2), Leg.create(ibm, -4)], 5)
    assert combo_type([Leg.create(spy, 1), Leg.create(ibm, -1)], 0) == OrderType.COMBO_MARKET
    assert combo_type([Leg.create(spy, 1), Leg.create(ibm, -1)], 3) == OrderType.COMBO_LIMIT
    assert combo_type([Leg.create(spy, 1, 10), Leg.create(ibm, -1)], 0) == OrderType.COMBO_LEG_LIMIT


def test_the_order_hash_writes_a_combo_leg_as_newtonsoft_does() -> None:
    """ComboOrder overrides Quantity (after the class's own properties), the group manager comes before the
    price adjustment mode, and a leg's limit is not smart-rounded."""
    group = GroupOrderManager(3, 2, 100, Decimal(0))
    group.order_ids += [5, 6]
    order = Order(
        5, Symbol.create("SPY", 1, "usa"), 100.0, OrderType.COMBO_LEG_LIMIT, datetime(2019, 1, 2, 15, tzinfo=UTC)
    )
    order.group_order_manager, order.limit_decimal, order.status = group, Decimal(238), OrderStatus.SUBMITTED
    text = order_json(order, (Decimal(1), Decimal(1), Decimal(1)))
    assert text.startswith('{"type":10,"limitPrice":238.0,"quantity":100.0,"id":5,')
    assert text.count('"quantity"') == 2  # the order's, and the group's
    assert text.endswith(',"isMarketable":false,"groupOrderManager":{"id":3,"quantity":100.0,"count":2,'
                         '"limitPrice":0.0,"orderIds":[5,6],"direction":0},"priceAdjustmentMode":1}')  # fmt: skip


def test_each_open_legs_own_fill_model_is_asked_for_the_whole_group(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's Scan goes through the pending orders by id and asks the fill model of each leg's own security with
    the whole group, so two half fills per scan come from the two models (each keeping its own count); the
    group leaves the brokerage once every fill returned is closed, so later scans ask nobody."""
    job = EngineJob("test-run", "9", ALGORITHMS / "combo_fill_model", lean_data, tmp_path, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    lines = [line.split(" ", 2)[2] for line in (tmp_path / "9-log.txt").read_text().splitlines()][1:-1]
    assert lines == [
        "call SPY order 1 legs [1, 2]", "fill 1 2 5.0", "fill 2 2 -5.0",  # the submission's scan
        "call IBM order 2 legs [1, 2]", "fill 1 2 5.0", "fill 2 2 -5.0",
        "call SPY order 1 legs [1, 2]", "fill 1 3 5.0", "fill 2 3 -5.0",  # the scan after on_data
        "holdings 15.0 -15.0",  # the IBM model's fills came on top: LEAN does not cap a leg at its quantity
    ]  # fmt: skip
