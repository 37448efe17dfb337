"""Storing how a run ended: its final status and key statistics, its description, its result's digest."""

from __future__ import annotations

from backtest_core.describe import describe_engine_run, describe_result
from backtest_core.engines.base import EngineOutcome
from backtest_core.errors import ResultFormatError
from backtest_core.models import BacktestRunInfo, BacktestStatus, EngineName, RunDescription, RunWarning
from backtest_core.results import LeanResult
from backtest_core.results.files import content_digest
from backtest_core.settings import Settings
from backtest_core.store import RunStore

OUTCOME_STATUS = {
    "completed": BacktestStatus.COMPLETED,
    "failed": BacktestStatus.FAILED,
    "cancelled": BacktestStatus.CANCELLED,
}
DURING_RUN_CODES = frozenset({"stalled"})  # warnings written while the run went on, kept when it ends


def record_outcome(store: RunStore, settings: Settings, run_id: str, outcome: EngineOutcome) -> BacktestRunInfo:
    """Finalize the run, then describe it: from the engine's facts (embedded), else from LEAN's files. A
    description that cannot be worked out leaves the run's status alone and says so in a warning."""
    error = _cancel_text(store, run_id, outcome.error) if outcome.status == "cancelled" else outcome.error
    store.finalize(run_id, OUTCOME_STATUS[outcome.status], error=error, traceback=outcome.traceback)
    try:
        return record_description(store, settings, run_id, outcome)
    except Exception as error:  # a defect here must not turn a finished run into a failed one
        message = f"what this run covered could not be worked out ({type(error).__name__}: {error})"
        return add_warning(store, run_id, RunWarning(code="undescribed", message=message))


def record_description(store: RunStore, settings: Settings, run_id: str,
                       outcome: EngineOutcome | None = None) -> BacktestRunInfo:  # fmt: skip
    """Describe a run that has ended, keeping the warnings recorded while it ran (a stall)."""
    run = store.get(run_id)
    result = _readable_result(store, run_id) if run.engine == EngineName.LEAN_DOCKER else None
    if outcome is not None and outcome.facts is not None:
        description = describe_engine_run(outcome.facts, settings.data_dir)
    elif result is not None:
        description = describe_result(result, data_dir=settings.data_dir, image=settings.lean_image)
    else:
        description = RunDescription()  # nothing states what it covered: unknown, never guessed
    kept = [warning for warning in run.description.warnings if warning.code in DURING_RUN_CODES]
    description.warnings = kept + [w for w in description.warnings if w not in kept]
    main = store.run_dir(run_id) / f"{store.algorithm_id(run_id)}.json"
    if main.is_file():
        store.set_content_hash(run_id, content_digest(main))
    return store.set_description(run_id, description)


def add_warning(store: RunStore, run_id: str, warning: RunWarning) -> BacktestRunInfo:
    """Add (or replace, by code) one warning of a run's description."""
    description = store.get(run_id).description
    description.warnings = [w for w in description.warnings if w.code != warning.code] + [warning]
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
