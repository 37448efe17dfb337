"""Where claimed runs execute: here, each under its own detached supervisor, or on a Dask cluster.

The queue is the same store rows for both; an executor is only the mover that claims them and the judge of
which engines can run where it sends them. ``BACKTEST_CLUSTER`` chooses the cluster; unset, runs execute
here and Dask is never imported (it is an optional extra).
"""

from __future__ import annotations

from typing import Protocol

from backtest_core.engines.base import EngineAvailability
from backtest_core.models import EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore


class Executor(Protocol):
    name: str  # recorded with each claimed run (``runs.executor``): who owns it while it runs

    def dispatch(self, store: RunStore) -> list[str]:
        """Move queued runs to where they execute while there is room; the ids started here and now."""
        ...

    def engine_availability(self, engine: EngineName) -> EngineAvailability:
        """Whether ``engine`` can run where this executor sends runs, and if not, what to do."""
        ...


def executor_for(settings: Settings) -> Executor:
    """The cluster executor when ``BACKTEST_CLUSTER`` is set, else the local one (imported on demand)."""
    if settings.cluster:
        from backtest_core.runs.executors.cluster import ClusterExecutor

        return ClusterExecutor(settings)
    from backtest_core.runs.executors.local import LocalExecutor

    return LocalExecutor(settings)
