"""Automatic indicators computed ahead over the loaded bars give exactly (bit for bit) the values, samples,
windows and times of bar-by-bar updates, and hand their state back when an algorithm needs it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.embedded.indicators import (
    ExponentialMovingAverage,
    Indicator,
    IndicatorDataPoint,
    SimpleMovingAverage,
    WildersMovingAverage,
)
from backtest_core.engines.embedded.indicators.precomputed import UpdateSeries, can_precompute, precompute
from backtest_core.engines.embedded.runner import run_backtest

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
NEW_YORK = ZoneInfo("America/New_York")
MINUTE_NS = 60 * 10**9


def prices(count: int, seed: int) -> np.ndarray:
    """A random walk with awkward magnitudes, so float rounding differs between summation orders."""
    rng = np.random.default_rng(seed)
    return 1000 * np.exp(np.cumsum(rng.normal(0, 0.01, count))) + rng.uniform(0, 1e-7, count)


def series(values: np.ndarray) -> UpdateSeries:
    start = int(datetime(2021, 3, 12, 14, 31).timestamp()) * 10**9
    return UpdateSeries(values, start + np.arange(len(values), dtype=np.int64) * MINUTE_NS, NEW_YORK)


def _value(point: IndicatorDataPoint | None) -> float | None:
    return None if point is None else point.value


MAKERS = [
    lambda: SimpleMovingAverage(1),
    lambda: SimpleMovingAverage(5),
    lambda: SimpleMovingAverage(50),
    lambda: ExponentialMovingAverage(5),
    lambda: ExponentialMovingAverage(8, 0.3),
    lambda: WildersMovingAverage(7),
]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("count", [3, 50, 400])
def test_precomputed_values_equal_bar_by_bar_updates(make, count: int) -> None:
    inputs = prices(count, seed=count)
    updates = series(inputs)
    ahead, plain = make(), make()
    assert can_precompute(ahead)
    precompute(ahead, updates, lambda: None)
    for value in inputs.tolist():
        updates.advance()
        plain.accept(None, value)
        assert ahead.current.value == plain.current.value  # exact, not approximate
        assert ahead.previous.value == plain.previous.value
        assert (ahead.samples, ahead.is_ready) == (plain.samples, plain.is_ready)
        for back in range(plain._window.size):  # the point before the first update included, None past it
            assert _value(ahead[back]) == _value(plain[back])
        assert ahead.ahead is not None  # reading within the window's size keeps the values precomputed
    size = plain._window.size
    assert ahead[size] is None and plain[size] is None  # LEAN's indexer: past the size, the window grows to it
    assert ahead.ahead is None and ahead._window.size == plain._window.size == size + 1
    last_end = pd.Timestamp(int(updates.ends_ns[-1]), tz="UTC").tz_convert(NEW_YORK).tz_localize(None)
    assert ahead.current.time == ahead.current.end_time == last_end.to_pydatetime()  # exchange time of the bar end


@pytest.mark.parametrize("read_every", [1, 3, 11])
def test_current_reads_across_value_chunks(monkeypatch: pytest.MonkeyPatch, read_every: int) -> None:
    """``current`` reads its values a chunk at a time: small chunks, read at every step or skipping some."""
    monkeypatch.setattr("backtest_core.engines.embedded.indicators.precomputed.VALUES_CHUNK", 7)
    inputs = prices(60, seed=read_every)
    updates = series(inputs)
    ahead, plain = ExponentialMovingAverage(5), ExponentialMovingAverage(5)
    precompute(ahead, updates, lambda: None)
    for step, value in enumerate(inputs.tolist()):
        updates.advance()
        plain.accept(None, value)
        if step % read_every == 0:
            kept = ahead.current
            assert kept.value == plain.current.value and ahead.current is kept  # one point per update


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("hand_back_at", [0, 1, 4, 60])
def test_handing_back_continues_exactly_as_bar_by_bar(make, hand_back_at: int) -> None:
    inputs = prices(150, seed=hand_back_at)
    updates = series(inputs)
    ahead, plain = make(), make()
    handed_back: list[Indicator] = []
    precompute(ahead, updates, lambda: handed_back.append(ahead))
    for value in inputs[:hand_back_at].tolist():
        updates.advance()
        plain.accept(None, value)
    window = ahead.window  # reading the window hands the state back
    assert ahead.ahead is None and handed_back == [ahead]
    assert [point.value for point in window] == [point.value for point in plain.window]
    assert window.samples == plain.window.samples == hand_back_at + 1  # the point before the first update counts
    for value in inputs[hand_back_at:].tolist():
        ahead.update(None, value)
        plain.update(None, value)
        assert ahead.current.value == plain.current.value and ahead.samples == plain.samples


def test_indicators_whose_state_was_handed_out_are_not_precomputed() -> None:
    used, watched, warmed = SimpleMovingAverage(3), SimpleMovingAverage(3), SimpleMovingAverage(3)
    assert used.window.size == 2  # LEAN's WindowBase.DefaultWindowSize
    watched.updated += lambda indicator, point: None
    warmed.update(datetime(2021, 1, 4), 1.0)
    assert not any(can_precompute(indicator) for indicator in (used, watched, warmed))
    with pytest.raises(TypeError, match="cannot be replaced"):
        watched.updated = SimpleMovingAverage(3).updated


def test_an_algorithm_sees_the_same_values_as_twins_updated_by_hand(lean_data: Path, tmp_path: Path) -> None:
    job = EngineJob("test-run", "77", ALGORITHMS / "indicator_twins", lean_data, tmp_path, RunOverrides())
    outcome = run_backtest(job)
    assert outcome.status == "completed", outcome.error
    log = (tmp_path / "77-log.txt").read_text()
    summary = next(line for line in log.splitlines() if " twins " in line).split(" twins ")[1]
    fields = dict(part.split("=", 1) for part in summary.split(" ", 3)[:3])
    assert int(fields["differences"]) == 0, log
    assert int(fields["steps"]) > 1000 and int(fields["handled"]) == int(fields["steps"]) - 400
    assert "precomputed=[True, True, True, True]" in summary  # the fast path really ran
    assert "now=[False, False, True, True]" in summary  # the Updated handler and the window handed two back
