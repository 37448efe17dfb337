"""LEAN's map files: which ticker a security traded under on each date, its first date and its delisting date.

``map_files/<permtick>.csv`` holds rows ``yyyyMMdd,ticker[,exchange[,mapping mode]]``: each row's ticker is in
effect up to and including its date, the first row is the first date with data and the last row's date is the
delisting date (``20501231``: still trading). Reproduced from LEAN's ``MapFile``, ``MapFileRow``,
``MapFileResolver`` and ``LocalDiskMapFileProvider``:

- a ticker as the algorithm names it today (``AAA.1``, ``VXX.1``, ``SPY``) is resolved at today's date, first
  through the rows of every map file that carry it, then by the file of that name; its first ticker and first
  date make the security identifier (``AAA SEVKGI6HF885``);
- the data feed resolves the map file again from the identifier (first ticker at the first date): the rows'
  tickers name the data files to read for each date, and nothing is read after the delisting date.

The folder is read once per process (every file: a ticker's history may sit in another permtick's file) and
its lookups are memoised.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

BEGINNING_OF_TIME = date(1998, 1, 2)  # LEAN's Time.BeginningOfTime and SecurityIdentifier.DefaultDate
END_OF_TIME = date(2050, 12, 31)  # LEAN's Time.EndOfTime as map files write it


@dataclass(frozen=True)
class MapFile:
    """One permtick's rows, by date. Empty (no file, or an unreadable one) means no mapping: the ticker as
    given, data on any date."""

    permtick: str
    dates: tuple[date, ...] = ()
    tickers: tuple[str, ...] = ()

    @property
    def first_date(self) -> date:
        return self.dates[0] if self.dates else BEGINNING_OF_TIME

    @property
    def delisting_date(self) -> date:
        return self.dates[-1] if self.dates else END_OF_TIME

    @property
    def first_ticker(self) -> str:
        """The ticker on the first date, a trailing ``.<number>`` taken off (``AAA.1`` → ``AAA``)."""
        ticker = self.mapped_symbol(self.first_date, self.permtick)
        head, dot, number = ticker.rpartition(".")
        return head if dot and head and number.isdigit() else ticker

    def mapped_symbol(self, day: date, default: str = "") -> str:
        """The ticker in effect on ``day``: that of the first row dated on or after it (``default`` past
        the last row)."""
        index = bisect.bisect_left(self.dates, day)
        return self.tickers[index] if index < len(self.tickers) else default

    def has_data(self, day: date) -> bool:
        """LEAN reads no data before the first date or after the delisting date."""
        return not self.dates or self.first_date <= day <= self.delisting_date

    def ticker_ranges(self, first: date, last: date, default: str) -> list[tuple[str, date, date]]:
        """``[first, last]`` cut where the ticker changes, as ``(ticker, from, to)``; the days without data
        (before the first date, after the delisting) left out."""
        first, last = max(first, self.first_date), min(last, self.delisting_date)
        ranges: list[tuple[str, date, date]] = []
        day = first
        while day <= last:
            index = bisect.bisect_left(self.dates, day)
            ticker = self.tickers[index] if index < len(self.tickers) else default
            to = min(last, self.dates[index]) if index < len(self.dates) else last
            ranges.append((ticker, day, to))
            day = to + timedelta(days=1)
        return ranges


@dataclass
class MapFileResolver:
    """Every map file of one market's folder, by permtick and by the tickers its rows carry."""

    by_permtick: dict[str, MapFile] = field(default_factory=dict)
    by_ticker: dict[str, list[tuple[date, str]]] = field(default_factory=dict)  # (row date, permtick), by date

    @classmethod
    def read(cls, folder: Path) -> MapFileResolver:
        resolver = cls()
        if not folder.is_dir():
            return resolver
        for path in sorted(folder.glob("*.csv")):
            resolver.add(read_map_file(path))
        return resolver

    def add(self, map_file: MapFile) -> None:
        self.by_permtick[map_file.permtick] = map_file
        for day, ticker in zip(map_file.dates, map_file.tickers, strict=True):
            entries = self.by_ticker.setdefault(ticker, [])
            place = bisect.bisect_left(entries, (day, ""))
            if place < len(entries) and entries[place][0] == day:
                continue  # LEAN keeps the first file's row for a date (and refuses a conflicting history)
            entries.insert(place, (day, map_file.permtick))

    def resolve(self, ticker: str, day: date) -> MapFile:
        """LEAN's ``ResolveMapFile(symbol, date)``: the file whose rows carry ``ticker`` on ``day`` (or the
        next date it does, or its last one), else the file named ``ticker``; empty when that file begins
        after ``day``."""
        permtick = ticker.upper()
        entries = self.by_ticker.get(permtick)
        if entries:
            index = min(bisect.bisect_left(entries, (day, "")), len(entries) - 1)
            permtick = entries[index][1]
        found = self.by_permtick.get(permtick)
        if found is None or (found.first_date > day and day != BEGINNING_OF_TIME):
            return MapFile(permtick)
        return found


def read_map_file(path: Path) -> MapFile:
    """One ``map_files/<permtick>.csv``. Rows LEAN cannot parse make it skip the file, as LEAN logs and
    skips it; blank lines are ignored."""
    permtick = path.stem.upper()
    rows: dict[date, str] = {}
    try:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            fields = line.split(",")
            text = fields[0].strip()
            rows.setdefault(date(int(text[:4]), int(text[4:6]), int(text[6:8])), fields[1].strip().upper())
    except (ValueError, IndexError, OSError):
        return MapFile(permtick)
    ordered = sorted(rows.items())
    return MapFile(permtick, tuple(day for day, _ in ordered), tuple(ticker for _, ticker in ordered))


def resolver_for(folder: Path) -> MapFileResolver:
    """The folder's resolver, read once per process while the folder is unchanged."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except FileNotFoundError:
        stamp = -1
    return _read_resolver(folder.resolve(), stamp)


@cache
def _read_resolver(folder: Path, stamp: int) -> MapFileResolver:
    return MapFileResolver.read(folder)
