"""Plotly figures of results, shared by the pages and the offline HTML report.

Time series are drawn on the exchange's clock (``analysis.sessions.TimeAxis``): wall-clock times in its zone,
named in the axis title, with the spans the exchange is closed cut out of an intraday axis (Plotly
rangebreaks), and dates for daily results. A figure is drawn for a window (UTC ``(start, end)``, None for
the whole run): each series is cut to it first and then downsampled (extremes kept), so a zoomed window is
drawn at full detail. Lines are SVG rather than WebGL: WebGL canvases ignore rangebreaks' geometry in
hover and get cut off in tall figures. Times go to Plotly as ISO text of the exchange's wall-clock time: a
date axis reads numbers (epoch milliseconds) as times in the *browser's* time zone, so numbers would shift
every point, tick and box by the viewer's UTC offset and off the closed spans. A zoomed window's axis carries
only the closed spans it shows: Plotly tests every point against every span on each redraw. Figures carry no
Streamlit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from backtest_core.analysis.benchmark import DAILY_BENCHMARK, daily_only, rebased_benchmark
from backtest_core.analysis.returns import drawdown as drawdown_of
from backtest_core.analysis.sessions import TimeAxis
from backtest_core.analysis.trade_analytics import holding_times, wins
from backtest_core.downsample import DEFAULT_MAX_POINTS, downsample
from backtest_core.results import Chart, ChartSeries

BUY_COLOR = "#2ca02c"
SELL_COLOR = "#d62728"
EQUITY_COLOR = "#4f9cf7"
BENCHMARK_COLOR = "#aaaaaa"
PALETTE = ("#4f9cf7", "#f7a34f", "#59c27a", "#e0605e", "#a57fe0", "#8c6d62", "#e47ac3", "#9a9a9a", "#c9c94a", "#4ac9c9")

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 40, "b": 30}, "hovermode": "x unified", "template": "plotly_dark"}
Window = tuple[pd.Timestamp, pd.Timestamp] | None
EQUITY_PANEL, DRAWDOWN_PANEL = [0.30, 1.0], [0.0, 0.27]  # the equity figure's two panels (y domains), a gap between
# plotly_dark with the axes' automargin off: with it on, Plotly lays a figure out twice on every draw (once to measure
# tick labels and titles, again to fit them), half of the equity chart's redraw per zoom and of a new chart's first
# draw in Chromium; ``fixed_margins`` gives the Result page's figures margins their titles fit in instead
FIXED_MARGIN_TEMPLATE = go.layout.Template(pio.templates["plotly_dark"])
FIXED_MARGIN_TEMPLATE.layout.xaxis.automargin = False
FIXED_MARGIN_TEMPLATE.layout.yaxis.automargin = False  # every y axis of a figure (yaxis2 too)


def _scatter(series: pd.Series, name: str, max_points: int, **kwargs: object) -> go.Scatter:
    drawn = downsample(series.dropna(), max_points)
    return go.Scatter(x=drawn.index, y=drawn.to_numpy(), name=name, mode="lines", **kwargs)


def fixed_margins(figure: go.Figure, time_axis: bool = False) -> go.Figure:
    """``figure`` on ``FIXED_MARGIN_TEMPLATE``, with room for its axis titles: the widths automargin found for
    them (a y title and its tick labels ~65 px, an x title ~55 px, ~70 px under a time axis, whose ticks
    take two lines), rounded up."""
    y_titled = any(axis.title.text for axis in figure.select_yaxes())
    x_titled = any(axis.title.text for axis in figure.select_xaxes())
    bottom = 70 if time_axis else 55 if x_titled else _LAYOUT["margin"]["b"]
    return figure.update_layout(
        template=FIXED_MARGIN_TEMPLATE, margin_l=70 if y_titled else _LAYOUT["margin"]["l"], margin_b=bottom
    )


# -- the time axis ----------------------------------------------------------------------------------------


def time_axis_layout(axis: TimeAxis, shown: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> dict[str, object]:
    """x-axis settings for ``axis``: date type, hover format, and the closed spans as rangebreaks; with ``shown``
    (exchange wall-clock bounds of the axis's range) only the spans that reach into it."""
    layout: dict[str, object] = {"type": "date", "hoverformat": "%Y-%m-%d %H:%M" if axis.intraday else "%Y-%m-%d"}
    spans = axis.closed if shown is None else [(a, b) for a, b in axis.closed if b > shown[0] and a < shown[1]]
    if spans:
        layout["rangebreaks"] = [{"bounds": [start, end]} for start, end in spans]
    return layout


def apply_time_axis(figure: go.Figure, axis: TimeAxis, window: Window = None) -> go.Figure:
    """Put the x axis of ``figure`` on ``axis``, titled with the zone, showing ``window`` (the whole data
    when None). A window's figure holds only the window's data (``cut``), so a span outside its range is never
    drawn, not even when a double click autoranges the axis to the data."""
    if window is None:
        figure.update_xaxes(**time_axis_layout(axis), title_text=axis.title)
        return fixed_margins(figure, time_axis=True)
    start, end = axis.drawn(pd.DatetimeIndex([window[0], window[1]]))
    figure.update_xaxes(**time_axis_layout(axis, (start, end)), title_text=axis.title)
    figure.update_xaxes(range=list(date_texts(pd.DatetimeIndex([start, end]))))
    return fixed_margins(figure, time_axis=True)


def cut(series: pd.Series, window: Window) -> pd.Series:
    """The part of a UTC-indexed series inside ``window`` (inclusive), all of it when None."""
    return series if window is None else series.loc[window[0] : window[1]]


def date_texts(times: pd.DatetimeIndex) -> np.ndarray:
    """Tz-naive wall-clock times as ISO text, as short as their precision allows (``2019-01-02T09:30``), which a
    Plotly date axis draws at that time whatever the browser's zone."""
    return np.datetime_as_string(times.to_numpy(dtype="datetime64[ns]"), unit="auto")


def drawn_at(times: pd.DatetimeIndex, axis: TimeAxis) -> np.ndarray:
    """Where UTC times go on ``axis`` (``TimeAxis.drawn``), as Plotly date text."""
    return date_texts(axis.drawn(pd.DatetimeIndex(times)))


def placed(series: pd.Series, axis: TimeAxis, max_points: int = DEFAULT_MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """x (Plotly date text) and y of a UTC-indexed series on the exchange's clock (``TimeAxis.drawn``),
    downsampled. Points that land on one x (a weekend's daily samples all move to Monday's open) keep only the
    last: the value known when the axis resumes, which is also what a bar chart would otherwise stack several
    times over."""
    drawn = downsample(series.dropna(), max_points)
    x = axis.drawn(drawn.index)
    last = ~x.duplicated(keep="last")
    return date_texts(x[last]), drawn.to_numpy()[last]


def time_line(
    series: pd.Series, name: str, axis: TimeAxis, max_points: int = DEFAULT_MAX_POINTS, **kwargs: object
) -> go.Scatter:
    """A line of a UTC-indexed series on the exchange's clock (see ``placed``), downsampled after cutting."""
    x, y = placed(series, axis, max_points)
    return go.Scatter(x=x, y=y, name=name, mode="lines", **kwargs)


# -- equity, benchmark, drawdown --------------------------------------------------------------------------


def equity_figure(
    equity: pd.Series,
    axis: TimeAxis,
    window: Window = None,
    benchmark: pd.Series | None = None,
    worst: pd.DataFrame | None = None,
    log_scale: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
) -> go.Figure:
    """Equity above its drawdown on one time axis, for ``window``.

    The benchmark is rebased to the equity at the window's first point. Only daily samples (LEAN's) on an intraday
    axis are drawn as steps, holding each sample until the next, since that is all the result knows of it, and
    named so in the legend (``DAILY_BENCHMARK``); samples within the day are drawn as a line at their times.
    The drawdown is the equity's own, at its resolution, from the running peak since the run began. ``worst``
    (``analysis.drawdowns.worst_drawdowns``) is shaded on the equity panel, numbered by depth.
    """
    shown = cut(equity, window)
    figure = go.Figure()
    figure.add_trace(time_line(shown, "Equity", axis, max_points, line={"color": EQUITY_COLOR}))
    if benchmark is not None and not benchmark.empty and not shown.empty:
        rebased, steps = rebased_benchmark(benchmark, shown), daily_only(benchmark, axis)
        if steps and not rebased.empty and rebased.index[-1] < shown.index[-1]:
            # a step holds its sample until the next one: without a point at the window's end the last step
            # (the day a zoom ends in) was never drawn, and the axis was not scaled to show it
            rebased = pd.concat([rebased, pd.Series([rebased.iloc[-1]], index=shown.index[-1:])])
        if not rebased.empty:
            name = DAILY_BENCHMARK if steps else "Benchmark (rebased)"
            line = {"color": BENCHMARK_COLOR, "dash": "dot", "shape": "hv" if steps else "linear"}
            figure.add_trace(time_line(rebased, name, axis, max_points, line=line))
    underwater = cut(drawdown_of(equity) * 100, window)
    figure.add_trace(
        time_line(underwater, "Drawdown %", axis, max_points, fill="tozeroy", line={"color": SELL_COLOR}, yaxis="y2")
    )
    if worst is not None and not shown.empty:
        _shade_drawdowns(figure, worst, axis, shown.index[0], shown.index[-1])
    figure.update_layout(
        **_LAYOUT,
        height=540,
        legend={"orientation": "h", "y": 1.06},
        dragmode="select",
        # one x axis under both panels (the panels are two y domains): one set of rangebreaks to lay out per
        # redraw instead of two matched axes with a copy each, which cost Plotly twice the work on every zoom
        xaxis={"anchor": "y2"},
        yaxis={"domain": EQUITY_PANEL, "title_text": "Equity", "type": "log" if log_scale else "linear"},
        yaxis2={"domain": DRAWDOWN_PANEL, "title_text": "Drawdown %"},
    )
    return apply_time_axis(figure, axis, window)


def _shade_drawdowns(
    figure: go.Figure, worst: pd.DataFrame, axis: TimeAxis, first: pd.Timestamp, last: pd.Timestamp
) -> None:
    """A band from each drawdown's peak to its recovery (or the end) and its number at the trough."""
    troughs, labels, depths = [], [], []
    for rank, row in enumerate(worst.itertuples(index=False), start=1):
        end = row.recovery if not pd.isna(row.recovery) else last
        if end < first or row.start > last:
            continue
        start_at, end_at = drawn_at(pd.DatetimeIndex([max(row.start, first), min(end, last)]), axis)
        figure.add_shape(
            type="rect", xref="x", yref="y domain", x0=start_at, x1=end_at, y0=0, y1=1,
            fillcolor=SELL_COLOR, opacity=0.10, line_width=0, layer="below",
        )  # fmt: skip
        if first <= row.trough <= last:
            troughs.append(row.trough)
            labels.append(f"#{rank}")
            depths.append(row.depth)
    if troughs:
        figure.add_trace(
            go.Scatter(
                x=drawn_at(pd.DatetimeIndex(troughs), axis),
                y=[d * 100 for d in depths],
                yaxis="y2",
                mode="markers+text",
                text=labels,
                textposition="bottom center",
                customdata=depths,
                name="Worst drawdowns (troughs)",
                marker={"color": SELL_COLOR, "size": 7, "symbol": "triangle-up"},
                textfont={"size": 10},
                hovertemplate="drawdown %{text}: %{customdata:.2%}<extra></extra>",
            )
        )


def trades_figure(
    price: pd.Series,
    fills: pd.DataFrame,
    title: str,
    axis: TimeAxis,
    window: Window = None,
    max_points: int = DEFAULT_MAX_POINTS,
) -> go.Figure:
    """A price (or equity) line with buy and sell markers; ``fills`` has time (UTC), price, quantity columns."""
    figure = go.Figure()
    figure.add_trace(time_line(cut(price, window), title, axis, max_points, line={"color": EQUITY_COLOR}))
    if window is not None:
        fills = fills[(fills["time"] >= window[0]) & (fills["time"] <= window[1])]
    for label, mask, color, symbol in (
        ("Buy", fills["quantity"] > 0, BUY_COLOR, "triangle-up"),
        ("Sell", fills["quantity"] < 0, SELL_COLOR, "triangle-down"),
    ):
        chosen = fills[mask]
        if chosen.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=drawn_at(pd.DatetimeIndex(chosen["time"]), axis),
                y=chosen["price"],
                mode="markers",
                name=label,
                marker={"color": color, "symbol": symbol, "size": 9},
                text=[f"{q:+g} @ {p:.4g}" for q, p in zip(chosen["quantity"], chosen["price"], strict=True)],
                hovertemplate="%{text}<extra>" + label + "</extra>",
            )
        )
    figure.update_layout(**_LAYOUT, height=420, title=title, dragmode="select")
    return apply_time_axis(figure, axis, window)


