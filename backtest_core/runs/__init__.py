"""Run lifecycle: submit to a detached supervisor, cancel, poll status and progress, recover orphans."""

from backtest_core.runs.lifecycle import (
    CancelAnswer,
    active,
    active_progress,
    cancel,
    progress,
    recover,
    run_again,
    status,
    submit,
    wait,
)

__all__ = [
    "CancelAnswer",
    "active",
    "active_progress",
    "cancel",
    "progress",
    "recover",
    "run_again",
    "status",
    "submit",
    "wait",
]
