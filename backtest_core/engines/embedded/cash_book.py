"""LEAN's cash book: the account currency, a cash entry per currency and its conversion rate.

- ``Cash`` (``Common/Securities/Cash.cs``): an amount and a conversion to the account currency; its rate is the
  product of its conversion securities' last prices (inverted where the pair is the other way round), read
  when asked, as LEAN's ``SecurityCurrencyConversion.ConversionRate`` is after ``Cash.Update`` each time step.
  A security's last price here is its ``price``: for crypto and forex the close of the latest bar received,
  a quote bar's winning over a trade bar of the same end (``SecurityCache.ProcessDataPoint``).
- The account currency's entry keeps its amount in ``Portfolio.cash`` (read at every step, so a plain float).
- ``conversion_path`` is ``SecurityCurrencyConversion.LinearSearch``: the first one-leg pair among the existing
  securities then the symbol properties database's pairs (forex, CFD, crypto, of the brokerage's and the
  existing securities' markets), else the first two-leg path; a currency in no pair gets LEAN's null conversion
  (rate 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.model import LeanObject, Symbol
from backtest_core.errors import UnsupportedApi
from backtest_core.stats.decimals import from_float, normalize

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Portfolio, Security

# LEAN's Currencies.CurrencySymbols
CURRENCY_SYMBOLS = {
    "USD": "$", "GBP": "₤", "JPY": "¥", "KRW": "₩", "EUR": "€", "NZD": "$", "AUD": "$", "CAD": "$", "CHF": "Fr",
    "HKD": "$", "SGD": "$", "XAG": "Ag", "XAU": "Au", "CNH": "¥", "CNY": "¥", "CZK": "Kč", "DKK": "kr",
    "HUF": "Ft", "INR": "₹", "MXN": "$", "NOK": "kr", "PLN": "zł", "SAR": "﷼", "SEK": "kr", "THB": "฿",
    "TRY": "₺", "TWD": "NT$", "ZAR": "R", "RUB": "₽", "BRL": "R$", "GNF": "Fr", "IDR": "Rp", "BTC": "₿",
    "BCH": "Ƀ", "BSV": "Ɓ", "LTC": "Ł", "ETH": "Ξ", "EOS": "ε", "XRP": "✕", "XLM": "*", "ETC": "ξ", "ZRX": "ZRX",
    "USDT": "₮", "ADA": "₳", "SOL": "◎", "DOT": "●", "DOGE": "Ð", "DAI": "◈", "ALGO": "Ⱥ", "ICP": "∞", "XMR": "ɱ",
    "XTZ": "ꜩ", "IOTA": "ɨ", "MIOTA": "ɨ", "MKR": "Μ", "ZEC": "ⓩ", "DASH": "Đ", "XNO": "Ӿ", "REP": "Ɍ",
    "STEEM": "ȿ", "THETA": "ϑ", "FIL": "⨎", "BAT": "⟁", "LSK": "Ⱡ", "NAV": "Ꞥ",
}  # fmt: skip

# LEAN's Currencies._stableCoinsWithoutPairs*: pairs LEAN treats as 1:1 without a conversion security
STABLE_COINS_WITHOUT_PAIRS = {
    "binance": {"USDCUSD", "USDTUSD", "USDPUSD", "SUSDUSD", "BUSDUSD", "USTUSD", "TUSDUSD", "FDUSDUSD", "DAIUSD",
                "IDRTIDR", "BNFCRUSD"},
    "bitfinex": {"EURSEUR", "XCHFCHF"},
    "coinbase": {"USDCUSD"},
    "bybit": {"USDCUSD", "USDTUSD", "USDPUSD", "SUSDUSD", "BUSDUSD", "USTUSD", "TUSDUSD", "DAIUSD"},
    "dydx": {"USDCUSD"},
}  # fmt: skip


def currency_symbol(currency: str) -> str:
    """LEAN's ``Currencies.GetCurrencySymbol``: the sign, or the code itself when LEAN has none."""
    return CURRENCY_SYMBOLS.get(currency, currency)


@dataclass(frozen=True, slots=True)
class Pair:
    """A currency pair a conversion can use: a symbol with its base and quote currencies."""

    symbol: Symbol
    base: str
    quote: str


@dataclass(frozen=True, slots=True)
class Step:
    security: Security
    inverted: bool


