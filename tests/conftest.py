"""Fixtures every test layer shares: the shared LEAN files, a private store, CI strictness.

When ``CI=true`` a skipped ``docker``, ``browser`` or ``cluster`` test, or one skipped for want of
``../shared``, is reported as a failure: in CI the real parts must run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest_core.settings import Settings

IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_MISSING = "../shared (or $BACKTEST_SHARED) with LEAN data and result fixtures is not on this machine"


def _shared_root() -> Path:
    return Settings().shared


@pytest.fixture(autouse=True)
def _real_main_module() -> Iterator[None]:
    """Streamlit's AppTest runs a page as ``__main__`` and leaves it there; a multiprocessing child started by a
    later test in the same worker (the regression runner's engine processes) would then run that stale page
    script on start and die. The real ``__main__`` is put back after each test."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    root = _shared_root()
    if not (root / "lean-data").is_dir():
        pytest.skip(SHARED_MISSING)
    return root


@pytest.fixture(scope="session")
def lean_data(shared_dir: Path) -> Path:
    """Real LEAN sample data (read only: never write into it)."""
    return shared_dir / "lean-data"


@pytest.fixture(scope="session")
def lean_fixtures(shared_dir: Path) -> Path:
    """Real LEAN result folders, one per variant (see SOURCES.md there)."""
    return shared_dir / "fixtures" / "lean-results"


@pytest.fixture
def studio_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A private store for one test: BACKTEST_HOME points into tmp_path (subprocesses inherit it)."""
    home = tmp_path / "studio"
    home.mkdir()
    monkeypatch.setenv("BACKTEST_HOME", str(home))
    yield Settings()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if IN_CI and report.skipped:
        strict = {"docker", "browser", "cluster"} & {mark.name for mark in item.iter_markers()}
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if strict or SHARED_MISSING in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, which must run the real parts: {reason}"
    return report
