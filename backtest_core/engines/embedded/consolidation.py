"""The engine side of LEAN's consolidators: which subscription feeds each one, the data of each time step,
and the scans between steps (LEAN's ``SubscriptionManager`` and its ``ConsolidatorWrapper``).

At a time step, after resting orders were filled, each consolidator gets its subscription's bar of the step
(a filled-forward trade bar too) and is then scanned at the step's exchange time, as LEAN's AlgorithmManager
does. Before a step, consolidators whose next scan time has passed are scanned at that time, with the
algorithm's clock there (LEAN's ``ScanPastConsolidators``): a daily bar of minute data is emitted at the
close, one of midnight-to-midnight periods at midnight. With no consolidator all of this costs one check
per step.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded import consolidators as cons
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.indicators.base import Indicator, IndicatorDataPoint
from backtest_core.engines.embedded.model import LeanObject, QuoteBar, Resolution, TradeBar, _Enum
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.broker import Security

NS = 1_000_000_000
END_OF_TIME = 2**63 - 1


class TickType(_Enum):
    TRADE = 0
    QUOTE = 1
    OPEN_INTEREST = 2
    Trade = 0
    Quote = 1
    OpenInterest = 2


class _Wrapper:
    """A consolidator's next scan time (LEAN's ConsolidatorWrapper): the expected end of its next bar once
    it has made one, else that of its working bar, else a data period from now."""

    _ids = itertools.count()

    def __init__(self, consolidator: cons.ConsolidatorBase, security: Security, clock: Any) -> None:
        self.consolidator, self.security, self.clock = consolidator, security, clock
        self.id = next(self._ids)
        self.increment_ns = max(NS, int(security_increment(security).total_seconds() * NS))
        self.span_ns: int | None = None
        self.scan_ns = 0
        self.removed = False
        consolidator.base_event += self.advance

    def local_now(self) -> Any:
        return self.clock.local_in(self.security.hours.exchange_tz)

    def scan(self) -> None:
        self.consolidator.scan(self.local_now())
        self.advance()

    def advance(self, sender: Any = None, bar: Any = None) -> None:
        now = self.clock.ns
        if bar is None and self.scan_ns > now:
            return
        zone = self.security.hours.exchange_tz
        if self.span_ns is not None:
            reference = _utc_ns(bar.end_time, zone) if bar is not None else now
            self.scan_ns = reference + self.span_ns
        elif bar is not None:
            self.span_ns = max(int((bar.end_time - bar.time).total_seconds() * NS), self.increment_ns)
            self.scan_ns = _utc_ns(bar.end_time, zone) + self.span_ns
        else:
            working = self.consolidator.working_data
            ends = _utc_ns(working.end_time, zone) if working is not None else None
            self.scan_ns = ends if ends is not None and ends > now else now + self.increment_ns


class Consolidation:
    """The consolidators of one backtest by subscription, fed and scanned by the time loop."""

    def __init__(self, backtest: Backtest) -> None:
        self.backtest = backtest
        self.by_security: dict[Any, dict[str, list[cons.ConsolidatorBase]]] = {}
        self.feeding: list[tuple[Security, list[cons.ConsolidatorBase], list[cons.ConsolidatorBase]]] = []
        self._wrappers: dict[int, _Wrapper] = {}
        self._pending: list[_Wrapper] = []
        self._queue: list[tuple[int, int, _Wrapper]] = []
        self.next_scan_ns = END_OF_TIME
        self._warned_daily_extended = False

    # -- SubscriptionManager ---------------------------------------------------------------------------

    def add(self, key: Any, consolidator: Any, tick_type: Any = None) -> None:
        """LEAN's ``add_consolidator``: to the first subscription of the symbol whose data it takes."""
        if not isinstance(consolidator, cons.ConsolidatorBase):
            raise UnsupportedApi(f"add_consolidator with a {type(consolidator).__name__} (Python consolidators)")
        security = self.backtest.security(key)
        kinds = subscription_kinds(security)
        if tick_type is not None and consolidator.input_kind == "any":
            wanted = "quote" if int(tick_type) == TickType.QUOTE else "trade"
            if wanted not in kinds:
                raise ValueError(
                    f"No subscription with the requested Tick Type {TickType(int(tick_type)).name.title()} was "
                    f"found. Available Tick Types: {', '.join(k.title() for k in kinds)}"
                )
        kind = next((k for k in kinds if consolidator.input_kind in ("any", k)), None)
        if kind is None:
            types = ",".join("TradeBar" if k == "trade" else "QuoteBar" for k in kinds)
            raise ValueError(
                f"Type mismatch found between consolidator and symbol. Symbol: {security.symbol.value} does not "
                f"support input type: {consolidator.input_type.__name__}. Supported types: {types}."
            )
        lists = self.by_security.setdefault(security.symbol, {"trade": [], "quote": []})
        if consolidator not in lists[kind]:
            lists[kind].append(consolidator)
        binder = getattr(consolidator, "bind", None)
        if binder is not None:
            binder(security)
        wrapper = _Wrapper(consolidator, security, self.backtest.clock)
        self._wrappers[id(consolidator)] = wrapper
        self._pending.append(wrapper)
        self.next_scan_ns = -1  # the pending ones get their first scan time at the next step
        self.backtest.wake.ns = 0
        self._refresh()

    def remove(self, key: Any, consolidator: Any) -> None:
        for lists in self.by_security.values():
            for kind in lists.values():
                if consolidator in kind:
                    kind.remove(consolidator)
        wrapper = self._wrappers.pop(id(consolidator), None)
        if wrapper is not None:
            wrapper.removed = True
        consolidator.dispose()
        self._refresh()

    def _refresh(self) -> None:
        self.feeding = [
            (self.backtest.securities[symbol], lists["trade"], lists["quote"])
            for symbol, lists in self.by_security.items()
            if lists["trade"] or lists["quote"]
        ]

    # -- the time loop's side --------------------------------------------------------------------------

    def scan_before(self, limit_ns: int) -> None:
        """LEAN's ScanPastConsolidators: scan those whose scan time is before ``limit_ns``, at that time."""
        clock = self.backtest.clock
        for wrapper in self._pending:
            wrapper.advance()
            heapq.heappush(self._queue, (wrapper.scan_ns, wrapper.id, wrapper))
        self._pending = []
        queue = self._queue
        while queue and queue[0][0] < limit_ns:
            scan_ns, _, wrapper = heapq.heappop(queue)
            if wrapper.removed:
                continue
            if clock.ns != scan_ns:
                clock.ns = scan_ns
            if wrapper.scan_ns <= scan_ns:
                self.backtest.guard_consolidators(wrapper.scan)
            heapq.heappush(queue, (wrapper.scan_ns, wrapper.id, wrapper))
        self.next_scan_ns = queue[0][0] if queue else END_OF_TIME

    def update(self, step_ns: int, filled: Any, filled_quotes: Any) -> None:
        """Each consolidator's data of this step (its trade or quote bar, or one filled forward), then a scan
        at the step's exchange time."""
        for security, trade_consolidators, quote_consolidators in self.feeding:
            for consolidators, feed in ((trade_consolidators, security.trade_feed),
                                        (quote_consolidators, security.quote_feed)):  # fmt: skip
                if not consolidators:
                    continue
                bar = None
                if feed is not None and feed.current_ns == step_ns:
                    bar = feed.bar()
                elif feed is not None:
                    bar = (filled_quotes if feed.is_quote else filled).get(security.symbol)
                if bar is None:
                    continue  # LEAN updates and scans the consolidators of subscriptions with data this step
                local = bar.end_time  # the step's exchange time: the bar ends now
                for consolidator in list(consolidators):
                    consolidator.update(bar)
                    consolidator.scan(local)
        if self._pending:
            self.next_scan_ns = -1
            self.backtest.wake.ns = 0

    # -- making consolidators as QCAlgorithm does ------------------------------------------------------

    def create(self, key: Any, calendar: Any = None, tick_type: Any = None, period: timedelta | None = None,
               resolution: Any = None, output: type | None = None) -> cons.ConsolidatorBase:  # fmt: skip
        """LEAN's ``CreateConsolidator(symbol, calendar, tickType, period, resolution, type)``."""
        security = self.backtest.security(key)
        kind = subscription_kind(security, tick_type)
        increment = security_increment(security)
        level = Resolution(int(resolution)) if resolution is not None else None
        if (period is not None and period < increment) or (level is not None and level < security.resolution):
            name = security.symbol.value
            raise ValueError(
                f"Unable to create {name} consolidator because {name} is registered for "
                f"{security.resolution.name.title()} data. Consolidators require higher resolution data to "
                "produce lower resolution data."
            )
        bars = cons.TradeBarConsolidator if kind == "trade" else cons.QuoteBarConsolidator
        if calendar is not None:
            consolidator: cons.ConsolidatorBase = bars(calendar)
        else:
            if period is None and level is None:
                period = increment
            if period == increment or level == security.resolution:
                consolidator = cons.IdentityDataConsolidator(kind)
            elif level == Resolution.DAILY:
                if security.extended_market_hours and not self._warned_daily_extended:
                    self._warned_daily_extended = True
                    self.backtest.algorithm_message(
                        "Debug",
                        f"Warning: The subscription for {security.symbol.value} has ExtendedMarketHours=true, but "
                        "Settings.DailyConsolidationUseExtendedMarketHours=false. Daily consolidations will exclude "
                        "extended market hours. Enable algorithm.Settings.DailyConsolidationUseExtendedMarketHours "
                        "to include them.",
                    )
                consolidator = cons.MarketHourAwareConsolidator(True, level, kind)
            else:
                consolidator = bars(period if period is not None else cons.resolution_span(level))
        if output is not None and not issubclass(consolidator.output_type, output):
            raise ValueError(
                "Unable to consolidate with the specified handler because the consolidator's output type is "
                f"{consolidator.output_type.__name__} but the handler's input type is "
                f"{'TradeBar' if kind == 'trade' else 'QuoteBar'}."
            )
        return consolidator

    def create_by_size(self, key: Any, size: float, output: type, tick_type: Any) -> cons.ConsolidatorBase:
        """LEAN's ``CreateConsolidator(symbol, size, type, tickType)``: a brick, a range or a count."""
        self.backtest.security(key)
        if output is cons.VolumeRenkoBar:
            return cons.VolumeRenkoConsolidator(size)
        if output is cons.RenkoBar:
            return cons.RenkoConsolidator(size)
        if output is cons.RangeBar:
            return cons.RangeConsolidator(int(size))
        if output is TradeBar:
            return cons.TradeBarConsolidator(int(size))
        if output is QuoteBar:
            return cons.QuoteBarConsolidator(int(size))
        return cons.BaseDataConsolidator(int(size))

    def feed_indicator(self, key: Any, indicator: Indicator, consolidator: cons.ConsolidatorBase,
                       selector: Callable[[Any], Any] | None) -> None:  # fmt: skip
        """LEAN's RegisterIndicator with a consolidator: its bars update the indicator (a value indicator
        with the selected value at the bar's end, a bar indicator with the bar)."""
        self.add(key, consolidator)
        indicator.consolidators.append(consolidator)
        if indicator.needs_bar:

            def update(sender: Any, bar: Any) -> None:
                indicator.update(selector(bar) if selector is not None else bar)
        else:

            def update(sender: Any, bar: Any) -> None:
                value = selector(bar) if selector is not None else bar.value
                indicator.update(IndicatorDataPoint(bar.symbol, bar.end_time, float(value)))

        consolidator.base_event += update


