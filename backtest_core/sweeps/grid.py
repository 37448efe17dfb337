"""A sweep's grid: parameter values from ``name=list`` or ``name=start:stop:step``, constraints, combinations.

Everything here is pure and refuses bad input with an ``InvalidRequest`` naming the field (``param``,
``constraint``, ``max_runs``): a grid that would silently differ from what the analyst wrote is never built.
Constraints are parsed by a small grammar (``operand op operand`` with ``< <= > >= == !=``), never evaluated.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field

from backtest_core.errors import InvalidRequest

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
MAX_PRODUCT = 100_000  # combinations expanded before constraints and sampling; past this the grid is refused
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
_OPERAND = r"""(?:'[^']*'|"[^"]*"|[^<>=!\s'"]+)"""
_CONSTRAINT = re.compile(rf"^\s*(?P<left>{_OPERAND})\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<right>{_OPERAND})\s*$")


class ParameterAxis(BaseModel):
    """One swept parameter: its name, its values (as the algorithm receives them) and how they were written."""

    name: str
    values: list[str]
    spec: str = Field(description="the values as given: '5:30:5' or '50,100,200'")


class Constraint(BaseModel):
    """``left op right``; each operand is a parameter name, a number or a quoted text ('daily')."""

    left: str
    operator: str
    right: str

    @property
    def text(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    def allows(self, combination: dict[str, str]) -> bool:
        left, right = _operand(self.left, combination), _operand(self.right, combination)
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            return _compare(left, right, self.operator)
        if self.operator in ("==", "!="):
            return (str(left) == str(right)) == (self.operator == "==")
        raise InvalidRequest(
            "constraint", f"{self.text}: {left!r} and {right!r} are not both numbers, so only == and != apply"
        )


class SweepGrid(BaseModel):
    """The parameters swept, the constraints that skip combinations, and an optional seeded random subset."""

    axes: list[ParameterAxis]
    constraints: list[Constraint] = Field(default_factory=list)
    max_runs: int | None = Field(default=None, description="a random subset of this many valid combinations")
    seed: int | None = Field(default=None, description="seed of the random subset (recorded so it can be redrawn)")

    @property
    def names(self) -> list[str]:
        return [axis.name for axis in self.axes]

    @property
    def size(self) -> int:
        """Combinations before constraints and sampling."""
        total = 1
        for axis in self.axes:
            total *= len(axis.values)
        return total


class Expansion(BaseModel):
    """What a grid becomes: the combinations to run, and those skipped (by a constraint, or left out of the subset)."""

    runs: list[dict[str, str]]
    skipped_by_constraint: list[dict[str, str]] = Field(default_factory=list)
    not_sampled: int = 0


def parse_values(name: str, text: str) -> list[str]:
    """``10, 20, 30`` or the inclusive range ``start:stop:step`` (decimal arithmetic: 0.1:0.3:0.1 is exact)."""
    text = text.strip()
    if not text:
        raise InvalidRequest("param", f"{name}= has no values; write e.g. {name}=10,20,30 or {name}=10:50:10")
    if ":" not in text:
        values = [part.strip() for part in text.split(",")]
        if any(not value for value in values):
            raise InvalidRequest("param", f"{name}={text} has an empty value between commas")
        if len(set(values)) != len(values):
            raise InvalidRequest("param", f"{name}={text} lists a value twice")
        return values
    parts = [part.strip() for part in text.split(":")]
    if len(parts) != 3:
        raise InvalidRequest("param", f"{name}={text}: a range is start:stop:step, e.g. {name}=10:50:10")
    try:
        start, stop, step = (Decimal(part) for part in parts)
    except InvalidOperation as error:
        raise InvalidRequest("param", f"{name}={text}: a range holds numbers, e.g. {name}=10:50:10") from error
    if not step > 0:
        raise InvalidRequest("param", f"{name}={text}: the step must be greater than 0")
    if stop < start:
        raise InvalidRequest("param", f"{name}={text} is an empty range: stop {stop} is below start {start}")
    count = int((stop - start) / step) + 1
    if count > MAX_PRODUCT:
        raise InvalidRequest("param", f"{name}={text} gives {count} values; at most {MAX_PRODUCT}")
    return [_decimal_text(start + step * index) for index in range(count)]


def parse_axis(spec: str) -> ParameterAxis:
    """One ``--param`` argument: ``name=values``."""
    name, separator, values = spec.partition("=")
    name = name.strip()
    if not separator:
        raise InvalidRequest(
            "param", f"{spec!r} has values but no parameter; write NAME=VALUES, e.g. fast=5:30:5 or slow=50,100"
        )
    if not name:
        raise InvalidRequest("param", f"{spec!r} has values but no parameter name before '='")
    if not NAME.match(name):
        raise InvalidRequest("param", f"{name!r} is not a parameter name (letters, digits, _ . -)")
    return ParameterAxis(name=name, values=parse_values(name, values), spec=values.strip())


def parse_constraint(text: str, names: list[str]) -> Constraint:
    """``fast < slow`` or ``slow <= 200``: operands are swept parameter names or numbers."""
    match = _CONSTRAINT.match(text)
    if match is None:
        raise InvalidRequest(
            "constraint", f"{text!r} is not NAME OP NAME-or-NUMBER with OP one of {' '.join(_OPERATORS)}"
        )
    constraint = Constraint(left=match["left"], operator=match["op"], right=match["right"])
    operands = [constraint.left, constraint.right]
    for operand in operands:
        if operand not in names and _number(operand) is None and not _quoted(operand):
            raise InvalidRequest(
                "constraint",
                f"{text!r}: {operand!r} is neither a swept parameter ({', '.join(names)}), a number "
                "nor a 'quoted text'",
            )
    if not any(operand in names for operand in operands):
        raise InvalidRequest("constraint", f"{text!r} names no swept parameter ({', '.join(names)})")
    return constraint


def build_grid(
    specs: list[str],
    constraints: list[str] | None = None,
    *,
    max_runs: int | None = None,
    seed: int | None = None,
    known: dict[str, str] | None = None,
) -> SweepGrid:
    """Parse ``--param`` and ``--constraint`` texts; ``known`` (the strategy's parameters) refuses unknown names."""
    if not specs:
        raise InvalidRequest("param", "a sweep needs at least one parameter, e.g. --param fast=5:30:5")
    axes: list[ParameterAxis] = []
    for spec in specs:
        axis = parse_axis(spec)
        if axis.name in [existing.name for existing in axes]:
            raise InvalidRequest("param", f"{axis.name} is given twice; give each parameter once with all its values")
        if known is not None and axis.name not in known:
            choices = ", ".join(sorted(known)) or "none"
            raise InvalidRequest("param", f"{axis.name} is not a parameter of the strategy (its parameters: {choices})")
        axes.append(axis)
    if max_runs is not None and max_runs < 1:
        raise InvalidRequest("max_runs", f"{max_runs} must be at least 1")
    if max_runs is not None and seed is None:
        seed = random.SystemRandom().randrange(2**31)
    names = [axis.name for axis in axes]
    parsed = [parse_constraint(text, names) for text in constraints or []]
    return SweepGrid(axes=axes, constraints=parsed, max_runs=max_runs, seed=seed)


def expand(grid: SweepGrid, limit: int) -> Expansion:
    """The combinations to run, in grid order; refused when more than ``limit`` runs would be submitted."""
    if grid.size > MAX_PRODUCT:
        raise InvalidRequest("param", f"the grid has {grid.size:,} combinations; at most {MAX_PRODUCT:,} are expanded")
    allowed, skipped = [], []
    for values in itertools.product(*(axis.values for axis in grid.axes)):
        combination = dict(zip(grid.names, values, strict=True))
        (allowed if all(c.allows(combination) for c in grid.constraints) else skipped).append(combination)
    if not allowed:
        texts = "; ".join(c.text for c in grid.constraints)
        raise InvalidRequest("constraint", f"no combination satisfies {texts}")
    not_sampled = 0
    if grid.max_runs is not None and grid.max_runs < len(allowed):
        chosen = sorted(random.Random(grid.seed).sample(range(len(allowed)), grid.max_runs))
        not_sampled = len(allowed) - len(chosen)
        allowed = [allowed[index] for index in chosen]
    if len(allowed) > limit:
        field = "max_runs" if grid.max_runs is not None else "param"
        raise InvalidRequest(
            field,
            f"the sweep would submit {len(allowed)} runs; at most {limit} (BACKTEST_MAX_SWEEP_RUNS)",
            "Narrow the ranges, add a constraint, or draw a random subset with --max-runs N.",
        )
    return Expansion(runs=allowed, skipped_by_constraint=skipped, not_sampled=not_sampled)


def combination_label(combination: dict[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in combination.items())


def _operand(token: str, combination: dict[str, str]) -> Decimal | str:
    if _quoted(token):
        return token[1:-1]
    value = combination.get(token, token)
    number = _number(value)
    return number if number is not None else value


def _quoted(token: str) -> bool:
    return len(token) >= 2 and token[0] == token[-1] and token[0] in "'\""


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _compare(left: Decimal, right: Decimal, operator: str) -> bool:
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[operator]


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")
