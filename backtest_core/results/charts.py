"""LEAN charts (``charts`` of a result) as typed objects holding pandas frames.

Points come as ``[t, y]``, ``[t, o, h, l, c]`` (LEAN ≥ 2023/2024) or ``{"x", "y"}`` objects (older, and
scatter points with a ``tooltip``); times are UTC unix seconds. Each series is turned into arrays in one
pass over its point list, so a multi-megabyte result costs about as much as decoding its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from backtest_core.results.jsonfile import camel

# lean:Common/BaseSeries.cs SeriesType (8 is unused)
SERIES_TYPES: dict[int, str] = {
    0: "Line",
    1: "Scatter",
    2: "Candle",
    3: "Bar",
    4: "Flag",
    5: "StackedArea",
    6: "Pie",
    7: "Treemap",
    9: "Heatmap",
    10: "Scatter3d",
}
OHLC = ("open", "high", "low", "close")
UTC_MICROS = pd.DatetimeTZDtype("us", "UTC")


@dataclass(frozen=True, eq=False)
class PointArrays:
    """A series' points decoded into arrays: ``times`` (datetime64[us], UTC), ``table`` (one float column
    per name in ``columns``) and per-point ``tooltips`` when the points had them.
    """

    times: np.ndarray
    table: np.ndarray
    columns: tuple[str, ...]
    tooltips: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.times)


@dataclass(frozen=True, eq=False)
class ChartSeries:
    """One series of a chart. ``points`` has a UTC DatetimeIndex named ``time`` and either a ``value``
    column or ``open``/``high``/``low``/``close`` (candles), plus ``tooltip`` for scatter points that carry one.

    All points are decoded at load (``arrays``); the pandas frame is made on first use, because a result
    can hold hundreds of series (one per traded option in ``Portfolio Margin``) that no page draws.
    """

    name: str
    unit: str
    series_type: str
    arrays: PointArrays = field(repr=False)
    color: str = ""
    index: int = 0
    scatter_marker_symbol: str = "none"
    index_name: str | None = None
    tooltip: str | None = None
    z_index: int | None = None

    def __len__(self) -> int:
        return len(self.arrays)

    @cached_property
    def time_index(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.arrays.times, dtype=UTC_MICROS, name="time")

    @cached_property
    def points(self) -> pd.DataFrame:
        arrays = self.arrays
        frame = pd.DataFrame(arrays.table, index=self.time_index, columns=list(arrays.columns))
        if arrays.tooltips is not None:
            frame["tooltip"] = arrays.tooltips
        return frame

    @property
    def is_candle(self) -> bool:
        return "close" in self.arrays.columns

    @property
    def values(self) -> pd.Series:
        """One number per point (the close for candles): what a line chart or a statistic uses."""
        column = self.arrays.columns.index("close" if self.is_candle else "value")
        return pd.Series(self.arrays.table[:, column], index=self.time_index, name=self.name)


@dataclass(frozen=True, eq=False)
class Chart:
    name: str
    series: dict[str, ChartSeries] = field(default_factory=dict)
    legend_disabled: bool = False
    symbol: str | None = None


def empty_points(columns: list[str]) -> pd.DataFrame:
    index = pd.DatetimeIndex([], dtype=UTC_MICROS, name="time")
    return pd.DataFrame({c: np.array([], dtype=float) for c in columns}, index=index)


def empty_series(name: str) -> pd.Series:
    return pd.Series(np.array([], dtype=float), index=pd.DatetimeIndex([], dtype=UTC_MICROS, name="time"), name=name)


def unix_to_datetime64(seconds: np.ndarray) -> np.ndarray:
    """datetime64[us] (UTC wall time) from unix seconds; microseconds keep fractional event times."""
    return np.round(np.asarray(seconds, dtype=float) * 1e6).astype("int64").view("datetime64[us]")


def utc_index(seconds: np.ndarray, name: str | None = "time") -> pd.DatetimeIndex:
    """UTC DatetimeIndex (microsecond unit, as pandas 3 gives for ISO strings) from unix seconds."""
    return pd.DatetimeIndex(unix_to_datetime64(seconds), dtype=UTC_MICROS, name=name)


def utc_times(values: list[Any]) -> pd.DatetimeIndex:
    """UTC DatetimeIndex from LEAN's ISO times (``2019-04-01T14:00:00Z``; None → NaT), parsed by numpy in
    one call; other offsets or forms go through pandas.
    """
    stamps = [v[:-1] if isinstance(v, str) and v.endswith("Z") else "NaT" if v is None else v for v in values]
    try:
        parsed = np.array(stamps, dtype="datetime64[us]")
    except ValueError:
        return pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601"))
    return pd.DatetimeIndex(parsed, dtype=UTC_MICROS)


def parse_charts(raw: object) -> dict[str, Chart]:
    """Every chart of a result (LEAN's default charts and the algorithm's own ``plot`` charts)."""
    if not isinstance(raw, dict):
        return {}
    return {name: _chart(name, camel(body)) for name, body in raw.items()}


def _chart(name: str, body: dict[str, Any]) -> Chart:
    series_raw = body.get("series") or {}
    symbol = camel(body.get("symbol")).get("value") if body.get("symbol") else None
    series = {}
    for key, value in series_raw.items():
        try:
            series[key] = _series(key, camel(value))
        except (TypeError, ValueError, IndexError) as error:
            raise ValueError(f"chart {name!r} series {key!r} has unreadable points ({error})") from error
    return Chart(
        name=str(body.get("name") or name),
        series=series,
        legend_disabled=bool(body.get("legendDisabled", False)),
        symbol=symbol,
    )


def _series(key: str, body: dict[str, Any]) -> ChartSeries:
    type_code = body.get("seriesType", 0)
    series_type = SERIES_TYPES.get(type_code, str(type_code)) if isinstance(type_code, int) else str(type_code)
    return ChartSeries(
        name=str(body.get("name") or key),
        unit=str(body.get("unit") or ""),
        series_type=series_type,
        arrays=parse_points(body.get("values") or [], candle=series_type == "Candle"),
        color=str(body.get("color") or ""),
        index=int(body.get("index") or 0),
        scatter_marker_symbol=str(body.get("scatterMarkerSymbol") or "none"),
        index_name=body.get("indexName"),
        tooltip=body.get("tooltip"),
        z_index=body.get("zIndex"),
    )


def parse_points(values: list[Any], *, candle: bool) -> PointArrays:
    """LEAN chart points as arrays: a ``value`` column, or OHLC when the points are candles (``candle``
    series with single-value points, as LEAN wrote equity before 2023, get open = high = low = close).
    """
    if not values:
        return PointArrays(
            np.array([], dtype="datetime64[us]"), np.empty((0, 4 if candle else 1)), OHLC if candle else ("value",)
        )
    tooltips: list[Any] | None = None
    if isinstance(values[0], dict):
        table = np.array([(p.get("x"), p.get("y")) for p in values], dtype=float)
        if any("tooltip" in p for p in values):
            tooltips = [p.get("tooltip") for p in values]
    else:
        table = _number_table(values)
    times = unix_to_datetime64(table[:, 0])
    if table.shape[1] >= 5:
        return PointArrays(times, table[:, 1:5], OHLC, tooltips)
    if candle:
        return PointArrays(times, np.repeat(table[:, 1:2], 4, axis=1), OHLC, tooltips)
    return PointArrays(times, table[:, 1:2], ("value",), tooltips)


def _number_table(values: list[list[Any]]) -> np.ndarray:
    """2-D float array of array points; ``null`` values become NaN (LEAN writes ``[t, null]`` gaps)."""
    width = len(values[0])
    try:
        flat = np.fromiter(chain.from_iterable(values), dtype=float, count=len(values) * width)
        return flat.reshape(-1, width)
    except (TypeError, ValueError):  # a null value, or points of different lengths
        rows = [[np.nan if v is None else v for v in p] for p in values]
        width = max(len(r) for r in rows)
        return np.array([r + [np.nan] * (width - len(r)) for r in rows], dtype=float)
