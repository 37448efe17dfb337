"""Compare: which run is better, why, and is the difference real — on one explicit window.

The URL holds the state: ``ids`` (comma lists or repeated), ``baseline``, ``mode`` (``full`` for each run's
own period), ``start``/``end`` (a brushed or typed window) and ``scale=log``.
"""

from datetime import date

import pandas as pd
import streamlit as st

from backtest_core import charts, compare_charts, ui
from backtest_core.analysis import comparison as cmp
from backtest_core.analysis import relative
from backtest_core.analysis.inputs import code_diff
from backtest_core.analysis.periods import STRESS_WINDOWS
from backtest_core.analysis.relative import ROLLING_WINDOWS
from backtest_core.compare_runs import MAX_RUNS, compare, parse_ids
from backtest_core.models import BacktestStatus, RunQuery

st.title("Compare")
store = ui.store()
params = st.query_params
selection = parse_ids(params.get_all("ids"))

if len(selection.ids) > MAX_RUNS:
    st.error(
        f"{len(selection.ids)} runs are in this link; a comparison holds at most {MAX_RUNS}. "
        f"Remove some, or compare the first {MAX_RUNS} of them."
    )
    if st.button(f"Compare the first {MAX_RUNS}"):
        params["ids"] = ",".join(selection.ids[:MAX_RUNS])
        st.rerun()
    st.stop()

recent = ui.guarded(lambda: store.list(RunQuery(page_size=200, status=[BacktestStatus.COMPLETED])).items) or []
names = {run.id: run.name for run in recent}
for run_id in selection.ids:
    if run_id not in names:
        found = ui.guarded(lambda run_id=run_id: store.get(run_id) if store.exists(run_id) else None)
        names[run_id] = found.name if found else f"unknown id {run_id}"
if not names:
    st.info("No completed runs yet. Launch some on the Run page or import lean CLI backtests on the History page.")
    st.stop()
chosen = st.multiselect(
    f"Runs (2 to {MAX_RUNS}; the first is the baseline unless you pick another)",
    list(names),
    default=selection.ids,
    format_func=lambda run_id: f"{names[run_id]} · {run_id}",
    max_selections=MAX_RUNS,
)
if chosen != selection.ids:
    params["ids"] = ",".join(chosen)
    params.pop("baseline", None)
for note in selection.notes():
    st.info(note, icon=":material/merge:")
if len(chosen) < 2:
    st.info("Pick at least two runs (or select several rows on the History page and press Compare).")
    st.stop()

baseline = st.selectbox(  # a row of its own: run names with their ids are long and must be read whole
    "Baseline", chosen, index=chosen.index(params["baseline"]) if params.get("baseline") in chosen else 0,
    format_func=lambda run_id: f"{names[run_id]} · {run_id}",
)  # fmt: skip
with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
    full = st.segmented_control(
        "Window", ["Common window", "Each run's full period"],
        default="Each run's full period" if params.get("mode") == "full" else "Common window",
    ) == "Each run's full period"  # fmt: skip
    log_scale = st.toggle("Log scale", value=params.get("scale") == "log")
    window_days = st.selectbox("Rolling days", ROLLING_WINDOWS, index=1, width=140)
params["baseline"] = baseline
params["mode"] = "full" if full else "common"
params["scale"] = "log" if log_scale else "linear"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        st.warning(f"Ignored the window date {text!r} in the link: write dates as YYYY-MM-DD.")
        return None


start, end = (None, None) if full else (_day(params.get("start")), _day(params.get("end")))


def _stamp(run_id: str) -> float:
    folder = store.run_dir(run_id) if store.exists(run_id) else None
    return max((p.stat().st_mtime for p in folder.glob("*.json")), default=0.0) if folder else 0.0


@st.cache_resource(show_spinner="Comparing…", max_entries=8)
def _workbench(
    home: str, ids: tuple[str, ...], mode: str, start: date | None, end: date | None, baseline: str, stamps: tuple
) -> cmp.Workbench:
    """Cached per store, runs (and their files' times), window and baseline; read-only once built."""
    return compare(list(ids), ui.settings(), mode, start, end, baseline)


mode = "full" if full else "custom" if start or end else "common"
stamps = tuple(_stamp(run_id) for run_id in chosen)
try:
    bench = _workbench(str(store.settings.home), tuple(chosen), mode, start, end, baseline, stamps)
