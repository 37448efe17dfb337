"""Import the output folder of ``lean optimize`` as a sweep with its runs and parameters.

The layout, as lean-cli's ``lean/commands/optimize.py`` (the config, ``code/``, the output folder; the config's
fields are its ``lean/models/optimizer.py`` models) and LEAN's ``Optimizer.Launcher/ConsoleLeanOptimizer.cs``
(one ``--results-destination-folder <root>/<backtestId>`` per backtest) and ``Optimizer/LeanOptimizer.cs`` (the
optimum's log line) write it:

- ``PROJECT/optimizations/YYYY-MM-DD_HH-MM-SS/`` (or the ``--output`` folder) holds
  ``optimizer-config.json``, the project's ``code/``, and the optimizer's own ``log.txt``;
- ``optimizer-config.json``: ``optimization-strategy`` (e.g. ``QuantConnect.Optimizer.Strategies.
  GridSearchOptimizationStrategy``), ``optimization-criterion`` ``{"target": "TotalPerformance.
  PortfolioStatistics.SharpeRatio", "extremum": "max"|"min"}``, ``parameters`` ``[{"name", "min", "max",
  "step"}]`` (inclusive ranges), ``constraints`` ``[{"target", "operator", "target-value"}]`` on statistics
  (operators ``less``, ``lessOrEqual``, ``greater``, ``greaterOrEqual``, ``equals``, ``notEqual``),
  ``maximum-concurrent-backtests``, ``results-destination-folder`` (``/Results`` inside the container);
- one folder per backtest named by its id (a GUID), holding LEAN's ``<id>.json`` and companion files; the
  backtest's parameter values are in that result's ``algorithmConfiguration.parameters`` (the optimizer
  launches LEAN with ``--parameters name:value,...``). A backtest folder without ``<id>.json`` is a backtest
  LEAN's optimizer counted as failed (it got no result);
- ``log.txt`` names the optimum: ``ParameterSet: (name:value,...) backtestId '<id>'``.

Importing twice adds nothing (the sweep is keyed by the folder, each run by its result file).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from backtest_core.errors import StudioError
from backtest_core.models import BacktestRequest, BacktestStatus, EngineName, RunOrigin
from backtest_core.models.sweep import Objective, SweepInfo, SweepState
from backtest_core.store import ImportReport, RunStore, import_path
from backtest_core.store.folders import new_run_id, write_atomic
from backtest_core.store.importer import LEAN_CLI_FOLDER_TIME
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import ParameterAxis, SweepGrid, parse_values

CONFIG = "optimizer-config.json"
_OPERATORS = {"less": "<", "lessOrEqual": "<=", "greater": ">", "greaterOrEqual": ">=", "equals": "==",
              "notEqual": "!="}  # fmt: skip


class OptimizationImport(BaseModel):
    sweep_id: str
    source_path: str = Field(description="the optimization's output folder")
    created: bool = Field(description="False when this folder was imported before")
    runs: ImportReport
    failed_without_result: list[str] = Field(default_factory=list, description="backtest ids LEAN got no result for")


def is_optimization_folder(path: Path) -> bool:
    return (path / CONFIG).is_file()


def find_optimization_folders(path: Path) -> list[Path]:
    """``path`` itself when it is an optimization's output, else ``path/optimizations/*`` that are."""
    path = path.expanduser()
    if is_optimization_folder(path):
        return [path]
    base = path / "optimizations"
    return sorted(child for child in base.iterdir() if is_optimization_folder(child)) if base.is_dir() else []


