"""What the sweep tests share: a strategy folder with a parameter that fails on purpose, and a folder laid out
as ``lean optimize`` lays out its output (built from runs a test made; see backtest_core/sweeps/lean_optimize.py).
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import psutil

from backtest_core.settings import PROJECT_ROOT
from backtest_core.store import RunStore

UNLUCKY = "13"


def write_strategies(folder: Path) -> Path:
    """``folder/sweepable``: the SMA crossover example over 2017 only, raising in initialize when fast is 13."""
    project = folder / "sweepable"
    shutil.copytree(PROJECT_ROOT / "strategies" / "sma_crossover", project)
    main = project / "main.py"
    source = main.read_text()
    marker = "    def initialize(self):\n"
    check = (
        f'        if self.get_parameter("fast", "") == "{UNLUCKY}":\n'
        f'            raise ValueError("fast={UNLUCKY} fails on purpose (sweep tests)")\n'
    )
    source = source.replace("self.set_start_date(2015, 1, 1)", "self.set_start_date(2017, 1, 1)")
    source = source.replace("self.set_end_date(2020, 12, 31)", "self.set_end_date(2017, 12, 31)")
    main.write_text(source.replace(marker, marker + check, 1))
    return folder


def supervisors(home: Path) -> list[psutil.Process]:
    """Live run supervisors of the store at ``home`` (found in the process table by their module and
    BACKTEST_HOME, not by what the store recorded)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            supervisor = "backtest_core.runs.supervisor" in (process.info["cmdline"] or [])
            if supervisor and process.environ().get("BACKTEST_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def build_optimize_folder(store: RunStore, run_ids: list[str], target: Path, *, failed: int = 1) -> Path:
    """``target`` as lean-cli's ``optimize`` leaves it: optimizer-config.json, code/, log.txt, and one folder per
    backtest named by a GUID holding LEAN's ``<guid>.json`` (here: the runs' own result files, renamed), plus
    ``failed`` backtest folders without a result (LEAN's optimizer counts those as failed)."""
    target.mkdir(parents=True)
    config = {
        "optimization-strategy": "QuantConnect.Optimizer.Strategies.GridSearchOptimizationStrategy",
        "optimization-strategy-settings": {
            "$type": "QuantConnect.Optimizer.Strategies.StepBaseOptimizationStrategySettings, QuantConnect.Optimizer",
            "default-segment-amount": 10,
        },
        "optimization-criterion": {"target": "TotalPerformance.PortfolioStatistics.SharpeRatio", "extremum": "max"},
        "parameters": [
            {"name": "fast", "min": 5.0, "max": 10.0, "step": 5.0},
            {"name": "slow", "min": 20.0, "max": 40.0, "step": 20.0},
        ],
        "constraints": [
            {"target": "TotalPerformance.PortfolioStatistics.Drawdown", "operator": "less", "target-value": 0.25}
        ],
        "maximum-concurrent-backtests": 2,
        "optimizer-close-automatically": True,
        "results-destination-folder": "/Results",
    }
    (target / "optimizer-config.json").write_text(json.dumps(config, indent=4) + "\n")
    shutil.copytree(store.run_dir(run_ids[0]) / "code", target / "code")
    lines = []
    for run_id in run_ids:
        backtest = str(uuid.uuid4())
        folder = target / backtest
        folder.mkdir()
        for file in store.run_dir(run_id).iterdir():
            if file.name.startswith(run_id):
                shutil.copy2(file, folder / file.name.replace(run_id, backtest))
        lines.append(f"2024-01-01T00:00:00.0000000Z TRACE:: launched backtest '{backtest}'")
    for _ in range(failed):
        (target / str(uuid.uuid4())).mkdir()
    (target / "log.txt").write_text("\n".join(lines) + "\n")
    return target
