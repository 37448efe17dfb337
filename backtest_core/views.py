"""What the pages show, computed here so pages only draw: tables, time left, fills (sweeps: ``sweeps.views``).

Each function takes models or parsed results and returns plain frames, lists or numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from backtest_core.engines.embedded.data import Bars, LeanDataFolder, SecurityKind
from backtest_core.errors import StudioError
from backtest_core.models import (
    BacktestProgress,
    BacktestRunInfo,
    BacktestStatus,
    DataSource,
    Resolution,
    RunDescription,
    RunOrigin,
)
from backtest_core.results import LeanResult
from backtest_core.results.logs import read_log
from backtest_core.sample_data import MARKER

FILL_SLACK = 0.005
FILLED = ("Filled", "PartiallyFilled")


DATA_LABELS = {DataSource.SYNTHETIC: "SYNTHETIC", DataSource.REAL: "real", DataSource.UNKNOWN: "unknown"}


def description_cells(description: RunDescription) -> dict[str, object]:
    """What a run covered, as table cells: unknown stays empty (None), never a guess."""
    return {
        "period start": description.period_start,
        "period end": description.period_end,
        "resolution": description.resolution,
        "start capital": description.start_capital,
        "data": DATA_LABELS[description.data_source],
        "source": description.source.value,
        "warnings": "; ".join(warning.code.replace("-", " ") for warning in description.warnings),
    }


SYNTHETIC_TEXT = (
    "SYNTHETIC data. {what} computed on Backtest Studio's random-walk sample, not on market data: "
    "its figures say nothing about any real security."
)


def notice_texts(run: BacktestRunInfo, label: str = "") -> list[tuple[str, str]]:
    """What an analyst must know before reading a run's figures, as ``(kind, text)``: ``synthetic`` for the
    SYNTHETIC label, ``warning`` for each stored warning. ``label`` names the run where several are shown."""
    notices = []
    if run.description.data_source == DataSource.SYNTHETIC:
        notices.append(("synthetic", SYNTHETIC_TEXT.format(what=f"{label} was" if label else "This result was")))
    prefix = f"{label}: " if label else ""
    notices += [("warning", prefix + warning.message) for warning in run.description.warnings]
    return notices


def grouped_notice_texts(runs: Sequence[tuple[BacktestRunInfo, str]]) -> list[tuple[str, str]]:
    """The notices of several runs (each with its label) as at most two texts, so a page comparing a sweep's
    dozen runs shows one SYNTHETIC label naming them all and one list of warnings, not a banner per run;
    a warning several runs share is one line naming them."""
    synthetic = [label for run, label in runs if run.description.data_source == DataSource.SYNTHETIC]
    notices = []
    if len(synthetic) == 1:
        notices.append(("synthetic", SYNTHETIC_TEXT.format(what=f"{synthetic[0]} was")))
    elif synthetic:
        every = "All runs" if len(synthetic) == len(runs) else f"{len(synthetic)} of the {len(runs)} runs"
        notices.append(("synthetic", (
            f"SYNTHETIC data. {every} ({', '.join(synthetic)}) were computed on Backtest Studio's random-walk "
            "sample, not on market data: their figures say nothing about any real security."
        )))  # fmt: skip
    by_message: dict[str, list[str]] = {}  # a sweep's runs share a period, so often the same warning
    for run, label in runs:
        for warning in run.description.warnings:
            by_message.setdefault(warning.message, []).append(label)
    if by_message:
        lines = [f"- **{', '.join(labels)}**: {message}" for message, labels in by_message.items()]
        notices.append(("warning", "\n".join(lines)))
    return notices


def period_text(description: RunDescription) -> str:
    """``2015-01-01 to 2020-12-31 · daily · starting capital 100,000`` (``unknown`` for what no file states),
    and ``· prices only 2016-03-01 to 2020-12-31`` when the data covered less of the period."""
    start, end = description.period_start, description.period_end
    period = f"{start or 'unknown'} to {end or 'unknown'}" if start or end else "period unknown"
    resolution = description.resolution or "resolution unknown"
    capital = f"{description.start_capital:,.0f}" if description.start_capital is not None else "unknown"
    data = (description.data_start, description.data_end)
    prices = f" · prices only {data[0]} to {data[1]}" if None not in data and data != (start, end) else ""
    return f"{period} · {resolution} · starting capital {capital}{prices}"


def history_frame(runs: Sequence[BacktestRunInfo]) -> pd.DataFrame:
    """One row per run with the key statistics, in LEAN's printed units (percent where LEAN prints %), and what
    it covered (period, resolution, capital, data, warnings)."""
    rows = [
        {
            "id": run.id,
            "name": run.name,
            "strategy": run.strategy,
            "engine": run.engine.value,
            "status": run.status.value,
            "created": run.created_at,
            **description_cells(run.description),
            "net profit %": run.stats.net_profit,
            "CAR %": run.stats.cagr,
            "sharpe": run.stats.sharpe,
            "drawdown %": run.stats.drawdown,
            "orders": run.stats.total_orders,
            "end equity": run.stats.end_equity,
            "tags": ", ".join(run.tags),
        }
        for run in runs
    ]
    columns = ["id", "name", "strategy", "engine", "status", "created", "period start", "period end", "resolution"]
    columns += ["start capital", "data", "net profit %", "CAR %", "sharpe", "drawdown %", "orders", "end equity"]
    columns += ["warnings", "source", "tags"]
    return pd.DataFrame(rows, columns=columns)


def editor_parameters(records: Sequence[Mapping[str, object]]) -> dict[str, str]:
    """The parameter table's rows as the request's parameters: an empty cell is an empty value (which the
    checks refuse by name), never the text "nan" or "None"; rows without a name are left out."""
    parameters = {}
    for row in records:
        name, value = _cell(row.get("parameter")), _cell(row.get("value"))
        if name:
            parameters[name.strip()] = value
    return parameters


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def time_left(progress: BacktestProgress, started_at: datetime | None, now: datetime) -> timedelta | None:
    """Remaining wall time, extrapolated from the time spent so far; None until there is something to go by."""
    if started_at is None or progress.percent <= 0.5 or progress.percent >= 100:
        return None
    elapsed = now - started_at
    return elapsed * ((100.0 - progress.percent) / progress.percent)


def format_duration(span: timedelta | None) -> str:
    if span is None:
        return "–"
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s"


def fills_frame(result: LeanResult) -> pd.DataFrame:
    """Every fill (time, symbol, price, signed quantity), from order events or, lacking them, from orders."""
    columns = ["time", "symbol", "price", "quantity"]
    events = result.order_events
    if not events.empty:
        filled = events[events["status"].isin(FILLED) & (events["fill_quantity"].fillna(0) != 0)]
        frame = filled[["time", "symbol", "fill_price", "fill_quantity"]].set_axis(columns, axis=1)
    elif not result.orders.empty:
        done = result.orders[result.orders["status"].isin(FILLED)]
        frame = done.assign(time=done["last_fill_time"].fillna(done["time"]))[columns]
    else:
        return pd.DataFrame(columns=columns)
    return frame.astype({"price": float, "quantity": float}).reset_index(drop=True)


@dataclass(frozen=True)
class PriceLine:
    """A traded symbol's closes to draw its fills on, in the normalisation the fills were made in."""

    prices: pd.Series
    normalisation: str  # "adjusted" (LEAN's default) or "raw"
    note: str  # says which, and whether the fills match this data folder's prices at all
    resolution: str  # of the bars: "minute", "hour" or "daily"


