"""Engines by name: the one place that knows which class implements ``embedded`` and ``lean-docker``."""

from __future__ import annotations

from backtest_core.engines.base import Engine, EngineAvailability
from backtest_core.models import EngineName
from backtest_core.settings import Settings


def engine_for(name: EngineName, settings: Settings | None = None) -> Engine:
    """The engine; imported on demand so a Docker run's supervisor never loads the embedded engine."""
    if name == EngineName.LEAN_DOCKER:
        from backtest_core.engines.lean_docker.runner import LeanDockerEngine

        return LeanDockerEngine(settings or Settings())
    from backtest_core.engines.embedded.engine import EmbeddedEngine

    return EmbeddedEngine()


def engine_availability(name: EngineName, settings: Settings | None = None) -> EngineAvailability:
    """Whether ``name`` can run here now and, if not, what to do; cheap enough for a page to call."""
    return engine_for(name, settings).availability()
