"""A small SYNTHETIC dataset in LEAN's on-disk layout, so a fresh machine can run the example strategies.

Prices are random walks (seeded, so every machine gets the same files), not market data; a README and a
marker file at the data root say so. Layout and encodings follow LEAN (``../shared/docs/lean-reference.md``
§7): daily zips with one CSV per ticker, minute trade and quote zips per day, prices x10000 as integers,
map files, and factor files carrying one split and one dividend. No market-hours database is written: the
engine's default US equity hours (Monday to Friday, 9:30 to 16:00 New York) apply.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from backtest_core.errors import StudioError

MARKER = ".backtest-studio-synthetic"
TICKERS = {"SPY": (0.07, 0.16, 200.0), "QQQ": (0.10, 0.22, 100.0), "IWM": (0.06, 0.21, 120.0),
           "EEM": (0.03, 0.23, 40.0), "AAPL": (0.15, 0.30, 110.0)}  # fmt: skip  # drift, volatility, first price
SPLIT = ("AAPL", date(2019, 8, 26), 4.0)  # ticker, first day at the new share count, ratio
DIVIDEND = ("SPY", date(2018, 3, 16), 0.005)  # ticker, ex-date, cash paid as a fraction of the price
SESSION_MINUTES = 390
OPEN_MS = (9 * 60 + 30) * 60_000


class SampleReport(BaseModel):
    data_dir: Path
    tickers: list[str]
    files: int
    daily: tuple[date, date]
    minute: tuple[date, date] | None  # None: no minute bars were asked for


@dataclass
class _Corporate:
    """Adjustment events of one ticker: factor on day D = product of the events after D."""

    events: list[tuple[date, float, float]]  # (effective day, price factor, split factor) applying before it

    def factors(self, days: list[date]) -> np.ndarray:
        return np.array([np.prod([p * s for when, p, s in self.events if day < when] or [1.0]) for day in days])


def write_sample_data(data_dir: Path, *, start: date = date(2015, 1, 1), end: date = date(2020, 12, 31),
                      minute_days: int = 10, seed: int = 7, force: bool = False,
                      tickers: tuple[str, ...] = tuple(TICKERS)) -> SampleReport:  # fmt: skip
    """Write the synthetic set into ``data_dir``; refuse to touch a folder holding other (real) data."""
    if data_dir.exists() and any(data_dir.iterdir()) and not (data_dir / MARKER).exists() and not force:
        raise StudioError(
            f"data folder {data_dir} already holds data that is not Backtest Studio's synthetic set",
            "Point BACKTEST_DATA (or --data-dir) at an empty folder, or pass --force to write beside it.",
        )
    if minute_days < 0:
        raise StudioError(f"minute_days is {minute_days}", "Give 0 (daily bars only) or the number of last days.")
    rng = np.random.default_rng(seed)
    days = _weekdays(start, end)
    minute_span = days[len(days) - minute_days :] if minute_days > 0 else []  # days[-0:] would be every day
    files = 0
    for ticker in tickers:
        drift, volatility, first_price = TICKERS[ticker]
        corporate = _corporate(ticker, days)
        bars = _daily_bars(len(days), drift, volatility, first_price, rng)
        minutes = {day: _minute_path(bars[i], rng) for i, day in enumerate(days) if day in minute_span}
        for i, day in enumerate(days):  # a day with minute bars takes its high and low from them
            if day in minutes:
                bars[i, 1], bars[i, 2] = minutes[day][:, 1].max(), minutes[day][:, 2].min()
        raw = bars.copy()
        raw[:, :4] /= corporate.factors(days)[:, None]
        files += _write_daily(data_dir, ticker, days, raw)
        for day, path in minutes.items():
            scale = corporate.factors([day])[0]
            files += _write_minute(data_dir, ticker, day, path / np.array([scale] * 4 + [1.0]), rng)
        files += _write_reference(data_dir, ticker, days[0], corporate)
    (data_dir / MARKER).write_text("synthetic\n")
    (data_dir / "SYNTHETIC_DATA_README.md").write_text(_readme(days, minute_span, tickers))
    return SampleReport(data_dir=data_dir, tickers=list(tickers), files=files, daily=(days[0], days[-1]),
                        minute=(minute_span[0], minute_span[-1]) if minute_span else None)  # fmt: skip


def _weekdays(start: date, end: date) -> list[date]:
    day, out = start, []
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _corporate(ticker: str, days: list[date]) -> _Corporate:
    events = []
    if ticker == SPLIT[0] and days[0] < SPLIT[1] <= days[-1]:
        events.append((SPLIT[1], 1.0, 1.0 / SPLIT[2]))
    if ticker == DIVIDEND[0] and days[0] < DIVIDEND[1] <= days[-1]:
        events.append((DIVIDEND[1], 1.0 - DIVIDEND[2], 1.0))
    return _Corporate(events)


def _daily_bars(count: int, drift: float, volatility: float, first: float, rng: np.random.Generator) -> np.ndarray:
    """Adjusted daily open, high, low, close, volume from a geometric random walk."""
    step = rng.normal(drift / 252 - volatility**2 / 504, volatility / np.sqrt(252), count)
    close = first * np.exp(np.cumsum(step))
    open_ = np.concatenate([[first], close[:-1]]) * np.exp(rng.normal(0, volatility / 60, count))
    spread = np.abs(rng.normal(0, volatility / 25, count))
    high = np.maximum(open_, close) * (1 + spread)
    low = np.minimum(open_, close) * (1 - spread)
    volume = rng.integers(500_000, 5_000_000, count).astype(float)
    return np.column_stack([open_, high, low, close, volume])


def _minute_path(day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """390 minute bars from the day's open to its close (a Brownian bridge with noise)."""
    open_, close = day[0], day[3]
    noise = np.cumsum(rng.normal(0, 0.0006, SESSION_MINUTES + 1))
    bridge = noise - np.linspace(0, 1, SESSION_MINUTES + 1) * noise[-1]
    level = np.exp(np.linspace(np.log(open_), np.log(close), SESSION_MINUTES + 1) + bridge)
    opens, closes = level[:-1], level[1:]
    wiggle = np.abs(rng.normal(0, 0.0003, SESSION_MINUTES))
    highs, lows = np.maximum(opens, closes) * (1 + wiggle), np.minimum(opens, closes) * (1 - wiggle)
    volume = rng.integers(1_000, 40_000, SESSION_MINUTES).astype(float)
    return np.column_stack([opens, highs, lows, closes, volume])


