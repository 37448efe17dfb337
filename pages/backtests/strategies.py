"""Strategies: the catalogue of LEAN projects, one project's source and parameters, and its past runs."""

import pandas as pd
import streamlit as st

from backtest_core import strategies, ui, views
from backtest_core.models import RunQuery

st.title("Strategies")
settings = ui.settings()
catalogue = ui.guarded(lambda: strategies.list_strategies(settings.strategies)) or []
if not catalogue:
    st.info(
        f"No strategies found in `{settings.strategies}`. Put LEAN projects there (a folder with `main.py` and "
        "an optional `config.json`), or point `BACKTEST_STRATEGIES` at your lean CLI workspace."
    )
    st.stop()

store = ui.store()
rows = []
for info in catalogue:
    last = ui.guarded(lambda name=info.name: store.list(RunQuery(strategy=name, page_size=1)).items)
    latest = last[0] if last else None
    rows.append(
        {
            "strategy": info.name,
            "description": info.error or info.description,
            "parameters": ", ".join(f"{k}={v}" for k, v in info.parameters.items()),
            "last run": latest.created_at if latest else None,
            "last status": latest.status.value if latest else "",
            "last net profit %": latest.stats.net_profit if latest else None,
            "last sharpe": latest.stats.sharpe if latest else None,
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=ui.MISSING)

names = [info.name for info in catalogue]
chosen = st.query_params.get("name", names[0])
name = st.selectbox("Strategy", names, index=names.index(chosen) if chosen in names else 0)
st.query_params["name"] = name
details = ui.guarded(lambda: strategies.get_strategy(name, settings.strategies))
if details is None:
    st.stop()

if details.error:
    st.error(details.error)
left, right = st.columns([2, 1])
with right:
    st.subheader(details.name)
    st.write(details.description or "_No description in config.json._")
    st.caption(f"Algorithm class: `{details.class_name or '?'}` · {details.path}")
    if details.parameters:
        st.dataframe(
            pd.DataFrame({"parameter": list(details.parameters), "default": list(details.parameters.values())}),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )
    if st.button("Launch a backtest", type="primary", icon=":material/play_arrow:", disabled=bool(details.error)):
        st.switch_page(ui.PAGE_FILES["run"], query_params={"strategy": details.name})
    past = ui.guarded(lambda: store.list(RunQuery(strategy=details.name, page_size=20)).items) or []
    st.subheader("Past runs")
    if past:
        st.dataframe(views.history_frame(past), hide_index=True, width="stretch", placeholder=ui.MISSING)
        for run in past[:5]:
            ui.run_link(run.id, f"{run.name} · {run.status.value}")
    else:
        st.caption("No runs yet.")
with left:
    st.code(details.source, language="python", line_numbers=True)
