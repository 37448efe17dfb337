"""The index's schema and its migrations, applied in order on every open (idempotent)."""

from __future__ import annotations

import sqlite3

from backtest_core.models import KEY_STATISTICS

# Columns a listing may sort by, each with an index for either direction (NULLs last), so a page of 50
# costs the same from 10 runs as from 10,000: SQLite walks the index and stops after the page.
SORT_COLUMNS = ("seq", "name", "strategy", "status", *KEY_STATISTICS)

UNDESCRIBED = "description = '{}' AND status NOT IN ('queued', 'running')"  # store.backfill fills these

_RUNS = f"""
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    strategy TEXT NOT NULL,
    engine TEXT NOT NULL,
    status TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    request TEXT NOT NULL,
    algorithm_id TEXT NOT NULL,
    error TEXT,
    traceback TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    source_path TEXT,
    source_key TEXT UNIQUE,
    supervisor_pid INTEGER,
    supervisor_started REAL,
    engine_ref TEXT,
    heartbeat_at TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    {", ".join(f"{column} REAL" for column in KEY_STATISTICS)}
)
"""

MIGRATIONS: list[list[str]] = [
    [
        _RUNS,
        "CREATE TABLE IF NOT EXISTS run_tags (run_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (run_id, tag))",
        "CREATE INDEX IF NOT EXISTS run_tags_tag ON run_tags (tag)",
        "CREATE TABLE IF NOT EXISTS progress (run_id TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS runs_status_seq ON runs (status, seq)",
        "CREATE INDEX IF NOT EXISTS runs_strategy_seq ON runs (strategy, seq)",
        "CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at)",
        *(f"CREATE INDEX IF NOT EXISTS runs_{c}_desc ON runs ({c}, seq)" for c in SORT_COLUMNS if c != "seq"),
        *(
            f"CREATE INDEX IF NOT EXISTS runs_{c}_asc ON runs (({c} IS NULL), {c}, seq)"
            for c in SORT_COLUMNS
            if c != "seq"
        ),
    ],
    [  # what a run covered and where it came from (RunDescription), and the sweep it belongs to
        "ALTER TABLE runs ADD COLUMN description TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE runs ADD COLUMN sweep_id TEXT",
        "CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id, seq)",
    ],
    [  # a digest of the run's result file: an import recognises a run already stored, wherever it came from
        "ALTER TABLE runs ADD COLUMN content_hash TEXT",
        "CREATE INDEX IF NOT EXISTS runs_content_hash ON runs (content_hash)",
    ],
    [  # where a running run executes: 'local' (its own supervisor here) or 'dask' (the cluster relay follows it)
        "ALTER TABLE runs ADD COLUMN executor TEXT NOT NULL DEFAULT 'local'",
    ],
    [  # sweeps as their own entity (models.sweep.SweepInfo as JSON in ``body``); runs point here by sweep_id
        "CREATE TABLE IF NOT EXISTS sweeps (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL, strategy TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL, "
        "body TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sweeps_created ON sweeps (created_at)",
    ],
    [  # runs stored without a description (older indexes, runs ended undescribed): found at once to fill
        f"CREATE INDEX IF NOT EXISTS runs_undescribed ON runs (seq) WHERE {UNDESCRIBED}",
    ],
]


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the index to the newest schema; each step runs once, recorded in ``PRAGMA user_version``."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if connection.execute("PRAGMA user_version").fetchone()[0] >= number:
                connection.execute("ROLLBACK")  # another process migrated meanwhile
                continue
            for statement in statements:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