def monthly_returns_figure(
    table: pd.DataFrame, title: str = "Monthly returns (%)", limit: float | None = None
) -> go.Figure:
    """Heatmap of monthly returns in percent (years down, months across); ``limit`` (percent) fixes the
    colour scale to ±limit so several heatmaps read on one scale."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    percent = table * 100
    text = percent.map(lambda value: "" if pd.isna(value) else f"{value:.1f}")
    figure = go.Figure(
        go.Heatmap(
            z=percent.to_numpy(),
            x=months,
            y=[str(year) for year in percent.index],
            colorscale="RdYlGn",
            zmid=0,
            zmin=-limit if limit else None,
            zmax=limit if limit else None,
            text=text.to_numpy(),
            texttemplate="%{text}",
            hovertemplate="%{y} %{x}: %{z:.2f}%<extra></extra>",
            colorbar={"title": "%"},
        )
    )
    figure.update_layout(**_LAYOUT, height=max(220, 28 * len(percent) + 80), title=title)
    figure.update_yaxes(autorange="reversed", type="category")
    return figure


def yearly_returns_figure(yearly: pd.Series) -> go.Figure:
    colors = [BUY_COLOR if value >= 0 else SELL_COLOR for value in yearly]
    figure = go.Figure(go.Bar(x=[str(y) for y in yearly.index], y=yearly.to_numpy() * 100, marker_color=colors))
    figure.update_layout(**_LAYOUT, height=300, title="Yearly returns (%)")
    return figure


def returns_distribution_figure(returns: pd.Series) -> go.Figure:
    figure = go.Figure(go.Histogram(x=returns.to_numpy() * 100, nbinsx=60, marker_color=EQUITY_COLOR))
    figure.update_layout(**_LAYOUT, height=300, title="Distribution of daily returns (%)", bargap=0.02)
    return figure


def rolling_sharpe_figure(sharpe: pd.Series, window_days: int) -> go.Figure:
    figure = go.Figure(_scatter(sharpe, "Rolling Sharpe", DEFAULT_MAX_POINTS, line={"color": EQUITY_COLOR}))
    figure.add_hline(y=0, line={"color": BENCHMARK_COLOR, "width": 1})
    figure.update_layout(**_LAYOUT, height=300, title=f"Rolling Sharpe ratio ({window_days} trading days)")
    return figure


def overlay_figure(curves: Mapping[str, pd.Series], title: str, y_title: str) -> go.Figure:
    """Several runs' curves on one axis (the compare page's equity and drawdown overlays)."""
    figure = go.Figure()
    for position, (label, curve) in enumerate(curves.items()):
        color = PALETTE[position % len(PALETTE)]
        figure.add_trace(_scatter(curve, label, DEFAULT_MAX_POINTS, line={"color": color}))
    figure.update_layout(**_LAYOUT, height=420, title=title, legend={"orientation": "h", "y": -0.15})
    figure.update_yaxes(title_text=y_title)
    return figure


def sparkline_figure(points: list[tuple[float, float]]) -> go.Figure:
    """A tiny equity line for the monitor (points are (unix seconds, equity))."""
    frame = pd.DataFrame(points, columns=["t", "equity"])
    figure = go.Figure(
        go.Scatter(
            x=pd.to_datetime(frame["t"], unit="s", utc=True),
            y=frame["equity"],
            mode="lines",
            line={"color": EQUITY_COLOR, "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        template="plotly_dark",
        height=90,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=False,
    )
    return figure


# LEAN's own charts (``BaseResultsHandler``) and where the page draws each; every other chart is the algorithm's.
EQUITY_CHARTS = ("Strategy Equity", "Drawdown", "Benchmark")  # drawn as one equity figure
EXPOSURE_CHARTS = ("Exposure", "Portfolio Margin")
TRADING_CHARTS = ("Portfolio Turnover", "Capacity", "Assets Sales Volume")
INSIGHT_CHARTS = ("Alpha", "Alpha Assets", "Insight Count")  # the pre-2023 alpha charts
SYSTEM_CHARTS = frozenset(EQUITY_CHARTS + EXPOSURE_CHARTS + TRADING_CHARTS + INSIGHT_CHARTS)
MAX_SERIES_PER_CHART = 30  # LEAN's own default limit (maximum-chart-series)
FRACTION_CHARTS = frozenset({"Exposure", "Portfolio Turnover"})  # values are fractions whatever the unit says
LATEST_VALUE_TYPES = frozenset({"Pie", "Treemap"})  # drawn as each series' latest value in the window
UNDRAWABLE_TYPES = frozenset({"Heatmap", "Scatter3d"})
_MARKERS = {
    "circle": "circle",
    "square": "square",
    "diamond": "diamond",
    "triangle": "triangle-up",
    "triangle-down": "triangle-down",
}


def own_charts(result_charts: Mapping[str, Chart]) -> dict[str, Chart]:
    """The algorithm's own charts (its ``plot`` calls), LEAN's standard ones left out."""
    return {name: chart for name, chart in result_charts.items() if name not in SYSTEM_CHARTS}


def standard_charts(result_charts: Mapping[str, Chart], names: Sequence[str]) -> list[Chart]:
    """LEAN's standard charts among ``names`` that the result holds with at least one point, in that order."""
    return [
        result_charts[n] for n in names if n in result_charts and any(len(s) for s in result_charts[n].series.values())
    ]


