"""The dashboard in real Chromium: time from navigation to the equity chart drawn (smallest vs largest shared
LEAN fixture) and to the history table drawn (store of 10 vs 10,000 results). Goal: both ratios under 2.

Each timing starts a fresh page load (``goto``) and stops when the element is on screen: the equity chart's
first trace drawn by Plotly, or the history grid with no loading skeleton left. Medians of ``--repeat``.

    .venv/bin/python -m bench.bench_dashboard [--repeat 5]   (from the project root; needs chromium)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore, import_path
from bench.bench_store import fill_store
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _wait_healthy

# Plotly sets _fullData on the chart element once it has drawn its traces
CHART_DRAWN = "[...document.querySelectorAll('.js-plotly-plot')].some(el => el._fullData && el._fullData.length)"
GRID_DRAWN = "!!document.querySelector(\"[data-testid='stDataFrame'] canvas\")"
NO_SKELETON = "!document.querySelector(\"[data-testid='stSkeleton']\")"


@contextmanager
def dashboard(home: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(Settings().shared / "lean-data")}
    log = home / "streamlit.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def timed_load(page: Page, url: str, drawn: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(drawn, timeout=120_000, polling=20)
    page.wait_for_function(NO_SKELETON, timeout=120_000, polling=20)
    return time.perf_counter() - start


def median_ms(page: Page, url: str, drawn: str, repeat: int) -> float:
    timed_load(page, url, drawn)  # warm: Streamlit's script and caches, as an analyst's second visit
    return statistics.median(timed_load(page, url, drawn) for _ in range(repeat)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    fixtures = Settings().shared / "fixtures" / "lean-results"
    smallest, largest = "cli2025-spy-minute-sma-301orders", "cli2025-csharp-graham-667orders-large"
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        home = Path(scratch, "results")
        store = RunStore(Settings(home=home))
        ids = {name: import_path(store, fixtures / name).imported[0] for name in (smallest, largest)}
        sizes = {name: sum(f.stat().st_size for f in (fixtures / name).glob("*.json")) / 1e6 for name in ids}
        with dashboard(home) as url:
            chart = {name: median_ms(page, f"{url}/result?id={run_id}", CHART_DRAWN, args.repeat)
                     for name, run_id in ids.items()}  # fmt: skip
        history = {}
        for count in (10, 10_000):
            folder = Path(scratch, f"history-{count}")
            fill_store(folder, count)
            with dashboard(folder) as url:
                history[count] = median_ms(page, f"{url}/results", GRID_DRAWN, args.repeat)
        browser.close()
    print(f"median of {args.repeat} page loads each, Chromium headless")
    for name, value in chart.items():
        print(f"equity chart drawn, {name} ({sizes[name]:.2f} MB): {value:7.0f} ms")
    print(f"ratio largest/smallest: {chart[largest] / chart[smallest]:.2f} (goal < 2)")
    for count, value in history.items():
        print(f"history table drawn, {count:>6,} results: {value:7.0f} ms")
    print(f"ratio 10,000/10: {history[10_000] / history[10]:.2f} (goal < 2)")


if __name__ == "__main__":
    main()