def _scaled(value: float) -> int:
    return round(value * 10_000)


def _zip(path: Path, member: str, lines: list[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "\n".join(lines) + "\n")
    path.write_bytes(buffer.getvalue())
    return 1


def _write_daily(root: Path, ticker: str, days: list[date], bars: np.ndarray) -> int:
    name = ticker.lower()
    lines = [f"{day:%Y%m%d} 00:00,{_scaled(o)},{_scaled(h)},{_scaled(lo)},{_scaled(c)},{int(v)}"
             for day, (o, h, lo, c, v) in zip(days, bars, strict=True)]  # fmt: skip
    return _zip(root / "equity" / "usa" / "daily" / f"{name}.zip", f"{name}.csv", lines)


def _write_minute(root: Path, ticker: str, day: date, bars: np.ndarray, rng: np.random.Generator) -> int:
    name, stamp = ticker.lower(), f"{day:%Y%m%d}"
    folder = root / "equity" / "usa" / "minute" / name
    times = [OPEN_MS + i * 60_000 for i in range(SESSION_MINUTES)]
    trades = [f"{ms},{_scaled(o)},{_scaled(h)},{_scaled(lo)},{_scaled(c)},{int(v)}"
              for ms, (o, h, lo, c, v) in zip(times, bars, strict=True)]  # fmt: skip
    half = np.maximum(bars[:, 3] * 0.00005, 0.005)
    sizes = rng.integers(100, 3_000, (SESSION_MINUTES, 2))
    quotes = []
    for i, ms in enumerate(times):
        o, h, lo, c = bars[i, :4]
        bid = [_scaled(x - half[i]) for x in (o, h, lo, c)]
        ask = [_scaled(x + half[i]) for x in (o, h, lo, c)]
        quotes.append(f"{ms},{','.join(map(str, bid))},{sizes[i, 0]},{','.join(map(str, ask))},{sizes[i, 1]}")
    count = _zip(folder / f"{stamp}_trade.zip", f"{stamp}_{name}_minute_trade.csv", trades)
    return count + _zip(folder / f"{stamp}_quote.zip", f"{stamp}_{name}_minute_quote.csv", quotes)


def _write_reference(root: Path, ticker: str, first: date, corporate: _Corporate) -> int:
    """Map file (listed since the first day) and factor file rows ``date,price,split,reference``."""
    name = ticker.lower()
    maps = root / "equity" / "usa" / "map_files" / f"{name}.csv"
    maps.parent.mkdir(parents=True, exist_ok=True)
    maps.write_text(f"{first:%Y%m%d},{name},P\n20501231,{name},P\n")
    rows = []
    boundaries = [first] + [when - timedelta(days=1) for when, _, _ in sorted(corporate.events)]
    for boundary in boundaries:
        price = np.prod([p for when, p, _ in corporate.events if boundary < when] or [1.0])
        split = np.prod([s for when, _, s in corporate.events if boundary < when] or [1.0])
        rows.append(f"{boundary:%Y%m%d},{price:.7f},{split:.8f},0")
    rows.append("20501231,1,1,0")
    factors = root / "equity" / "usa" / "factor_files" / f"{name}.csv"
    factors.parent.mkdir(parents=True, exist_ok=True)
    factors.write_text("\n".join(rows) + "\n")
    return 2


def _readme(days: list[date], minute: list[date], tickers: tuple[str, ...]) -> str:
    minute_line = f"{minute[0]} to {minute[-1]}" if minute else "none"
    return (
        "# SYNTHETIC data written by Backtest Studio\n\n"
        "These files are random walks in LEAN's on-disk layout, NOT market data. They exist so the example\n"
        "strategies run on a machine without real LEAN data. Replace them with real data (`lean data download`,\n"
        "or LEAN's own `Data/` folder) before drawing any conclusion from a backtest.\n\n"
        f"- tickers: {', '.join(tickers)} (US equities, market `usa`)\n"
        f"- daily bars: {days[0]} to {days[-1]} (weekdays; no holidays)\n"
        f"- minute trade and quote bars: {minute_line}\n"
        f"- corporate actions: {SPLIT[0]} {SPLIT[2]:g}:1 split on {SPLIT[1]}, {DIVIDEND[0]} dividend on {DIVIDEND[1]}\n"
    )
