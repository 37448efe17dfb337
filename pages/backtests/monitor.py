"""Monitor: every queued and running backtest, refreshed every second without reloading the page."""

from datetime import UTC, datetime

import streamlit as st

from backtest_core import charts, runs, ui, views

st.title("Monitor")
settings = ui.settings()
ui.data_folder_notice()


@st.fragment(run_every="1s")
def live_panel() -> None:
    ui.cluster_panel()
    polled = ui.guarded(lambda: runs.active_progress(settings))
    if polled is None:
        return
    active = [run for run, _ in polled]
    watched: dict[str, str] = st.session_state.setdefault("watched_runs", {})
    for run_id in st.session_state.pop("just_submitted", []):
        watched[run_id] = run_id
    active_ids = {run.id for run in active}
    for run_id in [run_id for run_id in watched if run_id not in active_ids]:
        finished = ui.guarded(lambda run_id=run_id: ui.store().get(run_id))
        if finished is not None:
            st.toast(f"{finished.name}: {finished.status.value}", icon=":material/flag:")
            st.session_state.setdefault("finished_runs", []).insert(0, finished.id)
        watched.pop(run_id)
    for run in active:
        watched[run.id] = run.name
    if not active:
        st.info("No backtest is queued or running. Start one on the Run page.")
    now = datetime.now(UTC)
    for run, progress in polled:
        with st.container(border=True):
            head, action = st.columns([5, 1])
            where = " · on the cluster" if run.executor == "dask" else ""
            head.markdown(f"**{run.name}** · `{run.id}` · {run.engine.value}{where} · {run.status.value}")
            if run.executor == "dask" and progress and progress.message:
                head.caption(progress.message)  # which worker runs it, or what it waits for
            if action.button("Cancel", key=f"cancel-{run.id}", icon=":material/stop:"):
                answer = ui.guarded(lambda run_id=run.id: runs.cancel(run_id, settings))
                if answer:
                    st.toast(answer.message)
            percent = progress.percent if progress else 0.0
            simulated = (
                progress.simulated_time.strftime("%Y-%m-%d %H:%M UTC") if progress and progress.simulated_time else "–"
            )
            st.progress(min(percent, 100.0) / 100.0, text=f"{percent:.1f}% · simulated {simulated}")
            if progress and progress.stalled_since:
                quiet = views.format_duration(now - progress.stalled_since)
                st.warning(
                    f"Stalled: no progress for {quiet} (simulated time stuck at {simulated}). The algorithm may be "
                    "in an endless loop; Cancel stops it.",
                    icon=":material/hourglass_disabled:",
                )
            started = run.started_at
            elapsed = views.format_duration(now - started if started else None)
            left = views.format_duration(views.time_left(progress, started, now)) if progress else "–"
            c1, c2, c3 = st.columns([1, 1, 2])
            c1.metric("Elapsed", elapsed)
            c2.metric("Time left", left)
            if progress and progress.equity is not None:
                c3.metric("Equity", f"{progress.equity:,.2f}")
            if progress and len(progress.equity_points) > 1:
                st.plotly_chart(
                    charts.sparkline_figure(progress.equity_points),
                    key=f"spark-{run.id}",
                    config={"displayModeBar": False},
                )
            if progress and progress.statistics:
                st.caption(" · ".join(f"{k}: {v}" for k, v in progress.statistics.items()))
            if progress and progress.log_tail:
                st.code("\n".join(progress.log_tail[-12:]), language=None, wrap_lines=True)
    finished_ids = st.session_state.get("finished_runs", [])[:10]
    if finished_ids:
        st.subheader("Finished while you watched")
        for run_id in finished_ids:
            ui.run_link(run_id)


live_panel()
