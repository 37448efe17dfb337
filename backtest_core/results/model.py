"""What a parsed LEAN result is: the typed view every page, the store and the engines share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from backtest_core.models.statistics import BacktestStatistics
from backtest_core.results.charts import Chart
from backtest_core.results.logs import LogRecord, parse_log
from backtest_core.results.tables import DeferredTable

FAILED_STATUSES = frozenset({"RuntimeError", "DeployError", "Invalid"})


@dataclass(frozen=True, eq=False)  # fields are frames: == on them is ambiguous, identity is what callers mean
class LeanResult:
    """One backtest result. Series have a UTC DatetimeIndex; enums are names; LEAN's statistic strings are
    kept (``statistics.raw``) beside the parsed numbers. Missing parts are empty, never None.

    Object sections (``algorithm_configuration``, ``trade_statistics``, ``portfolio_statistics`` keys,
    ``summary``) use LEAN's camelCase names whatever the file's vintage; ``state`` keeps LEAN's PascalCase
    keys (``Status``, ``RuntimeError``), and chart, series, statistic and parameter names are as written.
    ``orders``, ``order_events`` and ``closed_trades`` come from their ``DeferredTable`` (built at load
    unless ``load_result`` was asked to defer them).
    """

    algorithm_id: str
    folder: Path
    path: Path
    status: str | None
    runtime_error: str | None
    stack_trace: str | None
    statistics: BacktestStatistics
    runtime_statistics: dict[str, str]
    portfolio_statistics: dict[str, str]
    trade_statistics: dict[str, Any]
    parameters: dict[str, str]
    start_date: date | None
    end_date: date | None
    equity: pd.Series
    equity_ohlc: pd.DataFrame
    drawdown: pd.Series
    benchmark: pd.Series
    returns: pd.Series
    charts: dict[str, Chart]
    order_table: DeferredTable = field(repr=False)
    order_event_table: DeferredTable = field(repr=False)
    closed_trade_table: DeferredTable = field(repr=False)
    order_security_types: frozenset[str | None]  # of every order, known without tabulating them
    profit_loss: pd.Series
    algorithm_configuration: dict[str, Any]
    state: dict[str, Any]
    log_text: str
    algorithm_log: str = ""
    log_statistics: dict[str, str] = field(default_factory=dict)
    rolling_window: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def orders(self) -> pd.DataFrame:
        return self.order_table.frame()

    @property
    def order_events(self) -> pd.DataFrame:
        return self.order_event_table.frame()

    @property
    def closed_trades(self) -> pd.DataFrame:
        return self.closed_trade_table.frame()

    @cached_property
    def logs(self) -> list[LogRecord]:
        """Records of ``log_text`` (this run's part of ``log.txt``), parsed on first use: a long run logs
        tens of thousands of lines that only the log view reads.
        """
        return parse_log(self.log_text)

    @property
    def is_failed(self) -> bool:
        """The algorithm stopped on an error (initialisation or runtime)."""
        return self.status in FAILED_STATUSES or bool(self.runtime_error)

    @property
    def is_final(self) -> bool:
        """False for an in-run snapshot LEAN is still rewriting (``Running``)."""
        return self.status != "Running"


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The in-run ``<id>.json`` LEAN rewrites about every 30 s: enough for a progress line and a sparkline."""

    path: Path
    status: str | None
    last_time: datetime | None
    last_equity: float | None
    runtime_statistics: dict[str, str]
    equity: pd.Series
    order_count: int