def symbol_price(
    data_dir: Path, result: LeanResult, ticker: str, fills: pd.DataFrame, intraday: bool = False
) -> PriceLine | None:
    """Closes of a traded US equity over the result's period from the data folder (daily, else hour; for an
    ``intraday`` result minute, else hour, else daily: daily closes under minute fills draw a few straight
    lines the fills scatter around), adjusted or raw as the fills are: a fill made at raw prices drawn over
    adjusted ones sits off the line by every dividend and split since. Which one is told by where the fills
    fall: within each day's range of the adjusted or of the raw bars.

    None when the data folder has no bars for it; the page then draws the trades on the equity curve.
    """
    if result.equity.empty:
        return None
    folder = LeanDataFolder(data_dir)
    first, last = result.equity.index[0].date(), result.equity.index[-1].date()
    zone = ZoneInfo("America/New_York")
    order = (Resolution.MINUTE, Resolution.HOUR, Resolution.DAILY) if intraday else (Resolution.DAILY, Resolution.HOUR)
    for resolution in order:
        try:
            raw = folder.read_bars(SecurityKind.EQUITY, "usa", ticker.lower(), resolution, "trade", first, last)
        except StudioError:
            return None
        if raw is None or len(raw) == 0:
            continue
        adjusted = folder.adjusted(raw, ticker.lower(), zone)
        checks = {name: _fills_in_range(bars, fills, zone) for name, bars in (("adjusted", adjusted), ("raw", raw))}
        normalisation = "raw" if checks["raw"][0] > checks["adjusted"][0] else "adjusted"
        bars = raw if normalisation == "raw" else adjusted
        times = pd.to_datetime(bars.end_ns, utc=True)
        line = pd.Series(bars.close.astype(float), index=times, name=ticker)
        note = _price_note(normalisation, *checks[normalisation])
        if (data_dir / MARKER).exists():
            note += " These prices are Backtest Studio's SYNTHETIC sample, not market data."
        return PriceLine(line, normalisation, note, resolution.name.lower())
    return None


