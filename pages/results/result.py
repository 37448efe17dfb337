"""One result: headline, a shared zoom window with its statistics, and one tab computed at a time (equity,
trades, exposure, returns, the algorithm's own charts, statistics, logs, request and code, downloads)."""

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from backtest_core import charts, report, runs, ui, views
from backtest_core import result_views as rv
from backtest_core.analysis import trade_analytics
from backtest_core.analysis.calendar import TradingCalendar, daily_closes
from backtest_core.analysis.drawdowns import worst_drawdowns
from backtest_core.analysis.periods import monthly_returns, yearly_returns
from backtest_core.analysis.returns import daily_returns, rolling_sharpe
from backtest_core.analysis.sessions import TimeAxis
from backtest_core.analysis.window_stats import RiskFree
from backtest_core.compare_runs import risk_free_rate
from backtest_core.live_chart import ChartFigure, chart_figure, live_chart
from backtest_core.models import RunQuery
from backtest_core.results.logs import parse_statistics

CHART_CONFIG = {
    "displaylogo": False,  # zooming goes through the page's window so every chart and figure follows it
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d", "lasso2d"],
}
MONEY = st.column_config.NumberColumn(format="accounting")
TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"
TRADE_PARTS = ("Analytics", "Orders", "Closed trades", "Fills", "LEAN's charts")  # the Trades tab, a part at a time
# one analytics chart at a time, built when chosen: each Plotly chart costs the browser a draw, four made opening
# Trades slow
ANALYTICS_FIGURES = {
    "P&L": lambda picked, axis: charts.pnl_distribution_figure(picked),
    "MAE / MFE": lambda picked, axis: charts.mae_mfe_figure(picked),
    "Holding time": lambda picked, axis: charts.holding_time_figure(picked),
    "Streaks": lambda picked, axis: charts.streaks_figure(trade_analytics.streaks(picked), axis),
}
ANALYTICS_CHARTS = tuple(ANALYTICS_FIGURES)
# short labels and fixed widths so every column fits at 1280 px; the long meaning is in each header's tooltip
DRAWDOWN_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", width=36, help="Rank by depth; the chart's bands carry it"),
    "start": st.column_config.DatetimeColumn("peak", format="YYYY-MM-DD HH:mm", width=132,
                                             help="The last point at the running maximum before the fall"),
    "trough": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", width=132, help="The lowest point"),
    "recovery": st.column_config.TextColumn("recovered", width=132, help="The first point back at or above the "
                                            f"peak; '{rv.NOT_RECOVERED}': still under water at the end"),
    "depth": st.column_config.NumberColumn(format="percent", width=70, help="Trough / peak - 1"),
    "length": st.column_config.NumberColumn("days", format="%.1f", width=64,
                                            help="Length in days: peak to recovery, or to the last point if not "
                                                 "recovered (a number, sortable)"),
    "to_trough": st.column_config.NumberColumn("to trough", format="%.1f", width=78, help="Days, peak to trough"),
    "to_recover": st.column_config.TextColumn("to recover", width=104, alignment="right",
                                              help=f"Days, trough to recovery; text, as '{rv.NOT_RECOVERED}' has "
                                                   "no number"),
}  # fmt: skip
TABS = ["Equity", "Trades", "Exposure", "Returns", "Custom charts", "Statistics", "Log", "Request & code", "Downloads"]

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
st.caption(f"`{run.id}` · {run.strategy} · {run.status.value} · created {run.created_at:%Y-%m-%d %H:%M}")
st.caption(rv.header_text(run))
ui.run_notices(run)
run_dir = store.run_dir(run.id)

with st.container(horizontal=True):
    if st.button("Run again", icon=":material/replay:", help="The same request with this run's stored code"):
        new_id = ui.guarded(lambda: runs.run_again(run.id, settings))
        if new_id:
            st.session_state["just_submitted"] = [new_id]
            st.switch_page(ui.PAGE_FILES["monitor"])
    if st.button("Clone into the Run page", icon=":material/content_copy:", help="Edit this request, then start it"):
        st.switch_page(ui.PAGE_FILES["run"], query_params={"clone": run.id})

