"""A sweep: one parameter study of one strategy, stored as its own entity; its runs carry its id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from backtest_core.errors import InvalidRequest
from backtest_core.models.request import BacktestRequest
from backtest_core.models.run import RunOrigin
from backtest_core.sweeps.grid import SweepGrid

# The numeric statistics LEAN prints (its ``statistics`` block, in its order): what a sweep may optimise.
OBJECTIVES = (
    "Sharpe Ratio", "Sortino Ratio", "Probabilistic Sharpe Ratio", "Compounding Annual Return", "Net Profit",
    "Drawdown", "Total Orders", "Average Win", "Average Loss", "Expectancy", "End Equity", "Loss Rate", "Win Rate",
    "Profit-Loss Ratio", "Alpha", "Beta", "Annual Standard Deviation", "Annual Variance", "Information Ratio",
    "Tracking Error", "Treynor Ratio", "Total Fees", "Estimated Strategy Capacity", "Portfolio Turnover",
    "Drawdown Recovery",
)  # fmt: skip
# Those where less is better; every other objective is maximised unless told otherwise.
LOWER_IS_BETTER = frozenset(
    {"Drawdown", "Total Fees", "Annual Standard Deviation", "Annual Variance", "Tracking Error", "Loss Rate",
     "Drawdown Recovery", "Portfolio Turnover"}
)  # fmt: skip


class SweepState(StrEnum):
    """What was decided about the sweep as a whole (its runs' own statuses give the live counts)."""

    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    IMPORTED = "imported"


class Objective(BaseModel):
    """The LEAN statistic the sweep optimises, by its printed name, and its direction."""

    statistic: str = "Sharpe Ratio"
    maximize: bool = True

    @classmethod
    def named(cls, statistic: str, maximize: bool | None = None) -> Objective:
        """The objective for a LEAN statistic name; refused (field ``objective``) when LEAN prints no such number."""
        if statistic not in OBJECTIVES:
            raise InvalidRequest(
                "objective", f"{statistic!r} is not a LEAN statistic; use one of {', '.join(OBJECTIVES)}"
            )
        return cls(statistic=statistic, maximize=statistic not in LOWER_IS_BETTER if maximize is None else maximize)

    @property
    def text(self) -> str:
        return f"{'max' if self.maximize else 'min'} {self.statistic}"


class SweepInfo(BaseModel):
    """A stored sweep. ``request`` is the base every run starts from; each run overrides the swept parameters."""

    id: str
    name: str
    strategy: str
    request: BacktestRequest
    grid: SweepGrid
    objective: Objective = Field(default_factory=Objective)
    constraints_skipped: list[dict[str, str]] = Field(
        default_factory=list, description="combinations a constraint left out (shown as such, never run)"
    )
    not_sampled: int = Field(default=0, description="valid combinations left out of a random subset")
    statistic_constraints: list[str] = Field(
        default_factory=list, description="LEAN optimizer constraints on statistics (imported; shown, not applied)"
    )
    created_at: datetime
    state: SweepState = SweepState.SUBMITTED
    origin: RunOrigin = RunOrigin.SUBMITTED
    source_path: str | None = None


class SweepCounts(BaseModel):
    queued: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.running + self.completed + self.failed + self.cancelled

    @property
    def active(self) -> int:
        return self.queued + self.running

    @property
    def ended(self) -> int:
        return self.completed + self.failed + self.cancelled
