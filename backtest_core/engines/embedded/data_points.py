"""LEAN's ``DataPoints``: every data point its time slices carried, as its regression tests count them.

``AlgorithmManager`` adds each time slice's ``DataPointCount`` (``TimeSliceFactory``: the data of every
subscription packet, internal ones included). For the subscriptions the embedded engine runs that is:

- the bars of each subscription (trade, and quote where LEAN subscribes quotes), warm-up included;
- their fill-forward bars;
- LEAN's internal hourly feed of the benchmark security (from the trading day before the start, regular
  hours, no fill-forward), unless the benchmark is a function;
- the corporate events of every equity subscription of the algorithm (``EmitSplitsAndDividends``): a split
  as a warning on the factor file's row date and the split itself on the next trading day, a dividend on the
  next trading day. LEAN's own regression figures show none from the internal benchmark feed (SPY's 16
  dividends of 2013-2016 count once in StopLimitOrderRegressionAlgorithm's 8061 points);
- one selection point per user-defined universe (one per security type and market), at the start;
- the renames (``symbol_changes.py``) and delisting events (``delistings.py``), and for each ``Delisted`` one
  more selection point: the delisted security leaves its user-defined universe, whose replaced subscription
  selects again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np

from backtest_core.engines.embedded.broker import Security
from backtest_core.engines.embedded.data import FactorFile, MarketHours, SecurityKind


def corporate_events(factors: FactorFile | None, hours: MarketHours, first: date, last: date) -> int:
    """Split and dividend data points one equity subscription emits over the trading days ``first..last``."""
    if factors is None or len(factors.dates) < 2:
        return 0
    count = 0
    for index, row_day in enumerate(factors.dates[:-1].astype(object)):
        if not first <= row_day <= last or not hours.is_trading_day(row_day):
            continue
        next_day = _next_trading_day(hours, row_day)
        after = next_day is not None and next_day <= last
        if factors.split_factor[index] != factors.split_factor[index + 1]:
            count += 1 + after  # the warning on the row's day, the split on the next trading day
        if factors.price_factor[index] != factors.price_factor[index + 1]:
            count += after
    return count


def universe_points(securities: Iterable[Security]) -> int:
    """LEAN's user-defined universes (one per security type and market) each emit one point at the start."""
    return len({(security.kind, security.symbol.market) for security in securities})


def bars_up_to(end_ns: np.ndarray | None, last_ns: int) -> int:
    """Bars of a series (by end time) received by ``last_ns``."""
    return 0 if end_ns is None else int(np.searchsorted(end_ns, last_ns, side="right"))


def equity_configs(security: Security) -> int:
    """LEAN's equity subscriptions of one security: trades, and quotes below hour resolution."""
    return 1 + (security.quote_feed is not None) if security.kind == SecurityKind.EQUITY else 0


def _next_trading_day(hours: MarketHours, day: date) -> date | None:
    for offset in range(1, 15):
        candidate = day + timedelta(days=offset)
        if hours.is_trading_day(candidate):
            return candidate
    return None