except cmp.NotComparable as error:
    st.error(str(error))
    st.caption(error.hint)
    for item in error.excluded:
        st.caption(f"· {names.get(item.id, item.id)}: {item.reason}")
    if start or end:
        st.button("Back to the common window", on_click=lambda: [params.pop(k, None) for k in ("start", "end")])
    st.stop()
except Exception as error:  # a page never shows a traceback
    ui.show_error(error)
    st.stop()

labels = {run.facts.id: f"{run.facts.name} · {run.facts.id[-6:]}" for run in bench.runs}
labels.update({item.id: f"{names.get(item.id, item.id)} · {item.id[-6:]}" for item in bench.excluded})

# -- header: the window and what each run is --------------------------------------------------------------
if bench.window:
    kind = "brushed/typed window" if mode == "custom" else "common window of the runs"
    st.subheader(f"Window {bench.window.label()} · {bench.statistics[bench.baseline].trading_days} trading days")
    st.caption(f"The {kind}. Drag a box on the charts to compare a narrower window.")
else:
    st.subheader("Each run over its own full period")
for note in bench.notes:
    st.info(note, icon=":material/info:")
base_stats = bench.statistics[bench.baseline]
sharpe_text = "–" if base_stats.sharpe_ratio is None else f"{base_stats.sharpe_ratio:.3f}"
st.markdown(
    f"Baseline **{labels[bench.baseline]}** on this window: return **{base_stats.total_return * 100:.2f}%**, "
    f"Sharpe **{sharpe_text}**, max drawdown **{base_stats.max_drawdown * 100:.2f}%** "
    f"({base_stats.start} – {base_stats.end})."
)
st.caption(
    f"Convention: daily returns of the closing equity of each trading day ({bench.calendar.name}), "
    f"annualised with {bench.calendar.periods_per_year} days; risk-free rate as LEAN takes it (its interest-rate "
    f"file, mean {base_stats.risk_free_rate * 100:.2f}% here); PSR against an annual Sharpe of "
    f"{bench.benchmark_sharpe:g} (LEAN's benchmark); drawdown on closing equity."
)
facts = pd.DataFrame(
    [
        {
            "run": labels[run.facts.id],
            "role": "baseline" if run.facts.id == bench.baseline else "",
            "period": f"{run.facts.period_start or 'unknown'} – {run.facts.period_end or 'unknown'}",
            "data": run.data_label(),
            "resolution": run.facts.resolution or "unknown",
            "engine": run.facts.engine or "unknown",
            "engine version": run.facts.engine_version or "unknown",
            "start capital": run.facts.start_capital,
            "data source": "SYNTHETIC" if run.facts.data_source == "synthetic" else run.facts.data_source,
            "source": run.facts.source or "unknown",
        }
        for run in bench.runs
    ]
)
st.dataframe(
    facts, hide_index=True, width="stretch",
    column_config={"start capital": st.column_config.NumberColumn(format="%.2f")}, placeholder=ui.MISSING,
)  # fmt: skip
infos = [(ui.guarded(lambda run_id=run.facts.id: store.get(run_id)), labels[run.facts.id]) for run in bench.runs]
ui.runs_notices([(info, label) for info, label in infos if info is not None])  # SYNTHETIC label, stored warnings
if bench.excluded:
    st.warning(
        f"{len(bench.excluded)} run(s) left out of this comparison:\n\n"
        + "\n".join(f"- **{labels[item.id]}**: {item.reason}" for item in bench.excluded),
        icon=":material/filter_alt_off:",
    )

# -- the timeline: every series on one time axis; a box selects the window -----------------------------------
highlight = []
if len(bench.runs) > compare_charts.FAN_ABOVE:
    highlight = st.multiselect(
        "Highlight runs (the others are drawn faintly around the median and interquartile band)",
        [run.facts.id for run in bench.runs], format_func=labels.get,
    )  # fmt: skip
equal_weight = st.checkbox("Show the equal-weight portfolio of all runs", value=False)
figure = compare_charts.timeline_figure(bench, labels, log_scale, window_days, highlight, equal_weight)
event = st.plotly_chart(figure, on_select="rerun", selection_mode="box", key="timeline")
boxes = (event or {}).get("selection", {}).get("box", []) if event else []
if boxes:
    low, high = sorted(pd.Timestamp(x) for x in boxes[0]["x"])
    brushed = (str(low.date()), str(high.date()))
    if brushed != (params.get("start"), params.get("end")):
        params["start"], params["end"] = brushed
        params["mode"] = "common"
        st.rerun()
