"""What the pages show, computed here so pages only draw: tables, time left, fills (sweeps: ``sweeps.views``).

Each function takes models or parsed results and returns plain frames, lists or numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.errors import StudioError
from backtest_core.models import BacktestProgress, BacktestRunInfo, Resolution
from backtest_core.results import LeanResult

FILLED = ("Filled", "PartiallyFilled")


def history_frame(runs: Sequence[BacktestRunInfo]) -> pd.DataFrame:
    """One row per run with the key statistics, in LEAN's printed units (percent where LEAN prints %)."""
    rows = [
        {
            "id": run.id,
            "name": run.name,
            "strategy": run.strategy,
            "engine": run.engine.value,
            "status": run.status.value,
            "created": run.created_at,
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
    columns = ["id", "name", "strategy", "engine", "status", "created", "net profit %", "CAR %", "sharpe"]
    columns += ["drawdown %", "orders", "end equity", "tags"]
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
