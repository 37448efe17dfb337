"""Figures of the Compare page. Every time series of a comparison is one figure with a shared time axis in
the exchange's time, so all panels zoom together and a box drawn on any of them selects one window.

Curves are downsampled for drawing only (extremes kept); every figure is computed on full-detail data. The
lines are SVG, not WebGL: a WebGL canvas taller than the browser window is cut off at the window's height
(seen in Chromium), and this figure is taller than a window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from backtest_core.analysis import relative
from backtest_core.analysis.calendar import EVERY_DAY_PER_YEAR, TradingCalendar
from backtest_core.analysis.comparison import Workbench, relative_frames
from backtest_core.analysis.returns import drawdown
from backtest_core.charts import BENCHMARK_COLOR, PALETTE
from backtest_core.downsample import downsample

FAN_ABOVE = 20  # more runs than this: a median/IQR fan with the runs as faint lines
_POINTS = 2000
_LAYOUT = {"margin": {"l": 60, "r": 20, "t": 40, "b": 30}, "template": "plotly_dark"}


def colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def local_times(index: pd.DatetimeIndex, calendar: TradingCalendar) -> pd.DatetimeIndex:
    """UTC times in the exchange's time zone, or trading dates at their session close (tz-naive)."""
    if index.tz is not None:
        return index.tz_convert(calendar.hours.exchange_tz).tz_localize(None)
    closes = {day: calendar.hours.regular_session(day.date()) for day in index.unique()}
    return pd.DatetimeIndex([closes[day][1] if closes[day] else day for day in index])


def timeline_figure(
    workbench: Workbench,
    labels: Mapping[str, str],
    log_scale: bool = False,
    window_days: int = 126,
    highlight: Sequence[str] = (),
    equal_weight: bool = False,
) -> go.Figure:
    """Growth of 100, drawdown and, against the baseline, excess return, relative drawdown, rolling
    correlation and rolling Sharpe difference: one figure, one time axis."""
    extras = relative_frames(workbench, window_days) if workbench.comparable else {}
    titles = ["Growth of 100 (rebased at the window start)", "Drawdown of closing equity %"]
    titles += [
        f"Excess return vs baseline % ({labels[workbench.baseline]})",
        "Relative drawdown vs baseline %",
        f"Correlation with baseline, rolling {window_days} days",
        f"Sharpe difference vs baseline, rolling {window_days} days",
    ][: len(extras)]
    heights = [0.4, 0.15] + [0.45 / max(len(extras), 1)] * len(extras)
    figure = make_subplots(
        rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=0.035, subplot_titles=titles,
        row_heights=heights,
    )  # fmt: skip
    calendar = workbench.calendar
    many = len(workbench.runs) > FAN_ABOVE
    for position, run in enumerate(workbench.runs):
        run_id = run.facts.id
        style = _style(position, run_id == workbench.baseline, run_id in highlight, many)
        curve = workbench.rebased[run_id]
        _line(figure, curve, labels[run_id], calendar, 1, style, legend=not many or style["width"] > 1)
        closes = workbench.closes[run_id]
        _line(figure, drawdown(closes) * 100, labels[run_id], calendar, 2, style, legend=False)
        for row, frame in enumerate(extras.values(), start=3):
            if run_id in frame:
                _line(figure, frame[run_id], labels[run_id], calendar, row, style, legend=False)
    if many and workbench.comparable:
        _fan(figure, relative.growth(workbench.returns), calendar)
    if equal_weight and workbench.comparable and not workbench.returns.empty:
        combined = relative.growth(relative.equal_weight(workbench.returns))
        line = {"color": "#ffffff", "width": 2, "dash": "dash"}
        _line(figure, combined, "Equal weight (rebalanced daily)", calendar, 1, {"line": line, "width": 2})
    for row in range(3, len(titles) + 1):
        figure.add_hline(y=0, line={"color": BENCHMARK_COLOR, "width": 1}, row=row, col=1)
    figure.update_yaxes(type="log" if log_scale else "linear", row=1, col=1)
    figure.update_xaxes(title_text=f"{calendar.hours.exchange_tz.key} time", row=len(titles), col=1)
    if calendar.periods_per_year != EVERY_DAY_PER_YEAR:  # weekends are not drawn as flat stretches
        figure.update_xaxes(rangebreaks=[{"bounds": ["sat", "mon"]}])
    figure.update_layout(
        **_LAYOUT,
        height=420 + 170 * (len(titles) - 1),
        hovermode="closest" if many else "x unified",
        hoverlabel={"namelength": -1},
        dragmode="select",
        selectdirection="h",
        legend={"orientation": "h", "y": -0.04 if len(titles) > 2 else -0.1},
    )
    return figure


