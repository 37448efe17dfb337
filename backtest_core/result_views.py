"""What the Result page shows of one run, worked out here so the page only draws.

The exchange the run traded (for its time axis), the zoom window (range buttons, a URL, a box drawn on a
chart), the window's statistics, the headline and header, and the tables in readable units. Times shown
are the exchange's wall-clock times; the URL carries them the same way (``from=2023-01-05T10:30``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from backtest_core.analysis.benchmark import daily_only
from backtest_core.analysis.calendar import TradingCalendar
from backtest_core.analysis.sessions import TimeAxis, exchange_times, time_axis
from backtest_core.analysis.trade_analytics import TradeSummary, closed_between, summary
from backtest_core.analysis.window_stats import RiskFree, WindowStatistics, window_statistics
from backtest_core.analysis.windows import Window as DayWindow
from backtest_core.analysis.windows import window_closes
from backtest_core.compare_runs import trading_calendar
from backtest_core.engines.embedded.data import LeanDataFolder, MarketHours, SecurityKind
from backtest_core.errors import InvalidRequest
from backtest_core.models import BacktestRunInfo
from backtest_core.models.enums import RANGES
from backtest_core.results import LeanResult
from backtest_core.results.logs import parse_log
from backtest_core.results.symbols import Listing, listing
from backtest_core.views import format_duration, period_text

Window = tuple[pd.Timestamp, pd.Timestamp]
_RANGE_MONTHS = {"1M": 1, "3M": 3, "6M": 6, "1Y": 12}
# market-hours database type of each security type whose hours the page can draw; others have no entry
_HOURS_TYPE: dict[str, SecurityKind | str] = {
    "Equity": SecurityKind.EQUITY,
    "Option": "Option",
    "Index": "Index",
    "IndexOption": "IndexOption",
    "Crypto": SecurityKind.CRYPTO,
    "CryptoFuture": "CryptoFuture",
    "Forex": SecurityKind.FOREX,
    "Cfd": "Cfd",
    "Future": "Future",
}


# -- the exchange and its clock ---------------------------------------------------------------------------


def traded_listings(result: LeanResult) -> list[tuple[Listing, str]]:
    """(security type and market, ticker) of every security the run ordered, most ordered first."""
    if result.orders.empty:
        return []
    counts = result.orders.groupby(["symbol_id"], sort=False).size().sort_values(ascending=False, kind="stable")
    found = []
    for symbol_id in counts.index:
        decoded = listing(str(symbol_id)) if isinstance(symbol_id, str) else None
        if decoded is not None and decoded.security_type in _HOURS_TYPE:
            found.append((decoded, str(symbol_id).split(" ", 1)[0]))
    return found


def exchange_hours(result: LeanResult, data_dir: Path) -> list[MarketHours]:
    """The market hours of each distinct exchange the run traded on (LEAN's market-hours database in the data
    folder), most traded first; empty when the run placed no orders in a security with known hours."""
    folder = LeanDataFolder(data_dir)
    hours, seen = [], set()
    for decoded, ticker in traded_listings(result):
        key = (decoded.security_type, decoded.market)
        if key in seen:
            continue
        seen.add(key)
        hours.append(folder.market_hours(_HOURS_TYPE[decoded.security_type], decoded.market, ticker))
    return hours


def result_time_axis(result: LeanResult, resolution: str | None, data_dir: Path) -> TimeAxis:
    """The time axis of a result: its exchanges' clock, intraday (with closed spans) or dates; ``resolution``
    is the run's data resolution when known (``RunDescription.resolution``)."""
    hours = exchange_hours(result, data_dir)
    note = "" if hours else "Times in UTC: the run placed no orders that name an exchange."
    return time_axis(result.equity, hours, resolution, note)


# -- the zoom window --------------------------------------------------------------------------------------


def full_window(equity: pd.Series) -> Window:
    return equity.index[0], equity.index[-1]


