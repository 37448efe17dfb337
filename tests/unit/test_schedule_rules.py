"""LEAN's date and time rules over real market hours (holidays, early closes): each event's time worked out by
hand from LEAN's rules (``Common/Scheduling``)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


@pytest.fixture(scope="module")
def fired(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    out = tmp_path_factory.mktemp("schedule")
    outcome = run_backtest(EngineJob("test-run", "7", ALGORITHMS / "schedule_rules", lean_data, out, RunOverrides()))
    assert outcome.status == "completed", outcome.error
    events: dict[str, list[str]] = defaultdict(list)
    for line in (out / "7-log.txt").read_text().splitlines():
        if " rule " in line:
            name, *moment = line.split(" rule ", 1)[1].split()
            events[name].append(" ".join(moment))
    return events


def test_month_rules_move_past_holidays_and_count_trading_days(fired) -> None:
    # 2013-01-01 is a holiday: the month starts on the 2nd; November 2012's start is before the backtest
    assert fired["month_start"] == [f"{day} 10:00" for day in
                                    ("2012-12-03", "2013-01-02", "2013-02-01", "2013-03-01", "2013-04-01")]  # fmt: skip
    # one trading day before the last: Good Friday (03-29) makes March end on the 28th, so the 27th
    assert fired["month_end_1"] == [f"{day} 10:00" for day in
                                    ("2012-11-29", "2012-12-28", "2013-01-30", "2013-02-27", "2013-03-27")]  # fmt: skip


def test_week_rules_and_market_times_with_holidays_and_early_closes(fired) -> None:
    starts = fired["week_start"]
    assert len(starts) == 20 and all(moment.endswith("09:31") for moment in starts)  # a minute after the open
    assert "2013-01-22 09:31" in starts and "2013-02-19 09:31" in starts  # Monday holidays: Tuesday
    ends = fired["week_end"]
    assert ends[0] == "2012-11-23 12:50"  # the day after Thanksgiving closes at 13:00
    assert "2013-03-28 15:50" in ends and len(ends) == 20  # Good Friday: Thursday
    closes = fired["close_10"]
    assert len(closes) == 94  # every trading day of the backtest
    assert [moment for moment in closes if not moment.endswith("15:50")] == ["2012-11-23 12:50", "2012-12-24 12:50"]


def test_calendar_rules_without_a_symbol(fired) -> None:
    assert fired["quarter_start"] == ["2013-01-01 12:00", "2013-04-01 12:00"]  # calendar days, holidays too
    assert fired["year_start"] == ["2013-01-01 00:00"]
    assert fired["year_end"] == ["2012-12-31 09:00"]  # at(timedelta)
    assert fired["every_6h"] == ["2012-11-20 00:00", "2012-11-20 06:00", "2012-11-20 12:00", "2012-11-20 18:00"]
    assert fired["utc_15"] == ["2013-01-02 10:00"]  # 15:00 UTC is 10:00 in New York in winter
    assert fired["after_close"] == ["2012-11-20 16:30"]


def test_today_tomorrow_and_events_scheduled_while_running(fired) -> None:
    assert fired["today"] == ["2012-11-19 17:00"]  # the start date, where initialize runs
    assert fired["tomorrow"] == ["2012-11-20 00:00"]
    assert fired["added"] == ["2012-11-21 09:31"]  # scheduled at 17:00 on the 19th, for the 21st
    assert "added_past" not in fired  # 10:00 on the 19th had passed when it was scheduled: skipped
