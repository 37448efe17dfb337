"""Loading runs for a comparison from the store: the one place the Compare page and ``compare`` CLI read
files. Everything computed from them is in ``backtest_core.analysis``.

Ids are taken as given (comma lists allowed), duplicates merged with a note, at most ``MAX_RUNS``. A run that
cannot be compared (unknown, still running, failed, unreadable, no equity) is excluded with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from backtest_core.analysis.calendar import EVERY_DAY_PER_YEAR, US_EQUITY_DAYS_PER_YEAR, TradingCalendar, daily_closes
from backtest_core.analysis.comparison import ComparedRun, Mode, RunFacts, Workbench, build_workbench
from backtest_core.analysis.inputs import RunInputs
from backtest_core.analysis.window_stats import RiskFree
from backtest_core.analysis.windows import Excluded, RunCurve
from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.errors import InvalidRequest, ResultFormatError, StudioError
from backtest_core.models import BacktestRunInfo, BacktestStatus
from backtest_core.results import LeanResult
from backtest_core.settings import Settings
from backtest_core.store import RunStore

MAX_RUNS = 50
MAX_CODE_FILE_BYTES = 1_000_000
NOT_SET = "(not set)"
ALGORITHM_OWN = "(the algorithm's own)"


class Selection(BaseModel):
    """The ids asked for, cleaned: in order, each once; the duplicates that were merged."""

    ids: list[str]
    duplicates: list[str]

    def notes(self) -> list[str]:
        if not self.duplicates:
            return []
        return [f"Merged duplicate ids (each run is compared once): {', '.join(self.duplicates)}."]


def parse_ids(values: Iterable[str]) -> Selection:
    """``values`` as given in a URL or on the command line (each may be a comma list)."""
    ids, duplicates = [], []
    for value in values:
        for part in value.split(","):
            run_id = part.strip()
            if not run_id:
                continue
            if run_id not in ids:
                ids.append(run_id)
            elif run_id not in duplicates:
                duplicates.append(run_id)
    return Selection(ids=ids, duplicates=duplicates)


def check_limit(selection: Selection) -> None:
    if len(selection.ids) > MAX_RUNS:
        raise InvalidRequest(
            "ids",
            f"{len(selection.ids)} runs chosen; a comparison holds at most {MAX_RUNS}",
            f"Pick the {MAX_RUNS} runs that matter (a sweep's top {MAX_RUNS}, say) and compare those.",
        )


def trading_calendar(data_dir: Path, crypto_only: bool) -> TradingCalendar:
    """US equity trading days (LEAN's market-hours database when the data folder has it), or every day in
    UTC when all runs trade crypto only."""
    folder = LeanDataFolder(data_dir)
    if crypto_only:
        hours = folder.market_hours(SecurityKind.CRYPTO, "coinbase", "BTCUSD")
        return TradingCalendar("crypto, every day (UTC)", hours, EVERY_DAY_PER_YEAR)
    hours = folder.market_hours(SecurityKind.EQUITY, "usa", "SPY")
    return TradingCalendar("US equities (New York close)", hours, US_EQUITY_DAYS_PER_YEAR)


def risk_free_rate(data_dir: Path) -> RiskFree:
    """LEAN's InterestRateProvider over the data folder (1% a year without its interest-rate file)."""
    return LeanDataFolder(data_dir).risk_free_rate


def load_run(store: RunStore, run_id: str) -> tuple[BacktestRunInfo, LeanResult] | Excluded:
    """A run and its parsed result, or why it cannot be compared."""
    try:
        run = store.get(run_id)
    except StudioError as error:
        return Excluded(id=run_id, reason=str(error))
    if run.status.is_active:
        return Excluded(id=run_id, reason=f"it is still {run.status.value}")
    try:
        result = store.result(run_id, deferred_tables=True)  # of ten results, two trade tables are read
    except ResultFormatError as error:
        return Excluded(id=run_id, reason=f"its result cannot be read ({error.problem})")
    if run.status == BacktestStatus.FAILED:
        return Excluded(id=run_id, reason=f"the run failed: {(run.error or 'no message').splitlines()[0][:200]}")
    if result.equity.empty:
        return Excluded(id=run_id, reason="its result has no equity curve")
    return run, result


def compared_run(store: RunStore, run: BacktestRunInfo, result: LeanResult, calendar: TradingCalendar) -> ComparedRun:
    facts = run_facts(run, result)
    curve = RunCurve(id=run.id, label=facts.name, equity=result.equity, closes=daily_closes(result.equity, calendar))
    inputs = RunInputs(id=run.id, fields=input_fields(run, result, facts), code=code_snapshot(store.run_dir(run.id)))
    return ComparedRun(
        facts=facts,
        curve=curve,
        lean_statistics=result.statistics.raw,
        inputs=inputs,
        trade_source=result.closed_trade_table.frame,
    )


def run_facts(run: BacktestRunInfo, result: LeanResult) -> RunFacts:
    """The header facts: the stored description first, then what the result itself says; else unknown."""
    description = run.description
    capital = description.start_capital or run.request.initial_cash or result.statistics.value("Start Equity")
    return RunFacts(
        id=run.id,
        name=run.name,
        period_start=description.period_start or run.request.start_date or result.start_date,
        period_end=description.period_end or run.request.end_date or result.end_date,
        resolution=description.resolution or (run.request.resolution.value if run.request.resolution else None),
        engine=run.engine.value,
        engine_version=description.engine_version,
        start_capital=capital,
        data_start=description.data_start,
        data_end=description.data_end,
        data_source=description.data_source.value,
        source=description.source.value if run.description.source else run.origin.value,
        warnings=[warning.message for warning in description.warnings],
    )


def input_fields(run: BacktestRunInfo, result: LeanResult, facts: RunFacts) -> dict[str, str | None]:
    """The inputs the run used (effective values: the request's overrides, else the algorithm's own)."""
    request = run.request
    fields: dict[str, str | None] = {
        "strategy": run.strategy,
        "start_date": _text(request.start_date or result.start_date),
        "end_date": _text(request.end_date or result.end_date),
        "initial_cash": _text(request.initial_cash or facts.start_capital),
        "resolution": request.resolution.value if request.resolution else facts.resolution or ALGORITHM_OWN,
        "symbols": ",".join(request.symbols) or ALGORITHM_OWN,
        "engine": run.engine.value,
        "engine_version": facts.engine_version,
    }
    parameters = {**result.parameters, **request.parameters}
    for name, value in parameters.items():
        fields[f"parameters.{name}"] = value
    return fields


def with_unset_parameters(runs: Sequence[ComparedRun]) -> None:
    """A parameter one run sets and another does not: the other ran with the algorithm's default."""
    names = {name for run in runs for name in run.inputs.fields if name.startswith("parameters.")}
    for run in runs:
        for name in names:
            run.inputs.fields.setdefault(name, NOT_SET)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def code_snapshot(run_dir: Path) -> dict[str, str] | None:
    """Every file of the run's ``code/`` (path → text; binary or huge files by fingerprint); None without it."""
    folder = run_dir / "code"
    if not folder.is_dir():
        return None
    files = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        data = path.read_bytes()
        name = path.relative_to(folder).as_posix()
        try:
            if len(data) > MAX_CODE_FILE_BYTES:
                raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "too large to show")
            files[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            files[name] = f"<{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}>\n"
    return files or None


def load_runs(
    store: RunStore, ids: Sequence[str], data_dir: Path
) -> tuple[list[ComparedRun], list[Excluded], TradingCalendar]:
    """The comparable runs of ``ids`` (in order), the excluded ones with their reasons, and the calendar
    their closes were taken on."""
    loaded: list[tuple[BacktestRunInfo, LeanResult]] = []
    excluded: list[Excluded] = []
    for run_id in ids:
        item = load_run(store, run_id)
        if isinstance(item, Excluded):
            excluded.append(item)
        else:
            loaded.append(item)
    crypto_only = bool(loaded) and all(_crypto_only(result) for _, result in loaded)
    calendar = trading_calendar(data_dir, crypto_only)
    runs = [compared_run(store, run, result, calendar) for run, result in loaded]
    with_unset_parameters(runs)
    return runs, excluded, calendar


def _crypto_only(result: LeanResult) -> bool:
    return result.order_security_types == {"Crypto"}


def compare(
    ids: Sequence[str],
    settings: Settings | None = None,
    mode: Mode = "common",
    start: date | None = None,
    end: date | None = None,
    baseline: str | None = None,
) -> Workbench:
    """The comparison of the stored runs ``ids`` (see ``analysis.comparison.build_workbench``)."""
    settings = settings or Settings()
    selection = parse_ids(ids)
    check_limit(selection)
    if baseline is not None and baseline not in selection.ids:
        raise InvalidRequest("baseline", f"{baseline!r} is not one of the compared runs", "Pass one of the ids.")
    store = RunStore(settings)
    runs, excluded, calendar = load_runs(store, selection.ids, settings.data_dir)
    rate = risk_free_rate(settings.data_dir)
    return build_workbench(runs, calendar, rate, mode, start, end, baseline, excluded, selection.notes())
