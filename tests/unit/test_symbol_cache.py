"""LEAN's SymbolCache as an algorithm sees it: the tickers of the securities it added, and of the tickers its time
rules had to make an equity symbol for; not the benchmark's, nor a symbol only created."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.model import SecurityType, Symbol
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.engines.embedded.symbol_cache import SymbolCache

ALGORITHM = """
from AlgorithmImports import *

class Cached(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.set_benchmark(Symbol.create("AAPL", SecurityType.EQUITY, Market.USA))
        Symbol.create("MSFT", SecurityType.EQUITY, Market.USA)
        self.schedule.on(self.date_rules.every_day(), self.time_rules.after_market_open("IBM"), lambda: None)

    def on_end_of_algorithm(self):
        found, symbol = SymbolCache.try_get_symbol("spy", None)
        ticker = SymbolCache.try_get_ticker(self.spy, None)
        report = [found and symbol == self.spy, ticker == (True, "SPY"), SymbolCache.get_ticker(self.spy)]
        report += [SymbolCache.try_get_symbol(name, None)[0] for name in ("AAPL", "MSFT", "IBM", "QQQ")]
        self.set_summary_statistic("cache", " ".join(map(str, report)))
"""


def _cache(lean_data: Path, tmp_path: Path, name: str) -> str:
    project = tmp_path / name
    project.mkdir()
    (project / "main.py").write_text(textwrap.dedent(ALGORITHM))
    outcome = run_backtest(EngineJob("test-run", "3", project, lean_data, tmp_path / name / "out", RunOverrides()))
    assert outcome.status == "completed", outcome.error
    return json.loads((tmp_path / name / "out" / "3.json").read_text())["statistics"]["cache"]


def test_the_cache_holds_what_lean_puts_in_it(lean_data: Path, tmp_path: Path) -> None:
    assert _cache(lean_data, tmp_path, "first") == "True True SPY False False True False"


def test_each_backtest_starts_with_an_empty_cache(lean_data: Path, tmp_path: Path) -> None:
    """LEAN runs one algorithm per process: a run sees nothing set before it in this one."""
    SymbolCache.set("QQQ", Symbol.create("QQQ", SecurityType.EQUITY, "usa"))
    assert _cache(lean_data, tmp_path, "after") == "True True SPY False False True False"
