"""History requests in LEAN's common forms on real LEAN data, checked against the day files read here."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
NEW_YORK = ZoneInfo("America/New_York")
SINGLE = ("typed", "quotes", "ff", "warmed", "periods")
QUOTE_AND_TRADE = "askclose,askhigh,asklow,askopen,asksize,bidclose,bidhigh,bidlow,bidopen,bidsize,close,high,low,open"


@pytest.fixture(scope="module")
def reported(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    out = tmp_path_factory.mktemp("history")
    outcome = run_backtest(EngineJob("test-run", "6", ALGORITHMS / "history_forms", lean_data, out, RunOverrides()))
    assert outcome.status == "completed", outcome.error
    lines: dict[str, list[str]] = {}
    for line in (out / "6-log.txt").read_text().splitlines():
        words = line.split()
        if len(words) > 3 and words[2] in ("frame", "closes", *SINGLE):
            key = words[2] if words[2] in SINGLE else f"{words[2]} {words[3]}"
            lines[key] = words[3:] if words[2] in SINGLE else words[4:]
    return lines


def closes(lean_data: Path, ticker: str, resolution: Resolution, first: date, last: date) -> pd.Series:
    """Adjusted closes by bar end (exchange time) straight from the LEAN files."""
    data = LeanDataFolder(lean_data)
    bars = data.read_bars(SecurityKind.EQUITY, "usa", ticker, resolution, "trade", first, last)
    bars = data.adjusted(bars, ticker, NEW_YORK)
    ends = pd.to_datetime(bars.end_ns, utc=True).tz_convert(NEW_YORK).tz_localize(None)
    return pd.Series(bars.close, index=ends)


def test_daily_bar_counts_end_at_the_last_closed_session(reported, lean_data: Path) -> None:
    daily = closes(lean_data, "spy", Resolution.DAILY, date(2013, 9, 20), date(2013, 10, 8))
    # in initialize (the start, 10-08 00:00): the two sessions before; at 10:00 the open day does not count
    assert reported["frame init-daily"] == ["close,high,low,open,volume", "2", "SPY@10-04T16:00", "SPY@10-07T16:00"]
    assert [float(v) for v in reported["closes init-daily"]] == pytest.approx(daily.iloc[-3:-1].tolist(), abs=5e-5)
    assert reported["frame daily-open"][2:] == ["SPY@10-03T16:00", "SPY@10-04T16:00", "SPY@10-07T16:00"]
    assert reported["frame daily-closed"][1:] == ["1", "SPY@10-08T16:00"]  # at 16:00 the day's bar has closed
    assert float(reported["closes daily-closed"][0]) == pytest.approx(daily.iloc[-1], abs=5e-5)


def test_warm_up_indicator_takes_the_last_periods_before_now(reported, lean_data: Path) -> None:
    daily = closes(lean_data, "spy", Resolution.DAILY, date(2013, 9, 1), date(2013, 10, 7))
    samples, value, day, moment = reported["warmed"]
    assert (samples, day, moment) == ("10", "2013-10-07", "16:00:00")
    assert float(value) == pytest.approx(daily.iloc[-10:].mean(), abs=5e-6)
    # by a period: the daily bars go through a one-day consolidator and give the indicator what they give by hand
    assert reported["periods"] == ["4", "4", "True"]


def test_minute_counts_spans_and_ranges(reported, lean_data: Path) -> None:
    minutes = closes(lean_data, "spy", Resolution.MINUTE, date(2013, 10, 7), date(2013, 10, 8))
    frame = reported["frame minutes"]
    assert frame[0] == QUOTE_AND_TRADE + ",volume" and frame[1] == "5"  # LEAN's columns: quotes and trades
    assert frame[2:] == [f"SPY@10-08T{minute}" for minute in ("09:56", "09:57", "09:58", "09:59", "10:00")]
    expected = minutes[pd.Timestamp("2013-10-08 09:56") : pd.Timestamp("2013-10-08 10:00")]
    assert [float(v) for v in reported["closes minutes"]] == pytest.approx(expected.tolist(), abs=5e-5)
    assert reported["typed"] == ["30", "09:31", "10:00", "TradeBar"]  # a 30-minute span: bars ending in it
    # start and end: bars ending after the start, up to the end, symbol by symbol
    assert reported["frame range"][1:] == ["6"] + [
        f"{ticker}@10-07T10:0{minute}" for ticker in ("SPY", "IBM") for minute in (1, 2, 3)
    ]
    assert reported["quotes"] == [QUOTE_AND_TRADE, "2"]  # a QuoteBar frame has no volume


def test_a_missing_minute_is_filled_forward(reported, lean_data: Path) -> None:
    ibm = closes(lean_data, "ibm", Resolution.MINUTE, date(2013, 10, 11), date(2013, 10, 11))
    assert pd.Timestamp("2013-10-11 12:47") not in ibm.index  # the file has no 12:46-12:47 bar
    bars = [entry.split("/") for entry in reported["ff"]]
    assert [(end, flag, volume) for end, flag, _, volume in bars][2] == ("12:47", "True", "0")
    assert float(bars[2][2]) == pytest.approx(ibm[pd.Timestamp("2013-10-11 12:46")], abs=5e-5)  # the last close
    assert [end for end, *_ in bars] == ["12:45", "12:46", "12:47", "12:48"]
