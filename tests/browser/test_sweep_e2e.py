"""A sweep in Chromium: launched from the Run page, watched and explored on the Sweep page, top 5 compared, the
rest cancelled. Real engine runs on a small SYNTHETIC data folder; one parameter value fails on purpose."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps.summary import sweep_report
from backtest_core.sweeps.views import top_ids
from tests.browser.conftest import require_chromium, screenshot, streamlit_server, wait_for_app
from tests.sweep_helpers import UNLUCKY, write_strategies

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]  # waits for real runs
MOVE_ON_S = 10  # issue 15: the Run page once sat 15 s before the sweep showed; 2.4 s here at a load of 15


@pytest.fixture(scope="module")
def sweep_app(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    require_chromium()
    root = tmp_path_factory.mktemp("sweep-browser")
    data = root / "data"
    write_sample_data(data, minute_days=0, tickers=("SPY",))
    strategies = write_strategies(root / "strategies")
    home = root / "studio"
    home.mkdir()
    with streamlit_server(home, data, {"BACKTEST_STRATEGIES": str(strategies)}) as url:
        yield url, home


def _counts(home: Path, sweep_id: str):
    return SweepStore(RunStore(Settings(home=home))).counts(sweep_id)


def _script_runs_within(page, ms: int) -> int:
    """How many script runs (the live counts' fragment included) the page starts in the next ``ms``."""
    return page.evaluate(
        """ms => new Promise(done => {
            const app = document.querySelector("[data-testid='stApp']");
            let runs = 0;
            const watch = new MutationObserver(() => {
                if (app.getAttribute("data-test-script-state") === "running") runs += 1;
            });
            watch.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
            setTimeout(() => { watch.disconnect(); done(runs); }, ms);
        })""",
        ms,
    )


def test_launch_explore_compare_the_top_five_and_cancel_the_rest(page, sweep_app):
    url, home = sweep_app
    page.set_viewport_size({"width": 1400, "height": 4800})  # Streamlit scrolls inside its own container
    page.goto(f"{url}/run?strategy=sweepable")
    wait_for_app(page)
    page.get_by_text("Parameter sweep").click()
    page.get_by_role("textbox", name="Swept parameters, one per line: NAME=VALUES").fill(
        f"fast=5,9,{UNLUCKY},17\nslow=20:60:10"
    )
    screenshot(page, "sweep-run-form")
    clicked = time.monotonic()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/sweep?id=*", timeout=60_000)
    moved = time.monotonic() - clicked
    print(f"Run page moved on to the sweep {moved:.1f} s after Start")
    assert moved < MOVE_ON_S, f"the Run page sat {moved:.1f} s before the sweep appeared"
    sweep_id = re.search(r"id=([\w-]+)", page.url).group(1)
    assert _counts(home, sweep_id).total == 20
    wait_for_app(page)
    screenshot(page, "sweep-live")

    deadline = time.monotonic() + 600
    while _counts(home, sweep_id).completed < 5 and time.monotonic() < deadline:
        time.sleep(2)
    assert _counts(home, sweep_id).completed >= 5, _counts(home, sweep_id)
    page.reload()
    wait_for_app(page, timeout=120_000)
    page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(timeout=120_000)
    assert page.get_by_text("Deflated Sharpe Ratio of the best").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "sweep-heatmap")

    page.get_by_text("Cancel the rest").click()
    deadline = time.monotonic() + 120
    while _counts(home, sweep_id).active and time.monotonic() < deadline:
        time.sleep(1)
    counts = _counts(home, sweep_id)
    assert counts.active == 0 and counts.cancelled > 0, counts
    page.reload()
    wait_for_app(page, timeout=120_000)
    page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(timeout=120_000)
    assert page.get_by_text("cancelled").count() >= 1
    screenshot(page, "sweep-cancelled")
    assert _script_runs_within(page, 6_000) == 0  # an ended sweep's counts cannot change: no more polling

    link = page.get_by_role("link", name="Compare the top 5")
    href = link.get_attribute("href")
    ids = re.search(r"ids=([^&]+)", href).group(1).replace("%2C", ",").split(",")
    table = sweep_report(RunStore(Settings(home=home)), sweep_id, with_curves=False).table
    assert ids == top_ids(table, 5, maximize=True)  # the five best Sharpe ratios, best first
    link.click()
    page.wait_for_url("**/compare?ids=*", timeout=60_000)
    wait_for_app(page, timeout=120_000)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "sweep-compare-top5")
