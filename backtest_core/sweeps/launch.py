"""Launch and cancel sweeps: a grid becomes a stored sweep plus queued run rows (no process per run).

``submit_sweep`` validates everything first (strategy, engine, grid, every run's request), then writes
the sweep and all its runs in one go and lets the dispatcher start as many as there are slots; the rest
wait as rows. Submitting 500 runs therefore costs 500 small folders and one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from backtest_core import strategies
from backtest_core.errors import EngineUnavailable, InvalidRequest
from backtest_core.models import BacktestRequest, EngineName, StrategyInfo, describe_validation_error
from backtest_core.models.sweep import Objective, SweepInfo, SweepState
from backtest_core.parameters import check_value, parameter_specs
from backtest_core.runs import cancel as cancel_run
from backtest_core.runs.dispatch import dispatch
from backtest_core.runs.executors import executor_for
from backtest_core.runs.preflight import check_launch
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.store.folders import new_run_id
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import SweepGrid, combination_label, expand


class SweepPlan(BaseModel):
    """A checked sweep before anything is written: the sweep, the request of each run, the code they run."""

    sweep: SweepInfo
    requests: list[BacktestRequest]
    project: Path


def plan_sweep(
    base: BacktestRequest, grid: SweepGrid, objective: Objective, settings: Settings, project: Path | None = None
) -> SweepPlan:
    """Check the strategy, the engine, every swept value and the grid; one request per combination (nothing
    stored). ``project`` is the code to run (default: the catalogue's project of ``base.strategy``)."""
    project = project or strategies.resolve_project(base.strategy, settings.strategies)
    details = strategies.get_strategy(str(project), settings.strategies)
    if details.error:
        raise InvalidRequest("strategy", f"{base.strategy} cannot run: {details.error}")
    _check_values(grid, details)
    if base.engine == EngineName.LEAN_DOCKER:
        availability = executor_for(settings).engine_availability(base.engine)  # here, or on the cluster
        if not availability.available:
            raise EngineUnavailable(availability.message)
    expansion = expand(grid, settings.max_sweep_runs)
    now = datetime.now(UTC)
    sweep = SweepInfo(
        id=new_run_id(now, prefix="sw-"),
        name=base.name or f"{base.strategy} sweep of {', '.join(grid.names)}",
        strategy=details.name,
        request=base,
        grid=grid,
        objective=objective,
        constraints_skipped=expansion.skipped_by_constraint,
        not_sampled=expansion.not_sampled,
        created_at=now,
    )
    requests = []
    for combination in expansion.runs:
        data = base.model_dump()
        data["parameters"] = {**base.parameters, **combination}
        data["name"] = f"{base.display_name()} [{combination_label(combination)}]"[:120]
        try:
            requests.append(BacktestRequest.model_validate(data))
        except ValidationError as error:
            field, message = describe_validation_error(error)[0]
            raise InvalidRequest(field, f"{combination_label(combination)}: {message}") from error
    seen = set()
    for request in requests:  # the data each distinct symbols/resolution pair needs, checked once
        key = (request.algorithm_parameters().get("symbols"), request.algorithm_parameters().get("resolution"))
        if key not in seen:
            seen.add(key)
            check_launch(request, details, settings.data_dir)
    return SweepPlan(sweep=sweep, requests=requests, project=project)


def _check_values(grid: SweepGrid, strategy: StrategyInfo) -> None:
    """Every swept value checked once against the strategy's parameter types (``parameters.check_value``)."""
    specs = parameter_specs(strategy)
    for axis in grid.axes:
        spec = specs.get(axis.name)
        if spec is None:
            known = ", ".join(specs) or "none"
            raise InvalidRequest("param", f"{axis.name} is not a parameter of {strategy.name} (it has: {known})")
        for value in axis.values:
            problem = check_value(spec, value)
            if problem:
                raise InvalidRequest("param", f"{axis.name}={value}: {problem}")


def submit_sweep(plan: SweepPlan, settings: Settings) -> SweepInfo:
    """Store the sweep and its runs as queued rows, then start what the free slots allow; return at once."""
    store = RunStore(settings)
    SweepStore(store).add(plan.sweep)
    store.create_many(plan.requests, plan.project, sweep_id=plan.sweep.id)
    dispatch(settings, store)
    return plan.sweep


def cancel_sweep(sweep_id: str, settings: Settings) -> str:
    """Cancel the rest: queued runs never start, running ones are stopped; finished runs are kept."""
    store = RunStore(settings)
    sweeps = SweepStore(store)
    sweeps.get(sweep_id)
    active = sweeps.active_ids(sweep_id)
    if not active:  # an ended sweep keeps its state: it completed, it was not cancelled
        return f"Sweep {sweep_id} has no queued or running runs left; nothing to cancel."
    sweeps.set_state(sweep_id, SweepState.CANCELLED)
    for run_id in active:
        cancel_run(run_id, settings)
    return f"Sweep {sweep_id}: cancelled {len(active)} queued or running runs; finished runs are kept."
