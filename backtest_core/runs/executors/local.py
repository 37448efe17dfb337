"""The local executor: each claimed run gets a detached supervisor on this machine (``runs.dispatch``)."""

from __future__ import annotations

from backtest_core.engines.base import EngineAvailability
from backtest_core.engines.registry import engine_availability
from backtest_core.models import EngineName
from backtest_core.runs.dispatch import dispatch_locally
from backtest_core.settings import Settings
from backtest_core.store import RunStore


class LocalExecutor:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def dispatch(self, store: RunStore) -> list[str]:
        return dispatch_locally(self.settings, store)

    def engine_availability(self, engine: EngineName) -> EngineAvailability:
        return engine_availability(engine, self.settings)
