"""``warm_up_indicator`` and automatic indicator warm-up, as LEAN's ``WarmUpIndicator``.

With a resolution (or none): the indicator is reset and fed the last ``warm_up_period`` bars of history (a
trade bar where a moment has both), as LEAN's ``IndicatorHistory``. With a period: that many periods of the
nearest resolution go through a consolidator of the period, registered for the warm-up and removed after,
and the indicator is fed its bars (then the bar still forming, once scanned at the current time).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from backtest_core.engines.embedded.consolidators import resolution_span
from backtest_core.engines.embedded.history import bars_start_ns, request_kinds
from backtest_core.engines.embedded.indicators.base import Indicator, IndicatorDataPoint
from backtest_core.engines.embedded.model import Resolution
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.backtest import Backtest
    from backtest_core.engines.embedded.broker import Security

WARNING = (
    "Warning: the 'WarmUpIndicator' feature only works with indicators which inherit from "
    "'IIndicatorWarmUpPeriodProvider' and define a warm up period, setting property 'WarmUpPeriod' with a "
    "value > 0. The provided indicator of type '{}' will not be warmed up."
)


def warm_up_indicator(backtest: Backtest, keys: Any, indicator: Indicator, resolution: Any, selector: Any) -> None:
    securities = [backtest.security(key) for key in (keys if isinstance(keys, list | tuple) else [keys])]
    if not getattr(indicator, "provides_warm_up", True):
        backtest.algorithm_message("Debug", WARNING.format(type(indicator).__name__), once=True)
        return
    if isinstance(resolution, timedelta):
        _through_consolidators(backtest, securities, indicator, resolution, selector)
        return
    indicator.reset()
    update = _updater(indicator, selector)
    for _, bar in _slices(backtest, securities, indicator.warm_up_period, resolution):
        update(bar)


def _updater(indicator: Indicator, selector: Any) -> Any:
    if indicator.needs_bar:
        return lambda bar: indicator.update(selector(bar) if selector is not None else bar)
    return lambda bar: indicator.update(
        IndicatorDataPoint(bar.symbol, bar.end_time, float(selector(bar) if selector is not None else bar.value))
    )


def _slices(backtest: Backtest, securities: list[Security], periods: int, resolution: Any,
            only: str = "any") -> list[tuple[Any, Any]]:  # fmt: skip
    """The history of each security by end time, a trade bar where there are both (LEAN's ``slice[symbol]``),
    or only the bars of one kind."""
    by_time: dict[tuple[int, int], Any] = {}
    for order, security in enumerate(securities):
        level = Resolution(int(resolution)) if resolution is not None else security.resolution
        kinds = [kind for kind in request_kinds(security, level) if only in ("any", kind)]
        for kind in sorted(kinds, key=lambda k: k != "quote"):
            window = backtest.history_requests.window(bars_start_ns(security, periods, level, backtest.clock.ns))
            for bar in backtest.history_requests.bars(security, kind, level, window, security.fill_forward):
                by_time[(_end_ns(bar, security), order)] = bar  # the trade bar comes second and wins
    return [(key, by_time[key]) for key in sorted(by_time)]


def _through_consolidators(backtest: Backtest, securities: list[Security], indicator: Indicator, period: timedelta,
                           selector: Any) -> None:  # fmt: skip
    level = higher_resolution_equivalent(period)
    if level < Resolution.SECOND:
        raise UnsupportedApi("warm_up_indicator with a period under a second (tick data)")
    periods = indicator.warm_up_period * max(1, int(period / resolution_span(level)))
    update = _updater(indicator, selector)
    consolidation = backtest.consolidation
    for security in securities:
        consolidator = consolidation.create(security, period=period)
        consolidator.base_event += lambda sender, bar: update(bar)
        consolidation.add(security, consolidator)
        for _, bar in _slices(backtest, [security], periods, level, consolidator.input_kind):
            consolidator.update(bar)
        if consolidator.working_data is not None:
            consolidator.scan(backtest.clock.local_in(security.hours.exchange_tz))
        consolidation.remove(security, consolidator)


def higher_resolution_equivalent(period: timedelta) -> Resolution:
    """LEAN's ``ToHigherResolutionEquivalent(false)``: the coarsest resolution not longer than ``period``."""
    steps = ((Resolution.TICK, timedelta(seconds=1)), (Resolution.SECOND, timedelta(minutes=1)),
             (Resolution.MINUTE, timedelta(hours=1)), (Resolution.HOUR, timedelta(days=1)))  # fmt: skip
    for level, span in steps:
        if period < span:
            return level
    return Resolution.DAILY


def _end_ns(bar: Any, security: Security) -> int:
    return int(bar.end_time.replace(tzinfo=security.hours.exchange_tz).timestamp() * 1_000_000) * 1000
