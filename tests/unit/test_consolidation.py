"""Consolidators in the embedded engine on real LEAN minute data: the bars they emit equal an aggregation of
the day files made here, independently of the engine, and come at the times LEAN emits them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution
from backtest_core.results import load_result

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
NEW_YORK = ZoneInfo("America/New_York")
DAYS = (date(2013, 10, 7), date(2013, 10, 8))


def session_bars(lean_data: Path, tick_type: str, ticker: str = "spy", days: tuple[date, date] = DAYS) -> pd.DataFrame:
    """Regular-session minute bars (SPY's of both days), adjusted as LEAN adjusts them, by exchange start time."""
    data = LeanDataFolder(lean_data)
    bars = data.read_bars(SecurityKind.EQUITY, "usa", ticker, Resolution.MINUTE, tick_type, *days)
    bars = data.adjusted(bars, ticker, NEW_YORK)
    start = pd.to_datetime(bars.start_ns, utc=True).tz_convert(NEW_YORK).tz_localize(None)
    columns = {"open": bars.open, "high": bars.high, "low": bars.low, "close": bars.close, "volume": bars.volume}
    if tick_type == "quote":
        columns = {"bid_close": bars.bid[:, 3], "ask_close": bars.ask[:, 3], "bid_high": bars.bid[:, 1],
                   "ask_low": bars.ask[:, 2]}  # fmt: skip
    frame = pd.DataFrame(columns, index=start)
    return frame[(frame.index.time >= time(9, 30)) & (frame.index.time < time(16, 0))]


def aggregate(group: pd.DataFrame) -> list[float]:
    return [group.open.iloc[0], group.high.max(), group.low.min(), group.close.iloc[-1], group.volume.sum()]


@pytest.fixture(scope="module")
def emitted(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[str]]]:
    out = tmp_path_factory.mktemp("consolidated")
    job = EngineJob("test-run", "5", ALGORITHMS / "consolidated_bars", lean_data, out, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    bars: dict[str, list[list[str]]] = {}
    for line in (out / "5-log.txt").read_text().splitlines():
        if " bar " in line:
            words = line.split(" bar ", 1)[1].split()
            bars.setdefault(words[0], []).append(words[1:])
    bars["orders"] = [[str(value) for value in row] for row in load_result(out).orders[["status", "time"]].values]
    return bars


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def numbers(words: list[str]) -> list[float]:
    return [float(word) for word in words[3:8]]


def test_half_hour_bars_aggregate_the_minutes_and_come_at_their_end(emitted, lean_data: Path) -> None:
    minutes = session_bars(lean_data, "trade")
    groups = list(minutes.groupby(minutes.index.floor("30min")))
    assert len(emitted["thirty"]) == len(groups) == 26  # 13 per day; the last ends at the 16:00 close
    for words, (start, group) in zip(emitted["thirty"], groups, strict=True):
        assert stamp(words[0]) == start and stamp(words[1]) == start + timedelta(minutes=30)
        assert stamp(words[2]) == stamp(words[1])  # emitted at the step that ends it, before OnData
        assert numbers(words) == pytest.approx(aggregate(group), abs=5e-5)


def test_daily_bars_span_the_session_and_midnight_periods_wait_for_midnight(emitted, lean_data: Path) -> None:
    minutes = session_bars(lean_data, "trade")
    days = list(minutes.groupby(minutes.index.date))
    assert [(w[0], w[1], w[2]) for w in emitted["daily"]] == [
        (f"{day}T09:30", f"{day}T16:00", f"{day}T16:00") for day in DAYS
    ]  # LEAN's daily consolidation: the regular session, open to close, emitted at the close
    for words, (_, group) in zip(emitted["daily"], days, strict=True):
        assert numbers(words) == pytest.approx(aggregate(group), abs=5e-5)
    # timedelta(days=1) is a period from midnight: the Monday bar is emitted by the scan at Tuesday midnight,
    # the Tuesday bar never (no data after it)
    assert [(w[0], w[1], w[2]) for w in emitted["midnight"]] == [
        ("2013-10-07T00:00", "2013-10-08T00:00", "2013-10-08T00:00")
    ]
    assert numbers(emitted["midnight"][0]) == pytest.approx(numbers(emitted["daily"][0]), abs=1e-9)


def test_count_bars_take_45_minutes_across_the_night(emitted, lean_data: Path) -> None:
    minutes = session_bars(lean_data, "trade")
    chunks = [minutes.iloc[first : first + 45] for first in range(0, len(minutes) - 44, 45)]
    assert len(emitted["count45"]) == len(chunks) == 17
    for words, chunk in zip(emitted["count45"], chunks, strict=True):
        assert stamp(words[0]) == chunk.index[0] and stamp(words[1]) == chunk.index[-1] + timedelta(minutes=1)
        assert numbers(words) == pytest.approx(aggregate(chunk), abs=5e-5)
    overnight = emitted["count45"][8]
    assert (overnight[0], overnight[1]) == ("2013-10-07T15:30", "2013-10-08T09:45")


def test_anchored_two_hour_bars_and_the_scan_after_the_close(emitted, lean_data: Path) -> None:
    minutes = session_bars(lean_data, "trade")
    anchor = minutes.index.normalize() + pd.Timedelta(hours=9, minutes=30)
    window = anchor + ((minutes.index - anchor) // pd.Timedelta(hours=2)) * pd.Timedelta(hours=2)
    groups = list(minutes.groupby(window))
    assert [stamp(w[0]) for w in emitted["anchored"]] == [start for start, _ in groups[:7]]
    for words, (_, group) in zip(emitted["anchored"], groups, strict=False):
        assert numbers(words) == pytest.approx(aggregate(group), abs=5e-5)
    # 15:30-17:30 has no data after 16:00: the next day's first step scans it at 17:30, with the clock there
    assert emitted["anchored"][3][1:3] == ["2013-10-07T17:30", "2013-10-07T17:30"]
    assert len(emitted["anchored"]) == 7  # Tuesday's 15:30 bar is never scanned: no step after it


def test_quote_bars_of_ten_minutes(emitted, lean_data: Path) -> None:
    quotes = session_bars(lean_data, "quote")
    groups = list(quotes.groupby(quotes.index.floor("10min")))
    assert len(emitted["quotes"]) == len(groups) == 78
    for words, (start, group) in zip(emitted["quotes"], groups, strict=True):
        assert stamp(words[0]) == start and stamp(words[2]) == start + timedelta(minutes=10)
        expected = [group.bid_close.iloc[-1], group.ask_close.iloc[-1], group.bid_high.max(), group.ask_low.min()]
        if start != groups[0][0]:  # after the first bar, LEAN opens each at the previous bar's closes
            previous = quotes[quotes.index < start]
            expected[2] = max(expected[2], previous.bid_close.iloc[-1])
            expected[3] = min(expected[3], previous.ask_close.iloc[-1])
        assert [float(w) for w in words[3:7]] == pytest.approx(expected, abs=5e-5)


def test_an_order_from_a_handler_fills_at_that_step(emitted) -> None:
    assert emitted["orders"][0][0] == "Filled"
    assert "14:00" in emitted["orders"][0][1]  # 10:00 New York, the end of the first half hour


def test_a_filled_forward_bar_updates_automatic_indicators_and_consolidators(lean_data: Path, tmp_path: Path) -> None:
    """LEAN's identity consolidators and consolidators take filled-forward bars: IBM has no 12:46-12:47 trade
    bar on 2013-10-11, so the previous close is an SMA input there (precomputed values hand back for it)."""
    job = EngineJob("test-run", "8", ALGORITHMS / "indicator_fill_forward", lean_data, tmp_path, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    lines = (tmp_path / "8-log.txt").read_text().splitlines()
    steps = {line.split(" step ")[1].split()[0]: dict(part.split("=") for part in line.split(" step ")[1].split()[1:])
             for line in lines if " step " in line}  # fmt: skip
    friday = (date(2013, 10, 11), date(2013, 10, 11))
    closes = session_bars(lean_data, "trade", "ibm", friday)["close"]
    assert steps["12:46"]["filled"] == "False" and steps["12:47"]["filled"] == "True"
    assert float(steps["12:47"]["close"]) == pytest.approx(closes[pd.Timestamp("2013-10-11 12:45")], abs=5e-5)
    assert int(steps["12:47"]["samples"]) == int(steps["12:46"]["samples"]) + 1  # the filled bar counts
    three = [closes[pd.Timestamp("2013-10-11 12:44")], closes[pd.Timestamp("2013-10-11 12:45")]]
    expected = (three[0] + three[1] + three[1]) / 3  # 12:45, 12:46 and the 12:47 fill of 12:46's close
    assert float(steps["12:47"]["sma"]) == pytest.approx(expected, abs=5e-6)
    assert (steps["12:46"]["precomputed"], steps["12:47"]["precomputed"]) == ("True", "False")
    assert any("end minutes=390 samples=390" in line for line in lines)  # every session minute, the fill too