def _fills_in_range(bars: Bars, fills: pd.DataFrame, zone: ZoneInfo) -> tuple[int, int]:
    """(fills within their day's low..high of ``bars``, fills on days ``bars`` has), with half a percent of
    slack for slippage."""
    if fills.empty:
        return 0, 0
    days = pd.to_datetime(bars.start_ns, utc=True).tz_convert(zone).date
    ranges = (
        pd.DataFrame({"low": bars.low, "high": bars.high}, index=days)
        .groupby(level=0)
        .agg({"low": "min", "high": "max"})
    )
    fill_days = pd.to_datetime(fills["time"], utc=True).dt.tz_convert(zone).dt.date
    low = ranges["low"].reindex(fill_days).to_numpy()
    high = ranges["high"].reindex(fill_days).to_numpy()
    price = fills["price"].to_numpy(dtype=float)
    inside = (price >= low * (1 - FILL_SLACK)) & (price <= high * (1 + FILL_SLACK))
    return int(inside.sum()), int((~pd.isna(low)).sum())


def _price_note(normalisation: str, inside: int, total: int) -> str:
    which = (
        "adjusted for splits and dividends (LEAN's default normalisation)"
        if normalisation == "adjusted"
        else "raw, as traded (not adjusted): this run's fills were made at raw prices"
    )
    note = f"Prices and fills {which}, from the data folder."
    if total and inside < total / 2:
        note += (
            f" Only {inside} of the {total} fills on days with data fall within the data folder's prices that day: "
            "the run traded "
            "on other data (another vendor, or another factor-file vintage), so markers may sit off the line."
        )
    return note


def missing_result_text(run: BacktestRunInfo) -> str | None:
    """Why a finished run has no result file, in its own terms (never the truncated-file hint); None when its
    stored warnings say so already (an imported LEAN log without a result)."""
    if any(warning.code == "no-result" for warning in run.description.warnings):
        return None
    if run.status == BacktestStatus.CANCELLED:
        return "No result file: the run was cancelled before the engine wrote one. Its log is below."
    if run.origin == RunOrigin.IMPORTED:
        return "LEAN wrote no result file for this run. Its log, and any statistics the log printed, are below."
    return "No result file: the run ended before its engine wrote one (the error above says why). Its log is below."


def log_sources(result: LeanResult | None, folder: Path) -> dict[str, str]:
    """Every log of a run by label, empty ones left out: LEAN's engine log (this run's part of ``log.txt``) and
    the algorithm's own log (``<id>-log.txt``, a cloud download's ``<name>_logs.txt``)."""
    engine = result.log_text if result is not None and result.log_text else read_log(folder / "log.txt")
    sources = {"Engine log (log.txt)": engine}
    if result is not None and result.algorithm_log:
        name = next((p.name for p in folder.glob(f"{result.algorithm_id}*log*.txt")), "algorithm log")
        sources[f"Algorithm log ({name})"] = result.algorithm_log
    return {label: text for label, text in sources.items() if text.strip()}


def tail_lines(lines: list[str], limit: int) -> tuple[list[str], str]:
    """The last ``limit`` lines and a caption that says so when lines were left out."""
    if len(lines) <= limit:
        return lines, f"{len(lines):,} lines"
    return lines[-limit:], f"the last {limit:,} of {len(lines):,} lines"
