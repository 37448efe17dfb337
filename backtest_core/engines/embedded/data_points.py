"""LEAN's ``DataPoints``: every data point its time slices carried, as its regression tests count them.

``AlgorithmManager`` adds each time slice's ``DataPointCount`` (``TimeSliceFactory``: the data of every
subscription packet, internal ones included). For the subscriptions the embedded engine runs that is:

- the bars of each subscription (trade, and quote where LEAN subscribes quotes), warm-up included;
- their fill-forward bars;
- LEAN's internal hourly feed of the benchmark security (from the trading day before the start, regular
  hours, no fill-forward), unless the benchmark is a function;
- the corporate events of every equity subscription of the algorithm (``EmitSplitsAndDividends``, see
  :mod:`.corporate_events`). LEAN's own regression figures show none from the internal benchmark feed (SPY's 16
  dividends of 2013-2016 count once in StopLimitOrderRegressionAlgorithm's 8061 points);
- one selection point per user-defined universe (one per security type and market), at the start.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from backtest_core.engines.embedded.broker import Security
from backtest_core.engines.embedded.data import SecurityKind


def universe_points(securities: Iterable[Security]) -> int:
    """LEAN's user-defined universes (one per security type and market) each emit one point at the start."""
    return len({(security.kind, security.symbol.market) for security in securities})


def bars_up_to(end_ns: np.ndarray | None, last_ns: int) -> int:
    """Bars of a series (by end time) received by ``last_ns``."""
    return 0 if end_ns is None else int(np.searchsorted(end_ns, last_ns, side="right"))


def equity_configs(security: Security) -> int:
    """LEAN's equity subscriptions of one security: trades, and quotes below hour resolution."""
    return 1 + (security.quote_feed is not None) if security.kind == SecurityKind.EQUITY else 0
