"""LEAN's map files, read from LEAN's own sample data: identifiers of renamed tickers, the files to read for
each date, delisting dates (``MapFile``, ``MapFileResolver``, ``SecurityIdentifier.GenerateEquity``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core.engines.embedded.data import LeanDataFolder
from backtest_core.engines.embedded.data.map_files import MapFile, read_map_file, resolver_for
from backtest_core.engines.embedded.model import SecurityType, security_identifier

TODAY = date(2026, 1, 5)


def identifier(data: LeanDataFolder, ticker: str) -> str:
    named = data.map_file_of_ticker("usa", ticker, TODAY)
    return security_identifier(named.first_ticker, SecurityType.EQUITY, "usa", named.first_date)


@pytest.mark.parametrize(
    ("ticker", "expected"),
    [
        ("SPY", "SPY R735QTJ8XC9X"),
        ("GOOGL", "GOOG T1AZ164W5VTX"),  # googl.csv begins as GOOG on 2004-08-19
        ("GOOG", "GOOCV VP83T1ZUHROL"),  # goog.csv begins as GOOCV on 2014-03-27
        ("TWX", "AOL R735QTJ8XC9X"),  # today's TWX is twx.csv (AOL until 2003), not twx.1.csv
        ("AAA.1", "AAA SEVKGI6HF885"),  # a permtick's own file; the first ticker loses the ".1"
        ("VXX.1", "VXX U9R0H3K6HVMT"),
    ],
)
def test_identifiers_are_leans(lean_data: Path, ticker: str, expected: str) -> None:
    assert identifier(LeanDataFolder(lean_data), ticker) == expected


def test_the_feed_finds_the_file_of_the_identifier_not_of_todays_ticker(lean_data: Path) -> None:
    """VXX as of 2009 is vxx.1.csv; today's VXX is vxx.csv (VXXB until 2019)."""
    data = LeanDataFolder(lean_data)
    assert data.map_file_of_ticker("usa", "VXX", TODAY).permtick == "VXX"
    old = data.map_file_of_identifier("usa", "VXX", date(2009, 1, 30))
    assert old.permtick == "VXX.1" and old.delisting_date == date(2019, 1, 29)
    assert old.ticker_ranges(date(2013, 11, 7), date(2013, 11, 8), "VXX.1") == [
        ("VXX", date(2013, 11, 7), date(2013, 11, 8))
    ]


def test_renamed_ticker_reads_each_period_under_its_name(lean_data: Path) -> None:
    """SPWR was SPWRA from 2008-09-30 to 2011-11-16 (each row's ticker holds up to and including its date)."""
    spwr = read_map_file(lean_data / "equity" / "usa" / "map_files" / "spwr.csv")
    assert spwr.mapped_symbol(date(2008, 9, 29)) == "SPWR" and spwr.mapped_symbol(date(2008, 9, 30)) == "SPWRA"
    assert spwr.ticker_ranges(date(2008, 1, 1), date(2012, 1, 1), "SPWR") == [
        ("SPWR", date(2008, 1, 1), date(2008, 9, 29)),
        ("SPWRA", date(2008, 9, 30), date(2011, 11, 16)),
        ("SPWR", date(2011, 11, 17), date(2012, 1, 1)),
    ]
    assert spwr.first_date == date(2005, 11, 17) and spwr.delisting_date == date(2050, 12, 31)


def test_no_data_before_the_first_date_or_after_delisting(lean_data: Path) -> None:
    aaa = LeanDataFolder(lean_data).map_file_of_identifier("usa", "AAA", date(2002, 5, 22))
    assert aaa.permtick == "AAA.1" and aaa.delisting_date == date(2007, 5, 18)
    assert aaa.has_data(date(2007, 5, 18)) and not aaa.has_data(date(2007, 5, 21))
    assert not aaa.has_data(date(2002, 5, 21))
    assert aaa.ticker_ranges(date(2007, 5, 15), date(2007, 5, 25), "AAA.1") == [
        ("AAA", date(2007, 5, 15), date(2007, 5, 18))
    ]
    assert aaa.ticker_ranges(date(2007, 5, 21), date(2007, 5, 25), "AAA.1") == []


def test_a_ticker_without_map_file_maps_to_itself(tmp_path: Path, lean_data: Path) -> None:
    unknown = LeanDataFolder(lean_data).map_file_of_ticker("usa", "NOSUCH", TODAY)
    assert unknown == MapFile("NOSUCH") and unknown.first_ticker == "NOSUCH"
    assert unknown.ticker_ranges(date(2020, 1, 1), date(2020, 1, 3), "NOSUCH") == [
        ("NOSUCH", date(2020, 1, 1), date(2020, 1, 3))
    ]
    assert LeanDataFolder(tmp_path).map_file_of_ticker("usa", "SPY", TODAY) == MapFile("SPY")  # no folder


def test_the_folder_is_read_once(lean_data: Path) -> None:
    folder = lean_data / "equity" / "usa" / "map_files"
    assert resolver_for(folder) is resolver_for(folder)
