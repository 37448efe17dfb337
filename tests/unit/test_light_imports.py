"""Processes started for every run stay light: the supervisor and the engine's launcher load no pandas (half a
second of CPU per process), which only the engine's child and the pages need. The command line starts without it
too: only the commands that analyse results load it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backtest_core.settings import PROJECT_ROOT


@pytest.mark.parametrize("module", ["backtest_core.runs.supervisor", "backtest_core.engines.embedded.engine",
                                    "backtest_core.results.verdict", "backtest_core.store",
                                    "backtest_core.cli"])  # fmt: skip
def test_module_imports_without_pandas(module: str) -> None:
    probe = f"import sys, {module}; print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_names_of_the_results_package_still_resolve() -> None:
    from backtest_core import results

    assert {name: getattr(results, name).__name__ for name in ("load_result", "read_verdict", "LeanResult")} == {
        "load_result": "load_result", "read_verdict": "read_verdict", "LeanResult": "LeanResult"}  # fmt: skip
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = results.nothing
