"""The cluster executor (``BACKTEST_CLUSTER`` set): the store's queued runs execute on a Dask cluster.

One relay process per store claims them, up to the cluster's worker threads, and follows them
(``backtest_core.cluster.relay``); dispatching here only makes sure that relay runs, which costs one
``flock`` and needs no Dask, so every poll can do it.
"""

from __future__ import annotations

from backtest_core.cluster import control, status
from backtest_core.cluster.protocol import EXECUTOR
from backtest_core.engines.base import EngineAvailability
from backtest_core.models import EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore


class ClusterExecutor:
    name = EXECUTOR

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def dispatch(self, store: RunStore) -> list[str]:
        control.ensure_relay(self.settings, store)
        return []  # the relay claims and starts runs itself, in its own process

    def engine_availability(self, engine: EngineName) -> EngineAvailability:
        return status.engine_availability(engine, self.settings)
