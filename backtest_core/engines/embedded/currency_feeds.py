"""The cash book's conversion securities, as LEAN sets them up after ``Initialize``.

- ``attach_cash``: ``SecurityService.CreateSecurity`` adds a security's quote currency (and a pair's base
  currency) to the cash book, amount 0, when absent.
- ``ensure_currency_feeds``: ``CashBook.EnsureCurrencyDataFeeds`` in the book's order: the account currency
  converts at 1; a stablecoin LEAN pairs 1:1 too; a currency in no pair of the symbol properties database gets
  LEAN's null conversion (rate 0); any other the first conversion path (:func:`cash_book.conversion_path`),
  adding the securities it lacks as internal subscriptions at the finest resolution subscribed, filled forward
  (crypto trades, forex quotes).
- ``seed_conversion_rates``: ``AlgorithmUtils.SeedCurrencyConversionRates``: the conversion securities of
  currencies without a rate take their last price from a history request of 5 bars per subscription
  (``seed-lookback-period``), counted as history data points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from backtest_core.engines.embedded.cash_book import (
    CashBook,
    CurrencyConversion,
    Pair,
    conversion_path,
    is_stable_coin_without_pair,
)
from backtest_core.engines.embedded.clock import local_datetime
from backtest_core.engines.embedded.data import DEFAULT_MARKET, Bars, SecurityKind
from backtest_core.engines.embedded.history import Window, bars_start_ns
from backtest_core.engines.embedded.model import Resolution, SecurityType, Symbol
from backtest_core.errors import UnsupportedApi
from backtest_core.models import Resolution as ResolutionName

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.broker import Security

SEED_LOOKBACK_PERIOD = 5
PAIR_TYPES = (("forex", SecurityType.FOREX), ("cfd", None), ("crypto", SecurityType.CRYPTO))
_PAIR_KINDS = {SecurityKind.FOREX: "forex", SecurityKind.CRYPTO: "crypto"}


def decompose(kind_name: str, market: str, ticker: str, quote: str) -> tuple[str, str] | None:
    """LEAN's ``CurrencyPairUtil``: a forex pair splits 3+3; a crypto or CFD pair ends with its quote currency."""
    if kind_name == "forex":
        return (ticker[:3], ticker[3:]) if len(ticker) == 6 else None
    if ticker.endswith(quote) and len(ticker) > len(quote):
        return ticker[: -len(quote)], quote
    return None


def security_pair(security: Security) -> Pair | None:
    name = _PAIR_KINDS.get(security.kind)
    if name is None:
        return None
    parts = decompose(name, security.symbol.market, security.symbol.value, security.quote_currency)
    return Pair(security.symbol, *parts) if parts else None


def attach_cash(book: CashBook, security: Security) -> None:
    """The security's quote (and base) currency entries, created empty when missing."""
    quote = security.quote_currency
    if quote not in book:
        book.add(quote, 0.0, 0.0)
    security.quote_cash = None if quote == book.account_currency else book[quote]
    pair = security_pair(security)
    if pair is not None:
        if pair.base not in book:
            book.add(pair.base, 0.0, 0.0)
        security.base_cash = book[pair.base]


def ensure_currency_feeds(backtest: Backtest) -> None:
    book = backtest.portfolio.cash_book
    account = book.account_currency
    for cash in list(book.values()):
        if cash.resolved:
            continue
        if cash.symbol == account:
            cash.currency_conversion = CurrencyConversion(account, account, 1.0)
            continue
        existing = [(pair, security) for security in backtest.securities.values()
                    if (pair := security_pair(security)) is not None]  # fmt: skip
        potentials = list(_potential_pairs(backtest))
        crypto_market = DEFAULT_MARKET[SecurityKind.CRYPTO]
        if any(is_stable_coin_without_pair(a + b, crypto_market) for a, b in
               ((account, cash.symbol), (cash.symbol, account))):  # fmt: skip
            cash.currency_conversion = CurrencyConversion(cash.symbol, account, 1.0)
            continue
        if not any(cash.symbol in (pair.base, pair.quote) for pair in potentials):
            cash.currency_conversion = CurrencyConversion(cash.symbol, account, 0.0)  # LEAN's null conversion
            continue
        steps = conversion_path(cash.symbol, account, existing, potentials, partial_internal(backtest))
        cash.currency_conversion = CurrencyConversion(cash.symbol, account, steps=steps)


