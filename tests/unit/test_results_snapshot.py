"""read_snapshot on the file LEAN rewrites during a run: built here from a real final result the way LEAN's
in-run store writes it (status Running, statistics empty, no totalPerformance/algorithmConfiguration,
charts up to the current algorithm time), and written half-way as LEAN's non-atomic write can leave it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backtest_core.results import load_result, read_snapshot

SPY = "cli2025-spy-minute-sma-301orders"
MAIN = "1186467672.json"


def in_run_copy(final: dict, points_so_far: int) -> dict:
    """The final result cut back to ``points_so_far`` equity candles, as an in-run snapshot."""
    snapshot = json.loads(json.dumps(final))
    cutoff = snapshot["charts"]["Strategy Equity"]["series"]["Equity"]["values"][points_so_far - 1][0]
    for chart in snapshot["charts"].values():
        for series in chart["series"].values():
            series["values"] = [p for p in series["values"] if p[0] <= cutoff]
    snapshot["state"].update(Status="Running", EndTime="")
    snapshot["statistics"] = {}
    snapshot["rollingWindow"] = {}
    del snapshot["totalPerformance"], snapshot["algorithmConfiguration"]
    return snapshot


@pytest.fixture
def final(lean_fixtures: Path) -> dict:
    return json.loads((lean_fixtures / SPY / MAIN).read_text())


def test_in_run_snapshot(tmp_path, final):
    target = tmp_path / MAIN
    target.write_text(json.dumps(in_run_copy(final, 300), indent=2))
    snapshot = read_snapshot(target)
    assert snapshot is not None
    assert snapshot.status == "Running"
    candle = final["charts"]["Strategy Equity"]["series"]["Equity"]["values"][299]
    assert snapshot.last_time == datetime.fromtimestamp(candle[0], tz=UTC)
    assert snapshot.last_equity == candle[4]
    assert len(snapshot.equity) == 300
    assert snapshot.runtime_statistics == final["runtimeStatistics"]
    assert snapshot.order_count == len(final["orders"])
    # load_result reads the same file as a running result, not as an error
    running = load_result(target)
    assert running.status == "Running" and not running.is_final
    assert running.statistics.raw == {}


def test_half_written_or_absent_snapshot_is_none(tmp_path, final):
    target = tmp_path / MAIN
    assert read_snapshot(target) is None
    text = json.dumps(in_run_copy(final, 100), indent=2)
    target.write_text(text[: len(text) // 2])
    assert read_snapshot(target) is None
    target.write_text("")
    assert read_snapshot(target) is None


def test_snapshot_of_final_result_and_folder(lean_fixtures):
    snapshot = read_snapshot(lean_fixtures / SPY)
    assert snapshot is not None
    assert snapshot.status == "Completed"
    assert snapshot.last_equity == 98118.51


def test_snapshot_of_pascalcase_result_without_state(lean_fixtures):
    folder = lean_fixtures / "cli2022-tqqq-daily-customdata-110orders"
    raw = json.loads((folder / "1202616023.json").read_text())
    last = raw["Charts"]["Strategy Equity"]["Series"]["Equity"]["Values"][-1]
    snapshot = read_snapshot(folder / "1202616023.json")
    assert snapshot is not None
    assert snapshot.status is None
    assert snapshot.last_equity == last["y"]
    assert snapshot.last_time == datetime.fromtimestamp(last["x"], tz=UTC)
