"""``analyse``: what the Result page shows of one run's window, for machines (``--json``) and people."""

from __future__ import annotations

import argparse
from typing import Any

from backtest_core.cli.output import print_json, print_table
from backtest_core.errors import InvalidRequest
from backtest_core.models.enums import RANGES
from backtest_core.settings import Settings
from backtest_core.store import RunStore


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "analyse", help="one run's window: return, CAR, Sharpe, drawdown, trades, worst drawdowns, streaks"
    )
    command.add_argument("id")
    command.add_argument("--from", dest="start", help="window start, exchange time (YYYY-MM-DD[THH:MM])")
    command.add_argument("--to", dest="end", help="window end, exchange time")
    command.add_argument("--range", choices=RANGES, help="a range up to the last point instead of --from/--to")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_analyse)


def analysis(run_id: str, settings: Settings, start: str | None, end: str | None, span: str | None) -> dict[str, Any]:
    """The page's figures of ``run_id`` on a window (the whole run by default)."""
    # pandas and the page's analysis: loaded for this command only, not at every CLI start
    from backtest_core import result_views as rv
    from backtest_core.analysis.calendar import daily_closes
    from backtest_core.analysis.drawdowns import worst_drawdowns
    from backtest_core.analysis.trade_analytics import closed_between, streaks
    from backtest_core.compare_runs import risk_free_rate

    store = RunStore(settings)
    run = store.get(run_id)
    result = store.result(run_id)
    equity = result.equity
    if len(equity) < 2:
        raise InvalidRequest("id", f"run {run_id} has no equity curve to analyse", "Open its log to see why.")
    axis = rv.result_time_axis(result, run.description.resolution, settings.data_dir)
    if (start is None) != (end is None):
        raise InvalidRequest("from", "give both --from and --to, or neither", "e.g. --from 2023-01-05 --to 2023-01-20")
    if start is not None and span is not None:
        raise InvalidRequest("range", "give --range or --from/--to, not both")
    if start is not None and end is not None:
        window = rv.window_from_texts(start, end, axis, equity)
    else:
        window = rv.range_window(span or "All", equity, axis)
    calendar = rv.result_calendar(result, settings.data_dir)
    figures = rv.window_figures(
        equity,
        result.closed_trades,
        window,
        daily_closes(equity, calendar),
        calendar,
        risk_free_rate(settings.data_dir),
    )
    start_text, end_text = rv.window_texts(window, axis)
    worst = rv.drawdowns_table(worst_drawdowns(equity), axis)
    runs_of = streaks(closed_between(result.closed_trades, *window))
    return {
        "id": run_id,
        "axis": {"zone": axis.zone, "intraday": axis.intraday, "closed_spans": len(axis.closed), "note": axis.note},
        "window": {"from": start_text, "to": end_text},
        "statistics": {
            "total_return": figures.total_return,
            "max_drawdown": figures.max_drawdown,
            "trading_days": figures.trading_days,
            "daily": figures.daily.model_dump(mode="json") if figures.daily else None,
            "trades": figures.trades.model_dump(mode="json"),
        },
        "worst_drawdowns": worst.astype(object).where(worst.notna(), None).to_dict("records"),
        "streaks": runs_of.astype(object).where(runs_of.notna(), None).to_dict("records"),
        "calendar": calendar.name,
    }


def _analyse(args: argparse.Namespace) -> int:
    found = analysis(args.id, Settings(), args.start, args.end, args.range)
    if args.json:
        print_json(found)
        return 0
    figures = found["statistics"]
    daily = figures["daily"] or {}
    print(f"{found['id']}  window {found['window']['from']} → {found['window']['to']} ({found['axis']['zone']})")
    print_table(
        ["return", "CAR", "Sharpe", "max drawdown", "trades", "won"],
        [
            [
                _percent(figures["total_return"]),
                _percent(daily.get("compounding_annual_return")),
                _number(daily.get("sharpe_ratio")),
                _percent(figures["max_drawdown"]),
                figures["trades"]["trades"],
                figures["trades"]["wins"],
            ]
        ],
    )
    print("\nworst drawdowns")
    print_table(
        ["#", "peak", "trough", "recovery", "depth"],
        [
            [row["rank"], row["start"], row["trough"], row["recovery"], _percent(row["depth"])]
            for row in found["worst_drawdowns"]
        ],
    )
    return 0


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.2%}"


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"
