"""One source of truth for paths, the LEAN image and limits, read from ``BACKTEST_*`` variables.

Settings are built fresh by every caller (``Settings()``), so a test or a subprocess that changes the
environment sees its own values; nothing is cached process-wide.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_home() -> Path:
    return Path.home() / ".backtest-studio"


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Where the store, strategies and data live, and how runs are limited."""

    model_config = SettingsConfigDict(env_prefix="BACKTEST_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Store: index database and run folders")
    strategies: Path = Field(default=PROJECT_ROOT / "strategies", description="Folder of LEAN projects")
    data: Path | None = Field(default=None, description="LEAN data folder; default <home>/data")
    lean_image: str = Field(default="quantconnect/lean:latest", description="Docker image of LEAN")
    max_concurrent: int = Field(default_factory=_default_workers, ge=1, description="Runs at once")
    max_sweep_runs: int = Field(default=1000, ge=1, description="Runs one sweep may submit")
    shared: Path = Field(default=PROJECT_ROOT.parent / "shared", description="Shared LEAN files for tests")
    docker_memory: str | None = Field(default=None, description="Container memory limit, e.g. 4g")
    docker_cpus: float | None = Field(default=None, gt=0, description="Container CPU limit, e.g. 1.5")
    docker_network: str | None = Field(default=None, description="Container network mode, e.g. none")
    stall_seconds: float = Field(default=600.0, gt=0, description="No progress this long flags a run as stalled")
    stall_stop: bool = Field(default=False, description="Stop a stalled run (else it is only flagged)")
    cluster: str | None = Field(
        default=None, description="Dask scheduler (tcp://host:port or a scheduler file) to run on; unset: here"
    )

    @field_validator("home", "strategies", "shared", "data", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @property
    def data_dir(self) -> Path:
        """The LEAN data folder in use (``BACKTEST_DATA`` or ``<home>/data``)."""
        return self.data if self.data is not None else self.home / "data"

    @property
    def index_path(self) -> Path:
        return self.home / "index.sqlite"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def storage_dir(self) -> Path:
        """LEAN object store folder mounted at /Storage for Docker runs."""
        return self.home / "storage"
