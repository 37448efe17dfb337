"""How far a LEAN data folder's prices reach, and what a backtest period beyond them means for its numbers.

A backtest over days without data does not fail in LEAN: the equity just stays flat where a symbol has no
prices (before its data starts, after it ends), and CAR, Sharpe and drawdown describe a padded period. ``data_coverage``
reads the first and last day of a symbol's files at one resolution (cheaply: file names for minute and
second data, the first and last line for daily and hour zips); ``coverage_warnings`` turns the ranges and a
period into the warnings stored with a run and shown wherever it is shown; ``coverage_problem`` is the refusal
before launch when the period and the data do not overlap at all.
"""

from __future__ import annotations

import os
import zipfile
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from backtest_core.engines.embedded.data import DEFAULT_MARKET, LeanDataFolder, MarketHours, SecurityKind
from backtest_core.errors import DataMissing
from backtest_core.models import Resolution, RunWarning

DAY_FILE_RESOLUTIONS = (Resolution.TICK, Resolution.SECOND, Resolution.MINUTE)
GAP_TOLERANCE_DAYS = 3  # missing trading days inside the data a vendor may skip without it mattering...
GAP_TOLERANCE_SHARE = 0.01  # ... or this share of the period's trading days, whichever is more


class DataRange(BaseModel):
    """The days a symbol has data for at one resolution (``days`` sorted; empty: no data at all)."""

    symbol: str
    resolution: Resolution
    kind: SecurityKind = SecurityKind.EQUITY
    market: str = "usa"
    days: list[date] = Field(default_factory=list)
    searched: str = ""

    @property
    def found(self) -> bool:
        return bool(self.days)

    @property
    def first(self) -> date | None:
        return self.days[0] if self.days else None

    @property
    def last(self) -> date | None:
        return self.days[-1] if self.days else None

    def label(self) -> str:
        return f"{self.symbol} ({self.resolution.value})"

    def describe(self) -> str:
        """``SPY (daily): 1998-01-02 to 2021-03-31`` or ``SPY (minute): no data in <folder>``."""
        if not self.found:
            return f"{self.label()}: no data in {self.searched}"
        return f"{self.label()}: {self.first} to {self.last}"


def data_coverage(data_dir: Path, symbol: str, resolution: Resolution | str,
                  kind: SecurityKind | str = SecurityKind.EQUITY, market: str | None = None) -> DataRange:  # fmt: skip
    """The first and last day of ``symbol``'s data at ``resolution`` in the LEAN data folder ``data_dir``.

    Trade files are read for equities and crypto, quote files for forex (LEAN's layout, lean-reference §7).
    A damaged zip raises ``DataMissing`` naming it, as the engine would when reading it.
    """
    resolution, kind = Resolution(resolution), SecurityKind(kind)
    market = market or DEFAULT_MARKET[kind]
    folder = data_dir / kind.value / market / resolution.value
    ticker = symbol.lower()
    tick_types = ("quote",) if kind == SecurityKind.FOREX else ("trade", "quote")
    if resolution in DAY_FILE_RESOLUTIONS:
        searched = folder / ticker
        days = _day_file_days(searched, tick_types)
    else:
        names = [f"{ticker}.zip"] if kind != SecurityKind.CRYPTO else [f"{ticker}_{tick}.zip" for tick in tick_types]
        searched, days = folder / names[0], []
        for name in names:
            days = _zip_days(folder / name)
            if days:
                searched = folder / name
                break
    return DataRange(symbol=symbol.upper(), resolution=resolution, kind=kind, market=market, days=days,
                     searched=str(searched))  # fmt: skip


def available_ranges(data_dir: Path, symbol: str, kind: SecurityKind | str = SecurityKind.EQUITY,
                     market: str | None = None) -> list[DataRange]:  # fmt: skip
    """Every resolution ``symbol`` has data for (for showing what exists when the resolution is not known)."""
    ranges = [data_coverage(data_dir, symbol, resolution, kind, market) for resolution in Resolution]
    return [found for found in ranges if found.found]


