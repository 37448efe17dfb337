"""Run descriptions: from the embedded engine's facts, and from real LEAN result folders of every kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core.describe import describe_engine_run, describe_result
from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import DataSource, ResultSource
from backtest_core.results import load_result
from backtest_core.sample_data import write_sample_data

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
STRATEGIES = Path(__file__).parent.parent.parent / "strategies"


def described(lean_fixtures: Path, name: str) -> object:
    return describe_result(load_result(lean_fixtures / name))


def test_lean_cli_python_run(lean_fixtures: Path) -> None:
    d = described(lean_fixtures, "cli2025-spy-daily-13y")
    assert (d.source, d.language, d.engine_version) == (ResultSource.LEAN_CLI, "python", "LEAN v2.5.0.0")
    assert (d.period_start, d.period_end, d.resolution) == (date(2012, 1, 1), date(2025, 6, 5), "daily")
    assert d.start_capital == 10_000 and d.data_source == DataSource.UNKNOWN and d.warnings == []


def test_lean_cli_csharp_run_and_minute_resolution(lean_fixtures: Path) -> None:
    assert described(lean_fixtures, "cli2025-csharp-graham-667orders-large").language == "csharp"
    minute = described(lean_fixtures, "cli2025-spy-minute-sma-301orders")
    assert minute.resolution == "minute"  # minute trade and quote files, beside the benchmark's hour file


def test_cloud_download_is_cloud_on_real_data_with_the_build(lean_fixtures: Path) -> None:
    d = described(lean_fixtures, "cloud2025-qqq-options-449orders")
    assert (d.source, d.data_source, d.engine_version) == (ResultSource.CLOUD, DataSource.REAL, "LEAN v2.5.0.0.17319")
    assert d.period_start == date(2015, 1, 1) and d.start_capital == 1_000_000


def test_launcher_results_are_told_apart_in_one_folder(lean_fixtures: Path) -> None:
    folder = lean_fixtures / "launcher2026-leanbot-multirun"
    hold = describe_result(load_result(folder / "BuyAndHoldXOM.json"))
    pairs = describe_result(load_result(folder / "PairsTradingCsvData.json"))
    assert hold.source == pairs.source == ResultSource.LAUNCHER and hold.language == "csharp"
    assert (hold.period_start, hold.period_end) == (date(2013, 10, 7), date(2013, 10, 11))
    assert (pairs.period_start, pairs.period_end) == (date(2007, 11, 30), date(2009, 5, 1))
    assert hold.resolution == "daily"  # its run's data requests: SPY daily (the hour file is LEAN's benchmark)
    assert pairs.resolution is None  # custom CSV data only: no file states it


def test_missing_data_and_almost_no_data_become_warnings(lean_fixtures: Path) -> None:
    failed = described(lean_fixtures, "cli2024-ondata-runtimeerror")
    assert [w.code for w in failed.warnings] == ["data-missing"] and "/equity/usa/hour/iwm.zip" in failed.warnings[
        0
    ].message
    empty = described(lean_fixtures, "cli2022-gaptrading-zero-orders")
    assert [w.code for w in empty.warnings] == ["little-data"] and "1 data point" in empty.warnings[0].message


def test_an_old_result_with_neither_configuration_nor_log_leaves_the_period_unknown(lean_fixtures: Path) -> None:
    d = described(lean_fixtures, "lean2020-testdata-basictemplate")
    assert d.period_start is None and d.period_end is None and d.language is None


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_sample_data(folder, start=date(2019, 1, 1), end=date(2020, 12, 31), minute_days=2)
    return folder


def test_an_embedded_run_past_the_data_is_described_with_the_warning(sample: Path, tmp_path: Path) -> None:
    overrides = RunOverrides(start_date=date(2019, 6, 1), end_date=date(2021, 6, 30), initial_cash=50_000)
    job = EngineJob("r", "4242", STRATEGIES / "sma_crossover", sample, tmp_path, overrides)
    outcome = run_backtest(job)
    assert outcome.status == "completed" and outcome.facts is not None
    facts = outcome.facts
    assert (facts.period_start, facts.period_end, facts.start_capital) == (date(2019, 6, 1), date(2021, 6, 30), 50_000)
    assert [(s.symbol, s.kind, s.resolution) for s in facts.subscriptions] == [("SPY", "equity", "daily")]
    d = describe_engine_run(facts, sample)
    assert d.data_source == DataSource.SYNTHETIC and d.source == ResultSource.APP and d.resolution == "daily"
    assert [w.code for w in d.warnings] == ["data-ends-early"] and "ends 2020-12-31" in d.warnings[0].message


def test_a_run_failing_in_initialize_has_no_period(sample: Path, tmp_path: Path) -> None:
    outcome = run_backtest(EngineJob("r", "4242", ALGORITHMS / "import_error", sample, tmp_path))
    assert outcome.status == "failed" and outcome.facts is not None
    assert outcome.facts.period_start is None and outcome.facts.start_capital is None
    assert describe_engine_run(outcome.facts, sample).warnings == []
