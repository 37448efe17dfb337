"""LEAN's consolidator classes on hand-made bars: each bar they emit worked out by hand from LEAN's rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backtest_core.engines.embedded import consolidators as cons
from backtest_core.engines.embedded.model import Bar, QuoteBar, SecurityType, Symbol, TradeBar

SPY = Symbol.create("SPY", SecurityType.EQUITY, "usa")
MONDAY = datetime(2013, 10, 7, 9, 30)


def minute(index: int, close: float, volume: float = 100.0, high: float | None = None,
           low: float | None = None) -> TradeBar:  # fmt: skip
    start = MONDAY + timedelta(minutes=index)
    return TradeBar(start, start + timedelta(minutes=1), SPY, close, high or close, low or close, close, volume)


def collect(consolidator: cons.ConsolidatorBase) -> list:
    made: list = []
    consolidator.data_consolidated += lambda sender, bar: made.append(bar)
    return made


def ohlc(bar) -> tuple[float, float, float, float]:
    return bar.open, bar.high, bar.low, bar.close


def test_classic_renko_bricks_open_at_the_previous_close() -> None:
    renko = cons.ClassicRenkoConsolidator(1.0)
    made = collect(renko)
    for index, value in enumerate([10.2, 10.9, 11.1, 11.5, 12.3, 10.0]):
        renko.update(minute(index, value))
    # the first brick opens at the multiple above 10.2; 12.3 closes it at 12, then 10.0 closes the next at 11
    assert [ohlc(bar) for bar in made] == [(11.0, 12.0, 10.9, 12.0), (12.0, 12.0, 11.0, 11.0)]
    assert made[0].time == MONDAY and made[0].end_time == MONDAY + timedelta(minutes=4)
    assert made[0].volume == 500  # LEAN counts the data that opens a brick in it as well
    assert type(made[0]) is cons.RenkoBar and made[0].direction == cons.BarDirection.RISING


def test_classic_renko_bricks_of_a_tenth_stay_exact() -> None:
    renko = cons.ClassicRenkoConsolidator(0.1)
    made = collect(renko)
    for index, value in enumerate([144.21, 144.31, 144.41, 144.52]):
        renko.update(minute(index, value))
    assert [bar.close for bar in made] == [144.4, 144.5]  # decimals as LEAN's: 144.3 + 0.1 is 144.4


def test_wicked_renko_makes_whole_bricks_with_wicks() -> None:
    renko = cons.RenkoConsolidator(1.0)
    made = collect(renko)
    for index, value in enumerate([10.2, 11.6, 12.1, 10.4, 9.5]):
        renko.update(minute(index, value))
    # 10.2 rounds to 10; up two bricks; the reversal needs a brick below the last brick's open (11 - 1)
    assert [ohlc(bar) for bar in made] == [(10, 11, 10, 11), (11, 12, 11, 12), (11, 12.1, 10, 10)]
    assert all(bar.type == cons.RenkoType.WICKED for bar in made)


def test_range_bars_close_a_range_apart_and_the_next_continues(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cons, "minimum_price_variation", lambda symbol: 0.01)
    ranges = cons.RangeConsolidator(100)  # 100 ticks of 0.01
    made = collect(ranges)
    for index, value in enumerate([10.2, 10.5, 12.3]):
        ranges.update(minute(index, value))
    assert [ohlc(bar) for bar in made] == [(11.0, 11.5, 10.5, 11.5)]  # opens at the range multiple above
    assert made[0].volume == 200 and made[0].time == datetime.min  # LEAN never sets a range bar's start
    working = ranges.working_data
    assert (working.open, working.high, working.volume) == (11.51, 12.3, 100)  # opened a tick past the close

    classic = cons.ClassicRangeConsolidator(100)
    made = collect(classic)
    for index, value in enumerate([10.2, 10.5, 12.3]):
        classic.update(minute(index, value))
    assert [ohlc(bar) for bar in made] == [(11.0, 11.5, 10.5, 11.5)]
    assert classic.working_data.open == 12.3  # the classic one opens at the value that closed the last


def test_volume_renko_carries_the_excess_volume() -> None:
    volume = cons.VolumeRenkoConsolidator(100)
    made = collect(volume)
    volume.update(minute(0, 10.0, volume=60))
    volume.update(minute(1, 11.0, volume=70, high=11.5))
    assert [(bar.volume, bar.open, bar.high, bar.close) for bar in made] == [(100, 10.0, 11.5, 11.0)]
    assert volume.working_data.volume == 30
    with pytest.raises(ValueError, match="must be used with TradeBar or Tick data"):
        volume.update(QuoteBar(MONDAY, MONDAY, SPY, Bar(1, 1, 1, 1), Bar(1, 1, 1, 1), 1, 1))


def test_weekly_calendar_bars_start_on_monday() -> None:
    weekly = cons.TradeBarConsolidator(cons.Calendar.WEEKLY)
    made = collect(weekly)
    for offset, close in enumerate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]):  # Monday to Friday, then next Monday
        day = datetime(2013, 10, 7) + timedelta(days=offset if offset < 5 else 7)
        weekly.update(TradeBar(day, day + timedelta(days=1), SPY, close, close + 1, close - 1, close, 10))
    assert len(made) == 1
    assert (made[0].time, made[0].end_time) == (datetime(2013, 10, 7), datetime(2013, 10, 14))
    assert (ohlc(made[0]), made[0].volume) == ((1.0, 6.0, 0.0, 5.0), 50)


def test_monthly_calendar_and_a_calendar_that_starts_late() -> None:
    assert cons.Calendar.MONTHLY(datetime(2013, 2, 14, 10)).start == datetime(2013, 2, 1)
    assert cons.Calendar.MONTHLY(datetime(2013, 2, 14, 10)).period == timedelta(days=28)
    assert cons.Calendar.QUARTERLY(datetime(2013, 11, 3)).start == datetime(2013, 10, 1)
    with pytest.raises(ValueError, match="start of the bar"):
        cons.TradeBarConsolidator(lambda moment: cons.CalendarInfo(moment + timedelta(hours=1), timedelta(days=1)))


def test_time_consolidators_scan_and_refuse_longer_data() -> None:
    hourly = cons.TradeBarConsolidator(timedelta(hours=1))
    made = collect(hourly)
    for index in range(30):
        hourly.update(minute(index, 100.0 + index))
    hourly.scan(MONDAY + timedelta(minutes=29))  # 9:59: the bar began at the rounded 9:00
    assert made == []
    hourly.scan(MONDAY + timedelta(minutes=30))  # 10:00: its hour is over
    assert [(bar.time, bar.end_time, bar.close) for bar in made] == [
        (datetime(2013, 10, 7, 9), datetime(2013, 10, 7, 10), 129.0)
    ]
    with pytest.raises(ValueError, match="can not consolidate bars of period: 00:05:00"):
        shorter = cons.TradeBarConsolidator(timedelta(minutes=5))
        shorter.update(TradeBar(MONDAY, MONDAY + timedelta(minutes=10), SPY, 1, 1, 1, 1, 1))


def test_sequential_and_counted_quote_bars() -> None:
    chained = cons.SequentialConsolidator(cons.TradeBarConsolidator(2), cons.TradeBarConsolidator(2))
    made = collect(chained)
    for index in range(9):
        chained.update(minute(index, float(index)))
    assert [(bar.open, bar.close, bar.volume) for bar in made] == [(0.0, 3.0, 400), (4.0, 7.0, 400)]

    quotes = cons.QuoteBarConsolidator(2)
    made = collect(quotes)
    for index, (bid, ask) in enumerate([(9.0, 9.2), (9.1, 9.3), (8.8, 9.0), (8.9, 9.1)]):
        start = MONDAY + timedelta(minutes=index)
        quotes.update(QuoteBar(start, start + timedelta(minutes=1), SPY, Bar(bid, bid, bid, bid),
                               Bar(ask, ask, ask, ask), 5, 7))  # fmt: skip
    assert [(bar.bid.open, bar.bid.close, bar.ask.high) for bar in made] == [(9.0, 9.1, 9.3), (9.1, 8.9, 9.3)]
    assert made[1].end_time == MONDAY + timedelta(minutes=4)  # a count bar ends with its last input


def test_python_handlers_hear_a_bar_after_the_engine_and_consolidated_is_set() -> None:
    counted = cons.TradeBarConsolidator(1)
    heard: list[str] = []
    counted.base_event += lambda sender, bar: heard.append("engine")
    counted.data_consolidated += lambda sender, bar: heard.append(f"algorithm {sender.consolidated is bar}")
    counted.update(minute(0, 1.0))
    assert heard == ["engine", "algorithm True"] and counted[0] is counted.consolidated