if run.status.is_active:
    st.info("This run is still in progress; its live view is on the Monitor page.")
    st.page_link(ui.PAGE_FILES["monitor"], label="Open the monitor", icon=":material/speed:")
if run.error:
    st.error(run.error)
    if run.traceback:
        with st.expander("Traceback", expanded=True):
            st.code(run.traceback, language=None, wrap_lines=True)  # no line hidden past the right edge

result = ui.stored_result(run) if not run.status.is_active else None
logs = views.log_sources(result, run_dir)


@st.cache_data(show_spinner=False, max_entries=64)
def log_levels(text: str) -> list[str]:
    return rv.log_levels(text)


@st.cache_data(show_spinner=False, max_entries=64)
def log_lines(text: str, levels: tuple[str, ...], needle: str) -> tuple[list[str], int]:
    return rv.log_lines(text, levels, needle)


@st.fragment
def log_view(sources: dict[str, str]) -> None:
    """Every log of the run: one chosen at a time, filtered by level and text, downloadable whole."""
    if not sources:
        st.info("This run has no log file.")
        return
    chosen = st.segmented_control("Log file", list(sources), default=next(iter(sources)), required=True)
    text = sources[chosen]
    levels = log_levels(text)
    left, right = st.columns([1, 2])
    wanted = left.multiselect("Levels", levels, placeholder="every level") if levels else []
    needle = right.text_input("Search", placeholder="text in the message")
    lines, matched = log_lines(text, tuple(wanted), needle)
    shown, caption = views.tail_lines(lines, rv.LOG_LIMIT)
    st.caption(f"{caption} · {matched:,} records match" if wanted or needle else caption)
    st.code("\n".join(shown), language=None, wrap_lines=True)
    name = chosen.split("(")[-1].rstrip(")") if "(" in chosen else "log.txt"
    st.download_button(f"Download {name}", text, file_name=f"{run.id}-{name}", mime="text/plain", on_click="ignore")


if result is None:
    printed = parse_statistics(logs.get("Engine log (log.txt)", ""))
    if printed:
        st.subheader("Statistics the log printed")
        st.table(pd.DataFrame({"value": list(printed.values())}, index=pd.Index(list(printed), name="statistic")))
    st.subheader("Logs")
    log_view(logs)
    st.stop()


# -- cached work: derived once per result file -------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=32)
def time_axis_of(folder: str, stamp: float, resolution: str | None, data_dir: str) -> TimeAxis:
    return rv.result_time_axis(ui.cached_result(Path(folder)), resolution, Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=32)
def worst_of(folder: str, stamp: float) -> pd.DataFrame:
    return worst_drawdowns(ui.cached_result(Path(folder)).equity, 5)


@st.cache_resource(show_spinner=False, max_entries=32)
def worst_shown_of(folder: str, stamp: float, resolution: str | None, data_dir: str) -> pd.DataFrame:
    """The worst drawdowns' table as shown (the whole run's, the same on every zoom)."""
    return rv.drawdowns_shown(worst_of(folder, stamp), time_axis_of(folder, stamp, resolution, data_dir))


@st.cache_resource(show_spinner=False, max_entries=32)
def closes_of(folder: str, stamp: float, data_dir: str) -> tuple[TradingCalendar, pd.Series]:
    loaded = ui.cached_result(Path(folder))
    calendar = rv.result_calendar(loaded, Path(data_dir))
    return calendar, daily_closes(loaded.equity, calendar)


@st.cache_resource(show_spinner=False)
def rate_of(data_dir: str) -> RiskFree:
    return risk_free_rate(Path(data_dir))


stamp = ui.result_stamp(run_dir)
SOURCE = (str(run_dir), stamp, run.description.resolution, str(settings.data_dir))  # what the figures come from
axis = time_axis_of(*SOURCE)


# figures are cached per result and window, so a tab opened again or a range chosen again is not redrawn; a live
# chart's as the JSON it is sent (ChartFigure), so that is not made again either
Source = tuple[str, float, str | None, str]