with st.expander("Set the window by dates"):
    d1, d2, d3 = st.columns([2, 2, 1])
    typed_start = d1.date_input("From", value=bench.window.start if bench.window else None, key="from")
    typed_end = d2.date_input("To", value=bench.window.end if bench.window else None, key="to")
    if d3.button("Apply", disabled=not (typed_start and typed_end)):
        params["start"], params["end"], params["mode"] = str(typed_start), str(typed_end), "common"
        st.rerun()
if mode == "custom" and st.button("Reset to the common window", icon=":material/zoom_out_map:"):
    params.pop("start", None)
    params.pop("end", None)
    st.rerun()

# -- statistics on the window, beside LEAN's full-run figures -------------------------------------------------
st.subheader("Statistics on the window")
table, best = cmp.statistics_frame(bench)
table.index = [labels[run_id] for run_id in table.index]
best.index = table.index
if not bench.comparable:
    st.caption("No best values are marked: the runs cover different periods.")
elif not bench.equal_capital:
    st.caption("Best values are marked on ratios only: the runs' start capitals differ (or are unknown).")
else:
    st.caption("Best value of each comparable column in green.")
st.dataframe(
    table.style.format(precision=3, na_rep="–").apply(
        lambda column: ["color: #59c27a; font-weight: bold" if flag else "" for flag in best[column.name]]
    ),
    width="stretch",
    placeholder=ui.MISSING,
)

