"""How long the result parser takes per shared LEAN fixture, against plain ``json.load`` in the same run.

Target: ``load_result`` of a fixture within 3x of ``json.load`` of its main ``<id>.json``. Also printed:
the baseline of every file the parser reads (all JSON parts with ``json.load`` + log files read as text),
and the time when every chart's frame is built as well (pages build them only when drawn).
Timings are the best of ``--repeat`` runs (the machine is shared; the minimum is the least disturbed).

    .venv/bin/python -m bench.bench_parse [--repeat 7] [fixtures folder]   (from the project root)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from backtest_core.results import load_result, locate
from backtest_core.settings import Settings
from bench.timing import best_ms


def json_load(path: Path) -> object:
    with path.open("rb") as handle:
        return json.load(handle)


def plain_read_all(folder: Path) -> None:
    """What reading the same files costs without any parsing beyond json.load."""
    files = locate(folder)
    for part in (files.main, files.order_events, files.summary):
        if part is not None:
            json_load(part)
    for log in (files.engine_log, files.algorithm_log):
        if log is not None:
            log.read_text(encoding="utf-8", errors="replace")


def load_with_every_frame(folder: Path) -> None:
    result = load_result(folder)
    for chart in result.charts.values():
        for series in chart.series.values():
            _ = series.points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", type=Path, default=Settings().shared / "fixtures" / "lean-results")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    header = (
        f"{'fixture':40} {'MB':>6} {'json.load':>10} {'load_result':>12} {'ratio':>6} {'ms/MB':>7}"
        f" {'all-files':>10} {'ratio':>6} {'+frames':>8}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for folder in sorted(p for p in args.fixtures.iterdir() if p.is_dir()):
        files = locate(folder)
        size_mb = files.main.stat().st_size / 1e6
        load_result(folder)  # warm the OS file cache and imports before timing
        base = best_ms(lambda f=files.main: json_load(f), args.repeat)
        base_all = best_ms(lambda f=folder: plain_read_all(f), args.repeat)
        parsed = best_ms(lambda f=folder: load_result(f), args.repeat)
        full = best_ms(lambda f=folder: load_with_every_frame(f), args.repeat)
        ratio = parsed / base
        worst = max(worst, ratio)
        print(
            f"{folder.name:40} {size_mb:6.2f} {base:8.2f}ms {parsed:10.2f}ms {ratio:5.1f}x {parsed / size_mb:7.1f}"
            f" {base_all:8.2f}ms {parsed / base_all:5.1f}x {full:6.2f}ms"
        )
    print(f"\nworst load_result / json.load(main file): {worst:.1f}x (target: within 3x)")


if __name__ == "__main__":
    main()
