"""The run store: SQLite index + run folders (:class:`RunStore`), and the lean CLI importer."""

from backtest_core.store.folders import check_run_id
from backtest_core.store.importer import ImportReport, import_path
from backtest_core.store.run_store import RunStore

__all__ = ["ImportReport", "RunStore", "check_run_id", "import_path"]
