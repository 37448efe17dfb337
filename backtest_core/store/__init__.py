"""The run store: SQLite index + run folders (:class:`RunStore`), and the lean CLI importer.

The importer is loaded on first use: it needs pandas (through result descriptions), which the supervisor of
every run and most CLI commands never touch, and which costs each such process about half a second to import.
"""

from typing import Any

from backtest_core.store.folders import check_run_id
from backtest_core.store.run_store import RunStore

__all__ = ["ImportReport", "RunStore", "check_run_id", "import_path"]
_IMPORTER_NAMES = ("ImportReport", "import_path")


def __getattr__(name: str) -> Any:
    if name in _IMPORTER_NAMES:
        from backtest_core.store import importer

        return getattr(importer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
