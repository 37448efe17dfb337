"""One result: headline figures, equity and drawdown, trades, returns, custom charts, statistics, log, code."""

import json

import pandas as pd
import streamlit as st

from backtest_core import charts, report, ui, views
from backtest_core.analysis.periods import monthly_returns, yearly_returns
from backtest_core.analysis.returns import daily_returns, rolling_sharpe
from backtest_core.models import RunQuery
from backtest_core.results.logs import parse_statistics

settings = ui.settings()
store = ui.store()
run_id = st.query_params.get("id")
if not run_id:
    st.title("Result")
    recent = ui.guarded(lambda: store.list(RunQuery(page_size=20)).items) or []
    if not recent:
        st.info("No stored runs yet. Launch one on the Run page or import lean CLI backtests on the History page.")
        st.stop()
    chosen = st.selectbox("Run", recent, format_func=lambda r: f"{r.name} · {r.created_at:%Y-%m-%d %H:%M} · {r.id}")
    st.query_params["id"] = chosen.id
    run_id = chosen.id

run = ui.guarded(lambda: store.get(run_id))
if run is None:
    st.page_link(ui.PAGE_FILES["history"], label="Back to the history", icon=":material/history:")
    st.stop()
st.title(run.name)
st.caption(
    f"`{run.id}` · {run.strategy} · {run.engine.value} · {run.status.value} · created {run.created_at:%Y-%m-%d %H:%M}"
)
st.caption(f"Backtest period {views.period_text(run.description)} · source {run.description.source.value}")
ui.run_notices(run)
run_dir = store.run_dir(run.id)

if run.status.is_active:
    st.info("This run is still in progress; its live view is on the Monitor page.")
    st.page_link(ui.PAGE_FILES["monitor"], label="Open the monitor", icon=":material/speed:")
if run.error:
    st.error(run.error)
    if run.traceback:
        with st.expander("Traceback", expanded=True):
            st.code(run.traceback, language=None)

result = ui.stored_result(run) if not run.status.is_active else None
logs = views.log_sources(result, run_dir)
if result is None:
    printed = parse_statistics(logs.get("Engine log (log.txt)", ""))
    if printed:
        st.subheader("Statistics the log printed")
        st.dataframe(pd.DataFrame({"statistic": list(printed), "value": list(printed.values())}), hide_index=True)
    for label, text in logs.items():
        st.subheader(label)
        shown, caption = views.tail_lines(text.splitlines(), 2000)
        st.caption(caption)
        st.code("\n".join(shown), language=None)
    st.stop()

stats = result.statistics
headline = [
    ("Net Profit", "Net Profit"),
    ("CAR", "Compounding Annual Return"),
    ("Sharpe", "Sharpe Ratio"),
    ("Drawdown", "Drawdown"),
    ("PSR", "Probabilistic Sharpe Ratio"),
    ("Orders", "Total Orders"),
    ("End Equity", "End Equity"),
    ("Fees", "Total Fees"),
]
columns = st.columns(len(headline))
for column, (label, name) in zip(columns, headline, strict=True):
    column.metric(label, stats.raw.get(name) or stats.raw.get("Total Trades" if name == "Total Orders" else name, "–"))

overview, trades, returns, custom, statistics, log, code, downloads = st.tabs(
    ["Equity", "Trades", "Returns", "Custom charts", "Statistics", "Log", "Request & code", "Downloads"]
)
with overview:
    equity = result.equity
    if equity.empty:
        st.info("This result has no equity curve (the algorithm never ran).")
    else:
        window = st.session_state.get(f"zoom-{run.id}")
        shown = equity.loc[window[0] : window[1]] if window else equity
        figure = charts.equity_figure(
            shown,
            result.benchmark,
            result.drawdown.loc[shown.index[0] : shown.index[-1]] if not result.drawdown.empty else None,
        )
        event = st.plotly_chart(figure, key=f"equity-{run.id}", on_select="rerun", selection_mode="box")
        st.caption("Drag a box over the chart to zoom in with full detail.")
        box = event.selection.box if event and event.selection else []
        if box:
            xs = sorted(pd.to_datetime(box[0]["x"], utc=True))
            st.session_state[f"zoom-{run.id}"] = (xs[0], xs[-1])
            st.rerun()
        if window and st.button("Reset zoom"):
            st.session_state.pop(f"zoom-{run.id}")
            st.rerun()
