"""Listing a page of results from a store of 10 runs and of 10,000 runs, measured in the same run.

Target: a page of 50 from 10,000 runs within 2x of the same page from 10 runs, for every sort key.
Both stores are real SQLite (WAL) stores built with ``RunStore``; the rows carry key statistics so the
listing never opens a result file (as in use).

    .venv/bin/python -m bench.bench_store [--repeat 21]   (from the project root)
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backtest_core.models import BacktestRequest, RunQuery, SortKey
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from bench.timing import best_ms


def fill_store(home: Path, count: int, seed: int = 3) -> RunStore:
    """A store with ``count`` finished runs (rows inserted in one transaction; folders are not needed)."""
    store = RunStore(Settings(home=home))
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    request = BacktestRequest(strategy="sma_crossover").model_dump_json()
    rows = []
    for i in range(count):
        created = start + timedelta(minutes=i)
        rows.append({
            "id": f"run-{i:06d}", "name": f"sma {i}", "strategy": rng.choice(["sma_crossover", "buy_and_hold"]),
            "engine": "embedded", "status": "completed", "origin": "submitted", "created_at": created.isoformat(),
            "request": request, "algorithm_id": f"run-{i:06d}", "tags": json.dumps([]),
            "net_profit": rng.uniform(-50, 150), "sharpe": rng.uniform(-1, 3), "drawdown": rng.uniform(0, 60),
            "cagr": rng.uniform(-10, 30), "total_orders": rng.randint(1, 900), "end_equity": rng.uniform(5e4, 3e5),
        })  # fmt: skip
    columns = list(rows[0])
    with sqlite3.connect(store.settings.index_path) as connection:
        connection.executemany(
            f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [tuple(row[c] for c in columns) for row in rows],
        )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        small, large = fill_store(Path(root, "small"), 10), fill_store(Path(root, "large"), 10_000)
        print(f"{'sort':<14} {'10 runs':>9} {'10,000 runs':>12} {'ratio':>7}")
        for key in (SortKey.CREATED, SortKey.NAME, SortKey.NET_PROFIT, SortKey.SHARPE, SortKey.DRAWDOWN):
            query = RunQuery(page=1, page_size=50, sort=key)
            few = best_ms(lambda q=query: small.list(q), args.repeat)
            many = best_ms(lambda q=query: large.list(q), args.repeat)
            print(f"{key.value:<14} {few:8.2f}ms {many:11.2f}ms {many / few:6.2f}x")
        query = RunQuery(page=100, page_size=50, text="sma 99")
        print(f"{'text filter':<14} {'':>9} {best_ms(lambda: large.list(query), args.repeat):11.2f}ms")


if __name__ == "__main__":
    main()
