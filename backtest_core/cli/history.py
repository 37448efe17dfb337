"""History commands: import, list, show, delete, tag, note."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backtest_core.cli.output import print_json, print_table
from backtest_core.errors import InvalidRequest, ResultFormatError
from backtest_core.models import BacktestRunInfo, BacktestStatus, RunQuery, SortKey, describe_validation_error
from backtest_core.results.logs import parse_statistics, read_log, select_run
from backtest_core.store import RunStore


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("import", help="import lean CLI backtests (project, backtests/ or one run)")
    command.add_argument("path", type=Path)
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_import)

    command = subparsers.add_parser("list", help="stored runs, newest first")
    command.add_argument("--page", type=int, default=1)
    command.add_argument("--page-size", type=int, default=50)
    command.add_argument("--sort", choices=[key.value for key in SortKey], default=SortKey.CREATED.value)
    order = command.add_mutually_exclusive_group()
    order.add_argument("--desc", dest="descending", action="store_true", default=True)
    order.add_argument("--asc", dest="descending", action="store_false")
    command.add_argument("--status", action="append", choices=[s.value for s in BacktestStatus], default=[])
    command.add_argument("--strategy")
    command.add_argument("--tag")
    command.add_argument("--text")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_list)

    command = subparsers.add_parser("show", help="one run with LEAN's full statistics")
    command.add_argument("id")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_show)

    command = subparsers.add_parser("delete", help="delete a finished run and its files")
    command.add_argument("id")
    command.set_defaults(handler=_delete)

    command = subparsers.add_parser("tag", help="add (or --remove) a tag")
    command.add_argument("id")
    command.add_argument("tag")
    command.add_argument("--remove", action="store_true")
    command.set_defaults(handler=_tag)

    command = subparsers.add_parser("note", help="set a run's note")
    command.add_argument("id")
    command.add_argument("text")
    command.set_defaults(handler=_note)


def run_summary(run: BacktestRunInfo) -> dict[str, Any]:
    """The JSON shape of one run in listings: identity, status, dates and key statistics."""
    return {
        "id": run.id,
        "name": run.name,
        "strategy": run.strategy,
        "engine": run.engine.value,
        "status": run.status.value,
        "origin": run.origin.value,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "tags": run.tags,
        "error": run.error,
        **run.stats.model_dump(),
        "description": run.description.model_dump(mode="json", exclude={"warnings"}),
        "warnings": [warning.model_dump() for warning in run.description.warnings],
    }


def run_details(store: RunStore, run: BacktestRunInfo) -> dict[str, Any]:
    """One run with its request, LEAN's statistics (names and printed strings) and runtime statistics."""
    details = {
        **run_summary(run),
        "note": run.note,
        "traceback": run.traceback,
        "request": run.request.model_dump(mode="json"),
    }
    details["statistics"], details["runtime_statistics"] = {}, {}
    if not run.status.is_active:
        try:
            result = store.result(run.id)
        except ResultFormatError as error:
            details["result_error"] = str(error)
            log = select_run(read_log(store.run_dir(run.id) / "log.txt"), store.algorithm_id(run.id))
            printed = parse_statistics(log)
            if printed:  # no result file: what LEAN's log printed, said to be from the log
                details["statistics"], details["statistics_source"] = printed, "log"
        else:
            details["statistics"] = result.statistics.raw
            details["runtime_statistics"] = result.runtime_statistics
            details["statistics_source"] = "result"
    return details


