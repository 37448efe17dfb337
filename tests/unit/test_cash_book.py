"""The account currency, LEAN's multi-currency cash book and the Coinbase cash account, on real engine runs.

The expected values follow LEAN's rules (``Cash``, ``CashBook``, ``SecurityCurrencyConversion.LinearSearch``,
``CoinbaseFeeModel``, ``CashBuyingPowerModel``, ``SecurityPortfolioModel.ProcessFill``), worked out here from the
run's own fills and prices, not copied from LEAN's outputs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineOutcome
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from tests.unit.test_embedded_engine import debug_lines, indented, run_source, statistics


def _run(tmp_path: Path, lean_data: Path, initialize: str, on_data: str, end: str = "") -> EngineOutcome:
    body = (
        "class Algo(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        self.set_start_date(2018, 4, 4)\n"
        "        self.set_end_date(2018, 4, 4)\n"
        f"{indented(initialize)}\n"
        "    def on_data(self, data):\n"
        f"{indented(on_data)}\n"
        "    def on_order_event(self, event):\n"
        "        if event.status == OrderStatus.FILLED:\n"
        "            self.debug(f'fill {event.fill_quantity!r} {event.fill_price!r} {event.order_fee}')\n"
        "    def on_end_of_algorithm(self):\n"
        f"{indented(end or 'pass')}\n"
    )
    return run_source(tmp_path, lean_data, body)


def _lines(tmp_path: Path) -> list[str]:
    return [line[20:] for line in debug_lines(tmp_path / "out")]


def _value(lines: list[str], prefix: str) -> list[str]:
    return next(line for line in lines if line.startswith(prefix)).split()[1:]


EUR_ACCOUNT = """
self.set_brokerage_model(BrokerageName.GDAX, AccountType.CASH)
self.set_account_currency("EUR")
self.set_cash(100000)
self.btc = self.add_crypto("BTCEUR").symbol
"""


def test_a_euro_cash_account_buys_bitcoin_outright_paying_coinbases_fee_in_euros(
    lean_data: Path, tmp_path: Path
) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        EUR_ACCOUNT,
        """
        if not self.portfolio.invested:
            self.set_holdings(self.btc, 1)
            book = self.portfolio.cash_book
            self.debug(f"cash {book['EUR'].amount!r} {book['BTC'].amount!r} {self.portfolio.total_portfolio_value!r}")
            self.debug(f"ask {self.securities[self.btc].ask_price!r} {self.securities[self.btc].price!r}")
            self.debug(f"usd {[s.symbol.value for s in book['USD'].currency_conversion.conversion_rate_securities]}")
        if data.contains_key("EURUSD"):
            self.debug("the conversion feed reached on_data")
        """,
    )
    assert outcome.status == "completed", outcome.error
    lines = _lines(tmp_path)
    quantity, price = (float(x) for x in _value(lines, "fill")[:2])
    ask, mid = (float(x) for x in _value(lines, "ask"))
    assert price == ask  # a market buy fills at the ask
    fee = quantity * ask * 0.003  # Coinbase's taker fee before 2019-03-23, in the quote currency (EUR)
    assert float(_value(lines, "fill")[2]) == pytest.approx(fee, abs=1e-6)
    assert _value(lines, "fill")[3] == "EUR"
    # CashBuyingPowerModel: the lots whose value and fee fit 99.75% of the portfolio (the free-portfolio buffer)
    target = 100000 * 0.9975
    assert quantity * ask * 1.003 <= target < (quantity + 0.01) * ask * 1.003
    eur, btc, total = (float(x) for x in _value(lines, "cash"))
    assert eur == pytest.approx(100000 - quantity * price - fee, abs=1e-6)
    assert btc == quantity  # the base currency is bought outright
    assert total == pytest.approx(eur + btc * mid, abs=1e-6)  # BTC at BTCEUR's last price (the quotes' mid)
    # the Coinbase benchmark BTCUSD brings USD into the book, converted through LEAN's one-leg EURUSD feed
    assert _value(lines, "usd") == ["['EURUSD']"]
    assert "the conversion feed reached on_data" not in lines
    stats = statistics(tmp_path / "out")
    assert stats["Total Fees"] == f"€{fee:.2f}"
    assert stats["Start Equity"] == "100000.00"  # the cash book's decimal: 0 times EUR/USD's rate keeps its scale
    assert stats["Estimated Strategy Capacity"].startswith("€")


def test_set_account_currency_with_an_amount_sets_the_cash(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        lean_data,
        'self.set_account_currency("EUR", 2500)\nself.add_crypto("BTCEUR")',
        "self.debug(f'book {self.account_currency} {self.portfolio.cash!r}')\nself.quit()",
    )
    assert outcome.status == "completed", outcome.error
    assert _value(_lines(tmp_path), "book") == ["EUR", "2500.0"]


def test_a_currency_without_a_direct_pair_converts_through_two_legs(lean_data: Path, tmp_path: Path) -> None:
    """ETH account: LTC has no LTCETH pair, so LEAN's search goes LTC -> USD (LTCUSD) -> ETH (ETHUSD, inverted)."""
    outcome = _run(
        tmp_path,
        lean_data,
        """
        self.set_brokerage_model(BrokerageName.GDAX, AccountType.CASH)
        self.set_account_currency("ETH")
        self.set_cash("ETH", 1000)
        self.set_cash("LTC", 2000)
        self.set_cash("USD", 3000)
        self.eth = self.add_crypto("ETHUSD").symbol
        self.ltc = self.add_crypto("LTCUSD").symbol
        """,
        "if not self.portfolio.invested:\n    self.market_order(self.ltc, 1)",
        """
        book = self.portfolio.cash_book
        ltc, eth = self.securities[self.ltc].price, self.securities[self.eth].price
        legs = [s.symbol.value for s in book['LTC'].currency_conversion.conversion_rate_securities]
        self.debug(f"legs {legs[0]} {legs[1]}")
        self.debug(f"rates {book['LTC'].conversion_rate == ltc / eth} {book['USD'].conversion_rate == 1 / eth}")
        value = 1000 + book['LTC'].amount * ltc / eth + book['USD'].amount / eth
        self.debug(f"total {abs(self.portfolio.total_portfolio_value - value) < 1e-9} {book['LTC'].amount!r}")
        """,
    )
    assert outcome.status == "completed", outcome.error
    lines = _lines(tmp_path)
    assert _value(lines, "legs") == ["LTCUSD", "ETHUSD"]
    assert _value(lines, "rates") == ["True", "True"]
    assert _value(lines, "total") == ["True", "2001.0"]
    fee_currency = _value(lines, "fill")[-1]
    assert fee_currency == "USD"  # paid from the quote currency, counted in ETH in the statistics
    assert statistics(tmp_path / "out")["Total Fees"].startswith("Ξ")


