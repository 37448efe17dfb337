"""``self.history``: LEAN's history requests over the data folder, as LEAN answers them.

A request for a number of bars starts where LEAN's ``GetStartTimeForTradeBars`` does (that many open periods
back from now; a daily one counts today only once its session closed), a span starts that long ago; both end
now. Bars ending after the start and by the end are returned, filled forward where the market was open and a
bar is missing (LEAN's FillForwardEnumerator, seeded by the bar ending at the start), adjusted as the
security is. ``self.history(...)`` gives LEAN's DataFrame (index symbol and time, the bar's end in the exchange
time zone; trade and quote columns as LEAN's PandasConverter names them), ``self.history[TradeBar](...)`` the
bars themselves. Every bar handed out counts as LEAN's history data point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest_core.engines.embedded.clock import local_datetime
from backtest_core.engines.embedded.consolidators import resolution_span, round_down
from backtest_core.engines.embedded.data import Bars, SecurityKind
from backtest_core.engines.embedded.fill_forward import fill_forward_times
from backtest_core.engines.embedded.model import Bar, QuoteBar, Resolution, TradeBar
from backtest_core.engines.embedded.timezones import local_naive_ns
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.broker import Security

NS = 1_000_000_000
TRADE_COLUMNS = ("open", "high", "low", "close", "volume")
SIDES = (("ask", "ask"), ("bid", "bid"))
OPTIONS = ("fill_forward", "extended_market_hours", "data_mapping_mode", "data_normalization_mode",
           "contract_depth_offset", "flatten")  # fmt: skip


@dataclass
class Window:
    """A request's span in UTC nanoseconds: bars ending in ``(start_ns, end_ns]``."""

    start_ns: int
    end_ns: int


