"""A run's description (period, resolution, capital, data, source, language, engine, warnings) from what is
known for certain: the engine's own facts for an embedded run, LEAN's files for a Docker run or an import.

Nothing is guessed: a field no file states stays empty (pages show "unknown"). Warnings say what makes the
numbers mean less than they seem: data that does not cover the period, data LEAN could not find, an equity
curve that stops before the period ends.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from backtest_core.coverage import DataRange, coverage_warnings, data_coverage, data_span
from backtest_core.engines.base import EngineFacts
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.errors import StudioError
from backtest_core.models import DataSource, Resolution, ResultSource, RunDescription, RunWarning
from backtest_core.results.files import locate
from backtest_core.results.logs import find_dates, first_engine_time
from backtest_core.results.provenance import (
    RequestedData,
    data_points,
    data_requests,
    engine_version,
    language,
    requested_data,
    result_source,
)
from backtest_core.sample_data import MARKER

if TYPE_CHECKING:  # a type only: the supervisor describes runs from facts, without pandas
    from backtest_core.results.model import LeanResult

FINEST_FIRST = (Resolution.TICK, Resolution.SECOND, Resolution.MINUTE, Resolution.HOUR, Resolution.DAILY)
EQUITY_END_TOLERANCE = timedelta(days=7)  # an equity curve may stop a few days early (weekend, holidays)
FAILED_EXAMPLES = 3
BENCHMARK_FEED = RequestedData("SPY", "equity", "usa", Resolution.HOUR)
NO_RESULT = RunWarning(
    code="no-result", message="LEAN wrote no result file for this run: only its log and the statistics it printed"
)
_NUMBER = re.compile(r"[-\d,.]+")


def describe_engine_run(
    facts: EngineFacts, data_dir: Path, requested_symbols: list[str] | None = None
) -> RunDescription:
    """An embedded run: its engine's facts, the coverage of every subscription over its period, and the
    requested ``symbols`` the algorithm never subscribed to (it read fewer than it was given)."""
    resolutions = [Resolution(s.resolution) for s in facts.subscriptions]
    warnings = _unused_symbols(requested_symbols or [], facts)
    span: tuple[date | None, date | None] = (None, None)
    if facts.period_start and facts.period_end and facts.subscriptions:
        ranges = [
            _coverage(data_dir, item.symbol, Resolution(item.resolution), item.kind, item.market)
            for item in facts.subscriptions
        ]
        warnings += coverage_warnings(ranges, facts.period_start, facts.period_end, data_dir)
        span = data_span(ranges, facts.period_start, facts.period_end)
    return RunDescription(
        period_start=facts.period_start,
        period_end=facts.period_end,
        resolution=finest(resolutions),
        start_capital=facts.start_capital,
        data_start=span[0],
        data_end=span[1],
        data_source=_data_source(facts.synthetic_data),
        source=ResultSource.APP,
        language=facts.language,
        engine_version=facts.engine_version,
        warnings=warnings,
    )


def describe_result(result: LeanResult, *, data_dir: Path | None = None, image: str | None = None) -> RunDescription:
    """A LEAN result from its files. ``data_dir``: the data folder LEAN read (a Docker run of this app): its
    coverage is checked and its SYNTHETIC marker read; for an import it is unknown. ``image``: the LEAN image."""
    files = locate(result.path)
    source = result_source(files.folder, files.main.stem, result.state)
    requests = data_requests(files.folder, result.started_at or first_engine_time(result.logs))
    requested = without_benchmark_feed(requested_data(requests.succeeded + requests.failed))
    start, end = _period(result)
    version = engine_version(result.log_text, result.algorithm_log)
    warnings = _request_warnings(requests.failed) + _equity_warnings(result, end) + _little_data(result, start, end)
    data_source = DataSource.REAL if source == ResultSource.CLOUD else DataSource.UNKNOWN
    span: tuple[date | None, date | None] = (None, None)
    if data_dir is not None:
        data_source = _data_source((data_dir / MARKER).exists())
        if start and end and requested:
            ranges = [_coverage(data_dir, r.symbol, r.resolution, r.kind, r.market) for r in requested]
            warnings = coverage_warnings(ranges, start, end, data_dir) + warnings
            span = data_span(ranges, start, end)
    return RunDescription(
        period_start=start,
        period_end=end,
        resolution=finest([r.resolution for r in requested]),
        start_capital=_start_capital(result),
        data_start=span[0],
        data_end=span[1],
        data_source=data_source,
        source=ResultSource.APP if data_dir is not None else source,
        language=language(files.folder, result.log_text),
        engine_version=f"{version} ({image})" if version and image else version or image,
        warnings=warnings,
    )


def describe_log_only(log_text: str, folder: Path) -> RunDescription:
    """A run LEAN never wrote a result for: what its log states (period, cash, version, language)."""
    dates = find_dates(log_text)
    return RunDescription(
        period_start=dates.start if dates else None,
        period_end=dates.end if dates else None,
        start_capital=_money(dates.cash) if dates else None,
        source=result_source(folder, None, {}),
        language=language(folder, log_text),
        engine_version=engine_version(log_text, ""),
        warnings=[NO_RESULT],
    )


def finest(resolutions: list[Resolution]) -> str | None:
    """The finest of the resolutions a run subscribed to (what its bars were), None when none is known."""
    present = set(resolutions)
    return next((r.value for r in FINEST_FIRST if r in present), None)


def without_benchmark_feed(requested: list[RequestedData]) -> list[RequestedData]:
    """The algorithm's own data: LEAN reads SPY's hour bars for its default benchmark, so that file tells
    nothing of the algorithm's subscriptions (alone, it leaves them unknown)."""
    return [item for item in requested if item != BENCHMARK_FEED]


