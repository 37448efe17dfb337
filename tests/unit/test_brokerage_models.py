"""A Python ``DefaultBrokerageModel`` subclass: LEAN's ``PostInitialize`` takes the benchmark from the model's
``GetBenchmark`` only when the algorithm set none; overrides the engine does not model are refused by name."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, EngineOutcome, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest


def run_with(model_body: str, initialize_extra: str, lean_data: Path, out: Path) -> EngineOutcome:
    project = out.parent / f"{out.name}_project"
    project.mkdir()
    model = textwrap.indent(textwrap.dedent(model_body).strip(), "    ")
    algorithm = textwrap.dedent("""
        class Algo(QCAlgorithm):
            def initialize(self):
                self.set_start_date(2013, 10, 7)
                self.set_end_date(2013, 10, 8)
                self.add_equity("SPY", Resolution.HOUR)
                self.set_brokerage_model(Model())
        """)
    source = f"from AlgorithmImports import *\n\nclass Model(DefaultBrokerageModel):\n{model}\n{algorithm}"
    (project / "main.py").write_text(source + f"        {initialize_extra}\n")
    return run_backtest(EngineJob("test-run", "1", project, lean_data, out, RunOverrides()))


def benchmark_values(out: Path) -> list[float]:
    series = json.loads((out / "1.json").read_text())["charts"]["Benchmark"]["series"]["Benchmark"]
    return [value for _, value in series["values"]]


SEVEN = """
def get_benchmark(self, securities):
    return FuncBenchmark(self.seven)

def seven(self, utc_time):
    return 7
"""


def test_the_models_benchmark_is_used_when_the_algorithm_sets_none(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_with(SEVEN, "pass", lean_data, tmp_path / "out")
    assert outcome.status == "completed", outcome.error
    values = benchmark_values(tmp_path / "out")
    assert len(values) >= 2 and set(values) == {7}


def test_the_algorithms_own_benchmark_wins_over_the_models(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_with(SEVEN, "self.set_benchmark(lambda t: 3)", lean_data, tmp_path / "out")
    assert outcome.status == "completed", outcome.error
    assert set(benchmark_values(tmp_path / "out")) == {3}


def test_a_subclass_without_get_benchmark_keeps_leans_spy_benchmark(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_with("pass", "pass", lean_data, tmp_path / "out")
    assert outcome.status == "completed", outcome.error
    assert all(value > 100 for value in benchmark_values(tmp_path / "out"))  # SPY's price in October 2013


@pytest.mark.parametrize("member", ["get_fee_model", "can_submit_order", "GetLeverage"])
def test_other_overrides_are_refused_by_name(lean_data: Path, tmp_path: Path, member: str) -> None:
    outcome = run_with(f"def {member}(self, *args):\n    return None\n", "pass", lean_data, tmp_path / "out")
    assert outcome.status == "failed"
    assert f"Model.{member}" in outcome.error and "not supported" in outcome.error
