"""LEAN's ``Field`` selectors: which number of a bar an indicator reads (``Field.HIGH``, ``Field.TYPICAL``...).

Each falls back to the data's value when it does not have that field, as LEAN's ``DataTypePropertyOrValue``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backtest_core.engines.embedded.model import LeanObject, _LeanClassType


def _bar_or_value(pick: Callable[[Any], float], needs: str = "high") -> Callable[[Any], float]:
    def select(data: Any) -> float:
        if getattr(data, needs, None) is not None:
            return float(pick(data))
        return float(data.value)

    return select


def _quote_side(side: str, field: str) -> Callable[[Any], float]:
    def select(data: Any) -> float:
        quoted = getattr(data, side, None)
        if quoted is not None and not callable(quoted):
            return float(getattr(quoted, field))
        return float(data.value)

    return select


class Field(LeanObject, metaclass=_LeanClassType):
    OPEN = _bar_or_value(lambda bar: bar.open)
    HIGH = _bar_or_value(lambda bar: bar.high)
    LOW = _bar_or_value(lambda bar: bar.low)
    CLOSE = staticmethod(lambda data: float(data.value))
    VOLUME = _bar_or_value(lambda bar: bar.volume, "volume")
    AVERAGE = _bar_or_value(lambda bar: (bar.open + bar.high + bar.low + bar.close) / 4)
    MEDIAN = _bar_or_value(lambda bar: (bar.high + bar.low) / 2)
    TYPICAL = _bar_or_value(lambda bar: (bar.high + bar.low + bar.close) / 3)
    WEIGHTED = _bar_or_value(lambda bar: (bar.high + bar.low + 2 * bar.close) / 4)
    SEVEN_BAR = _bar_or_value(lambda bar: (2 * bar.open + bar.high + bar.low + 3 * bar.close) / 7)
    BID_OPEN, BID_HIGH = _quote_side("bid", "open"), _quote_side("bid", "high")
    BID_LOW, BID_CLOSE = _quote_side("bid", "low"), _quote_side("bid", "close")
    ASK_OPEN, ASK_HIGH = _quote_side("ask", "open"), _quote_side("ask", "high")
    ASK_LOW, ASK_CLOSE = _quote_side("ask", "low"), _quote_side("ask", "close")
    BID_PRICE, ASK_PRICE = BID_CLOSE, ASK_CLOSE
    Open, High, Low, Close, Volume = OPEN, HIGH, LOW, CLOSE, VOLUME
    Average, Median, Typical, Weighted, SevenBar = AVERAGE, MEDIAN, TYPICAL, WEIGHTED, SEVEN_BAR
    BidOpen, BidHigh, BidLow, BidClose, BidPrice = BID_OPEN, BID_HIGH, BID_LOW, BID_CLOSE, BID_PRICE
    AskOpen, AskHigh, AskLow, AskClose, AskPrice = ASK_OPEN, ASK_HIGH, ASK_LOW, ASK_CLOSE, ASK_PRICE
