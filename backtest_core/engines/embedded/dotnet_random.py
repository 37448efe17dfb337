""".NET's ``System.Random`` with a seed, as Python algorithms reach it through pythonnet (``Random(387510346)``).

A seeded ``System.Random`` keeps .NET Framework's sequence for compatibility (``Random.Net5CompatImpl.cs`` in
dotnet/runtime, ``Net5CompatSeedImpl`` over ``CompatPrng``): Knuth's subtractive generator with .NET's own
modifications (the seed array of 56 ints, the ``21``/``30`` offsets, ``int.MaxValue`` as the modulus and
``Sample() = InternalSample() / int.MaxValue``). Every step is C#'s unchecked 32-bit arithmetic, so it is
wrapped to int32 here. Without a seed .NET seeds from the operating system: no run could be reproduced, so that
form is refused by name, as are the members not written here.
"""

from __future__ import annotations

import operator
from typing import Any

from backtest_core.errors import UnsupportedApi

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
_MSEED = 161803398  # .NET's seed constant (from the golden ratio)


def _int32(value: int) -> int:
    """C#'s unchecked int arithmetic: ``value`` wrapped to 32 bits."""
    return (value - INT_MIN) % 2**32 + INT_MIN


class Random:
    """``System.Random(seed)``: ``Next()``, ``Next(max)``, ``Next(min, max)`` and ``NextDouble()``, in .NET's
    and pythonnet's snake-case spellings, giving .NET's sequence for the seed."""

    __slots__ = ("_inext", "_inextp", "_seeds")

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            raise UnsupportedApi("Random() without a seed (.NET seeds it from the operating system)")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"No constructor matches given arguments: ({type(seed).__name__})")
        if not INT_MIN <= seed <= INT_MAX:
            raise OverflowError("value too large to convert")
        seeds = [0] * 56
        subtraction = INT_MAX if seed == INT_MIN else abs(seed)
        mj = _int32(_MSEED - subtraction)
        seeds[55] = mj
        mk = 1
        ii = 0
        for _ in range(1, 55):
            ii += 21
            if ii >= 55:
                ii -= 55
            seeds[ii] = mk
            mk = _int32(mj - mk)
            if mk < 0:
                mk = _int32(mk + INT_MAX)
            mj = seeds[ii]
        for _ in range(1, 5):
            for i in range(1, 56):
                n = i + 30
                if n >= 55:
                    n -= 55
                seeds[i] = _int32(seeds[i] - seeds[1 + n])
                if seeds[i] < 0:
                    seeds[i] = _int32(seeds[i] + INT_MAX)
        self._seeds, self._inext, self._inextp = seeds, 0, 21

    def _internal_sample(self) -> int:
        inext = self._inext + 1
        if inext >= 56:
            inext = 1
        inextp = self._inextp + 1
        if inextp >= 56:
            inextp = 1
        seeds = self._seeds
        value = _int32(seeds[inext] - seeds[inextp])
        if value == INT_MAX:
            value -= 1
        if value < 0:
            value = _int32(value + INT_MAX)
        seeds[inext] = value
        self._inext, self._inextp = inext, inextp
        return value

    def _sample(self) -> float:
        return self._internal_sample() * (1.0 / INT_MAX)

    def _sample_for_large_range(self) -> float:
        """.NET's ``GetSampleForLargeRange``: two samples, the second deciding the sign of the first."""
        result = self._internal_sample()
        if self._internal_sample() % 2 == 0:
            result = -result
        return (result + (INT_MAX - 1)) / (2 * INT_MAX - 1)

    def next(self, *bounds: int) -> int:
        """``Next()``: [0, int.MaxValue); ``Next(max)``: [0, max); ``Next(min, max)``: [min, max)."""
        if not bounds:
            return self._internal_sample()
        if len(bounds) == 1:
            (maximum,) = _ints(bounds)
            if maximum < 0:
                raise ValueError(f"'maxValue' must be a non-negative value. Actual value was {maximum}.")
            return int(self._sample() * maximum)
        if len(bounds) != 2:
            raise TypeError(f"No method matches given arguments for Next: {len(bounds)} arguments")
        minimum, maximum = _ints(bounds)
        if minimum > maximum:
            raise ValueError(f"'minValue' ({minimum}) must be less than or equal to 'maxValue' ({maximum}).")
        span = maximum - minimum
        if span <= INT_MAX:
            return int(self._sample() * span) + minimum
        return _int32(int(self._sample_for_large_range() * span) + minimum)

    def next_double(self) -> float:
        """``NextDouble()``: [0, 1)."""
        return self._sample()

    Next, NextDouble = next, next_double

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedApi(f"Random.{name}")

    def __repr__(self) -> str:
        return "System.Random"


def _ints(values: tuple[Any, ...]) -> tuple[int, ...]:
    """pythonnet's conversion of the arguments to Int32 (floats and out-of-range ints do not bind)."""
    for value in values:
        if isinstance(value, bool | float) or not hasattr(value, "__index__"):
            raise TypeError(f"No method matches given arguments for Next: ({type(value).__name__})")
    ints = tuple(operator.index(value) for value in values)
    if any(not INT_MIN <= value <= INT_MAX for value in ints):
        raise OverflowError("value too large to convert")
    return ints