def _import(args: argparse.Namespace) -> int:
    from backtest_core.store import import_path  # pandas, like the sweeps' importer: for this command only
    from backtest_core.sweeps import lean_optimize

    store = RunStore()
    found = lean_optimize.find_optimization_folders(args.path)
    optimizations = [lean_optimize.import_optimization(store, folder) for folder in found]
    inside_one = optimizations and lean_optimize.is_optimization_folder(args.path)
    report = None if inside_one else import_path(store, args.path)
    if report is not None:  # what lies in an optimization's folder was imported with its sweep above
        inside = [done.source_path for done in optimizations]
        report.skipped = [item for item in report.skipped if not any(item[0].startswith(f) for f in inside)]
    if args.json:
        print_json({**(report.model_dump() if report else {}), "sweeps": optimizations})
    else:
        for done in optimizations:
            print(f"lean optimize folder as sweep {done.sweep_id}" + ("" if done.created else " (imported before)"))
            print(f"  runs imported {len(done.runs.imported)}, already present {len(done.runs.already_present)}, "
                  f"failed without a result {len(done.failed_without_result)}")  # fmt: skip
            for folder, reason in done.runs.skipped:
                print(f"  skipped {folder}: {reason}")
        if report is not None and (report.imported or report.already_present or not optimizations):
            counts = (len(report.imported), len(report.already_present), len(report.skipped))
            print("imported {}, already present {}, skipped {}".format(*counts))
            for run_id in report.imported:
                print(f"  + {run_id}")
            for folder, reason in report.skipped:
                print(f"  skipped {folder}: {reason}")
    found = bool(optimizations) or (report is not None and bool(report.imported or report.already_present))
    return 0 if found else 1


def _list(args: argparse.Namespace) -> int:
    try:
        query = RunQuery(
            page=args.page,
            page_size=args.page_size,
            sort=SortKey(args.sort),
            descending=args.descending,
            status=[BacktestStatus(s) for s in args.status],
            strategy=args.strategy,
            tag=args.tag,
            text=args.text,
        )
    except ValidationError as error:
        field, message = describe_validation_error(error)[0]
        raise InvalidRequest(field.replace("_", "-"), message) from error
    page = RunStore().list(query)
    if args.json:
        print_json(
            {
                "items": [run_summary(r) for r in page.items],
                "total": page.total,
                "page": page.page,
                "page_size": page.page_size,
            }
        )
        return 0
    print_table(
        ["id", "name", "strategy", "engine", "status", "created", "net %", "sharpe", "drawdown %", "orders"],
        [
            [
                r.id,
                r.name[:40],
                r.strategy,
                r.engine.value,
                r.status.value,
                f"{r.created_at:%Y-%m-%d %H:%M}",
                r.stats.net_profit,
                r.stats.sharpe,
                r.stats.drawdown,
                r.stats.total_orders,
            ]
            for r in page.items
        ],
    )
    print(f"page {page.page} of {page.pages} ({page.total} runs)")
    return 0


def _show(args: argparse.Namespace) -> int:
    store = RunStore()
    details = run_details(store, store.get(args.id))
    if args.json:
        print_json(details)
        return 0
    for key in ("id", "name", "strategy", "engine", "status", "created_at", "finished_at", "tags", "error"):
        print(f"{key:>12}: {details[key]}")
    from backtest_core.views import DATA_LABELS, period_text  # pandas: loaded for this command only

    run = store.get(args.id)
    print(f"{'period':>12}: {period_text(run.description)}")
    print(f"{'data':>12}: {DATA_LABELS[run.description.data_source]} · source {run.description.source.value}")
    for warning in run.description.warnings:
        print(f"{'WARNING':>12}: {warning.message}")
    print_table(["statistic", "value"], list(details["statistics"].items()))
    return 0


def _delete(args: argparse.Namespace) -> int:
    RunStore().delete(args.id)
    print(f"deleted {args.id}")
    return 0


def _tag(args: argparse.Namespace) -> int:
    store = RunStore()
    run = store.remove_tag(args.id, args.tag) if args.remove else store.add_tag(args.id, args.tag)
    print(f"{run.id}: tags {', '.join(run.tags) or '(none)'}")
    return 0


def _note(args: argparse.Namespace) -> int:
    RunStore().set_note(args.id, args.text)
    print(f"{args.id}: note saved")
    return 0
