"""LEAN's security benchmark under an account currency other than the benchmark's (SPY's USD).

``SecurityService.CreateBenchmarkSecurity`` creates the benchmark security as any other, so its quote currency
joins the cash book, empty, before ``SetupCurrencyConversions`` gives every currency its conversion (an INR
account gets an internal USDINR subscription, a EUR one EURUSD). ``SecurityBenchmark.Evaluate`` is the
benchmark's price times that currency's conversion rate at the moment it is sampled: with no data for the
conversion the rate stays 0 and so does the benchmark, while its internal feed still runs (and counts its data
points).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest

BENCHMARK_CURRENCY = "USD"  # the engine's security benchmarks are US equities


def add_benchmark_cash(backtest: Backtest) -> None:
    """The security benchmark's quote currency in the cash book, amount and rate 0, when absent."""
    book = backtest.portfolio.cash_book
    if backtest.benchmark_function is None and BENCHMARK_CURRENCY not in book:
        book.add(BENCHMARK_CURRENCY, 0.0, 0.0)


def benchmark_rate(backtest: Backtest) -> Callable[[], float] | None:
    """The current rate a security benchmark's prices are multiplied by; None where it is always 1 (a USD
    account, or a function benchmark)."""
    book = backtest.portfolio.cash_book
    if backtest.benchmark_function is not None or book.account_currency == BENCHMARK_CURRENCY:
        return None
    cash = book[BENCHMARK_CURRENCY]
    return lambda: cash.conversion_rate
