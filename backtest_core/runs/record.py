"""Storing how a run ended: its final status and key statistics, its description, its result's digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtest_core.describe import describe_engine_run, describe_result
from backtest_core.engines.base import EngineOutcome
from backtest_core.errors import ResultFormatError
from backtest_core.models import BacktestRunInfo, BacktestStatus, EngineName, RunDescription, RunWarning
from backtest_core.results.files import content_digest
from backtest_core.settings import Settings
from backtest_core.store import RunStore

if TYPE_CHECKING:  # a Docker run's result is parsed (pandas); an embedded run's supervisor never needs it
    from backtest_core.results.model import LeanResult

OUTCOME_STATUS = {
    "completed": BacktestStatus.COMPLETED,
    "failed": BacktestStatus.FAILED,
    "cancelled": BacktestStatus.CANCELLED,
}
DURING_RUN_CODES = frozenset({"stalled"})  # warnings written while the run went on, kept when it ends


def record_outcome(store: RunStore, settings: Settings, run_id: str, outcome: EngineOutcome) -> BacktestRunInfo:
    """End the run with its status, key statistics, description and digest in one write. The description
    comes from the engine's facts (embedded) or LEAN's files (Docker); one that cannot be worked out leaves
    the run's status alone and says so in a warning."""
    error = _cancel_text(store, run_id, outcome.error) if outcome.status == "cancelled" else outcome.error
    try:
        description = describe_outcome(store, settings, run_id, outcome)
    except Exception as failure:  # a defect here must not turn a finished run into a failed one
        description = store.get(run_id).description
        message = f"what this run covered could not be worked out ({type(failure).__name__}: {failure})"
        description.warnings.append(RunWarning(code="undescribed", message=message))
    main = store.run_dir(run_id) / f"{store.algorithm_id(run_id)}.json"
    return store.finalize(
        run_id, OUTCOME_STATUS[outcome.status], error=error, traceback=outcome.traceback, description=description,
        content_hash=content_digest(main) if main.is_file() else None,
    )  # fmt: skip


def describe_outcome(store: RunStore, settings: Settings, run_id: str, outcome: EngineOutcome) -> RunDescription:
    """What a run that has ended covered, keeping the warnings recorded while it ran (a stall)."""
    run = store.get(run_id)
    result = _readable_result(store, run_id) if run.engine == EngineName.LEAN_DOCKER else None
    if outcome.facts is not None:
        description = describe_engine_run(outcome.facts, settings.data_dir, run.request.symbols)
    elif result is not None:
        description = describe_result(result, data_dir=settings.data_dir, image=settings.lean_image)
    else:
        description = RunDescription()  # nothing states what it covered: unknown, never guessed
    kept = [warning for warning in run.description.warnings if warning.code in DURING_RUN_CODES]
    description.warnings = kept + [w for w in description.warnings if w not in kept]
    return description


def add_warning(store: RunStore, run_id: str, warning: RunWarning) -> BacktestRunInfo:
    """Add (or replace, by code) one warning of a run's description."""
    description = store.get(run_id).description
    description.warnings = [w for w in description.warnings if w.code != warning.code] + [warning]
    return store.set_description(run_id, description)


def drop_warning(store: RunStore, run_id: str, code: str) -> BacktestRunInfo:
    """Remove a run's warnings of ``code`` (one that no longer holds)."""
    description = store.get(run_id).description
    description.warnings = [w for w in description.warnings if w.code != code]
    return store.set_description(run_id, description)


def _cancel_text(store: RunStore, run_id: str, said: str | None) -> str:
    """What a cancelled run left, said as it is: an engine stopped in time writes its partial result, one killed
    after the grace period (or cancelled before it started) wrote none."""
    if (store.run_dir(run_id) / f"{store.algorithm_id(run_id)}.json").is_file():
        return "Cancelled by the user; the partial result is kept: its statistics cover only the part that ran."
    if said and "before the engine started" in said:
        return said
    return "Cancelled by the user before the engine wrote a result; only its log is kept."


def _readable_result(store: RunStore, run_id: str) -> LeanResult | None:
    try:
        return store.result(run_id)
    except ResultFormatError:
        return None
