"""Sweep: one parameter study: live counts, the runs' table, objective views, equity, robustness, luck."""

from datetime import UTC, datetime

import streamlit as st

from backtest_core import ui, views
from backtest_core.analysis.holdout import holdout_table
from backtest_core.store.sweep_store import SweepStore
from backtest_core.sweeps import charts as sweep_charts
from backtest_core.sweeps import views as sweep_views
from backtest_core.sweeps.launch import cancel_sweep
from backtest_core.sweeps.summary import KEY_COLUMNS, SKIPPED, estimate_eta, sweep_report, sweep_status

st.title("Sweep")
ui.cluster_panel()
store = ui.store()
sweeps = SweepStore(store)
stored = ui.guarded(sweeps.list) or []
if not stored:
    st.info("No sweeps yet. Launch one on the Run page (Parameter sweep) or import a `lean optimize` folder.")
    st.stop()
labels = {sweep.id: f"{sweep.name} · {sweep.id}" for sweep in stored}
wanted = st.query_params.get("id", stored[0].id)
if wanted not in labels:
    found = ui.guarded(lambda: sweeps.get(wanted))
    if found is not None:
        labels[found.id] = f"{found.name} · {found.id}"
sweep_id = st.selectbox("Sweep", list(labels), index=list(labels).index(wanted) if wanted in labels else 0,
                        format_func=labels.get)  # fmt: skip
st.query_params["id"] = sweep_id


opened = sweeps.counts(sweep_id)


@st.fragment(run_every="2s" if opened.active else None)
def live(drawn_ended: int) -> None:
    """Counts and time left every 2 s while runs are queued or running (an ended sweep's counts cannot change);
    the views below follow when the sweep ends or on request."""
    sweep = sweeps.get(sweep_id)
    counts = sweeps.counts(sweep_id)
    c = st.columns(6)
    c[0].metric("Completed", counts.completed)
    c[1].metric("Failed", counts.failed)
    c[2].metric("Running", counts.running)
    c[3].metric("Queued", counts.queued)
    c[4].metric("Cancelled", counts.cancelled)
    eta = estimate_eta(sweeps.run_infos(sweep_id), counts, datetime.now(UTC)) if counts.active else None
    c[5].metric(
        "Time left",
        views.format_duration(eta) if counts.active else "done",
        help="Estimated once a run has ended: runs not yet ended × mean time of the ended runs ÷ runs at once.",
    )
    skipped = len(sweep.constraints_skipped)
    status = sweep_status(sweep, counts)
    text = f"{status}: {counts.ended} of {counts.total} runs ended"
    if sweep.grid.constraints:
        text += f", {'1 combination' if skipped == 1 else f'{skipped} combinations'} skipped by a constraint"
    st.progress(counts.ended / max(1, counts.total), text=text)
    if counts.ended != drawn_ended:
        if not counts.active:
            st.rerun()  # the sweep has ended: draw the views once more with every run
        if st.button(f"Update the views ({counts.ended - drawn_ended} more runs ended)", icon=":material/refresh:"):
            st.rerun()


live(opened.ended)
if opened.active and st.button("Cancel the rest", icon=":material/cancel:", key="cancel_rest"):
    st.toast(ui.guarded(lambda: cancel_sweep(sweep_id, ui.settings())) or "", icon=":material/cancel:")
    st.rerun()


@st.cache_data(show_spinner="Reading the sweep's results…", max_entries=8)
def load(wanted_id: str, ended: int, home: str):  # noqa: ANN201 - SweepReport (cached copy)
    """``ended`` and ``home`` are only part of the cache key: the report is re-read when a run ends."""
    return sweep_report(store, wanted_id)


report = ui.guarded(lambda: load(sweep_id, opened.ended, str(store.settings.home)))
if report is None:
    st.stop()
sweep, table = report.sweep, report.table
names = sweep.grid.names
objective = sweep.objective
st.caption(
    f"{sweep.strategy} · objective: {objective.text} · grid: "
    + "; ".join(f"{axis.name}={axis.spec}" for axis in sweep.grid.axes)
    + (f" · constraints: {', '.join(c.text for c in sweep.grid.constraints)}" if sweep.grid.constraints else "")
    + (f" · random subset of {sweep.grid.max_runs} (seed {sweep.grid.seed})" if sweep.grid.max_runs else "")
    + (
        f" · LEAN optimizer constraints (not applied here): {', '.join(sweep.statistic_constraints)}"
        if sweep.statistic_constraints
        else ""
    )
)
ui.draw_notices(report.notices)  # the SYNTHETIC label and the runs' warnings, before any figure

# -- the runs --------------------------------------------------------------------------------------------
st.subheader("Runs")
f1, f2 = st.columns([1, 3])
statuses = f1.multiselect("Status", sorted(set(table["status"])), key="sweep_status_filter")
with f2.expander("Filter by parameter values"):
    chosen = {name: st.multiselect(name, sweep_views.axis_values(table, name), key=f"filter-{name}") for name in names}
