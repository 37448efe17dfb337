"""India equities as LEAN trades them: the data of ``equity/india``, Asia/Kolkata hours, default symbol properties
in the account currency, Interactive Brokers' India fee, ``IndiaOrderProperties`` and the SPY benchmark under an
INR account (its USD price times a USD->INR rate LEAN finds no data for: 0).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.india import (
    Exchange,
    IndiaFeeModel,
    IndiaOrderProperties,
    SamcoFeeModel,
    ZerodhaFeeModel,
    interactive_brokers_fee,
)
from backtest_core.engines.embedded.model import SecurityType, security_identifier
from backtest_core.engines.embedded.order_hash import order_json, properties_json
from backtest_core.errors import UnsupportedApi
from backtest_core.models import Resolution
from tests.unit.test_embedded_engine import debug_lines, run_source, statistics

KOLKATA = ZoneInfo("Asia/Kolkata")


def test_interactive_brokers_india_fee_follows_leans_formula() -> None:
    """0.01 INR a share, at least 6 INR, at most 20 times the order's value (the minimum checked first)."""
    assert interactive_brokers_fee(1, 95.0) == 6.0  # 0.01 < 6: the minimum
    assert interactive_brokers_fee(-1000, -95_000.0) == 10.0  # per share, a sale too
    assert interactive_brokers_fee(100, 0.1) == 6.0  # the minimum wins over a cap of 2
    assert interactive_brokers_fee(1_000_000, 40.0) == 800.0  # 10,000 per share capped at 20 x 40


def test_india_minute_bars_are_read_from_the_real_day_files_in_kolkata_time(lean_data: Path) -> None:
    bars = LeanDataFolder(lean_data).read_bars(
        SecurityKind.EQUITY, "india", "yesbank", Resolution.MINUTE, "trade", date(2019, 7, 9), date(2019, 7, 9)
    )
    # a bar a minute from 09:15 to 15:29, then one at 15:30 and one at 15:40 (the post-market's first minute)
    assert bars is not None and len(bars) == 377
    first, last = (datetime.fromtimestamp(int(ns) / 1e9, KOLKATA) for ns in (bars.start_ns[0], bars.start_ns[-1]))
    assert first.replace(tzinfo=None) == datetime(2019, 7, 9, 9, 15)  # 33,300,000 ms after midnight
    assert last.replace(tzinfo=None) == datetime(2019, 7, 9, 15, 40)
    # the file's first row: 950000,950000,939000,948500,1730100 (prices x 10,000)
    assert (bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]) == (95, 95, 93.9, 94.85, 1730100)


def test_india_daily_bars_hours_and_factor_file(lean_data: Path) -> None:
    folder = LeanDataFolder(lean_data)
    hours = folder.market_hours(SecurityKind.EQUITY, "india", "CCCL")
    assert hours.exchange_tz == KOLKATA
    assert hours.regular_session(date(2010, 1, 4)) == (datetime(2010, 1, 4, 9, 15), datetime(2010, 1, 4, 15, 30))
    assert not hours.is_trading_day(date(2010, 1, 26))  # Republic Day, a holiday of the database
    bars = folder.read_bars(
        SecurityKind.EQUITY, "india", "cccl", Resolution.DAILY, "trade", date(2010, 1, 4), date(2010, 1, 4)
    )
    assert bars is not None and bars.close.tolist() == [413.0]  # 20100104 00:00,...,4130000,9318
    start, end = (datetime.fromtimestamp(int(ns) / 1e9, KOLKATA) for ns in (bars.start_ns[0], bars.end_ns[0]))
    assert (start.hour, start.minute, end.hour, end.minute) == (9, 15, 15, 30)  # the session, as LEAN's strict times
    factors = folder.factor_file("cccl", "india")
    assert factors is not None and factors.texts[0] == ("0.9800619", "0.2")
    assert folder.factor_file("cccl") is None  # the USA's folder has no such file


def test_india_equities_take_leans_default_symbol_properties_in_the_account_currency(lean_data: Path) -> None:
    properties = LeanDataFolder(lean_data).symbol_properties(SecurityKind.EQUITY, "india", "YESBANK", "INR")
    assert (properties.lot_size, properties.minimum_price_variation, properties.quote_currency) == (1, 0.01, "INR")


def test_an_unmapped_india_ticker_has_leans_default_date_in_its_identifier() -> None:
    assert security_identifier("YESBANK", SecurityType.EQUITY, "india", date(1899, 12, 30)) == "YESBANK UL"


