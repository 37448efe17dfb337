"""Checking parameter values against what the strategy can parse, before a run starts.

LEAN hands parameters to the algorithm as strings and the algorithm parses them: ``get_parameter("fast", 20)``
falls back to the default when the text is not an integer, so ``fast=abc`` or ``slow=5O`` would run with the
defaults and nobody would know. The type each parameter must have is the type of its ``config.json`` default
(``"20"`` an integer, ``"0.5"`` a number, ``"true"`` a boolean, anything else text); a strategy may declare the
allowed values of a parameter in ``config.json`` under ``"parameter-choices"`` (``{"resolution": ["daily",
"hour"]}``); a ``resolution`` default that is a LEAN resolution name allows LEAN's resolutions. Bounds are
LEAN's own: an integer parameter is a 32-bit ``int`` in LEAN, a number a ``decimal``.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum

from pydantic import BaseModel, Field

from backtest_core.models import Resolution, StrategyInfo

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # System.Int32, what LEAN's GetParameter(name, int) parses
DECIMAL_MAX = 79_228_162_514_264_337_593_543_950_335  # System.Decimal.MaxValue, for GetParameter(name, decimal)
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BOOLEANS = ("true", "false")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BUILT_IN_PARAMETERS = ("symbols", "resolution")  # the request's own fields reach the algorithm as these


class ParameterKind(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    TEXT = "text"


class ParameterSpec(BaseModel):
    """What one parameter accepts, worked out from its default (and declared choices)."""

    name: str
    default: str
    kind: ParameterKind
    choices: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        """``an integer such as 20`` / ``one of daily, hour, minute``: the fix, for messages."""
        if self.kind == ParameterKind.CHOICE:
            return f"one of {', '.join(self.choices)}"
        if self.kind == ParameterKind.BOOLEAN:
            return "true or false"
        if self.kind == ParameterKind.INTEGER:
            return f"a whole number such as {self.default}"
        if self.kind == ParameterKind.NUMBER:
            return f"a number such as {self.default}"
        return "text on one line"


def parameter_specs(strategy: StrategyInfo) -> dict[str, ParameterSpec]:
    """The strategy's parameters with what each accepts."""
    return {
        name: _spec(name, default, strategy.parameter_choices.get(name, []))
        for name, default in strategy.parameters.items()
    }


def check_value(spec: ParameterSpec, value: str) -> str | None:
    """Why ``value`` cannot be ``spec``'s parameter (a message naming the fix), or None when it can."""
    if value == "":
        return f"is empty; give {spec.describe()}, or leave it out to use the default {spec.default!r}"
    if _CONTROL.search(value):
        return f"{value!r} holds a line break or control character; give {spec.describe()}"
    if spec.kind == ParameterKind.CHOICE:
        return None if value in spec.choices else f"{value!r} is not {spec.describe()}"
    if spec.kind == ParameterKind.BOOLEAN:
        return None if value.lower() in _BOOLEANS else f"{value!r} is not true or false"
    if spec.kind == ParameterKind.INTEGER:
        if not _INTEGER.match(value):
            return f"{value!r} is not {spec.describe()}"
        if not INT_MIN <= int(value) <= INT_MAX:
            return f"{value} is outside what LEAN's integer parameters hold ({INT_MIN:,} to {INT_MAX:,})"
        return None
    if spec.kind == ParameterKind.NUMBER:
        return _number_problem(spec, value)
    return None


def parameter_problems(strategy: StrategyInfo, parameters: dict[str, str]) -> dict[str, str]:
    """``{"parameters.<name>": message}`` for every value the strategy cannot use, and for names it does not
    have (a typo would otherwise be passed to an algorithm that never reads it). The key names the
    parameter; the message says what is wrong and what would do."""
    specs = parameter_specs(strategy)
    problems = {}
    for name, value in parameters.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or "none"
            problems[f"parameters.{name}"] = (
                f"{name!r} is not a parameter of {strategy.name} (its parameters: {known}); "
                "declare it in the project's config.json to pass it"
            )
            continue
        problem = check_value(spec, value)
        if problem:
            problems[f"parameters.{name}"] = problem
    return problems


def _spec(name: str, default: str, declared: list[str]) -> ParameterSpec:
    if declared:
        return ParameterSpec(name=name, default=default, kind=ParameterKind.CHOICE, choices=declared)
    if name == "resolution" and default.lower() in {r.value for r in Resolution}:
        choices = [r.value for r in Resolution]
        return ParameterSpec(name=name, default=default, kind=ParameterKind.CHOICE, choices=choices)
    if default.lower() in _BOOLEANS:
        return ParameterSpec(name=name, default=default, kind=ParameterKind.BOOLEAN)
    if _INTEGER.match(default):
        return ParameterSpec(name=name, default=default, kind=ParameterKind.INTEGER)
    if _NUMBER.match(default):
        return ParameterSpec(name=name, default=default, kind=ParameterKind.NUMBER)
    return ParameterSpec(name=name, default=default, kind=ParameterKind.TEXT)


def _number_problem(spec: ParameterSpec, value: str) -> str | None:
    lowered = value.lower().lstrip("+-")
    if lowered in ("nan", "inf", "infinity") or not _NUMBER.match(value):
        return f"{value!r} is not {spec.describe()}"
    number = float(value)
    if not math.isfinite(number) or abs(number) > DECIMAL_MAX:
        return f"{value} is outside what LEAN's number parameters hold (a decimal: up to ±{DECIMAL_MAX:.1e})"
    return None
