"""Run commands: run, status, progress, cancel, wait, logs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backtest_core import runs
from backtest_core.cli.history import run_details, run_summary
from backtest_core.cli.output import print_json
from backtest_core.errors import InvalidRequest
from backtest_core.models import (
    BacktestProgress,
    BacktestRequest,
    BacktestRunInfo,
    BacktestStatus,
    EngineName,
    Resolution,
)
from backtest_core.models.request import describe_validation_error
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.strategies import known_strategy_names

FOLLOW_POLL_S = 0.5


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("run", help="start a backtest of a strategy name or LEAN project path")
    command.add_argument("strategy", help="a name in the strategies folder, or a path to a LEAN project folder")
    command.add_argument(
        "--engine", choices=[engine.value for engine in EngineName.runnable()], default=EngineName.EMBEDDED.value
    )
    command.add_argument("--start", help="start date, YYYY-MM-DD")
    command.add_argument("--end", help="end date, YYYY-MM-DD")
    command.add_argument("--cash", help="starting cash")
    command.add_argument("--symbols", help="comma-separated tickers (passed to the algorithm as 'symbols')")
    command.add_argument("--resolution", choices=[r.value for r in Resolution])
    command.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="repeatable")
    command.add_argument("--name")
    command.add_argument("--tag", action="append", default=[])
    command.add_argument("--wait", action="store_true", help="show progress and return when the run ends")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_run)

    for name, help_text, handler in (
        ("status", "a run's status", _status),
        ("progress", "a run's last progress report", _progress),
        ("cancel", "cancel a queued or running run", _cancel),
        ("wait", "wait for a run to end, with a progress bar", _wait),
    ):
        command = subparsers.add_parser(name, help=help_text)
        command.add_argument("id")
        command.add_argument("--json", action="store_true")
        command.set_defaults(handler=handler)

    command = subparsers.add_parser("run-again", help="start a stored run's request again with its stored code")
    command.add_argument("id")
    command.add_argument("--wait", action="store_true", help="show progress and return when the run ends")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_run_again)

    command = subparsers.add_parser("logs", help="a run's LEAN log (log.txt)")
    command.add_argument("id")
    command.add_argument("--follow", "-f", action="store_true", help="keep printing until the run ends")
    command.set_defaults(handler=_logs)


def parse_params(pairs: list[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise InvalidRequest("param", f"{pair!r} is not KEY=VALUE; write e.g. --param fast=10")
        parameters[key.strip()] = value.strip()
    return parameters


def build_request(args: argparse.Namespace, settings: Settings) -> BacktestRequest:
    data: dict[str, Any] = {
        "strategy": args.strategy,
        "engine": args.engine,
        "start_date": args.start,
        "end_date": args.end,
        "initial_cash": args.cash,
        "symbols": args.symbols or [],
        "resolution": args.resolution,
        "parameters": parse_params(args.param),
        "name": args.name,
        "tags": args.tag,
    }
    data = {key: value for key, value in data.items() if value is not None}
    try:
        return BacktestRequest.model_validate(
            data, context={"known_strategies": known_strategy_names(settings.strategies)}
        )
    except ValidationError as error:
        field, message = describe_validation_error(error)[0]
        raise InvalidRequest(field, message) from error


def _run(args: argparse.Namespace) -> int:
    settings = Settings()
    run_id = runs.submit(build_request(args, settings), settings)
    problem = _cluster_problem(settings)
    if problem:
        print(
            f"error: {problem}\nrun {run_id} stays queued and starts when the scheduler answers; "
            f"`python -m backtest_core cancel {run_id}` drops it.",
            file=sys.stderr,
        )
    if not args.wait:
        if args.json:
            print_json(_run_json(RunStore(settings).get(run_id), settings, full=False))
        else:
            print(run_id)
        return 2 if problem else 0
    if not args.json:
        print(run_id)
    return _finish(run_id, settings, args.json)


def _run_again(args: argparse.Namespace) -> int:
    settings = Settings()
    run_id = runs.run_again(args.id, settings)
    if args.wait:
        if not args.json:
            print(run_id)
        return _finish(run_id, settings, args.json)
    if args.json:
        print_json(_run_json(RunStore(settings).get(run_id), settings, full=False))
    else:
        print(run_id)
    return 0


def _cluster_problem(settings: Settings) -> str | None:
    """Why the cluster (when one is set) cannot take runs now, or None."""
    if not settings.cluster:
        return None
    from backtest_core.cluster.status import cluster_status  # Dask only when a cluster is set

    status = cluster_status(settings)
    return None if status.reachable else status.problem


def _wait(args: argparse.Namespace) -> int:
    return _finish(args.id, Settings(), args.json)


def _finish(run_id: str, settings: Settings, as_json: bool) -> int:
    bar = None if as_json or not sys.stderr.isatty() else _ProgressBar()
    run = runs.wait(run_id, settings, on_progress=bar.draw if bar else None)
    if bar:
        bar.close()
    if as_json:
        print_json(_run_json(run, settings, full=True))
    else:
        print(f"{run.id}: {run.status.value}" + (f"\n{run.error}" if run.error else ""))
    return 0 if run.status == BacktestStatus.COMPLETED else 1


def _run_json(run: BacktestRunInfo, settings: Settings, full: bool) -> dict[str, Any]:
    return run_details(RunStore(settings), run) if full else run_summary(run)


def _status(args: argparse.Namespace) -> int:
    settings = Settings()
    runs.recover(settings)
    run = runs.status(args.id, settings)
    if args.json:
        print_json(run_summary(run))
    else:
        print(f"{run.id}: {run.status.value}" + (f" ({run.error})" if run.error else ""))
    return 0


def _progress(args: argparse.Namespace) -> int:
    report = runs.progress(args.id, Settings())
    if args.json:
        print_json(report)
    else:
        print(_progress_line(report))
        for line in report.log_tail[-5:]:
            print(f"  {line}")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    answer = runs.cancel(args.id, Settings())
    if args.json:
        print_json(answer)
    else:
        print(answer.message)
    return 0


def _logs(args: argparse.Namespace) -> int:
    settings = Settings()
    store = RunStore(settings)
    path = store.run_dir(args.id) / "log.txt"
    store.get(args.id)  # unknown ids fail with a clear message
    offset = 0
    while True:
        offset = _print_from(path, offset)
        if not args.follow or not runs.status(args.id, settings).status.is_active:
            _print_from(path, offset)
            return 0
        time.sleep(FOLLOW_POLL_S)


def _print_from(path: Path, offset: int) -> int:
    if not path.exists():
        return offset
    with path.open("rb") as log:
        log.seek(offset)
        chunk = log.read()
    sys.stdout.write(chunk.decode("utf-8", errors="replace"))
    sys.stdout.flush()
    return offset + len(chunk)


def _progress_line(report: BacktestProgress) -> str:
    simulated = f"{report.simulated_time:%Y-%m-%d %H:%M}" if report.simulated_time else "-"
    equity = f"{report.equity:,.2f}" if report.equity is not None else "-"
    return f"{report.status.value} {report.percent:5.1f}%  simulated {simulated}  equity {equity}"


class _ProgressBar:
    """A one-line terminal progress bar on stderr."""

    WIDTH = 30

    def draw(self, report: BacktestProgress) -> None:
        filled = int(self.WIDTH * report.percent / 100)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {_progress_line(report)}   ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
