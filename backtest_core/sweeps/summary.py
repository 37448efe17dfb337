"""A sweep read back: its runs as one table (a column per parameter), the best run, and whether it is luck.

``sweep_report`` is what ``sweep show`` prints and what the sweep page draws from: pure reading of the
store and the runs' result files, no process started.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pandas as pd

from backtest_core.analysis.calendar import TradingCalendar, daily_closes
from backtest_core.analysis.robustness import neighbourhood, robust_choice
from backtest_core.analysis.selection_bias import (
    DeflatedSharpe,
    OverfitProbability,
    deflated_sharpe_of_best,
    probability_of_backtest_overfitting,
)
from backtest_core.compare_runs import trading_calendar
from backtest_core.errors import ResultFormatError
from backtest_core.models import BacktestRunInfo, BacktestStatus, parse_statistic
from backtest_core.models.sweep import SweepCounts, SweepInfo, SweepState
from backtest_core.results import read_snapshot, read_verdict
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.views import grouped_notice_texts

KEY_COLUMNS = {  # index column → the label the table shows (LEAN's printed units)
    "sharpe": "Sharpe Ratio",
    "net_profit": "Net Profit %",
    "cagr": "Compounding Annual Return %",
    "drawdown": "Drawdown %",
    "total_orders": "Total Orders",
    "win_rate": "Win Rate %",
    "psr": "Probabilistic Sharpe Ratio %",
}
SKIPPED = "skipped"
ZERO_TRADES = "zero trades"


@dataclass
class SweepReport:
    """Everything known about a sweep now. ``table`` has one row per cell, run or skipped combination."""

    sweep: SweepInfo
    counts: SweepCounts
    status: str
    table: pd.DataFrame
    returns: dict[str, pd.Series] = field(default_factory=dict)
    equity: dict[str, pd.Series] = field(default_factory=dict)
    best: str | None = None
    plateau_best: str | None = None
    deflated: DeflatedSharpe | None = None
    deflated_note: str = ""
    overfit: OverfitProbability | None = None
    overfit_note: str = ""
    eta: timedelta | None = None
    notices: list[tuple[str, str]] = field(default_factory=list)  # the runs' SYNTHETIC label and warnings


def sweep_status(sweep: SweepInfo, counts: SweepCounts) -> str:
    """queued / running while runs wait or run, then cancelled or completed."""
    if counts.running or (counts.queued and counts.ended):
        return "running"
    if counts.queued:
        return "queued"
    return "cancelled" if sweep.state == SweepState.CANCELLED else "completed"


def sweep_report(store: RunStore, sweep_id: str, *, with_curves: bool = True) -> SweepReport:
    """Read the sweep, its runs and (``with_curves``) their results; score the objective and selection bias."""
    sweeps = SweepStore(store)
    sweep = sweeps.get(sweep_id)
    runs = sweeps.run_infos(sweep_id)
    counts = sweeps.counts(sweep_id)
    objective_values, equity = {}, {}
    for run in runs:
        if run.status not in (BacktestStatus.COMPLETED, BacktestStatus.FAILED):
            continue
        statistics, curve = _outcome(store, run, with_curves)
        objective_values[run.id] = parse_statistic(statistics.get(sweep.objective.statistic))
        if curve is not None and run.status == BacktestStatus.COMPLETED:
            equity[run.id] = curve
    table = _table(sweep, runs, objective_values)
    report = SweepReport(sweep=sweep, counts=counts, status=sweep_status(sweep, counts), table=table, equity=equity)
    report.eta = estimate_eta(runs, counts, datetime.now(UTC))
    names = sweep.grid.names
    labelled = [(run, " ".join(f"{name}={run.request.parameters.get(name)}" for name in names)) for run in runs]
    report.notices = grouped_notice_texts([(run, label) for run, label in labelled if not run.status.is_active])
    _score(report, store)
    return report


def _outcome(store: RunStore, run: BacktestRunInfo, with_curve: bool) -> tuple[dict[str, str], pd.Series | None]:
    path = store.run_dir(run.id) / f"{store.algorithm_id(run.id)}.json"
    try:
        statistics = read_verdict(path).statistics
    except ResultFormatError:
        return {}, None
    snapshot = read_snapshot(path) if with_curve else None
    return statistics, snapshot.equity if snapshot is not None and not snapshot.equity.empty else None


def _table(sweep: SweepInfo, runs: list[BacktestRunInfo], objective: dict[str, float | None]) -> pd.DataFrame:
    names = sweep.grid.names
    rows = []
    for run in runs:
        row: dict[str, object] = {"id": run.id}
        row.update({name: run.request.parameters.get(name, "") for name in names})
        row["status"] = run.status.value
        if run.status == BacktestStatus.COMPLETED and (run.stats.total_orders or 0) == 0:
            row["status"] = ZERO_TRADES
        row["objective"] = objective.get(run.id)
        row.update({label: getattr(run.stats, column) for column, label in KEY_COLUMNS.items()})
        row["error"] = run.error or ""
        rows.append(row)
    for index, combination in enumerate(sweep.constraints_skipped):
        rows.append({"id": f"skipped-{index}", **combination, "status": SKIPPED, "objective": None, "error": ""})
    columns = ["id", *names, "status", "objective", *KEY_COLUMNS.values(), "error"]
    frame = pd.DataFrame(rows, columns=columns).set_index("id", drop=False)
    for column in ("objective", *KEY_COLUMNS.values()):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _score(report: SweepReport, store: RunStore) -> None:
    """Best and plateau's best, DSR of the best, PBO over every completed run."""
    sweep, table = report.sweep, report.table
    maximize = sweep.objective.maximize
    ran = table[table["status"] != SKIPPED]
    if ran["objective"].notna().any():
        scored = neighbourhood(table, sweep.grid.names, "objective", maximize)
        for column in ("smoothed", "fall", "stability"):
            report.table[column] = scored[column]
        choice = robust_choice(scored.loc[ran.index], "objective", maximize)
        report.best, report.plateau_best = choice.raw_best, choice.plateau_best
    calendar = trading_calendar(store.settings.data_dir, crypto_only=False)
    report.returns = {run_id: trading_day_returns(curve, calendar) for run_id, curve in report.equity.items()}
    report.returns = {run_id: series for run_id, series in report.returns.items() if len(series) > 1}
    if report.best is None or report.best not in report.returns:
        report.deflated_note = "needs a best run with daily returns"
    elif len(report.returns) < 2:
        report.deflated_note = "needs at least 2 completed runs (trials)"
    else:
        report.deflated = deflated_sharpe_of_best(report.returns, report.best)
    if len(report.returns) < 2:
        report.overfit_note = "needs at least 2 completed runs with daily returns"
    else:
        try:
            report.overfit = probability_of_backtest_overfitting(pd.DataFrame(report.returns))
        except ValueError as reason:
            report.overfit_note = str(reason)


