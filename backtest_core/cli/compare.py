"""``compare``: several runs on one window, against a baseline, as text or the JSON of issue 12."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from backtest_core.cli.output import print_json, print_table
from backtest_core.errors import InvalidRequest
from backtest_core.store import RunStore

if TYPE_CHECKING:
    from backtest_core.analysis.comparison import Workbench


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("compare", help="compare runs on a common window against a baseline")
    command.add_argument("ids", nargs="+", metavar="ID", help="two or more run ids (up to 50)")
    command.add_argument("--baseline", metavar="ID", help="the run the others are measured against (default: first)")
    command.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="window start (default: common start)")
    command.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="window end (default: common end)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_compare)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2020-01-31") from error


def _compare(args: argparse.Namespace) -> int:
    from backtest_core.compare_runs import check_limit, compare, parse_ids  # pandas: loaded for this command only

    store = RunStore()
    selection = parse_ids(args.ids)
    check_limit(selection)
    for run_id in selection.ids:
        store.get(run_id)  # an unknown id is an error here, not an exclusion
    if args.start and args.end and args.end < args.start:
        raise InvalidRequest("--end", f"{args.end} is before --start {args.start}", "Give an end after the start.")
    mode = "custom" if args.start or args.end else "common"
    workbench = compare(args.ids, store.settings, mode, args.start, args.end, args.baseline)
    if args.json:
        print_json(workbench.comparison().model_dump(mode="json"))
    else:
        _print(workbench)
    return 0


def _print(workbench: Workbench) -> None:
    window = workbench.window
    print(f"window: {window.label() if window else 'each run over its own period'} ({workbench.calendar.name})")
    print(f"baseline: {workbench.baseline}")
    for note in workbench.notes:
        print(f"note: {note}")
    rows = []
    for run in workbench.runs:
        stats = workbench.statistics[run.facts.id]
        test = workbench.tests.get(run.facts.id)
        sharpe = test.sharpe if test else None
        rows.append(
            [
                run.facts.id,
                _percent(stats.total_return),
                _percent(stats.compounding_annual_return),
                _number(stats.sharpe_ratio),
                _percent(stats.max_drawdown),
                _number(sharpe.difference) if sharpe else None,
                f"[{_number(sharpe.ci[0])}, {_number(sharpe.ci[1])}]" if sharpe else None,
                f"{sharpe.p_value:.3f}" if sharpe else None,
                test.verdict if test else "baseline",
            ]
        )
    print_table(["id", "return %", "CAR %", "sharpe", "drawdown %", "Δ sharpe", "95% CI", "p", "verdict"], rows)
    for item in workbench.excluded:
        print(f"excluded {item.id}: {item.reason}")
    print(f"inputs: {workbench.inputs.verdict}")


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value * 100:.2f}"


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"
