"""A whole comparison assembled from its parts: window, statistics, tests, relative curves, diffs.

``build_workbench`` takes runs already loaded (``ComparedRun``: facts, curve, LEAN's statistics, inputs,
trades) and returns everything the Compare page draws and the CLI prints; ``Comparison`` is the part that
goes out as JSON. Pure: the calendar and the risk-free rate are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel

from backtest_core.analysis import periods, relative, significance
from backtest_core.analysis.calendar import TradingCalendar
from backtest_core.analysis.inputs import InputDiff, RunInputs, diff_inputs
from backtest_core.analysis.trades import TradeDiff, closed_in, trade_diff
from backtest_core.analysis.window_stats import RiskFree, WindowStatistics, window_statistics
from backtest_core.analysis.windows import (
    NO_CURVE,
    Excluded,
    RunCurve,
    Window,
    aligned_returns,
    common_window,
    coverage_problem,
    rebased_equity,
    snapped,
    window_closes,
)
from backtest_core.errors import StudioError
from backtest_core.models.statistics import parse_statistic

Mode = Literal["common", "full", "custom"]
LEAN_PSR_BENCHMARK = 1.0  # annual Sharpe LEAN's PSR is measured against (1/√N a day)


class RunFacts(BaseModel):
    """What the page header shows of a run; None is unknown (never guessed)."""

    id: str
    name: str
    period_start: date | None = None
    period_end: date | None = None
    resolution: str | None = None
    engine: str | None = None
    engine_version: str | None = None
    start_capital: float | None = None
    data_start: date | None = None  # the part of the period its subscriptions had data for
    data_end: date | None = None
    data_source: str = "unknown"
    source: str | None = None
    warnings: list[str] = []


@dataclass(frozen=True, eq=False)
class ComparedRun:
    facts: RunFacts
    curve: RunCurve
    lean_statistics: dict[str, str]
    inputs: RunInputs
    trade_source: Callable[[], pd.DataFrame]  # closed trades, read when a trade diff needs them (two runs)

    @property
    def trades(self) -> pd.DataFrame:
        return self.trade_source()

    @property
    def data_days(self) -> tuple[date | None, date | None]:
        """The days the run's figures really cover: its equity curve's, narrowed to the days its data had
        prices for when that is known (a curve runs on, flat, over days without data)."""
        first, last = self.curve.first_day, self.curve.last_day
        if first is not None and self.facts.data_start is not None:
            first = max(first, self.facts.data_start)
        if last is not None and self.facts.data_end is not None:
            last = min(last, self.facts.data_end)
        return first, last

    def data_label(self) -> str:
        """``2013-10-07 – 2013-10-11``: the Compare header's "data" cell."""
        first, last = self.data_days
        return f"{first or 'unknown'} – {last or 'unknown'}"


class VsBaseline(BaseModel):
    sharpe_difference: float | None
    sharpe_difference_ci: tuple[float, float] | None
    p_value: float | None
    mean_return_difference_ci: tuple[float, float] | None
    correlation: float | None


class RunComparison(BaseModel):
    id: str
    period: dict[str, object]
    statistics: dict[str, object]
    vs_baseline: VsBaseline | None


class Comparison(BaseModel):
    """The CLI's ``--json``: exactly the shape issue 12 gives."""

    window: dict[str, date] | None
    baseline: str
    runs: list[RunComparison]
    excluded: list[Excluded]
    inputs_differ: list[str]
    attributable_to: str | None


