"""What an analyst asks for: one backtest of one strategy."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from backtest_core.models.enums import EngineName, Resolution

MAX_CASH = 1_000_000_000_000  # float64 keeps cents exact up to ~9e13; a trillion leaves room for growth
EARLIEST_DATE = date(1900, 1, 1)
NAME_LIMIT = 120
SYMBOL_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,11}([./-][A-Z0-9]{1,6})?$")
TAG_PATTERN = re.compile(r"^[\w][\w .:+-]{0,39}$")


class BacktestRequest(BaseModel):
    """A validated request. Validation messages name the field and say what is expected.

    LEAN algorithms choose their own securities, so ``symbols`` and ``resolution`` reach the algorithm as the
    parameters ``symbols`` (comma-separated) and ``resolution``; ``start_date``, ``end_date`` and
    ``initial_cash`` override the algorithm's own ``set_start_date``/``set_end_date``/``set_cash`` (the
    engines apply them after ``initialize``).

    Pass ``context={"known_strategies": {...}}`` to ``model_validate`` to reject unknown strategy names.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    strategy: str = Field(min_length=1, description="Strategy name in the catalogue, or a LEAN project path")
    engine: EngineName = EngineName.EMBEDDED
    start_date: date | None = None
    end_date: date | None = None
    initial_cash: float | None = Field(default=None, description="Starting cash in account currency")
    symbols: list[str] = Field(default_factory=list)
    resolution: Resolution | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    name: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("known_strategies")
        if known is None or value in known:
            return value
        if "/" in value or "\\" in value:  # a path to a project folder: checked when the run starts
            return value
        choices = ", ".join(sorted(known)) or "none found"
        raise ValueError(f"unknown strategy {value!r}; known strategies: {choices}")

    @field_validator("initial_cash")
    @classmethod
    def _bounded_cash(cls, value: float | None) -> float | None:
        if value is None:
            return None
        if math.isnan(value):
            raise ValueError("initial cash is not a number (nan); give an amount such as 100000")
        if not value > 0:
            raise ValueError("initial cash must be greater than 0")
        if value > MAX_CASH:
            raise ValueError(
                f"initial cash {value:g} is more than {MAX_CASH:,}, the most the engines account for to the cent "
                "(the embedded engine computes in 64-bit floats)"
            )
        return value

    @field_validator("start_date", "end_date")
    @classmethod
    def _dates_in_range(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        label = info.field_name.replace("_", " ")
        if value < EARLIEST_DATE:
            raise ValueError(f"{label} {value} is before {EARLIEST_DATE}; no market data goes back that far")
        today = date.today()
        if value > today:
            raise ValueError(f"{label} {value} is after today ({today}); there is no data for the future yet")
        return value

    @field_validator("name")
    @classmethod
    def _name_fits(cls, value: str | None) -> str | None:
        if value is not None and len(value) > NAME_LIMIT:
            raise ValueError(f"a run name holds at most {NAME_LIMIT} characters; this one has {len(value)}")
        return value or None

    @field_validator("symbols", mode="before")
    @classmethod
    def _split_symbols(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in re.split(r"[,\s]+", value) if part]
        return value

    @field_validator("symbols")
    @classmethod
    def _valid_symbols(cls, value: list[str]) -> list[str]:
        cleaned = [symbol.strip().upper() for symbol in value]
        for symbol in cleaned:
            if not SYMBOL_PATTERN.match(symbol):
                raise ValueError(f"{symbol!r} is not a ticker; use letters and digits such as SPY, BRK.B or BTCUSD")
        return list(dict.fromkeys(cleaned))

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution_case(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            lowered = value.strip().lower()
            if lowered not in {r.value for r in Resolution}:
                raise ValueError(f"unknown resolution {value!r}; use one of {', '.join(r.value for r in Resolution)}")
            return lowered
        return value or None

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters_as_strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v if isinstance(v, str) else _parameter_text(v) for k, v in value.items()}
        return value

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, value: list[str]) -> list[str]:
        return clean_tags(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> BacktestRequest:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(
                f"end_date {self.end_date} is before start_date {self.start_date}; "
                "the end date must be on or after the start date"
            )
        return self

    def algorithm_parameters(self) -> dict[str, str]:
        """Parameters the algorithm sees: the overrides plus ``symbols`` and ``resolution`` when given."""
        merged = dict(self.parameters)
        if self.symbols:
            merged["symbols"] = ",".join(self.symbols)
        if self.resolution is not None:
            merged["resolution"] = self.resolution.value
        return merged

    def display_name(self) -> str:
        return self.name or self.strategy


def clean_tags(tags: list[str]) -> list[str]:
    """Tags stripped and de-duplicated; a malformed one raises ValueError saying what a tag may hold."""
    cleaned = [tag.strip() for tag in tags]
    for tag in cleaned:
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"{tag!r} is not a tag; use up to 40 letters, digits, spaces or . : + -")
    return list(dict.fromkeys(cleaned))


def _parameter_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def describe_validation_error(error: Exception) -> list[tuple[str, str]]:
    """``(field, message)`` pairs for a pydantic ``ValidationError`` (or any error: field ``request``)."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return [("request", str(error))]
    pairs: list[tuple[str, str]] = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "request"
        message = str(item["msg"]).removeprefix("Value error, ")
        if field == "request" and message.startswith("end_date"):
            field = "end_date"
        pairs.append((field, message))
    return pairs
