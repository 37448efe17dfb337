"""``Security.session`` (LEAN's SecurityCache.Session) on real LEAN data: each day's regular-session OHLCV equals
an aggregation of the day files made here, independently of the engine; a security removed and added again
at another resolution starts a new session and gets its ``on_end_of_day`` again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.models import Resolution
from tests.unit.test_consolidation import NEW_YORK, aggregate, session_bars

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
DAYS = (date(2013, 10, 7), date(2013, 10, 8))


@pytest.fixture(scope="module")
def reports(lean_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("session")
    job = EngineJob("test-run", "6", ALGORITHMS / "security_session", lean_data, out, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    lines = (out / "6-log.txt").read_text().splitlines()
    return [line.split(" ", 2)[2] for line in lines][1:]  # the algorithm's messages, after LEAN's first


def ohlcv(bars: pd.DataFrame) -> str:
    values = aggregate(bars)
    return " ".join([f"{value:.4f}" for value in values[:4]] + [f"{values[4]:.0f}"])


def test_the_session_is_the_regular_sessions_ohlcv_so_far_and_the_day_before(reports: list[str],
                                                                              lean_data: Path) -> None:  # fmt: skip
    bars = session_bars(lean_data, "trade", days=DAYS)
    seventh = ohlcv(bars[bars.index.date == DAYS[0]])
    assert reports[:4] == ["count 1 resolution 2", "end of day 2013-10-07 15:50:00 SPY", f"closed {seventh}",
                           "count 2 resolution 2"]  # fmt: skip
    assert reports[4] == f"previous {seventh}"  # the 8th's open: the 7th, closed at the change of date


def test_a_security_added_again_starts_a_new_session_at_its_new_resolution(reports: list[str],
                                                                           lean_data: Path) -> None:  # fmt: skip
    """Removed at its end of day on the 8th and added again at hour resolution: the new security's session
    holds the bar its data starts with (the 8th's last hour bar), then one day closed; its end of day events
    go on."""
    data = LeanDataFolder(lean_data)
    hours = data.read_bars(SecurityKind.EQUITY, "usa", "spy", Resolution.HOUR, "trade", *DAYS)
    hours = data.adjusted(hours, "spy", NEW_YORK)
    last = int(np.searchsorted(hours.start_ns, pd.Timestamp("2013-10-08 15:00", tz=NEW_YORK).value))
    values = [hours.open[last], hours.high[last], hours.low[last], hours.close[last]]
    last_hour = " ".join([f"{value:.4f}" for value in values] + [f"{hours.volume[last]:.0f}"])
    assert reports[5:8] == ["end of day 2013-10-08 15:50:00 SPY", f"closed {last_hour}", "count 1 resolution 3"]
    assert reports[8:11] == ["end of day 2013-10-09 15:50:00 SPY", reports[9], "count 2 resolution 3"]
    assert reports[11] == f"previous {last_hour}" and reports[12] == "end of day 2013-10-10 15:50:00 SPY"