@dataclass(eq=False)
class Workbench:
    """Everything one comparison shows (frames indexed by date unless said otherwise)."""

    mode: Mode
    window: Window | None  # None in full mode when the runs' periods differ
    windows: dict[str, Window]  # each kept run's own window (all equal except in full mode)
    baseline: str
    calendar: TradingCalendar
    runs: list[ComparedRun]  # kept runs, baseline first
    excluded: list[Excluded]
    statistics: dict[str, WindowStatistics]
    tests: dict[str, significance.PairTest]
    correlation_to_baseline: dict[str, float | None]
    returns: pd.DataFrame  # paired daily returns on the window (empty in full mode with different periods)
    rebased: dict[str, pd.Series]  # full-detail equity from 100, UTC index
    closes: dict[str, pd.Series]  # base close + window closes per run
    inputs: InputDiff
    benchmark_sharpe: float = LEAN_PSR_BENCHMARK
    notes: list[str] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        """Whether every run's figures cover the same window (so a best mark means something)."""
        return len({(w.start, w.end) for w in self.windows.values()}) == 1

    @property
    def equal_capital(self) -> bool:
        capitals = [run.facts.start_capital for run in self.runs]
        return None not in capitals and len(set(capitals)) == 1

    @property
    def same_full_periods(self) -> bool:
        """Whether the runs' full data periods are the same (so LEAN's full-run figures are comparable)."""
        return len({(run.curve.first_day, run.curve.last_day) for run in self.runs}) == 1

    def run(self, run_id: str) -> ComparedRun:
        return next(run for run in self.runs if run.facts.id == run_id)

    def comparison(self) -> Comparison:
        return Comparison(
            window={"start": self.window.start, "end": self.window.end} if self.window else None,
            baseline=self.baseline,
            runs=[self._run_comparison(run) for run in self.runs],
            excluded=self.excluded,
            inputs_differ=self.inputs.differ,
            attributable_to=self.inputs.attributable_to,
        )

    def _run_comparison(self, run: ComparedRun) -> RunComparison:
        facts = run.facts
        period = {
            "start": facts.period_start,
            "end": facts.period_end,
            "resolution": facts.resolution,
            "engine": facts.engine,
            "engine_version": facts.engine_version,
            "start_capital": facts.start_capital,
            "data_source": facts.data_source,
            "warnings": facts.warnings,
            "data": dict(zip(("start", "end"), run.data_days, strict=True)),
            "window": self.windows[facts.id].model_dump(),
        }
        vs = None
        if facts.id != self.baseline:
            test = self.tests.get(facts.id)
            sharpe = test.sharpe if test else None
            mean = test.mean if test else None
            vs = VsBaseline(
                sharpe_difference=sharpe.difference if sharpe else None,
                sharpe_difference_ci=sharpe.ci if sharpe else None,
                p_value=sharpe.p_value if sharpe else None,
                mean_return_difference_ci=mean.ci if mean else None,
                correlation=self.correlation_to_baseline.get(facts.id),
            )
        return RunComparison(
            id=facts.id, period=period, statistics=self.statistics[facts.id].model_dump(mode="json"), vs_baseline=vs
        )


def choose_window(
    curves: Sequence[RunCurve], mode: Mode, calendar: TradingCalendar, start: date | None, end: date | None
) -> tuple[Window | None, list[Excluded]]:
    """The comparison window and the runs it leaves out (see ``windows``). A custom window's missing end is
    the common window's."""
    window, excluded = common_window(curves)
    if mode == "full":
        return window, excluded_for_no_data(excluded)
    if mode == "common" or window is None or (start is None and end is None):
        return window, excluded
    requested = Window(start=start or window.start, end=end or window.end)
    if requested.start > requested.end:
        return None, [Excluded(id=c.id, reason=f"the window {requested.label()} is empty") for c in curves]
    chosen = snapped(requested, calendar)
    if chosen.start > chosen.end:
        return None, [Excluded(id=c.id, reason=f"the window {requested.label()} has no trading day") for c in curves]
    problems = [(c.id, coverage_problem(c, chosen)) for c in curves]
    return chosen, [Excluded(id=run_id, reason=problem) for run_id, problem in problems if problem is not None]


def excluded_for_no_data(excluded: list[Excluded]) -> list[Excluded]:
    """In full mode only runs without a curve are left out (non-overlapping periods are shown side by side)."""
    return [item for item in excluded if item.reason == NO_CURVE]


