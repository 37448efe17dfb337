"""LEAN names the embedded engine lacks fail the run naming them, with what to do, instead of a bare Python error."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.engine import run_backtest

HEADER = """
from AlgorithmImports import *

class Uses(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.DAILY)
"""


def failure(lean_data: Path, tmp_path: Path, body: str, prelude: str = "") -> str:
    project = tmp_path / "uses"
    project.mkdir()
    source = prelude + textwrap.dedent(HEADER) + textwrap.indent(textwrap.dedent(body), " " * 8)
    (project / "main.py").write_text(source)
    outcome = run_backtest(EngineJob("test-run", "1", project, lean_data, tmp_path / "out", RunOverrides()))
    assert outcome.status == "failed"
    return outcome.error or ""


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("BrokerageName.AXOS", "BrokerageName.AXOS"),
        ("OrderType.TRAILING_STOP", "OrderType.TRAILING_STOP"),
        ('Symbol.create_future("ES", Market.CME, datetime(2020, 3, 20))', "Symbol.create_future"),
    ],
)
def test_a_class_member_lean_has_and_the_engine_lacks_is_named(
    lean_data: Path, tmp_path: Path, member: str, expected: str
) -> None:
    error = failure(lean_data, tmp_path, f"self.kind = {member}")
    assert f"{expected} is not supported by the embedded engine" in error and "lean-docker" in error


def test_an_undefined_lean_class_gets_a_hint(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "self.model = ImmediateFillModel()")
    assert "NameError: name 'ImmediateFillModel' is not defined" in error
    assert "Hint: 'ImmediateFillModel' is not defined" in error and "lean-docker" in error and "spelling" in error


def test_a_missing_lean_module_gets_a_hint(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "pass", prelude="from Portfolio.BlackLittermanModel import *\n")
    assert "Unable to import python module" in error
    assert "Hint: module 'Portfolio' is not available to the embedded engine" in error


def test_a_benchmark_function_that_raises_fails_the_run_and_keeps_its_result(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "self.set_benchmark(lambda utc_time: 1 / 0)")
    assert error.startswith("Runtime Error: ZeroDivisionError: division by zero")
    result = tmp_path / "out" / "1.json"
    assert result.exists() and "Runtime Error" in result.read_text()  # the partial result is written