@st.cache_resource(show_spinner=False, max_entries=32)
def range_windows_of(source: Source) -> dict[str, rv.Window]:
    """The window of each range button."""
    equity = ui.cached_result(Path(source[0])).equity
    return {name: rv.range_window(name, equity, time_axis_of(*source)) for name in rv.RANGES}


@st.cache_resource(show_spinner=False, max_entries=64)
def window_figures_of(source: Source, window: rv.Window) -> tuple[TradingCalendar, rv.WindowFigures]:
    """The window's statistics, and the calendar their daily figures use."""
    loaded = ui.cached_result(Path(source[0]))
    calendar, closes = closes_of(source[0], source[1], source[3])
    figures = rv.window_figures(loaded.equity, loaded.closed_trades, window, closes, calendar, rate_of(source[3]))
    return calendar, figures


@st.cache_resource(show_spinner=False, max_entries=64)
def equity_chart(source: Source, window: rv.Window, log_scale: bool) -> ChartFigure:
    loaded = ui.cached_result(Path(source[0]))
    worst = worst_of(source[0], source[1])
    figure = charts.equity_figure(loaded.equity, time_axis_of(*source), window, loaded.benchmark, worst, log_scale)
    return chart_figure(figure)


def closed_trades_picked(
    source: Source, window: rv.Window, symbols: tuple[str, ...], directions: tuple[str, ...]
) -> pd.DataFrame:
    trades = trade_analytics.closed_between(ui.cached_result(Path(source[0])).closed_trades, *window)
    return trade_analytics.filtered(trades, symbol=list(symbols), direction=list(directions))


@st.cache_resource(show_spinner=False, max_entries=64)
def trade_summary_of(
    source: Source, window: rv.Window, symbols: tuple[str, ...], directions: tuple[str, ...]
) -> trade_analytics.TradeSummary:
    """The figures of the closed trades in ``window`` with these filters."""
    return trade_analytics.summary(closed_trades_picked(source, window, symbols, directions))


@st.cache_resource(show_spinner=False, max_entries=64)
def analytics_chart(
    source: Source, window: rv.Window, symbols: tuple[str, ...], directions: tuple[str, ...], name: str
) -> ChartFigure:
    """One of ``ANALYTICS_FIGURES`` for the closed trades in ``window`` with these filters."""
    picked = closed_trades_picked(source, window, symbols, directions)
    return chart_figure(ANALYTICS_FIGURES[name](picked, time_axis_of(*source)))


@st.cache_resource(show_spinner=False, max_entries=64)
def fills_chart(source: Source, symbol: str, window: rv.Window) -> tuple[str, ChartFigure]:
    """The fills of ``symbol`` on its price from the data folder, or on the equity curve when it has none."""
    loaded, axis = ui.cached_result(Path(source[0])), time_axis_of(*source)
    fills = views.fills_frame(loaded)
    marked = fills[fills["symbol"] == symbol]
    price = views.symbol_price(Path(source[3]), loaded, symbol, marked, intraday=axis.intraday)
    if price is None:
        at = loaded.equity.reindex(pd.DatetimeIndex(marked["time"]), method="nearest").to_numpy()
        figure = charts.trades_figure(loaded.equity, marked.assign(price=at), "Equity", axis, window)
        return f"No {symbol} prices in `{source[3]}`: its fills are drawn on the equity curve.", chart_figure(figure)
    title = f"{symbol} price ({price.normalisation}, {price.resolution} closes)"
    return price.note, chart_figure(charts.trades_figure(price.prices, marked, title, axis, window))


@st.cache_resource(show_spinner=False, max_entries=128)
def lean_chart(source: Source, name: str, window: rv.Window) -> ChartFigure:
    chart = ui.cached_result(Path(source[0])).charts[name]
    return chart_figure(charts.lean_chart_figure(chart, time_axis_of(*source), window))


equity = result.equity
has_curve = len(equity) > 1


# -- headline ---------------------------------------------------------------------------------------------

with st.container(horizontal=True, gap="medium"):
    for label, value in rv.headline(result):
        st.metric(label, value, width="content")
if unmeasured := rv.unmeasured_headline_note(result):
    st.warning(unmeasured, icon=":material/info:")


# -- the window every chart and figure of the page shows ---------------------------------------------------

