"""The Result page in real Chromium, in one run (issue 14's goals):

(a) the page of a one-year minute result interactive within 2x of the same page for a one-month daily result;
(b) a widget change (tab, symbol filter, zoom by range button) answered within 300 ms of the same change on a
    bare Streamlit rerun of the page's skeleton (``bench/result_skeleton.py``: the same widgets, nothing to
    compute).

"Interactive" is bench_compare's: script finished, a chart drawn by Plotly, no skeleton left; cold on a fresh
server (nothing parsed or cached), warm the median of ``--repeat`` reloads. "Answered" is: the server has
finished the rerun the change started (its ``script_finished`` message arrived), no skeleton left and every
chart on the page drawn. Each change is made ``--repeat`` times each way (e.g. 1M then All); medians.
Beside the wall clock each change reports the CPU time it cost the server and every Chromium process (psutil,
around the same change): on a shared, loaded machine wall clock swings by 2-3x between runs, CPU time far less.
``--against REV`` also measures the page of an earlier commit (checked out in a temporary git worktree, over
the same store) in turn with this tree's, round by round, so the A/B shares the machine's load.
The results are real embedded-engine runs of ``sma_crossover`` on the synthetic sample data (one year of SPY
minutes in LEAN's layout).

    .venv/bin/python -m bench.bench_result [--repeat 5] [--keep DIR] [--against REV [--rounds 2]]
    (from the project root; needs chromium)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psutil
from playwright.sync_api import Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from bench.bench_compare import INTERACTIVE, cli, interactive_ms, measure
from bench.bench_dashboard import NO_SKELETON
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server

START, END = date(2019, 1, 2), date(2019, 12, 31)
MONTH = (date(2019, 12, 2), date(2019, 12, 31))
SKELETON = "bench/result_skeleton.py"

# every st.plotly_chart drawn, and every live chart (backtest_core.live_chart) done with the last figure sent: drawn,
# or waiting in a closed tab until it is shown
CHARTS_DRAWN = (
    "[...document.querySelectorAll(\"[data-testid='stPlotlyChart']\")]"
    ".every(el => { const plot = el.querySelector('.js-plotly-plot'); return plot && plot._fullData; })"
    " && [...document.querySelectorAll('.live-chart')]"
    ".every(plot => plot.dataset.state === 'waiting' || (plot.dataset.state === 'drawn' && plot._fullData))"
)

# how many figures the equity chart was sent when it is a live chart (None on a tree without them)
LIVE_SENT = "(() => { const p = document.querySelector('.live-chart'); return p ? p.dataset.sent : null; })()"


def make_runs(home: Path, data: Path) -> dict[str, str]:
    """A one-year minute and a one-month daily sma_crossover run (ids by label)."""
    write_sample_data(data, start=START, end=END, minute_days=260, tickers=("SPY",))
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(data), "BACKTEST_MAX_CONCURRENT": "2"}
    submitted = {
        "minute": ["--start", START.isoformat(), "--end", END.isoformat(), "--resolution", "minute"],
        "daily": ["--start", MONTH[0].isoformat(), "--end", MONTH[1].isoformat(), "--resolution", "daily",
                  "--param", "fast=3", "--param", "slow=8"],
    }  # fmt: skip
    ids = {
        label: json.loads(cli(env, "run", "sma_crossover", *extra, "--json"))["id"]
        for label, extra in submitted.items()
    }
    for run_id in ids.values():
        cli(env, "wait", run_id)
    return ids


class Reruns:
    """How many reruns the server has finished for the page (its ``script_finished`` messages, full or fragment
    runs): a rerun too fast for the browser to draw a "running" state is still seen."""

    def __init__(self, page: Page) -> None:
        self.finished = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            self.finished += message.WhichOneof("type") == "script_finished"


def cpu_seconds() -> tuple[float, float]:
    """User + system CPU time so far of (the Streamlit servers, every Chromium process) below this process."""
    server = browser = 0.0
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            spent = sum(process.cpu_times()[:2])
            if "chrom" in process.name().lower():
                browser += spent
            elif "streamlit" in process.cmdline():
                server += spent
    return server, browser


def answer_ms(page: Page, reruns: Reruns, change: Callable[[], None]) -> float:
    return answered(page, reruns, change)[0]


def answered(page: Page, reruns: Reruns, change: Callable[[], None], zoom: bool = False) -> tuple[float, float, float]:
    """(wall ms, server CPU ms, Chromium CPU ms) of one widget change until it is answered; a ``zoom`` is answered
    once a live equity chart has also been sent its new figure (it draws after the rerun's last message)."""
    page.wait_for_timeout(150)  # the last rerun's elements settle: a click on one being replaced is lost
    seen, sent = reruns.finished, page.evaluate(LIVE_SENT)
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    change()
    while reruns.finished == seen:
        if time.perf_counter() - start > 120:
            raise TimeoutError("the change started no rerun within 120 s")
        page.wait_for_timeout(2)  # lets Playwright deliver the socket's frames
    new_figure = f"{LIVE_SENT} !== {json.dumps(sent)}" if zoom and sent is not None else "true"
    for condition in (NO_SKELETON, new_figure, CHARTS_DRAWN):
        page.wait_for_function(condition, timeout=120_000, polling=10)
    wall = (time.perf_counter() - start) * 1000
    server, browser = (1000 * (after - before) for after, before in zip(cpu_seconds(), cpu_before, strict=True))
    return wall, server, browser


def _range_button(page: Page, name: str) -> Callable[[], None]:
    return lambda: page.locator("[data-testid='stButtonGroup']").get_by_role("radio", name=name, exact=True).click()


def _tab(page: Page, name: str) -> Callable[[], None]:
    return lambda: page.get_by_role("tab", name=name, exact=True).click()


def _symbols(page: Page) -> object:
    return page.locator("[data-testid='stMultiSelect']").filter(has_text="Symbols")


def _pick_symbol(page: Page) -> Callable[[], None]:
    return lambda: page.get_by_role("option", name="SPY", exact=True).click()


def _drop_symbol(page: Page) -> Callable[[], None]:
    return lambda: _symbols(page).locator("button[aria-label='Remove SPY']").click()


Figures = tuple[float, float, float]  # wall ms, server CPU ms, Chromium CPU ms


def changes(page: Page, reruns: Reruns, url: str, repeat: int) -> dict[str, list[Figures]]:
    """Each widget change on the page at ``url`` (already warm), ``repeat`` times each way."""
    interactive_ms(page, url, INTERACTIVE[:1] + INTERACTIVE[2:])
    times: dict[str, list[Figures]] = {"zoom (range button)": [], "tab: Trades": [], "tab: Equity": [],
                                       "symbol filter": []}  # fmt: skip
    for _ in range(repeat):
        times["zoom (range button)"] += [answered(page, reruns, _range_button(page, "1M"), zoom=True),
                                        answered(page, reruns, _range_button(page, "All"), zoom=True)]  # fmt: skip
        times["tab: Trades"].append(answered(page, reruns, _tab(page, "Trades")))
        times["tab: Equity"].append(answered(page, reruns, _tab(page, "Equity")))
    answer_ms(page, reruns, _tab(page, "Trades"))
    for _ in range(repeat):
        page.keyboard.press("Escape")  # a list the last removal opened closes
        page.wait_for_timeout(300)
        _symbols(page).get_by_role("combobox").click()
        page.keyboard.type("SP")  # the list opens as one types, without a rerun; choosing from it is the change
        page.get_by_role("option", name="SPY", exact=True).wait_for()
        times["symbol filter"].append(answered(page, reruns, _pick_symbol(page)))
        page.keyboard.press("Escape")  # with the list open a removal is not sent until it closes
        times["symbol filter"].append(answered(page, reruns, _drop_symbol(page)))
    return times


def medians(figures: list[Figures]) -> Figures:
    wall, server, browser = (statistics.median(values) for values in zip(*figures, strict=True))
    return wall, server, browser


@contextlib.contextmanager
def tree_at(rev: str) -> Iterator[Path]:
    """This repository at ``rev`` in a temporary git worktree."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=PROJECT_ROOT, check=True,
                       capture_output=True)  # fmt: skip
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=PROJECT_ROOT, check=False)


def widget_changes(page: Page, reruns: Reruns, home: Path, data: Path, run_id: str, repeat: int,
                   trees: dict[str, Path | None], rounds: int) -> dict[str, dict[str, list[Figures]]]:  # fmt: skip
    """The changes on the bare skeleton and on the page of each tree (None: this one), in turn each round."""
    times: dict[str, dict[str, list[Figures]]] = {}
    for _ in range(rounds):
        for label, tree in [("skeleton", None), *trees.items()]:
            if label == "skeleton":
                server, path = streamlit_server(home, data, script=SKELETON), ""
            else:
                server, path = streamlit_server(home, data, script=str((tree or PROJECT_ROOT) / "dashboard.py")), \
                    f"/result?id={run_id}"  # fmt: skip
            with server as url:
                for name, figures in changes(page, reruns, url + path, repeat).items():
                    times.setdefault(label, {}).setdefault(name, []).extend(figures)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder for the data and runs, reused when it holds them")
    parser.add_argument("--against", help="also measure the widget changes on the page of this commit")
    parser.add_argument("--rounds", type=int, default=1, help="widget-change rounds (each: skeleton, trees)")
    parser.add_argument("--changes-only", action="store_true", help="skip the page loads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        root = args.keep or Path(scratch)
        home, data, made = root / "store", root / "data", root / "ids.json"
        if not made.exists():
            made.write_text(json.dumps(make_runs(home, data)))
        ids = json.loads(made.read_text())
        store = RunStore(Settings(home=home))
        points = {label: len(store.result(run_id).equity) for label, run_id in ids.items()}
        orders = {label: len(store.result(run_id).orders) for label, run_id in ids.items()}
        print(f"Result page, Chromium headless; warm = median of {args.repeat} reloads")
        for label in ("minute", "daily"):
            print(f"{label} result: {points[label]} equity points, {orders[label]} orders", flush=True)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        reruns = Reruns(page)
        print(f"load average at the start (2 cores, shared): {os.getloadavg()}", flush=True)
        loads = {}
        for label in () if args.changes_only else ("daily", "minute", "daily again"):
            cold, cpu, warm = measure(page, home, data, "result", f"id={ids[label.split()[0]]}", args.repeat, "results")
            loads[label] = cold, warm
            print(f"{label:>12}: cold {cold:7.0f} ms (server CPU {cpu:.2f} s)   warm {warm:7.0f} ms", flush=True)
        if loads:
            daily_cold = min(loads["daily"][0], loads["daily again"][0])
            daily_warm = min(loads["daily"][1], loads["daily again"][1])
            print(f"ratio one-year minute / one-month daily: cold {loads['minute'][0] / daily_cold:.2f}, "
                  f"warm {loads['minute'][1] / daily_warm:.2f} (goal <= 2)", flush=True)  # fmt: skip
        with contextlib.ExitStack() as stack:
            trees: dict[str, Path | None] = {"page": None}
            if args.against:
                trees = {f"page at {args.against}": stack.enter_context(tree_at(args.against)), "page": None}
            times = widget_changes(page, reruns, home, data, ids["minute"], args.repeat, trees, args.rounds)
        browser.close()
    print("widget change on the minute result vs the bare skeleton, medians (wall / server CPU / Chromium CPU):")
    for name, bare in times["skeleton"].items():
        bare_wall, bare_server, bare_browser = medians(bare)
        print(f"{name:>20}: skeleton {bare_wall:6.0f} / {bare_server:4.0f} / {bare_browser:5.0f} ms")
        for label in trees:
            wall, server, browser_cpu = medians(times[label][name])
            print(
                f"{'':>20}  {label}: {wall:6.0f} / {server:4.0f} / {browser_cpu:5.0f} ms, wall "
                f"+{wall - bare_wall:5.0f} ms (goal <= 300), Chromium CPU +{browser_cpu - bare_browser:5.0f} ms"
            )
    print(f"load average at the end (2 cores, shared): {os.getloadavg()}")


if __name__ == "__main__":
    main()