def lean_chart_figure(
    chart: Chart, axis: TimeAxis, window: Window = None, max_points: int = DEFAULT_MAX_POINTS
) -> go.Figure:
    """A LEAN chart drawn by its series types (lines, scatter markers, bars, candles, stacked areas) for
    ``window``. Pie and treemap series (``Assets Sales Volume``) become bars of each series' latest value.

    Beyond ``MAX_SERIES_PER_CHART`` series the largest (by peak) are drawn and the title says how many
    there are; stacked areas add the rest up as one "other" series, so the stack's height stays true.
    """
    series = [s for s in chart.series.values() if len(s)]
    if series and all(s.series_type in LATEST_VALUE_TYPES for s in series):
        return _latest_values_figure(chart.name, series, window)
    notes = []
    skipped = [s for s in series if s.series_type in UNDRAWABLE_TYPES]
    if skipped:
        notes.append(f"{len(skipped)} {skipped[0].series_type} series not drawn")
    series = [s for s in series if s.series_type not in UNDRAWABLE_TYPES]
    if len(series) > MAX_SERIES_PER_CHART:
        series = sorted(series, key=lambda s: -float(cut(s.values, window).abs().max() or 0))
        rest, series = series[MAX_SERIES_PER_CHART - 1 :], series[: MAX_SERIES_PER_CHART - 1]
        if all(s.series_type == "StackedArea" for s in rest):
            notes.append(f"{len(rest)} smallest of {len(series) + len(rest)} series summed as 'other'")
            series.append(_summed(rest))
        else:
            notes.append(f"the {len(series)} largest of {len(series) + len(rest)} series")
    figure = go.Figure()
    for position, item in enumerate(series):
        steps = axis.intraday and chart.name in SYSTEM_CHARTS
        figure.add_trace(_series_trace(item, PALETTE[position % len(PALETTE)], axis, window, max_points, steps))
    title = chart.name + (f" ({'; '.join(notes)})" if notes else "")
    figure.update_layout(**_LAYOUT, height=360, title=title, xaxis_rangeslider_visible=False, dragmode="select")
    if chart.name in FRACTION_CHARTS:
        figure.update_yaxes(tickformat=".0%", hoverformat=".2%")
    elif series and series[0].index_name:
        figure.update_yaxes(title_text=series[0].index_name)
    return apply_time_axis(figure, axis, window)


