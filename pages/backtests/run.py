"""Run: launch one backtest, or a parameter sweep (then watched on the Sweep page), embedded or in Docker."""

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from backtest_core import run_form, runs, strategies, ui, views
from backtest_core.errors import InvalidRequest
from backtest_core.models import BacktestRequest, EngineName, Resolution, describe_validation_error
from backtest_core.models.request import EARLIEST_DATE
from backtest_core.models.sweep import OBJECTIVES, Objective
from backtest_core.runs import preflight
from backtest_core.runs.executors import executor_for
from backtest_core.sweeps.grid import build_grid
from backtest_core.sweeps.launch import plan_sweep, submit_sweep

st.title("Run a backtest")
settings = ui.settings()
ui.data_folder_notice()
ui.cluster_panel()
catalogue = ui.guarded(lambda: strategies.list_strategies(settings.strategies)) or []
usable = [info for info in catalogue if not info.error]
if not usable:
    st.info(f"No runnable strategies in `{settings.strategies}`; see the Strategies page.")
    st.stop()


@st.cache_data(ttl=10, show_spinner=False)
def availability(engine: str) -> tuple[bool, str]:
    state = executor_for(ui.settings()).engine_availability(EngineName(engine))  # here, or on the cluster
    return state.available, state.message


names = [info.name for info in usable]
clone = (
    ui.guarded(lambda: run_form.clone_of(ui.store(), st.query_params["clone"])) if "clone" in st.query_params else None
)
prefill = clone.defaults if clone else run_form.FormDefaults()
if clone:
    st.info(
        f"Cloned from run `{clone.run.id}` ({clone.run.name}): its stored request is filled in below.",
        icon=":material/content_copy:",
    )
wanted = st.query_params.get("strategy") or (prefill.strategy if prefill.strategy in names else None)
if clone and prefill.strategy not in names:
    st.warning(f"{prefill.strategy!r} is not a strategy of the catalogue: choose the one to run its request with.")
if wanted and wanted not in names:  # never run another strategy than the one the link names
    broken = next((info for info in catalogue if info.name == wanted), None)
    reason = f"cannot run: {broken.error}" if broken else f"is not a strategy in `{settings.strategies}`"
    st.error(f"Strategy {wanted!r} {reason}", icon=":material/error:")
    st.caption("Fix it (see the Strategies page), or choose a strategy below.")
default = names.index(wanted) if wanted in names else None if wanted else 0
name = st.selectbox("Strategy", names, index=default, placeholder="Choose a strategy")
if name is None:
    st.stop()
strategy = next(info for info in usable if info.name == name)
errors: dict[str, str] = st.session_state.get("run_errors", {})
shown_errors: set[str] = set()


def field_error(*fields: str) -> None:
    """The errors of these request fields (``parameters`` also takes each ``parameters.<name>``)."""
    for key, message in errors.items():
        if key in fields or (key.startswith("parameters.") and "parameters" in fields):
            named = f"{key.removeprefix('parameters.')}: {message}" if key.startswith("parameters.") else message
            st.error(named, icon=":material/error:")
            shown_errors.add(key)


@st.cache_data(ttl=60, show_spinner=False)
def data_ranges(strategy_name: str, symbols_text: str, resolution_text: str) -> list[str]:
    try:
        draft = BacktestRequest(strategy=strategy_name, symbols=symbols_text, resolution=resolution_text or None)
    except ValidationError:
        return []  # the symbols field itself says what is wrong once Start is pressed
    ranges = preflight.symbol_ranges(draft, strategy, settings.data_dir)
    return [found.describe() for found_ranges in ranges.values() for found in found_ranges]


engine_labels = {}
for engine in EngineName.runnable():
    ok, message = availability(engine.value)
    engine_labels[engine.value] = f"{engine.value} ({'ready' if ok else 'unavailable'})"
