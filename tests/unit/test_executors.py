"""Where runs execute: without BACKTEST_CLUSTER everything stays local and Dask is never imported (runs, CLI,
pages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backtest_core.runs.executors import executor_for
from backtest_core.settings import PROJECT_ROOT, Settings

ALGORITHMS = PROJECT_ROOT / "tests" / "algorithms"

WITHOUT_DASK = """
import sys
from backtest_core import runs
from backtest_core.cli import main
from backtest_core.models import BacktestRequest

run = runs.wait(runs.submit(BacktestRequest(strategy="hold_spy_daily")), timeout=120)
assert run.status == "completed", run.error
assert main(["list", "--json"]) == 0 and main(["status", run.id]) == 0
from tests.apptest_pages import page
for name in ("run", "sweep", "monitor"):  # the pages that show a cluster when one is set
    page(name)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("dask", "distributed"))
assert not loaded, loaded
"""


@pytest.mark.slow
def test_without_a_cluster_a_run_never_imports_dask(
    studio_home: Settings, lean_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    monkeypatch.delenv("BACKTEST_CLUSTER", raising=False)
    done = subprocess.run([sys.executable, "-c", WITHOUT_DASK], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_executor_follows_backtest_cluster(studio_home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKTEST_CLUSTER", raising=False)
    assert executor_for(Settings()).name == "local"
    monkeypatch.setenv("BACKTEST_CLUSTER", "tcp://127.0.0.1:8786")
    assert executor_for(Settings()).name == "dask"