def _series_trace(
    series: ChartSeries, color: str, axis: TimeAxis, window: Window, max_points: int, steps: bool
) -> go.BaseTraceType:
    """One series as its type asks; with ``steps`` (a daily-sampled LEAN chart on an intraday axis) lines,
    bars and areas hold each sample until the next, as that is all the result knows between samples."""
    color = series.color or color
    label = f"{series.name} ({series.unit})" if series.unit and series.unit not in ("$", "") else series.name
    if series.is_candle:
        points = cut(series.points, window)
        points = points.iloc[:: max(1, len(points) // max_points)]
        return go.Candlestick(
            x=drawn_at(points.index, axis),
            open=points["open"],
            high=points["high"],
            low=points["low"],
            close=points["close"],
            name=label,
        )
    x, y = placed(cut(series.values, window), axis, max_points)
    shape = "hv" if steps else "linear"
    if series.series_type in ("Scatter", "Flag"):
        marker = {"color": color, "symbol": _MARKERS.get(series.scatter_marker_symbol, "circle"), "size": 7}
        return go.Scatter(x=x, y=y, name=label, mode="markers", marker=marker)
    if series.series_type == "Bar" and not steps:
        return go.Bar(x=x, y=y, name=label, marker_color=color)
    if series.series_type == "Bar":
        return go.Scatter(x=x, y=y, name=label, fill="tozeroy", line={"color": color, "shape": shape})
    if series.series_type == "StackedArea":
        return go.Scatter(x=x, y=y, name=label, stackgroup="one", line={"color": color, "width": 0.5, "shape": shape})
    return go.Scatter(x=x, y=y, name=label, mode="lines", line={"color": color, "shape": shape})


def _summed(series: Sequence[ChartSeries]) -> ChartSeries:
    total = pd.concat([s.values for s in series], axis=1).sort_index().ffill().fillna(0).sum(axis=1)
    first = series[0]
    arrays = type(first.arrays)(
        times=total.index.to_numpy(dtype="datetime64[us]"), table=total.to_numpy().reshape(-1, 1), columns=("value",)
    )
    return ChartSeries(
        name=f"other ({len(series)} series)",
        unit=first.unit,
        series_type="StackedArea",
        arrays=arrays,
        color=BENCHMARK_COLOR,
        index_name=first.index_name,
    )


def _latest_values_figure(name: str, series: Sequence[ChartSeries], window: Window) -> go.Figure:
    latest = {}
    for item in series:
        values = cut(item.values, window).dropna()
        if len(values):
            latest[item.name] = float(values.iloc[-1])
    ordered = sorted(latest.items(), key=lambda pair: pair[1])
    figure = go.Figure(
        go.Bar(x=[v for _, v in ordered], y=[k for k, _ in ordered], orientation="h", marker_color=EQUITY_COLOR)
    )
    unit = series[0].unit
    figure.update_layout(
        **_LAYOUT,
        height=max(200, 26 * len(ordered) + 90),
        title=f"{name} (latest value in the window{', ' + unit if unit else ''})",
    )
    return figure


# -- trades -----------------------------------------------------------------------------------------------


def _outcome_colors(trades: pd.DataFrame) -> list[str]:
    return [BUY_COLOR if won else SELL_COLOR for won in wins(trades)]


def pnl_distribution_figure(trades: pd.DataFrame) -> go.Figure:
    """Histogram of the closed trades' profit or loss, wins and losses apart."""
    figure = go.Figure()
    won = wins(trades)
    for label, mask, color in (("Wins", won, BUY_COLOR), ("Losses", ~won, SELL_COLOR)):
        figure.add_trace(go.Histogram(x=trades.loc[mask, "profit_loss"], name=label, marker_color=color, nbinsx=40))
    figure.update_layout(**_LAYOUT, height=320, title="Profit and loss per trade", barmode="overlay", bargap=0.03)
    figure.update_traces(opacity=0.75)
    figure.update_xaxes(title_text="Profit / loss (account currency)")
    return fixed_margins(figure)


def mae_mfe_figure(trades: pd.DataFrame) -> go.Figure:
    """Each trade's maximum adverse excursion against its maximum favourable one, coloured by outcome."""
    text = [
        f"{s} {d} · P&L {p:,.2f}"
        for s, d, p in zip(trades["symbol"], trades["direction"], trades["profit_loss"], strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=trades["mae"],
            y=trades["mfe"],
            mode="markers",
            text=text,
            marker={"color": _outcome_colors(trades), "size": 7, "opacity": 0.8},
            hovertemplate="MAE %{x:,.2f} · MFE %{y:,.2f}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(**_LAYOUT, height=320, title="MAE / MFE per trade (green: win, red: loss)")
    figure.update_xaxes(title_text="Maximum adverse excursion")
    figure.update_yaxes(title_text="Maximum favourable excursion")
    return fixed_margins(figure)


def holding_time_figure(trades: pd.DataFrame) -> go.Figure:
    """Histogram of how long trades were held, in the unit that suits their length."""
    held = holding_times(trades).dt.total_seconds()
    unit, seconds = (
        ("days", 86400) if held.median() >= 86400 else ("hours", 3600) if held.median() >= 3600 else ("minutes", 60)
    )
    figure = go.Figure()
    won = wins(trades)
    for label, mask, color in (("Wins", won, BUY_COLOR), ("Losses", ~won, SELL_COLOR)):
        figure.add_trace(go.Histogram(x=held[mask] / seconds, name=label, marker_color=color, nbinsx=40))
    figure.update_layout(**_LAYOUT, height=320, title="Holding time", barmode="stack", bargap=0.03)
    figure.update_xaxes(title_text=f"Held ({unit})")
    return fixed_margins(figure)


def streaks_figure(runs: pd.DataFrame, axis: TimeAxis) -> go.Figure:
    """Consecutive wins (up) and losses (down), one bar per streak in the order trades closed."""
    heights = runs["length"].where(runs["win"], -runs["length"])
    ends = axis.local(pd.DatetimeIndex(runs["last_exit"])).strftime("%Y-%m-%d %H:%M" if axis.intraday else "%Y-%m-%d")
    figure = go.Figure(
        go.Bar(
            x=list(range(1, len(runs) + 1)),
            y=heights,
            marker_color=[BUY_COLOR if w else SELL_COLOR for w in runs["win"]],
            customdata=list(zip(runs["profit_loss"], ends, strict=True)),
            hovertemplate="%{y} in a row · P&L %{customdata[0]:,.2f} · to %{customdata[1]}<extra></extra>",
        )
    )
    figure.update_layout(**_LAYOUT, height=320, title="Win and loss streaks (trades in a row)", bargap=0.1)
    figure.update_xaxes(title_text="streak, in the order trades closed")
    return fixed_margins(figure)
