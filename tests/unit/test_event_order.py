"""The order of a time step as LEAN's ``Engine/AlgorithmManager.cs`` runs it: a scheduled event due at the step
itself fires in ``realtime.SetTime`` after the step's security prices and fills and before its consolidators
(automatic indicators) and ``OnData``; the status check right after it stops a run that quit in the event before
``OnData``. Only the order is asserted, each figure compared with what the other side logged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


@pytest.fixture(scope="module")
def seen(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    out = tmp_path_factory.mktemp("event-order")
    outcome = run_backtest(EngineJob("test-run", "9", ALGORITHMS / "event_order", lean_data, out, RunOverrides()))
    assert outcome.status == "completed", outcome.error
    lines: dict[str, dict[str, str]] = {}
    for line in (out / "log.txt").read_text().splitlines():
        found = re.search(r"Debug: (event|on_data|end) (.*)$", line)
        if found:
            lines[found[1]] = dict(re.findall(r"(\w+)=(\S+(?: \d\d:\d\d)?)", found[2]))
    return lines


def test_an_event_at_a_step_sees_its_prices_before_its_indicators_and_on_data(seen) -> None:
    event, on_data = seen["event"], seen["on_data"]
    assert event["time"] == on_data["time"] == "09:31"  # the first bar's step
    assert event["last_on_data"] == "None"  # OnData of that step had not run
    assert float(event["price"]) == float(on_data["close"])  # the step's bar was already the security's price
    assert (int(event["samples"]), int(on_data["samples"])) == (0, 1)  # the indicator took the bar in between


def test_on_data_sees_the_fill_of_an_order_placed_by_the_event_at_its_step(seen) -> None:
    assert seen["on_data"]["invested"] == "True"


def test_a_quit_in_an_event_at_a_step_stops_before_its_on_data(seen) -> None:
    assert seen["end"]["last_on_data"] == "2013-10-07 09:59"  # the 10:00 event quit; no OnData at 10:00
