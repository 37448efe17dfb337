"""The backtest's current time, shared by the loop, the algorithm and the order book.

The loop moves it once per time step as an integer (UTC nanoseconds); the ``datetime`` objects LEAN's API
exposes (``time``, ``utc_time``) are built only when something reads them, since most steps of most
algorithms never do and building them costs more than the rest of an idle step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

NS = 1_000_000_000


class Clock:
    """UTC nanoseconds plus the algorithm's time zone; ``utc`` and ``local`` computed once per moment."""

    __slots__ = ("_elsewhere", "_local", "_made_for", "_utc", "ns", "zone")

    def __init__(self, ns: int, zone: ZoneInfo) -> None:
        self.ns = ns
        self.zone = zone
        self._made_for: int | None = None
        self._utc = self._local = datetime(1970, 1, 1)
        self._elsewhere: tuple[int, ZoneInfo, datetime] | None = None

    def _make(self) -> None:
        self._utc = datetime.fromtimestamp(self.ns / NS, UTC)
        self._local = self._utc.astimezone(self.zone).replace(tzinfo=None)
        self._made_for = self.ns

    @property
    def utc(self) -> datetime:
        """The current moment, UTC-aware."""
        if self._made_for != self.ns:
            self._make()
        return self._utc

    @property
    def local(self) -> datetime:
        """The current moment in the algorithm's time zone, naive (LEAN's ``Time``)."""
        if self._made_for != self.ns:
            self._make()
        return self._local

    def local_in(self, zone: ZoneInfo) -> datetime:
        """The current moment, naive, in another zone (an exchange's): an order and its fill both ask."""
        made = self._elsewhere
        if made is not None and made[0] == self.ns and made[1] is zone:
            return made[2]
        local = local_datetime(self.ns, zone)
        self._elsewhere = (self.ns, zone, local)
        return local

    def set_zone(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._made_for = None


def local_datetime(utc_ns: int, zone: ZoneInfo) -> datetime:
    """UTC nanoseconds as a naive datetime in ``zone``."""
    return datetime.fromtimestamp(utc_ns / NS, UTC).astimezone(zone).replace(tzinfo=None)


def utc_text(moment: datetime) -> str:
    """An aware moment as LEAN's JSON writes it, ``2013-10-07T15:31:00Z`` (``isoformat``: strftime is slow)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