def coverage_warnings(ranges: list[DataRange], start: date, end: date, data_dir: Path) -> list[RunWarning]:
    """What the data of each subscription leaves out of the period ``start``..``end``, counted in the
    exchange's trading days (data ending on the Thursday before a Good Friday end date is complete). A few
    missing days inside the period are normal (vendors skip unexpected closures); more are reported."""
    folder = LeanDataFolder(data_dir)
    warnings = []
    for found in ranges:
        if not found.found:
            warnings.append(RunWarning(code="no-data", message=f"no data for {found.label()} in {found.searched}: "
                                       "the run had no prices for it at all"))  # fmt: skip
            continue
        trading = _trading_days(folder.market_hours(found.kind, found.market, found.symbol), start, end)
        if not trading:
            continue  # no trading day in the period at all: nothing is missing
        if found.first > trading[-1] or found.last < trading[0]:
            warnings.append(RunWarning(code="no-data-in-period", message=(
                f"data for {found.label()} covers {found.first} to {found.last}, none of the period {start} to "
                f"{end}: {found.symbol} had no prices in the run at all"
            )))  # fmt: skip
            continue
        if found.last < trading[-1]:
            after = sum(day > found.last for day in trading)
            warnings.append(RunWarning(code="data-ends-early", message=(
                f"data for {found.label()} ends {found.last}, {_days(after)} before the period's end {end}: "
                f"after it {found.symbol} had no prices (nothing traded, its value frozen), so CAR, Sharpe and "
                f"drawdown do not describe {start} to {end} traded throughout"
            )))  # fmt: skip
        if found.first > trading[0]:
            before = sum(day < found.first for day in trading)
            warnings.append(RunWarning(code="data-starts-late", message=(
                f"data for {found.label()} starts {found.first}, {_days(before)} after the period's start "
                f"{start}: before it {found.symbol} could not trade, and those days dilute CAR and Sharpe"
            )))  # fmt: skip
        inside = [day for day in trading if found.first <= day <= found.last]
        have = set(found.days)
        missing = [day for day in inside if day not in have]
        if len(missing) > max(GAP_TOLERANCE_DAYS, len(inside) * GAP_TOLERANCE_SHARE):
            warnings.append(RunWarning(code="data-gaps", message=(
                f"data for {found.label()} is missing {len(missing)} of {len(inside)} trading days between "
                f"{inside[0]} and {inside[-1]} (the first on {missing[0]}): those days have no prices and no trades"
            )))  # fmt: skip
    return warnings


def data_span(ranges: list[DataRange], start: date, end: date) -> tuple[date | None, date | None]:
    """The first and last day of ``start``..``end`` on which any of ``ranges`` has data: the part of the
    period the run had prices for (``(None, None)`` when no day of data falls in it)."""
    inside = [day for found in ranges for day in found.days if start <= day <= end]
    return (min(inside), max(inside)) if inside else (None, None)


def coverage_problem(ranges: list[DataRange], start: date | None, end: date | None) -> str | None:
    """Why a run cannot work at all: a symbol without data, or a period holding no day of its data (a period
    between two minute files counts). None when some data falls in the period (partial cover is a warning
    for later, not a refusal)."""
    problems = []
    for found in ranges:
        if not found.found:
            problems.append(f"{found.label()} has no data in {found.searched}")
        elif not any((start is None or day >= start) and (end is None or day <= end) for day in found.days):
            problems.append(f"data for {found.describe()}")
    if not problems:
        return None
    if start is None and end is None:
        return "; ".join(problems)
    period = f"{start or 'the algorithm start'} to {end or 'the algorithm end'}"
    return f"the period {period} has no data: " + "; ".join(problems)


def _day_file_days(folder: Path, tick_types: tuple[str, ...]) -> list[date]:
    """The days of ``yyyymmdd_<type>.zip`` files in a minute/second/tick folder (names only, no reading)."""
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    stems = set()
    with entries:
        for entry in entries:
            stem, _, rest = entry.name.partition("_")
            if len(stem) == 8 and stem.isdigit() and rest.split(".")[0].split("_")[0] in tick_types:
                stems.add(stem)
    return [_yyyymmdd(stem) for stem in sorted(stems)]


def _zip_days(path: Path) -> list[date]:
    """The days of a whole-history zip (daily or hour): the dates its CSV lines start with."""
    if not path.is_file():
        return []
    stems: dict[bytes, None] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            member = next((info for info in archive.infolist() if info.filename.endswith(".csv")), None)
            if member is None:
                return []
            with archive.open(member) as lines:
                for line in lines:
                    if line[:8].isdigit():
                        stems[line[:8]] = None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DataMissing(f"Unreadable LEAN data file {path}: {error}", "Download this file again.") from error
    return sorted(_yyyymmdd(stem.decode()) for stem in stems)


def _yyyymmdd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _days(count: int) -> str:
    return f"{count:,} trading day{'' if count == 1 else 's'}"


def _trading_days(hours: MarketHours, start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if hours.is_trading_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
