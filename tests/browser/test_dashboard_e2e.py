"""End to end in Chromium: launch, monitor, open, import, compare, delete — with screenshots of every page."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from backtest_core.models import RunQuery
from backtest_core.settings import Settings
from backtest_core.store import RunStore
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _store(app_home) -> RunStore:
    return RunStore(Settings(home=app_home))


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]
    assert page.get_by_text("Page not found").count() == 0


def test_every_page_renders_on_an_empty_store(page, app_url):
    # an offline or firewalled analyst's machine: nothing a page loads (favicon, icons, fonts) may leave the host
    outside = []
    page.on("request", lambda request: urlsplit(request.url).hostname in LOCAL_HOSTS or outside.append(request.url))
    for path in ("", "run", "monitor", "results", "result", "compare"):  # "" is Strategies, the default page
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        _no_exception(page)
        screenshot(page, f"empty-{path or 'strategies'}")
    assert outside == []


def test_launch_watch_and_open_a_backtest(page, app_url, app_home):
    page.goto(f"{app_url}/run?strategy=buy_and_hold")
    wait_for_app(page)
    screenshot(page, "run-form")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/monitor**", timeout=30_000)
    wait_for_app(page)
    screenshot(page, "monitor-running")
    finished = page.locator("[data-testid='stPageLink'] a").filter(has_text="20")  # a run id starts with the year
    finished.first.wait_for(timeout=120_000)
    screenshot(page, "monitor-finished")
    [run] = _store(app_home).list(RunQuery()).items
    assert run.status.value == "completed", run.error
    finished.first.click()
    page.wait_for_url("**/result?id=*", timeout=30_000)
    wait_for_app(page)
    page.locator(".live-chart[data-state='drawn']").wait_for(timeout=30_000)  # the equity chart
    _no_exception(page)
    screenshot(page, "result-detail")


def test_imported_lean_results_open_without_error(page, app_url, app_home, lean_fixtures, tmp_path):
    project = tmp_path / "LeanProject" / "backtests"
    for index, fixture in enumerate(sorted(p for p in lean_fixtures.iterdir() if p.is_dir())):
        shutil.copytree(fixture, project / f"2024-01-{index + 1:02d}_00-00-00")
    page.goto(f"{app_url}/results")
    wait_for_app(page)
    page.get_by_text("Import lean CLI backtests").click()
    page.get_by_label("Folder: a lean CLI project, its backtests/ folder, or one run folder").fill(str(project.parent))
    page.get_by_role("button", name="Import").click()
    # the import's own answer, not an idle app: on a loaded machine the rerun can start after a short pause ends
    outcome = page.locator("[data-testid='stExpander'] [data-testid='stAlert']").or_(
        page.locator("[data-testid='stException']")
    )
    outcome.first.wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)
    screenshot(page, "history-imported")
    assert page.get_by_text("Imported ").count() == 1, outcome.first.inner_text()
    imported = _store(app_home).list(RunQuery(page_size=100, text=None)).items
    assert len([r for r in imported if r.origin.value == "imported"]) >= 10
    for run in imported:
        if run.origin.value != "imported":
            continue
        page.goto(f"{app_url}/result?id={run.id}")
        wait_for_app(page, timeout=60_000)
        _no_exception(page)
        screenshot(page, f"result-{run.name}")


def test_compare_two_results(page, app_url, app_home):
    starts = {str(r.description.period_start): r.id for r in _store(app_home).list(RunQuery(page_size=100)).items}
    spy, graham = starts["2012-01-01"], starts["2019-01-01"]  # the 13-year SPY run and the C# run (2019-2025)
    page.goto(f"{app_url}/compare?ids={spy}&ids={graham}")
    wait_for_app(page, timeout=60_000)
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=30_000)
    expect(page.get_by_text("Window 2019-01-02 – 2025-05-30")).to_be_visible()
    expect(page.get_by_text("Statistics on the window")).to_be_visible()
    _no_exception(page)
    screenshot(page, "compare")


def test_delete_one_result(page, app_url, app_home):
    store = _store(app_home)
    before = store.list(RunQuery()).total
    page.goto(f"{app_url}/results")
    wait_for_app(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 * 1.5)  # the first row's selection checkbox
    wait_for_app(page)
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes, delete").click()
    wait_for_app(page)
    screenshot(page, "history-after-delete")
    assert store.list(RunQuery()).total == before - 1
