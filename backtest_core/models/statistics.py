"""LEAN's printed statistics, kept as printed and parsed into numbers."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, Field, computed_field

_NUMBER = re.compile(r"^[-+]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def parse_statistic(text: object) -> float | None:
    """The number in one of LEAN's printed values, in the unit it is printed in.

    ``"1.692%"`` → 1.692, ``"$3.44"`` / ``"-$3.44"`` / ``"$-3.44"`` → ±3.44, ``"1.69 %"`` → 1.69,
    ``"¤1,000.00"`` → 1000.0, ``"8.854"`` → 8.854. Anything that is not a number (``"SPY R735QTJ8XC9X"``,
    ``""``) gives ``None``.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(float(text)) else None
    if not isinstance(text, str):
        return None
    s = text.strip().replace(" ", "")
    negative = s.startswith("-")
    s = s.lstrip("+-")
    for sign in ("$", "¤", "€", "£", "¥", "₿"):
        s = s.replace(sign, "")
    s = s.removesuffix("%")
    if s.startswith("-"):
        negative = not negative
        s = s[1:]
    if not _NUMBER.match(s):
        return None
    value = float(s.replace(",", ""))
    return -value if negative else value


# Index columns of the store, with the LEAN statistic each is read from (older name second).
KEY_STATISTICS: dict[str, tuple[str, ...]] = {
    "total_orders": ("Total Orders", "Total Trades"),
    "net_profit": ("Net Profit",),
    "cagr": ("Compounding Annual Return",),
    "sharpe": ("Sharpe Ratio",),
    "sortino": ("Sortino Ratio",),
    "psr": ("Probabilistic Sharpe Ratio",),
    "drawdown": ("Drawdown",),
    "win_rate": ("Win Rate",),
    "start_equity": ("Start Equity",),
    "end_equity": ("End Equity",),
    "total_fees": ("Total Fees",),
}


class BacktestStatistics(BaseModel):
    """A result's ``statistics`` block: LEAN's names and strings (``raw``) plus parsed numbers.

    Percent statistics parse to percent numbers (``"1.692%"`` → 1.692), as the analyst reads them.
    """

    raw: dict[str, str] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def values(self) -> dict[str, float | None]:
        return {name: parse_statistic(text) for name, text in self.raw.items()}

    def value(self, *names: str) -> float | None:
        """The first of ``names`` present, parsed (LEAN renamed some statistics over versions)."""
        for name in names:
            if name in self.raw:
                return parse_statistic(self.raw[name])
        return None

    def key_values(self) -> dict[str, float | None]:
        """The statistics copied into the store's index, by column name."""
        return {column: self.value(*names) for column, names in KEY_STATISTICS.items()}
