"""A rename during the run, on LEAN's sample data: GOOG traded as GOOCV until 2014-04-02 (map file goog.csv),
its daily bars are in goocv.zip until then and in goog.zip after (LEAN's MappingEventProvider)."""

from __future__ import annotations

import json
from pathlib import Path

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

RENAME = Path(__file__).parent.parent / "algorithms" / "hold_through_rename"


def test_a_rename_is_an_event_of_its_own_and_cancels_open_orders(lean_data: Path, tmp_path: Path) -> None:
    outcome = run_backtest(EngineJob("rename", "4242", RENAME, lean_data, tmp_path, RunOverrides()))
    assert outcome.status == "completed", outcome.error
    lines = [line.split(" ", 2)[2] for line in (tmp_path / "4242-log.txt").read_text().splitlines()]
    assert [line for line in lines if line.startswith(("hook", "slice", "order 2014-04-03"))] == [
        "hook 2014-04-03 00:00:00 GOOG 04/03/2014 00:00:00 GOOCV->GOOG open 1",
        "order 2014-04-03 00:00:00 CANCELED Open order cancelled on symbol changed event",
        "slice 2014-04-03 00:00:00 GOOG GOOCV GOOG",
    ]
    # every trading day has its bar: the old ticker's file up to the rename, the new one's after
    bars = [line.split(" ")[1] for line in lines if line.startswith("bar")]
    assert bars == ["2014-03-27", "2014-03-28", "2014-03-31", "2014-04-01", "2014-04-02", "2014-04-03",
                    "2014-04-04", "2014-04-07", "2014-04-08"]  # fmt: skip
    order = json.loads((tmp_path / "4242.json").read_text())["orders"]["1"]
    assert (order["status"], order["canceledTime"]) == (5, "2014-04-03T04:00:00Z")