def build_workbench(
    runs: Sequence[ComparedRun],
    calendar: TradingCalendar,
    rate: RiskFree,
    mode: Mode = "common",
    start: date | None = None,
    end: date | None = None,
    baseline: str | None = None,
    excluded: Sequence[Excluded] = (),
    notes: Sequence[str] = (),
) -> Workbench:
    """The comparison of ``runs`` (in the order chosen) against ``baseline`` (default: the first)."""
    ordered = sorted(runs, key=lambda run: run.facts.id != baseline) if baseline else list(runs)
    window, left_out = choose_window([run.curve for run in ordered], mode, calendar, start, end)
    out = {item.id for item in left_out}
    kept = [run for run in ordered if run.facts.id not in out]
    all_excluded = [*excluded, *left_out]
    if len(kept) < 2 or window is None:
        raise NotComparable(all_excluded, kept=len(kept) if window else 0)
    windows = {run.facts.id: (run.curve.own_window() if mode == "full" else window) or window for run in kept}
    closes = {run.facts.id: window_closes(run.curve.closes, windows[run.facts.id]) for run in kept}
    statistics = {
        run_id: window_statistics(closes[run_id], rate, calendar.periods_per_year, LEAN_PSR_BENCHMARK)
        for run_id in windows
    }
    base = kept[0].facts.id
    workbench = Workbench(
        mode=mode,
        window=window,
        windows=windows,
        baseline=base,
        calendar=calendar,
        runs=kept,
        excluded=all_excluded,
        statistics=statistics,
        tests={},
        correlation_to_baseline={},
        returns=pd.DataFrame(),
        rebased={run.facts.id: rebased_equity(run.curve, windows[run.facts.id], calendar) for run in kept},
        closes=closes,
        inputs=diff_inputs([run.inputs for run in kept]),
        notes=[*notes, *stopped_early(kept, calendar)],
    )
    if workbench.comparable:
        workbench.window = windows[base]
        workbench.returns = aligned_returns([run.curve for run in kept], windows[base])
    else:
        workbench.window = None
        workbench.notes.append(
            "Each run is shown over its own full period: statistics are not comparable across runs, so no best "
            "value is marked; tests against the baseline use the days both runs cover."
        )
    _test_against_baseline(workbench, rate)
    return workbench


def stopped_early(runs: Sequence[ComparedRun], calendar: TradingCalendar) -> list[str]:
    """A note for each run whose equity ends before the last trading day of its period (it quit or stopped):
    its figures, and a common window, end where its data does, not at the period end the header shows."""
    notes = []
    for run in runs:
        end, last = run.facts.period_end, run.curve.last_day
        if end is None or last is None or last >= calendar.last_on_or_before(end):
            continue
        notes.append(
            f"{run.facts.name} ({run.facts.id}): its equity ends {last}, before its period's end {end}; "
            f"its data, and every figure of it, stop on {last}."
        )
    return notes


class NotComparable(StudioError):
    """Fewer than two runs are left to compare; ``excluded`` says why for each run left out."""

    def __init__(self, excluded: Sequence[Excluded], kept: int = 0) -> None:
        reasons = "; ".join(f"{item.id}: {item.reason}" for item in excluded) or "no other distinct run was given"
        super().__init__(
            f"ids: {kept} comparable run(s), at least 2 are needed ({reasons})",
            "Choose completed runs whose periods overlap, or widen --start/--end to a span they all cover.",
        )
        self.excluded = list(excluded)


def _test_against_baseline(workbench: Workbench, rate: RiskFree) -> None:
    base = workbench.baseline
    for run in workbench.runs[1:]:
        run_id = run.facts.id
        pair = _paired(workbench, run_id)
        if pair.empty:
            workbench.tests[run_id] = significance.PairTest(
                verdict="too short", message="Too short to tell: the two runs share no trading day."
            )
            workbench.correlation_to_baseline[run_id] = None
            continue
        correlation = pair[run_id].corr(pair[base])
        workbench.correlation_to_baseline[run_id] = float(correlation) if math.isfinite(correlation) else None
        daily_rate = pd.Series([rate(day.date()) for day in pair.index], index=pair.index) / (
            workbench.calendar.periods_per_year
        )
        workbench.tests[run_id] = significance.compare_pair(
            (pair[run_id] - daily_rate).to_numpy(),
            (pair[base] - daily_rate).to_numpy(),
            workbench.calendar.periods_per_year,
            labels=(run.facts.name, workbench.runs[0].facts.name),
        )