shown = sweep_views.filter_table(table, statuses, chosen)
key_labels = [label for label in KEY_COLUMNS.values() if label != objective.statistic]
display = (
    shown.drop(columns=[objective.statistic], errors="ignore")
    .rename(columns={"objective": objective.statistic})
    .assign(
        open=[
            f"/result?id={run_id}" if status not in (SKIPPED, "queued") else None
            for run_id, status in zip(shown["id"], shown["status"], strict=True)
        ]
    )
)
columns = ["open", *names, "status", objective.statistic, *key_labels]
columns += [c for c in ("smoothed", "stability") if c in display] + ["error"]
columns = list(dict.fromkeys(columns))
event = st.dataframe(
    display[columns],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    placeholder="",  # a failed or skipped run has no statistics: a blank, not "None"
    key=f"sweep_table_{sweep_id}",
    column_config={
        "open": st.column_config.LinkColumn("run", display_text="open"),
        objective.statistic: st.column_config.NumberColumn(format="%.3f"),
        **{label: st.column_config.NumberColumn(format="%.2f") for label in key_labels if label != "Total Orders"},
        "smoothed": st.column_config.NumberColumn("neighbourhood mean", format="%.3f"),
        "stability": st.column_config.ProgressColumn("stability", min_value=0.0, max_value=1.0, format="%.2f"),
    },
)
selected = [shown.index[i] for i in event.selection.rows if shown.iloc[i]["status"] != SKIPPED]
a1, a2, a3 = st.columns([1, 2, 2])
top_n = a1.number_input("Top N", min_value=2, max_value=50, value=5, step=1, key="sweep_top_n")
top = sweep_views.top_ids(table, int(top_n), objective.maximize)
if len(top) >= 2:
    a2.page_link(ui.PAGE_FILES["compare"], label=f"Compare the top {len(top)}", icon=":material/compare_arrows:",
                 query_params={"ids": ",".join(top)})  # fmt: skip
else:
    a2.caption("Compare the top N needs at least two runs with an objective.")
if len(selected) >= 2:
    a3.page_link(ui.PAGE_FILES["compare"], label=f"Compare the selected ({len(selected)})",
                 icon=":material/compare_arrows:", query_params={"ids": ",".join(selected)})  # fmt: skip
else:
    a3.caption("Select two or more rows to compare them.")

if table["objective"].notna().sum() == 0:
    st.info(f"No run has a {objective.statistic} yet; the views appear as runs complete.")
    st.stop()

# -- objective views ---------------------------------------------------------------------------------------
st.subheader(f"{objective.statistic} over the grid")
best_row = table.loc[report.best] if report.best else None
if len(names) == 1:
    frame = sweep_views.series_by_value(table, names[0])
    st.plotly_chart(sweep_charts.objective_line_figure(frame, names[0], objective.statistic))
else:
    h1, h2, h3 = st.columns(3)
    x = h1.selectbox("x axis", names, index=0, key="heat_x")
    y = h2.selectbox("y axis", [n for n in names if n != x], index=0, key="heat_y")
    others = [n for n in names if n not in (x, y)]
    held: dict[str, str] = {}
    how, mode = "max", ""
    if others:
        best_word = f"best ({'max' if objective.maximize else 'min'})"
        mode = h3.selectbox("Other parameters", [best_word, "mean", "median", "held at a value"], key="heat_mode")
        how = {"mean": "mean", "median": "median"}.get(mode, "max")  # "max": the best, whichever the direction
        if mode == "held at a value":
            hold_columns = st.columns(len(others))
            for column, name in zip(hold_columns, others, strict=True):
                held[name] = column.selectbox(
                    f"{name} held at", sweep_views.axis_values(table, name), key=f"hold-{name}"
                )
    values, cell_labels = sweep_views.heatmap_grid(table, x, y, how, held, objective.maximize)  # type: ignore[arg-type]
    on_view = best_row is not None and all(str(best_row[name]) == value for name, value in held.items())
    best_cell = (str(best_row[x]), str(best_row[y])) if on_view else None
    others_text = ", ".join(f"{name}={value}" for name, value in held.items()) or (
        f"{', '.join(others)}: {mode}" if others else ""
    )
    heatmap = sweep_charts.heatmap_figure(
        values, cell_labels, x, y, objective.statistic, best=best_cell, others=others_text, maximize=objective.maximize
    )
    st.plotly_chart(heatmap)
    st.caption(
        "Cells without a value say why: red failed, grey skipped by a constraint, dark cancelled, queued or no run "
        "(the word is on the cell, or in its hover on a wide grid). '(0 trades)': the run traded nothing. "
        + (
            "Brighter is better."
            if objective.maximize
            else "Brighter is better (lower, as the objective is minimised)."
        )
        + ("" if on_view or best_row is None else " The best run is not on this view (other held values).")
    )
    if len(names) > 2:
        st.plotly_chart(sweep_charts.parallel_figure(table, names, objective.statistic))

