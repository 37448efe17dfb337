"""The dashboard in a real Chromium: a Streamlit server on a free port over a private store."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest_core.settings import PROJECT_ROOT

# Debian's headless shell (package chromium-headless-shell): the same Blink without the browser's own UI, profile
# and extensions, ~23% less CPU per page load than the full browser in headless mode; the full one where it is
# the only Chromium installed
CHROMIUM = next((path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
                "/usr/bin/chromium")  # fmt: skip
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Until the server answers its health check; an exit ends the wait at once, so the deadline only guards a
    server that hangs (a start takes a few seconds alone and far longer beside the other test workers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("studio-browser")


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium-headless-shell)")
    pytest.importorskip("playwright")


@contextlib.contextmanager
def streamlit_server(
    home: Path, data: Path, extra_env: dict[str, str] | None = None, script: str = "dashboard.py"
) -> Iterator[str]:
    """A new `streamlit run dashboard.py` process over the store ``home`` and the data folder ``data``
    (``extra_env``: further settings, e.g. BACKTEST_STRATEGIES; ``script``: another app, relative to the
    project root)."""
    port = _free_port()
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(data), "BACKTEST_MAX_CONCURRENT": "2"}
    env.update(extra_env or {})
    log = home / f"streamlit-{port}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def app_url(app_home: Path, lean_data: Path) -> Iterator[str]:
    """One server for the module, with BACKTEST_HOME in a temporary folder and the shared LEAN data."""
    require_chromium()
    with streamlit_server(app_home, lean_data) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    # Streamlit draws a finished run's last elements a moment after its script state reads notRunning, longer
    # on a loaded machine: assertions on what a page shows retry for up to a minute instead of Playwright's 5 s
    expect.set_options(timeout=60_000)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def new_context(browser, width: int = 1400, height: int = 1000) -> object:
    """A browser context as the tests use one: reduced motion (no animations to draw while a test waits)."""
    return browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")


@pytest.fixture(scope="module")
def browser_context(browser) -> Iterator[object]:
    """One context for the module's pages: its HTTP and code caches keep Streamlit's and Plotly's scripts compiled
    across tests (a context per test parsed and compiled them again on every page). Each test still gets a page,
    i.e. a Streamlit session, of its own."""
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(browser_context) -> Iterator[object]:
    tab = browser_context.new_page()
    yield tab
    tab.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Connected, a script run has ended in this document, and no run is going on or requested.

    The script state reads ``notRunning`` before the first run starts too, so a wait on it alone passes at once
    on a slow machine; Streamlit sets ``window.prerenderReady`` once its first run has ended. After a widget
    change the state turns ``rerunRequested`` at once, so the short pause covers later runs."""
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_function("window.prerenderReady === true", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    # lazily loaded widgets (data grids, code blocks) show skeletons for a moment; a screenshot with one left
    # is still worth keeping, so a timeout here is not a failure
    with contextlib.suppress(Exception):
        page.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=10_000)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