def _paired(workbench: Workbench, run_id: str) -> pd.DataFrame:
    """Paired daily returns of a run and the baseline (on their overlap when their windows differ)."""
    base = workbench.baseline
    if not workbench.returns.empty:
        return workbench.returns[[run_id, base]]
    own, other = workbench.windows[run_id], workbench.windows[base]
    start, end = max(own.start, other.start), min(own.end, other.end)
    if start > end:
        return pd.DataFrame()
    curves = [workbench.run(run_id).curve, workbench.run(base).curve]
    return aligned_returns(curves, Window(start=start, end=end))


# -- tables the page draws ----------------------------------------------------------------------------------

# window statistic → (label, unit, higher is better; None: not ranked)
STATISTIC_COLUMNS: dict[str, tuple[str, str, bool | None]] = {
    "total_return": ("Return %", "%", True),
    "compounding_annual_return": ("CAR %", "%", True),
    "sharpe_ratio": ("Sharpe", "", True),
    "sortino_ratio": ("Sortino", "", True),
    "probabilistic_sharpe_ratio": ("PSR %", "%", True),
    "max_drawdown": ("Max drawdown %", "%", False),
    "annual_volatility": ("Volatility %", "%", None),
    "best_day": ("Best day %", "%", None),
    "worst_day": ("Worst day %", "%", None),
    "start_equity": ("Start equity", "$", None),
    "end_equity": ("End equity", "$", None),
    "net_profit": ("Net profit", "$", True),
    "trading_days": ("Trading days", "", None),
}
DELTA_COLUMNS = ("total_return", "compounding_annual_return", "sharpe_ratio", "max_drawdown")


def statistics_frame(workbench: Workbench) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Window statistics, one row per run (index: ids), display units (percent as percent), with Δ columns
    against the baseline; and where the best cells are: only when every run covers the same window, and
    money only at equal start capital."""
    rows = {}
    base = workbench.statistics[workbench.baseline]
    for run in workbench.runs:
        stats = workbench.statistics[run.facts.id]
        row: dict[str, float | None] = {}
        for key, (label, unit, _) in STATISTIC_COLUMNS.items():
            row[label] = _display(getattr(stats, key), unit)
            if key in DELTA_COLUMNS:
                own, other = getattr(stats, key), getattr(base, key)
                delta = None if own is None or other is None else own - other
                row[f"Δ {label}"] = _display(delta, unit)
        rows[run.facts.id] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    best = pd.DataFrame(False, index=table.index, columns=table.columns)
    if len(workbench.runs) < 2 or not workbench.comparable:
        return table, best
    for label, unit, higher in STATISTIC_COLUMNS.values():
        if higher is None or (unit == "$" and not workbench.equal_capital):
            continue
        best[label] = _best_of(table[label], higher)
    return table, best


def _display(value: float | None, unit: str) -> float | None:
    return None if value is None else value * 100 if unit == "%" else value


def lean_statistics_frame(workbench: Workbench) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LEAN's printed full-run statistics side by side; best marks only when the runs' full periods are the
    same (money only at equal start capital)."""
    names: list[str] = []
    for run in workbench.runs:
        names.extend(name for name in run.lean_statistics if name not in names)
    table = pd.DataFrame(
        {run.facts.id: [run.lean_statistics.get(name, "") for name in names] for run in workbench.runs},
        index=pd.Index(names, name="LEAN statistic (full run)"),
    )
    best = pd.DataFrame(False, index=table.index, columns=table.columns)
    if len(workbench.runs) < 2 or not workbench.same_full_periods:
        return table, best
    for name in names:
        higher = LEAN_HIGHER_IS_BETTER.get(name)
        if higher is None or (name in LEAN_MONEY and not workbench.equal_capital):
            continue
        best.loc[name] = _best_of(table.loc[name].map(parse_statistic), higher)
    return table, best


