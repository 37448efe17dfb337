"""One backtest in this process: the engine's worker calls it in its child process, tests and benchmarks call
it straight. Kept apart from the launcher (``engine``) so a run's supervisor, which only starts and follows the
child, does not import the engine itself (pandas, numpy and the LEAN API: a second of CPU per run).
"""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from backtest_core.engines.base import EngineJob, EngineOutcome, EngineProgress
from backtest_core.engines.embedded.backtest import AlgorithmFailure, Backtest
from backtest_core.engines.embedded.facts import engine_facts
from backtest_core.engines.embedded.recorder import Recorder
from backtest_core.errors import StudioError

WRITING_FAILED = "The backtest ran, but computing its statistics or writing its result files failed"
RUN_COLLECTION_THRESHOLD = 20_000  # allocations between young collections during a run (Python's: 700)


def run_backtest(job: EngineJob, progress: Callable[[EngineProgress], None] | None = None,
                 log_line: Callable[[str], None] | None = None,
                 should_stop: Callable[[], bool] = lambda: False) -> EngineOutcome:  # fmt: skip
    """Run ``job`` in this process and write its LEAN result folder; never raises for algorithm errors."""
    with _rare_collections():
        return _run(job, progress, log_line, should_stop)


def _run(job: EngineJob, progress: Callable[[EngineProgress], None] | None, log_line: Callable[[str], None] | None,
         should_stop: Callable[[], bool]) -> EngineOutcome:  # fmt: skip
    recorder = Recorder(job.output_dir, job.algorithm_id, progress, log_line)
    backtest = Backtest(job.project_dir, job.data_dir, job.overrides, recorder, should_stop)
    outcome = _execute(backtest, recorder, should_stop)
    return outcome.model_copy(update={"facts": engine_facts(backtest, recorder, job.data_dir)})


def _execute(backtest: Backtest, recorder: Recorder, should_stop: Callable[[], bool]) -> EngineOutcome:
    try:
        backtest.run()
    except AlgorithmFailure as failure:
        return _failed(backtest, recorder, str(failure), failure.trace)
    except StudioError as error:
        return _failed(backtest, recorder, error.user_message(), "")
    except Exception as error:  # an engine defect: still a failed run with its traceback, never a lost one
        return _failed(backtest, recorder, f"Backtest Studio engine error: {type(error).__name__}: {error}",
                       traceback.format_exc())  # fmt: skip
    try:
        recorder.finish(backtest, backtest.last_step_ns)
    except Exception as error:  # statistics or result files: the step that failed is the run's error
        return EngineOutcome(status="failed", error=f"{WRITING_FAILED}: {type(error).__name__}: {error}",
                             traceback=traceback.format_exc())  # fmt: skip
    if should_stop():
        return EngineOutcome(status="cancelled", error="Cancelled by the user; partial results kept.")
    return EngineOutcome(status="completed")


def _failed(backtest: Backtest, recorder: Recorder, message: str, trace: str) -> EngineOutcome:
    try:
        if backtest.initialized:
            recorder.finish(backtest, backtest.last_step_ns, message, trace)
        else:
            recorder.finish_without_algorithm(message, trace)
    except Exception as error:
        message += f"\n{WRITING_FAILED} as well: {type(error).__name__}: {error}"
        trace = f"{trace}\n{traceback.format_exc()}".strip()
    return EngineOutcome(status="failed", error=message, traceback=trace or None)


@contextmanager
def _rare_collections() -> Iterator[None]:
    """A backtest makes and drops a few small objects per time step, none in cycles, and the cyclic collector
    ran every 700 of them, its full passes walking every object of the libraries loaded (8% of a minute
    backtest). During a run what exists before it is frozen out of collection and young collections come less
    often; both are restored after (runs in this process, as in tests), and the algorithm's own cycles are
    still collected."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RUN_COLLECTION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
