"""Compare: 2 to 10 results side by side: equity and drawdown overlaid, statistics, parameters, months."""

import pandas as pd
import streamlit as st

from backtest_core import analytics, charts, ui, views
from backtest_core.analysis.periods import monthly_returns
from backtest_core.analysis.returns import drawdown
from backtest_core.models import BacktestStatus, RunQuery

st.title("Compare")
store = ui.store()
recent = ui.guarded(lambda: store.list(RunQuery(page_size=200, status=[BacktestStatus.COMPLETED])).items) or []
labels = {run.id: f"{run.name} · {run.id}" for run in recent}
wanted = [run_id for value in st.query_params.get_all("ids") for run_id in value.split(",") if run_id]
for run_id in wanted:
    if run_id not in labels:
        run = ui.guarded(lambda run_id=run_id: store.get(run_id))
        if run is not None:
            labels[run.id] = f"{run.name} · {run.id}"
chosen = st.multiselect(
    "Runs (2 to 10)",
    list(labels),
    default=[i for i in wanted if i in labels],
    format_func=labels.get,
    max_selections=10,
)
st.query_params["ids"] = chosen
if len(chosen) < 2:
    st.info("Pick at least two runs (or select several rows on the History page and press Compare).")
    st.stop()

runs = {}
for run_id in chosen:
    run = ui.guarded(lambda run_id=run_id: store.get(run_id))
    result = ui.guarded(lambda run_id=run_id: ui.cached_result(store.run_dir(run_id))) if run else None
    if run is not None and result is not None:
        runs[f"{run.name} ({run.id[-6:]})"] = (run, result)
if len(runs) < 2:
    st.warning("Fewer than two of the chosen runs have readable results.")
    st.stop()

for label, (run, _) in runs.items():
    ui.run_notices(run, label)
st.subheader("What each run covered")
st.dataframe(views.description_frame({label: run for label, (run, _) in runs.items()}), width="stretch")

curves = {label: result.equity for label, (_, result) in runs.items() if not result.equity.empty}
start = analytics.common_start(list(curves.values()))
aligned = {label: analytics.normalised(curve.loc[start:]) for label, curve in curves.items()}
st.plotly_chart(
    charts.overlay_figure(
        aligned, f"Equity, normalised to 100 at {start:%Y-%m-%d}" if start else "Equity", "Growth of 100"
    )
)
st.plotly_chart(
    charts.overlay_figure({label: drawdown(curve) * 100 for label, curve in curves.items()}, "Drawdown", "%")
)

table, best = analytics.statistics_table({label: result.statistics.raw for label, (_, result) in runs.items()})
st.subheader("Statistics (best value of each row highlighted)")
st.dataframe(
    table.style.apply(
        lambda column: ["font-weight: bold; color: #59c27a" if flag else "" for flag in best[column.name]]
    ),
    width="stretch",
)
st.subheader("Parameters that differ")
diff = analytics.parameter_diff(
    {label: run.request.algorithm_parameters() or result.parameters for label, (run, result) in runs.items()}
)
if diff.empty:
    st.caption("All runs used the same parameters.")
else:
    st.dataframe(diff, width="stretch")
st.subheader("Monthly returns (%)")
monthly = {label: monthly_returns(curve).stack().rename(label) * 100 for label, curve in curves.items()}
st.dataframe(pd.concat(monthly, axis=1).round(2), width="stretch")
