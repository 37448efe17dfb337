"""The Compare page in real Chromium: 10 one-year minute results against 2 one-year daily results of the same
strategy on the same data. Goal (issue 12): the 10-minute page interactive within 3x the 2-daily page.

"Interactive" is: Streamlit's script finished, the timeline chart drawn by Plotly (its traces in the DOM),
no loading skeleton left. Each case is timed cold (a fresh server: no parsed result or comparison cached,
the analyst's first visit) and warm (the median of ``--repeat`` reloads; Streamlit's caches full). The runs
are real embedded-engine runs of ``sma_crossover`` on a synthetic one-year SPY minute set in LEAN's layout.

The cases alternate for ``--rounds`` rounds (each cold visit on its own fresh server) and medians are
compared, so a shared machine's changing load falls on both alike; the server's CPU seconds for the cold
visit and the load average are printed beside the wall times.

    .venv/bin/python -m bench.bench_compare [--repeat 5] [--rounds 3] [--keep DIR]   (project root; chromium)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil
from playwright.sync_api import Page, sync_playwright

from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from bench.bench_dashboard import CHART_DRAWN, NO_SKELETON
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server

SCRIPT_DONE = "!!document.querySelector(\"[data-testid='stApp'][data-test-script-state='notRunning']\")"
START, END = date(2019, 1, 2), date(2019, 12, 31)


def cli(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", "backtest_core", *arguments], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


def make_runs(home: Path, data: Path) -> tuple[list[str], list[str]]:
    """10 minute and 2 daily sma_crossover runs over the same year (ids)."""
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(data), "BACKTEST_MAX_CONCURRENT": "2"}
    period = ["--start", START.isoformat(), "--end", END.isoformat()]
    minute = [["--resolution", "minute", "--param", f"fast={fast}"] for fast in range(10, 20)]
    daily = [["--resolution", "daily", "--param", f"fast={fast}"] for fast in (10, 20)]
    ids = [json.loads(cli(env, "run", "sma_crossover", *period, *extra, "--json"))["id"] for extra in minute + daily]
    for run_id in ids:
        cli(env, "wait", run_id)
    return ids[:10], ids[10:]


INTERACTIVE = (SCRIPT_DONE, CHART_DRAWN, NO_SKELETON)


def interactive_ms(page: Page, url: str, conditions: tuple[str, ...] = INTERACTIVE) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_timeout(200)  # the script-state attribute of the previous page must be gone first
    for condition in conditions:
        page.wait_for_function(condition, timeout=300_000, polling=20)
    return (time.perf_counter() - start) * 1000


def server_cpu_seconds(url: str) -> float:
    """User + system CPU time so far of the Streamlit server listening at ``url`` (a child of this process)."""
    port = url.rsplit(":", 1)[1]
    server = next(child for child in psutil.Process().children() if port in child.cmdline())
    times = server.cpu_times()
    return times.user + times.system


def measure(
    page: Page, home: Path, data: Path, path: str, query: str, repeat: int, first: str | None = None
) -> tuple[float, float, float]:
    """(cold ms on a fresh server, the server's CPU seconds for that visit, median warm ms) of ``/path?query``;
    the server's first session opens ``/first`` (``/path`` bare by default), a page that parses or caches
    nothing the measured one uses."""
    with streamlit_server(home, data) as url:
        link = f"{url}/{path}?{query}"
        interactive_ms(page, f"{url}/{first or path}", (SCRIPT_DONE,))
        before = server_cpu_seconds(url)
        cold = interactive_ms(page, link)
        cpu = server_cpu_seconds(url) - before
        warm = statistics.median(interactive_ms(page, link) for _ in range(repeat))
    return cold, cpu, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder for the data and runs, reused when it holds them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        root = args.keep or Path(scratch)
        home, data, made = root / "store", root / "data", root / "ids.json"
        if not made.exists():
            write_sample_data(data, start=START, end=END, minute_days=260, tickers=("SPY",))
            made.write_text(json.dumps(make_runs(home, data)))
        minute, daily = json.loads(made.read_text())
        store = RunStore(Settings(home=home))
        points = {label: statistics.mean(len(store.result(i).equity) for i in ids)
                  for label, ids in (("minute", minute), ("daily", daily))}  # fmt: skip
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        cases: dict[str, list[tuple[float, float, float]]] = {"2 daily": [], "10 minute": []}
        loads = [os.getloadavg()[0]]
        for _ in range(args.rounds):
            for label, ids in (("2 daily", daily), ("10 minute", minute)):
                cases[label].append(measure(page, home, data, "compare", f"ids={','.join(ids)}", args.repeat))
            loads.append(os.getloadavg()[0])
        browser.close()
    print(f"Compare page interactive, Chromium headless; {args.rounds} rounds, warm = median of {args.repeat} reloads")
    print(f"equity points per result: minute {points['minute']:.0f}, daily {points['daily']:.0f}")
    print("1-minute load average at the start and after each round: " + ", ".join(f"{x:.1f}" for x in loads))
    medians = {}
    for label, samples in cases.items():
        cold, cpu, warm = ([sample[i] for sample in samples] for i in range(3))
        medians[label] = statistics.median(cold), statistics.median(cpu), statistics.median(warm)
        print(f"{label:>10} results: cold {' '.join(f'{c:6.0f}' for c in cold)} ms (median {medians[label][0]:6.0f}),"
              f" server CPU {medians[label][1]:5.2f} s; warm median {medians[label][2]:6.0f} ms")  # fmt: skip
    (d_cold, d_cpu, d_warm), (m_cold, m_cpu, m_warm) = medians["2 daily"], medians["10 minute"]
    print(f"ratio 10 minute / 2 daily (medians): cold {m_cold / d_cold:.2f}, warm {m_warm / d_warm:.2f} "
          f"(goal <= 3); cold server CPU {m_cpu / d_cpu:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
