"""Placeholder: this topic's commands are being written (see the owning issue)."""

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds no command yet."""
