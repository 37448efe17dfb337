"""Loading a LEAN result folder (or one ``<id>.json``) into a ``LeanResult``, and reading in-run snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest_core.errors import ResultFormatError
from backtest_core.models.statistics import BacktestStatistics
from backtest_core.results.charts import OHLC, Chart, ChartSeries, empty_points, empty_series, parse_charts, utc_times
from backtest_core.results.files import ResultFiles, locate
from backtest_core.results.jsonfile import camel, collector_paused, read_json
from backtest_core.results.logs import find_dates, parse_statistics, read_log, select_run
from backtest_core.results.model import LeanResult, Snapshot
from backtest_core.results.tables import (
    CONTENT_ERRORS,
    DeferredTable,
    parse_closed_trades,
    parse_order_events,
    parse_orders,
    security_types,
)
from backtest_core.results.verdict import lean_state, result_object, runtime_error, string_map

# sections with a field of their own in LeanResult; anything else LEAN adds lands in ``extra``
_KNOWN_KEYS = {
    "charts",
    "statistics",
    "runtimeStatistics",
    "orders",
    "totalPerformance",
    "state",
    "algorithmConfiguration",
    "profitLoss",
    "rollingWindow",
    "orderEvents",
}


def load_result(path: Path, *, deferred_tables: bool = False) -> LeanResult:
    """The LEAN result at ``path``: a results folder (its main file is chosen by ``config``, else the
    newest) or a main ``<id>.json``. Raises ResultFormatError naming the file for a corrupt, truncated or
    foreign file; missing optional parts (order events, summary, logs) just stay empty.

    Every file is decoded (so a truncated one is refused here). ``deferred_tables`` leaves orders, order
    events and closed trades as JSON until first read, for readers of many results that need few tables
    (Compare); a section not shaped like LEAN's then raises its ResultFormatError at that read.
    """
    files = locate(Path(path))
    with collector_paused():
        result = _decode_and_build(files)
    if not deferred_tables:
        for table in (result.order_table, result.order_event_table, result.closed_trade_table):
            table.frame()
    return result


def _decode_and_build(files: ResultFiles) -> LeanResult:
    top = result_object(files.main, read_json(files.main))
    events = read_json(files.order_events) if files.order_events else []
    summary = camel(read_json(files.summary)) if files.summary else None
    try:
        return _build(files, top, events, summary)
    except CONTENT_ERRORS as error:
        # valid JSON whose content is not shaped like LEAN's (hand-edited, another tool's file)
        raise ResultFormatError(files.main, f"unexpected content: {error}") from error


def _build(files: ResultFiles, top: dict[str, Any], events: object, summary: dict[str, Any] | None) -> LeanResult:
    charts = parse_charts(top.get("charts"))
    performance = camel(top.get("totalPerformance"))
    state = lean_state(top.get("state"))
    configuration = camel(top.get("algorithmConfiguration"))

    log_text = select_run(read_log(files.engine_log), files.algorithm_id) if files.engine_log else ""
    error = runtime_error(state, log_text)
    start, end = _period(configuration, log_text)
    equity = _series(charts, "Strategy Equity", "Equity")
    return LeanResult(
        algorithm_id=files.algorithm_id,
        folder=files.folder,
        path=files.main,
        status=_status(state, error, top),
        runtime_error=error[0] if error else None,
        stack_trace=error[1] if error else None,
        statistics=BacktestStatistics(raw=string_map(top.get("statistics"))),
        runtime_statistics=string_map(top.get("runtimeStatistics")),
        portfolio_statistics=string_map(camel(performance.get("portfolioStatistics"))),
        trade_statistics=camel(performance.get("tradeStatistics")),
        parameters=string_map(configuration.get("parameters")),
        start_date=start,
        end_date=end,
        equity=_values(equity, "Equity"),
        equity_ohlc=_ohlc(equity),
        drawdown=_values(_series(charts, "Drawdown", "Equity Drawdown"), "Equity Drawdown"),
        benchmark=_values(_series(charts, "Benchmark", "Benchmark"), "Benchmark"),
        returns=_values(_series(charts, "Strategy Equity", "Return", "Daily Performance"), "Return"),
        charts=charts,
        order_table=DeferredTable(parse_orders, top.get("orders"), files.main),
        order_event_table=DeferredTable(parse_order_events, _order_events(files, events), files.main),
        closed_trade_table=DeferredTable(parse_closed_trades, performance.get("closedTrades"), files.main),
        order_security_types=security_types(top.get("orders")),
        profit_loss=_profit_loss(top.get("profitLoss")),
        algorithm_configuration=configuration,
        state=state,
        log_text=log_text,
        algorithm_log=read_log(files.algorithm_log) if files.algorithm_log else "",
        log_statistics=parse_statistics(log_text),
        rolling_window=top.get("rollingWindow") or {},
        summary=summary,
        started_at=parse_lean_time(state.get("StartTime")),
        finished_at=parse_lean_time(state.get("EndTime")),
        extra={k: v for k, v in top.items() if k not in _KNOWN_KEYS},
    )


def try_load_result(path: Path) -> LeanResult | ResultFormatError:
    """``load_result`` for callers going through many folders: the error is returned, not raised."""
    try:
        return load_result(path)
    except ResultFormatError as error:
        return error


def read_snapshot(path: Path) -> Snapshot | None:
    """The in-run ``<id>.json`` (or a results folder's main file) as a Snapshot; None while the file is
    absent, half-written or not a result — LEAN rewrites it in place, so a failed read is retried later.
    """
    try:
        files = locate(Path(path))
        top = result_object(files.main, read_json(files.main))
        return _snapshot(files.main, top)
    except (ResultFormatError, TypeError, ValueError, AttributeError, IndexError, KeyError):
        return None


def _snapshot(path: Path, top: dict[str, Any]) -> Snapshot:
    charts = top.get("charts")
    equity_chart = (
        {"Strategy Equity": charts["Strategy Equity"]}
        if isinstance(charts, dict) and "Strategy Equity" in charts
        else {}
    )
    equity = _values(_series(parse_charts(equity_chart), "Strategy Equity", "Equity"), "Equity")
    state = lean_state(top.get("state"))
    orders = top.get("orders")
    return Snapshot(
        path=path,
        status=state.get("Status") or None,
        last_time=equity.index[-1].to_pydatetime() if len(equity) else None,
        last_equity=float(equity.iloc[-1]) if len(equity) else None,
        runtime_statistics=string_map(top.get("runtimeStatistics")),
        equity=equity,
        order_count=len(orders) if isinstance(orders, dict) else 0,
    )


def _series(charts: dict[str, Chart], chart: str, *names: str) -> ChartSeries | None:
    found = charts.get(chart)
    if found is None:
        return None
    return next((found.series[n] for n in names if n in found.series), None)


def _values(series: ChartSeries | None, name: str) -> pd.Series:
    return empty_series(name) if series is None else series.values


def _ohlc(series: ChartSeries | None) -> pd.DataFrame:
    if series is None or not series.is_candle:
        return empty_points(list(OHLC))
    return series.points[list(OHLC)]


def _order_events(files: ResultFiles, events: object) -> list[Any]:
    if not isinstance(events, list):
        raise ResultFormatError(files.order_events or files.main, "order events are not a JSON array")
    return events


def _profit_loss(raw: object) -> pd.Series:
    """``profitLoss``: realised P&L per closing fill, keyed by ISO UTC time."""
    if not isinstance(raw, dict) or not raw:
        return empty_series("profit_loss")
    index = utc_times(list(raw)).rename("time")
    return pd.Series(np.array(list(raw.values()), dtype=float), index=index, name="profit_loss")


def _status(state: dict[str, Any], error: tuple[str, str | None] | None, top: dict[str, Any]) -> str | None:
    """``state.Status``; for results written before LEAN kept a state: RuntimeError when the log holds the
    error, Completed when statistics were written, else unknown.
    """
    if state.get("Status"):
        return str(state["Status"])
    if error is not None:
        return "RuntimeError"
    return "Completed" if top.get("statistics") else None


def _period(configuration: dict[str, Any], log_text: str) -> tuple[date | None, date | None]:
    """The algorithm's start/end dates: its configuration, else the log's ``Dates:`` line."""
    start = parse_lean_time(configuration.get("startDate"))
    end = parse_lean_time(configuration.get("endDate"))
    if start is not None and end is not None:
        return start.date(), end.date()
    dates = find_dates(log_text)
    return (dates.start, dates.end) if dates else (None, None)


def parse_lean_time(text: object) -> datetime | None:
    """LEAN's ``yyyy-MM-dd HH:mm:ss`` (before 17248) or ``yyyy-MM-ddTHH:mm:ssZ`` as a UTC datetime."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
