"""LEAN's volume-weighted prices: the rolling VWAP of bars and the intraday VWAP that restarts each day."""

from __future__ import annotations

from typing import Any

from backtest_core.engines.embedded.indicators.base import StampedIndicator, name_and_numbers
from backtest_core.engines.embedded.indicators.composite import Identity, IndicatorExtensions


class VolumeWeightedAveragePriceIndicator(StampedIndicator):
    """The average of ``(open + high + low + close) / 4`` over ``period`` bars, weighted by their volume."""

    needs_bar = True

    def __init__(self, *args: Any) -> None:
        name, numbers = name_and_numbers(args)
        self.period = int(numbers[0])
        self.warm_up_period = self.period
        super().__init__(name or f"VWAP({self.period})")
        self._price, self._volume = Identity("Price"), Identity("Volume")
        self._vwap = IndicatorExtensions.weighted_by(self._price, self._volume, self.period)

    def _next(self, bar: Any) -> float:
        stamp = self._stamp
        average = (float(bar.open) + float(bar.high) + float(bar.low) + float(bar.close)) / 4
        self._price.accept(stamp, average)
        self._volume.accept(stamp, float(getattr(bar, "volume", 0.0) or 0.0))
        return self._vwap.current.value

    @property
    def is_ready(self) -> bool:
        return self._vwap.is_ready

    def _reset_state(self) -> None:
        for part in (self._price, self._volume, self._vwap):
            part.reset()


class IntradayVwap(StampedIndicator):
    """Σ typical price × volume / Σ volume since the day began, from trade bars that are not filled forward."""

    needs_bar = True

    def __init__(self, name: str = "VWAP") -> None:
        super().__init__(name)
        self._day = None
        self._volume = self._weighted = 0.0

    def _next(self, bar: Any) -> float | None:
        volume = getattr(bar, "volume", None)
        if volume is None or getattr(bar, "is_fill_forward", False):
            return None  # LEAN's InvalidInput: quote bars and filled-forward bars are not counted
        day = self._stamp.date() if self._stamp is not None else None
        if day != self._day:
            self._volume = self._weighted = 0.0
            self._day = day
        volume = float(volume)
        self._volume += volume
        self._weighted += (float(bar.high) + float(bar.low) + float(bar.close)) / 3 * volume
        return self._weighted / self._volume if self._volume else float(bar.close)

    @property
    def is_ready(self) -> bool:
        return self._volume > 0

    def _reset_state(self) -> None:
        self._day = None
        self._volume = self._weighted = 0.0