def _style(position: int, baseline: bool, highlighted: bool, many: bool) -> dict[str, object]:
    if baseline or highlighted:
        width = 3 if baseline else 2.5
        return {"line": {"color": colour(position), "width": width}, "width": width}
    if many:  # faint through the colour's alpha: trace opacity makes Chromium composite a layer per trace
        return {"line": {"color": _faint(colour(position)), "width": 1}, "width": 1}
    return {"line": {"color": colour(position), "width": 1.5}, "width": 1.5}


def _faint(hex_colour: str, alpha: float = 0.35) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _line(
    figure: go.Figure, series: pd.Series, name: str, calendar: TradingCalendar, row: int,
    style: Mapping[str, object], legend: bool = True,
) -> None:  # fmt: skip
    drawn = downsample(series.dropna(), _POINTS)
    if drawn.empty:
        return
    figure.add_trace(
        go.Scatter(
            x=local_times(drawn.index, calendar), y=drawn.to_numpy(), name=name, mode="lines",
            line=style["line"], legendgroup=name, showlegend=legend,
            hovertemplate="%{y:.4g}<extra>" + name + "</extra>",
        ),
        row=row, col=1,
    )  # fmt: skip


def _fan(figure: go.Figure, curves: pd.DataFrame, calendar: TradingCalendar) -> None:
    """Median and interquartile band of the runs' growth of 100 (daily closes)."""
    band = relative.fan(curves)
    times = local_times(band.index, calendar)
    figure.add_trace(go.Scatter(x=times, y=band["q75"], mode="lines", line={"width": 0}, name="IQR (25-75%)",
                                legendgroup="fan", showlegend=False, hoverinfo="skip"), row=1, col=1)  # fmt: skip
    figure.add_trace(
        go.Scatter(x=times, y=band["q25"], mode="lines", line={"width": 0}, fill="tonexty", name="IQR (25-75%)",
                   fillcolor="rgba(79,156,247,0.25)", legendgroup="fan", hoverinfo="skip"),
        row=1, col=1,
    )  # fmt: skip
    figure.add_trace(go.Scatter(x=times, y=band["median"], mode="lines", name="Median of runs",
                                line={"color": "#ffffff", "width": 2}), row=1, col=1)  # fmt: skip


def correlation_figure(matrix: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    names = [labels[run_id] for run_id in matrix.columns]
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(), x=names, y=names, zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
            text=matrix.round(2).to_numpy(), texttemplate="%{text}" if len(names) <= 12 else "",
            hovertemplate="%{y} / %{x}: %{z:.3f}<extra></extra>",
        )
    )  # fmt: skip
    figure.update_layout(**_LAYOUT, height=max(320, 26 * len(names) + 140), title="Correlation of daily returns")
    figure.update_yaxes(autorange="reversed")
    return figure


def yearly_figure(yearly: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Yearly returns grouped by year, one bar per run."""
    figure = go.Figure()
    for position, run_id in enumerate(yearly.columns):
        figure.add_trace(
            go.Bar(x=[str(year) for year in yearly.index], y=yearly[run_id] * 100, name=labels[run_id],
                   marker_color=colour(position))
        )  # fmt: skip
    figure.update_layout(**_LAYOUT, height=360, barmode="group", title="Yearly returns % (window)")
    return figure