with st.form("run"):
    engines = [e.value for e in EngineName.runnable()]
    engine = st.radio(
        "Engine",
        engines,
        index=engines.index(prefill.engine.value) if prefill.engine.value in engines else 0,
        format_func=engine_labels.get,
        horizontal=True,
    )
    docker_ok, docker_message = availability(EngineName.LEAN_DOCKER.value)
    st.caption(f"lean-docker: {docker_message}")
    field_error("engine")
    c1, c2, c3 = st.columns(3)
    override_dates = c1.checkbox("Override the algorithm's dates", value=prefill.override_dates)
    start = c2.date_input("Start", value=prefill.start, min_value=EARLIEST_DATE, max_value=date.today())
    end = c3.date_input("End", value=prefill.end, min_value=EARLIEST_DATE, max_value=date.today())
    field_error("start_date", "end_date")
    c1, c2, c3 = st.columns(3)
    override_cash = c1.checkbox("Override the algorithm's cash", value=prefill.override_cash)
    cash = c2.number_input("Initial cash", value=prefill.cash, step=1000.0)
    resolutions = ["(algorithm's own)"] + [r.value for r in Resolution]
    resolution = c3.selectbox("Resolution", resolutions, index=resolutions.index(prefill.resolution or resolutions[0]))
    field_error("initial_cash", "resolution")
    symbols = st.text_input("Symbols (comma separated; passed as the `symbols` parameter)", value=prefill.symbols)
    field_error("symbols")
    available = ui.guarded(lambda: data_ranges(name, symbols, "" if resolution.startswith("(") else resolution))
    if available:
        st.caption(f"Data in `{settings.data_dir}`: " + " · ".join(available))
    st.markdown("**Parameters** (defaults from `config.json`)")
    rows = run_form.parameter_rows(strategy.parameters, prefill.parameters)
    edited = st.data_editor(
        pd.DataFrame({"parameter": list(rows), "value": list(rows.values())}),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"params-{name}",
    )
    field_error("parameters")
    c1, c2 = st.columns(2)
    run_name = c1.text_input("Run name (optional)", value=prefill.name)
    tags = c2.text_input("Tags (comma separated)", value=prefill.tags)
    use_snapshot = bool(clone and clone.code) and st.checkbox(
        f"Run the code run {clone.run.id if clone else ''} ran (its stored snapshot), not the catalogue's project",
        value=True,
        help="Unticked, the catalogue's current code of the chosen strategy runs.",
    )
    field_error("name", "tags")
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
    for key in set(errors) - shown_errors:  # an error of no field above is still said, never dropped
        st.error(errors[key], icon=":material/error:")
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
        "parameters": views.editor_parameters(edited.to_dict("records")),
        "name": run_name or None,
        "tags": [t.strip() for t in tags.split(",") if t.strip()],
    }
    specs = [line.strip() for line in grid_text.splitlines() if line.strip()]
    code = clone.code if use_snapshot and clone else None
    try:
        request = BacktestRequest.model_validate(data, context={"known_strategies": set(names)})
        plan = None
        if specs:
            constraints = [line for line in constraint_text.splitlines() if line.strip()]
            grid = build_grid(specs, constraints, max_runs=int(max_runs) or None, seed=int(seed) if max_runs else None)
            plan = plan_sweep(request, grid, Objective.named(objective_name), settings, project=code)
    except ValidationError as error:
        st.session_state["run_errors"] = dict(describe_validation_error(error))
        st.rerun()
    except InvalidRequest as error:
        st.session_state["run_errors"] = {error.field: str(error)}
        st.rerun()
    problems = {} if plan else preflight.launch_problems(request, strategy, settings.data_dir)
    st.session_state["run_errors"] = problems
    if problems:
        st.rerun()
    if plan is not None:
        sweep = ui.guarded(lambda: submit_sweep(plan, settings))
        if sweep is not None:
            st.switch_page(ui.PAGE_FILES["sweep"], query_params={"id": sweep.id})
    else:
        run_id = ui.guarded(lambda: runs.submit(request, settings, project=code))
        if run_id:
            st.session_state["just_submitted"] = [run_id]
            st.switch_page(ui.PAGE_FILES["monitor"])