with trades:
    fills = views.fills_frame(result)
    symbols = sorted(fills["symbol"].dropna().unique()) if not fills.empty else []
    if symbols:
        symbol = st.selectbox("Symbol", symbols)
        price = views.symbol_price(settings.data_dir, result, symbol)
        chosen = fills[fills["symbol"] == symbol]
        if price is None:
            st.caption(f"No {symbol} data in `{settings.data_dir}`: trades drawn on the equity curve.")
            st.plotly_chart(
                charts.trades_figure(
                    result.equity,
                    chosen.assign(price=result.equity.reindex(chosen["time"], method="nearest").to_numpy()),
                    "Equity",
                )
            )
        else:
            st.plotly_chart(charts.trades_figure(price, chosen, f"{symbol} price"))
    st.subheader(f"Orders ({len(result.orders)})")
    st.dataframe(result.orders, hide_index=True, width="stretch")
    st.subheader(f"Closed trades ({len(result.closed_trades)})")
    st.dataframe(result.closed_trades, hide_index=True, width="stretch")
with returns:
    if result.equity.empty:
        st.info("No equity curve.")
    else:
        monthly = monthly_returns(result.equity)
        st.plotly_chart(charts.monthly_returns_figure(monthly))
        left, right = st.columns(2)
        left.plotly_chart(charts.yearly_returns_figure(yearly_returns(result.equity)))
        right.plotly_chart(charts.returns_distribution_figure(daily_returns(result.equity)))
        window_days = st.select_slider("Rolling window (trading days)", [21, 63, 126, 252], value=126)
        sharpe = rolling_sharpe(result.equity, window_days)
        if sharpe.empty:
            st.caption("Too short for a rolling Sharpe ratio with this window.")
        else:
            st.plotly_chart(charts.rolling_sharpe_figure(sharpe, window_days))
with custom:
    shown_any = False
    for figure in charts.custom_chart_figures(result.charts):
        st.plotly_chart(figure)
        shown_any = True
    if not shown_any:
        st.caption("The algorithm plotted no charts of its own.")
with statistics:
    left, right = st.columns(2)
    left.subheader("Statistics")
    left.dataframe(
        pd.DataFrame({"statistic": list(stats.raw), "value": list(stats.raw.values())}),
        hide_index=True,
        width="stretch",
    )
    right.subheader("Runtime statistics")
    right.dataframe(
        pd.DataFrame({"statistic": list(result.runtime_statistics), "value": list(result.runtime_statistics.values())}),
        hide_index=True,
        width="stretch",
    )
    if result.portfolio_statistics:
        right.subheader("Portfolio statistics")
        right.json(result.portfolio_statistics, expanded=False)
    if result.trade_statistics:
        right.subheader("Trade statistics")
        right.json(result.trade_statistics, expanded=False)
with log:
    if not logs:
        st.info("This run has no log file.")
    else:
        chosen_log = st.radio("Log", list(logs), horizontal=True) if len(logs) > 1 else next(iter(logs))
        needle = st.text_input("Search the log")
        lines = logs[chosen_log].splitlines()
        matching = [line for line in lines if needle.lower() in line.lower()] if needle else lines
        shown, caption = views.tail_lines(matching, 5000)
        st.caption(f"{caption} ({len(matching):,} of {len(lines):,} match)" if needle else caption)
        st.code("\n".join(shown), language=None)
with code:
    st.subheader("Request")
    st.json(run.request.model_dump(mode="json"))
    for source in sorted((run_dir / "code").rglob("*.py")):
        with st.expander(str(source.relative_to(run_dir / "code")), expanded=source.name == "main.py"):
            st.code(source.read_text(errors="replace"), language="python", line_numbers=True)
with downloads:
    main_file = run_dir / f"{result.algorithm_id}.json"
    if main_file.exists():
        st.download_button("Result JSON", main_file.read_bytes(), file_name=main_file.name, mime="application/json")
    st.download_button(
        "Orders CSV", result.orders.to_csv(index=False), file_name=f"{run.id}-orders.csv", mime="text/csv"
    )
    st.download_button(
        "Trades CSV", result.closed_trades.to_csv(index=False), file_name=f"{run.id}-trades.csv", mime="text/csv"
    )
    st.download_button(
        "HTML report (offline)",
        report.build_report(result, run.name, f"{run.strategy} · {run.engine.value} · {run.id}"),
        file_name=f"{run.id}-report.html",
        mime="text/html",
    )
    st.download_button(
        "Request JSON", json.dumps(run.request.model_dump(mode="json"), indent=2), file_name=f"{run.id}-request.json"
    )
