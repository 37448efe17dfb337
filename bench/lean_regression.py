"""LEAN's own regression algorithms through the embedded engine, judged as LEAN's harness judges them.

Each algorithm of ``../shared/lean-regression/`` runs alone in a fresh engine process (the product's engine,
``runner.run_backtest``, with the parameters LEAN's launcher passes) over ``../shared/lean-data/``, and is
classified:

- MATCH: completed, and every expected statistic equals LEAN's as a string (``-0`` counts as ``0``), and so
  do LEAN's data-point counts (``DataPoints``, ``AlgorithmHistoryDataPoints``), as ``Tests/RegressionTests.cs``;
- REFUSED: failed with the engine's "... is not supported by the embedded engine", naming the API;
- DIVERGED: completed with different figures (or missing ones);
- CRASHED: any other failure (a runtime error, missing data, an engine defect, a timeout).

    .venv/bin/python -m bench.lean_regression                      # all 65, in parallel, table on stdout
    .venv/bin/python -m bench.lean_regression --only BasicTemplateAlgorithm --keep /tmp/out
    .venv/bin/python -m bench.lean_regression --write FIDELITY.md  # the report kept in the repository
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

from backtest_core.engines.base import EngineJob, EngineOutcome, RunOverrides
from backtest_core.engines.embedded.engine import unreported_exit
from backtest_core.engines.embedded.runner import run_backtest
from backtest_core.settings import PROJECT_ROOT, Settings

# NO DATA: the sample data lacks what the algorithm reads (``bench.lean_independent``; none in the shared set)
Verdict = Literal["MATCH", "REFUSED", "DIVERGED", "CRASHED", "NO DATA"]
VERDICTS: tuple[Verdict, ...] = ("MATCH", "REFUSED", "DIVERGED", "CRASHED")
# LEAN's harness runs every regression algorithm with Launcher/config.json's parameters, not the algorithm's defaults
LAUNCHER_PARAMETERS = {"ema-fast": "10", "ema-slow": "20"}
ALGORITHM_ID = "regression"
DEFAULT_TIMEOUT_S = 600.0
REFUSAL = re.compile(r"^(?P<api>.+) is not supported by the embedded engine$", re.MULTILINE)
# LEAN's PerformanceTrackingTool.Summary() line in log.txt: the two counts LEAN's regression tests compare
DATA_POINTS = re.compile(r"PerformanceTrackingTool\.Summary\(\): Dps (?P<dps>\d+)\. HistoryDps (?P<history>\d+)\.")
ENGINE_OUTPUT = "engine-output.txt"  # in each run's folder: what the engine process printed
# Each algorithm runs in a process forked from a server that has imported the engine once: alone and fresh as in
# a worker of its own, without paying the engine's imports (~1.5 s of CPU, pandas included) 65 times over.
ENGINE_PROCESSES = multiprocessing.get_context("forkserver")
ENGINE_PROCESSES.set_forkserver_preload(["backtest_core.engines.embedded.runner"])


@dataclass(frozen=True)
class Case:
    """One regression algorithm and what LEAN expects of it."""

    name: str
    project: Path
    expected: dict[str, str]
    data_points: int
    history_data_points: int
    parameters: dict[str, str]
    expected_status: str


@dataclass
class Result:
    case: Case
    verdict: Verdict
    reason: str
    seconds: float
    differences: list[str] = field(default_factory=list)


def regression_dir() -> Path:
    return Settings().shared / "lean-regression"


def load_cases(folder: Path | None = None) -> list[Case]:
    """The algorithms in ``expected.json``, in its order."""
    folder = folder or regression_dir()
    entries = json.loads((folder / "expected.json").read_text())
    return [
        Case(
            name=entry["name"],
            project=folder / "algorithms" / entry["name"],
            expected=dict(entry["expected"]),
            data_points=int(entry["data_points"]),
            history_data_points=int(entry["history_data_points"]),
            parameters=dict(entry.get("parameters") or LAUNCHER_PARAMETERS),
            expected_status=entry.get("expected_status", "Completed"),
        )
        for entry in entries
    ]


def run_case(case: Case, data_dir: Path, output_dir: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Result:
    """Run one algorithm in an engine process of its own and judge its result folder."""
    output_dir.mkdir(parents=True, exist_ok=True)
    job = EngineJob(
        run_id=f"regression-{case.name}",
        algorithm_id=ALGORITHM_ID,
        project_dir=case.project,
        data_dir=data_dir,
        output_dir=output_dir,
        overrides=RunOverrides(parameters=case.parameters),
    )
    receiver, sender = ENGINE_PROCESSES.Pipe(duplex=False)
    child = ENGINE_PROCESSES.Process(target=_engine_process, args=(job, sender), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()
    outcome = None
    timed_out = not receiver.poll(timeout_s)  # else an outcome, or the end of a process that died without one
    if timed_out:
        child.kill()
    else:
        with contextlib.suppress(EOFError):
            outcome = EngineOutcome.model_validate(receiver.recv())
    child.join()
    seconds = time.monotonic() - started
    if timed_out:
        return Result(case, "CRASHED", f"timed out after {timeout_s:.0f} s", seconds)
    if outcome is None:
        output = output_dir / ENGINE_OUTPUT  # absent when the process died before the backtest began
        printed = output.read_text(errors="replace")[-3000:] if output.is_file() else ""
        outcome = EngineOutcome(status="failed", error=unreported_exit(child.exitcode or 0, printed))
    return judge(case, outcome, output_dir, seconds)


def _engine_process(job: EngineJob, sender: Connection) -> None:
    """In the forked engine process: the backtest, its prints kept in the run's folder, the outcome sent back."""
    with (job.output_dir / ENGINE_OUTPUT).open("w", buffering=1) as printed:  # by line: kept by a hard exit
        sys.stdout = sys.stderr = printed
        outcome = run_backtest(job)
    sender.send(outcome.model_dump(mode="json"))


