"""Descriptions for runs stored undescribed: runs from an index older than descriptions (migration 2 gave
them ``'{}'``), and runs that ended without a description (cancelled while queued, an orphan marked failed).

Each is described once, from what its stored files and request state, so History, Compare, the Result
header and ``show --json`` give its period, resolution and capital instead of "unknown"; afterwards a start
costs one query on a partial index. Nothing is guessed: today's data folder may not be the one the run read,
so its coverage is not checked and its data source stays unknown; a field no file states stays empty.
"""

from __future__ import annotations

from pathlib import Path

from backtest_core.describe import describe_log_only, describe_result
from backtest_core.errors import ResultFormatError
from backtest_core.models import (
    BacktestRunInfo,
    DataSource,
    EngineName,
    ResultSource,
    RunDescription,
    RunOrigin,
    RunWarning,
)
from backtest_core.results.logs import read_log, select_run
from backtest_core.results.provenance import result_source
from backtest_core.store.run_store import RunStore


def describe_undescribed(store: RunStore) -> list[str]:
    """Describe every ended run stored without a description; the ids described."""
    described = []
    for run in store.undescribed():
        try:
            description = stored_description(store, run)
        except Exception as failure:  # one unreadable run must not stop the others, nor be retried forever
            message = f"what this run covered could not be worked out ({type(failure).__name__}: {failure})"
            description = RunDescription(warnings=[RunWarning(code="undescribed", message=message)])
        store.set_description(run.id, description)
        described.append(run.id)
    return described


def stored_description(store: RunStore, run: BacktestRunInfo) -> RunDescription:
    """What the run's result (or, without one, its log) states, with the request's overrides filling the
    period, capital and resolution the files leave unknown. An import's source is read from the folder it
    was imported from, as the import read it (the store's copy is named after the run)."""
    folder = store.run_dir(run.id)
    stem: str | None = store.algorithm_id(run.id)
    state: dict[str, object] = {}
    try:
        result = store.result(run.id, deferred_tables=True)  # orders and trades are not read
        description, state = describe_result(result), result.state
    except ResultFormatError:
        log, stem = folder / "log.txt", None
        description = RunDescription()
        if log.is_file():
            description = describe_log_only(select_run(read_log(log), store.algorithm_id(run.id)), folder)
    if run.origin == RunOrigin.IMPORTED:
        if run.source_path:
            description.source = result_source(Path(run.source_path), stem, state)
    else:
        description.source, description.data_source = ResultSource.APP, DataSource.UNKNOWN
    if run.engine == EngineName.EMBEDDED and description.engine_version:
        description.engine_version = f"embedded, {description.engine_version} API"
    request = run.request
    description.period_start = description.period_start or request.start_date
    description.period_end = description.period_end or request.end_date
    description.start_capital = description.start_capital or request.initial_cash
    description.resolution = description.resolution or (request.resolution.value if request.resolution else None)
    return description
