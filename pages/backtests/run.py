"""Run: launch one backtest, or a parameter sweep (then watched on the Sweep page), embedded or in Docker."""

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from backtest_core import runs, strategies, ui
from backtest_core.engines.registry import engine_availability
from backtest_core.errors import InvalidRequest
from backtest_core.models import BacktestRequest, EngineName, Resolution, describe_validation_error
from backtest_core.models.sweep import OBJECTIVES, Objective
from backtest_core.sweeps.grid import build_grid
from backtest_core.sweeps.launch import plan_sweep, submit_sweep

st.title("Run a backtest")
settings = ui.settings()
ui.data_folder_notice()
catalogue = ui.guarded(lambda: strategies.list_strategies(settings.strategies)) or []
usable = [info for info in catalogue if not info.error]
if not usable:
    st.info(f"No runnable strategies in `{settings.strategies}`; see the Strategies page.")
    st.stop()


@st.cache_data(ttl=10, show_spinner=False)
def availability(engine: str) -> tuple[bool, str]:
    state = engine_availability(EngineName(engine))
    return state.available, state.message


names = [info.name for info in usable]
wanted = st.query_params.get("strategy", names[0])
name = st.selectbox("Strategy", names, index=names.index(wanted) if wanted in names else 0)
strategy = next(info for info in usable if info.name == name)
errors: dict[str, str] = st.session_state.get("run_errors", {})


def field_error(field: str) -> None:
    if field in errors:
        st.error(errors[field], icon=":material/error:")


engine_labels = {}
for engine in EngineName.runnable():
    ok, message = availability(engine.value)
    engine_labels[engine.value] = f"{engine.value} ({'ready' if ok else 'unavailable'})"
with st.form("run"):
    engine = st.radio(
        "Engine", [e.value for e in EngineName.runnable()], format_func=engine_labels.get, horizontal=True
    )
    docker_ok, docker_message = availability(EngineName.LEAN_DOCKER.value)
    st.caption(f"lean-docker: {docker_message}")
    field_error("engine")
    c1, c2, c3 = st.columns(3)
    override_dates = c1.checkbox("Override the algorithm's dates", value=False)
    start = c2.date_input("Start", value=date(2015, 1, 1), min_value=date(1998, 1, 1))
    end = c3.date_input("End", value=date(2020, 12, 31), min_value=date(1998, 1, 1))
    field_error("start_date")
    field_error("end_date")
    c1, c2, c3 = st.columns(3)
    override_cash = c1.checkbox("Override the algorithm's cash", value=False)
    cash = c2.number_input("Initial cash", value=100000.0, step=1000.0)
    resolution = c3.selectbox("Resolution", ["(algorithm's own)"] + [r.value for r in Resolution])
    field_error("initial_cash")
    field_error("resolution")
    symbols = st.text_input("Symbols (comma separated; passed as the `symbols` parameter)", value="")
    field_error("symbols")
    st.markdown("**Parameters** (defaults from `config.json`)")
    edited = st.data_editor(
        pd.DataFrame({"parameter": list(strategy.parameters), "value": list(strategy.parameters.values())}),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"params-{name}",
    )
    field_error("parameters")
    c1, c2 = st.columns(2)
    run_name = c1.text_input("Run name (optional)")
    tags = c2.text_input("Tags (comma separated)")
    field_error("tags")
    with st.expander("Parameter sweep: one run per combination, watched and explored as one sweep"):
        st.caption(
            "Values as a list `10, 20, 30` or an inclusive range `start:stop:step`, for any number of parameters. "
            "Constraints skip combinations, one per line, e.g. `fast < slow`."
        )
        grid_text = st.text_area(
            "Swept parameters, one per line: NAME=VALUES",
            key="sweep_grid",
            height=90,
            placeholder="fast=5:30:5\nslow=50,100,200",
            help=f"This strategy's parameters: {', '.join(strategy.parameters) or 'none'}",
        )
        field_error("param")
        constraint_text = st.text_area("Constraints (one per line)", key="sweep_constraints", height=68)
        field_error("constraint")
        g1, g2, g3 = st.columns(3)
        objective_name = g1.selectbox("Objective", OBJECTIVES, key="sweep_objective")
        field_error("objective")
        max_runs = g2.number_input("Random subset of N runs (0 = all)", min_value=0, value=0, step=10)
        seed = g3.number_input("Seed of the subset", min_value=0, value=0, step=1)
        field_error("max_runs")
    submitted = st.form_submit_button("Start", type="primary", icon=":material/play_arrow:")

if submitted:
    data = {
        "strategy": name,
        "engine": engine,
        "start_date": start if override_dates else None,
        "end_date": end if override_dates else None,
        "initial_cash": cash if override_cash else None,
        "symbols": symbols,
        "resolution": None if resolution.startswith("(") else resolution,
        "parameters": {str(r["parameter"]): str(r["value"]) for r in edited.to_dict("records") if r["parameter"]},
        "name": run_name or None,
        "tags": [t.strip() for t in tags.split(",") if t.strip()],
    }
    specs = [line.strip() for line in grid_text.splitlines() if line.strip()]
    try:
        request = BacktestRequest.model_validate(data, context={"known_strategies": set(names)})
        plan = None
        if specs:
            constraints = [line for line in constraint_text.splitlines() if line.strip()]
            grid = build_grid(specs, constraints, max_runs=int(max_runs) or None, seed=int(seed) if max_runs else None)
            plan = plan_sweep(request, grid, Objective.named(objective_name), settings)
    except ValidationError as error:
        st.session_state["run_errors"] = dict(describe_validation_error(error))
        st.rerun()
    except InvalidRequest as error:
        st.session_state["run_errors"] = {error.field: str(error)}
        st.rerun()
    st.session_state["run_errors"] = {}
    if plan is not None:
        sweep = ui.guarded(lambda: submit_sweep(plan, settings))
        if sweep is not None:
            st.switch_page(ui.PAGE_FILES["sweep"], query_params={"id": sweep.id})
    else:
        run_id = ui.guarded(lambda: runs.submit(request, settings))
        if run_id:
            st.session_state["just_submitted"] = [run_id]
            st.switch_page(ui.PAGE_FILES["monitor"])
