"""What a run's engine is given (its job) and how run-level events reach the run's log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.models import BacktestRequest, EngineName
from backtest_core.settings import Settings
from backtest_core.store import RunStore


def build_job(store: RunStore, settings: Settings, run_id: str, request: BacktestRequest) -> EngineJob:
    """The engine's job: the run's code snapshot, the data folder, and the request's overrides."""
    folder = store.run_dir(run_id)
    code = folder / "code"
    return EngineJob(
        run_id=run_id,
        algorithm_id=store.algorithm_id(run_id),
        project_dir=code,
        data_dir=settings.data_dir,
        output_dir=folder,
        overrides=RunOverrides(
            start_date=request.start_date,
            end_date=request.end_date,
            initial_cash=request.initial_cash,
            parameters=project_defaults(code) | request.algorithm_parameters(),
        ),
        storage_dir=settings.storage_dir if request.engine == EngineName.LEAN_DOCKER else None,
    )


def project_defaults(project: Path) -> dict[str, str]:
    """``parameters`` of the project's config.json (LEAN's defaults; the request overrides them)."""
    config = project / "config.json"
    try:
        parameters = json.loads(config.read_text()).get("parameters", {}) if config.exists() else {}
    except (OSError, ValueError):
        return {}
    return {str(key): str(value) for key, value in parameters.items()} if isinstance(parameters, dict) else {}


def append_log(folder: Path, message: str, level: str = "ERROR") -> None:
    """A line in the run's log.txt in LEAN's format, so supervisor-level events sit beside the engine's."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    with (folder / "log.txt").open("a", encoding="utf-8") as log:
        log.write(f"{stamp} {level}:: {message}\n")
