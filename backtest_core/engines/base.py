"""The one interface both engines offer the supervisor.

The supervisor (``backtest_core.runs``) owns a run: it builds an :class:`EngineJob`, calls
:meth:`Engine.run` in its own detached process, forwards :class:`EngineProgress` and log lines to the store,
and sets ``cancel`` when the user cancels. An engine writes LEAN's result layout into ``job.output_dir``
(``<algorithm_id>.json``, ``-order-events.json``, ``-summary.json``, ``log.txt``) and returns an
:class:`EngineOutcome`; it never touches the store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field


class RunOverrides(BaseModel):
    """What the request overrides in the algorithm: applied after ``initialize`` by both engines."""

    start_date: date | None = None
    end_date: date | None = None
    initial_cash: float | None = None
    parameters: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class EngineJob:
    """Everything an engine needs for one run; paths are absolute."""

    run_id: str
    algorithm_id: str  # names LEAN's result files: <algorithm_id>.json
    project_dir: Path  # the run's snapshot of the strategy's LEAN project (main.py, config.json, ...)
    data_dir: Path  # LEAN data folder
    output_dir: Path  # where LEAN's result files go
    overrides: RunOverrides = field(default_factory=RunOverrides)
    storage_dir: Path | None = None  # LEAN object store (/Storage for Docker)


class EngineProgress(BaseModel):
    """A progress report from inside an engine."""

    percent: float = Field(ge=0.0, le=100.0)
    simulated_time: datetime | None = None
    period_start: date | None = None
    period_end: date | None = None
    equity: float | None = None
    statistics: dict[str, str] = Field(default_factory=dict)


class SubscriptionFacts(BaseModel):
    """One subscription as the engine ran it (names as LEAN's data folder spells them)."""

    symbol: str
    kind: str = Field(description="equity, crypto or forex")
    market: str
    resolution: str


class EngineFacts(BaseModel):
    """What only the engine knows about a run: the period and cash after the algorithm's ``initialize`` and the
    request's overrides, what it subscribed to and read, and whether the data folder was the SYNTHETIC sample.
    The supervisor turns these into the run's stored description (and its coverage warnings)."""

    period_start: date | None = None
    period_end: date | None = None
    start_capital: float | None = None
    subscriptions: list[SubscriptionFacts] = Field(default_factory=list)
    synthetic_data: bool | None = None
    language: str | None = None
    engine_version: str | None = None


class EngineOutcome(BaseModel):
    """How an engine run ended. ``error`` is LEAN-style text (e.g. ``Runtime Error: ...``)."""

    status: Literal["completed", "failed", "cancelled"]
    error: str | None = None
    traceback: str | None = None
    facts: EngineFacts | None = None


class EngineAvailability(BaseModel):
    available: bool
    message: str = ""


class ProgressSink(Protocol):
    """Where an engine reports while it runs (the supervisor's side)."""

    def progress(self, report: EngineProgress) -> None: ...

    def log(self, line: str) -> None: ...


class Engine(Protocol):
    """An engine. Implementations: ``embedded`` and ``lean-docker``."""

    name: str

    def availability(self) -> EngineAvailability:
        """Whether this engine can run here now, and if not, what to do (cheap; called by pages)."""
        ...

    def run(self, job: EngineJob, sink: ProgressSink, cancel: threading.Event) -> EngineOutcome:
        """Run ``job`` to the end, or until ``cancel`` is set (then stop within seconds, keep partial output)."""
        ...
