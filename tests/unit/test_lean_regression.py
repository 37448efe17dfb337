"""Acceptance: LEAN's own regression algorithms through the embedded engine (``bench/lean_regression.py``).

Every algorithm of ``../shared/lean-regression/`` runs in its own engine process, all of them in parallel once
per session (only those selected, with ``-k``); each test then checks one algorithm's verdict. A result that
differs from LEAN (DIVERGED) or any failure other than a refusal naming the API (CRASHED) fails its test, and
an algorithm that matched LEAN once must keep matching.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineOutcome
from backtest_core.settings import Settings
from bench.lean_regression import Case, Result, judge, load_cases, run_case, run_cases


def _names() -> list[str]:
    expected = Settings().shared / "lean-regression" / "expected.json"
    return [entry["name"] for entry in json.loads(expected.read_text())] if expected.is_file() else ["(none)"]


NAMES = _names()
# Algorithms that match LEAN in every statistic and both data-point counts: a refusal of one is a regression.
MUST_MATCH: set[str] = {
    "AddRemoveSecurityRegressionAlgorithm",
    "AutoRegressiveIntegratedMovingAverageRegressionAlgorithm",
    "BasicSetAccountCurrencyAlgorithm",
    "BasicSetAccountCurrencyWithAmountAlgorithm",
    "BasicTemplateAlgorithm",
    "BasicTemplateDailyAlgorithm",
    "BasicTemplateIndiaAlgorithm",
    "CanLiquidateWithOrderPropertiesRegressionAlgorithm",
    "ClassicRangeConsolidatorAlgorithm",
    "ClassicRenkoConsolidatorAlgorithm",
    "ComboOrdersFillModelAlgorithm",
    "CompleteOrderTagUpdateAlgorithm",
    "CompositeIndicatorWorksAsExpectedRegressionAlgorithm",
    "ConsolidateHourBarsIntoDailyBarsRegressionAlgorithm",
    "ConsolidateWithSizeAttributeRegressionAlgorithm",
    "ConsolidatorStartTimeRegressionAlgorithm",
    "ConvertToFrameworkAlgorithm",
    "CustomBenchmarkAlgorithm",
    "CustomBuyingPowerModelAlgorithm",
    "CustomMarginInterestRateModelAlgorithm",
    "CustomModelsAlgorithm",
    "CustomShortableProviderRegressionAlgorithm",
    "DelistingEventsAlgorithm",
    "DisplacedMovingAverageRibbon",
    "ExtendedMarketTradingRegressionAlgorithm",
    "ForwardDataOnlyFillModelAlgorithm",
    "FuncRiskFreeRateInterestRateModelWithPythonLambda",
    "GetParameterRegressionAlgorithm",
    "HourReverseSplitRegressionAlgorithm",
    "HourSplitRegressionAlgorithm",
    "IndiaDataRegressionAlgorithm",
    "LimitFillRegressionAlgorithm",
    "LimitIfTouchedAsyncRegressionAlgorithm",
    "MACDTrendAlgorithm",
    "MarketOnCloseOrderBufferExtendedMarketHoursRegressionAlgorithm",
    "MarketOnCloseOrderBufferRegressionAlgorithm",
    "OnWarmupFinishedNoWarmup",
    "OnWarmupFinishedRegressionAlgorithm",
    "OrderTicketDemoAlgorithm",
    "SecurityCustomPropertiesAlgorithm",
    "SecuritySessionWithChangeOfResolutionRegressionAlgorithm",
    "SetHoldingsAsyncRegressionAlgorithm",
    "SetHoldingsLiquidateExistingHoldingsMultipleTargetsRegressionAlgorithm",
    "SetHoldingsMultipleTargetsRegressionAlgorithm",
    "SetHoldingsRegressionAlgorithm",
    "ShortInterestFeeRegressionAlgorithm",
    "StatisticsResultsAlgorithm",
    "StochasticIndicatorWarmsUpProperlyRegressionAlgorithm",
    "StopLimitOrderRegressionAlgorithm",
    "TimeInForceAlgorithm",
    "TwoLegCurrencyConversionRegressionAlgorithm",
    "UnregisterIndicatorRegressionAlgorithm",
    "ZeroedBenchmarkRegressionAlgorithm",
}


@pytest.fixture(scope="session")
def regression_results(request: pytest.FixtureRequest, shared_dir: Path,
                       tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:  # fmt: skip
    """The selected algorithms, run once, ``cpu_count`` engine processes at a time."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if item.path == Path(__file__) and hasattr(item, "callspec") and "name" in item.callspec.params
    }
    cases = [case for case in load_cases(shared_dir / "lean-regression") if case.name in selected]
    results = run_cases(cases, shared_dir / "lean-data", tmp_path_factory.mktemp("lean-regression"),
                        jobs=os.cpu_count() or 1)  # fmt: skip
    return {result.case.name: result for result in results}


