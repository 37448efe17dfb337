"""Trade markers are drawn on prices in the normalisation the fills were made in, and say which (real LEAN
results and data, and a real embedded run across the synthetic sample's 4:1 AAPL split)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.results import load_result
from backtest_core.sample_data import write_sample_data
from backtest_core.views import fills_frame, symbol_price

STRATEGIES = Path(__file__).parent.parent.parent / "strategies"
NEW_YORK = ZoneInfo("America/New_York")


def spy_fills(lean_fixtures: Path) -> tuple[object, pd.DataFrame]:
    result = load_result(lean_fixtures / "cli2025-spy-daily-13y")
    fills = fills_frame(result)
    return result, fills[fills["symbol"] == "SPY"]


def test_lean_fills_at_adjusted_prices_are_drawn_on_adjusted_prices(lean_fixtures: Path, lean_data: Path) -> None:
    result, fills = spy_fills(lean_fixtures)
    line = symbol_price(lean_data, result, "SPY", fills)
    assert line.normalisation == "adjusted" and "LEAN's default" in line.note and "Only" not in line.note
    assert "SYNTHETIC" not in line.note  # LEAN's own data
    first = fills.iloc[0]  # 2012-01-24: filled at 109.01, SPY's adjusted price that day (raw: 130.77)
    day = line.prices[line.prices.index.tz_convert(NEW_YORK).date == first["time"].tz_convert(NEW_YORK).date()]
    assert abs(day.iloc[0] / first["price"] - 1) < 0.02


def test_fills_at_raw_prices_are_drawn_on_raw_prices(lean_fixtures: Path, lean_data: Path) -> None:
    result, fills = spy_fills(lean_fixtures)
    factors = LeanDataFolder(lean_data).factor_file("spy")
    days = np.array([t.tz_convert(NEW_YORK).date() for t in fills["time"]], dtype="datetime64[D]")
    raw = fills.assign(price=fills["price"] / factors.scale(days))  # the same fills as a raw-mode run makes them
    line = symbol_price(lean_data, result, "SPY", raw)
    assert line.normalisation == "raw" and "raw, as traded" in line.note and "Only" not in line.note


def test_fills_matching_neither_say_the_run_used_other_data(lean_fixtures: Path, lean_data: Path) -> None:
    result = load_result(lean_fixtures / "lean2020-testdata-basictemplate")  # LEAN's 2020 factor file
    line = symbol_price(lean_data, result, "SPY", fills_frame(result))
    assert "Only 0 of the 1 fills" in line.note and "other data" in line.note


def test_an_embedded_run_across_a_split_is_drawn_adjusted_with_every_fill_on_its_day(tmp_path: Path) -> None:
    data = tmp_path / "sample"
    write_sample_data(data, start=date(2018, 1, 2), end=date(2020, 12, 31), minute_days=2)
    overrides = RunOverrides(parameters={"symbols": "AAPL", "fast": "5", "slow": "20"})
    outcome = run_backtest(EngineJob("r", "7", STRATEGIES / "sma_crossover", data, tmp_path / "out", overrides))
    assert outcome.status == "completed", outcome.error
    result = load_result(tmp_path / "out")
    fills = fills_frame(result)
    assert len(fills) > 4 and (fills["time"] < pd.Timestamp("2019-08-26", tz="UTC")).any()  # fills before the split
    line = symbol_price(data, result, "AAPL", fills)
    assert line.normalisation == "adjusted" and "Only" not in line.note
    assert "SYNTHETIC sample" in line.note  # the sample's prices are never taken for market data


def test_minute_fills_are_drawn_on_minute_prices(tmp_path: Path) -> None:
    """Daily closes under minute fills drew a few straight lines the fills scattered around."""
    data = tmp_path / "sample"
    write_sample_data(data, start=date(2020, 10, 1), end=date(2020, 12, 31), minute_days=2, tickers=("SPY",))
    overrides = RunOverrides(start_date=date(2020, 12, 30), end_date=date(2020, 12, 31),
                             parameters={"resolution": "minute", "fast": "5", "slow": "20"})  # fmt: skip
    outcome = run_backtest(EngineJob("r", "7", STRATEGIES / "sma_crossover", data, tmp_path / "out", overrides))
    assert outcome.status == "completed", outcome.error
    result = load_result(tmp_path / "out")
    fills = fills_frame(result)
    assert len(fills) > 4
    line = symbol_price(data, result, "SPY", fills, intraday=True)
    assert line.resolution == "minute" and "Only" not in line.note
    assert len(line.prices) >= 2 * 390  # every minute of both sessions
    nearest = line.prices.reindex(pd.DatetimeIndex(fills["time"]), method="nearest").to_numpy()
    assert np.abs(nearest / fills["price"].to_numpy() - 1).max() < 0.01  # each fill on the line, within 1%
    assert symbol_price(data, result, "SPY", fills).resolution == "daily"