def statistic_name(target: str) -> str:
    """``TotalPerformance.PortfolioStatistics.SharpeRatio`` → ``Sharpe Ratio`` (LEAN's printed name)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", target.rsplit(".", 1)[-1])


def import_optimization(store: RunStore, folder: Path) -> OptimizationImport:
    """The optimization at ``folder`` as a sweep (created once) with one run per backtest folder."""
    folder = folder.expanduser().resolve()
    config = _read_config(folder)
    sweeps = SweepStore(store)
    existing = sweeps.find_by_source(str(folder))
    sweep = existing or _new_sweep(folder, config)
    if existing is None:
        sweeps.add(sweep)
    report = ImportReport()
    failed = []
    for backtest in sorted(child for child in folder.iterdir() if child.is_dir() and child.name != "code"):
        if (backtest / f"{backtest.name}.json").is_file() or (backtest / "log.txt").is_file():
            found = import_path(store, backtest, sweep_id=sweep.id)
            for name, values in found.model_dump().items():
                getattr(report, name).extend(values)
        elif _add_failed(store, backtest, sweep):
            failed.append(backtest.name)
    return OptimizationImport(
        sweep_id=sweep.id, source_path=str(folder), created=existing is None, runs=report, failed_without_result=failed
    )


def _read_config(folder: Path) -> dict:
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StudioError(f"path: {folder / CONFIG} is not readable JSON: {error}") from error
    if not isinstance(config, dict) or not isinstance(config.get("parameters"), list) or not config["parameters"]:
        raise StudioError(f"path: {folder / CONFIG} lists no parameters; it is not a lean optimize configuration")
    return config


def _new_sweep(folder: Path, config: dict) -> SweepInfo:
    project = folder.parent.parent.name if folder.parent.name == "optimizations" else folder.name
    axes = []
    for parameter in config["parameters"]:
        try:
            spec = f"{parameter['min']}:{parameter['max']}:{parameter['step']}"
            axes.append(
                ParameterAxis(name=str(parameter["name"]), values=parse_values(parameter["name"], spec), spec=spec)
            )
        except (KeyError, TypeError) as error:
            raise StudioError(
                f"path: {folder / CONFIG}: parameter {parameter!r} lacks name, min, max or step"
            ) from error
    criterion = config.get("optimization-criterion") or {}
    objective = Objective(
        statistic=statistic_name(str(criterion.get("target", "SharpeRatio"))),
        maximize=criterion.get("extremum") != "min",
    )
    try:
        created = datetime.strptime(folder.name, LEAN_CLI_FOLDER_TIME).replace(tzinfo=UTC)
    except ValueError:
        created = datetime.fromtimestamp((folder / CONFIG).stat().st_mtime, UTC)
    constraints = [
        f"{statistic_name(str(c.get('target')))} {_OPERATORS.get(str(c.get('operator')), c.get('operator'))} "
        f"{c.get('target-value')}"
        for c in config.get("constraints") or []
    ]
    return SweepInfo(
        id=new_run_id(created, prefix="sw-"),
        name=f"{project} lean optimize {folder.name}",
        strategy=project,
        request=BacktestRequest(strategy=project, engine=EngineName.LEAN),
        grid=SweepGrid(axes=axes),
        objective=objective,
        statistic_constraints=constraints,
        created_at=created,
        state=SweepState.IMPORTED,
        origin=RunOrigin.IMPORTED,
        source_path=str(folder),
    )


def _add_failed(store: RunStore, backtest: Path, sweep: SweepInfo) -> bool:
    """A backtest folder LEAN's optimizer got no result for, as a failed run (once); parameters unknown."""
    key = f"{backtest.resolve()}#{backtest.name}"
    if store.find_by_source(key) is not None:
        return False
    created = datetime.fromtimestamp(backtest.stat().st_mtime, UTC)
    run_id = new_run_id(created, prefix="imp-")
    request = BacktestRequest(strategy=sweep.strategy, engine=EngineName.LEAN, name=f"{sweep.strategy} {backtest.name}")
    (store.runs_dir / run_id).mkdir(parents=True)
    write_atomic(store.runs_dir / run_id / "request.json", request.model_dump_json(indent=2))
    error = f"LEAN's optimizer got no result for backtest {backtest.name} (no {backtest.name}.json in {backtest})"
    store.add_imported(
        {
            "id": run_id, "name": request.display_name(), "strategy": sweep.strategy,
            "engine": EngineName.LEAN.value, "status": BacktestStatus.FAILED.value,
            "origin": RunOrigin.IMPORTED.value, "created_at": created.isoformat(), "finished_at": created.isoformat(),
            "request": request.model_dump_json(), "algorithm_id": backtest.name, "error": error,
            "source_path": str(backtest.resolve()), "source_key": key, "sweep_id": sweep.id,
        },
        tags=["imported"],
    )  # fmt: skip
    return True
