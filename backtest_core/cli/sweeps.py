"""Sweep commands: ``sweep STRATEGY --param ...`` launches one; ``sweep list|show ID|cancel ID`` read and stop them.

``sweeps.summary`` (scipy and the selection-bias statistics under it, ~0.5 s) is imported by the handlers that
report, so every other ``python -m backtest_core`` call starts without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING

from backtest_core import runs
from backtest_core.cli.output import print_json, print_table
from backtest_core.cli.runs import build_request
from backtest_core.models import EngineName, Resolution
from backtest_core.models.sweep import Objective
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.grid import build_grid
from backtest_core.sweeps.launch import cancel_sweep, plan_sweep, submit_sweep

if TYPE_CHECKING:
    from backtest_core.sweeps.summary import SweepReport

ACTIONS = ("list", "show", "cancel")
WAIT_POLL_S = 1.0


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "sweep",
        help="a parameter sweep: sweep STRATEGY --param fast=5:30:5 ...; sweep list | show ID | cancel ID",
        add_help=False,
    )
    command.add_argument("words", nargs=argparse.REMAINDER)
    command.set_defaults(handler=_dispatch)


def _launch_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m backtest_core sweep", description="Launch a parameter sweep.")
    parser.add_argument("strategy", help="a name in the strategies folder, or a path to a LEAN project folder")
    values_help = "values as a list 50,100,200 or an inclusive range start:stop:step; repeatable"
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUES", help=values_help)
    parser.add_argument("--constraint", action="append", default=[], help='skip combinations, e.g. "fast<slow"')
    parser.add_argument("--objective", default="Sharpe Ratio", help="a LEAN statistic, e.g. 'Sharpe Ratio'")
    direction = parser.add_mutually_exclusive_group()
    direction.add_argument("--minimize", dest="maximize", action="store_false", default=None)
    direction.add_argument("--maximize", dest="maximize", action="store_true")
    parser.add_argument("--engine", choices=[engine.value for engine in EngineName], default=EngineName.EMBEDDED.value)
    parser.add_argument("--start", help="start date, YYYY-MM-DD")
    parser.add_argument("--end", help="end date, YYYY-MM-DD")
    parser.add_argument("--cash", help="starting cash")
    parser.add_argument("--symbols", help="comma-separated tickers (passed to the algorithm as 'symbols')")
    parser.add_argument("--resolution", choices=[r.value for r in Resolution])
    parser.add_argument("--name")
    parser.add_argument("--tag", action="append", default=[])
    parser.add_argument("--max-runs", type=int, help="run a random subset of this many combinations")
    parser.add_argument("--seed", type=int, help="seed of the random subset (default: drawn and recorded)")
    parser.add_argument("--wait", action="store_true", help="show progress and the summary when the sweep ends")
    parser.add_argument("--json", action="store_true")
    return parser


def _action_parser(action: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m backtest_core sweep {action}")
    if action != "list":
        parser.add_argument("id")
    parser.add_argument("--json", action="store_true")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    words = list(args.words)
    if words and words[0] in ACTIONS:
        action = words.pop(0)
        options = _action_parser(action).parse_args(words)
        return {"list": _list, "show": _show, "cancel": _cancel}[action](options)
    return _launch(_launch_parser().parse_args(words))


def _launch(args: argparse.Namespace) -> int:
    settings = Settings()
    base = build_request(SimpleNamespace(**{**vars(args), "param": []}), settings)
    grid = build_grid(args.param, args.constraint, max_runs=args.max_runs, seed=args.seed)
    plan = plan_sweep(base, grid, Objective.named(args.objective, args.maximize), settings)
    sweep = submit_sweep(plan, settings)
    if not args.wait:
        if args.json:
            print_json({"id": sweep.id, "runs": len(plan.requests), "skipped": len(sweep.constraints_skipped)})
        else:
            print(sweep.id)
        return 0
    if not args.json:
        print(sweep.id)
    store = RunStore(settings)
    _follow(store, settings, sweep.id, show_bar=not args.json and sys.stderr.isatty())
    from backtest_core.sweeps.summary import report_json, sweep_report

    report = sweep_report(store, sweep.id)
    if args.json:
        print_json(report_json(report))
    else:
        _print_summary(report)
    return 0 if report.counts.completed else 1


def _follow(store: RunStore, settings: Settings, sweep_id: str, show_bar: bool) -> None:
    """Poll the counts until no run is queued or running; recovery keeps the queue moving meanwhile."""
    sweeps = SweepStore(store)
    while True:
        runs.recover(settings, store)
        counts = sweeps.counts(sweep_id)
        if show_bar:
            done = int(30 * counts.ended / max(1, counts.total))
            sys.stderr.write(
                f"\r[{'#' * done}{'.' * (30 - done)}] {counts.completed} completed, {counts.failed} failed, "
                f"{counts.running} running, {counts.queued} queued   "
            )
            sys.stderr.flush()
        if not counts.active:
            break
        time.sleep(WAIT_POLL_S)
    if show_bar:
        sys.stderr.write("\n")


def _print_summary(report: SweepReport) -> None:
    counts = report.counts
    print(f"{report.sweep.id}: {report.status}; {counts.completed} completed, {counts.failed} failed, "
          f"{counts.cancelled} cancelled, {len(report.sweep.constraints_skipped)} skipped by a constraint")  # fmt: skip
    if report.best is not None:
        row = report.table.loc[report.best]
        parameters = ", ".join(f"{name}={row[name]}" for name in report.sweep.grid.names)
        print(f"best {report.sweep.objective.text}: {row['objective']} at {parameters} ({report.best})")
    if report.plateau_best is not None and report.plateau_best == report.best:
        print("plateau's best: the same run (its neighbourhood is the best too)")
    elif report.plateau_best is not None:
        row = report.table.loc[report.plateau_best]
        print(f"plateau's best: {', '.join(f'{n}={row[n]}' for n in report.sweep.grid.names)} ({report.plateau_best})")
    if report.deflated:
        d = report.deflated
        print(f"deflated Sharpe ratio of the best: {d.dsr:.3f} ({d.trials} trials, variance of their daily Sharpe "
              f"{d.sharpe_variance:.3g}, {d.observations} days)")  # fmt: skip
    else:
        print(f"deflated Sharpe ratio: not computed ({report.deflated_note})")
    if report.overfit:
        o = report.overfit
        print(f"probability of backtest overfitting: {o.pbo:.3f} (CSCV, {o.blocks} blocks, {o.combinations} splits, "
              f"{o.trials} runs, {o.observations} days)")  # fmt: skip
    else:
        print(f"probability of backtest overfitting: not computed ({report.overfit_note})")


def _list(args: argparse.Namespace) -> int:
    from backtest_core.sweeps.summary import sweep_status

    store = RunStore(Settings())
    sweeps = SweepStore(store)
    rows = []
    for sweep in sweeps.list():
        counts = sweeps.counts(sweep.id)
        rows.append(
            {
                "id": sweep.id,
                "name": sweep.name,
                "strategy": sweep.strategy,
                "status": sweep_status(sweep, counts),
                "created_at": sweep.created_at.isoformat(),
                "parameters": sweep.grid.names,
                "objective": sweep.objective.model_dump(),
                "counts": counts.model_dump(),
            }
        )
    if args.json:
        print_json({"items": rows, "total": len(rows)})
        return 0
    print_table(
        ["id", "strategy", "status", "created", "parameters", "runs", "completed", "failed"],
        [[r["id"], r["strategy"], r["status"], r["created_at"][:16], ", ".join(r["parameters"]),
          sum(r["counts"].values()), r["counts"]["completed"], r["counts"]["failed"]] for r in rows],
    )  # fmt: skip
    return 0


def _show(args: argparse.Namespace) -> int:
    from backtest_core.sweeps.summary import finite_number, report_json, sweep_report

    report = sweep_report(RunStore(Settings()), args.id)
    if args.json:
        print_json(report_json(report))
        return 0
    _print_summary(report)
    names = report.sweep.grid.names
    table = report.table
    print_table(
        ["id", *names, "status", report.sweep.objective.statistic],
        [[row["id"], *(row[n] for n in names), row["status"], finite_number(row["objective"])]
         for _, row in table.iterrows()],
    )  # fmt: skip
    return 0


def _cancel(args: argparse.Namespace) -> int:
    message = cancel_sweep(args.id, Settings())
    if args.json:
        print_json({"id": args.id, "message": message})
    else:
        print(message)
    return 0