@pytest.mark.parametrize(
    ("initialize", "on_data", "refused"),
    [
        ("self.set_brokerage_model(BrokerageName.GDAX)", "pass", "with a margin account"),
        (EUR_ACCOUNT, "self.limit_order(self.btc, 1, 1000)", "a LIMIT order in a Coinbase cash account"),
        ("self.set_cash('EUR', 10, 1.2)", "pass", "set_cash(currency, amount, conversion_rate) with a conversion"),
    ],
)
def test_what_the_cash_book_does_not_reproduce_is_refused_by_name(
    lean_data: Path, tmp_path: Path, initialize: str, on_data: str, refused: str
) -> None:
    outcome = _run(tmp_path, lean_data, initialize + "\nself.add_crypto('BTCEUR')", on_data)
    assert outcome.status == "failed"
    assert refused in outcome.error and "not supported" in outcome.error


def test_a_forex_session_has_its_midweek_close_as_a_gap(lean_data: Path) -> None:
    """Oanda's Wednesday closes 16:58-17:03 New York time: LEAN neither emits nor fills forward bars in it."""
    hours = LeanDataFolder(lean_data).market_hours(SecurityKind.FOREX, "oanda", "EURUSD")
    windows = hours.open_windows(date(2018, 4, 4), False)
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in windows] == [("00:00", "16:58"), ("17:03", "00:00")]


def test_forex_bars_in_the_midweek_close_are_no_data_and_crypto_starts_at_midnight(
    lean_data: Path, tmp_path: Path
) -> None:
    """A USD account trading EURUSD: the base currency EUR joins the cash book; no bar (raw or filled forward)
    ends inside 16:58-17:03. BTCEUR's minute bar ending at midnight, the start, is the first data."""
    outcome = _run(
        tmp_path,
        lean_data,
        "self.add_forex('EURUSD')\nself.add_crypto('BTCEUR')\nself.seen = []",
        "self.seen.append((self.time.strftime('%H:%M'), data.contains_key('EURUSD')))",
        """
        gap = [time for time, forex in self.seen if forex and '16:59' <= time <= '17:03']
        self.debug(f"first {self.seen[0][0]} gap {len(gap)} eur {'EUR' in self.portfolio.cash_book}")
        """,
    )
    assert outcome.status == "completed", outcome.error
    assert _value(_lines(tmp_path), "first") == ["00:00", "gap", "0", "eur", "True"]
