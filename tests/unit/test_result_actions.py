"""Run again and Clone from a result (real store, real embedded runs), and ``analyse`` on the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backtest_core import runs
from backtest_core.errors import InvalidRequest
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.run_form import clone_of, form_defaults
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore, import_path
from backtest_core.ui import PAGE_FILES

pytestmark = pytest.mark.slow
MARKER = "# the catalogue's code changed after the first run\n"


@pytest.fixture
def first_run(studio_home: Settings, tmp_path: Path, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A finished embedded run of a catalogue of our own, whose main.py then changes."""
    catalogue = tmp_path / "strategies"
    shutil.copytree(PROJECT_ROOT / "strategies" / "buy_and_hold", catalogue / "buy_and_hold")
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(catalogue))
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    settings = Settings()
    request = BacktestRequest(
        strategy="buy_and_hold",
        start_date=date(2014, 1, 2),
        end_date=date(2014, 3, 31),
        initial_cash=50_000,
        parameters={"symbols": "SPY"},
        tags=["first"],
    )
    run = runs.wait(runs.submit(request, settings), settings, timeout=180)
    assert run.status == BacktestStatus.COMPLETED, run.error
    main = catalogue / "buy_and_hold" / "main.py"
    main.write_text(MARKER + main.read_text())
    return run.id


def test_run_again_runs_the_stored_request_with_the_stored_code(first_run: str) -> None:
    settings = Settings()
    store = RunStore(settings)
    again = runs.wait(runs.run_again(first_run, settings), settings, timeout=180)
    assert again.status == BacktestStatus.COMPLETED, again.error
    assert again.id != first_run and again.request == store.get(first_run).request and again.strategy == "buy_and_hold"
    code = (store.run_dir(again.id) / "code" / "main.py").read_text()
    assert code == (store.run_dir(first_run) / "code" / "main.py").read_text() and MARKER not in code
    assert again.stats.end_equity == store.get(first_run).stats.end_equity


def test_run_again_refuses_a_run_without_code_by_name(studio_home: Settings, lean_fixtures: Path) -> None:
    store = RunStore(studio_home)
    [imported] = import_path(store, lean_fixtures / "cli2025-spy-minute-sma-301orders").imported
    with pytest.raises(InvalidRequest, match="code snapshot"):
        runs.run_again(imported, studio_home)


def test_clone_fills_the_run_page_and_offers_the_stored_code(first_run: str) -> None:
    store = RunStore(Settings())
    clone = clone_of(store, first_run)
    assert clone.code == store.run_dir(first_run) / "code"
    assert form_defaults(store.get(first_run).request) == clone.defaults
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.query_params["clone"] = first_run
    app.switch_page(PAGE_FILES["run"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(first_run in info.value for info in app.info)
    assert app.date_input[0].value == date(2014, 1, 2) and app.date_input[1].value == date(2014, 3, 31)
    assert [box.value for box in app.checkbox][:2] == [True, True]  # both overrides, as the request had them
    assert app.number_input[0].value == 50_000
    assert any(t.value == "first" for t in app.text_input)
    snapshot = next(box for box in app.checkbox if "stored snapshot" in box.label)
    assert snapshot.value is True


def test_analyse_on_the_command_line(studio_home: Settings, lean_fixtures: Path, lean_data: Path) -> None:
    [imported] = import_path(RunStore(studio_home), lean_fixtures / "cli2025-spy-minute-sma-301orders").imported
    env = {**os.environ, "BACKTEST_DATA": str(lean_data)}
    command = [
        sys.executable,
        "-m",
        "backtest_core",
        "analyse",
        imported,
        "--from",
        "2023-01-09",
        "--to",
        "2023-01-13T12:00",
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["window"] == {"from": "2023-01-09T00:00", "to": "2023-01-13T12:00"}
    assert found["axis"]["zone"] == "America/New_York" and found["axis"]["intraday"] and found["axis"]["closed_spans"]
    assert 0 < found["statistics"]["trades"]["trades"] < 150 and found["worst_drawdowns"][0]["rank"] == 1
    bad = subprocess.run(
        [*command[:4], imported, "--from", "soon", "--to", "later"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert bad.returncode == 2 and "from" in bad.stderr and "Traceback" not in bad.stderr
