"""Time in force as LEAN's ``TimeInForces/*.cs`` and ``BacktestingBrokerage.TryOrderPreChecks`` define it: the
expected moments are derived by hand from those sources and LEAN's market-hours database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backtest_core.engines.embedded.broker import Security
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.model import Resolution, SecurityType, Symbol
from backtest_core.engines.embedded.time_in_force import OrderProperties, TimeInForce
from backtest_core.errors import UnsupportedApi
from tests.unit.test_embedded_engine import ALGORITHMS, debug_lines, run, statistics

NEW_YORK = ZoneInfo("America/New_York")
KINDS = {SecurityKind.EQUITY: (SecurityType.EQUITY, "usa", "SPY"), SecurityKind.FOREX: (SecurityType.FOREX, "oanda",
         "EURUSD"), SecurityKind.CRYPTO: (SecurityType.CRYPTO, "coinbase", "BTCUSD")}  # fmt: skip


def security(lean_data: Path, kind: SecurityKind) -> Security:
    folder = LeanDataFolder(lean_data)
    security_type, market, ticker = KINDS[kind]
    hours = folder.market_hours(kind, market, ticker)
    properties = folder.symbol_properties(kind, market, ticker)
    return Security(Symbol.create(ticker, security_type, market), kind, Resolution.MINUTE, hours, properties, 1.0,
                    True, False)  # fmt: skip


def expiry(lean_data: Path, kind: SecurityKind, time_in_force: TimeInForce, placed: datetime) -> datetime | None:
    moment = time_in_force.expires_ns(security(lean_data, kind), placed)
    return None if moment is None else datetime.fromtimestamp(moment / 1e9, UTC)


def new_york(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("kind", "time_in_force", "placed", "expected"),
    [
        # equities: GetLastDailyMarketClose, the first regular close after the order's time
        (SecurityKind.EQUITY, TimeInForce.DAY, new_york(2013, 10, 7, 9, 31), new_york(2013, 10, 7, 16)),
        (SecurityKind.EQUITY, TimeInForce.DAY, new_york(2013, 10, 7, 16), new_york(2013, 10, 8, 16)),
        (SecurityKind.EQUITY, TimeInForce.DAY, new_york(2013, 10, 11, 18), new_york(2013, 10, 14, 16)),  # Fri
        (SecurityKind.EQUITY, TimeInForce.DAY, new_york(2013, 11, 29, 10), new_york(2013, 11, 29, 13)),  # early
        # GoodTilDate: the close from the expiry date's midnight (a Saturday's is Monday's)
        (SecurityKind.EQUITY, TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 9)), new_york(2013, 10, 7, 10),
         new_york(2013, 10, 9, 16)),
        (SecurityKind.EQUITY, TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 12)), new_york(2013, 10, 7, 10),
         new_york(2013, 10, 14, 16)),
        # forex: 17:00 New York, the next day's after 17:00
        (SecurityKind.FOREX, TimeInForce.DAY, new_york(2013, 10, 7, 16, 59), new_york(2013, 10, 7, 17)),
        (SecurityKind.FOREX, TimeInForce.DAY, new_york(2013, 10, 7, 17, 1), new_york(2013, 10, 8, 17)),
        (SecurityKind.FOREX, TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 9)), new_york(2013, 10, 7, 18),
         new_york(2013, 10, 9, 17)),
        # placed on the expiry date (UTC) after 17:00 New York: a day later
        (SecurityKind.FOREX, TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 9)), new_york(2013, 10, 9, 18),
         new_york(2013, 10, 10, 17)),
        # crypto: the midnight (exchange time, UTC) after the order's day, or after the expiry date
        (SecurityKind.CRYPTO, TimeInForce.DAY, datetime(2013, 10, 7, 23, 59, tzinfo=UTC),
         datetime(2013, 10, 8, tzinfo=UTC)),
        (SecurityKind.CRYPTO, TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 9)), datetime(2013, 10, 7, tzinfo=UTC),
         datetime(2013, 10, 10, tzinfo=UTC)),
        (SecurityKind.EQUITY, TimeInForce.GOOD_TIL_CANCELED, new_york(2013, 10, 7, 10), None),
    ],
)  # fmt: skip
def test_each_time_in_force_expires_where_leans_does(lean_data: Path, kind: SecurityKind, time_in_force: TimeInForce,
                                                     placed: datetime, expected: datetime | None) -> None:  # fmt: skip
    assert expiry(lean_data, kind, time_in_force, placed) == expected


def test_order_properties_take_only_leans_time_in_force() -> None:
    properties = OrderProperties()
    assert properties.time_in_force is TimeInForce.GOOD_TIL_CANCELED
    properties.TimeInForce = TimeInForce.Day  # LEAN's Pascal spelling
    assert properties.clone().time_in_force is TimeInForce.DAY
    with pytest.raises(UnsupportedApi, match=r"OrderProperties\.outside_regular_trading_hours"):
        properties.outside_regular_trading_hours = True
    with pytest.raises(UnsupportedApi, match="not one of LEAN's TimeInForce"):
        properties.time_in_force = "DAY"


def test_expired_orders_are_canceled_at_the_scan_before_their_fill(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "time_in_force", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    events = [line.split(" ", 3)[3] for line in debug_lines(tmp_path) if " event " in line]
    submitted, canceled = 1, 5  # LEAN's OrderStatus.Submitted and Canceled
    assert events == [
        f"2013-10-07 09:31:00 day DayTimeInForce {submitted} ",
        f"2013-10-07 09:31:00 gtd GoodTilDateTimeInForce {submitted} ",
        f"2013-10-07 09:31:00 gtc GoodTilCanceledTimeInForce {submitted} ",
        f"2013-10-07 16:00:00 day DayTimeInForce {canceled} The order has expired.",
        f"2013-10-09 16:00:00 gtd GoodTilDateTimeInForce {canceled} The order has expired.",
        f"2013-10-11 15:59:00 late day DayTimeInForce {submitted} ",
        # the 15:59-16:00 bar would fill it, but at 16:00 the day is over: expiry is checked first
        f"2013-10-11 16:00:00 late day DayTimeInForce {canceled} The order has expired.",
    ]
    assert statistics(tmp_path)["Total Orders"] == "4"
