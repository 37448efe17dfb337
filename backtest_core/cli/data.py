"""Data commands: ``data sample`` writes the synthetic set, ``data check`` lists what a data folder holds."""

from __future__ import annotations

import argparse
from pathlib import Path

from backtest_core.cli.output import print_json, print_table
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings

RESOLUTIONS = ("daily", "hour", "minute", "second")


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("data", help="the LEAN data folder: write the synthetic sample, or list it")
    actions = command.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    sample = actions.add_parser("sample", help="write a small SYNTHETIC dataset in LEAN's layout")
    sample.add_argument("--data-dir", type=Path, help="default: BACKTEST_DATA or <home>/data")
    sample.add_argument("--force", action="store_true", help="write even beside data that is not ours")
    sample.add_argument("--json", action="store_true")
    sample.set_defaults(handler=_sample)
    check = actions.add_parser("check", help="US equity tickers and resolutions in the data folder")
    check.add_argument("--data-dir", type=Path)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_check)


def _sample(args: argparse.Namespace) -> int:
    folder = args.data_dir or Settings().data_dir
    report = write_sample_data(folder, force=args.force)
    if args.json:
        print_json(report)
    else:
        print(f"wrote {report.files} files of SYNTHETIC data into {folder}")
        minute = f"{report.minute[0]}..{report.minute[1]}" if report.minute else "none"
        print(f"tickers {', '.join(report.tickers)}; daily {report.daily[0]}..{report.daily[1]}; minute {minute}")
    return 0


def equity_inventory(folder: Path) -> dict[str, list[str]]:
    """Ticker -> resolutions present under ``equity/usa``."""
    found: dict[str, list[str]] = {}
    for resolution in RESOLUTIONS:
        base = folder / "equity" / "usa" / resolution
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            ticker = entry.stem if entry.suffix == ".zip" else entry.name
            found.setdefault(ticker.upper(), []).append(resolution)
    return found


def _check(args: argparse.Namespace) -> int:
    folder = args.data_dir or Settings().data_dir
    inventory = equity_inventory(folder)
    if args.json:
        print_json({"data_dir": str(folder), "equities": inventory})
    elif not inventory:
        print(f"no US equity data in {folder}; run `python -m backtest_core data sample` for a synthetic set")
    else:
        print_table(["ticker", "resolutions"], [[ticker, ", ".join(levels)] for ticker, levels in inventory.items()])
    return 0 if inventory else 1
