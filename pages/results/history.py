"""History: every stored run, paged, sorted and filtered; tags, notes, delete, import, compare."""

from pathlib import Path

import streamlit as st

from backtest_core import store as run_store
from backtest_core import strategies, ui, views
from backtest_core.models import BacktestStatus, RunQuery, SortKey

st.title("History")
settings = ui.settings()
store = ui.store()

with st.expander("Import lean CLI backtests", icon=":material/download:"):
    with st.form("import"):
        folder = st.text_input("Folder: a lean CLI project, its backtests/ folder, or one run folder")
        wanted = st.form_submit_button("Import")
    if wanted and not folder.strip():
        st.warning("Enter the folder to import (for example `~/lean/MyProject/backtests`).")
    elif wanted:
        report = ui.guarded(lambda: run_store.import_path(store, Path(folder.strip()).expanduser()))
        if report is not None:
            st.success(f"Imported {len(report.imported)}, already present {len(report.already_present)}.")
            for path, reason in report.skipped:
                st.warning(f"Skipped {path}: {reason}")

names = [info.name for info in (ui.guarded(lambda: strategies.list_strategies(settings.strategies)) or [])]
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
strategy = f1.selectbox("Strategy", ["(all)", *names])
statuses = f2.multiselect("Status", [s.value for s in BacktestStatus])
tag = f3.text_input("Tag")
text = f4.text_input("Search name, id, note")
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
sort = f1.selectbox("Sort by", [k.value for k in SortKey])
descending = f2.toggle("Descending", value=True)
date_from = f3.date_input("Created from", value=None)
date_to = f4.date_input("Created to", value=None)

ui.action_outcomes()
page_number = st.session_state.get("history_page", 1)
query = RunQuery(
    page=page_number,
    page_size=50,
    sort=SortKey(sort),
    descending=descending,
    strategy=None if strategy == "(all)" else strategy,
    status=[BacktestStatus(s) for s in statuses],
    tag=tag or None,
    date_from=date_from,
    date_to=date_to,
    text=text or None,
)
page = ui.guarded(lambda: store.list(query))
if page is None:
    st.stop()
if page.total == 0:
    st.info("No runs match. Launch one on the Run page or import a lean CLI backtests folder above.")
    st.stop()

frame = views.history_frame(page.items)
event = st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    key="history_table",
    column_config={
        "created": st.column_config.DatetimeColumn("created", format="YYYY-MM-DD HH:mm"),
        "period start": st.column_config.DateColumn("period start", format="YYYY-MM-DD"),
        "period end": st.column_config.DateColumn("period end", format="YYYY-MM-DD"),
        "start capital": st.column_config.NumberColumn(format="%,.0f"),
        "net profit %": st.column_config.NumberColumn(format="%.3f"),
        "CAR %": st.column_config.NumberColumn(format="%.3f"),
        "sharpe": st.column_config.NumberColumn(format="%.3f"),
        "drawdown %": st.column_config.NumberColumn(format="%.3f"),
        "end equity": st.column_config.NumberColumn(format="%.2f"),
    },
    placeholder=ui.MISSING,
)
p1, p2, p3 = st.columns([1, 2, 1])
if p1.button("Previous", disabled=page.page <= 1):
    st.session_state["history_page"] = page.page - 1
    st.rerun()
p2.caption(f"Page {page.page} of {page.pages} · {page.total} runs")
if p3.button("Next", disabled=page.page >= page.pages):
    st.session_state["history_page"] = page.page + 1
    st.rerun()

selected = [page.items[i] for i in event.selection.rows]
if not selected:
    st.caption("Select rows to open, compare, tag or delete them.")
    st.stop()
ids = [run.id for run in selected]
a1, a2, a3 = st.columns(3)
if len(selected) == 1:
    a1.page_link(ui.PAGE_FILES["result"], label="Open result", icon=":material/insights:", query_params={"id": ids[0]})
if 2 <= len(selected) <= 10:
    a2.page_link(
        ui.PAGE_FILES["compare"],
        label=f"Compare {len(ids)} runs",
        icon=":material/compare_arrows:",
        query_params={"ids": ids},
    )
with a3.popover("Delete", icon=":material/delete:"):
    st.write(f"Delete {len(ids)} run(s) and their files? This cannot be undone.")
    if st.button("Yes, delete", type="primary"):
        ui.apply_to_runs("Deleted", ids, store.delete)
        st.rerun()
t1, t2 = st.columns(2)
new_tag = t1.text_input("Add tag to selected")
if t1.button("Add tag", disabled=not new_tag):
    ui.apply_to_runs(f"Tagged {new_tag!r}:", ids, lambda run_id: store.add_tag(run_id, new_tag))
    st.rerun()
if len(selected) == 1:
    note = t2.text_area("Note", value=selected[0].note)
    if t2.button("Save note"):
        ui.apply_to_runs("Saved the note of", ids, lambda run_id: store.set_note(run_id, note))
        st.rerun()