class History:
    """The algorithm's ``history``: callable for DataFrames, ``history[TradeBar]`` for bars."""

    def __init__(self, backtest: Backtest) -> None:
        self._backtest = backtest

    def __call__(self, *args: Any, **named: Any) -> pd.DataFrame:
        if args and isinstance(args[0], type):  # history(TradeBar, symbols, ...)
            kinds = (_kind_of(args[0]),)
            args = args[1:]
        else:
            kinds = None
        if not args or (isinstance(args[0], int | timedelta) and not isinstance(args[0], bool)):
            raise UnsupportedApi("history without symbols (slices of every security)")
        keys = args[0] if isinstance(args[0], list | tuple) else [args[0]]
        frames = []
        for key in keys:
            security = self._backtest.security(key)
            window, level, fill = self._request(security, args[1:], named)
            for_kinds = kinds or request_kinds(security, level)
            frames.append(self._frame(security, level, window, fill, for_kinds))
        frames = [frame for frame in frames if len(frame)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames).sort_index(axis=1)

    def __getitem__(self, data_type: type) -> Callable[..., list[Any]]:
        kind = _kind_of(data_type)

        def bars(key: Any, *args: Any, **named: Any) -> list[Any]:
            if isinstance(key, list | tuple):
                raise UnsupportedApi(f"history[{data_type.__name__}] with a list of symbols (data dictionaries)")
            security = self._backtest.security(key)
            window, level, fill = self._request(security, args, named)
            return self.bars(security, kind, level, window, fill)

        return bars

    # -- requests --------------------------------------------------------------------------------------

    def window(self, start_ns: int) -> Window:
        """From ``start_ns`` to now."""
        return Window(start_ns, self._backtest.clock.ns)

    def _request(self, security: Security, args: tuple[Any, ...], named: dict[str, Any]) -> tuple[Window, Any, bool]:
        """``(periods | span | start, end[, resolution, fill_forward, extended_market_hours, ...])``."""
        args = list(args)
        when = args.pop(0) if args else named.pop("periods", named.pop("span", named.pop("start", None)))
        end = None
        if isinstance(when, datetime | date) and not isinstance(when, bool):
            end = args.pop(0) if args else named.pop("end", None)
        names = ("resolution", *OPTIONS)
        given = dict(zip(names, args, strict=False)) | named
        unknown = set(given) - set(names)
        if unknown:
            raise UnsupportedApi(f"history({', '.join(sorted(unknown))}=...)")
        for option in ("data_mapping_mode", "contract_depth_offset"):
            if given.get(option) is not None:
                raise UnsupportedApi(f"history({option}=...)")
        if given.get("flatten"):
            raise UnsupportedApi("history(flatten=True)")
        if given.get("data_normalization_mode") is not None:
            raise UnsupportedApi("history(data_normalization_mode=...): only the security's own")
        extended = given.get("extended_market_hours")
        if extended is not None and bool(extended) != security.extended_market_hours:
            raise UnsupportedApi("history(extended_market_hours=...) other than the security's own")
        level = Resolution(int(given["resolution"])) if given.get("resolution") is not None else security.resolution
        if level == Resolution.TICK:
            raise UnsupportedApi("history at tick resolution")
        fill = security.fill_forward if given.get("fill_forward") is None else bool(given["fill_forward"])
        clock = self._backtest.clock
        if isinstance(when, int) and not isinstance(when, bool):
            return Window(bars_start_ns(security, int(when), level, clock.ns), clock.ns), level, fill
        if isinstance(when, timedelta):
            start = self._backtest.local_time - when
            return Window(self._utc_ns(start), clock.ns), level, fill
        if isinstance(when, datetime | date) and isinstance(end, datetime | date):
            start_ns, end_ns = self._utc_ns(_as_datetime(when)), self._utc_ns(_as_datetime(end))
            return Window(start_ns, min(end_ns, clock.ns)), level, fill  # no data from the future
        raise UnsupportedApi(f"history with {when!r} (a bar count, a timedelta or start and end)")

    def _utc_ns(self, local: datetime) -> int:
        return int(local.replace(tzinfo=self._backtest.time_zone).timestamp() * 1_000_000) * 1000

    # -- data ------------------------------------------------------------------------------------------

    def bars(self, security: Security, kind: str, level: Resolution, window: Window, fill: bool) -> list[Any]:
        """The bars of one kind as LEAN's TradeBar or QuoteBar objects (filled-forward ones marked so)."""
        loaded = self.load(security, kind, level, window, fill)
        if loaded is None:
            return []
        bars, filled = loaded
        return [_bar_object(security, bars, index, kind, filled[index]) for index in range(len(bars))]

    def load(self, security: Security, kind: str, level: Resolution, window: Window,
             fill: bool) -> tuple[Bars, np.ndarray] | None:  # fmt: skip
        """The window's bars and which of them are filled forward; each counts as a history data point."""
        zone = security.hours.exchange_tz
        first = local_datetime(window.start_ns, zone).date() - timedelta(days=1)
        last = local_datetime(window.end_ns, zone).date()
        bars = self._backtest.load_bars(security, level, kind, first, last)
        if bars is None:
            return None
        seed = bars.end_ns >= window.start_ns  # LEAN reads from the bar ending at the start, the fill's seed
        bars = bars.select(seed & (bars.end_ns <= window.end_ns))
        filled = np.zeros(len(bars), dtype=bool)
        if fill and len(bars):
            bars, filled = fill_forward(bars, security, level, window.end_ns)
        keep = bars.end_ns > window.start_ns
        bars, filled = bars.select(keep), filled[keep]
        self._backtest.history_data_points += len(bars)
        return bars, filled

    def _frame(self, security: Security, level: Resolution, window: Window, fill: bool,
               kinds: tuple[str, ...]) -> pd.DataFrame:  # fmt: skip
        """LEAN's frame of one symbol: a quote bar's columns first, a trade bar's over them at the same time."""
        columns: dict[str, pd.Series] = {}
        zone = security.hours.exchange_tz
        for kind in sorted(kinds, key=lambda k: k != "quote"):
            loaded = self.load(security, kind, level, window, fill)
            if loaded is None or not len(loaded[0]):
                continue
            bars = loaded[0]
            times = pd.DatetimeIndex(local_naive_ns(bars.end_ns, zone).astype("datetime64[ns]"))
            if kind == "quote":
                for side, prefix in SIDES:
                    prices = getattr(bars, side)
                    for position, name in enumerate(("open", "high", "low", "close")):
                        columns[f"{prefix}{name}"] = pd.Series(prices[:, position], index=times)
                    columns[f"{prefix}size"] = pd.Series(getattr(bars, f"{side}_size"), index=times)
                for name in ("open", "high", "low", "close"):
                    columns[name] = pd.Series(getattr(bars, name), index=times)
            else:
                for name in TRADE_COLUMNS:
                    trade = pd.Series(getattr(bars, name), index=times)
                    columns[name] = trade.combine_first(columns[name]) if name in columns else trade
        if not columns:
            return pd.DataFrame()
        frame = pd.DataFrame(columns)
        frame.index = pd.MultiIndex.from_arrays(
            [[security.symbol.value] * len(frame), frame.index], names=["symbol", "time"]
        )
        return frame


def request_kinds(security: Security, level: Resolution) -> tuple[str, ...]:
    """The data LEAN's history gives for a security at a resolution: equities' daily and hour data are trades
    only; their finer data, and crypto's, trades and quotes; forex quotes."""
    if security.kind == SecurityKind.FOREX:
        return ("quote",)
    if security.kind == SecurityKind.EQUITY and level in (Resolution.DAILY, Resolution.HOUR):
        return ("trade",)
    if security.kind == SecurityKind.CRYPTO and level not in (Resolution.MINUTE, Resolution.SECOND):
        return ("trade",)
    return ("trade", "quote")


