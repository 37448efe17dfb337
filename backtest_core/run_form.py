"""What the Run page's form starts from: its usual defaults, or a stored run's request and code to clone.

Cloning fills the form with the run's request as stored (engine, date and cash overrides, resolution,
symbols, parameters, name, tags) and offers the run's code snapshot (``code/`` in its folder) to run
instead of the catalogue's project of today, so the clone runs what the original ran unless the analyst
chooses otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from backtest_core.models import BacktestRequest, BacktestRunInfo, EngineName
from backtest_core.store import RunStore

DEFAULT_START = date(2015, 1, 1)
DEFAULT_END = date(2020, 12, 31)
DEFAULT_CASH = 100000.0


class FormDefaults(BaseModel):
    """Initial values of the Run page's fields (an unset override keeps the algorithm's own value)."""

    strategy: str | None = None
    engine: EngineName = EngineName.EMBEDDED
    override_dates: bool = False
    start: date = DEFAULT_START
    end: date = DEFAULT_END
    override_cash: bool = False
    cash: float = DEFAULT_CASH
    resolution: str | None = None
    symbols: str = ""
    parameters: dict[str, str] = Field(default_factory=dict)
    name: str = ""
    tags: str = ""


@dataclass(frozen=True)
class Clone:
    """A stored run to start again: its form values and its code snapshot (None when it kept none)."""

    run: BacktestRunInfo
    defaults: FormDefaults
    code: Path | None


def form_defaults(request: BacktestRequest) -> FormDefaults:
    """The form's values that give back ``request`` when submitted unchanged."""
    return FormDefaults(
        strategy=request.strategy,
        engine=request.engine,
        override_dates=request.start_date is not None or request.end_date is not None,
        start=request.start_date or DEFAULT_START,
        end=request.end_date or DEFAULT_END,
        override_cash=request.initial_cash is not None,
        cash=request.initial_cash or DEFAULT_CASH,
        resolution=request.resolution.value if request.resolution else None,
        symbols=", ".join(request.symbols),
        parameters=dict(request.parameters),
        name=request.name or "",
        tags=", ".join(request.tags),
    )


def clone_of(store: RunStore, run_id: str) -> Clone:
    """The run ``run_id`` as a clone; StudioError (unknown or malformed id) as ``store.get`` raises it."""
    run = store.get(run_id)
    code = store.run_dir(run_id) / "code"
    return Clone(run=run, defaults=form_defaults(run.request), code=code if (code / "main.py").is_file() else None)


def parameter_rows(project: dict[str, str], cloned: dict[str, str]) -> dict[str, str]:
    """The parameter table: the project's parameters with the clone's values, then the clone's others."""
    return {**project, **cloned}
