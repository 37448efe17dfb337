"""What is checked before a run is queued, so it cannot start and silently compute something else.

- the engine takes runs (``lean`` names results imported from LEAN run elsewhere);
- every parameter value parses as its ``config.json`` default's type (``parameters.parameter_problems``),
  the request's ``symbols`` and ``resolution`` included, which reach the algorithm as parameters;
- the data folder holds data for the symbols in the period: a period with no day of data at all is refused
  with the ranges that exist; one the data covers only in part runs and is stored with a warning.

``launch_problems`` returns ``{field: message}`` for forms; ``check_launch`` raises the first as
``InvalidRequest`` for the CLI and ``submit``.
"""

from __future__ import annotations

import re
from pathlib import Path

from backtest_core.coverage import DataRange, available_ranges, coverage_problem, data_coverage
from backtest_core.engines.embedded.data import SecurityKind
from backtest_core.errors import InvalidRequest, StudioError
from backtest_core.models import BacktestRequest, EngineName, Resolution, StrategyInfo
from backtest_core.parameters import parameter_problems

BUILT_IN_FIELDS = {"parameters.symbols": "symbols", "parameters.resolution": "resolution"}


def launch_problems(request: BacktestRequest, strategy: StrategyInfo, data_dir: Path) -> dict[str, str]:
    """Every reason ``request`` cannot run as asked, by the request field it concerns."""
    if request.engine not in EngineName.runnable():
        runnable = ", ".join(engine.value for engine in EngineName.runnable())
        return {"engine": f"{request.engine.value} names results imported from LEAN; run with {runnable}"}
    problems = {}
    if strategy.parameters:  # a project declaring no parameters: its code alone knows what it reads
        built_in = set(request.algorithm_parameters()) - set(request.parameters)
        for key, message in parameter_problems(strategy, request.algorithm_parameters()).items():
            name = key.removeprefix("parameters.")
            problems[BUILT_IN_FIELDS[key] if name in built_in else key] = message
    if problems:
        return problems
    start, end = request.start_date, request.end_date
    missing = [
        coverage_problem(ranges, start, end)
        for ranges in symbol_ranges(request, strategy, data_dir).values()
        if all(coverage_problem([found], start, end) for found in ranges)
    ]
    if missing:
        field = "start_date" if start or end else "symbols" if request.symbols else "strategy"
        problems[field] = "; ".join(str(message) for message in missing)
    return problems


def check_launch(request: BacktestRequest, strategy: StrategyInfo, data_dir: Path) -> None:
    problems = launch_problems(request, strategy, data_dir)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidRequest(field, message)


def symbol_ranges(request: BacktestRequest, strategy: StrategyInfo, data_dir: Path) -> dict[str, list[DataRange]]:
    """The data of each symbol the run will ask for (the request's, else the strategy's default ``symbols``) at
    its resolution (the request's, else the default ``resolution``); every resolution present when neither
    says. Each symbol is looked for as an equity, then crypto, then forex."""
    symbols = request.symbols or _split(strategy.parameters.get("symbols", ""))
    resolution = request.resolution or _resolution(strategy.parameters.get("resolution"))
    return {symbol: _ranges(data_dir, symbol, resolution) for symbol in symbols}


def _ranges(data_dir: Path, symbol: str, resolution: Resolution | None) -> list[DataRange]:
    try:
        for kind in SecurityKind:
            if resolution is not None:
                found = data_coverage(data_dir, symbol, resolution, kind)
                if found.found:
                    return [found]
            elif ranges := available_ranges(data_dir, symbol, kind):
                return ranges
    except StudioError as error:  # a damaged file: the engine will fail naming it; say so here too
        return [DataRange(symbol=symbol, resolution=resolution or Resolution.DAILY, searched=str(error))]
    return [data_coverage(data_dir, symbol, resolution or Resolution.DAILY)]  # the equity miss, with its path


def _split(text: str) -> list[str]:
    return [part.upper() for part in re.split(r"[,\s]+", text) if part]


def _resolution(text: str | None) -> Resolution | None:
    try:
        return Resolution(text.lower()) if text else None
    except ValueError:
        return None
