"""LEAN's order properties and time in force (``Common/Orders/TimeInForces/*.cs``).

An order takes the properties given to its order method, else a copy of ``default_order_properties``. LEAN's
backtesting brokerage cancels an open order whose time in force has expired (``IsOrderExpired``, checked at each
scan before buying power and the fill, "The order has expired."). Expiry depends only on the order's time and
the exchange's hours, so each order's moment of expiry is worked out once, when it is submitted:

- GoodTilCanceled: never;
- Day: equities at the first regular market close after the order's time; forex at 17:00 New York of the
  order's New York day (the next day's when placed after 17:00); crypto at the midnight after the order's day;
- GoodTilDate(expiry): equities at the first regular close from the expiry date's midnight; forex at 17:00 New
  York of the expiry date (a day later when the order's UTC date is the expiry date and it was placed after
  17:00 New York); crypto at the midnight after the expiry date.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.engines.embedded.model import LeanObject, _LeanClassType
from backtest_core.errors import UnsupportedApi

if TYPE_CHECKING:
    from backtest_core.engines.embedded.broker import Security

NEW_YORK = ZoneInfo("America/New_York")
FOREX_CUT_OFF = timedelta(hours=17)
NS = 1_000_000_000


class TimeInForce(LeanObject, metaclass=_LeanClassType):
    """LEAN's ``TimeInForce``: ``TimeInForce.GOOD_TIL_CANCELED``, ``TimeInForce.DAY`` and
    ``TimeInForce.GOOD_TIL_DATE(expiry)`` (any spelling LEAN's Python API has)."""

    def expires_ns(self, security: Security, placed: datetime) -> int | None:
        """The UTC moment (ns) from which an order placed at ``placed`` (UTC) is expired; None: never."""
        raise NotImplementedError


class GoodTilCanceledTimeInForce(TimeInForce):
    def expires_ns(self, security: Security, placed: datetime) -> int | None:
        return None


class DayTimeInForce(TimeInForce):
    def expires_ns(self, security: Security, placed: datetime) -> int | None:
        hours = security.hours
        if security.kind == SecurityKind.FOREX:
            local = placed.astimezone(NEW_YORK)
            expiry = datetime.combine(local.date(), time.min) + FOREX_CUT_OFF
            if local.replace(tzinfo=None) - datetime.combine(local.date(), time.min) > FOREX_CUT_OFF:
                expiry += timedelta(days=1)
            return _ns(expiry, NEW_YORK)
        local = placed.astimezone(hours.exchange_tz).replace(tzinfo=None)
        if security.kind == SecurityKind.CRYPTO:
            return _ns(datetime.combine(local.date() + timedelta(days=1), time.min), hours.exchange_tz)
        return _ns(_next_regular_close(security, local), hours.exchange_tz)


class GoodTilDateTimeInForce(TimeInForce):
    def __init__(self, expiry: datetime) -> None:
        if not isinstance(expiry, datetime):
            raise UnsupportedApi(f"TimeInForce.GOOD_TIL_DATE({expiry!r}): the expiry must be a datetime")
        self.expiry = expiry

    def expires_ns(self, security: Security, placed: datetime) -> int | None:
        hours = security.hours
        day = self.expiry.date()
        if security.kind == SecurityKind.FOREX:
            expiry = datetime.combine(day, time.min) + FOREX_CUT_OFF
            if placed.astimezone(UTC).date() == day:  # LEAN compares the order's UTC date
                local = placed.astimezone(NEW_YORK).replace(tzinfo=None)
                if local - datetime.combine(local.date(), time.min) > FOREX_CUT_OFF:
                    expiry += timedelta(days=1)
            return _ns(expiry, NEW_YORK)
        if security.kind == SecurityKind.CRYPTO:
            return _ns(datetime.combine(day + timedelta(days=1), time.min), hours.exchange_tz)
        return _ns(_next_regular_close(security, datetime.combine(day, time.min)), hours.exchange_tz)

    Expiry = property(lambda self: self.expiry)


_GOOD_TIL_CANCELED = GoodTilCanceledTimeInForce()
_DAY = DayTimeInForce()
TimeInForce.GOOD_TIL_CANCELED = TimeInForce.GoodTilCanceled = _GOOD_TIL_CANCELED
TimeInForce.DAY = TimeInForce.Day = _DAY
TimeInForce.GOOD_TIL_DATE = TimeInForce.GoodTilDate = TimeInForce.good_til_date = GoodTilDateTimeInForce


class OrderProperties(LeanObject):
    """LEAN's ``OrderProperties``: the time in force (brokerage-specific properties are not supported)."""

    def __init__(self, time_in_force: TimeInForce | None = None) -> None:
        self.time_in_force = time_in_force if time_in_force is not None else _GOOD_TIL_CANCELED

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("TimeInForce", "time_in_force"):
            if not isinstance(value, TimeInForce):
                raise UnsupportedApi(f"OrderProperties.time_in_force = {value!r}: not one of LEAN's TimeInForce")
            object.__setattr__(self, "time_in_force", value)
            return
        raise UnsupportedApi(f"OrderProperties.{name}")

    def clone(self) -> OrderProperties:
        """A copy for one order (every order takes one: made without the checks, its value is already one)."""
        copy = object.__new__(OrderProperties)
        object.__setattr__(copy, "time_in_force", self.time_in_force)
        return copy

    def expires_ns(self, security: Security, placed: datetime) -> int | None:
        """When an order with these properties placed at ``placed`` expires (see the time in force)."""
        time_in_force = self.time_in_force
        return None if time_in_force is _GOOD_TIL_CANCELED else time_in_force.expires_ns(security, placed)


def _next_regular_close(security: Security, local: datetime) -> datetime:
    """LEAN's ``GetLastDailyMarketClose(local, false)``: the first regular-session close after ``local``."""
    hours = security.hours
    for offset in range(15):
        session = hours.regular_session(local.date() + timedelta(days=offset))
        if session is not None and local < session[1]:
            return session[1]
    raise UnsupportedApi(f"time in force for {security.symbol}: no market close within two weeks of {local}")


def _ns(local: datetime, zone: ZoneInfo) -> int:
    return int(local.replace(tzinfo=zone).timestamp()) * NS