def test_india_order_properties_serialise_as_newtonsoft_writes_them() -> None:
    properties = IndiaOrderProperties(Exchange.NSE)
    copy = properties.clone()
    assert isinstance(copy, IndiaOrderProperties) and copy.exchange == Exchange.NSE and copy.product_type is None
    product = IndiaOrderProperties(Exchange.BSE, IndiaOrderProperties.IndiaProductType.CNC)
    assert product.product_type == "CNC" and product.exchange != Exchange.NSE
    with pytest.raises(UnsupportedApi, match=r"Exchange\.NYSE is not supported"):
        IndiaOrderProperties(Exchange.NYSE)


def _india_algorithm(account: str) -> str:
    return f"""
class Algo(QCAlgorithm):
    def initialize(self):
        self.set_account_currency("{account}")
        self.set_start_date(2019, 7, 8)
        self.set_end_date(2019, 7, 12)
        self.set_cash(100000)
        self.add_equity("YESBANK", Resolution.MINUTE, Market.INDIA)
        self.default_order_properties = IndiaOrderProperties(Exchange.NSE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.market_order("YESBANK", 10)

    def on_order_event(self, event):
        self.debug(f"{{event.status.name}} {{event.fill_price}} {{event.order_fee}} {{self.time}}")
"""


def test_an_india_order_fills_at_kolkata_hours_pays_ib_india_fee_in_inr(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_source(tmp_path, lean_data, _india_algorithm("INR"))
    assert outcome.status == "completed", outcome.error
    out = tmp_path / "out"
    fills = [line for line in debug_lines(out) if "FILLED" in line]
    # the first bar (09:15-09:16 Kolkata, 23:46 New York the day before) fills at its close, 94.85
    assert len(fills) == 1 and fills[0].endswith("FILLED 94.85 6 INR 2019-07-08 23:46:00")
    stats = statistics(out)
    assert stats["Total Fees"] == "₹6.00" and stats["Lowest Capacity Asset"] == "YESBANK UL"
    result = json.loads((out / "4242.json").read_text())
    assert all(value[1] == 0 for value in result["charts"]["Benchmark"]["series"]["Benchmark"]["values"])
    order = next(iter(result["orders"].values()))
    assert order["properties"]["exchange"] == {"code": "NSE", "name": "NSE", "market": "india", "securityTypes": [1]}


def test_the_order_hash_writes_the_india_properties_in_leans_member_order() -> None:
    from backtest_core.engines.embedded.model import Order, OrderType, Symbol

    order = Order(1, Symbol("YESBANK", SecurityType.EQUITY, "india", "YESBANK UL"), 1, OrderType.MARKET,
                  datetime(2019, 7, 8, 18, 16))  # fmt: skip
    order.properties = IndiaOrderProperties(Exchange.NSE)
    assert '"properties":{"ProductType":null,"timeInForce":{},"Exchange":{"Code":"NSE","Name":"NSE",' in order_json(
        order, None
    )
    assert properties_json(order)["productType"] is None


def test_an_india_equity_under_a_usd_account_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_source(tmp_path, lean_data, _india_algorithm("USD"))
    assert outcome.status == "failed"
    assert "add_equity(YESBANK) in market india with account currency USD (only INR) is not supported" in str(
        outcome.error
    )


def test_india_corporate_events_come_from_its_factor_and_map_files(lean_data: Path, tmp_path: Path) -> None:
    """CCCL's factor file: a 1:5 split (warning, then occurred, at 421) and a 0.5 dividend on 88.8; 3MINDIA's
    map file: BIRLA3M renamed on 2004-06-15 (no price files: LEAN runs on with the rename only)."""
    source = """
class Algo(QCAlgorithm):
    def initialize(self):
        self.set_account_currency("INR")
        self.set_start_date(2004, 6, 1)
        self.set_end_date(2010, 6, 30)
        self.add_equity("3MINDIA", Resolution.DAILY, Market.INDIA)
        self.add_equity("CCCL", Resolution.DAILY, Market.INDIA)

    def on_splits(self, splits):
        for split in splits.values():
            self.debug(f"split {split.type.name} {split.price} {split.split_factor} {self.time:%Y-%m-%d}")

    def on_dividends(self, dividends):
        for dividend in dividends.values():
            self.debug(f"dividend {dividend.distribution} {dividend.reference_price} {self.time:%Y-%m-%d}")

    def on_symbol_changed_events(self, changes):
        for change in changes.values():
            self.debug(f"renamed {change.old_symbol} {change.new_symbol} {self.time:%Y-%m-%d}")
"""
    outcome = run_source(tmp_path, lean_data, source)
    assert outcome.status == "completed", outcome.error
    lines = [line[20:] for line in debug_lines(tmp_path / "out") if "::" not in line[20:]]
    events = [line.split(": ", 1)[-1] for line in lines if line.split(": ", 1)[-1].split(" ")[0] in
              ("split", "dividend", "renamed")]  # fmt: skip
    assert "renamed BIRLA3M 3MINDIA 2004-06-15" in events
    assert any(line.startswith("split WARNING ") for line in events)
    assert any(line.startswith("split SPLIT_OCCURRED 421.0 0.2 ") for line in events)
    assert "dividend 0.5 88.8 2010-06-15" in events


def test_india_fee_models_follow_leans_formula_term_by_term() -> None:
    """Zerodha on a purchase of 10 at 94.85 (948.5): brokerage round(0.28455) 0.28, exchange round(0.0327) 0.03,
    state tax round(0.18 x 0.31) 0.06, SEBI 0.00, stamp on the order value round(0.0285) 0.03: 0.40. The sale
    adds the transaction tax round(0.2371) 0.24 and drops the stamp: 0.61. Samco: brokerage 0.19, state tax
    0.04, stamp on the turnover 0.03: 0.29. A 1,000,000 purchase: brokerage capped at 20, exchange 34.5, state
    tax 9.81, SEBI 1, stamp 30: 95.31."""
    assert ZerodhaFeeModel().fee(Decimal("948.5")) == Decimal("0.40")
    assert ZerodhaFeeModel().fee(Decimal("-948.5")) == Decimal("0.61")
    assert SamcoFeeModel().fee(Decimal("948.5")) == Decimal("0.29")
    assert ZerodhaFeeModel().fee(Decimal(1_000_000)) == Decimal("95.31")
    assert IndiaFeeModel().fee(Decimal(1_000_000)) == 0  # LEAN's base class: every rate 0


def test_a_zerodha_fee_model_charges_its_fee_on_an_india_fill(lean_data: Path, tmp_path: Path) -> None:
    source = _india_algorithm("INR").replace(
        'self.add_equity("YESBANK", Resolution.MINUTE, Market.INDIA)',
        'self.add_equity("YESBANK", Resolution.MINUTE, Market.INDIA).set_fee_model(ZerodhaFeeModel())',
    )
    outcome = run_source(tmp_path, lean_data, source)
    assert outcome.status == "completed", outcome.error
    fills = [line for line in debug_lines(tmp_path / "out") if "FILLED" in line]
    assert len(fills) == 1 and fills[0].endswith("FILLED 94.85 0.4 INR 2019-07-08 23:46:00")
    assert statistics(tmp_path / "out")["Total Fees"] == "₹0.40"


def test_the_zerodha_brokerage_defaults_equities_to_india_with_its_fees_and_leverage(
    lean_data: Path, tmp_path: Path
) -> None:
    """``BrokerageName.ZERODHA``: ``add_equity`` without a market is an India equity, its fee model Zerodha's and
    its leverage 5; a market-on-close order, which LEAN's model rejects, is refused by name."""
    source = _india_algorithm("INR").replace(
        'self.add_equity("YESBANK", Resolution.MINUTE, Market.INDIA)',
        "self.set_brokerage_model(BrokerageName.ZERODHA)\n"
        '        equity = self.add_equity("YESBANK", Resolution.MINUTE)\n'
        '        self.debug(f"{equity.symbol.id} {equity.leverage} {type(equity.fee_model).__name__}")',
    )
    outcome = run_source(tmp_path, lean_data, source)
    assert outcome.status == "completed", outcome.error
    lines = debug_lines(tmp_path / "out")
    assert any(line.endswith("YESBANK UL 5.0 ZerodhaFeeModel") for line in lines)
    fills = [line for line in lines if "FILLED" in line]
    assert len(fills) == 1 and fills[0].endswith("FILLED 94.85 0.4 INR 2019-07-08 23:46:00")
    refused = run_source(
        tmp_path / "moc",
        lean_data,
        source.replace('self.market_order("YESBANK", 10)', 'self.market_on_close_order("YESBANK", 10)'),
    )
    assert refused.status == "failed"
    assert "a MARKET_ON_CLOSE order under the Zerodha brokerage (LEAN rejects it) is not supported" in str(
        refused.error
    )
