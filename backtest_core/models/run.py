"""A stored run as the store and every page see it, its live progress, and listing pages."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from backtest_core.models.enums import BacktestStatus, EngineName
from backtest_core.models.request import BacktestRequest
from backtest_core.models.statistics import BacktestStatistics

T = TypeVar("T")


class KeyStatistics(BaseModel):
    """The statistics copied into the index so listings never open result files (LEAN's units)."""

    total_orders: float | None = None
    net_profit: float | None = None
    cagr: float | None = None
    sharpe: float | None = None
    sortino: float | None = None
    psr: float | None = None
    drawdown: float | None = None
    win_rate: float | None = None
    start_equity: float | None = None
    end_equity: float | None = None
    total_fees: float | None = None


class RunOrigin(StrEnum):
    SUBMITTED = "submitted"
    IMPORTED = "imported"


class ResultSource(StrEnum):
    """Who wrote a result: this app's engines, or LEAN run elsewhere (told apart by the files they leave)."""

    APP = "app"
    LEAN_CLI = "lean-cli"
    CLOUD = "cloud"
    LAUNCHER = "launcher"
    LEAN_OPTIMIZE = "lean-optimize"
    UNKNOWN = "unknown"


class DataSource(StrEnum):
    """Whether a result was computed on real market data or on the app's SYNTHETIC sample."""

    REAL = "real"
    SYNTHETIC = "synthetic"
    UNKNOWN = "unknown"


class RunWarning(BaseModel):
    """Something an analyst must know to read the run's numbers right (shown wherever the run is shown).

    ``code`` is stable for machines (``data-ends-early``, ``data-starts-late``, ``stalled``, ...);
    ``message`` is the sentence the analyst reads.
    """

    code: str
    message: str


class RunDescription(BaseModel):
    """What a run covered and where it came from: the facts needed to compare runs fairly.

    Filled when a run ends (from its request, its engine and its result) or when it is imported.
    ``period_start``/``period_end`` are the backtest's own dates (the algorithm's, after overrides);
    ``resolution`` is the finest data resolution it subscribed to; ``start_capital`` its starting equity;
    ``data_start``/``data_end`` the first and last day of the period its subscriptions had data for (a run
    padded with days without prices covers less than its period; unknown when no data folder was read).
    """

    period_start: date | None = None
    period_end: date | None = None
    resolution: str | None = None
    start_capital: float | None = None
    data_start: date | None = None
    data_end: date | None = None
    data_source: DataSource = DataSource.UNKNOWN
    source: ResultSource = ResultSource.APP
    language: str | None = Field(default=None, description="python or csharp")
    engine_version: str | None = Field(default=None, description="embedded engine version or LEAN image/version")
    warnings: list[RunWarning] = Field(default_factory=list)


class BacktestRunInfo(BaseModel):
    """One run's row in the index."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    strategy: str
    engine: EngineName
    status: BacktestStatus
    origin: RunOrigin = RunOrigin.SUBMITTED
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    request: BacktestRequest
    error: str | None = None
    traceback: str | None = None
    tags: list[str] = Field(default_factory=list)
    note: str = ""
    stats: KeyStatistics = Field(default_factory=KeyStatistics)
    source_path: str | None = Field(default=None, description="Imported from this folder")
    description: RunDescription = Field(default_factory=RunDescription)
    sweep_id: str | None = Field(default=None, description="The sweep this run belongs to")
    executor: str = Field(default="local", description="Where it executed: local, or dask (on the cluster)")


class BacktestProgress(BaseModel):
    """What the monitor shows of a running backtest; written by the supervisor about once a second."""

    run_id: str
    status: BacktestStatus
    percent: float = Field(default=0.0, ge=0.0, le=100.0)
    simulated_time: datetime | None = None
    period_start: date | None = None
    period_end: date | None = None
    equity: float | None = None
    equity_points: list[tuple[float, float]] = Field(
        default_factory=list, description="(unix seconds, equity) samples for a sparkline, at most ~200"
    )
    statistics: dict[str, str] = Field(default_factory=dict, description="Partial runtime statistics")
    log_tail: list[str] = Field(default_factory=list)
    message: str = ""
    updated_at: datetime | None = None
    stalled_since: datetime | None = Field(
        default=None, description="Set while the engine has reported no progress for BACKTEST_STALL_SECONDS"
    )


class BacktestResult(BaseModel):
    """A finished run with its statistics; charts, orders and trades come from ``results.load_result``."""

    run: BacktestRunInfo
    statistics: BacktestStatistics = Field(default_factory=BacktestStatistics)
    runtime_statistics: dict[str, str] = Field(default_factory=dict)
    result_dir: Path


class SortKey(StrEnum):
    CREATED = "created"
    NAME = "name"
    STRATEGY = "strategy"
    STATUS = "status"
    NET_PROFIT = "net_profit"
    SHARPE = "sharpe"
    DRAWDOWN = "drawdown"
    CAGR = "cagr"
    TOTAL_ORDERS = "total_orders"
    END_EQUITY = "end_equity"


class RunQuery(BaseModel):
    """A page of the history: paging, sorting and filters (all optional)."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=1000)
    sort: SortKey = SortKey.CREATED
    descending: bool = True
    strategy: str | None = None
    status: list[BacktestStatus] = Field(default_factory=list)
    tag: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = Field(default=None, description="Matched against name, strategy, id and note")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
