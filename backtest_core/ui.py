"""Streamlit pieces every page shares: cached loading, error boxes, links. Drawing only, no domain logic."""

from __future__ import annotations

import runpy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import streamlit as st

from backtest_core import views
from backtest_core.errors import StudioError
from backtest_core.models import BacktestRunInfo
from backtest_core.results import LeanResult, load_result
from backtest_core.runs import recover
from backtest_core.sample_data import MARKER, write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from backtest_core.store.backfill import describe_undescribed

if TYPE_CHECKING:
    from backtest_core.cluster.status import ClusterStatus

T = TypeVar("T")

# Every page file, by the name links use. Files sit one level down (pages/<section>/); what sits directly in
# pages/ are the shims of ``enter_through_dashboard``, one per URL path but the default page's (served at /).
PAGE_FILES = {
    "strategies": "pages/backtests/strategies.py",
    "run": "pages/backtests/run.py",
    "monitor": "pages/backtests/monitor.py",
    "history": "pages/results/history.py",
    "result": "pages/results/result.py",
    "compare": "pages/results/compare.py",
    "sweep": "pages/results/sweep.py",
}


MISSING = "–"  # a table's missing value: Streamlit shows the word None unless told


def enter_through_dashboard() -> None:
    """Run the entry point from one of the ``pages/<url path>.py`` shims.

    Streamlit 1.67 decides once per server process, when the first browser session starts, whether the app
    uses the legacy ``pages/`` directory: the folder exists beside ``dashboard.py``, so that first run goes
    through its legacy router (``_mpa_v1``), which knows only ``dashboard.py`` and ``pages/*.py``. A direct
    URL such as ``/result?id=...`` then found no page, a "Page not found" notice was sent, and only then did
    ``dashboard.py`` run and its ``st.navigation`` switch the process to the new router for good. With one
    shim per URL path, that first run finds a page, the shim runs the entry point, and ``st.navigation``
    resolves the real page; every later run never sees the shims.
    """
    runpy.run_path(str(PROJECT_ROOT / "dashboard.py"), run_name="__main__")


def settings() -> Settings:
    return Settings()


def store() -> RunStore:
    return RunStore(settings())


@st.cache_resource(show_spinner="Preparing the store…")
def _prepare(home: str, data_dir: str) -> str:
    """Once per server and store: resolve runs orphaned while the app was down, describe runs stored
    undescribed (an older store's); fill an empty data folder."""
    recover(Settings())
    describe_undescribed(RunStore(Settings()))
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


@st.cache_resource(show_spinner="Loading result…", max_entries=32)
def _load_result(folder: str, stamp: float) -> LeanResult:
    """``stamp`` (the newest result file's mtime) is only part of the cache key. One shared object, not a
    copy per rerun (``cache_data`` unpickled megabytes of frames on every widget change): read-only for
    every page."""
    return load_result(Path(folder))


def result_stamp(folder: Path) -> float:
    """When the result files of a run folder last changed (a cache key for what is derived from them)."""
    return max((p.stat().st_mtime for p in folder.glob("*.json")), default=0.0)


def cached_result(folder: Path) -> LeanResult:
    """The parsed result of a run folder, re-read only when its main file changes."""
    return _load_result(str(folder), result_stamp(folder))


def percent(value: float | None, digits: int = 2) -> str:
    """A fraction as a percent for display; '–' when there is none."""
    return "–" if value is None else f"{value:.{digits}%}"


def run_link(run_id: str, label: str | None = None) -> None:
    st.page_link(PAGE_FILES["result"], label=label or run_id, icon=":material/insights:", query_params={"id": run_id})


def run_notices(run: BacktestRunInfo, label: str = "") -> None:
    """What an analyst must know before reading a run's figures, wherever the run is shown: a SYNTHETIC label
    and every warning stored with it. ``label`` names the run on pages that show several."""
    draw_notices(views.notice_texts(run, label))


def runs_notices(runs: Sequence[tuple[BacktestRunInfo, str]]) -> None:
    """The notices of several runs, each named by its label: one SYNTHETIC label and one list of warnings."""
    draw_notices(views.grouped_notice_texts(runs))


