"""Catalogue commands: strategies, strategy NAME."""

from __future__ import annotations

import argparse

from backtest_core.cli.output import print_json, print_table
from backtest_core.settings import Settings
from backtest_core.strategies import get_strategy, list_strategies


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("strategies", help="the LEAN projects in the strategies folder")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_strategies)

    command = subparsers.add_parser("strategy", help="one strategy: parameters, description, source")
    command.add_argument("name", help="a name from `strategies`, or the path of a LEAN project folder")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=_strategy)


def _strategies(args: argparse.Namespace) -> int:
    folder = Settings().strategies
    infos = list_strategies(folder)
    if args.json:
        print_json(infos)
        return 0
    if not infos:
        print(f"no LEAN projects in {folder} (set BACKTEST_STRATEGIES)")
        return 0
    rows = [
        [
            info.name,
            info.class_name,
            ", ".join(f"{k}={v}" for k, v in info.parameters.items()),
            info.error or info.description,
        ]
        for info in infos
    ]
    print_table(["name", "class", "parameters", "description"], rows)
    return 0


def _strategy(args: argparse.Namespace) -> int:
    details = get_strategy(args.name, Settings().strategies)
    if args.json:
        print_json(details)
        return 0
    print(f"{details.name} ({details.class_name or 'no algorithm class'}) at {details.path}")
    if details.error:
        print(f"error: {details.error}")
    print(details.description)
    print_table(["parameter", "default"], list(details.parameters.items()))
    print()
    print(details.source)
    return 0
