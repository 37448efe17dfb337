"""Array time-zone conversion used for every loaded bar series: exact against pandas, DST changes included."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from backtest_core.engines.embedded.timezones import local_datetimes, local_naive_ns

ZONES = ["America/New_York", "UTC", "Europe/London", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata"]


def pandas_local(ns: np.ndarray, zone: str) -> np.ndarray:
    return pd.to_datetime(ns, utc=True).tz_convert(zone).tz_localize(None).to_numpy().astype(np.int64)


@pytest.mark.parametrize("zone", ZONES)
def test_random_times_over_years_match_pandas(zone: str) -> None:
    ns = np.sort(np.random.default_rng(7).integers(1_200_000_000 * 10**9, 1_700_000_000 * 10**9, 50_000))
    assert np.array_equal(local_naive_ns(ns, ZoneInfo(zone)), pandas_local(ns, zone))


def test_every_second_across_both_new_york_dst_changes_of_2023() -> None:
    spring = np.arange(1_678_600_000, 1_678_600_000 + 6 * 3600, dtype=np.int64) * 10**9  # 2023-03-12
    autumn = np.arange(1_699_160_000, 1_699_160_000 + 6 * 3600, dtype=np.int64) * 10**9  # 2023-11-05
    for ns in (spring, autumn):
        assert np.array_equal(local_naive_ns(ns, ZoneInfo("America/New_York")), pandas_local(ns, "America/New_York"))


def test_datetimes_are_naive_wall_clock_times() -> None:
    first = local_datetimes(np.array([1_381_152_600 * 10**9]), ZoneInfo("America/New_York"))[0]  # 2013-10-07 13:30Z
    assert (first.year, first.month, first.day, first.hour, first.minute, first.tzinfo) == (2013, 10, 7, 9, 30, None)
    assert local_naive_ns(np.array([], dtype=np.int64), ZoneInfo("UTC")).size == 0
