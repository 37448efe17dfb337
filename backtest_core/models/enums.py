"""The closed vocabularies of a run: status, engine, resolution."""

from __future__ import annotations

from enum import StrEnum


class BacktestStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        """Queued or running: the run still owns a supervisor (or waits for one)."""
        return self in (BacktestStatus.QUEUED, BacktestStatus.RUNNING)


class EngineName(StrEnum):
    """Which engine computed a run: this app's two, or ``lean`` for LEAN run elsewhere (imported results,
    whose ``description.source`` says which tool ran it). Only ``runnable`` engines take new runs."""

    EMBEDDED = "embedded"
    LEAN_DOCKER = "lean-docker"
    LEAN = "lean"

    @classmethod
    def runnable(cls) -> tuple[EngineName, ...]:
        return (cls.EMBEDDED, cls.LEAN_DOCKER)


class Resolution(StrEnum):
    """LEAN's resolutions, spelled as LEAN's Python API spells them (lower case)."""

    TICK = "tick"
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAILY = "daily"


RANGES = ("1M", "3M", "6M", "YTD", "1Y", "All")  # a window's range buttons (Result page) and ``analyse --range``
