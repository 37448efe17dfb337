"""What the embedded engine reports about a run beside its result files: period, cash, subscriptions, and
whether the data folder was the SYNTHETIC sample (see ``EngineFacts``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from backtest_core.engines.base import EngineFacts, SubscriptionFacts
from backtest_core.engines.embedded.recorder import LEAN_VERSION
from backtest_core.sample_data import MARKER

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.recorder import Recorder

ENGINE_VERSION = f"embedded, LEAN {LEAN_VERSION} API"


def engine_facts(backtest: Backtest, recorder: Recorder, data_dir: Path) -> EngineFacts:
    """The facts of a run in any state: the period and cash only once ``initialize`` ran and the overrides
    were applied (when the recorder logged LEAN's ``Dates:`` line)."""
    period = recorder.period
    return EngineFacts(
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        start_capital=recorder.starting_cash if period else None,
        subscriptions=[
            SubscriptionFacts(
                symbol=security.symbol.value,
                kind=security.kind.value,
                market=security.symbol.market,
                resolution=security.resolution.name.lower(),
            )
            for security in backtest.securities.values()
        ],
        synthetic_data=(data_dir / MARKER).exists(),
        language="python",
        engine_version=ENGINE_VERSION,
    )