def partial_internal(backtest: Backtest) -> Callable[[Pair], Security]:
    """``makeNewSecurity``: an internal subscription at the finest resolution the algorithm subscribed."""

    def make(pair: Pair) -> Security:
        kind = {SecurityType.FOREX: SecurityKind.FOREX, SecurityType.CRYPTO: SecurityKind.CRYPTO}.get(
            pair.symbol.security_type
        )
        if kind is None:
            raise UnsupportedApi(f"a CFD conversion security ({pair.symbol.value}) for the cash book")
        resolutions = [security.resolution for security in backtest.securities.values()]
        resolution = min(resolutions, default=Resolution.MINUTE)
        return backtest.add_internal_security(kind, pair.symbol.value, pair.symbol.market, Resolution(resolution))

    return make


def _potential_pairs(backtest: Backtest) -> Iterator[Pair]:
    """The database's pairs LEAN searches: forex, then CFD, then crypto entries of the brokerage's default
    market and the markets of existing securities of that type."""
    for name, security_type in PAIR_TYPES:
        markets = [DEFAULT_MARKET[SecurityKind.FOREX] if name != "crypto" else DEFAULT_MARKET[SecurityKind.CRYPTO]]
        for security in backtest.securities.values():
            if _PAIR_KINDS.get(security.kind) == name and security.symbol.market not in markets:
                markets.append(security.symbol.market)
        for market in markets:
            for ticker, properties in backtest.data.symbol_property_entries(name, market):
                parts = decompose(name, market, ticker, properties.quote_currency)
                if parts is None:
                    continue
                symbol = (
                    Symbol.create(ticker, security_type, market)
                    if security_type is not None
                    else Symbol(ticker, SecurityType.BASE, market, f"{ticker} cfd")
                )
                yield Pair(symbol, *parts)


def seed_conversion_rates(backtest: Backtest) -> None:
    book = backtest.portfolio.cash_book
    seeded: list[Security] = []
    for cash in book.values():
        if cash.conversion_rate != 0:
            continue
        for security in cash.currency_conversion.conversion_rate_securities:
            if security not in seeded and security.price == 0:
                seeded.append(security)
    for security in seeded:
        _seed(backtest, security)


def _seed(backtest: Backtest, security: Security) -> None:
    """The last bars before now of each of the security's subscriptions; the latest sets its price (a quote
    bar's over a trade bar's of the same end, except for equities)."""
    now = backtest.clock.ns
    level = security.resolution
    window = Window(bars_start_ns(security, SEED_LOOKBACK_PERIOD, level, now), now)
    latest: tuple[int, int, float] | None = None
    for order, kind in enumerate(feed_kinds(security)):
        loaded = backtest.history_requests.load(security, kind, level, window, False)
        if loaded is None or not len(loaded[0]):
            symbol, name = security.symbol, ResolutionName(level.name.lower())
            since, until = _day(window.start_ns, security, 30), _day(window.start_ns, security, 0)
            earlier = backtest.data.read_bars(security.kind, symbol.market, symbol.value, name, kind, since, until)
            if earlier is not None and len(earlier):
                raise UnsupportedApi(f"seeding {security.symbol.value}'s conversion rate from LEAN's longer look-back")
            continue
        bars = loaded[0]
        end = int(bars.end_ns[-1])
        price = float(bars.close[-1]) if kind == "trade" else _mid(bars)
        if latest is None or (end, order) > latest[:2]:
            latest = (end, order, price)
    if latest is not None and latest[2]:
        security.price = latest[2]


def feed_kinds(security: Security) -> tuple[str, ...]:
    """The data a security is subscribed to: an internal crypto conversion security's trades only."""
    if security.kind == SecurityKind.FOREX:
        return ("quote",)
    if security.internal or security.resolution not in (Resolution.MINUTE, Resolution.SECOND):
        return ("trade",)
    return ("trade", "quote")


def _mid(bars: Bars) -> float:
    bid, ask = float(bars.bid[-1, 3]), float(bars.ask[-1, 3])
    return (bid + ask) / 2 if bid and ask else bid or ask


def _day(ns: int, security: Security, days_back: int) -> date:
    return local_datetime(ns, security.hours.exchange_tz).date() - timedelta(days=days_back)
