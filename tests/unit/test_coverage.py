"""Data coverage on LEAN's real sample data and the synthetic sample: ranges, warnings, refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core.coverage import available_ranges, coverage_problem, coverage_warnings, data_coverage
from backtest_core.errors import DataMissing
from backtest_core.models import Resolution
from backtest_core.sample_data import write_sample_data


def test_daily_and_hour_zips_give_their_first_and_last_line(lean_data: Path) -> None:
    daily = data_coverage(lean_data, "spy", Resolution.DAILY)
    assert (daily.symbol, daily.first, daily.last) == ("SPY", date(1998, 1, 2), date(2021, 3, 31))
    assert daily.describe() == "SPY (daily): 1998-01-02 to 2021-03-31"
    assert data_coverage(lean_data, "EURUSD", "daily", "forex").first == date(2007, 1, 1)
    assert data_coverage(lean_data, "BTCUSD", "daily", "crypto").last == date(2018, 8, 13)


def test_minute_folders_are_read_from_file_names(lean_data: Path) -> None:
    minute = data_coverage(lean_data, "SPY", Resolution.MINUTE)
    names = {p.name[:8] for p in (lean_data / "equity/usa/minute/spy").glob("*_trade.zip")}
    assert len(minute.days) == len(names) and minute.first == date(2013, 10, 4)


def test_a_missing_symbol_is_no_data_with_the_path_searched(lean_data: Path) -> None:
    missing = data_coverage(lean_data, "NOPE", Resolution.DAILY)
    assert not missing.found and missing.searched.endswith("equity/usa/daily/nope.zip")
    assert "no data" in missing.describe()
    assert {r.resolution for r in available_ranges(lean_data, "SPY")} >= {Resolution.DAILY, Resolution.MINUTE}


def test_a_period_past_the_data_says_where_it_ends_and_what_the_statistics_cover(lean_data: Path) -> None:
    spy = data_coverage(lean_data, "SPY", Resolution.DAILY)
    (warning,) = coverage_warnings([spy], date(2020, 6, 1), date(2022, 6, 30), lean_data)
    assert warning.code == "data-ends-early"
    assert "ends 2021-03-31, 315 trading days before the period's end 2022-06-30" in warning.message
    assert "do not describe 2020-06-01 to 2022-06-30 traded throughout" in warning.message
    (early,) = coverage_warnings([spy], date(1995, 1, 1), date(1999, 12, 31), lean_data)
    assert early.code == "data-starts-late" and "starts 1998-01-02" in early.message
    assert "trading days after the period's start 1995-01-01: before it SPY could not trade" in early.message


def test_data_entirely_outside_the_period_says_so_rather_than_counting_days_inside_it(lean_data: Path) -> None:
    spy = data_coverage(lean_data, "SPY", Resolution.DAILY)
    (before,) = coverage_warnings([spy], date(1990, 1, 1), date(1990, 12, 31), lean_data)
    assert before.code == "no-data-in-period"
    assert before.message.startswith("data for SPY (daily) covers 1998-01-02 to 2021-03-31, none of the period 1990")
    (after,) = coverage_warnings([spy], date(2022, 1, 3), date(2022, 2, 28), lean_data)
    assert after.code == "no-data-in-period" and "trading days" not in after.message


def test_holidays_at_the_edges_are_not_missing_data(lean_data: Path) -> None:
    spy = data_coverage(lean_data, "SPY", Resolution.DAILY)
    # 1998-01-01 is New Year's Day (LEAN's market hours): the first trading day is the data's first day
    assert coverage_warnings([spy], date(1998, 1, 1), date(2021, 3, 31), lean_data) == []
    assert coverage_warnings([spy], date(2010, 1, 1), date(2012, 12, 31), lean_data) == []  # three years, no gap


def test_many_missing_days_inside_the_data_are_reported(lean_data: Path) -> None:
    minute = data_coverage(lean_data, "SPY", Resolution.MINUTE)
    codes = {w.code: w.message for w in coverage_warnings([minute], date(2013, 10, 7), date(2014, 10, 10), lean_data)}
    assert "data-gaps" in codes and "missing" in codes["data-gaps"]
    assert coverage_warnings([minute], date(2013, 10, 7), date(2013, 10, 11), lean_data) == []


def test_no_day_of_data_in_the_period_is_a_refusal_naming_the_range(lean_data: Path) -> None:
    minute = data_coverage(lean_data, "SPY", Resolution.MINUTE)  # files 2013..2023, none in 2015
    problem = coverage_problem([minute], date(2015, 1, 1), date(2015, 12, 31))
    assert problem is not None and "SPY (minute): 2013-10-04 to" in problem
    assert coverage_problem([minute], date(2013, 10, 1), date(2013, 12, 31)) is None  # partial: a warning later
    assert "no data" in coverage_problem([data_coverage(lean_data, "NOPE", "daily")], None, None)


def test_the_synthetic_sample_has_no_market_hours_and_counts_weekdays(tmp_path: Path) -> None:
    write_sample_data(tmp_path, start=date(2020, 1, 1), end=date(2020, 3, 31), minute_days=2)
    spy = data_coverage(tmp_path, "SPY", Resolution.DAILY)
    assert (spy.first, spy.last) == (date(2020, 1, 1), date(2020, 3, 31))
    assert coverage_warnings([spy], date(2020, 1, 1), date(2020, 3, 31), tmp_path) == []
    assert coverage_warnings([spy], date(2020, 1, 1), date(2020, 4, 3), tmp_path)[0].code == "data-ends-early"


def test_a_damaged_zip_fails_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "equity" / "usa" / "daily"
    folder.mkdir(parents=True)
    (folder / "spy.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataMissing, match=r"spy\.zip"):
        data_coverage(tmp_path, "SPY", Resolution.DAILY)
