"""Automatic indicators computed ahead over the loaded bars.

An automatic indicator sees exactly the inputs the subscription's bars will give it, and those are loaded
before the time loop starts. Indicators that can (``precompute``: simple and exponential averages) compute
all their values at once, with the same float operations in the same order as bar-by-bar updates, so the
values are identical; the loop then only counts updates, and ``current``, ``previous``, ``samples`` and
indexing read the precomputed values; each update sets the current point (a plain attribute, see
``Indicator.current``) and readiness. Anything needing the bar-by-bar state (an update by hand, reset, the
window or the Updated event) hands the indicator back at the state it has reached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from backtest_core.engines.embedded.clock import local_datetime
from backtest_core.engines.embedded.indicators.base import IndicatorDataPoint, PointOfSeries, new_point

if TYPE_CHECKING:
    from backtest_core.engines.embedded.indicators import Indicator


class UpdateSeries:
    """The automatic updates of one subscription's indicators: an input value and an end time per update, in
    order; ``count`` is how many of them the time loop has delivered so far."""

    def __init__(self, inputs: np.ndarray, ends_ns: np.ndarray, zone: ZoneInfo) -> None:
        self.inputs = inputs
        self.ends_ns = ends_ns
        self.zone = zone
        self.count = 0
        self.followers: list[Precomputed] = []  # the indicators still precomputed over it

    def advance(self) -> None:
        """The time loop's next update: each precomputed indicator's current point and readiness, as its own
        update would set them (all in this one call, once per bar)."""
        index = self.count
        count = self.count = index + 1
        for ahead in self.followers:
            offset = index - ahead.chunk_first
            if offset >= len(ahead.chunk):
                offset = ahead.load_chunk(index)
            made = new_point(PointOfSeries)
            made.value = ahead.chunk[offset]
            made.series = self
            made.index = index
            indicator = ahead.indicator
            indicator.current = made
            if count == ahead.ready_at:
                indicator.is_ready = True

    def end_time(self, index: int) -> datetime:
        """The exchange time at which update ``index`` came (its bar's end)."""
        return local_datetime(self.ends_ns.item(index), self.zone)


VALUES_CHUNK = 20_000  # precomputed values read by ``current`` are Python floats a chunk at a time


class Precomputed:
    """An indicator's values over an update series, and how to give back its bar-by-bar state."""

    def __init__(
        self,
        indicator: Indicator,
        series: UpdateSeries,
        values: np.ndarray,
        restore: Callable[[int], None],
        on_hand_back: Callable[[], None],
    ) -> None:
        self.indicator = indicator
        self.series = series
        self.values = values
        self._restore = restore
        self._on_hand_back = on_hand_back
        self.chunk_first = 0  # values[chunk_first:] as Python floats, a chunk at a time, for ``current``
        self.chunk: list[float] = []
        # the update count that makes it ready (none: it is, or its readiness is not its samples')
        self.ready_at = indicator.warm_up_period if indicator._ready_by_samples else -1

    def point(self, back: int) -> IndicatorDataPoint:
        """The value ``back`` updates before the latest (an empty point before there is one, as bar by bar)."""
        index = self.series.count - 1 - back
        if index < 0:
            return IndicatorDataPoint()
        return self._make(index)

    def load_chunk(self, index: int) -> int:
        """Make the values from ``index`` on the chunk ``current`` reads; the offset of ``index`` in it (0)."""
        self.chunk_first, self.chunk = index, self.values[index : index + VALUES_CHUNK].tolist()
        return 0

    def _make(self, index: int) -> PointOfSeries:
        made = new_point(PointOfSeries)  # no __init__ call: a third of the cost of reading a point
        made.value = self.values.item(index)
        made.series = self.series
        made.index = index
        return made

    def window_item(self, back: int) -> IndicatorDataPoint | None:
        """``indicator[back]`` within the window's size: as the bar-by-bar window, which holds the updates' points
        and, oldest, the point before the first update (see ``base.DEFAULT_WINDOW_SIZE``); None past them."""
        return self.point(back) if back <= self.series.count else None

    def _at(self, index: int) -> IndicatorDataPoint:
        return IndicatorDataPoint(self.series.end_time(index), self.values.item(index))

    def hand_back(self, indicator: Indicator) -> None:
        """Set the indicator's bar-by-bar state to where the precomputed values have got to."""
        updates = self.series.count
        self.series.followers.remove(self)
        window = indicator._window
        window.reset()
        first = updates - window.size  # the window's oldest item; -1: the point before the first update
        points = [self._at(i) if i >= 0 else IndicatorDataPoint() for i in range(max(-1, first), updates)]
        for made in points:
            window.add(made)
        window.samples = updates + 1
        indicator._set_samples(updates)
        indicator.current = self._at(updates - 1) if updates else window[0]
        indicator._previous = self._at(updates - 2) if updates >= 2 else IndicatorDataPoint()
        self._restore(updates)
        self._on_hand_back()


def can_precompute(indicator: Any) -> bool:
    """A fresh value indicator with a ``precompute`` whose state nobody else holds."""
    return (
        hasattr(indicator, "precompute")
        and not indicator.needs_bar
        and indicator.ahead is None
        and indicator._samples == 0
        and not indicator._exposed
    )


def precompute(indicator: Indicator, series: UpdateSeries, on_hand_back: Callable[[], None]) -> None:
    values, restore = indicator.precompute(series.inputs)  # type: ignore[attr-defined]
    indicator.ahead = ahead = Precomputed(indicator, series, values, restore, on_hand_back)
    series.followers.append(ahead)
