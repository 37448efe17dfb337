"""LEAN's indicator rules on small inputs worked out by hand: readiness, the values before ready, composition
through Updated events, and the bar indicators."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backtest_core.engines.embedded import indicators as ind
from backtest_core.engines.embedded.model import SecurityType, Symbol, TradeBar

START = datetime(2013, 10, 7, 16)
SPY = Symbol.create("SPY", SecurityType.EQUITY, "usa")
IBM = Symbol.create("IBM", SecurityType.EQUITY, "usa")


def feed(indicator: ind.Indicator, values: list[float]) -> list[tuple[float, bool]]:
    seen = []
    for day, value in enumerate(values):
        indicator.update(START + timedelta(days=day), value)
        seen.append((round(indicator.current.value, 10), indicator.is_ready))
    return seen


def bar(day: int, high: float, low: float, close: float, symbol: Symbol = SPY, volume: float = 100) -> TradeBar:
    start = START + timedelta(days=day)
    return TradeBar(start, start + timedelta(days=1), symbol, close, high, low, close, volume)


def test_exponential_average_is_zero_until_ready_then_seeded_with_the_mean() -> None:
    assert feed(ind.ExponentialMovingAverage(3), [1, 2, 3, 4]) == [(0, False), (0, False), (2, True), (3, True)]


def test_wilders_average_starts_smoothing_at_its_period() -> None:
    # the simple mean of the first period-1 values, then x/3 + previous·2/3 from the third value on
    assert feed(ind.WildersMovingAverage(3), [1, 2, 3, 4]) == [
        (1, False), (1.5, False), (2, True), (round(4 / 3 + 2 * 2 / 3, 10), True),
    ]  # fmt: skip


def test_rsi_is_100_without_losses_and_named_as_given() -> None:
    rsi = ind.RelativeStrengthIndex("First", 2, ind.MovingAverageType.WILDERS)
    assert feed(rsi, [1, 2, 1.5]) == [(100, False), (100, False), (round(100 - 100 / 3, 10), True)]
    assert rsi.name == "First" and rsi.average_gain.name == "FirstUp"


def test_macd_signal_waits_for_both_averages() -> None:
    macd = ind.MovingAverageConvergenceDivergence(2, 3, 2)
    seen = feed(macd, [1, 2, 3, 4])
    assert seen == [(0, False), (1.5, False), (0.5, False), (0.5, True)]
    assert macd.signal.samples == 2 and macd.signal.current.value == pytest.approx(0.5)
    assert macd.histogram.samples == 1 and macd.histogram.current.value == pytest.approx(0.0)
    assert macd.fast.name == "MACD(2,3,2)_Fast"


def test_delay_gives_the_value_period_updates_back() -> None:
    assert feed(ind.Delay(2), [5, 6, 7, 8]) == [(5, False), (5, False), (5, True), (6, True)]


def test_a_composite_updates_when_both_parts_did_and_skips_a_division_by_zero() -> None:
    left, right = ind.Identity("a"), ind.Identity("b")
    ratio = ind.IndicatorExtensions.over(left, right)
    left.update(START, 6)
    assert ratio.samples == 0  # waits for the right part
    right.update(START, 3)
    assert ratio.current.value == 2 and ratio.name == "COMPOSE(a,b)"
    left.update(START + timedelta(days=1), 1)
    right.update(START + timedelta(days=1), 0)
    assert ratio.current.value == 2 and ratio.samples == 2  # LEAN's MathError: counted, not a value
    doubled = ind.IndicatorExtensions.times(left, 2)  # a constant updates with every left update
    left.update(START + timedelta(days=2), 4)
    assert doubled.current.value == 8


def test_of_feeds_a_moving_average_of_another_indicator_once_ready() -> None:
    source = ind.Delay(1)
    average = ind.IndicatorExtensions.sma(source, 2)
    feed(source, [10, 20, 30, 40])
    # the delay is ready from its second update: the average sees 10 (of 20), 20, 30
    assert average.samples == 3 and average.current.value == 25 and average.name == "SMA2_Of_DELAY(1)"


def test_a_manual_update_older_than_the_last_is_ignored() -> None:
    average = ind.SimpleMovingAverage(2)
    average.update(START, 1.0)
    average.update(START - timedelta(days=1), 5.0)
    assert average.samples == 1 and average.current.value == 1.0


def test_maximum_searches_again_when_its_extreme_leaves() -> None:
    maximum = ind.Maximum(3)
    assert [value for value, _ in feed(maximum, [1, 3, 2, 0, 0, 2])] == [1, 3, 3, 3, 2, 2]
    assert maximum.periods_since == 0  # the 2 just added equals the 2 three back: the newest wins


def test_stochastic_lines() -> None:
    stochastic = ind.Stochastic("FIRST", 3, 2, 2)
    for day, (high, low, close) in enumerate([(10, 8, 9), (11, 9, 10), (12, 10, 11), (11, 9, 9), (10, 8, 8)]):
        stochastic.update(bar(day, high, low, close))
        if day == 2:
            assert stochastic.fast_stoch.current.value == pytest.approx(75)  # (11 - 8) / (12 - 8)
    assert stochastic.stoch_k.current.value == pytest.approx(0)  # mean of the fast 0 and 0
    assert stochastic.stoch_d.current.value == pytest.approx(18.75)  # mean of %K 37.5 and 0
    assert stochastic.is_ready and stochastic.warm_up_period == 5


def test_arms_index_compares_periods_of_several_symbols() -> None:
    trin = ind.ArmsIndex()
    trin.add(SPY)
    trin.add(IBM)
    for day, (spy, ibm, spy_volume, ibm_volume) in enumerate([(10, 20, 100, 100), (11, 19, 300, 100)]):
        trin.update(bar(day, spy, spy, spy, SPY, spy_volume))
        trin.update(bar(day, ibm, ibm, ibm, IBM, ibm_volume))
    # once both symbols have the second period: one advancing (SPY, 300 shares), one declining (IBM, 100)
    assert trin.is_ready and trin.current.value == pytest.approx((1 / 1) / (300 / 100))
    trin.update(bar(2, 12, 12, 12, SPY, 100))  # a new period without IBM yet: no value, the last one stays
    assert trin.samples == 5 and trin.current.value == pytest.approx(1 / 3)


def test_bollinger_bands_are_composites_of_the_average_and_deviation() -> None:
    bands = ind.BollingerBands(3, 2)
    feed(bands, [1, 2, 3])
    deviation = (2 / 3) ** 0.5
    assert bands.current.value == 3  # LEAN's own value is the price
    assert bands.middle_band.current.value == pytest.approx(2)
    assert bands.upper_band.current.value == pytest.approx(2 + 2 * deviation)
    assert bands.percent_b.current.value == pytest.approx((3 - (2 - 2 * deviation)) / (4 * deviation))


def test_atr_smooths_every_true_range() -> None:
    atr = ind.AverageTrueRange(2, ind.MovingAverageType.SIMPLE)
    for day, (high, low, close) in enumerate([(10, 8, 9), (12, 10, 11), (11, 7, 8)]):
        atr.update(bar(day, high, low, close))
    # true ranges 2, max(2, |9-12|, |9-10|) = 3, max(4, 0, 4) = 4: the mean of the last two
    assert atr.current.value == pytest.approx(3.5) and atr.is_ready


def test_an_indicators_window_starts_with_the_point_before_its_first_update() -> None:
    """LEAN's ``IndicatorBase`` constructor sets ``Current = (DateTime.MinValue, 0)``, which ``WindowBase.Current``
    adds to the window of ``DefaultWindowSize`` (2) as its first sample; ``Reset`` adds it again
    (``Indicators/IndicatorBase.cs``, ``Common/Indicators/WindowBase.cs``). So a window resized to n is ready
    after n - 1 updates, with that point as its oldest item; iterating the indicator enumerates the window."""
    sma = ind.SimpleMovingAverage(3)
    assert (sma.window.size, sma.window.count, sma.window.samples) == (2, 1, 1)
    assert (sma[0].end_time, sma[0].value) == (datetime.min, 0)
    sma.window.size = 4
    feed(sma, [1, 2])
    assert not sma.window.is_ready
    sma.update(START + timedelta(days=2), 3)
    assert sma.window.is_ready and (sma.window.samples, sma.samples, sma.window.count) == (4, 3, 4)
    days = [START + timedelta(days=day) for day in (2, 1, 0)]
    assert [point.end_time for point in sma] == [*days, datetime.min]
    sma.update(START + timedelta(days=3), 4)
    assert [point.end_time for point in sma][-1] == START  # the point before the first update fell off
    sma.reset()
    assert [(point.end_time, point.value) for point in sma] == [(datetime.min, 0)] and sma.window.samples == 1


def test_a_rolling_window_resizes_and_gives_none_past_its_items_as_leans() -> None:
    """``Common/Indicators/RollingWindow.cs``: ``Size`` set resizes keeping the newest items; the indexer gives
    ``default`` past the items held, first growing the window to the index when it is past the size."""
    window = ind.RollingWindow(3)
    for item in "abc":
        window.add(item)
    window.size = 2
    assert list(window) == ["c", "b"] and window.count == 2
    assert window[1] == "b" and window[-1] == "b"
    assert window[4] is None and window.size == 5 and window.count == 2
    window.add("d")
    assert list(window) == ["d", "c", "b"] and window[3] is None
    with pytest.raises(IndexError):
        window[-6]