@pytest.mark.slow
@pytest.mark.timeout(1200)  # the first test's setup runs every algorithm: ~60 s alone, far longer beside others
@pytest.mark.parametrize("name", NAMES)
def test_regression_algorithm_matches_lean_or_is_refused_by_name(regression_results: dict[str, Result],
                                                                 name: str) -> None:  # fmt: skip
    result = regression_results[name]
    assert result.verdict in ("MATCH", "REFUSED"), f"{result.verdict}: {result.reason}"
    if result.verdict == "REFUSED":
        assert name not in MUST_MATCH, f"matched LEAN before, now refused: {result.reason}"
        assert result.reason.endswith(" is not supported") and len(result.reason) > len(" is not supported")


def test_verdicts_follow_leans_comparison(tmp_path: Path) -> None:
    """The judge itself: LEAN's string equality with -0 as 0, missing keys, refusals, other failures."""
    case = load_cases(Path(__file__).parent / "regression_fixture")[0]
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "regression.json").write_text(json.dumps({"statistics": {"Sharpe Ratio": "-0", "Beta": "1.1"}}))
    (folder / "log.txt").write_text("x TRACE:: PerformanceTrackingTool.Summary(): Dps 7. HistoryDps 2. Total\n")
    completed = EngineOutcome(status="completed")
    assert judge(case, completed, folder, 1.0).verdict == "MATCH"
    (folder / "regression.json").write_text(json.dumps({"statistics": {"Sharpe Ratio": "0.1", "Beta": "1.1"}}))
    diverged = judge(case, completed, folder, 1.0)
    assert diverged.verdict == "DIVERGED" and diverged.differences == ["Sharpe Ratio: 0.1 (LEAN 0)"]
    (folder / "regression.json").write_text(json.dumps({"statistics": {"Sharpe Ratio": "0"}}))
    (folder / "log.txt").write_text("x TRACE:: PerformanceTrackingTool.Summary(): Dps 8. HistoryDps 2. Total\n")
    assert judge(case, completed, folder, 1.0).differences == ["Beta: missing (LEAN 1.1)", "DataPoints: 8 (LEAN 7)"]
    refused = EngineOutcome(status="failed", error="QCAlgorithm.trin is not supported by the embedded engine\nRun..")
    assert (judge(case, refused, folder, 1.0).verdict, judge(case, refused, folder, 1.0).reason) == (
        "REFUSED",
        "QCAlgorithm.trin is not supported",
    )
    crashed = EngineOutcome(status="failed", error="Runtime Error: NameError: name 'X' is not defined")
    assert judge(case, crashed, folder, 1.0).verdict == "CRASHED"


def test_an_engine_process_that_hangs_or_dies_is_crashed_with_the_reason(tmp_path: Path, lean_data: Path) -> None:
    """The forked engine process: killed at the timeout, and one that exits without an outcome is named so."""
    algorithms = Path(__file__).parent.parent / "algorithms"
    hangs = Case("NeverReturns", algorithms / "loops_forever", {}, 0, 0, {}, "Completed")
    started = time.monotonic()
    result = run_case(hangs, lean_data, tmp_path / "hangs", timeout_s=3)
    assert (result.verdict, result.reason) == ("CRASHED", "timed out after 3 s")
    assert time.monotonic() - started < 60
    dies = tmp_path / "dies"
    dies.mkdir()
    (dies / "main.py").write_text(
        "import os\nfrom AlgorithmImports import *\n\nclass Dies(QCAlgorithm):\n"
        "    def initialize(self):\n        print('going')\n        os._exit(3)\n"
    )
    result = run_case(Case("Dies", dies, {}, 0, 0, {}, "Completed"), lean_data, tmp_path / "dies-out")
    assert result.verdict == "CRASHED"
    assert result.reason == "The engine process exited with code 3 before reporting a result; its last words: going"