WINDOW = f"window-{run.id}"
RANGE, SLIDER, LOG = f"range-{run.id}", f"slider-{run.id}", f"log-{run.id}"
BOXED = f"boxed-{run.id}"  # the window of a box drawn on a chart, until the window's fragment sets it


def set_window(window: rv.Window | None) -> None:
    """The one place the window changes: every control and the URL follow it."""
    whole = window is None or window == rv.full_window(equity)
    st.session_state[WINDOW] = None if whole else window
    shown = rv.full_window(equity) if whole else window
    st.session_state[SLIDER] = tuple(axis.local(pd.DatetimeIndex(list(shown))).to_pydatetime())
    names = [name for name, chosen in range_windows_of(SOURCE).items() if chosen == shown]
    st.session_state[RANGE] = "All" if whole else (names[0] if names else None)
    if whole:
        st.query_params.pop("from", None)
        st.query_params.pop("to", None)
    else:
        st.query_params["from"], st.query_params["to"] = rv.window_texts(window, axis)


def on_range() -> None:
    name = st.session_state.get(RANGE)
    if name:
        set_window(range_windows_of(SOURCE)[name])


def on_slider() -> None:
    start, end = st.session_state[SLIDER]
    set_window(rv.clamp((axis.utc(start), axis.utc(end)), equity))


def zoom_to_box(xs: list[object]) -> None:
    """The window of a box drawn on a chart, from the x bounds Plotly reported, set when the window's fragment
    reruns (its controls and statistics lie outside the tabs' fragment). Set there, before its widgets, not here:
    a components.v2 trigger's callback that reruns another fragment starts a second run, and widget values set in
    the callback reach the browser's range buttons and slider only when set in the run that draws them."""
    window = ui.guarded(lambda: rv.window_from_box(xs, axis, equity))
    if window is not None:
        st.session_state[BOXED] = window
        st.rerun("window")


def time_chart(figure: go.Figure | ChartFigure, name: str) -> None:
    """A time-axis chart on which a box drawn selects the page's window; a live chart like the equity's, so a zoom
    on its tab redraws it in place instead of mounting a new one."""
    live_chart(figure, f"{name}-{run.id}", CHART_CONFIG, on_box=zoom_to_box)


if has_curve and WINDOW not in st.session_state:
    url_window = None
    if "from" in st.query_params and "to" in st.query_params:
        url_window = ui.guarded(
            lambda: rv.window_from_texts(st.query_params["from"], st.query_params["to"], axis, equity)
        )
    set_window(url_window)


def current_view() -> rv.Window | None:
    """What every chart shows: the chosen window or the whole run (None: the result has no equity curve)."""
    return (st.session_state.get(WINDOW) or rv.full_window(equity)) if has_curve else None


def window_controls() -> None:
    """Range buttons, slider, reset and log scale, and the statistics of the window they choose."""
    view = current_view()
    first_local, last_local = axis.local(pd.DatetimeIndex(list(rv.full_window(equity)))).to_pydatetime()
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.segmented_control("Range", rv.RANGES, key=RANGE, on_change=on_range)
        st.slider(
            "Window",
            min_value=first_local,
            max_value=last_local,
            key=SLIDER,
            on_change=on_slider,
            step=timedelta(minutes=1) if axis.intraday else timedelta(days=1),
            format="YYYY-MM-DD HH:mm" if axis.intraday else "YYYY-MM-DD",
            width=520,
        )
        st.button(
            "Reset zoom",
            icon=":material/zoom_out_map:",
            on_click=set_window,
            args=(None,),
            disabled=st.session_state.get(WINDOW) is None,
        )
        st.toggle("Log scale", key=LOG)
    calendar, figures = window_figures_of(SOURCE, view)
    start_text, end_text = (text.replace("T", " ") for text in rv.window_texts(view, axis))
    trades, daily = figures.trades, figures.daily
    car = ui.percent(daily.compounding_annual_return if daily else None)
    sharpe = "–" if daily is None or daily.sharpe_ratio is None else f"{daily.sharpe_ratio:.2f}"
    with st.container(key="window-statistics"):
        st.markdown(
            f"**Window** {start_text} → {end_text} ({axis.zone}) · **return** {ui.percent(figures.total_return)} · "
            f"**CAR** {car} · **Sharpe** {sharpe} · **max drawdown** {ui.percent(-figures.max_drawdown or 0.0)} · "
            f"**trades closed** {trades.trades}"
            + (f" ({trades.wins} won, net {trades.net_profit:,.2f})" if trades.trades else "")
        )
        rf = f", risk-free {daily.risk_free_rate:.2%}" if daily else ""
        st.caption(
            "Return and drawdown on every point of the window (this drawdown falls from the window's own peak, the "
            "chart's drawdown panel from the run's); "
            f"CAR and Sharpe on its {figures.trading_days} "
            f"trading-day closes ({calendar.name}, {calendar.periods_per_year} a year{rf}), as Compare measures. "
            "The headline figures above are LEAN's own: its Sharpe counts every calendar day (weekends as zero "
            "returns) and its CAR the time from the first to the last equity sample, so even on the whole run they "
            "differ from these."
        )
    if axis.note:
        st.caption(axis.note)