def trading_day_returns(equity: pd.Series, calendar: TradingCalendar) -> pd.Series:
    """Returns per trading day (the comparison's daily convention, ``analysis.calendar``): LEAN's chart has a
    point for every calendar day, and weekend points would add zero returns that inflate T and shrink the
    spread DSR and PBO read."""
    return daily_closes(equity, calendar).pct_change().dropna()


def estimate_eta(runs: list[BacktestRunInfo], counts: SweepCounts, now: datetime) -> timedelta | None:
    """Time left: runs not yet ended × mean wall time of the ended ones ÷ runs at once (None until one ended)."""
    spans = [
        (run.finished_at - run.started_at).total_seconds()
        for run in runs
        if run.started_at and run.finished_at and run.status in (BacktestStatus.COMPLETED, BacktestStatus.FAILED)
    ]
    if not spans or not counts.active:
        return None
    parallel = max(1, counts.running)
    return timedelta(seconds=sum(spans) / len(spans) * counts.active / parallel)


def report_json(report: SweepReport) -> dict[str, object]:
    """The ``sweep show --json`` shape; numbers that do not exist are null, never invented."""
    sweep, table = report.sweep, report.table
    runs = []
    for _, row in table[table["status"] != SKIPPED].iterrows():
        statistics = {label: finite_number(row[label]) for label in KEY_COLUMNS.values()}
        statistics[sweep.objective.statistic] = finite_number(row["objective"])
        runs.append(
            {
                "id": row["id"],
                "status": row["status"],
                "parameters": {name: row[name] for name in sweep.grid.names},
                "statistics": statistics,
                "error": row["error"] or None,
            }
        )
    best = None
    if report.best is not None:
        best_row = table.loc[report.best]
        best = {
            "id": report.best,
            "parameters": {name: best_row[name] for name in sweep.grid.names},
            "objective": finite_number(best_row["objective"]),
            "stability": finite_number(best_row.get("stability")),
        }
    return {
        "id": sweep.id,
        "name": sweep.name,
        "strategy": sweep.strategy,
        "status": report.status,
        "objective": sweep.objective.model_dump(),
        "counts": {
            "queued": report.counts.queued,
            "running": report.counts.running,
            "completed": report.counts.completed,
            "failed": report.counts.failed,
            "cancelled": report.counts.cancelled,
        },
        "parameters": sweep.grid.names,
        "constraints": [constraint.text for constraint in sweep.grid.constraints],
        "skipped": sweep.constraints_skipped,
        "runs": runs,
        "best": best,
        "plateau_best": report.plateau_best,
        "deflated_sharpe": finite_number(report.deflated.dsr) if report.deflated else None,
        "deflated_sharpe_inputs": report.deflated.model_dump() if report.deflated else report.deflated_note,
        "pbo": report.overfit.pbo if report.overfit else None,
        "pbo_inputs": report.overfit.model_dump(exclude={"logits"}) if report.overfit else report.overfit_note,
    }


def finite_number(value: object) -> float | None:
    """A float, or None for what is no finite number (a failed run's objective is absent, not NaN)."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