class CurrencyConversion(LeanObject):
    """A conversion to the account currency: constant (the account currency, or a rate given with set_cash),
    or through one or two securities."""

    def __init__(
        self, source: str, destination: str | None, rate: float = 0.0, steps: list[Step] | None = None
    ) -> None:
        self.source_currency, self.destination_currency = source, destination
        self.rate, self.steps = rate, steps

    @property
    def conversion_rate(self) -> float:
        if self.steps is None:
            return self.rate
        rate = 1.0
        for step in self.steps:
            price = step.security.price
            if price == 0:
                return 0.0
            rate = rate / price if step.inverted else rate * price
        return rate

    def decimal_rate(self) -> Decimal:
        """The rate as LEAN's decimal arithmetic gives it (1 times each price, or divided by it)."""
        if self.steps is None:
            return Decimal(1) if self.rate == 1 else from_float(self.rate)
        rate = Decimal(1)
        for step in self.steps:
            price = from_float(step.security.price)
            if price == 0:
                return Decimal(0)
            rate = rate / price if step.inverted else rate * price
        return rate

    @property
    def conversion_rate_securities(self) -> list[Security]:
        return [step.security for step in self.steps or ()]

    ConversionRate = conversion_rate
    ConversionRateSecurities = conversion_rate_securities


class Cash(LeanObject):
    """One currency's amount and its conversion to the account currency."""

    def __init__(self, symbol: str, amount: float, rate: float) -> None:
        self.symbol = symbol.upper()
        self._amount = float(amount)
        self.currency_conversion = CurrencyConversion(self.symbol, None, float(rate))

    @property
    def amount(self) -> float:
        return self._amount

    @amount.setter
    def amount(self, value: float) -> None:
        self._amount = value

    @property
    def conversion_rate(self) -> float:
        return self.currency_conversion.conversion_rate

    @property
    def currency_symbol(self) -> str:
        return currency_symbol(self.symbol)

    @property
    def value_in_account_currency(self) -> float:
        return self.amount * self.conversion_rate

    @property
    def resolved(self) -> bool:
        """Whether LEAN's ``EnsureCurrencyDataFeed`` has given it its conversion (a destination currency)."""
        return self.currency_conversion.destination_currency is not None

    def set_amount(self, amount: float) -> None:
        self.amount = float(amount)

    def add_amount(self, amount: float) -> float:
        self.amount += amount
        return self.amount

    def __repr__(self) -> str:
        return f"{self.symbol}: {self.currency_symbol}{self.amount:.2f} @ {self.conversion_rate}"

    Symbol = property(lambda self: self.symbol)
    Amount = amount
    ConversionRate = conversion_rate
    CurrencySymbol = currency_symbol
    ValueInAccountCurrency = value_in_account_currency
    CurrencyConversion = property(lambda self: self.currency_conversion)


class AccountCash(Cash):
    """The account currency's entry: its amount is the portfolio's cash, rate 1."""

    def __init__(self, symbol: str, portfolio: Portfolio) -> None:
        self._portfolio = portfolio
        super().__init__(symbol, portfolio.cash, 1.0)
        self.currency_conversion = CurrencyConversion(self.symbol, self.symbol, 1.0)

    @property
    def amount(self) -> float:
        return self._portfolio.cash

    @amount.setter
    def amount(self, value: float) -> None:
        self._portfolio.cash = value

    Amount = amount