def judge(case: Case, outcome: EngineOutcome, output_dir: Path, seconds: float) -> Result:
    """LEAN's verdict on one finished run: the final status, then every expected figure as a string."""
    if outcome.status != "completed":
        error = outcome.error or ""
        refusal = REFUSAL.search(error)
        if refusal:
            return Result(case, "REFUSED", f"{refusal['api']} is not supported", seconds)
        # paths as the repository names them, not this machine's
        text = error.replace(f"{case.project}/", "").replace(f"{Settings().shared}/", "../shared/")
        return Result(case, "CRASHED", _first_lines(text), seconds)
    if case.expected_status != "Completed":
        return Result(case, "DIVERGED", f"completed; LEAN's status is {case.expected_status}", seconds)
    statistics = json.loads((output_dir / f"{ALGORITHM_ID}.json").read_text()).get("statistics", {})
    differences = compare_statistics(case.expected, statistics)
    differences += compare_data_points(case, (output_dir / "log.txt").read_text(errors="replace"))
    if differences:
        return Result(case, "DIVERGED", "; ".join(differences), seconds, differences)
    return Result(case, "MATCH", f"all {len(case.expected)} statistics and both data-point counts equal", seconds)


def compare_statistics(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Differences as LEAN's AssertAlgorithmState finds them: every expected key present and equal."""
    differences = []
    for key, value in expected.items():
        if key not in actual:
            differences.append(f"{key}: missing (LEAN {value})")
        elif _lean_text(actual[key]) != _lean_text(value):
            differences.append(f"{key}: {actual[key]} (LEAN {value})")
    return differences


def compare_data_points(case: Case, log: str) -> list[str]:
    found = DATA_POINTS.search(log)
    if found is None:
        return ["DataPoints: missing (no PerformanceTrackingTool.Summary line in log.txt)"]
    differences = []
    if int(found["dps"]) != case.data_points:
        differences.append(f"DataPoints: {found['dps']} (LEAN {case.data_points})")
    if int(found["history"]) != case.history_data_points:
        differences.append(f"AlgorithmHistoryDataPoints: {found['history']} (LEAN {case.history_data_points})")
    return differences


def _lean_text(value: str) -> str:
    return "0" if value == "-0" else value


def _first_lines(error: str, lines: int = 2) -> str:
    text = " | ".join(line.strip() for line in error.strip().splitlines()[:lines] if line.strip())
    return text or "failed without an error message"


def run_cases(
    cases: Iterable[Case],
    data_dir: Path,
    work_dir: Path,
    jobs: int,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Every case in its own engine process, ``jobs`` at a time; results in the cases' order."""
    cases = list(cases)

    def one(case: Case) -> Result:
        result = run_case(case, data_dir, work_dir / case.name, timeout_s)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, cases))


