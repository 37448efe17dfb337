"""Splits and dividends as LEAN's time slices carry them (``SplitEventProvider``, ``DividendEventProvider``,
``TimeSliceFactory``): the expected figures are derived by hand from LEAN's factor and price files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from backtest_core.engines.embedded.corporate_events import corporate_events, distribution
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from tests.unit.test_embedded_engine import ALGORITHMS, debug_lines, run


def test_factor_file_rows_become_leans_events_on_their_trading_days(lean_data: Path) -> None:
    folder = LeanDataFolder(lean_data)
    hours = folder.market_hours(SecurityKind.EQUITY, "usa", "SPY")
    events = corporate_events(folder.factor_file("spy"), hours, date(2005, 3, 1), date(2005, 3, 31))
    # row 20050317 (price factor 0.7239778, reference 119.41), next row 0.7268203: a dividend on Friday the 18th
    assert [(event.day, event.kind) for event in events] == [(date(2005, 3, 18), "dividend")]
    assert events[0].factor == Decimal("0.7239778") / Decimal("0.7268203")
    # 119.41 - 119.41 * 0.7239778 / 0.7268203 = 0.46700...
    assert distribution(events[0]) == Decimal("0.47")


def test_on_data_runs_at_midnight_of_each_split_and_dividend(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(ALGORITHMS / "corporate_events", lean_data, tmp_path)
    assert outcome.status == "completed", outcome.error
    midnight = [line.split(" ", 2)[2] for line in debug_lines(tmp_path) if " 00:00:00 on_" in line]
    # AAPL's factor file: 20140507 -> 20140606 changes the price factor (0.8961764 -> 0.9011818, reference
    # 592.33): 592.33 * (1 - 0.8961764 / 0.9011818) = 3.29 on the next trading day. 20140606 -> 20140806
    # changes the split factor (0.0357143 -> 0.25): a warning on the 6th whose price is the last raw close
    # (2014-06-05: 6473500 ten-thousandths) and the split on Monday the 9th at the row's reference 645.57.
    assert midnight == [
        "on_dividends 2014-05-08 00:00:00 3.29 592.33",
        "on_data 2014-05-08 00:00:00 bars=0 keys=1 no_bar=True has_data=True Dividend: AAPL: 3.29 | 592.33",
        "on_splits 2014-06-06 00:00:00 warning=True 0.1428572 647.35",
        "on_data 2014-06-06 00:00:00 bars=0 keys=1 no_bar=True has_data=True Split Warning: AAPL: 0.1428572 | 647.3500",
        "on_splits 2014-06-09 00:00:00 warning=False 0.1428572 645.57",
        "on_data 2014-06-09 00:00:00 bars=0 keys=1 no_bar=True has_data=True Split: AAPL: 0.1428572 | 645.57",
    ]
    daily = [line for line in debug_lines(tmp_path) if " 16:00:00 on_data" in line]
    assert len(daily) == 25 and all(
        "bars=1 keys=1 no_bar=False" in line for line in daily
    )  # the trading days of the period