def bars_start_ns(security: Security, count: int, level: Resolution, now_ns: int) -> int:
    """LEAN's ``GetStartTimeForTradeBars``: ``count`` periods back from now through the exchange's open
    hours (a daily equity bar counts only once its session closed)."""
    hours, zone = security.hours, security.hours.exchange_tz
    span = max(resolution_span(level), timedelta(seconds=1))
    extended = security.extended_market_hours and level < Resolution.HOUR
    current = local_datetime(now_ns, zone)
    precise = level == Resolution.DAILY and security.kind == SecurityKind.EQUITY
    if precise:
        session = hours.regular_session(current.date())
        if session is None or session[1] > current:
            current = round_down(current, span)
    else:
        current = _round_down_in(current, span, zone, hours.data_tz)
    counted = 0
    while counted < count:
        previous, current = current, current - span
        if hours.is_open_during(current, previous, extended):
            counted += 1
    return int(current.replace(tzinfo=zone).timestamp() * 1_000_000) * 1000


def _round_down_in(moment: datetime, span: timedelta, zone: Any, data_zone: Any) -> datetime:
    """LEAN's ``RoundDownInTimeZone``: rounded in the data's time zone (it is stored there)."""
    if data_zone == zone:
        return round_down(moment, span)
    there = moment.replace(tzinfo=zone).astimezone(data_zone).replace(tzinfo=None)
    return round_down(there, span).replace(tzinfo=data_zone).astimezone(zone).replace(tzinfo=None)


def fill_forward(bars: Bars, security: Security, level: Resolution, end_ns: int) -> tuple[Bars, np.ndarray]:
    """Bars where the market was open and none came: the previous bar's close, no volume (LEAN's); which of
    the returned bars are such."""
    hours, extended = security.hours, security.extended_market_hours
    expected = fill_forward_times(hours, level, extended, int(bars.end_ns[0]), end_ns)
    missing = expected[~np.isin(expected, bars.end_ns)]
    if not len(missing):
        return bars, np.zeros(len(bars), dtype=bool)
    source = np.searchsorted(bars.end_ns, missing, side="right") - 1  # the bar each fills forward
    if level == Resolution.DAILY and security.kind == SecurityKind.EQUITY:
        starts = np.array([_session_start_ns(security, ns) for ns in missing.tolist()], dtype=np.int64)
    else:
        starts = missing - int(resolution_span(level).total_seconds() * NS)
    close, no_volume = bars.close[source], np.zeros(len(missing))
    if bars.is_quote:
        bid = np.repeat(bars.bid[source, 3:4], 4, axis=1)
        ask = np.repeat(bars.ask[source, 3:4], 4, axis=1)
        made = Bars(missing, starts, close, close, close, close, no_volume, bid, ask, bars.bid_size[source],
                    bars.ask_size[source])  # fmt: skip
    else:
        made = Bars(missing, starts, close, close, close, close, no_volume)
    joined = _concatenated(bars, made)
    order = np.argsort(joined.end_ns, kind="stable")
    filled = np.concatenate([np.zeros(len(bars), dtype=bool), np.ones(len(missing), dtype=bool)])
    return Bars(*(None if column is None else column[order] for column in _columns(joined))), filled[order]


def _columns(bars: Bars) -> tuple[Any, ...]:
    return (bars.end_ns, bars.start_ns, bars.open, bars.high, bars.low, bars.close, bars.volume, bars.bid,
            bars.ask, bars.bid_size, bars.ask_size)  # fmt: skip


def _concatenated(first: Bars, second: Bars) -> Bars:
    pairs = zip(_columns(first), _columns(second), strict=True)
    return Bars(*(None if one is None else np.concatenate([one, other]) for one, other in pairs))


def _session_start_ns(security: Security, end_ns: int) -> int:
    zone = security.hours.exchange_tz
    session = security.hours.regular_session(local_datetime(end_ns, zone).date())
    return int(session[0].replace(tzinfo=zone).timestamp() * 1_000_000) * 1000


def _bar_object(security: Security, bars: Bars, index: int, kind: str, filled: bool) -> Any:
    zone = security.hours.exchange_tz
    start, end = local_datetime(int(bars.start_ns[index]), zone), local_datetime(int(bars.end_ns[index]), zone)
    if kind == "quote":
        bid, ask = Bar(*bars.bid[index].tolist()), Bar(*bars.ask[index].tolist())
        return QuoteBar(start, end, security.symbol, bid, ask, float(bars.bid_size[index]),
                        float(bars.ask_size[index]))  # fmt: skip
    values = (bars.open, bars.high, bars.low, bars.close, bars.volume)
    return TradeBar(start, end, security.symbol, *(float(column[index]) for column in values), filled)


def _kind_of(data_type: type) -> str:
    if issubclass(data_type, QuoteBar):
        return "quote"
    if issubclass(data_type, TradeBar):
        return "trade"
    raise UnsupportedApi(f"history of {data_type.__name__} (only TradeBar and QuoteBar)")


def _as_datetime(moment: date | datetime) -> datetime:
    return moment if isinstance(moment, datetime) else datetime.combine(moment, datetime.min.time())
