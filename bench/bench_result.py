"""The Result page in real Chromium, in one run (issue 14's goals):

(a) the page of a one-year minute result interactive within 2x of the same page for a one-month daily result;
(b) a widget change (tab, symbol filter, zoom by range button) answered within 300 ms of the same change on a
    bare Streamlit rerun of the page's skeleton (``bench/result_skeleton.py``: the same widgets, nothing to
    compute).

"Interactive" is bench_compare's: script finished, a chart drawn by Plotly, no skeleton left; cold on a fresh
server (nothing parsed or cached), warm the median of ``--repeat`` reloads. "Answered" is: the server has
finished the rerun the change started (its ``script_finished`` message arrived), no skeleton left and every
chart on the page drawn. Each change is made ``--repeat`` times each way (e.g. 1M then All); medians.
The results are real embedded-engine runs of ``sma_crossover`` on the synthetic sample data (one year of SPY
minutes in LEAN's layout).

    .venv/bin/python -m bench.bench_result [--repeat 5] [--keep DIR]   (from the project root; needs chromium)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from bench.bench_compare import INTERACTIVE, cli, interactive_ms, measure
from bench.bench_dashboard import NO_SKELETON
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server

START, END = date(2019, 1, 2), date(2019, 12, 31)
MONTH = (date(2019, 12, 2), date(2019, 12, 31))
SKELETON = "bench/result_skeleton.py"

CHARTS_DRAWN = (
    "[...document.querySelectorAll(\"[data-testid='stPlotlyChart']\")]"
    ".every(el => { const plot = el.querySelector('.js-plotly-plot'); return plot && plot._fullData; })"
)


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


def answer_ms(page: Page, reruns: Reruns, change: Callable[[], None]) -> float:
    page.wait_for_timeout(150)  # the last rerun's elements settle: a click on one being replaced is lost
    seen = reruns.finished
    start = time.perf_counter()
    change()
    while reruns.finished == seen:
        if time.perf_counter() - start > 120:
            raise TimeoutError("the change started no rerun within 120 s")
        page.wait_for_timeout(2)  # lets Playwright deliver the socket's frames
    for condition in (NO_SKELETON, CHARTS_DRAWN):
        page.wait_for_function(condition, timeout=120_000, polling=10)
    return (time.perf_counter() - start) * 1000


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


def changes(page: Page, reruns: Reruns, url: str, repeat: int) -> dict[str, float]:
    """Median answer (ms) of each widget change on the page at ``url`` (already warm)."""
    interactive_ms(page, url, INTERACTIVE[:1] + INTERACTIVE[2:])
    times: dict[str, list[float]] = {"zoom (range button)": [], "tab": [], "symbol filter": []}
    for _ in range(repeat):
        times["zoom (range button)"] += [answer_ms(page, reruns, _range_button(page, "1M")),
                                        answer_ms(page, reruns, _range_button(page, "All"))]  # fmt: skip
        times["tab"] += [answer_ms(page, reruns, _tab(page, "Trades")), answer_ms(page, reruns, _tab(page, "Equity"))]
    answer_ms(page, reruns, _tab(page, "Trades"))
    for _ in range(repeat):
        page.keyboard.press("Escape")  # a list the last removal opened closes
        page.wait_for_timeout(300)
        _symbols(page).get_by_role("combobox").click()
        page.keyboard.type("SP")  # the list opens as one types, without a rerun; choosing from it is the change
        page.get_by_role("option", name="SPY", exact=True).wait_for()
        times["symbol filter"].append(answer_ms(page, reruns, _pick_symbol(page)))
        page.keyboard.press("Escape")  # with the list open a removal is not sent until it closes
        times["symbol filter"].append(answer_ms(page, reruns, _drop_symbol(page)))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder for the data and runs, reused when it holds them")
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
        loads = {}
        for label in ("daily", "minute", "daily again"):
            cold, cpu, warm = measure(page, home, data, "result", f"id={ids[label.split()[0]]}", args.repeat, "results")
            loads[label] = cold, warm
            print(f"{label:>12}: cold {cold:7.0f} ms (server CPU {cpu:.2f} s)   warm {warm:7.0f} ms", flush=True)
        daily_cold = min(loads["daily"][0], loads["daily again"][0])
        daily_warm = min(loads["daily"][1], loads["daily again"][1])
        print(f"ratio one-year minute / one-month daily: cold {loads['minute'][0] / daily_cold:.2f}, "
              f"warm {loads['minute'][1] / daily_warm:.2f} (goal <= 2)", flush=True)  # fmt: skip
        with streamlit_server(home, data) as url:
            page_changes = changes(page, reruns, f"{url}/result?id={ids['minute']}", args.repeat)
        with streamlit_server(home, data, script=SKELETON) as url:
            bare_changes = changes(page, reruns, url, args.repeat)
        browser.close()
    print(f"widget change on the minute result vs the bare skeleton (medians of {2 * args.repeat}):")
    for name, spent in page_changes.items():
        bare = bare_changes[name]
        print(f"{name:>20}: page {spent:6.0f} ms   skeleton {bare:6.0f} ms   +{spent - bare:5.0f} ms (goal <= 300)")
    print(f"load average at the end (2 cores, shared): {os.getloadavg()}")


if __name__ == "__main__":
    main()