def draw_notices(notices: list[tuple[str, str]]) -> None:
    for kind, text in notices:
        if kind == "synthetic":
            st.warning(text.replace("SYNTHETIC data.", "**SYNTHETIC data.**", 1), icon=":material/science:")
        else:
            st.warning(text, icon=":material/warning:")


def data_folder_notice() -> None:
    """On pages that start or follow runs: the data folder in use is the SYNTHETIC sample."""
    folder = settings().data_dir
    if (folder / MARKER).exists():
        st.warning(
            f"**SYNTHETIC data.** The data folder `{folder}` holds Backtest Studio's random-walk sample, not market "
            "data: runs started now compute figures that say nothing about any real security.",
            icon=":material/science:",
        )


@st.cache_data(ttl=3, show_spinner=False)
def _cluster_status(setting: str, home: str) -> ClusterStatus:
    from backtest_core.cluster.status import cluster_status  # Dask only when a cluster is set

    return cluster_status(settings())


def cluster_panel() -> None:
    """On pages that start or follow runs, when ``BACKTEST_CLUSTER`` is set: the cluster the runs go to, its
    workers and threads, or why it cannot take runs now."""
    current = settings()
    if not current.cluster:
        return
    status = guarded(lambda: _cluster_status(current.cluster, str(current.home)))
    if status is None:
        return
    if not status.reachable:
        st.warning(f"Runs go to the Dask cluster `{status.setting}`, which cannot be reached now; queued runs wait "
                   f"until it answers.\n\n{status.problem}", icon=":material/cloud_off:")  # fmt: skip
        return
    st.info(f"Runs execute on the Dask cluster at `{status.scheduler}`: {len(status.workers)} worker(s), "
            f"{status.threads} thread(s) (one backtest each), {len(status.docker_workers)} with Docker. This store: "
            f"{status.running} running there, {status.queued} queued.", icon=":material/hub:")  # fmt: skip
    if status.problem:
        st.warning(status.problem, icon=":material/warning:")
    if status.workers:
        with st.expander("Cluster workers"):
            st.dataframe(status.worker_rows(), hide_index=True, width="stretch", placeholder=MISSING)


def stored_result(run: BacktestRunInfo) -> LeanResult | None:
    """The finished run's result to draw, or None after saying what is really there: no file at all (cancelled
    or ended early, which the truncated-file hint would misstate), or LEAN's in-run snapshot of a run that
    never finished."""
    runs = store()
    folder = runs.run_dir(run.id)
    if not (folder / f"{runs.algorithm_id(run.id)}.json").is_file():
        if (why := views.missing_result_text(run)) is not None:
            st.info(why, icon=":material/info:")
        return None
    result = guarded(lambda: cached_result(folder))
    if result is not None and not result.is_final:
        last = f" at {result.equity.index[-1]:%Y-%m-%d}" if not result.equity.empty else ""
        st.warning(f"This is the snapshot LEAN rewrites while a run goes on: the run never finished, so its figures "
                   f"stop{last} and are not final statistics.", icon=":material/warning:")  # fmt: skip
    return result


def apply_to_runs(done: str, run_ids: list[str], action: Callable[[str], object]) -> None:
    """Do ``action`` to each run and keep what happened, refusals with their reason, for ``action_outcomes``
    to say after the page reloads (an action that did nothing must never look like one that did)."""
    succeeded, refused = [], []
    for run_id in run_ids:
        try:
            action(run_id)
            succeeded.append(run_id)
        except StudioError as error:
            refused.append(f"{error}: {error.hint}" if error.hint else str(error))
    outcomes = st.session_state.setdefault("action_outcomes", [])
    if succeeded:
        outcomes.append(("success", f"{done} {len(succeeded)} run(s): {', '.join(succeeded)}"))
    outcomes.extend(("error", message) for message in refused)


def action_outcomes() -> None:
    """Say what the last actions did (see ``apply_to_runs``), once."""
    for kind, message in st.session_state.pop("action_outcomes", []):
        (st.success if kind == "success" else st.error)(message)
