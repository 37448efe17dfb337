"""What a LEAN ``SecurityIdentifier`` string says about its security: the security type and the market.

The identifier is ``<ticker> <base-36 properties>`` (an option or future appends ``|<underlying's identifier>``);
the lowest decimal digits of the properties hold the security type (two digits) and the market code (three),
as ``lean:Common/SecurityIdentifier.cs`` packs them. Market codes are ``lean:Common/Market.cs``'s.
"""

from __future__ import annotations

from typing import NamedTuple

from backtest_core.results.tables import SECURITY_TYPES

MARKETS = {1: "usa", 2: "fxcm", 3: "oanda", 4: "dukascopy", 5: "bitfinex", 6: "cmeglobex", 7: "nymex", 8: "cbot",
           9: "ice", 10: "cboe", 11: "india", 12: "coinbase", 13: "kraken", 16: "binance", 21: "bitstamp",
           22: "comex", 23: "cme", 33: "cfe", 36: "binanceus", 37: "bybit", 38: "coinbase"}  # fmt: skip
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Listing(NamedTuple):
    security_type: str  # SECURITY_TYPES name: Equity, Option, Crypto, ...
    market: str  # Market.cs name, or the code as text when this table does not know it


def listing(identifier: str) -> Listing | None:
    """Security type and market of a SecurityIdentifier string; None when it is not one."""
    parts = identifier.split("|", 1)[0].split(" ")
    if len(parts) != 2 or not parts[1] or any(c not in _BASE36 for c in parts[1]):
        return None
    properties = 0
    for character in parts[1]:
        properties = properties * 36 + _BASE36.index(character)
    type_code, market_code = properties % 100, properties // 100 % 1000
    if type_code not in SECURITY_TYPES:
        return None
    return Listing(SECURITY_TYPES[type_code], MARKETS.get(market_code, str(market_code)))
