"""LEAN's ``Extensions`` helpers that Python algorithms and their models call as static methods."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from backtest_core.engines.embedded.model import _LeanClassType


class Extensions(metaclass=_LeanClassType):
    """``QuantConnect.Extensions``: time zone conversions (``ConvertFromUtc``/``ConvertToUtc``)."""

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

    ConvertFromUtc = convert_from_utc
    ConvertToUtc = convert_to_utc
