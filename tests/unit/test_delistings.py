"""Delisting events on LEAN's sample data: AAA.1's map file ends on 2007-05-18 (LEAN's DelistingEventProvider,
HandleDelisting, HandleDelistingNotification)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from backtest_core.engines.base import EngineJob, EngineOutcome, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

HOLD = Path(__file__).parent.parent / "algorithms" / "hold_through_delisting"


def run(data: Path, out: Path, **overrides: object) -> EngineOutcome:
    return run_backtest(EngineJob("delisting", "4242", HOLD, data, out, RunOverrides(**overrides)))


def algorithm_lines(out: Path) -> list[str]:
    return [line.split(" ", 2)[2] for line in (out / "4242-log.txt").read_text().splitlines()]


def test_a_position_held_through_its_delisting_is_closed_at_the_last_price(lean_data: Path, tmp_path: Path) -> None:
    assert run(lean_data, tmp_path).status == "completed"
    lines = algorithm_lines(tmp_path)
    # a warning stamped at midnight of the last day with the close before it, the delisting at the next midnight
    # with the last close; on_delistings before on_data; both iterate as LEAN's key/value pairs
    assert [line for line in lines if line.startswith(("hook", "slice"))] == [
        "hook 2007-05-18 00:00:00 AAA.1 WARNING",
        "slice 2007-05-18 00:00:00 AAA.1 WARNING 2007-05-18 00:00:00 26.35",
        "hook 2007-05-19 00:00:00 AAA.1 DELISTED",
        "slice 2007-05-19 00:00:00 AAA.1 DELISTED 2007-05-19 00:00:00 26.0",
    ]
    # delisted, not tradable, flat before on_data; an order for it is refused without making one (LEAN's
    # OrderTicket.InvalidSubmitRequest: a ticket of id 0, status Invalid)
    assert "after True False 0.0" in lines
    assert lines.index("The security with symbol 'AAA.1' is marked as non-tradable.") + 1 == lines.index(
        "ticket 0:INVALID orders 3"
    )
    result = json.loads((tmp_path / "4242.json").read_text())
    orders = result["orders"]
    assert orders["2"]["status"] == 5 and orders["2"]["canceledTime"] == "2007-05-19T04:00:00Z"  # the resting limit
    closing = orders["3"]
    assert (closing["tag"], closing["quantity"], closing["price"], closing["status"]) == (
        "Liquidate from delisting",
        -100.0,
        26.0,
        3,
    )
    assert closing["time"] == "2007-05-19T04:00:00Z" and closing["orderSubmissionData"] is None
    assert closing["brokerId"] == [] and closing["priceCurrency"] == ""
    # the buy's $1 is the only fee: 100000 - 100 x 27.22 - 1 + 100 x 26.00
    assert (result["statistics"]["Total Fees"], result["statistics"]["End Equity"]) == ("$1.00", "99877")


def test_a_run_ending_on_the_delisting_date_sees_only_the_warning(lean_data: Path, tmp_path: Path) -> None:
    assert run(lean_data, tmp_path, end_date=date(2007, 5, 18)).status == "completed"
    events = [line for line in algorithm_lines(tmp_path) if line.startswith("slice")]
    assert events == ["slice 2007-05-18 00:00:00 AAA.1 WARNING 2007-05-18 00:00:00 26.35"]


def test_a_run_after_the_delisting_names_the_map_files_dates(lean_data: Path, tmp_path: Path) -> None:
    outcome = run(lean_data, tmp_path, start_date=date(2007, 5, 21))
    assert outcome.status == "failed"
    assert "No daily data for AAA.1" in outcome.error
    assert "aaa.1.csv lists it from 2002-05-22 to 2007-05-18" in outcome.error