def range_window(name: str, equity: pd.Series, axis: TimeAxis) -> Window:
    """The window a range button selects: the last month(s) or year up to the last point, the year to date
    (from the exchange's 1 January), or everything; never earlier than the first point."""
    first, last = full_window(equity)
    if name == "All":
        return first, last
    local_last = axis.local(pd.DatetimeIndex([last]))[0]
    if name == "YTD":
        start = axis.utc(pd.Timestamp(year=local_last.year, month=1, day=1))
    elif name in _RANGE_MONTHS:
        start = axis.utc(local_last - pd.DateOffset(months=_RANGE_MONTHS[name]))
    else:
        raise InvalidRequest("range", f"unknown range {name!r}; use one of {', '.join(RANGES)}")
    return max(first, start), last


def clamp(window: Window, equity: pd.Series) -> Window:
    """``window`` inside the curve's span, start before end; a window that misses the curve is the whole curve."""
    first, last = full_window(equity)
    start, end = sorted(window)
    start, end = max(start, first), min(end, last)
    return (start, end) if start < end else (first, last)


def window_from_texts(start: str, end: str, axis: TimeAxis, equity: pd.Series) -> Window:
    """The window in a URL (``from``/``to``: exchange wall-clock ISO times or dates), inside the curve.

    Raises InvalidRequest naming the parameter when a value is not a time."""
    bounds = []
    for field, text in (("from", start), ("to", end)):
        try:
            bounds.append(axis.utc(pd.Timestamp(text)))
        except (ValueError, TypeError) as error:
            raise InvalidRequest(field, f"{text!r} is not a time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from error
    return clamp((bounds[0], bounds[1]), equity)


def window_texts(window: Window, axis: TimeAxis) -> tuple[str, str]:
    """The window as URL values in exchange time (minutes for intraday axes, dates otherwise)."""
    local = axis.local(pd.DatetimeIndex(list(window)))
    pattern = "%Y-%m-%dT%H:%M" if axis.intraday else "%Y-%m-%d"
    return local[0].strftime(pattern), local[1].strftime(pattern)


def window_from_box(xs: Sequence[object], axis: TimeAxis, equity: pd.Series) -> Window:
    """The window of a box drawn on a chart: Plotly reports its x bounds as exchange times in text
    (``2013-10-09 13:45``, with seconds or fractions at other zooms) or as epoch milliseconds."""
    stamps = [_plotly_time(x) for x in xs]
    return clamp((axis.utc(min(stamps)), axis.utc(max(stamps))), equity)


def _plotly_time(value: object) -> pd.Timestamp:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return pd.Timestamp(value, unit="ms")
    text = str(value).strip()
    if not re.match(r"^\d{4}-\d\d-\d\d", text):
        raise InvalidRequest("selection", f"{text!r} is not a time on the chart's axis")
    return pd.Timestamp(text)


# -- the window's statistics ------------------------------------------------------------------------------


class WindowFigures(BaseModel):
    """Figures of the equity curve on a window. Return and drawdown are at full detail (every point); CAR,
    Sharpe and the rest are Compare's daily figures (``analysis.window_stats``) of the trading days the
    window touches, None when it touches fewer than two; trades are those closed in the window."""

    start: pd.Timestamp
    end: pd.Timestamp
    total_return: float | None
    max_drawdown: float
    daily: WindowStatistics | None
    trading_days: int
    trades: TradeSummary

    model_config = {"arbitrary_types_allowed": True}


def result_calendar(result: LeanResult, data_dir: Path) -> TradingCalendar:
    """The trading calendar Compare would measure this run on (US equities, or every day for crypto only)."""
    listings = traded_listings(result)
    crypto_only = bool(listings) and all(found.security_type.startswith("Crypto") for found, _ in listings)
    return trading_calendar(data_dir, crypto_only)


def window_figures(equity: pd.Series, trades: pd.DataFrame, window: Window, closes: pd.Series,
                   calendar: TradingCalendar, rate: RiskFree) -> WindowFigures:  # fmt: skip
    """Return, maximum drawdown, daily statistics and trades of ``window`` (UTC).

    Return runs from the last point at or before the window's start to the last point in it; the drawdown is
    the deepest fall from a peak inside the window. ``closes`` are the curve's trading-day closes
    (``analysis.calendar.daily_closes``); the daily figures use the trading days from the window's first to
    its last exchange date.
    """
    start, end = window
    before = equity.loc[:start]
    base = float(before.iloc[-1]) if len(before) else float(equity.iloc[0])
    inside = equity.loc[(equity.index > start) & (equity.index <= end)]
    values = np.concatenate([[base], inside.to_numpy(dtype=float)])
    first_day, last_day = (
        stamp.date() for stamp in exchange_times(pd.DatetimeIndex([start, end]), calendar.hours.exchange_tz)
    )
    days = window_closes(closes, DayWindow(start=first_day, end=last_day))
    daily = window_statistics(days, rate, calendar.periods_per_year) if len(days) >= 2 else None
    peaks = np.maximum.accumulate(values)
    return WindowFigures(
        start=start,
        end=end,
        total_return=float(values[-1]) / base - 1.0 if base else None,
        max_drawdown=float(np.max(1.0 - values / peaks)),
        daily=daily,
        trading_days=max(len(days) - 1, 0),
        trades=summary(closed_between(trades, start, end)),
    )


# -- header, headline and tables --------------------------------------------------------------------------

HEADLINE = (
    ("Net Profit", ("Net Profit",)),
    ("CAR", ("Compounding Annual Return",)),
    ("Sharpe", ("Sharpe Ratio",)),
    ("Drawdown", ("Drawdown",)),
    ("PSR", ("Probabilistic Sharpe Ratio",)),
    ("Orders", ("Total Orders", "Total Trades")),
    ("End Equity", ("End Equity",)),
    ("Fees", ("Total Fees",)),
)


def headline(result: LeanResult) -> list[tuple[str, str]]:
    """The headline figures as LEAN printed them, money with thousands separators ('–' when absent)."""
    raw = result.statistics.raw
    figures = []
    for label, names in HEADLINE:
        text = next((raw[n] for n in names if raw.get(n)), "–")
        if label == "End Equity" and re.fullmatch(r"-?\d+(\.\d+)?", text):
            text = f"{float(text):,.2f} {result.algorithm_configuration.get('accountCurrency') or ''}".strip()
        elif label == "Fees" and (money := re.fullmatch(r"(-?)(\D*?)(\d+)(\.\d+)?", text)):
            sign, symbol, whole, fraction = money.groups()  # LEAN prints "$6511.53": separators as End Equity has
            text = f"{sign}{symbol}{int(whole):,}{fraction or ''}"
        figures.append((label, text))
    return figures


def unmeasured_headline_note(result: LeanResult) -> str | None:
    """Why LEAN's headline reads zero for a run whose equity moved, or None: LEAN's ``PortfolioStatistics`` leaves
    every figure at 0 for a run with fewer than two daily returns (a run that failed or ended on its first days),
    so those zeros are not what the run did."""
    printed = result.statistics.raw.get("Net Profit", "")
    equity = result.equity
    if len(equity) < 2 or re.fullmatch(r"-?0(\.0+)?%", printed.strip()) is None:
        return None
    start, end = float(equity.iloc[0]), float(equity.iloc[-1])
    if start == 0 or abs(end / start - 1.0) < 5e-6:  # LEAN prints 3 decimals: smaller moves read 0%
        return None
    return (
        f"LEAN printed zeros here, yet the equity went from {start:,.2f} to {end:,.2f}: LEAN computes its statistics "
        "only from two daily returns on, and this run has fewer. The window's figures below measure the equity."
    )


def holding_text(span: pd.Timedelta | None) -> str:
    """A holding time as an analyst reads it: days from one day up, else hours and minutes ('–' for none)."""
    if span is None or pd.isna(span):
        return "–"
    days = span / timedelta(days=1)
    if days >= 1:
        text = f"{days:,.1f}".removesuffix(".0")
        return f"{text} day" if text == "1" else f"{text} days"
    return format_duration(span.to_pytimedelta())


def header_text(run: BacktestRunInfo) -> str:
    """Period, resolution and starting capital (``views.period_text``), engine and where the result came from;
    'unknown' for what no file states."""
    facts = run.description
    version = facts.engine_version or ""
    engine = version if version.startswith(run.engine.value) else f"{run.engine.value} {version}".strip()
    language = f" · {facts.language}" if facts.language else ""
    return f"Backtest {period_text(facts)} · engine {engine} · source {facts.source.value}{language}"


def benchmark_note(result: LeanResult) -> str:
    """Why no benchmark is drawn, when none is: LEAN writes zeros when it had no benchmark prices."""
    if result.benchmark.empty:
        return "This result has no benchmark series."
    if not (result.benchmark > 0).any():
        return "LEAN's benchmark series is all zeros (the run had no benchmark prices), so no benchmark is drawn."
    return ""


def benchmark_sampling_note(result: LeanResult, axis: TimeAxis) -> str:
    """What an intraday chart's benchmark is when the result has only its daily samples, so that a zoom into a
    day does not read its steps as the benchmark's moves within the day."""
    if not daily_only(result.benchmark[result.benchmark > 0], axis):
        return ""
    return (
        "The result has the benchmark only as LEAN's daily samples (one a day, at the exchange's midnight): the "
        "chart holds each as a step until the next and shows no move of the benchmark within the day."
    )


def orders_table(result: LeanResult, axis: TimeAxis) -> pd.DataFrame:
    """Orders with the fees their events charged, times in the exchange's zone."""
    orders = result.orders
    columns = [
        "id",
        "time",
        "symbol",
        "type",
        "direction",
        "quantity",
        "price",
        "value",
        "fees",
        "status",
        "tag",
        "last_fill_time",
        "security_type",
    ]
    if orders.empty:
        return pd.DataFrame(columns=columns)
    events = result.order_events
    fees = events.groupby("order_id")["order_fee_amount"].sum(min_count=1) if not events.empty else pd.Series()
    table = orders.assign(fees=orders["id"].map(fees) if len(fees) else np.nan)
    for column in ("time", "last_fill_time"):
        table[column] = _exchange_time(table[column], axis)
    return table[columns]


def trades_table(trades: pd.DataFrame, axis: TimeAxis) -> pd.DataFrame:
    """Closed trades with their holding time in hours and times in the exchange's zone."""
    columns = [
        "symbol",
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
        "held_hours",
        "is_win",
    ]
    table = trades.assign(held_hours=(trades["exit_time"] - trades["entry_time"]).dt.total_seconds() / 3600)
    for column in ("entry_time", "exit_time"):
        table[column] = _exchange_time(table[column], axis)
    return table.reindex(columns=columns)


def events_table(events: pd.DataFrame, axis: TimeAxis) -> pd.DataFrame:
    columns = [
        "time",
        "status",
        "direction",
        "quantity",
        "fill_quantity",
        "fill_price",
        "order_fee_amount",
        "limit_price",
        "stop_price",
        "message",
    ]
    table = events.reindex(columns=columns)
    table["time"] = _exchange_time(table["time"], axis)
    return table


def drawdowns_table(worst: pd.DataFrame, axis: TimeAxis) -> pd.DataFrame:
    """The worst drawdowns with times in the exchange's zone and spans in days."""
    table = worst.copy()
    for column in ("start", "trough", "recovery"):
        table[column] = _exchange_time(table[column], axis)
    for column in ("length", "to_trough", "to_recover"):
        table[column] = table[column] / timedelta(days=1)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


NOT_RECOVERED = "not recovered"


def drawdowns_shown(worst: pd.DataFrame, axis: TimeAxis) -> pd.DataFrame:
    """``drawdowns_table`` as the page shows it: a data grid draws a missing value as "None", which an analyst
    must not read, so the recovery time and the time to recover are text, ``NOT_RECOVERED`` where there is none.
    The recovery time is ISO text (``YYYY-MM-DD HH:MM``), which sorts as the times do, an unrecovered one last;
    peak, trough, depth and length stay numbers."""
    table = drawdowns_table(worst, axis)
    recovered = table["recovery"].notna()
    table["recovery"] = table["recovery"].dt.strftime("%Y-%m-%d %H:%M").where(recovered, NOT_RECOVERED)
    table["to_recover"] = table["to_recover"].map("{:.1f}".format).where(recovered, NOT_RECOVERED)
    return table


def _exchange_time(values: pd.Series, axis: TimeAxis) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_convert(axis.zone)


_PERCENT_KEYS = {
    "averageWinRate",
    "averageLossRate",
    "winRate",
    "lossRate",
    "compoundingAnnualReturn",
    "drawdown",
    "totalNetProfit",
    "probabilisticSharpeRatio",
    "portfolioTurnover",
    "valueAtRisk99",
    "valueAtRisk95",
}
_MONEY_WORDS = ("Profit", "Loss", "MAE", "MFE", "Drawdown", "Fees", "Equity")


def statistics_rows(
    section: dict[str, object], percent_keys: frozenset[str] = frozenset(_PERCENT_KEYS)
) -> pd.DataFrame:
    """A ``portfolioStatistics`` or ``tradeStatistics`` block as (statistic, value) rows for reading: names
    in words, rates as percent, money with separators, durations and dates as LEAN wrote them."""
    rows = []
    for key, value in section.items():
        rows.append({"statistic": _words(key), "value": _readable(key, value, percent_keys)})
    return pd.DataFrame(rows, columns=["statistic", "value"])


def _words(key: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", key)
    spaced = re.sub(r"(?<=[a-zA-Z])(?=\d)", " ", spaced)
    return spaced[:1].upper() + spaced[1:].lower().replace("mae", "MAE").replace("mfe", "MFE")


def _readable(key: str, value: object, percent_keys: frozenset[str]) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    if key in percent_keys:
        return f"{number:.2%}"
    if isinstance(value, int) or (key.startswith(("number", "total")) and key.endswith("Trades")):
        return f"{number:,.0f}"
    if any(word in key for word in _MONEY_WORDS) and "Ratio" not in key and "Duration" not in key:
        return f"{number:,.2f}"
    return f"{number:,.4g}" if abs(number) < 1e6 else f"{number:,.0f}"


# -- logs -------------------------------------------------------------------------------------------------

LOG_LIMIT = 5000  # lines drawn at once; the caption says when more matched, the download has them all


def log_levels(text: str) -> list[str]:
    """The levels a log's records carry (TRACE, DEBUG, ERROR, ...), in order of first use; none for the
    algorithm's own log, whose lines carry a time only."""
    return list(dict.fromkeys(record.level for record in parse_log(text) if record.level))


def log_lines(text: str, levels: Sequence[str] = (), needle: str = "") -> tuple[list[str], int]:
    """The records of ``text`` at ``levels`` (all when empty) that contain ``needle`` (case-insensitive), as
    lines (a record's continuation lines kept with it), and how many records matched."""
    lowered = needle.lower()
    chosen = [
        record
        for record in parse_log(text)
        if (not levels or record.level in levels) and (not lowered or lowered in record.text.lower())
    ]
    lines = []
    for record in chosen:
        prefix = f"{record.stamp} {record.level}:: " if record.level else f"{record.stamp} " if record.stamp else ""
        lines.extend((prefix + record.text).splitlines())
    return lines, len(chosen)
