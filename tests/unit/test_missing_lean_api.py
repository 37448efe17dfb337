"""LEAN names the embedded engine lacks fail the run naming them, with what to do, instead of a bare Python error."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

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
        ("OrderType.OPTION_EXERCISE", "OrderType.OPTION_EXERCISE"),
        ('Symbol.create_future("ES", Market.CME, datetime(2020, 3, 20))', "Symbol.create_future"),
        ("Market.BINANCE", "Market.BINANCE"),  # a market LEAN has and the engine has no data or hours for
        ('Symbol.create("SPY", SecurityType.EQUITY, Market.USA, "SPY-ALIAS")', "Symbol.create(alias=...)"),
    ],
)
def test_a_class_member_lean_has_and_the_engine_lacks_is_named(
    lean_data: Path, tmp_path: Path, member: str, expected: str
) -> None:
    error = failure(lean_data, tmp_path, f"self.kind = {member}")
    assert f"{expected} is not supported by the embedded engine" in error and "lean-docker" in error


def test_an_unknown_name_gets_a_hint(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "self.model = ImmediateFilModel()")
    assert "NameError: name 'ImmediateFilModel' is not defined" in error
    assert "Hint: 'ImmediateFilModel' is not defined" in error and "lean-docker" in error and "spelling" in error


@pytest.mark.parametrize(
    ("body", "prelude", "api"),
    [
        ("self.model = ConstantSlippageModel(0.01)", "", "ConstantSlippageModel"),  # a LEAN class made
        ("pass", "from AlgorithmImports import *\nclass S(NullSlippageModel):\n    pass\n", "NullSlippageModel"),
        ("self.contract = Futures.Indices.SP_500_E_MINI", "", "Futures.Indices"),  # a member asked for
        ("self.properties = InteractiveBrokersOrderProperties()",
         "from QuantConnect.Orders import InteractiveBrokersOrderProperties\n", "InteractiveBrokersOrderProperties"),
        ("pass", "from Alphas.ConstantAlphaModel import ConstantAlphaModel\n",
         "LEAN's Python framework module Alphas"),
        ("pass", "from Newtonsoft.Json import JsonConvert\n", ".NET namespace Newtonsoft"),
        ("pass", "from Orders.Slippage.VolumeShareSlippageModel import VolumeShareSlippageModel\n",
         "LEAN's Python module Orders"),  # a Python module of LEAN's Common/, not a .NET namespace
        ('self.market_order("PEPE", 1)', "", "ordering PEPE without adding it"),
        ("self.cash = self.portfolio.unsettled_cash", "", "Portfolio.unsettled_cash"),  # no __getattr__ names it
    ],
)  # fmt: skip
def test_a_lean_name_the_engine_lacks_is_refused_by_name_where_it_is_used(lean_data: Path, tmp_path: Path, body: str,
                                                                          prelude: str, api: str) -> None:  # fmt: skip
    error = failure(lean_data, tmp_path, body, prelude=prelude)
    first, *rest = error.splitlines()
    assert first.startswith(api) and first.endswith(" is not supported by the embedded engine")
    assert any(line.startswith(" in main.py: line") for line in rest) and "lean-docker" in rest[-1]


def test_the_portfolio_takes_leans_spelling_of_its_members(lean_data: Path, tmp_path: Path) -> None:
    body = """
    p = self.Portfolio
    raise ValueError(f"{p.TotalPortfolioValue} {p.TotalMarginUsed} {p.Invested} {p.Cash}")
    """
    assert "ValueError: 100000.0 0 False 100000.0" in failure(lean_data, tmp_path, body)


def test_symbol_create_takes_leans_overload_without_alias_or_data_type(lean_data: Path, tmp_path: Path) -> None:
    body = """
    symbol = Symbol.create("spy", SecurityType.EQUITY, Market.USA, None, None)
    raise ValueError(f"{symbol.value} {symbol == self.securities['SPY'].symbol}")
    """
    assert "ValueError: SPY True" in failure(lean_data, tmp_path, body)


def test_lean_and_dotnet_namespaces_hand_out_the_engines_objects(lean_data: Path, tmp_path: Path) -> None:
    """``from QuantConnect.X import Y`` is AlgorithmImports' Y; System's collections behave as pythonnet's; the
    run completes (its end: a deliberate error carrying what the algorithm saw)."""
    prelude = "import clr\nclr.AddReference('System')\nfrom QuantConnect.Indicators import SimpleMovingAverage as Sma\n"
    body = """
    from QuantConnect import Resolution as R
    from System.Collections.Generic import Dictionary, List  # after AlgorithmImports' typing.List, as in LEAN
    seen = Dictionary[str, str]()
    seen.Add("sma", str(Sma is SimpleMovingAverage))
    seen["resolution"] = str(R.DAILY == Resolution.DAILY)
    names = List[str]()
    names.Add("x")
    pairs = sorted(f"{pair.key}={pair.value}" for pair in seen)
    raise ValueError(f"{pairs} {seen.ContainsKey('sma')} {'sma' in seen} {names.Count}")
    """
    error = failure(lean_data, tmp_path, body, prelude=prelude)
    assert "ValueError: ['resolution=True', 'sma=True'] True True 1" in error


def test_a_missing_module_gets_a_hint(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "pass", prelude="from quantconnect_helpers import *\n")
    assert "Unable to import python module" in error
    assert "Hint: module 'quantconnect_helpers' is not available to the embedded engine" in error


def test_a_benchmark_function_that_raises_fails_the_run_and_keeps_its_result(lean_data: Path, tmp_path: Path) -> None:
    error = failure(lean_data, tmp_path, "self.set_benchmark(lambda utc_time: 1 / 0)")
    assert error.startswith("Runtime Error: ZeroDivisionError: division by zero")
    result = tmp_path / "out" / "1.json"
    assert result.exists() and "Runtime Error" in result.read_text()  # the partial result is written


def test_statistics_summary_and_custom_statistics_follow_leans(lean_data: Path, tmp_path: Path) -> None:
    """``self.statistics.summary`` mid-run (LEAN's Dictionary, PerformanceMetrics names), custom statistics after
    LEAN's own and never replacing one, LEAN's value texts, a reserved name refused; insights are counted."""
    project = tmp_path / "stats"
    project.mkdir()
    (project / "main.py").write_text(
        textwrap.dedent("""
        from AlgorithmImports import *

        class Stats(QCAlgorithm):
            def initialize(self):
                self.set_start_date(2013, 10, 7)
                self.set_end_date(2013, 10, 8)
                self.add_equity("SPY", Resolution.DAILY)
                self.set_summary_statistic("Custom Int", 63)
                self.set_summary_statistic("Custom Float", 2.5)
                self.set_summary_statistic("Total Fees", "not LEAN's")
                try:
                    self.set_summary_statistic("42", "reserved")
                except ValueError as error:
                    self.debug(f"refused: {error}")

            def on_data(self, data):
                if not self.portfolio.invested:
                    self.emit_insights(Insight.price("SPY", timedelta(days=1), InsightDirection.UP))
                    self.set_holdings("SPY", 1)
                summary = self.statistics.summary
                pairs = [f"{pair.key}" for pair in summary]
                self.debug(f"orders {summary[PerformanceMetrics.TOTAL_ORDERS]} keys {len(pairs)} "
                           f"{'Custom Int' in summary}")
    """)
    )
    outcome = run_backtest(EngineJob("stats", "1", project, lean_data, tmp_path / "out", RunOverrides()))
    assert outcome.status == "completed", outcome.error
    result = json.loads((tmp_path / "out" / "1.json").read_text())
    statistics = result["statistics"]
    keys = list(statistics)
    assert keys[-4:] == ["Drawdown Recovery", "Custom Int", "Custom Float", "OrderListHash"]
    assert (statistics["Custom Int"], statistics["Custom Float"]) == ("63", "2.5")
    assert statistics["Total Fees"].startswith("$")  # LEAN's own statistic stays
    assert result["state"]["InsightCount"] == "1"
    log = (tmp_path / "out" / "1-log.txt").read_text()
    assert "refused: '42' is a reserved statistic name." in log
    assert "orders 1 keys 29 True" in log  # 27 of LEAN's and the two custom ones
