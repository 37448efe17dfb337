"""The synthetic sample set: LEAN's layout read back by the engine's own reader, and the examples run on it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from backtest_core.coverage import coverage_warnings, data_coverage
from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.errors import StudioError
from backtest_core.models import Resolution
from backtest_core.results import load_result
from backtest_core.sample_data import MARKER, SPLIT, write_sample_data
from backtest_core.settings import PROJECT_ROOT

STRATEGIES = PROJECT_ROOT / "strategies"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample-data")
    write_sample_data(folder, start=date(2018, 1, 2), end=date(2020, 12, 31), minute_days=3)
    return folder


def test_bars_read_back_consistent(sample: Path) -> None:
    data = LeanDataFolder(sample)
    daily = data.read_bars(
        SecurityKind.EQUITY, "usa", "spy", Resolution.DAILY, "trade", date(2018, 1, 1), date(2021, 1, 1)
    )
    assert daily is not None and len(daily) > 700
    assert np.all(daily.low <= np.minimum(daily.open, daily.close)) and np.all(
        daily.high >= np.maximum(daily.open, daily.close)
    )
    minute = data.read_bars(
        SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "trade", date(2020, 12, 29), date(2020, 12, 31)
    )
    quotes = data.read_bars(
        SecurityKind.EQUITY, "usa", "spy", Resolution.MINUTE, "quote", date(2020, 12, 29), date(2020, 12, 31)
    )
    assert len(minute) == len(quotes) == 3 * 390
    assert np.all(quotes.bid[:, 3] < quotes.ask[:, 3])


def test_split_is_in_raw_prices_and_gone_after_adjustment(sample: Path) -> None:
    data = LeanDataFolder(sample)
    ticker, _, ratio = SPLIT
    bars = data.read_bars(
        SecurityKind.EQUITY, "usa", ticker.lower(), Resolution.DAILY, "trade", date(2019, 8, 19), date(2019, 8, 30)
    )
    closes = bars.close
    jump = closes[1:] / closes[:-1]
    assert np.min(jump) == pytest.approx(1 / ratio, rel=0.1)  # the raw series drops by the split ratio
    from zoneinfo import ZoneInfo

    adjusted = data.adjusted(bars, ticker.lower(), ZoneInfo("America/New_York")).close
    assert np.max(np.abs(adjusted[1:] / adjusted[:-1] - 1)) < 0.1  # adjusted: no jump


def test_examples_run_on_the_sample(sample: Path, tmp_path: Path) -> None:
    for name in ("buy_and_hold", "sma_crossover", "rsi_mean_reversion", "momentum_rotation"):
        job = EngineJob("sample", "99", STRATEGIES / name, sample, tmp_path / name,
                        RunOverrides(start_date=date(2018, 1, 2), end_date=date(2020, 12, 31)))  # fmt: skip
        outcome = run_backtest(job)
        assert outcome.status == "completed", f"{name}: {outcome.error}"
        assert len(load_result(tmp_path / name).orders) >= 1


def test_refuses_to_write_over_real_data(tmp_path: Path) -> None:
    (tmp_path / "equity").mkdir()
    with pytest.raises(StudioError, match="not Backtest Studio's synthetic"):
        write_sample_data(tmp_path)
    assert not (tmp_path / MARKER).exists()


def test_the_examples_period_is_covered_by_the_default_sample(tmp_path: Path) -> None:
    """The examples start 2015-01-01, a weekday in the sample's calendar (default US hours, no holidays), so
    the default set starts that day: a fresh machine's first run carries no "data starts late" warning."""
    write_sample_data(tmp_path, minute_days=0, tickers=("SPY",))
    found = data_coverage(tmp_path, "SPY", Resolution.DAILY)
    assert coverage_warnings([found], date(2015, 1, 1), date(2020, 12, 31), tmp_path) == []
    late = coverage_warnings([found], date(2014, 12, 31), date(2020, 12, 31), tmp_path)
    assert [w.message.split(":")[0] for w in late] == [
        "data for SPY (daily) starts 2015-01-01, 1 trading day after the period's start 2014-12-31"
    ]


def test_no_minute_days_means_daily_bars_only(tmp_path: Path) -> None:
    report = write_sample_data(tmp_path, start=date(2020, 1, 1), end=date(2020, 3, 31), minute_days=0, tickers=("SPY",))
    assert report.minute is None and not (tmp_path / "equity" / "usa" / "minute").exists()
    assert (tmp_path / "equity" / "usa" / "daily" / "spy.zip").exists()
    readme = (tmp_path / "SYNTHETIC_DATA_README.md").read_text()
    assert "minute trade and quote bars: none" in readme and "tickers: SPY (" in readme
    with pytest.raises(StudioError, match="minute_days is -1"):
        write_sample_data(tmp_path / "other", minute_days=-1)


def test_cli_writes_and_lists(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    command = [sys.executable, "-m", "backtest_core", "data"]
    written = subprocess.run(
        [*command, "sample", "--data-dir", str(folder)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert written.returncode == 0, written.stderr
    assert "SYNTHETIC" in written.stdout and (folder / "SYNTHETIC_DATA_README.md").exists()
    listed = subprocess.run(
        [*command, "check", "--data-dir", str(folder)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert "SPY" in listed.stdout and "minute" in listed.stdout