def _best_of(values: pd.Series, higher: bool) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() < 2 or numbers.nunique() < 2:
        return pd.Series(False, index=values.index)
    return numbers == (numbers.max() if higher else numbers.min())


LEAN_HIGHER_IS_BETTER: dict[str, bool] = {
    "Net Profit": True,
    "Compounding Annual Return": True,
    "Sharpe Ratio": True,
    "Sortino Ratio": True,
    "Probabilistic Sharpe Ratio": True,
    "Win Rate": True,
    "Loss Rate": False,
    "Profit-Loss Ratio": True,
    "Expectancy": True,
    "Alpha": True,
    "Information Ratio": True,
    "End Equity": True,
    "Drawdown": False,
    "Total Fees": False,
    "Drawdown Recovery": False,
}
LEAN_MONEY = frozenset({"End Equity", "Start Equity", "Total Fees", "Estimated Strategy Capacity"})


def period_returns(workbench: Workbench, period: str) -> pd.DataFrame:
    """Compounded monthly ("month") or yearly ("year") returns, one column per run."""
    frame = {
        run_id: periods.compounded(closes.pct_change().iloc[1:], period) for run_id, closes in workbench.closes.items()
    }
    return pd.DataFrame(frame)


def stress_frame(workbench: Workbench) -> pd.DataFrame:
    """Return and drawdown of each run in the named stress windows inside every run's window."""
    start = max(w.start for w in workbench.windows.values())
    end = min(w.end for w in workbench.windows.values())
    rows = []
    for stress in periods.stress_windows_within(start, end):
        row: dict[str, object] = {"window": stress.name, "from": stress.start, "to": stress.end}
        for run_id, closes in workbench.closes.items():
            total, deepest = periods.stress_figures(closes.pct_change().iloc[1:], stress)
            row[(run_id, "return %")] = total * 100
            row[(run_id, "drawdown %")] = -deepest * 100
        rows.append(row)
    return pd.DataFrame(rows)


def relative_frames(workbench: Workbench, window_days: int) -> dict[str, pd.DataFrame]:
    """Excess return, relative drawdown, rolling correlation and Sharpe difference against the baseline."""
    returns, base = workbench.returns, workbench.baseline
    if returns.empty or returns.shape[1] < 2:
        return {}
    return {
        "excess": relative.excess_return(returns, base).drop(columns=[base]) * 100,
        "relative_drawdown": relative.relative_drawdown(returns, base).drop(columns=[base]) * 100,
        "correlation": relative.rolling_correlation(returns, base, window_days),
        "sharpe_difference": relative.rolling_sharpe_difference(
            returns, base, window_days, workbench.calendar.periods_per_year
        ),
    }


def trade_comparison(workbench: Workbench, run_a: str, run_b: str) -> TradeDiff:
    """Closed trades of two runs over the days both windows share, matched, with each group's share of the
    profit difference (A − B, money as each run's own)."""
    closes_a, closes_b = workbench.closes[run_a], workbench.closes[run_b]
    zone = workbench.calendar.hours.exchange_tz
    base_day, last_day = max(closes_a.index[0], closes_b.index[0]), min(closes_a.index[-1], closes_b.index[-1])
    # trades closed after the base day's close, up to the last day's close (midnights after them)
    start = (pd.Timestamp(base_day) + pd.Timedelta(days=1)).tz_localize(zone).tz_convert("UTC")
    end = (pd.Timestamp(last_day) + pd.Timedelta(days=1)).tz_localize(zone).tz_convert("UTC")

    def profit(closes: pd.Series) -> float:
        inside = closes.loc[(closes.index >= base_day) & (closes.index <= last_day)]
        return float(inside.iloc[-1] - inside.iloc[0]) if len(inside) else 0.0

    trades_a = closed_in(workbench.run(run_a).trades, start, end)
    trades_b = closed_in(workbench.run(run_b).trades, start, end)
    return trade_diff(trades_a, trades_b, profit(closes_a) - profit(closes_b))