class SubscriptionManager(LeanObject):
    """``self.subscription_manager``: adding and removing consolidators."""

    def __init__(self, consolidation: Consolidation) -> None:
        self._consolidation = consolidation

    def add_consolidator(self, symbol: Any, consolidator: Any, tick_type: Any = None) -> None:
        self._consolidation.add(symbol, consolidator, tick_type)

    def remove_consolidator(self, symbol: Any, consolidator: Any) -> None:
        self._consolidation.remove(symbol, consolidator)

    AddConsolidator = add_consolidator
    RemoveConsolidator = remove_consolidator


def subscription_kinds(security: Security) -> list[str]:
    """The data subscriptions LEAN makes for a security, in its order: trade bars, then quote bars."""
    if security.kind == SecurityKind.FOREX:
        return ["quote"]
    if security.resolution in (Resolution.MINUTE, Resolution.SECOND):
        return ["trade", "quote"]
    return ["trade"]


def subscription_kind(security: Security, tick_type: Any) -> str:
    """LEAN's ``GetSubscription(symbol, tickType)``: that tick type's subscription, else the first."""
    kinds = subscription_kinds(security)
    if tick_type is not None:
        wanted = "quote" if int(tick_type) == TickType.QUOTE else "trade"
        if wanted in kinds:
            return wanted
    return kinds[0]