# -- one tab computed at a time ---------------------------------------------------------------------------


def equity_curve() -> None:
    """The equity chart, updated in place: one key for the run, so a new window redraws the mounted chart instead
    of mounting a new one (which ``st.plotly_chart`` does for any changed figure)."""
    figure = equity_chart(SOURCE, current_view(), st.session_state[LOG])
    live_chart(figure, f"equity-{run.id}", CHART_CONFIG, on_box=zoom_to_box)


def equity_tab() -> None:
    """The equity curve with benchmark and drawdown on the window, and the worst drawdowns."""
    if not has_curve:
        st.info("This result has no equity curve to draw (the algorithm never ran long enough to sample one).")
    else:
        equity_curve()
        st.caption("Drag a box over any chart to zoom every chart of the page into it, at full detail.")
        if note := rv.benchmark_note(result) or rv.benchmark_sampling_note(result, axis):
            st.caption(note)
        st.subheader("Worst drawdowns")
        worst = worst_shown_of(*SOURCE)
        if worst.empty:
            st.caption("The equity never fell below a previous peak.")
        else:
            st.dataframe(worst, hide_index=True, column_config=DRAWDOWN_COLUMNS, placeholder=ui.MISSING)
            st.caption(f"Times in {axis.zone}; the shaded bands on the chart are these drawdowns, numbered by depth.")


@st.fragment
def trades_view() -> None:
    trades = result.closed_trades
    orders = result.orders
    symbols = sorted(set(trades["symbol"].dropna()) | set(orders["symbol"].dropna())) if len(orders) else []
    if not symbols:
        st.info("The algorithm placed no orders.")
        standard_section(charts.TRADING_CHARTS, "Trading activity (LEAN's charts)")  # LEAN draws them regardless
    else:
        left, middle, right = st.columns(3)
        chosen_symbols = left.multiselect("Symbols", symbols, placeholder="every symbol")
        sides, trade_directions = set(orders["direction"].dropna()), set(trades["direction"].dropna())
        chosen = middle.multiselect(
            "Direction",
            sorted(sides) + sorted(trade_directions - sides),
            placeholder="every direction",
            help="Buy and Sell filter the orders, Long and Short the closed trades (a trade has orders both ways).",
        )
        chosen_sides = [side for side in chosen if side in sides]
        chosen_directions = [direction for direction in chosen if direction in trade_directions]
        tags = sorted({str(t) for t in orders["tag"].dropna() if str(t)})
        chosen_tags = right.multiselect("Order tag", tags, placeholder="every tag", disabled=not tags)
        shown = current_view() if has_curve else (None, None)
        in_window = trade_analytics.closed_between(trades, *shown) if has_curve else trades
        picked = trade_analytics.filtered(in_window, symbol=chosen_symbols, direction=chosen_directions)
        part = st.segmented_control(
            "Show", TRADE_PARTS, default="Analytics", required=True, key="part", bind="query-params",
        )  # fmt: skip
        st.caption(
            f"{len(picked):,} of {len(trades):,} closed trades and the orders of the chosen symbols, directions "
            "and tags in the window; one part drawn at a time, so the page answers fast on a large result."
        )
        if part == "Analytics":
            trade_analytics_part(trades, picked, shown, chosen_symbols, chosen_directions, chosen_tags)
        elif part == "Orders":
            orders_part(orders, shown, chosen_symbols, chosen_sides, chosen_tags)
        elif part == "Closed trades":
            trades_part(picked, len(trades))
        elif part == "Fills":
            fills_part(symbols, chosen_symbols)
        else:
            standard_section(charts.TRADING_CHARTS, "Trading activity (LEAN's charts)")


