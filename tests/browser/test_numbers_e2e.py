"""What the analyst sees about a run's numbers, in Chromium over a real server: SYNTHETIC labels, stored
warnings and the backtest period; refusals next to their fields; a stalled run on the Monitor; a delete
that cannot happen saying so; imported logs; honest words for a run without a result. Screenshots of each."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backtest_core import runs
from backtest_core.models import BacktestRequest, BacktestStatus, RunQuery
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore, import_path
from tests.browser.conftest import require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENDLESS = """from AlgorithmImports import *


class Endless(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 6, 30)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        self.debug("looping for ever")
        while True:
            pass
"""


class World:
    """The store and data every test here looks at, made once through the real app."""

    def __init__(self, root: Path) -> None:
        self.home, self.data, self.strategies = root / "home", root / "sample", root / "strategies"
        write_sample_data(self.data, start=date(2019, 1, 2), end=date(2020, 12, 31), minute_days=2)
        shutil.copytree(PROJECT_ROOT / "strategies", self.strategies)
        (self.strategies / "broken").mkdir()
        (self.strategies / "broken" / "main.py").write_text("class Broken(QCAlgorithm)\n    pass\n")
        (root / "endless").mkdir()
        (root / "endless" / "main.py").write_text(ENDLESS)
        self.endless_project = root / "endless"

    @property
    def settings(self) -> Settings:
        return Settings(home=self.home, data=self.data, strategies=self.strategies, stall_seconds=3)

    @property
    def store(self) -> RunStore:
        return RunStore(self.settings)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, lean_fixtures: Path) -> Iterator[World]:
    require_chromium()
    made = World(tmp_path_factory.mktemp("numbers"))
    saved = {key: os.environ.get(key) for key in ("BACKTEST_STRATEGIES", "BACKTEST_STALL_SECONDS")}
    os.environ["BACKTEST_STRATEGIES"], os.environ["BACKTEST_STALL_SECONDS"] = str(made.strategies), "3"
    settings = made.settings
    request = BacktestRequest(strategy="buy_and_hold", start_date=date(2020, 1, 2), end_date=date(2021, 3, 31))
    made.synthetic = runs.wait(runs.submit(request, settings), settings, timeout=180)
    assert made.synthetic.status == BacktestStatus.COMPLETED, made.synthetic.error
    import_path(made.store, lean_fixtures)
    log_only = made.home.parent / "LogOnly" / "backtests" / "2025-06-06_01-00-49"
    log_only.mkdir(parents=True)
    for name in ("log.txt", "config"):
        shutil.copy(lean_fixtures / "cli2025-spy-daily-13y" / name, log_only / name)
    made.log_only = made.store.get(import_path(made.store, log_only.parent.parent).imported[0])
    made.endless = runs.submit(BacktestRequest(strategy=str(made.endless_project)), settings)
    yield made
    runs.cancel(made.endless, settings)
    runs.wait(made.endless, settings, timeout=60)
    for key, value in saved.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


@pytest.fixture(scope="module")
def url(world: World) -> Iterator[str]:
    with streamlit_server(world.home, world.data) as address:
        yield address


def visit(page, address: str, timeout: float = 60_000) -> None:
    page.goto(address)
    wait_for_app(page, timeout=timeout)
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]


def by_strategy(world: World, strategy: str) -> str:
    return next(r.id for r in world.store.list(RunQuery(page_size=100)).items if r.strategy == strategy)


def test_result_of_a_synthetic_run_past_its_data_says_both_with_the_period(page, url, world) -> None:
    visit(page, f"{url}/result?id={world.synthetic.id}")
    body = page.inner_text("body")
    assert "SYNTHETIC data" in body and "ends 2020-12-31" in body
    assert "2020-01-02 to 2021-03-31 · daily · starting capital 100,000" in body
    screenshot(page, "numbers-result-synthetic")


def test_history_and_compare_show_the_labels(page, url, world) -> None:
    visit(page, f"{url}/results")
    screenshot(page, "numbers-history")
    imported = by_strategy(world, "cli2024-ondata-runtimeerror")
    other = by_strategy(world, "cli2025-spy-daily-13y")
    visit(page, f"{url}/compare?ids={world.synthetic.id},{other},{imported}")
    body = page.inner_text("body")
    assert "SYNTHETIC data" in body and "buy_and_hold" in body
    screenshot(page, "numbers-compare")


def test_run_page_shows_the_data_range_and_refuses_a_long_name_next_to_it(page, url) -> None:
    visit(page, f"{url}/run?strategy=sma_crossover")
    body = page.inner_text("body")
    assert "SYNTHETIC data" in body and "SPY (daily): 2019-01-02 to 2020-12-31" in body
    page.get_by_label("Run name (optional)").fill("n" * 130)
    page.get_by_role("button", name="Start").click()
    page.get_by_text("at most 120 characters; this one has 130").wait_for(timeout=30_000)
    screenshot(page, "numbers-run-refused")


def test_a_link_to_a_broken_strategy_preselects_nothing(page, url) -> None:
    visit(page, f"{url}/run?strategy=broken")
    expect(page.get_by_text("Strategy 'broken' cannot run")).to_be_visible()
    assert page.get_by_role("button", name="Start").count() == 0
    screenshot(page, "numbers-run-broken-link")


def test_a_stalled_run_is_flagged_on_the_monitor(page, url, world) -> None:
    visit(page, f"{url}/monitor")
    page.get_by_text("Stalled: no progress").first.wait_for(timeout=60_000)
    screenshot(page, "numbers-monitor-stalled")


def test_deleting_a_running_run_says_why_it_did_not_happen(page, url, world) -> None:
    assert world.store.get(world.endless).status == BacktestStatus.RUNNING
    visit(page, f"{url}/results")
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 * 1.5)  # the first row: the newest run, the endless one
    wait_for_app(page)
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes, delete").click()
    page.get_by_text(f"run {world.endless} is running: Cancel it first").wait_for(timeout=30_000)
    assert world.store.exists(world.endless)
    screenshot(page, "numbers-history-delete-refused")


def test_a_cloud_downloads_log_is_in_the_log_tab(page, url, world) -> None:
    visit(page, f"{url}/result?id={by_strategy(world, 'cloud2025-qqq-options-449orders')}")
    page.get_by_role("tab", name="Log").click()
    page.get_by_text("Focused Brown Horse_logs.txt").first.wait_for(timeout=30_000)
    assert "0 lines" not in page.inner_text("body")
    screenshot(page, "numbers-result-cloud-log")


def test_a_run_with_only_a_log_shows_its_log_and_statistics(page, url, world) -> None:
    visit(page, f"{url}/result?id={world.log_only.id}")
    body = page.inner_text("body")
    assert "LEAN wrote no result file" in body and "Statistics the log printed" in body
    assert "truncated" not in body.lower()
    screenshot(page, "numbers-result-log-only")