class CashBook(dict):
    """Cash by currency code, the account currency's first (LEAN's ``CashBook``)."""

    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__()
        self._portfolio = portfolio
        self.account_currency = "USD"
        self["USD"] = AccountCash("USD", portfolio)

    def set_account_currency(self, currency: str) -> None:
        """LEAN's ``CashBook.AccountCurrency`` setter: the old entry goes, the new one keeps its amount."""
        currency = currency.upper()
        self.pop(self.account_currency, None)
        self.pop(currency, None)
        self.account_currency = currency
        self[currency] = AccountCash(currency, self._portfolio)

    def add(self, symbol: str, amount: float, rate: float) -> Cash:
        symbol = symbol.upper()
        if symbol == self.account_currency:
            cash = self[symbol]
            cash.amount = float(amount)
            return cash
        cash = self[symbol] = Cash(symbol, amount, rate)
        return cash

    def __getitem__(self, key: str) -> Cash:
        try:
            return super().__getitem__(str(key).upper())
        except KeyError:
            raise KeyError(f"This cash symbol ({key}) was not found in your cash book.") from None

    def __contains__(self, key: object) -> bool:
        return super().__contains__(str(key).upper())

    def others(self) -> list[Cash]:
        """The entries besides the account currency's."""
        return [cash for symbol, cash in self.items() if symbol != self.account_currency]

    @property
    def total_value_in_account_currency(self) -> float:
        return sum(cash.value_in_account_currency for cash in self.values())

    def total_value_decimal(self) -> Decimal:
        """``TotalValueInAccountCurrency`` as LEAN's decimal (amounts as set, rates from the prices as read):
        what the start equity prints, whose scale LEAN keeps."""
        total = Decimal(0)
        for cash in self.values():
            total += normalize(from_float(cash.amount)) * cash.currency_conversion.decimal_rate()
        return total

    def convert(self, amount: float, source: str, destination: str) -> float:
        """LEAN's ``CashBook.Convert``: through both rates (an error when either is 0)."""
        if amount == 0:
            return 0.0
        source_rate, destination_rate = self[source].conversion_rate, self[destination].conversion_rate
        for currency, rate in ((source, source_rate), (destination, destination_rate)):
            if rate == 0:
                raise UnsupportedApi(f"a conversion from {currency} before its conversion rate is known")
        return amount * (source_rate / destination_rate)

    def convert_to_account_currency(self, amount: float, source: str) -> float:
        if source.upper() == self.account_currency:
            return amount
        return self.convert(amount, source, self.account_currency)

    AccountCurrency = property(lambda self: self.account_currency)
    TotalValueInAccountCurrency = total_value_in_account_currency
    Convert = convert
    ConvertToAccountCurrency = convert_to_account_currency


def is_stable_coin_without_pair(symbol: str, market: str) -> bool:
    return symbol in STABLE_COINS_WITHOUT_PAIRS.get(market, ())


def compare_pair(pair: Pair, base: str, quote: str) -> int:
    """LEAN's ``CurrencyPairUtil.ComparePair``: 0 no match, 1 exact, 2 inverse (stablecoins without pairs count
    as their currency)."""
    currencies = [pair.base, pair.quote, base, quote]
    matched = False
    for first, second in ((1, 3), (1, 2), (0, 3), (0, 2)):
        a, b = currencies[first], currencies[second]
        if is_stable_coin_without_pair(a + b, pair.symbol.market) or is_stable_coin_without_pair(
            b + a, pair.symbol.market
        ):
            currencies[first] = currencies[second]
            matched = True
    found = (currencies[0], currencies[1]) if matched else (pair.base, pair.quote)
    if found == (base, quote):
        return 1
    return 2 if found == (quote, base) else 0


def conversion_path(
    source: str,
    destination: str,
    existing: list[tuple[Pair, Security]],
    potentials: Iterable[Pair],
    make_security: Callable[[Pair], Security],
) -> list[Step]:
    """LEAN's ``SecurityCurrencyConversion.LinearSearch``: the steps from ``source`` to ``destination``."""
    by_symbol: dict[Symbol, Security] = {}
    for pair, security in existing:
        by_symbol.setdefault(pair.symbol, security)
    pairs = [pair for pair, _ in existing] + list(potentials)

    def step(pair: Pair, inverted: bool) -> Step:
        security = by_symbol.get(pair.symbol)
        if security is None:
            security = by_symbol[pair.symbol] = make_security(pair)
        return Step(security, inverted)

    for pair in pairs:
        match = compare_pair(pair, source, destination)
        if match:
            return [step(pair, match == 2)]
    for first in pairs:
        middle = first.quote if first.base == source else first.base if first.quote == source else None
        if middle is None:
            continue
        for second in pairs:
            match = compare_pair(second, middle, destination)
            if match:
                return [step(first, source == first.quote), step(second, match == 2)]
    raise UnsupportedApi(f"a conversion of {source} to {destination} (LEAN finds no conversion path)")


def security_quote_rate(security: Any) -> float:
    """The conversion rate of a security's quote currency (1 for the account currency)."""
    return security.quote_cash.conversion_rate if security.quote_cash is not None else 1.0