def trade_analytics_part(trades: pd.DataFrame, picked: pd.DataFrame, shown: tuple, chosen_symbols: list[str],
                         chosen_directions: list[str], chosen_tags: list[str]) -> None:  # fmt: skip
    st.subheader(f"Closed trades in the window ({len(picked):,} of {len(trades):,})")
    if chosen_tags:
        st.caption("Order tags filter the Orders part; closed trades carry no tag.")
    if picked.empty:
        st.caption("No closed trade in the window with these filters.")
    else:
        filters = (SOURCE, shown, tuple(chosen_symbols), tuple(chosen_directions))
        figures = trade_summary_of(*filters)
        with st.container(horizontal=True, gap="medium"):
            st.metric("Win rate", ui.percent(figures.win_rate), width="content")
            st.metric("Net P&L", f"{figures.net_profit:,.2f}", width="content")
            st.metric(
                "Profit factor",
                "–" if figures.profit_factor is None else f"{figures.profit_factor:.2f}",
                width="content",
            )
            st.metric(
                "Longest streaks",
                f"{figures.longest_winning_streak} won / {figures.longest_losing_streak} lost",
                width="content",
            )
            st.metric("Median holding", rv.holding_text(figures.median_holding), width="content")
        chart = st.segmented_control(
            "Chart", ANALYTICS_CHARTS, default=ANALYTICS_CHARTS[0], required=True, key="chart", bind="query-params",
        )  # fmt: skip
        # a live chart: its Plotly is the page's already loaded one, on the figure's own template (st.plotly_chart
        # swaps in Streamlit's, whose axes' automargin lays the chart out twice), themed as the time charts are
        live_chart(analytics_chart(*filters, chart), f"analytics-{run.id}", CHART_CONFIG)


def fills_part(symbols: list[str], chosen_symbols: list[str]) -> None:
    symbol = st.selectbox("Fills on the price of", chosen_symbols or symbols)
    if has_curve:
        note, figure = fills_chart(SOURCE, symbol, current_view())
        st.caption(note)
        time_chart(figure, "fills")


def orders_part(orders: pd.DataFrame, shown: tuple, chosen_symbols: list[str], chosen_sides: list[str],
                chosen_tags: list[str]) -> None:  # fmt: skip
    picked_orders = trade_analytics.filtered(orders, symbol=chosen_symbols, direction=chosen_sides, tag=chosen_tags)
    if has_curve:
        picked_orders = picked_orders[(picked_orders["time"] >= shown[0]) & (picked_orders["time"] <= shown[1])]
    st.subheader(f"Orders in the window ({len(picked_orders):,} of {len(orders):,})")
    table = rv.orders_table(result, axis)
    table = table[table["id"].isin(picked_orders["id"])]
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        # a table of other orders starts unselected: a kept row position would show another order's events
        key=f"orders-{run.id}-{hash((tuple(chosen_symbols), tuple(chosen_sides), tuple(chosen_tags), shown))}",
        column_config={
            "time": st.column_config.DatetimeColumn(f"time ({axis.zone})", format=TIME_FORMAT),
            "last_fill_time": st.column_config.DatetimeColumn(f"filled ({axis.zone})", format=TIME_FORMAT),
            "price": MONEY,
            "value": MONEY,
            "fees": MONEY,
            "quantity": st.column_config.NumberColumn(format="%g"),
            "tag": st.column_config.TextColumn(width="large"),  # tags run to 50 characters (an options result's)
        },
        placeholder=ui.MISSING,
    )
    rows = event.selection.rows if event and event.selection else []
    if rows and not result.order_events.empty:
        order_id = int(table.iloc[rows[0]]["id"])
        st.markdown(f"**Events of order {order_id}**")
        st.dataframe(
            rv.events_table(trade_analytics.order_events(result.order_events, order_id), axis),
            hide_index=True,
            column_config={
                "time": st.column_config.DatetimeColumn(f"time ({axis.zone})", format=TIME_FORMAT),
                "fill_price": MONEY,
                "order_fee_amount": st.column_config.NumberColumn("fee", format="accounting"),
                "message": st.column_config.TextColumn(width="large"),
            },
            placeholder=ui.MISSING,
        )
    elif rows:
        st.caption("This result has no order-events file (a cloud download has none): no events to show.")
    else:
        st.caption("Select an order to see its events (submitted, fills, cancellation).")


