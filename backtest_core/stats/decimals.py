"""LEAN's ``decimal`` values where their exact digits are printed: rounding, normalising and JSON text.

C#'s decimal keeps its scale (``144.7800`` × ``0.8604238`` is ``124.57055...`` with 11 decimals, trailing zeros
included) and Newtonsoft prints every digit of that scale. Python's :class:`~decimal.Decimal` multiplies scales
the same way, so values that LEAN prints exactly (the order list hashed into ``OrderListHash``) are rebuilt as
Decimals from the engine's floats: a float's shortest text is the decimal LEAN holds whenever that decimal has
at most 15 significant digits, which prices read from LEAN's files do.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def from_float(value: float) -> Decimal:
    """The decimal a float stands for (its shortest round-tripping text)."""
    return Decimal(repr(float(value))) if value else ZERO


def normalize(value: Decimal) -> Decimal:
    """LEAN's ``Normalize``: no trailing zeros, but never a negative scale (``100`` stays ``100``, not ``1E+2``)."""
    value = value.normalize()
    return value.quantize(ONE) if value.as_tuple().exponent > 0 else value


def round_places(value: Decimal, places: int) -> Decimal:
    """C#'s ``Math.Round(decimal, places)``: to even, and only ever shortening the scale."""
    if -value.as_tuple().exponent <= places:
        return value
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def round_significant(value: Decimal, digits: int) -> Decimal:
    """LEAN's ``RoundToSignificantDigits``: the power of ten is found in double precision, as LEAN does."""
    if value == 0:
        return ZERO
    scale = Decimal(repr(10.0 ** (math.floor(math.log10(abs(float(value)))) + 1)))
    scale = normalize(scale)
    return scale * round_places(value / scale, digits)


def smart_rounding(value: Decimal) -> Decimal:
    """LEAN's ``SmartRounding``: 4 decimals above 1000, else 7 significant digits."""
    value = normalize(value)
    if value > 1000:
        return round_places(value, 4)
    return normalize(round_significant(value, 7))


def smart_rounded_float(value: float) -> Decimal:
    """``smart_rounding(from_float(value))``; a positive float whose shortest text already has no more digits than
    SmartRounding keeps (most prices) is that text normalised, without the Decimal arithmetic."""
    text = repr(value)
    if value > 0 and "e" not in text:
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0")
        kept = len(fraction) <= 4 if value > 1000 else len((whole.lstrip("0") + fraction).lstrip("0")) <= 7
        if kept:
            return Decimal(f"{whole}.{fraction}" if fraction else whole)
    return smart_rounding(from_float(value))


def json_text(value: Decimal) -> str:
    """Newtonsoft's text of a decimal: every digit of its scale, and ``.0`` when it has none (a zero has no
    sign: -10 × 0 prints as 0)."""
    text = format(value.copy_abs() if value == 0 else value, "f")
    return text if "." in text else text + ".0"