def counts(results: list[Result]) -> Counter[str]:
    return Counter(result.verdict for result in results)


def table(results: list[Result]) -> str:
    width = max((len(r.case.name) for r in results), default=10)
    lines = [f"{'algorithm':<{width}}  {'verdict':<8}  {'s':>6}  reason"]
    lines += [f"{r.case.name:<{width}}  {r.verdict:<8}  {r.seconds:6.1f}  {r.reason}" for r in results]
    total = counts(results)
    lines.append("  ".join(f"{verdict} {total[verdict]}" for verdict in VERDICTS) + f"  (of {len(results)})")
    return "\n".join(lines)


def report(results: list[Result]) -> str:
    """FIDELITY.md: the counts and each algorithm's class and reason."""
    total = counts(results)
    lines = [
        "# Embedded engine fidelity: LEAN's own regression algorithms",
        "",
        "Written by `.venv/bin/python -m bench.lean_regression --write FIDELITY.md`. Each of the "
        f"{len(results)} Python regression algorithms of `../shared/lean-regression/` (LEAN commit "
        "`24863901`) runs through the embedded engine over `../shared/lean-data/` with the parameters LEAN's "
        "launcher passes (`ema-fast=10`, `ema-slow=20`), and is judged as LEAN's regression harness judges "
        "it: every expected statistic equal as a string (`-0` = `0`), and the `DataPoints` and "
        "`AlgorithmHistoryDataPoints` counts equal. `tests/unit/test_lean_regression.py` (marked `slow`) "
        "fails on any DIVERGED or CRASHED algorithm.",
        "",
        "| MATCH | REFUSED | DIVERGED | CRASHED |",
        "|---:|---:|---:|---:|",
        "| " + " | ".join(str(total[verdict]) for verdict in VERDICTS) + " |",
        "",
        "| algorithm | class | reason |",
        "|---|---|---|",
    ]
    lines += [f"| {r.case.name} | {r.verdict} | {r.reason.replace('|', '/')} |" for r in results]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these algorithms (names or prefixes)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="engine processes at once")
    parser.add_argument("--data", type=Path, default=None, help="LEAN data folder (default: ../shared/lean-data)")
    parser.add_argument("--keep", type=Path, default=None, help="keep each result folder under this folder")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per algorithm")
    parser.add_argument("--write", type=Path, default=None, help="write the report (FIDELITY.md); needs the full set")
    parser.add_argument("--verbose", action="store_true", help="print every difference of a DIVERGED algorithm")
    args = parser.parse_args(argv)
    cases = load_cases()
    if args.only:
        cases = [case for case in cases if any(case.name.startswith(prefix) for prefix in args.only)]
        if not cases:
            parser.error(f"--only: no regression algorithm starts with {' or '.join(args.only)}")
        if args.write:
            parser.error("--write: the report is of the full set; leave out --only")
    data_dir = args.data or Settings().shared / "lean-data"
    print_lock = threading.Lock()

    def progress(result: Result) -> None:
        with print_lock:
            print(f"{result.verdict:<8} {result.case.name} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="lean-regression-") as scratch:
        work_dir = args.keep or Path(scratch)
        results = run_cases(cases, data_dir, work_dir, args.jobs, args.timeout, progress)
    print(table(results))
    if args.verbose:
        for result in results:
            for difference in result.differences:
                print(f"{result.case.name}: {difference}")
    if args.write:
        path = args.write if args.write.is_absolute() else PROJECT_ROOT / args.write
        path.write_text(report(results))
    total = counts(results)
    return 1 if total["DIVERGED"] or total["CRASHED"] else 0


if __name__ == "__main__":
    sys.exit(main())
