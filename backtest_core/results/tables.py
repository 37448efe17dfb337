"""Orders, order events and closed trades of a LEAN result as DataFrames with readable names.

LEAN writes enums as integers (orders, trades) or camelCase strings (order events); the frames carry the
enum *names* (``Market``, ``Filled``, ``Buy``, ``Equity``) so pages and exports need no lookup tables.
Columns are snake_case. Frames are built column-wise from Python lists (one pass per column), never row by
row through pandas. ``DeferredTable`` holds a section as decoded JSON until a reader asks for its frame.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest_core.errors import ResultFormatError
from backtest_core.results.charts import utc_index, utc_times
from backtest_core.results.jsonfile import camel

# lean:Common/Orders/OrderTypes.cs and lean:Common/Global.cs
ORDER_TYPES = {
    0: "Market",
    1: "Limit",
    2: "StopMarket",
    3: "StopLimit",
    4: "MarketOnOpen",
    5: "MarketOnClose",
    6: "OptionExercise",
    7: "LimitIfTouched",
    8: "ComboMarket",
    9: "ComboLimit",
    10: "ComboLegLimit",
    11: "TrailingStop",
}
ORDER_STATUSES = {
    0: "New",
    1: "Submitted",
    2: "PartiallyFilled",
    3: "Filled",
    5: "Canceled",
    6: "None",
    7: "Invalid",
    8: "CancelPending",
    9: "UpdateSubmitted",
}
ORDER_DIRECTIONS = {0: "Buy", 1: "Sell", 2: "Hold"}
SECURITY_TYPES = {
    0: "Base",
    1: "Equity",
    2: "Option",
    3: "Commodity",
    4: "Forex",
    5: "Future",
    6: "Cfd",
    7: "Crypto",
    8: "FutureOption",
    9: "Index",
    10: "IndexOption",
    11: "CryptoFuture",
}
PRICE_ADJUSTMENT_MODES = {
    0: "Raw",
    1: "Adjusted",
    2: "SplitAdjusted",
    3: "TotalReturn",
    4: "ForwardPanamaCanal",
    5: "BackwardsPanamaCanal",
    6: "BackwardsRatio",
    7: "ScaledRaw",
}
TRADE_DIRECTIONS = {0: "Long", 1: "Short"}

ORDER_COLUMNS = [
    "id",
    "symbol",
    "symbol_id",
    "underlying",
    "security_type",
    "type",
    "status",
    "direction",
    "quantity",
    "price",
    "price_currency",
    "value",
    "limit_price",
    "stop_price",
    "trigger_price",
    "trailing_amount",
    "time",
    "created_time",
    "last_fill_time",
    "last_update_time",
    "canceled_time",
    "tag",
    "time_in_force",
    "contingent_id",
    "broker_id",
    "is_marketable",
    "price_adjustment_mode",
    "bid_price",
    "ask_price",
    "last_price",
]
ORDER_EVENT_COLUMNS = [
    "id",
    "order_id",
    "order_event_id",
    "symbol",
    "symbol_id",
    "time",
    "status",
    "direction",
    "quantity",
    "fill_quantity",
    "fill_price",
    "fill_price_currency",
    "order_fee_amount",
    "order_fee_currency",
    "limit_price",
    "stop_price",
    "trigger_price",
    "is_assignment",
    "is_in_the_money",
    "message",
    "algorithm_id",
]
TRADE_COLUMNS = [
    "symbol",
    "symbol_id",
    "direction",
    "quantity",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "profit_loss",
    "total_fees",
    "mae",
    "mfe",
    "duration",
    "end_trade_drawdown",
    "is_win",
    "order_ids",
    "trade_id",
]
_TIME_COLUMNS = {"time", "created_time", "last_fill_time", "last_update_time", "canceled_time"}
_FLOAT_COLUMNS = {
    "quantity",
    "price",
    "value",
    "limit_price",
    "stop_price",
    "trigger_price",
    "trailing_amount",
    "bid_price",
    "ask_price",
    "last_price",
    "fill_quantity",
    "fill_price",
    "order_fee_amount",
    "entry_price",
    "exit_price",
    "profit_loss",
    "total_fees",
    "mae",
    "mfe",
    "end_trade_drawdown",
}
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(key: str) -> str:
    """``fillPrice`` / ``fill-price`` / ``FillPrice`` → ``fill_price`` (LEAN's three spellings over time)."""
    return _CAMEL_HUMP.sub("_", key).replace("-", "_").lower()


def _enum_names(codes: Iterable[Any], names: dict[int, str]) -> list[str | None]:
    """Names for LEAN's enum integers; an unknown code stays visible as its number."""
    return [None if c is None else names.get(c, str(c)) if isinstance(c, int) else str(c) for c in codes]


def _symbol(raw: object) -> tuple[str | None, str | None, str | None]:
    """(ticker, security identifier, underlying ticker) of a serialized Symbol (object or plain string)."""
    if isinstance(raw, str):
        return raw, raw, None
    symbol = camel(raw)
    underlying = camel(symbol.get("underlying")).get("value") if symbol.get("underlying") else None
    return symbol.get("value"), symbol.get("id"), underlying


def _frame(columns: dict[str, list[Any]], order: list[str]) -> pd.DataFrame:
    """Typed frame: ISO or unix times → UTC datetimes, prices → float; empty input keeps the columns."""
    data: dict[str, Any] = {}
    for name in order:
        values = columns.get(name)
        if values is None:
            continue
        if name in _TIME_COLUMNS or name in ("entry_time", "exit_time"):
            data[name] = _times(values)
        elif name in _FLOAT_COLUMNS:
            data[name] = np.array(values, dtype=float)  # None → NaN
        else:
            data[name] = values
    return pd.DataFrame(data, columns=[c for c in order if c in data])


def _times(values: list[Any]) -> pd.DatetimeIndex:
    """Order/trade times are ISO text; order-event times unix seconds."""
    if values and all(isinstance(v, int | float) for v in values):
        return utc_index(np.array(values, dtype=float), name=None)
    return utc_times(values)


# what tabulating a section raises when its JSON is valid but not shaped like LEAN's
CONTENT_ERRORS = (TypeError, ValueError, AttributeError, IndexError, KeyError)


class DeferredTable:
    """One table of a result (orders, order events, closed trades), tabulated on first ``frame()``: a
    comparison of ten minute results reads the closed trades of two and the orders of none. Thread-safe (one
    cached result serves every Streamlit session); the JSON is dropped once the frame is built.
    """

    def __init__(self, parse: Callable[[object], pd.DataFrame], raw: object, path: Path) -> None:
        self._parse, self._raw, self._path = parse, raw, path
        self._frame: pd.DataFrame | None = None
        self._lock = threading.Lock()

    def frame(self) -> pd.DataFrame:
        """The table; ResultFormatError naming the file when the section is not shaped like LEAN's."""
        with self._lock:
            if self._frame is None:
                try:
                    self._frame = self._parse(self._raw)
                except CONTENT_ERRORS as error:
                    raise ResultFormatError(self._path, f"unexpected content: {error}") from error
                self._raw = None
            return self._frame

    def __getstate__(self) -> dict[str, Any]:  # st.cache_data pickles results; a lock does not pickle
        with self._lock:
            return {key: value for key, value in vars(self).items() if key != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()


def security_types(raw: object) -> frozenset[str | None]:
    """The ``security_type`` names of ``orders`` (as ``parse_orders`` gives them), without tabulating them."""
    orders = raw.values() if isinstance(raw, dict) else ()
    return frozenset(_enum_names((camel(o).get("securityType") for o in orders), SECURITY_TYPES))


def parse_orders(raw: object) -> pd.DataFrame:
    """``orders`` (``{"1": Order, ...}``) as a frame sorted by order id."""
    orders = [camel(o) for o in raw.values()] if isinstance(raw, dict) else []
    orders.sort(key=lambda o: o.get("id") or 0)
    symbols = [_symbol(o.get("symbol")) for o in orders]
    submission = [camel(o.get("orderSubmissionData")) for o in orders]

    def column(key: str) -> list[Any]:
        return [o.get(key) for o in orders]

    columns: dict[str, list[Any]] = {
        "id": column("id"),
        "symbol": [s[0] for s in symbols],
        "symbol_id": [s[1] for s in symbols],
        "underlying": [s[2] for s in symbols],
        "security_type": _enum_names(column("securityType"), SECURITY_TYPES),
        "type": _enum_names(column("type"), ORDER_TYPES),
        "status": _enum_names(column("status"), ORDER_STATUSES),
        "direction": _enum_names(column("direction"), ORDER_DIRECTIONS),
        "price_adjustment_mode": _enum_names(column("priceAdjustmentMode"), PRICE_ADJUSTMENT_MODES),
        "time_in_force": [_time_in_force(o) for o in orders],
        "broker_id": [",".join(map(str, v)) if isinstance(v, list) else v for v in column("brokerId")],
        "bid_price": [s.get("bidPrice") for s in submission],
        "ask_price": [s.get("askPrice") for s in submission],
        "last_price": [s.get("lastPrice") for s in submission],
    }
    for name in ORDER_COLUMNS:
        if name not in columns:
            columns[name] = column(_camel_of(name))
    return _frame(columns, ORDER_COLUMNS)


def _camel_of(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def _time_in_force(order: dict[str, Any]) -> str:
    """``{}`` is GoodTilCanceled; otherwise the last part of LEAN's ``$type`` (``DayTimeInForce`` → ``Day``)."""
    tif = camel(order.get("properties")).get("timeInForce", order.get("timeInForce"))
    kind = tif.get("$type", "") if isinstance(tif, dict) else ""
    if not kind:
        return "GoodTilCanceled"
    return kind.split(",")[0].rsplit(".", 1)[-1].removesuffix("TimeInForce")


def parse_order_events(raw: object) -> pd.DataFrame:
    """``<id>-order-events.json`` (camelCase, or kebab-case before 2024-05) as a chronological frame."""
    events = [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []
    if not events:
        return _frame({c: [] for c in ORDER_EVENT_COLUMNS}, ORDER_EVENT_COLUMNS)
    keys = set().union(*events)
    columns: dict[str, list[Any]] = {snake_case(k): [e.get(k) for e in events] for k in keys}
    # ticker: symbolValue when written (≥ 2024), else the identifier's first word
    sids = columns.get("symbol", [None] * len(events))
    tickers = columns.get("symbol_value") or [s.split(" ")[0] if isinstance(s, str) else s for s in sids]
    columns["symbol"], columns["symbol_id"] = tickers, sids
    columns["status"] = [_pascal(s) for s in columns.get("status", [])]
    columns["direction"] = [_pascal(s) for s in columns.get("direction", [])]
    frame = _frame(columns, ORDER_EVENT_COLUMNS)
    if frame["time"].is_monotonic_increasing:
        return frame
    # in-run snapshots list the newest first; a stable sort keeps LEAN's order within one time
    return frame.sort_values(["time", "order_id", "order_event_id"], kind="stable", ignore_index=True)


def _pascal(value: object) -> object:
    return value[:1].upper() + value[1:] if isinstance(value, str) else value


def parse_closed_trades(raw: object) -> pd.DataFrame:
    """``totalPerformance.closedTrades`` (``symbol``, or ``symbols[0]`` from LEAN 2025-10) as a frame."""
    trades = [camel(t) for t in raw] if isinstance(raw, list) else []
    symbols = [_symbol(t.get("symbol") or (t.get("symbols") or [None])[0]) for t in trades]

    def column(key: str) -> list[Any]:
        return [t.get(key) for t in trades]

    columns = {name: column(_camel_of(name)) for name in TRADE_COLUMNS}
    columns["symbol"] = [s[0] for s in symbols]
    columns["symbol_id"] = [s[1] for s in symbols]
    columns["direction"] = _enum_names(columns["direction"], TRADE_DIRECTIONS)
    columns["trade_id"] = column("id")
    frame = _frame(columns, TRADE_COLUMNS)
    frame["duration"] = _timespans(columns["duration"])
    return frame


def _timespans(values: list[Any]) -> pd.Series:
    """.NET TimeSpan text (``"309.06:30:00"``, ``"00:28:00"``, ``"-1.02:00:00.5"``) → Timedelta (NaT if absent)."""
    return pd.Series(pd.to_timedelta(np.array([_timespan_seconds(v) for v in values], dtype=float), unit="s"))


def _timespan_seconds(text: object) -> float:
    if not isinstance(text, str) or text.count(":") != 2:
        return np.nan
    negative = text.startswith("-")
    days_hours, minutes, seconds = text.lstrip("-").split(":")
    days, _, hours = days_hours.rpartition(".")
    total = (int(days or 0) * 24 + int(hours)) * 3600 + int(minutes) * 60 + float(seconds)
    return -total if negative else total
