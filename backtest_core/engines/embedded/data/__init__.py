"""LEAN's on-disk data format, read into columnar numpy arrays (no per-row Python objects).

Layout and encodings (``../shared/docs/lean-reference.md`` §7): US equity prices are integers ×10,000, times
are milliseconds since midnight in the exchange time zone for minute/second files and ``yyyyMMdd HH:mm``
for hour/daily; crypto (Coinbase) and forex (Oanda) prices are plain decimals with times in UTC. Daily
equity bars end at the market close (LEAN's ``DailyPreciseEndTime``).
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from isal import isal_zlib

from backtest_core.engines.embedded.data.map_files import MapFile, resolver_for
from backtest_core.engines.embedded.timezones import local_days
from backtest_core.errors import DataMissing
from backtest_core.models import Resolution

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
NS_PER_MS = 1_000_000
DAYS_PER_PARSE = 64  # calendar days of files parsed together (about 17,000 minute bars)
READ_THREADS = 2
EQUITY_SCALE = 10_000.0
ZIP_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # signature ... name length, extra length
ZIP_LOCAL_SIGNATURE = 0x04034B50
ZIP_ENCRYPTED = 0x1
BAR_SPAN = {
    Resolution.SECOND: timedelta(seconds=1),
    Resolution.MINUTE: timedelta(minutes=1),
    Resolution.HOUR: timedelta(hours=1),
    Resolution.DAILY: timedelta(days=1),
}


class SecurityKind(StrEnum):
    EQUITY = "equity"
    CRYPTO = "crypto"
    FOREX = "forex"


DEFAULT_MARKET = {SecurityKind.EQUITY: "usa", SecurityKind.CRYPTO: "coinbase", SecurityKind.FOREX: "oanda"}
EQUITY_MARKETS = ("usa", "india")  # the equity markets whose data, hours and fees the engine models
MHDB_TYPE = {SecurityKind.EQUITY: "Equity", SecurityKind.CRYPTO: "Crypto", SecurityKind.FOREX: "Forex"}


@dataclass(frozen=True)
class Bars:
    """Bars of one subscription, ordered by end time. ``end_ns`` is UTC nanoseconds since the epoch.

    Trade bars fill ``open/high/low/close/volume``; quote bars fill ``bid``/``ask`` OHLC and sizes (and, for
    convenience, ``close`` as the mid of bid and ask closes).
    """

    end_ns: np.ndarray
    start_ns: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    bid: np.ndarray | None = None  # shape (n, 4): open, high, low, close
    ask: np.ndarray | None = None
    bid_size: np.ndarray | None = None
    ask_size: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.end_ns)

    @property
    def is_quote(self) -> bool:
        return self.bid is not None

    def select(self, mask: np.ndarray) -> Bars:
        if mask.all():  # the usual case: no copy of every column
            return self

        def pick(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[mask]

        return Bars(
            self.end_ns[mask], self.start_ns[mask], self.open[mask], self.high[mask], self.low[mask], self.close[mask],
            self.volume[mask], pick(self.bid), pick(self.ask), pick(self.bid_size), pick(self.ask_size),
        )  # fmt: skip

    def scaled(self, factors: np.ndarray) -> Bars:
        """Prices multiplied bar by bar (LEAN's Adjusted normalisation), volumes and quote sizes divided and
        rounded to whole shares (to even, as ``Math.Round``), as LEAN's ``Extensions.Scale`` does."""
        column = factors[:, None]

        def shares(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else np.round(values / factors)

        return Bars(
            self.end_ns, self.start_ns, self.open * factors, self.high * factors, self.low * factors,
            self.close * factors, shares(self.volume),
            None if self.bid is None else self.bid * column, None if self.ask is None else self.ask * column,
            shares(self.bid_size), shares(self.ask_size),
        )  # fmt: skip


@dataclass
class MarketHours:
    """One exchange's sessions, holidays and early closes, from LEAN's market-hours database."""

    exchange_tz: ZoneInfo
    data_tz: ZoneInfo
    sessions: dict[int, list[tuple[timedelta, timedelta, str]]]  # weekday -> (start, end, state)
    holidays: set[date] = field(default_factory=set)
    early_closes: dict[date, timedelta] = field(default_factory=dict)
    late_opens: dict[date, timedelta] = field(default_factory=dict)
    _session_of_day: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # regular sessions already worked out (asked for at every order and fill)
    _last_open: tuple[datetime, bool, bool] | None = field(default=None, init=False, repr=False, compare=False)

    def regular_session(self, day: date) -> tuple[datetime, datetime] | None:
        """Regular market open and close (exchange time) of ``day``, or None when closed all day."""
        if day not in self._session_of_day:
            self._session_of_day[day] = self._work_out_session(day)
        return self._session_of_day[day]

    def next_regular_close(self, local: datetime) -> datetime | None:
        """LEAN's ``GetNextMarketClose(local, extendedMarketHours: false)``: the first regular close after
        ``local`` (exchange time), looking a week ahead; None when there is none."""
        for offset in range(8):
            session = self.regular_session(local.date() + timedelta(days=offset))
            if session is not None and session[1] > local:
                return session[1]
        return None

    def _work_out_session(self, day: date) -> tuple[datetime, datetime] | None:
        if day in self.holidays:
            return None
        markets = [(s, e) for s, e, state in self.sessions.get(day.weekday(), []) if state == "market"]
        if not markets:
            return None
        start, end = markets[0][0], markets[-1][1]
        start = max(start, self.late_opens.get(day, start))
        end = min(end, self.early_closes.get(day, end))
        midnight = datetime.combine(day, time.min)
        return midnight + start, midnight + end

    def open_windows(self, day: date, extended: bool) -> list[tuple[datetime, datetime]]:
        """The exchange-time windows in which ``day`` trades: its regular session's segments, and with extended
        hours also the pre- and post-market ones (as ``is_open`` counts them: early closes shorten the regular
        session only)."""
        if day in self.holidays:
            return []
        regular = self.regular_session(day)
        midnight = datetime.combine(day, time.min)
        windows = []
        if regular is not None:  # each market segment (forex closes 16:58-17:03 midweek), within late open/early close
            for start, end, state in self.sessions.get(day.weekday(), []):
                if state == "market" and max(midnight + start, regular[0]) < min(midnight + end, regular[1]):
                    windows.append((max(midnight + start, regular[0]), min(midnight + end, regular[1])))
        if extended:
            windows += [
                (midnight + start, midnight + end)
                for start, end, state in self.sessions.get(day.weekday(), [])
                if state != "market"
            ]
        return windows

    def is_open_during(self, start: datetime, end: datetime, extended: bool) -> bool:
        """Whether the exchange is open at any moment of ``[start, end)`` (LEAN's ``IsOpenDuringBar``)."""
        day = start.date()
        while datetime.combine(day, time.min) < end:
            if any(open_ < end and close > start for open_, close in self.open_windows(day, extended)):
                return True
            day += timedelta(days=1)
        return False

    def is_trading_day(self, day: date) -> bool:
        return self.regular_session(day) is not None

    def is_open(self, local: datetime, extended: bool = False) -> bool:
        """Whether the exchange is open at ``local`` (exchange time); the last answer kept, since a market order
        asks at its placement and again at its fill, the same moment."""
        last = self._last_open
        if last is not None and last[0] == local and last[1] == extended:
            return last[2]
        answer = self._is_open(local, extended)
        self._last_open = (local, extended, answer)
        return answer

    def _is_open(self, local: datetime, extended: bool) -> bool:
        day = local.date()
        if day in self.holidays:
            return False
        offset = local - datetime.combine(day, time.min)
        for start, end, state in self.sessions.get(local.weekday(), []):
            if (state == "market" or extended) and start <= offset < end:
                if state == "market":
                    session = self.regular_session(day)
                    return session is not None and session[0] <= local < session[1]
                return True
        return False

    def next_open(self, after: datetime) -> datetime:
        """The next regular open strictly after ``after`` (exchange time)."""
        day = after.date()
        for _ in range(400):
            session = self.regular_session(day)
            if session is not None and session[0] > after:
                return session[0]
            day += timedelta(days=1)
        raise DataMissing("market hours: no market open within 400 days", "Check the market-hours database.")


@dataclass(frozen=True)
class FactorFile:
    """Rows ``(date, price_factor, split_factor)``; adjusted price on D = raw × factors of the first row ≥ D."""

    dates: np.ndarray  # datetime64[D]
    price_factor: np.ndarray
    split_factor: np.ndarray
    texts: tuple[tuple[str, str], ...] = ()  # each row's price and split factor as written (LEAN's decimals)
    references: tuple[str, ...] = ()  # each row's reference price as written ("0" where the row has none)

    def scale(self, days: np.ndarray) -> np.ndarray:
        """Price scale for each ``datetime64[D]`` in ``days``."""
        index = np.searchsorted(self.dates, days, side="left")
        index = np.minimum(index, len(self.dates) - 1)
        return self.price_factor[index] * self.split_factor[index]

    def decimal_scale(self, day: np.datetime64) -> Decimal:
        """LEAN's ``PriceScaleFactor`` on ``day`` as the decimal it multiplies prices by (the scales of both
        factors as written add up, which shows in the digits LEAN prints)."""
        index = min(int(np.searchsorted(self.dates, day, side="left")), len(self.dates) - 1)
        price, split = self.texts[index]
        return Decimal(price) * Decimal(split)


@dataclass(frozen=True)
class SymbolProperties:
    lot_size: float = 1.0
    minimum_price_variation: float = 0.01
    quote_currency: str = "USD"
    minimum_order_size: float = 0.0


class LeanDataFolder:
    """A LEAN data folder. Reads are memoised per instance (one instance per backtest)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._zips: dict[Path, bytes | None] = {}

    # -- reference databases -----------------------------------------------------------------------------

    @cached_property
    def _market_hours_entries(self) -> dict[str, dict]:
        path = self.root / "market-hours" / "market-hours-database.json"
        if not path.exists():
            return {}
        return json.loads(path.read_text())["entries"]

    def market_hours(self, kind: SecurityKind | str, market: str, ticker: str) -> MarketHours:
        """The entry for ``kind`` (or a database type name such as ``Option``), market and ticker."""
        entries = self._market_hours_entries
        prefix = f"{MHDB_TYPE.get(kind, kind)}-{market}-"
        entry = entries.get(prefix + ticker.upper()) or entries.get(prefix + "[*]")
        if entry is None:
            return _default_hours(kind)
        sessions: dict[int, list[tuple[timedelta, timedelta, str]]] = {}
        for weekday, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")):
            sessions[weekday] = [
                (_span(item["start"]), _span(item["end"]), item["state"].lower()) for item in entry.get(name, [])
            ]
        return MarketHours(
            exchange_tz=ZoneInfo(entry["exchangeTimeZone"]),
            data_tz=ZoneInfo(entry["dataTimeZone"]),
            sessions=sessions,
            holidays={_us_date(text) for text in entry.get("holidays", [])},
            early_closes={_us_date(k): _span(v) for k, v in entry.get("earlyCloses", {}).items()},
            late_opens={_us_date(k): _span(v) for k, v in entry.get("lateOpens", {}).items()},
        )

    @cached_property
    def _symbol_properties(self) -> dict[tuple[str, str, str], SymbolProperties]:
        path = self.root / "symbol-properties" / "symbol-properties-database.csv"
        table: dict[tuple[str, str, str], SymbolProperties] = {}
        if not path.exists():
            return table
        for row in csv.reader(path.read_text().splitlines()):
            if len(row) < 8 or row[0].startswith("#") or row[0] == "market":
                continue
            minimum = float(row[9]) if len(row) > 9 and row[9] else 0.0
            table[(row[0], row[1].upper(), row[2])] = SymbolProperties(
                lot_size=float(row[7]), minimum_price_variation=float(row[6]), quote_currency=row[4],
                minimum_order_size=minimum,
            )  # fmt: skip
        return table

    def symbol_property_entries(self, type_name: str, market: str) -> list[tuple[str, SymbolProperties]]:
        """The database's entries of one security type (``forex``, ``cfd``, ``crypto``) and market, in file
        order (LEAN's ``GetSymbolPropertiesList``)."""
        return [(key[1], entry) for key, entry in self._symbol_properties.items()
                if key[0] == market and key[2] == type_name]  # fmt: skip

    def symbol_properties(
        self, kind: SecurityKind, market: str, ticker: str, default_quote_currency: str = "USD"
    ) -> SymbolProperties:
        """The database's entry, else its market-wide ``[*]`` one, else LEAN's ``SymbolProperties.GetDefault``
        quoted in ``default_quote_currency`` (LEAN's ``SecurityService`` passes the account currency: an India
        equity under an INR account is quoted in INR)."""
        table = self._symbol_properties
        found = table.get((market, ticker.upper(), kind.value)) or table.get((market, "[*]", kind.value))
        if found is not None:
            return found
        lot_size = 1.0 if kind == SecurityKind.EQUITY else 0.00000001
        return SymbolProperties(lot_size=lot_size, quote_currency=default_quote_currency.upper())

    # -- map files (equities) ----------------------------------------------------------------------------

    def map_file_of_ticker(self, market: str, ticker: str, today: date) -> MapFile:
        """The map file of a ticker as an algorithm names it, resolved at ``today`` (LEAN's
        ``SecurityIdentifier.GenerateEquity``): its first ticker and date make the security identifier."""
        return resolver_for(self.root / "equity" / market / "map_files").resolve(ticker, today)

    def map_file_of_identifier(self, market: str, first_ticker: str, first_date: date) -> MapFile:
        """The map file the data feed reads by (LEAN's ``ResolveMapFile(config)``: the identifier's ticker at
        its date); its permtick names the factor file."""
        return resolver_for(self.root / "equity" / market / "map_files").resolve(first_ticker, first_date)

    def adjusted(self, bars: Bars, permtick: str, exchange_tz: ZoneInfo, market: str = "usa") -> Bars:
        """Equity bars scaled by the permtick's factor file (LEAN's default Adjusted normalisation)."""
        factors = self.factor_file(permtick, market)
        if factors is None:
            return bars
        return bars.scaled(factors.scale(local_days(bars.start_ns, exchange_tz)))

    def factor_file(self, permtick: str, market: str = "usa") -> FactorFile | None:
        path = self.root / "equity" / market / "factor_files" / f"{permtick.lower()}.csv"
        if not path.exists():
            return None
        rows = []
        for line in path.read_text().splitlines():
            parts = line.strip().split(",")
            if len(parts) < 3 or "inf" in line or "e+" in line:
                continue
            price, split = float(parts[1]), float(parts[2])
            if price == 0 or split == 0:
                continue
            day = np.datetime64(f"{parts[0][:4]}-{parts[0][4:6]}-{parts[0][6:8]}")
            reference = parts[3].strip() if len(parts) > 3 else "0"
            rows.append((day, price, split, parts[1].strip(), parts[2].strip(), reference))
        if not rows:
            return None
        return FactorFile(
            np.array([r[0] for r in rows], dtype="datetime64[D]"),
            np.array([r[1] for r in rows]),
            np.array([r[2] for r in rows]),
            tuple((r[3], r[4]) for r in rows),
            tuple(r[5] for r in rows),
        )

    @cached_property
    def _interest_rates(self) -> tuple[np.ndarray, np.ndarray] | None:
        path = self.root / "alternative" / "interest-rate" / "usa" / "interest-rate.csv"
        if not path.exists():
            return None
        days, rates = [], []
        for row in csv.reader(path.read_text().splitlines()[1:]):
            if len(row) >= 2 and row[0]:
                days.append(np.datetime64(row[0]))
                rates.append(float(row[1]) / 100.0)
        order = np.argsort(days)
        return np.array(days, dtype="datetime64[D]")[order], np.array(rates)[order]

    def risk_free_rate(self, day: date) -> float:
        """LEAN's InterestRateProvider: the last rate on or before ``day`` (first rate before the file starts;
        1% when the file is missing)."""
        table = self._interest_rates
        if table is None:
            return 0.01
        days, rates = table
        index = np.searchsorted(days, np.datetime64(day, "D"), side="right") - 1
        return float(rates[max(index, 0)])

    # -- bars --------------------------------------------------------------------------------------------

    def folder(self, kind: SecurityKind, market: str, resolution: Resolution) -> Path:
        return self.root / kind.value / market / resolution.value

    def expected_path(self, kind: SecurityKind, market: str, ticker: str, resolution: Resolution,
                      tick_type: str, day: date | None = None) -> Path:  # fmt: skip
        base = self.folder(kind, market, resolution)
        name = ticker.lower()
        if resolution in (Resolution.HOUR, Resolution.DAILY):
            suffix = "" if kind == SecurityKind.EQUITY or kind == SecurityKind.FOREX else f"_{tick_type}"
            return base / f"{name}{suffix}.zip"
        return base / name / _day_file_name(day or date(2000, 1, 1), tick_type)

    def read_bars(self, kind: SecurityKind, market: str, ticker: str, resolution: Resolution, tick_type: str,
                  start: date, end: date) -> Bars | None:  # fmt: skip
        """Raw bars whose end falls in ``[start, end]`` (dates in the exchange time zone), or None if no file."""
        hours_tz = self.market_hours(kind, market, ticker).data_tz
        if resolution in (Resolution.HOUR, Resolution.DAILY):
            path = self.expected_path(kind, market, ticker, resolution, tick_type)
            if kind == SecurityKind.FOREX and tick_type == "trade":
                return None
            text = self._zip_text(path)
            if text is None:
                return None
            lines = _lines_near(text, start, end, path)
            bars = _parse_dated(lines, kind, resolution, hours_tz, quote=tick_type == "quote")
            lo = _utc_ns(datetime.combine(start, time.min), hours_tz)
            hi = _utc_ns(datetime.combine(end + timedelta(days=1), time.min), hours_tz)
            bars = bars.select((bars.start_ns >= lo) & (bars.start_ns < hi))
            if kind == SecurityKind.EQUITY and resolution == Resolution.DAILY:
                bars = _strict_daily_times(bars, self.market_hours(kind, market, ticker))
            return bars
        # day files joined and parsed a block at a time: a parser call per day file cost more than the parsing,
        # and joining ten years at once would hold all of their text in memory. Blocks are read by worker
        # threads, two at once: inflating and pandas' tokenizer both release the GIL
        folder = self.expected_path(kind, market, ticker, resolution, tick_type).parent
        days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
        blocks = [days[first : first + DAYS_PER_PARSE] for first in range(0, len(days), DAYS_PER_PARSE)]
        with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
            parsed = pool.map(lambda block: _read_day_block(folder, block, tick_type, hours_tz), blocks)
            parts = [part for part in parsed if part is not None]
        if not parts:
            return None
        start_ns, numbers = (np.concatenate(columns) for columns in zip(*parts, strict=True))
        return _bars_from(numbers, start_ns, BAR_SPAN[resolution], kind, quote=tick_type == "quote")

    def _zip_text(self, path: Path) -> str | None:
        """The CSV inside a whole-history LEAN zip (daily, hour), kept for re-reads."""
        if path not in self._zips:
            self._zips[path] = _zip_csv(path)
        content = self._zips[path]
        return None if content is None else content.decode()


def joined(parts: list[Bars]) -> Bars:
    """Bars of consecutive periods (a renamed ticker's files, one after the other) as one series."""
    if len(parts) == 1:
        return parts[0]

    def column(name: str) -> np.ndarray | None:
        values = [getattr(part, name) for part in parts]
        return None if values[0] is None else np.concatenate(values)

    names = ("end_ns", "start_ns", "open", "high", "low", "close", "volume", "bid", "ask", "bid_size", "ask_size")
    return Bars(*(column(name) for name in names))


def _zip_csv(path: Path) -> bytes | None:
    """The CSV inside a LEAN zip, or None when there is no such file (a day without trading). A file that is
    there but damaged fails with its path: skipping it would silently drop a day of prices.

    A deflated member is inflated with ISA-L rather than through ``zipfile``: three times zlib's speed, and
    inflating was a third of the time a minute backtest spent reading its data."""
    try:
        packed = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(packed)) as archive:
            member = next((info for info in archive.infolist() if info.filename.endswith(".csv")), None)
            if member is None:
                return None
            if member.compress_type != zipfile.ZIP_DEFLATED or member.flag_bits & ZIP_ENCRYPTED:
                return archive.read(member)
            return _inflated(packed, member)
    except (zipfile.BadZipFile, isal_zlib.error, NotImplementedError, RuntimeError) as error:
        raise DataMissing(
            f"Unreadable LEAN data file {path}: {error}",
            "Download this file again (or delete it to run without it).",
        ) from error


def _inflated(packed: bytes, member: zipfile.ZipInfo) -> bytes:
    """A deflated member's bytes, found through its local header (whose name and extra field lengths may
    differ from the central directory's) and checked against the directory's CRC-32."""
    signature, *_, name_length, extra_length = ZIP_LOCAL_HEADER.unpack_from(packed, member.header_offset)
    if signature != ZIP_LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"no local header for {member.filename}")
    begin = member.header_offset + ZIP_LOCAL_HEADER.size + name_length + extra_length
    content = isal_zlib.decompress(
        memoryview(packed)[begin : begin + member.compress_size], wbits=-15, bufsize=member.file_size
    )
    if isal_zlib.crc32(content) != member.CRC:
        raise zipfile.BadZipFile(f"bad CRC-32 for {member.filename}")
    return content


def _day_file_name(day: date, tick_type: str) -> str:
    return f"{day:%Y%m%d}_{tick_type}.zip"


def _read_day_block(
    folder: Path, days: list[date], tick_type: str, zone: ZoneInfo
) -> tuple[np.ndarray, np.ndarray] | None:
    """The bars of consecutive days' files: (start times in UTC ns, the other columns as floats), or None when
    none of the days has a file."""
    texts, midnights, rows = [], [], []
    for day in days:
        content = _clean_lines(_zip_csv(folder / _day_file_name(day, tick_type)))
        if content:
            texts.append(content)
            midnights.append(_utc_ns(datetime.combine(day, time.min), zone))
            rows.append(content.count(b"\n"))
    if not texts:
        return None
    numbers = _csv_numbers(b"".join(texts), f"{folder} ({days[0]} to {days[-1]})")
    day_starts = np.repeat(np.array(midnights, dtype=np.int64), rows)
    return day_starts + numbers[:, 0].astype(np.int64) * NS_PER_MS, numbers[:, 1:]


def _clean_lines(content: bytes | None) -> bytes:
    """One row per line, each ending in a newline: no carriage returns, no blank lines (empty: no rows)."""
    if not content:
        return b""
    if b"\r" in content:
        content = content.replace(b"\r", b"")
    edges_clean = not content[:1].isspace() and not content[-2:-1].isspace()
    if edges_clean and content.endswith(b"\n") and b"\n\n" not in content:
        return content  # the usual file, as it is: no copies of a day's text
    lines = content.strip()
    if b"\n\n" in lines:
        lines = b"\n".join(line for line in lines.split(b"\n") if line.strip())
    return lines + b"\n" if lines else b""


def _csv_numbers(content: bytes, where: str) -> np.ndarray:
    """An all-numeric CSV as a float matrix (pandas' C parser: exact, and fast on a year of minutes); a text
    field or a short row is refused with the files it came from, never read as NaN prices. pandas is imported
    here, on the first file read: the run's supervisor and the Run page check data coverage through this module
    and never parse a price."""
    import pandas as pd

    try:
        numbers = pd.read_csv(io.BytesIO(content), header=None).to_numpy(dtype=float)
    except ValueError as error:  # pandas' ParserError is a ValueError too
        problem = str(error).strip().splitlines()[0]
    else:
        if not np.isnan(numbers).any():
            return numbers
        problem = "a row with missing fields"
    raise DataMissing(
        f"Unreadable LEAN data in {where}: {problem}",
        "Download these day files again (or delete them to run without those days).",
    )


def _span(text: str) -> timedelta:
    """``HH:mm:ss`` or ``d.HH:mm:ss`` (LEAN TimeSpan) as a timedelta."""
    days = 0
    if "." in text.split(":")[0]:
        head, text = text.split(".", 1)
        days = int(head)
    hours, minutes, seconds = (float(part) for part in text.split(":"))
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _us_date(text: str) -> date:
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def _default_hours(kind: SecurityKind | str) -> MarketHours:
    if kind in (SecurityKind.EQUITY, "Option", "Index", "IndexOption"):  # US stock-market hours
        regular = [(timedelta(hours=9, minutes=30), timedelta(hours=16), "market")]
        return MarketHours(NEW_YORK, NEW_YORK, {d: regular if d < 5 else [] for d in range(7)})
    whole_day = [(timedelta(0), timedelta(days=1), "market")]
    return MarketHours(UTC, UTC, dict.fromkeys(range(7), whole_day))


def _utc_ns(local: datetime, zone: ZoneInfo) -> int:
    return int(local.replace(tzinfo=zone).timestamp() * 1_000_000) * 1000


TRADE_COLUMNS, QUOTE_COLUMNS = 5, 10  # after the time: OHLCV; bid OHLC and size, ask OHLC and size


def _lines_near(text: str, start: date, end: date, path: Path) -> list[str]:
    """The lines of an hour or daily file dated from the day before ``start`` to the day after ``end`` (the
    exact cut by time follows the parse): a file holds every year of a ticker, and parsing all of it cost a
    one-year daily run 1.7 s of its 2.2 s (the hourly benchmark feed). A line anywhere in the file that does
    not start with a date fails the read, as parsing the whole file did."""
    low, high = (start - timedelta(days=1)).strftime("%Y%m%d"), (end + timedelta(days=1)).strftime("%Y%m%d")
    kept = []
    for line in text.splitlines():
        day = line[:8]
        if low <= day <= high:
            kept.append(line)
        elif line and not (day.isdigit() and len(day) == 8):
            raise DataMissing(
                f"Unreadable LEAN data in {path}: a line that does not start with a date (YYYYMMDD): {line[:40]!r}",
                "Download this file again (or delete it to run without it).",
            )
    return kept


def _dated_table(lines: list[str], width: int) -> tuple[list[str], np.ndarray]:
    """CSV lines whose first column is a date text: (those texts, float matrix of the other ``width`` columns;
    a window without rows is an empty matrix of that width, so it reads as no bars)."""
    rows = [line.split(",") for line in lines]
    if not rows:
        return [], np.empty((0, width))
    return [row[0] for row in rows], np.array([row[1:] for row in rows], dtype=float)


def _bars_from(numbers: np.ndarray, start_ns: np.ndarray, span: timedelta, kind: SecurityKind, quote: bool) -> Bars:
    scale = EQUITY_SCALE if kind == SecurityKind.EQUITY else 1.0
    end_ns = start_ns + int(span.total_seconds() * 1e9)
    if quote:
        bid = numbers[:, 0:4] / scale
        ask = numbers[:, 5:9] / scale
        bid_size, ask_size = numbers[:, 4], numbers[:, 9]
        # a side with no quote is written as 0: use the other side there
        bid = np.where(bid > 0, bid, ask)
        ask = np.where(ask > 0, ask, bid)
        mid = (bid + ask) / 2
        return Bars(end_ns, start_ns, mid[:, 0], mid[:, 1], mid[:, 2], mid[:, 3], np.zeros(len(end_ns)),
                    bid, ask, bid_size, ask_size)  # fmt: skip
    return Bars(end_ns, start_ns, numbers[:, 0] / scale, numbers[:, 1] / scale, numbers[:, 2] / scale,
                numbers[:, 3] / scale, numbers[:, 4])  # fmt: skip


def _parse_dated(lines: list[str], kind: SecurityKind, resolution: Resolution, zone: ZoneInfo, quote: bool) -> Bars:
    keys, numbers = _dated_table(lines, QUOTE_COLUMNS if quote else TRADE_COLUMNS)
    starts = np.array([_utc_ns(datetime.strptime(key, "%Y%m%d %H:%M"), zone) for key in keys], dtype=np.int64)
    return _bars_from(numbers, starts, BAR_SPAN[resolution], kind, quote)


def _strict_daily_times(bars: Bars, hours: MarketHours) -> Bars:
    """LEAN's ``DailyPreciseEndTime`` (``LeanData.SetStrictEndTimes``): a daily equity bar spans its day's
    regular session, from the open to the close (13:00 on an early close), not midnight to midnight. A bar of
    a day without a session keeps its times."""
    zone = hours.exchange_tz
    days = local_days(bars.start_ns, zone)
    start_ns, end_ns = bars.start_ns.copy(), bars.end_ns.copy()
    for index, day in enumerate(days.astype(object)):
        session = hours.regular_session(day)
        if session is not None:
            start_ns[index], end_ns[index] = _utc_ns(session[0], zone), _utc_ns(session[1], zone)
    return Bars(end_ns, start_ns, bars.open, bars.high, bars.low, bars.close, bars.volume,
                bars.bid, bars.ask, bars.bid_size, bars.ask_size)  # fmt: skip
