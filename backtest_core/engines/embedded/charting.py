"""LEAN's custom chart objects (``Chart``, ``Series``, ``SeriesType``) as algorithms build them.

The recorder turns them into LEAN's chart JSON; only the fields LEAN serialises are kept.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from backtest_core.engines.embedded.model import LeanObject


class SeriesType(IntEnum):
    """LEAN's ``SeriesType`` numbers (``seriesType`` in the result JSON)."""

    LINE = 0
    SCATTER = 1
    CANDLE = 2
    BAR = 3
    FLAG = 4
    STACKED_AREA = 5
    PIE = 6
    TREEMAP = 7

    Line = LINE
    Scatter = SCATTER
    Candle = CANDLE
    Bar = BAR
    Flag = FLAG
    StackedArea = STACKED_AREA
    Pie = PIE
    Treemap = TREEMAP


class ScatterMarkerSymbol:
    NONE, CIRCLE, SQUARE, DIAMOND, TRIANGLE, TRIANGLE_DOWN = (
        "none",
        "circle",
        "square",
        "diamond",
        "triangle",
        "triangle-down",
    )
    Circle, Square, Diamond, Triangle, TriangleDown = CIRCLE, SQUARE, DIAMOND, TRIANGLE, TRIANGLE_DOWN


class Series(LeanObject):
    """One named series of a chart; ``index`` places it in a pane."""

    def __init__(self, name: str, series_type: Any = SeriesType.LINE, unit_or_index: Any = "$", unit: Any = None,
                 color: Any = None, symbol: str = ScatterMarkerSymbol.NONE, **_: Any) -> None:  # fmt: skip
        self.name = str(name)
        self.series_type = SeriesType(int(series_type))
        if isinstance(unit_or_index, int) and not isinstance(unit_or_index, bool):  # (name, type, index, unit)
            self.index, self.unit = unit_or_index, str(unit if unit is not None else "$")
        else:  # (name, type, unit, color, symbol)
            self.index, self.unit = 0, str(unit_or_index)
            color = unit if color is None else color
        self.color = _color_text(color)
        self.scatter_marker_symbol = symbol if isinstance(symbol, str) else ScatterMarkerSymbol.NONE

    Name = property(lambda self: self.name)


class Chart(LeanObject):
    """A named custom chart holding series."""

    def __init__(self, name: str, *_: Any) -> None:
        self.name = str(name)
        self.series: dict[str, Series] = {}

    def add_series(self, series: Series) -> None:
        self.series[series.name] = series

    AddSeries = add_series
    Name = property(lambda self: self.name)


class Color:
    """The handful of ``System.Drawing.Color`` names algorithms pass to ``Series``."""

    RED, GREEN, BLUE, BLACK, ORANGE, PURPLE, GRAY, YELLOW = (
        "#FF0000", "#008000", "#0000FF", "#000000", "#FFA500", "#800080", "#808080", "#FFFF00")  # fmt: skip
    Red, Green, Blue, Black, Orange, Purple, Gray, Yellow = RED, GREEN, BLUE, BLACK, ORANGE, PURPLE, GRAY, YELLOW
    Empty = ""


def _color_text(color: Any) -> str:
    if color is None:
        return ""
    text = str(color)
    return text if text.startswith("#") or text == "" else ""
