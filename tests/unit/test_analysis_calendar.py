"""Closing equity per trading day: hand-made curves on the default US hours and LEAN's market-hours database."""

from datetime import date, timedelta

import pandas as pd
import pytest

from backtest_core.analysis.calendar import TradingCalendar, daily_closes
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind


def _calendar(data_dir) -> TradingCalendar:
    return TradingCalendar("US", LeanDataFolder(data_dir).market_hours(SecurityKind.EQUITY, "usa", "SPY"), 252)


def _curve(points: dict[str, float]) -> pd.Series:
    index = pd.DatetimeIndex(list(points)).tz_localize("America/New_York").tz_convert("UTC")
    return pd.Series(list(points.values()), index=index, name="Equity")


def test_a_close_is_the_last_point_before_the_next_open(tmp_path):
    # Friday 2020-01-03 .. Tuesday 2020-01-07, default hours (no database in tmp_path)
    equity = _curve(
        {
            "2020-01-03 00:00": 100.0,  # starting capital: the close of Thursday
            "2020-01-03 10:00": 101.0,
            "2020-01-03 16:00": 102.0,
            "2020-01-04 00:00": 102.0,  # LEAN's midnight samples over the weekend fold into Friday
            "2020-01-05 00:00": 102.0,
            "2020-01-06 00:00": 102.5,  # Monday midnight, before the open: still Friday's close
            "2020-01-06 09:31": 103.0,
            "2020-01-07 00:00": 104.0,  # Monday's close
        }
    )
    closes = daily_closes(equity, _calendar(tmp_path))
    assert closes.index.tolist() == [pd.Timestamp(d) for d in ("2020-01-02", "2020-01-03", "2020-01-06")]
    assert closes.tolist() == [100.0, 102.5, 104.0]


def test_daily_and_minute_curves_of_one_path_get_the_same_closes(tmp_path):
    days = [date(2021, 3, 1) + timedelta(days=i) for i in range(14)]
    trading = [d for d in days if d.weekday() < 5]
    value = {d: 1000.0 + 10 * i for i, d in enumerate(trading)}
    daily = {f"{d + timedelta(days=1)} 00:00": value.get(max((t for t in trading if t <= d), default=d), 990.0)
             for d in days}  # fmt: skip
    minute = {f"{d} {hh}": value[d] - (5 if hh < "16" else 0) for d in trading for hh in ("09:31", "12:00", "16:00")}
    calendar = _calendar(tmp_path)
    assert (
        daily_closes(_curve(daily), calendar)
        .loc["2021-03-01":]
        .equals(daily_closes(_curve(minute), calendar).loc["2021-03-01":])
    )


def test_holidays_from_lean_market_hours_are_not_trading_days(lean_data):
    calendar = _calendar(lean_data)
    assert not calendar.hours.is_trading_day(date(2013, 11, 28))  # Thanksgiving
    equity = _curve({"2013-11-27 00:00": 10.0, "2013-11-27 12:00": 11.0, "2013-11-28 00:00": 11.0,
                     "2013-11-29 00:00": 11.0, "2013-11-29 12:00": 12.0, "2013-11-30 00:00": 12.0})  # fmt: skip
    closes = daily_closes(equity, calendar)
    assert closes.index.tolist() == [pd.Timestamp("2013-11-26"), pd.Timestamp("2013-11-27"), pd.Timestamp("2013-11-29")]
    assert closes.tolist() == [10.0, 11.0, 12.0]


def test_an_every_day_calendar_keeps_weekends(tmp_path):
    hours = LeanDataFolder(tmp_path).market_hours(SecurityKind.CRYPTO, "coinbase", "BTCUSD")
    calendar = TradingCalendar("crypto", hours, 365)
    equity = pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2023-01-07 00:00", "2023-01-07 12:00",
                                                                 "2023-01-08 12:00"], tz="UTC"))  # fmt: skip
    closes = daily_closes(equity, calendar)
    assert closes.index.tolist() == [pd.Timestamp("2023-01-06"), pd.Timestamp("2023-01-07"), pd.Timestamp("2023-01-08")]
    assert closes.tolist() == pytest.approx([1.0, 2.0, 3.0])