def trades_part(picked: pd.DataFrame, total: int) -> None:
    st.subheader(f"Closed trades in the window ({len(picked):,} of {total:,})")
    st.dataframe(
        rv.trades_table(picked, axis),
        hide_index=True,
        column_config={
            "entry_time": st.column_config.DatetimeColumn(f"entry ({axis.zone})", format=TIME_FORMAT),
            "exit_time": st.column_config.DatetimeColumn(f"exit ({axis.zone})", format=TIME_FORMAT),
            "entry_price": MONEY,
            "exit_price": MONEY,
            "profit_loss": st.column_config.NumberColumn("P&L", format="accounting"),
            "total_fees": MONEY,
            "mae": MONEY,
            "mfe": MONEY,
            "held_hours": st.column_config.NumberColumn("held (hours)", format="%.2f"),
            "is_win": st.column_config.CheckboxColumn("win"),
        },
        placeholder=ui.MISSING,
    )


def standard_section(names: tuple[str, ...], title: str) -> None:
    """LEAN's standard charts among ``names`` that this result holds, on the page's window."""
    present = charts.standard_charts(result.charts, names)
    if not present:
        st.caption(f"This result has none of LEAN's {', '.join(names)} charts.")
        return
    st.subheader(title)
    for chart in present:
        time_chart(lean_chart(SOURCE, chart.name, current_view()), chart.name.replace(" ", "-").lower())


def exposure_tab() -> None:
    """LEAN's exposure, margin and insight charts on the window."""
    standard_section(charts.EXPOSURE_CHARTS, "Exposure and margin (LEAN's charts)")
    if charts.standard_charts(result.charts, charts.INSIGHT_CHARTS):
        standard_section(charts.INSIGHT_CHARTS, "Insights (LEAN's alpha charts)")


@st.fragment
def returns_view() -> None:
    view = current_view()
    shown = charts.cut(equity, view)
    if len(shown) < 2:
        st.info("No equity curve in the window.")
        return
    st.caption("Returns of the window's equity, by calendar period and by day (closing equity of each UTC date).")
    st.plotly_chart(charts.monthly_returns_figure(monthly_returns(shown)), config=CHART_CONFIG)
    left, right = st.columns(2)
    left.plotly_chart(charts.yearly_returns_figure(yearly_returns(shown)), config=CHART_CONFIG)
    right.plotly_chart(charts.returns_distribution_figure(daily_returns(shown)), config=CHART_CONFIG)
    window_days = st.select_slider("Rolling window (trading days)", [21, 63, 126, 252], value=126)
    sharpe = rolling_sharpe(equity, window_days)
    if sharpe.empty:
        st.caption("Too short for a rolling Sharpe ratio with this window.")
    else:
        st.plotly_chart(charts.rolling_sharpe_figure(charts.cut(sharpe, view), window_days), config=CHART_CONFIG)


def custom_charts_tab() -> None:
    """The charts the algorithm plotted itself."""
    own = charts.own_charts(result.charts)
    drawn = [chart for chart in own.values() if any(len(s) for s in chart.series.values())]
    for chart in drawn:
        time_chart(charts.lean_chart_figure(chart, axis, current_view()), f"own-{chart.name}")
    if not drawn:
        st.caption(
            "The algorithm plotted no charts of its own (no `self.plot`); LEAN's standard charts are on the "
            "Equity, Trades and Exposure tabs."
        )