def _coverage(data_dir: Path, symbol: str, resolution: Resolution, kind: str, market: str) -> DataRange:
    try:
        return data_coverage(data_dir, symbol, resolution, SecurityKind(kind), market)
    except StudioError as error:  # a damaged file: the range is unknown, and the run itself said why
        return DataRange(symbol=symbol, resolution=resolution, kind=SecurityKind(kind), market=market,
                         searched=str(error))  # fmt: skip


def _unused_symbols(requested: list[str], facts: EngineFacts) -> list[RunWarning]:
    subscribed = {item.symbol.upper() for item in facts.subscriptions}
    unused = [symbol for symbol in requested if symbol.upper() not in subscribed]
    if not unused or facts.period_start is None:  # a run failing in initialize subscribed to nothing yet
        return []
    return [RunWarning(code="symbols-unused", message=(
        f"the algorithm did not subscribe to {', '.join(unused)}, which the request gave it as symbols: "
        f"its figures are for {', '.join(sorted(subscribed)) or 'no security'} only"
    ))]  # fmt: skip


def _data_source(synthetic: bool | None) -> DataSource:
    if synthetic is None:
        return DataSource.UNKNOWN
    return DataSource.SYNTHETIC if synthetic else DataSource.REAL


def _period(result: LeanResult) -> tuple[date | None, date | None]:
    """The algorithm's dates as its configuration or the log's ``Dates:`` line states them (an old result with
    neither leaves them unknown: its equity's UTC times are not the algorithm's dates)."""
    return result.start_date, result.end_date


def _start_capital(result: LeanResult) -> float | None:
    dates = find_dates(result.log_text)
    if dates is not None and (cash := _money(dates.cash)) is not None:
        return cash
    start = result.statistics.value("Start Equity")
    if start is not None:
        return start
    return float(result.equity.iloc[0]) if not result.equity.empty else None


def _money(text: str) -> float | None:
    found = _NUMBER.search(text)
    try:
        return float(found.group(0).replace(",", "")) if found else None
    except ValueError:
        return None


def _request_warnings(failed: tuple[str, ...]) -> list[RunWarning]:
    if not failed:
        return []
    unique = list(dict.fromkeys(failed))
    examples = ", ".join(unique[:FAILED_EXAMPLES]) + (", ..." if len(unique) > FAILED_EXAMPLES else "")
    return [RunWarning(code="data-missing", message=(
        f"LEAN could not find {len(unique)} data file(s) it asked for ({examples}): "
        "those subscriptions had no prices for those days"
    ))]  # fmt: skip


def _equity_warnings(result: LeanResult, end: date | None) -> list[RunWarning]:
    """An equity curve that stops well before the period's end (a completed run whose data ran out)."""
    if end is None or result.equity.empty or result.is_failed:
        return []
    last = result.equity.index[-1].date()
    if end - last <= EQUITY_END_TOLERANCE:
        return []
    return [RunWarning(code="equity-ends-early", message=(
        f"the equity curve ends {last}, {(end - last).days} days before the period's end {end}: "
        f"statistics cover the period only up to {last}"
    ))]  # fmt: skip


def _little_data(result: LeanResult, start: date | None, end: date | None) -> list[RunWarning]:
    """LEAN's own count of data points, when it is fewer than the period has weekdays: the algorithm saw
    (almost) no prices, whatever its statistics say."""
    points = data_points(result.log_text)
    if points is None or start is None or end is None:
        return []
    weekdays = sum(1 for offset in range((end - start).days + 1) if (start + timedelta(days=offset)).weekday() < 5)
    if points >= weekdays:
        return []
    return [RunWarning(code="little-data", message=(
        f"LEAN processed {points:,} data point(s) over a period of {weekdays:,} weekdays: the algorithm had "
        "(almost) no data"
    ))]  # fmt: skip