st.subheader("Is the difference real?")
rows = []
for run in bench.runs[1:]:
    test = bench.tests[run.facts.id]
    sharpe, mean = test.sharpe, test.mean
    badge = ""
    if test.verdict == "significant" and sharpe is not None:
        badge = "✅ better than baseline" if sharpe.difference > 0 else "❌ worse than baseline"
    rows.append(
        {
            "run": labels[run.facts.id],
            "Δ Sharpe": sharpe.difference if sharpe else None,
            "95% CI": f"[{sharpe.ci[0]:.2f}, {sharpe.ci[1]:.2f}]" if sharpe else "–",
            "p-value": sharpe.p_value if sharpe else None,
            "Δ mean daily (bp)": mean.difference * 1e4 if mean else None,
            "95% CI (bp)": f"[{mean.ci[0] * 1e4:.2f}, {mean.ci[1] * 1e4:.2f}]" if mean else "–",
            "correlation": bench.correlation_to_baseline.get(run.facts.id),
            "days": sharpe.observations if sharpe else None,
            "verdict": badge or test.message,
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=ui.MISSING,
             column_config={"p-value": st.column_config.NumberColumn(format="%.3f")})  # fmt: skip
untestable = [run for run in bench.runs[1:] if bench.tests[run.facts.id].verdict in ("too short", "no variation")]
if untestable:
    reasons = " ".join(f"{labels[run.facts.id]}: {bench.tests[run.facts.id].message}" for run in untestable)
    st.info(f"No verdict for {reasons}", icon=":material/hourglass_empty:")  # each message ends with a stop
st.caption(
    "Sharpe difference (annualised, on daily excess returns) with a 95% interval and p-value from Ledoit & Wolf's "
    "(2008) studentised circular block bootstrap; mean daily return difference with a block-bootstrap percentile "
    "interval; 2,000 resamples, fixed seed. A badge appears only when the difference is significant at 5%."
)

with st.expander("LEAN's printed statistics for each full run"):
    lean, lean_best = cmp.lean_statistics_frame(bench)
    lean.columns = [labels[run_id] for run_id in lean.columns]
    lean_best.columns = lean.columns
    st.caption(
        "Best values marked: every run covers the same full period."
        if bench.same_full_periods
        else "No best values are marked: the full runs cover different periods (or no figure differs)."
    )
    st.dataframe(
        lean.style.apply(
            lambda column: ["color: #59c27a; font-weight: bold" if f else "" for f in lean_best[column.name]]
        ),
        width="stretch",
        height=min(36 * (len(lean) + 1), 1000),
        placeholder=ui.MISSING,
    )

# -- why they differ ---------------------------------------------------------------------------------------
st.subheader("Why do they differ?")
inputs = bench.inputs
(st.success if inputs.attributable_to else st.info)(inputs.verdict)
shown = inputs.differ + [name for name in inputs.unknown if name not in inputs.differ]
if shown:
    values = pd.DataFrame(
        {labels[run.facts.id]: [run.inputs.values().get(name) or "unknown" for name in shown] for run in bench.runs},
        index=pd.Index(shown, name="input"),
    )
    st.dataframe(values, width="stretch", placeholder=ui.MISSING)
others = [run.facts.id for run in bench.runs[1:]]
other = st.selectbox("Code and trades of", others, format_func=labels.get)
code_a, code_b = bench.run(bench.baseline).inputs.code, bench.run(other).inputs.code
if code_a is None or code_b is None:
    st.caption("No code snapshot for " + " and ".join(labels[i] for i, c in ((bench.baseline, code_a),
               (other, code_b)) if c is None) + ": the code cannot be compared.")  # fmt: skip
else:
    diffs = code_diff(code_a, code_b, labels[bench.baseline], labels[other])
    if not diffs:
        st.caption(f"The code snapshots are identical ({len(code_a)} files).")
    for path, text in diffs.items():
        with st.expander(f"code/{path} differs"):
            st.code(text, language="diff")

diff = cmp.trade_comparison(bench, other, bench.baseline)
st.markdown(f"**Trades: {labels[other]} (A) against the baseline (B)**, closed in the window")
m1, m2, m3, m4, m5 = st.columns(5)
money = diff.contributions
m1.metric("Profit difference A − B", f"{money.equity_difference:,.2f}")
m2.metric(f"Only in A ({len(diff.only_a)})", f"{money.only_a:,.2f}")
m3.metric(f"Only in B ({len(diff.only_b)})", f"{money.only_b:,.2f}")
m4.metric(f"Matched ({len(diff.matched)})", f"{money.matched:,.2f}")
m5.metric("Not in closed trades", f"{money.not_in_trades:,.2f}", help="Open positions, fees, cash")
if not bench.equal_capital:
    st.caption("Start capitals differ: money amounts are each run's own, not scaled.")
t1, t2, t3 = st.tabs([f"Matched ({len(diff.matched)})", f"Only in A ({len(diff.only_a)})",
                      f"Only in B ({len(diff.only_b)})"])  # fmt: skip
t1.dataframe(diff.matched, hide_index=True, width="stretch", placeholder=ui.MISSING)
t2.dataframe(diff.only_a, hide_index=True, width="stretch", placeholder=ui.MISSING)
t3.dataframe(diff.only_b, hide_index=True, width="stretch", placeholder=ui.MISSING)

# -- together and by period ----------------------------------------------------------------------------------
if bench.comparable and not bench.returns.empty:
    st.subheader("Together")
    st.plotly_chart(compare_charts.correlation_figure(relative.correlation_matrix(bench.returns), labels))

st.subheader("Returns by period")
monthly = cmp.period_returns(bench, "month")
yearly = cmp.period_returns(bench, "year")
st.plotly_chart(compare_charts.yearly_figure(yearly, labels))
limit = float((monthly.abs().max().max() or 0.0) * 100) or None
heat_runs = st.multiselect(
    "Monthly heatmaps of (one colour scale for all)", [run.facts.id for run in bench.runs],
    default=[run.facts.id for run in bench.runs[:4]], format_func=labels.get,
)  # fmt: skip
columns = st.columns(2)
for position, run_id in enumerate(heat_runs):
    table = monthly[run_id].dropna().unstack("month").reindex(columns=range(1, 13))
    columns[position % 2].plotly_chart(charts.monthly_returns_figure(table, f"{labels[run_id]} (%)", limit))
stress = cmp.stress_frame(bench)
if stress.empty:
    named = ", ".join(f"{w.name} ({w.start:%Y-%m-%d} to {w.end:%Y-%m-%d})" for w in STRESS_WINDOWS)
    st.caption(f"None of the named stress windows lies wholly inside the window: {named}.")
else:
    stress = stress.set_index(["window", "from", "to"])
    stress.columns = pd.MultiIndex.from_tuples([(labels[run_id], what) for run_id, what in stress.columns])
    st.markdown("**Stress windows inside the window**")
    st.dataframe(stress.style.format(precision=2), width="stretch", placeholder=ui.MISSING)
