"""LEAN's ``Extensions`` helpers that Python algorithms and their models call as static methods."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from backtest_core.engines.embedded.model import _LeanClassType
from backtest_core.stats.decimals import from_float, round_significant


class Extensions(metaclass=_LeanClassType):
    """``QuantConnect.Extensions``: time zone conversions and decimal rounding."""

    @staticmethod
    def convert_from_utc(time: datetime, zone: tzinfo, strict: bool = False) -> datetime:
        """A UTC time as the wall-clock time of ``zone`` (naive, as LEAN's DateTime reaches Python)."""
        utc = time.replace(tzinfo=UTC) if time.tzinfo is None else time
        return utc.astimezone(zone).replace(tzinfo=None)

    @staticmethod
    def convert_to_utc(time: datetime, zone: tzinfo, strict: bool = False) -> datetime:
        """A wall-clock time of ``zone`` as UTC (naive, as LEAN's DateTime reaches Python)."""
        local = time.replace(tzinfo=zone) if time.tzinfo is None else time
        return local.astimezone(UTC).replace(tzinfo=None)

    @staticmethod
    def round_to_significant_digits(value: float, digits: int) -> float:
        """LEAN's decimal ``RoundToSignificantDigits`` (to even at the last digit)."""
        return float(round_significant(from_float(value), int(digits)))

    ConvertFromUtc = convert_from_utc
    ConvertToUtc = convert_to_utc
    RoundToSignificantDigits = round_to_significant_digits
