"""Embedded engine speed in bars per second on the same synthetic SPY minute bars, all measured in one run.

(a) raw decode of the LEAN minute files the engine reads (trade and quote zips) — the ceiling;
(b) the engine with an empty ``on_data``; (c) the engine with an SMA-crossover algorithm;
(d) backtesting.py running the same crossover (long when the fast SMA crosses above the slow one, flat when
it crosses below) on the same bars, already in memory. Goals: (c)/(d) >= 1.0 and (b)/(a) >= 0.3.
(d') is context only: (d) plus reading the trade bars from the same LEAN files, as the engine must.
Then the peak memory (max RSS of a child process, with the engine process's environment) of a 10-year
minute backtest of one symbol.

    .venv/bin/python -m bench.bench_engine [--years 1] [--memory-years 10]   (from the project root)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.engine import worker_environment
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT
from bench.timing import best_ms

FAST, SLOW = 20, 50
EMPTY = """
from AlgorithmImports import *

class Empty(QCAlgorithm):
    def initialize(self):
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        pass
"""
CROSSOVER = f"""
from AlgorithmImports import *

class Crossover(QCAlgorithm):
    def initialize(self):
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.fast = self.sma(self.spy, {FAST})
        self.slow = self.sma(self.spy, {SLOW})
        self.above = None

    def on_data(self, data):
        if not self.slow.is_ready:
            return
        above = self.fast.current.value > self.slow.current.value
        if above != self.above:
            if above:
                self.set_holdings(self.spy, 1)
            elif self.above is not None:
                self.liquidate(self.spy)
            self.above = above
"""


def synthetic_minutes(folder: Path, years: int) -> tuple[date, date]:
    end = date(2020, 12, 31)
    start = date(end.year - years + 1, 1, 2)
    write_sample_data(folder, start=start, end=end, minute_days=years * 261, tickers=("SPY",))
    return start, end


def project(root: Path, name: str, source: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "main.py").write_text(textwrap.dedent(source))
    return folder


def decode(data: Path, start: date, end: date) -> int:
    folder = LeanDataFolder(data)
    trades = folder.read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "trade", start, end)
    folder.read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "quote", start, end)
    return len(trades)


def lean_frame(data: Path, start: date, end: date) -> pd.DataFrame:
    """The trade bars as backtesting.py takes them, read from the LEAN files with the engine's reader."""
    raw = LeanDataFolder(data).read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "trade", start, end)
    return pd.DataFrame(
        {"Open": raw.open, "High": raw.high, "Low": raw.low, "Close": raw.close, "Volume": raw.volume},
        index=pd.to_datetime(raw.end_ns, utc=True).tz_localize(None),
    )


def engine(code: Path, data: Path, out: Path, start: date, end: date) -> None:
    outcome = run_backtest(EngineJob("bench", "1", code, data, out, RunOverrides(start_date=start, end_date=end)))
    assert outcome.status == "completed", outcome.error


def backtesting_py(frame: pd.DataFrame) -> None:
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    def sma(values: pd.Series, n: int) -> pd.Series:
        return pd.Series(values).rolling(n).mean()

    class SmaCross(Strategy):
        def init(self) -> None:
            self.fast = self.I(sma, self.data.Close, FAST)
            self.slow = self.I(sma, self.data.Close, SLOW)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    Backtest(frame, SmaCross, cash=1_000_000, commission=0.0, finalize_trades=True).run()


def peak_memory_mb(data: Path, code: Path, out: Path, start: date, end: date) -> float:
    script = (
        "import sys; from datetime import date; from pathlib import Path; "
        "from bench.bench_engine import engine; "
        f"engine(Path({str(code)!r}), Path({str(data)!r}), Path({str(out)!r}), "
        f"date.fromisoformat({start.isoformat()!r}), date.fromisoformat({end.isoformat()!r}))"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, check=True, env=worker_environment())
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=1, help="years of minute bars for the speed runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    parser.add_argument("--memory-years", type=int, default=10, help="years of minute bars for the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        data = root / "data"
        start, end = synthetic_minutes(data, args.years)
        empty, cross = project(root, "empty", EMPTY), project(root, "cross", CROSSOVER)
        bars = decode(data, start, end)
        frame = lean_frame(data, start, end)
        runs = {
            "(a) raw decode": lambda: decode(data, start, end),
            "(b) engine, empty on_data": lambda: engine(empty, data, root / "out-b", start, end),
            "(c) engine, SMA crossover": lambda: engine(cross, data, root / "out-c", start, end),
            "(d) backtesting.py crossover": lambda: backtesting_py(frame),
            "(d') (d) + reading the files": lambda: backtesting_py(lean_frame(data, start, end)),
        }
        # rounds of all four, so a slow spell of the shared machine hits every measurement alike
        seconds = dict.fromkeys(runs, float("inf"))
        for _ in range(args.repeat):
            for name, action in runs.items():
                seconds[name] = min(seconds[name], best_ms(action, 1) / 1000)
        print(f"{bars:,} minute bars ({args.years} year(s), synthetic SPY), best of {args.repeat} rounds")
        rates = {name: bars / value for name, value in seconds.items()}
        for name, rate in rates.items():
            print(f"{name:<32} {seconds[name]:8.2f} s {rate:12,.0f} bars/s")
        a, b, c, d, d_with_reading = rates.values()
        print(f"(c)/(d) = {c / d:.2f}  (goal >= 1.0; (d) gets its bars in memory)")
        print(f"(c)/(d') = {c / d_with_reading:.2f} (context: both start from the LEAN files)")
        print(f"(b)/(a) = {b / a:.3f} (goal >= 0.3)")
        memory_data = root / "data-10y"
        memory_start, memory_end = synthetic_minutes(memory_data, args.memory_years)
        peak = peak_memory_mb(memory_data, cross, root / "out-memory", memory_start, memory_end)
        print(f"peak RSS, {args.memory_years}-year minute SMA crossover backtest: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
