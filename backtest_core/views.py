"""What the pages show, computed here so pages only draw: tables, time left, fills (sweeps: ``sweeps.views``).

Each function takes models or parsed results and returns plain frames, lists or numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
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


def period_text(description: RunDescription) -> str:
    """``2015-01-01 to 2020-12-31 · daily · starting capital 100,000`` (``unknown`` for what no file states)."""
    start, end = description.period_start, description.period_end
    period = f"{start or 'unknown'} to {end or 'unknown'}" if start or end else "period unknown"
    resolution = description.resolution or "resolution unknown"
    capital = f"{description.start_capital:,.0f}" if description.start_capital is not None else "unknown"
    return f"{period} · {resolution} · starting capital {capital}"


def description_frame(runs: Mapping[str, BacktestRunInfo]) -> pd.DataFrame:
    """One row per labelled run: what it covered and where it came from (for putting runs side by side)."""
    return pd.DataFrame.from_dict(
        {label: description_cells(run.description) for label, run in runs.items()}, orient="index"
    )


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


def symbol_price(data_dir: Path, result: LeanResult, ticker: str) -> pd.Series | None:
    """Adjusted closes of a traded US equity over the result's period from the data folder (daily, else hour).

    None when the data folder has no bars for it; the page then draws the trades on the equity curve.
    """
    if result.equity.empty:
        return None
    folder = LeanDataFolder(data_dir)
    first, last = result.equity.index[0].date(), result.equity.index[-1].date()
    for resolution in (Resolution.DAILY, Resolution.HOUR):
        try:
            bars = folder.read_bars(SecurityKind.EQUITY, "usa", ticker.lower(), resolution, "trade", first, last)
        except StudioError:
            return None
        if bars is None or len(bars) == 0:
            continue
        bars = folder.adjusted(bars, ticker.lower(), ZoneInfo("America/New_York"))
        times, closes = pd.to_datetime(bars.end_ns, utc=True), bars.close.astype(float)
        return pd.Series(closes, index=times, name=ticker)
    return None


def missing_result_text(run: BacktestRunInfo) -> str:
    """Why a finished run has no result file, in its own terms (never the truncated-file hint)."""
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
