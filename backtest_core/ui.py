"""Streamlit pieces every page shares: cached loading, error boxes, links. Drawing only, no domain logic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from backtest_core.errors import StudioError
from backtest_core.results import LeanResult, load_result
from backtest_core.runs import recover
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings
from backtest_core.store import RunStore

T = TypeVar("T")

# Every page file, by the name links use. Files sit one level down (pages/<section>/) so that Streamlit never
# treats the folder as its legacy multipage directory: st.navigation in dashboard.py stays in charge.
PAGE_FILES = {
    "strategies": "pages/backtests/strategies.py",
    "run": "pages/backtests/run.py",
    "monitor": "pages/backtests/monitor.py",
    "history": "pages/results/history.py",
    "result": "pages/results/result.py",
    "compare": "pages/results/compare.py",
    "sweep": "pages/results/sweep.py",
}


def settings() -> Settings:
    return Settings()


def store() -> RunStore:
    return RunStore(settings())


@st.cache_resource(show_spinner="Preparing the store…")
def _prepare(home: str, data_dir: str) -> str:
    """Once per server and store: resolve runs orphaned while the app was down; fill an empty data folder."""
    recover(Settings())
    folder = Path(data_dir)
    if folder.exists() and any(folder.iterdir()):
        return ""
    report = write_sample_data(folder)
    return f"The data folder was empty: wrote a SYNTHETIC sample ({', '.join(report.tickers)}) into {folder}."


def startup() -> None:
    """Called by the entry point on every run; the work itself happens once (cached per store)."""
    current = settings()
    message = guarded(lambda: _prepare(str(current.home), str(current.data_dir)))
    if message and not st.session_state.get("startup_told"):
        st.session_state["startup_told"] = True
        st.toast(message, icon=":material/info:")


def show_error(error: Exception) -> None:
    """A domain error as a message with what to do; anything else as a short message (never a traceback)."""
    if isinstance(error, StudioError):
        st.error(str(error), icon=":material/error:")
        if error.hint:
            st.caption(error.hint)
    else:
        st.error(f"Unexpected problem: {type(error).__name__}: {error}", icon=":material/error:")


def guarded(action: Callable[[], T]) -> T | None:
    """Run ``action``; show a failure with ``show_error`` and return None instead of raising."""
    try:
        return action()
    except Exception as error:  # a page must never show a raw exception
        show_error(error)
        return None


@st.cache_data(show_spinner="Loading result…", max_entries=32)
def _load_result(folder: str, stamp: float) -> LeanResult:
    """``stamp`` (the newest result file's mtime) is only part of the cache key."""
    return load_result(Path(folder))


def cached_result(folder: Path) -> LeanResult:
    """The parsed result of a run folder, re-read only when its main file changes."""
    stamp = max((p.stat().st_mtime for p in folder.glob("*.json")), default=0.0)
    return _load_result(str(folder), stamp)


def run_link(run_id: str, label: str | None = None) -> None:
    st.page_link(PAGE_FILES["result"], label=label or run_id, icon=":material/insights:", query_params={"id": run_id})
