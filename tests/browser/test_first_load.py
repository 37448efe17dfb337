"""A fresh server's first direct URL renders its page through the entry point, with no "Page not found".

Streamlit picks its router once per process, at the first session (see ``ui.enter_through_dashboard``), so
each case starts a server of its own and opens one URL first.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore, import_path
from tests.browser.conftest import require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DASHBOARD = PROJECT_ROOT / "dashboard.py"
FIXTURE = "cli2025-spy-minute-sma-301orders"
TITLES = {"": "Strategies", "run": "Run a backtest", "monitor": "Monitor", "results": "History", "compare": "Compare",
          "strategies": "Strategies"}  # fmt: skip
BOOKMARKED = "rsi_mean_reversion"  # /strategies?name=... : the Strategies page's own name, sent on to / with its query


def url_paths() -> list[str]:
    """The ``url_path`` of every page but the default one (which Streamlit serves at ``/`` only)."""
    paths = []
    for node in ast.walk(ast.parse(DASHBOARD.read_text())):
        keywords = {k.arg: k.value for k in node.keywords} if isinstance(node, ast.Call) else {}
        default = keywords.get("default")
        if "url_path" in keywords and not (isinstance(default, ast.Constant) and default.value is True):
            paths.append(keywords["url_path"].value)
    return paths


def test_every_url_path_has_its_first_run_shim_and_nothing_else_is_flat_in_pages() -> None:
    flat = {path.stem for path in (PROJECT_ROOT / "pages").glob("*.py")}
    assert flat == set(url_paths())


@pytest.fixture(scope="module")
def store_home(tmp_path_factory: pytest.TempPathFactory, lean_fixtures: Path) -> tuple[Path, str]:
    require_chromium()
    home = tmp_path_factory.mktemp("first-load")
    project = home / "import" / "backtests" / "2024-01-01_00-00-00"
    shutil.copytree(lean_fixtures / FIXTURE, project)
    report = import_path(RunStore(Settings(home=home)), project)
    [run_id] = report.imported
    return home, run_id


@pytest.mark.parametrize("path", ["result", *TITLES])
def test_first_direct_url_of_a_fresh_server(page, store_home: tuple[Path, str], lean_data: Path, path: str) -> None:
    home, run_id = store_home
    query = {"result": f"?id={run_id}", "strategies": f"?name={BOOKMARKED}"}.get(path, "")
    with streamlit_server(home, lean_data) as url:
        # the first URL goes through the legacy router of a fresh server; for /strategies a second visit also
        # through the entry point's st.navigation, which serves the default page at / only
        for visit in range(2 if path == "strategies" else 1):
            page.goto(f"{url}/{path}{query}")
            wait_for_app(page, timeout=60_000)
            page.wait_for_timeout(500)  # a notice would arrive with the first run's messages
            shot = screenshot(page, f"first-load-{path or 'root'}-{visit}")
            assert page.get_by_text("Page not found").count() == 0, shot
            assert page.locator("[data-testid='stException']").count() == 0, shot
            heading = page.locator("h1").first.inner_text()
            assert heading == (RunStore(Settings(home=home)).get(run_id).name if path == "result" else TITLES[path])
            navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
            assert "Backtests" in navigation and "Results" in navigation and "Compare" in navigation  # the entry's
            address = urlparse(page.url)
            assert address.path == ("/" if path == "strategies" else f"/{path}")
            assert path != "result" or parse_qs(address.query)["id"] == [run_id]
            if path == "strategies":
                assert parse_qs(address.query)["name"] == [BOOKMARKED], shot
                assert page.get_by_role("heading", name=BOOKMARKED).count() == 1, shot  # the project's own panel
