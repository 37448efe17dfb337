"""Domain errors. Each carries a ``hint``: what the user can do about it.

Callers (CLI, pages) show ``str(error)`` and ``error.hint``; nothing else needs to know the subclass.
"""

from __future__ import annotations

from pathlib import Path


class StudioError(Exception):
    """Base of every error a user may see; ``hint`` says how to fix it."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """The message and the hint, as one text for a terminal or a page; the message ends its sentence,
        since a page's markdown joins the two lines into one."""
        if not self.hint:
            return str(self)
        message = str(self)
        return f"{message}{'' if message.endswith(('.', '!', '?', ':')) else '.'}\n{self.hint}"


class InvalidRequest(StudioError):
    """A request field is wrong; ``field`` names it."""

    def __init__(self, field: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{field}: {message}", hint)
        self.field = field


class UnknownStrategy(StudioError):
    def __init__(self, name: str, folder: Path) -> None:
        super().__init__(
            f"strategy: unknown strategy {name!r}",
            f"Choose one of the projects in {folder} (run `python -m backtest_core strategies`) "
            "or pass the path of a LEAN project folder.",
        )
        self.name = name


class InvalidRunId(StudioError):
    def __init__(self, run_id: str) -> None:
        super().__init__(
            f"id: {run_id!r} is not a valid run id",
            "Run ids are letters, digits, '-' and '_' (up to 64); copy one from `python -m backtest_core list`.",
        )


class RunNotFound(StudioError):
    def __init__(self, run_id: str) -> None:
        super().__init__(
            f"id: no run {run_id!r} in the store",
            "It may have been deleted; `python -m backtest_core list` shows the stored runs.",
        )
        self.run_id = run_id


class RunIsActive(StudioError):
    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(f"run {run_id} is {status}", "Cancel it first, or wait until it ends.")


class ResultFormatError(StudioError):
    """A LEAN result file cannot be read; names the file and what is wrong."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}",
            "The file may be truncated or not a LEAN result; re-run the backtest or re-import the folder.",
        )
        self.path = path
        self.problem = problem


class EngineUnavailable(StudioError):
    """The engine cannot run here (no Docker daemon, no image, ...)."""


class DataMissing(StudioError):
    """Market data for a subscription is not in the data folder."""


class UnsupportedApi(StudioError, AttributeError):
    """The algorithm used a LEAN API the embedded engine does not implement.

    Also an AttributeError, so ``getattr(obj, name, default)`` and ``hasattr`` in algorithms behave as in
    Python; used directly, the message names the API.
    """

    def __init__(self, api: str) -> None:
        super().__init__(
            f"{api} is not supported by the embedded engine",
            "Run this strategy with the lean-docker engine, or avoid this API.",
        )
        self.api = api


class ClusterUnavailable(StudioError):
    """The Dask cluster named by ``BACKTEST_CLUSTER`` cannot be used now (no scheduler file, no answer)."""