# -- equity ------------------------------------------------------------------------------------------------
st.subheader("Equity of every run")
colour = st.selectbox("Colour by", names, key="equity_colour")
curves = sweep_views.normalised_equity(report.equity)
if curves:
    by_run = {run_id: str(table.loc[run_id, colour]) for run_id in curves}
    st.plotly_chart(sweep_charts.equity_overlay_figure(curves, by_run, colour, report.best, sweep_views.FAN_FROM))
else:
    st.caption("No completed run has an equity curve yet.")

# -- robustness --------------------------------------------------------------------------------------------
st.subheader("Robustness: plateau or spike")
r1, r2 = st.columns(2)
for column, title, run_id in ((r1, "Raw best", report.best), (r2, "Plateau's best", report.plateau_best)):
    if run_id is None:
        column.caption(f"{title}: none yet")
        continue
    row = table.loc[run_id]
    column.metric(title, f"{row['objective']:.3f}", help=f"{objective.statistic} of this run")
    column.write(", ".join(f"{n}={row[n]}" for n in names))
    smoothed, stability = row.get("smoothed"), row.get("stability")
    column.caption(
        "no neighbour with a value yet"
        if smoothed is None or smoothed != smoothed
        else f"neighbourhood mean {smoothed:.3f} · stability {stability:.2f}"
    )
    column.page_link(
        ui.PAGE_FILES["result"], label=f"Open {run_id}", icon=":material/insights:", query_params={"id": run_id}
    )
st.caption("Neighbourhood mean: the objective averaged over the cell and the cells one grid step away (failed and "
           "skipped cells left out). Stability: 1 − how far the neighbours fall below the cell, as a share of the "
           "sweep's objective range (1: a plateau, 0: a spike).")  # fmt: skip

# -- selection bias ----------------------------------------------------------------------------------------
st.subheader("Is the best run luck?")
b1, b2 = st.columns(2)
if report.deflated is not None:
    d = report.deflated
    b1.metric("Deflated Sharpe Ratio of the best", f"{d.dsr:.3f}")
    b1.caption(
        f"Bailey & López de Prado (2014). Inputs: {d.trials} trials (completed runs); variance of their daily Sharpe "
        f"ratios {d.sharpe_variance:.3g}; best run's daily Sharpe {d.best_sharpe:.4f} over {d.observations} trading "
        f"days, skewness {d.skewness:.2f}, kurtosis {d.kurtosis:.2f}; expected best of {d.trials} unskilled trials "
        f"{d.expected_max_sharpe:.4f}. The probability that the best run's true Sharpe ratio beats that."
    )
else:
    b1.info(f"Deflated Sharpe Ratio not computed: {report.deflated_note}.")
if report.overfit is not None:
    o = report.overfit
    b2.metric("Probability of Backtest Overfitting", f"{o.pbo:.3f}")
    b2.caption(
        f"CSCV (Bailey, Borwein, López de Prado & Zhu 2015) on the daily returns of {o.trials} completed runs: "
        f"{o.observations} common trading days in {o.blocks} blocks, {o.combinations} in-/out-of-sample splits, "
        "performance = Sharpe ratio. The share of splits where the in-sample best ranks at or below the "
        "out-of-sample median."
    )
    b2.plotly_chart(sweep_charts.logits_figure(o.logits))
else:
    b2.info(f"PBO not computed: {report.overfit_note}.")

# -- in-sample / out-of-sample -----------------------------------------------------------------------------
st.subheader("In-sample / out-of-sample")
holdout = st.slider("Hold out the last part of the period (share; 0 = off)", 0.0, 0.5, 0.0, 0.05, key="holdout")
if holdout > 0 and len(report.returns) >= 2:
    split = ui.guarded(lambda: holdout_table(report.returns, holdout))
    if split is not None:
        ranked, cut = split
        ranked = table[names].join(ranked, how="inner").loc[ranked.index]  # parameters first, best in-sample first
        ranked.insert(0, "open", [f"/result?id={run_id}" for run_id in ranked.index])
        st.caption(f"In sample: {cut.in_sample_days} trading days before {cut.cut:%Y-%m-%d}; out of sample: "
                   f"{cut.out_of_sample_days} from then on. All {len(ranked)} completed runs, best in-sample first; "
                   "Sharpe ratios annualised (√252), ranks 1 = best.")  # fmt: skip
        st.dataframe(
            ranked.round(3),
            hide_index=True,
            width="stretch",
            placeholder="",
            column_config={"open": st.column_config.LinkColumn("run", display_text="open")},
        )
elif holdout > 0:
    st.caption("Needs at least two completed runs.")
