"""The loop's lazy parts: bars made on demand (also after their chunk is gone), slices kept past their step,
and fills judged on exchange time when the algorithm runs on another time zone."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded import feed as feed_module
from backtest_core.engines.embedded.broker import Security
from backtest_core.engines.embedded.data import NEW_YORK, LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.feed import BarFeed, union_of_sorted
from backtest_core.engines.embedded.model import Resolution, SecurityType, Symbol
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution as ResolutionName

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


def spy_feed(lean_data: Path, tick_type: str) -> tuple[BarFeed, object]:
    folder = LeanDataFolder(lean_data)
    hours = folder.market_hours(SecurityKind.EQUITY, "usa", "spy")
    bars = folder.read_bars(
        SecurityKind.EQUITY, "usa", "spy", ResolutionName.MINUTE, tick_type, date(2013, 10, 7), date(2013, 10, 7)
    )
    security = Security(
        Symbol.create("SPY", SecurityType.EQUITY, "usa"), SecurityKind.EQUITY, Resolution.MINUTE, hours,
        folder.symbol_properties(SecurityKind.EQUITY, "usa", "spy"), 2.0, True, False,
    )  # fmt: skip
    feed = BarFeed(security, bars, tick_type == "quote")
    if feed.is_quote:
        security.quote_feed = feed
    else:
        security.trade_feed = feed
    return feed, bars


@pytest.mark.parametrize("tick_type", ["trade", "quote"])
def test_bars_made_on_demand_match_the_files_across_chunks(
    lean_data: Path, tick_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "CHUNK", 7)  # many chunk changes over one day of minutes
    feed, bars = spy_feed(lean_data, tick_type)
    seen = []
    while feed.next_ns != feed_module.NEVER:
        feed.advance()
        seen.append((feed.current, feed.bar()))
    assert len(seen) == len(bars) > 300
    for index in (0, 5, 6, 7, 150, len(bars) - 1):  # later chunks are loaded: earlier bars come from the arrays
        again, first = feed.bar(index), seen[index][1]
        assert (again.time, again.end_time) == (first.time, first.end_time)
        assert again.close == first.close == pytest.approx(float(bars.close[index]))
    last = seen[-1][1]
    expected_end = pd.Timestamp(int(bars.end_ns[-1]), tz="UTC").tz_convert(NEW_YORK).tz_localize(None)
    assert last.end_time == expected_end.to_pydatetime()  # exchange time (the file's last, extended-hours bar)
    if tick_type == "quote":
        assert last.bid.close == float(bars.bid[-1, 3]) and last.ask.close == float(bars.ask[-1, 3])
        assert feed.security.bid_price == last.bid.close and feed.security.ask_price == last.ask.close
    else:
        assert feed.security.price == last.close and last.volume == float(bars.volume[-1])


def test_kept_slices_and_utc_algorithm_time(lean_data: Path, tmp_path: Path) -> None:
    job = EngineJob("test-run", "4242", ALGORITHMS / "slice_keeper", lean_data, tmp_path, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    lines = [line.split(" ", 2)[2] for line in (tmp_path / "4242-log.txt").read_text().splitlines() if " kept " in line]
    folder = LeanDataFolder(lean_data)
    trades, quotes = (folder.adjusted(spy_feed(lean_data, kind)[1], "spy", NEW_YORK) for kind in ("trade", "quote"))
    # algorithm time is UTC: the first regular-session bar of 2013-10-07 ends 09:31 New York = 13:31 UTC
    for line, minute in zip(lines, ("13:31", "13:32", "13:33"), strict=True):
        fields = line.split(" ", 9)
        assert fields[1] == fields[2] == minute
        utc_ns = int(datetime.fromisoformat(f"2013-10-07T{minute}:00+00:00").timestamp()) * 10**9
        trade, quote = int(np.flatnonzero(trades.end_ns == utc_ns)[0]), int(np.flatnonzero(quotes.end_ns == utc_ns)[0])
        assert float(fields[3]) == pytest.approx(float(trades.close[trade]), abs=1e-9)
        assert float(fields[4]) == pytest.approx(float(quotes.bid[quote, 3]), abs=1e-9)
        assert float(fields[5]) == pytest.approx(float(quotes.ask[quote, 3]), abs=1e-9)
        assert fields[6:9] == ["1", "True", "True"] and fields[9] == "['SPY']"
    orders = json.loads((tmp_path / "4242.json").read_text())["orders"]
    first = next(iter(orders.values()))
    # the market order placed on the first bar fills at once: the exchange (not UTC) decides it is open
    assert first["status"] == 3 and first["lastFillTime"].startswith("2013-10-07T13:31:00")


@pytest.mark.parametrize(
    ("arrays", "steps"),
    [
        ([[1, 2, 3], [1, 2, 3]], [1, 2, 3]),  # trades and quotes at the same minutes: taken as they are
        ([[1, 3, 5], [2, 3, 6]], [1, 2, 3, 5, 6]),
        ([[1, 2, 2, 3]], [1, 2, 3]),  # a repeated time is one step, also when it is the only feed
        ([[1, 2, 2], [1, 2, 2]], [1, 2]),
        ([[], [4]], [4]),
        ([], []),
    ],
)
def test_steps_are_the_distinct_end_times_in_order(arrays: list[list[int]], steps: list[int]) -> None:
    assert union_of_sorted([np.array(values, dtype=np.int64) for values in arrays]).tolist() == steps
