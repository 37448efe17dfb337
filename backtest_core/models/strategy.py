"""A LEAN project in the strategies folder, as the catalogue lists it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class StrategyInfo(BaseModel):
    """One project: ``<name>/main.py`` plus optional ``config.json``. ``error`` is set for a broken one."""

    name: str
    path: Path
    description: str = ""
    parameters: dict[str, str] = Field(default_factory=dict, description="Defaults from config.json")
    parameter_choices: dict[str, list[str]] = Field(
        default_factory=dict, description="Allowed values of some parameters (config.json's parameter-choices)"
    )
    class_name: str | None = None
    error: str | None = None


class StrategyDetails(StrategyInfo):
    source: str = ""
    files: list[str] = Field(default_factory=list, description="Python files of the project, relative")
