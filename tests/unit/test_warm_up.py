"""set_warmup as LEAN defines it: by bars (each security's own resolution, the earliest start), by bars at a
given resolution, by a time span; data and indicators flow, orders are refused, on_warmup_finished once."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.runner import run_backtest

PROJECT = Path(__file__).parent.parent / "algorithms" / "warm_up_forms"


@pytest.mark.parametrize(
    ("form", "begins", "first_data", "warm_spy_steps", "warm_steps"),
    [
        # 30 bars: AIG's hour bars reach back to 14:00 on Oct 1 (2 bars of that day, 7 a day after), before
        # SPY's 30 minutes; SPY's minutes of Oct 4 and 7 flow during warm-up
        ("bars", "2013-10-01 14:00", "2013-10-01 15:00", 780, 780 + 2 + 14),  # and AIG's hours without SPY
        ("daily_bars", "2013-10-04 00:00", "2013-10-04 09:31", 780, 780),  # 2 daily bars: Oct 4 and Oct 7
        ("span", "2013-10-06 12:00", "2013-10-07 09:31", 390, 390),  # 36 hours before the start
    ],
)
def test_warm_up_forms_begin_where_lean_begins(lean_data, tmp_path, form, begins, first_data, warm_spy_steps,
                                               warm_steps):  # fmt: skip
    job = EngineJob("warm", "1", PROJECT, lean_data, tmp_path, RunOverrides(parameters={"form": form}))
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    lines = (tmp_path / "1-log.txt").read_text().splitlines()
    assert f"{begins}:00 Algorithm starting warm up..." in lines
    assert any(line.endswith(f"first warm-up data {first_data}") for line in lines)
    finished = [line for line in lines if "warm-up finished" in line]
    assert finished == ["2013-10-08 00:00:00 warm-up finished 2013-10-08 00:00 warming False"]  # once
    assert lines[lines.index(finished[0]) + 1].endswith(
        f"after warm-up 2013-10-08 09:31 sma ready True bars {warm_spy_steps}"
    )
    refused = (tmp_path / "log.txt").read_text().count("not allowed in Initialize or during warm up")
    assert refused == warm_steps  # every order tried while warming up (one per on_data)