def security_increment(security: Security) -> timedelta:
    return cons.resolution_span(security.resolution)


def _utc_ns(local: Any, zone: Any) -> int:
    return int(local.replace(tzinfo=zone).timestamp() * 1_000_000) * 1000


def consolidate(backtest: Backtest, args: tuple[Any, ...], named: dict[str, Any]) -> cons.ConsolidatorBase:
    """QCAlgorithm.consolidate's Python overloads, as LEAN dispatches them."""
    consolidation = backtest.consolidation
    if args and isinstance(args[0], type):
        names = ("type", "symbol", "size", "tick_type", "handler")
        given = dict(zip(names, args, strict=False)) | named
        consolidator = consolidation.create_by_size(given["symbol"], given["size"], given["type"],
                                                    given.get("tick_type"))  # fmt: skip
        _attach(consolidation, given["symbol"], consolidator, given.get("tick_type"), given.get("handler"))
        return consolidator
    names = ("symbol", "period", "tick_type", "handler") if len(args) >= 4 else ("symbol", "period", "handler")
    given = dict(zip(names, args, strict=False)) | named
    period, tick_type = given.get("period", given.get("calendar")), given.get("tick_type")
    if isinstance(period, Resolution):
        consolidator = consolidation.create(given["symbol"], tick_type=tick_type, resolution=period)
    elif isinstance(period, timedelta):
        consolidator = consolidation.create(given["symbol"], tick_type=tick_type, period=period)
    elif callable(period):
        consolidator = consolidation.create(given["symbol"], calendar=period, tick_type=tick_type)
    else:
        raise ValueError(
            f"consolidate: the period must be a Resolution, a timedelta or a calendar function, not {period!r}"
        )
    _attach(consolidation, given["symbol"], consolidator, tick_type, given.get("handler"))
    return consolidator


def _attach(consolidation: Consolidation, key: Any, consolidator: cons.ConsolidatorBase, tick_type: Any,
            handler: Callable[[Any], Any] | None) -> None:  # fmt: skip
    """The handler hears each bar; only a consolidator with a handler is registered (LEAN's)."""
    if handler is None:
        return
    consolidator.base_event += lambda sender, bar: handler(bar)
    consolidation.add(key, consolidator, tick_type)
