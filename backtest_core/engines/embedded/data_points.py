"""LEAN's ``DataPoints``: every data point its time slices carried, as its regression tests count them.

``AlgorithmManager`` adds each time slice's ``DataPointCount`` (``TimeSliceFactory``: the data of every
subscription packet, internal ones included). For the subscriptions the embedded engine runs that is:

- the bars of each subscription (trade, and quote where LEAN subscribes quotes), warm-up included;
- their fill-forward bars;
- LEAN's internal hourly feed of the benchmark security (from the trading day before the start, regular
  hours, no fill-forward), unless the benchmark is a function;
- the corporate events of every equity of the algorithm (``EmitSplitsAndDividends``, see
  :mod:`.corporate_events`), once per equity even where LEAN also subscribes its quotes: LEAN's figures say so
  (CanLiquidateWithOrderPropertiesRegressionAlgorithm's 1583 points hold one split warning for AAPL's minute
  trades and quotes, EquitySplitHoldingsMinuteRegressionAlgorithm's 3945 one warning and one split). LEAN's
  own regression figures show none from the internal benchmark feed (SPY's 16
  dividends of 2013-2016 count once in StopLimitOrderRegressionAlgorithm's 8061 points);
- one selection point per user-defined universe (one per security type and market), at the start;
- the renames (``symbol_changes.py``) and delisting events (``delistings.py``), and for each ``Delisted`` one
  more selection point: the delisted security leaves its user-defined universe, whose replaced subscription
  selects again.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from backtest_core.engines.embedded.broker import Security


def universe_points(securities: Iterable[Security]) -> int:
    """LEAN's user-defined universes (one per security type and market) each emit one point at the start; the
    cash book's internal conversion securities belong to none."""
    return len({(security.kind, security.symbol.market) for security in securities if not security.internal})


def bars_up_to(end_ns: np.ndarray | None, last_ns: int) -> int:
    """Bars of a series (by end time) received by ``last_ns``."""
    return 0 if end_ns is None else int(np.searchsorted(end_ns, last_ns, side="right"))