def statistics_tab() -> None:
    """LEAN's statistics, runtime statistics, portfolio and trade statistics as whole tables."""
    left, right = st.columns(2)
    left.subheader("LEAN's statistics")
    stats = result.statistics.raw
    left.table(pd.DataFrame({"value": list(stats.values())}, index=pd.Index(list(stats), name="statistic")))
    right.subheader("Runtime statistics")
    runtime = result.runtime_statistics
    right.table(pd.DataFrame({"value": list(runtime.values())}, index=pd.Index(list(runtime), name="statistic")))
    for block, title in (
        (result.portfolio_statistics, "Portfolio statistics"),
        (result.trade_statistics, "Trade statistics"),
    ):
        if block:
            right.subheader(title)
            right.table(rv.statistics_rows(block).set_index("statistic"))


def request_tab() -> None:
    """The stored request and code snapshot of the run."""
    st.subheader("Request")
    st.json(run.request.model_dump(mode="json"))
    sources = sorted((run_dir / "code").rglob("*.py"))
    if not sources:
        st.caption("No code snapshot was stored with this run.")
    for source in sources:
        with st.expander(str(source.relative_to(run_dir / "code")), expanded=source.name == "main.py"):
            st.code(source.read_text(errors="replace"), language="python", line_numbers=True)


def downloads_tab() -> None:
    """The result's files, each built when its button is clicked."""
    st.caption("Each file is made when you click its button.")
    main_file = run_dir / f"{result.algorithm_id}.json"
    with st.container(horizontal=True):
        if main_file.exists():
            st.download_button(
                "Result JSON",
                main_file.read_bytes,
                file_name=main_file.name,
                mime="application/json",
                on_click="ignore",
            )
        st.download_button(
            "Orders CSV",
            lambda: result.orders.to_csv(index=False),
            file_name=f"{run.id}-orders.csv",
            mime="text/csv",
            on_click="ignore",
        )
        st.download_button(
            "Trades CSV",
            lambda: result.closed_trades.to_csv(index=False),
            file_name=f"{run.id}-trades.csv",
            mime="text/csv",
            on_click="ignore",
        )
        st.download_button(
            "HTML report (offline)",
            lambda: report.build_report(
                result, run.name, rv.header_text(run), axis, [text for _, text in views.notice_texts(run)]
            ),
            file_name=f"{run.id}-report.html",
            mime="text/html",
            on_click="ignore",
        )
        st.download_button(
            "Request JSON",
            lambda: json.dumps(run.request.model_dump(mode="json"), indent=2),
            file_name=f"{run.id}-request.json",
            on_click="ignore",
        )


BODIES = {"Equity": equity_tab, "Trades": trades_view, "Exposure": exposure_tab, "Returns": returns_view,
          "Custom charts": custom_charts_tab, "Statistics": statistics_tab, "Log": lambda: log_view(logs),
          "Request & code": request_tab, "Downloads": downloads_tab}  # fmt: skip


@st.fragment
def tab_view() -> None:
    """Only the open tab computes; a tab change reruns this fragment, not the window's controls and statistics."""
    tabs = st.tabs(TABS, key="tab", on_change="rerun", bind="query-params")
    for name, tab in zip(TABS, tabs, strict=True):
        if tab.open:
            with tab:
                BODIES[name]()
        elif name == "Equity" and has_curve:
            # the equity chart stays mounted in its closed tab, so going back to Equity mounts nothing anew; a
            # window chosen meanwhile is drawn when the tab is shown (live_chart); only its first element, so the
            # open tab's elements line up with it
            with tab:
                equity_curve()


@st.fragment(key="window")
def window_view() -> None:
    """The window's controls and statistics with the tabs under them: a zoom (range, slider, reset, log scale, a
    box drawn on a chart) reruns this fragment, not the header and the headline, which show the whole run."""
    if BOXED in st.session_state:
        set_window(st.session_state.pop(BOXED))
    if has_curve:
        window_controls()
    tab_view()


window_view()
