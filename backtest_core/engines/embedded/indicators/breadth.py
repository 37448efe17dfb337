"""LEAN's market breadth indicators over several symbols: advance/decline ratios and the Arms index (TRIN).

Each symbol's bar of a period is kept; once every symbol has one, the period is compared with the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from backtest_core.engines.embedded.indicators.base import Indicator
from backtest_core.engines.embedded.indicators.composite import IndicatorExtensions


class _AdvanceDecline(Indicator):
    needs_bar = True
    warm_up_period = 2

    def __init__(self, name: str, measure: Callable[[list[Any]], float]) -> None:
        super().__init__(name)
        self._measure = measure
        self._current_period: dict[Any, Any] = {}
        self._previous_period: dict[Any, Any] = {}
        self._period_time: datetime | None = None

    def add(self, symbol: Any) -> None:
        self._current_period.setdefault(_key(symbol), None)

    def remove(self, symbol: Any) -> None:
        self._current_period.pop(_key(symbol), None)

    def _enqueue(self, bar: Any) -> None:
        key = _key(bar.symbol)
        if self._period_time is not None and bar.end_time == self._period_time:
            self._previous_period[key] = bar
            return
        if self._period_time is not None and bar.time > self._period_time:
            self._previous_period = dict(self._current_period)
            self._current_period = dict.fromkeys(self._current_period)
            self._period_time = bar.time
        if key in self._current_period and (self._period_time is None or bar.time == self._period_time):
            self._current_period[key] = bar
            if self._period_time is None:
                self._period_time = bar.time

    def _next(self, bar: Any) -> float | None:
        self._enqueue(bar)
        if not self._previous_period or any(each is None for each in self._current_period.values()):
            return None  # LEAN's ValueNotReady
        advancing, declining = [], []
        for key, latest in self._current_period.items():
            before = self._previous_period.get(key)
            if before is None:
                continue
            if latest.close < before.close:
                declining.append(latest)
            elif latest.close > before.close:
                advancing.append(latest)
        advance, decline = self._measure(advancing), self._measure(declining)
        return advance if decline == 0 else advance / decline

    @property
    def is_ready(self) -> bool:
        return bool(self._previous_period)

    def _reset_state(self) -> None:
        self._previous_period = {}
        self._current_period = dict.fromkeys(self._current_period)
        self._period_time = None

    Add = add
    Remove = remove


class AdvanceDeclineRatio(_AdvanceDecline):
    def __init__(self, name: str = "A/D Ratio") -> None:
        super().__init__(name, lambda bars: float(len(bars)))


class AdvanceDeclineVolumeRatio(_AdvanceDecline):
    def __init__(self, name: str = "A/D Volume Rate") -> None:
        super().__init__(name, lambda bars: float(sum(float(bar.volume) for bar in bars)))


class ArmsIndex(Indicator):
    """TRIN: the advance/decline ratio over the advance/decline volume ratio."""

    needs_bar = True
    warm_up_period = 2

    def __init__(self, name: str = "TRIN") -> None:
        super().__init__(name)
        self.ad_ratio = AdvanceDeclineRatio(name + "_A/D Ratio")
        self.adv_ratio = AdvanceDeclineVolumeRatio(name + "_A/D Volume Ratio")
        self._arms = IndicatorExtensions.over(self.ad_ratio, self.adv_ratio, name)

    def add(self, symbol: Any) -> None:
        self.ad_ratio.add(symbol)
        self.adv_ratio.add(symbol)

    def remove(self, symbol: Any) -> None:
        self.ad_ratio.remove(symbol)
        self.adv_ratio.remove(symbol)

    def _next(self, bar: Any) -> float:
        self.ad_ratio.update(bar)
        self.adv_ratio.update(bar)
        if self.adv_ratio.current.value == 0:
            return 0.0
        return self._arms.current.value

    @property
    def is_ready(self) -> bool:
        return self.ad_ratio.is_ready and self.adv_ratio.is_ready

    def _reset_state(self) -> None:
        for part in (self.ad_ratio, self.adv_ratio, self._arms):
            part.reset()

    Add = add
    Remove = remove
    ADRatio = property(lambda self: self.ad_ratio)
    ADVRatio = property(lambda self: self.adv_ratio)


def _key(symbol: Any) -> Any:
    return getattr(symbol, "id", symbol)
