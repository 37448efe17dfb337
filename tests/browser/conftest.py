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
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


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
    tab = tracked(browser_context.new_page())
    yield tab
    tab.close()


class ScriptRuns:
    """The page's rerun requests and finished script runs, read from its websocket frames in the order they
    passed. A widget change leaves the page's script state at ``notRunning`` until the server's first answer
    arrives, which on a loaded machine came after a fixed pause had ended (stop 23's CI: a test read the store
    before its Import click had run)."""

    def __init__(self, page) -> None:
        self.frames = 0
        self.last_request = self.last_finish = -1
        page.on("websocket", lambda socket: self._follow(socket))

    def _follow(self, socket) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: bytes | str) -> None:
        self.frames += 1
        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                self.last_request = self.frames

    def _received(self, payload: bytes | str) -> None:
        self.frames += 1
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished" and message.script_finished != EARLY_FOR_RERUN:
                self.last_finish = self.frames

    @property
    def answered(self) -> bool:
        """A run has finished since the last rerun the page asked for (one asked for meanwhile starts anew)."""
        return self.last_finish > self.last_request


def tracked(page):
    """``page`` with its script runs followed (see ``ScriptRuns``); before it opens any URL."""
    page.script_runs = ScriptRuns(page)
    return page


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Connected, every rerun the page has asked for has finished, and no run is going on.

    The pause lets the frame of a click or key just made be seen as sent; then the wait is on the server's
    answer to it (``ScriptRuns``), however long the server takes to start."""
    deadline = time.monotonic() + timeout / 1000
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    while not page.script_runs.answered:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run of {page.url} finished within {timeout / 1000:.0f} s of its request")
        page.wait_for_timeout(20)
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
