"""``python -m backtest_core``: one parser, subcommands registered by topic modules.

Each topic module offers ``register(subparsers)``; its handlers take the parsed arguments and return an
exit code. Domain errors become a message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from backtest_core.cli import catalogue, cluster, compare, data, history, result, runs, sweeps
from backtest_core.errors import StudioError
from backtest_core.runs import recover
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.store.backfill import describe_undescribed

TOPICS = (catalogue, history, runs, sweeps, data, compare, cluster, result)
NO_STORE_COMMANDS = {"data", "strategies", "strategy"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backtest_core",
        description="Backtest Studio: run QuantConnect LEAN backtests and manage their results.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for topic in TOPICS:
        topic.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command not in NO_STORE_COMMANDS:
            recover(Settings())  # runs orphaned by a crash or a reboot are resolved whenever the CLI starts
            describe_undescribed(RunStore(Settings()))  # and runs stored undescribed are described, once
        return int(args.handler(args))
    except StudioError as error:
        print(f"error: {error.user_message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
