"""Plotly figures of results, shared by the pages and the offline HTML report.

Every series is downsampled (extremes kept) before drawing, so a 13-year daily or a one-year minute result
draws as fast as a small one. Figures carry no Streamlit code.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from backtest_core.analysis.returns import drawdown as drawdown_of
from backtest_core.downsample import DEFAULT_MAX_POINTS, downsample
from backtest_core.results import Chart

BUY_COLOR = "#2ca02c"
SELL_COLOR = "#d62728"
EQUITY_COLOR = "#4f9cf7"
BENCHMARK_COLOR = "#aaaaaa"
PALETTE = ("#4f9cf7", "#f7a34f", "#59c27a", "#e0605e", "#a57fe0", "#8c6d62", "#e47ac3", "#9a9a9a", "#c9c94a", "#4ac9c9")

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 40, "b": 30}, "hovermode": "x unified", "template": "plotly_dark"}


def _scatter(series: pd.Series, name: str, max_points: int, **kwargs: object) -> go.Scattergl:
    drawn = downsample(series.dropna(), max_points)
    return go.Scattergl(x=drawn.index, y=drawn.to_numpy(), name=name, mode="lines", **kwargs)


def scaled_benchmark(benchmark: pd.Series, equity: pd.Series) -> pd.Series:
    """The benchmark rescaled to start at the equity curve's first value (0-valued samples dropped)."""
    prices = benchmark[benchmark > 0]
    if prices.empty or equity.empty:
        return pd.Series(dtype=float)
    return prices / prices.iloc[0] * float(equity.iloc[0])


def equity_figure(
    equity: pd.Series,
    benchmark: pd.Series | None = None,
    drawdown: pd.Series | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
) -> go.Figure:
    """Equity (with the benchmark scaled to the same start) above its drawdown, on one time axis."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04)
    figure.add_trace(_scatter(equity, "Equity", max_points, line={"color": EQUITY_COLOR}), row=1, col=1)
    if benchmark is not None and not benchmark.empty:
        scaled = scaled_benchmark(benchmark, equity)
        if not scaled.empty:
            line = {"color": BENCHMARK_COLOR, "dash": "dot"}
            figure.add_trace(_scatter(scaled, "Benchmark (scaled)", max_points, line=line), row=1, col=1)
    underwater = drawdown_of(equity) * 100 if drawdown is None or drawdown.empty else drawdown
    figure.add_trace(
        _scatter(underwater, "Drawdown %", max_points, fill="tozeroy", line={"color": SELL_COLOR}), row=2, col=1
    )
    figure.update_yaxes(title_text="Equity", row=1, col=1)
    figure.update_yaxes(title_text="Drawdown %", row=2, col=1)
    figure.update_layout(**_LAYOUT, height=520, legend={"orientation": "h", "y": 1.08})
    return figure


def trades_figure(price: pd.Series, fills: pd.DataFrame, title: str, max_points: int = DEFAULT_MAX_POINTS) -> go.Figure:
    """A price (or equity) line with buy and sell markers; ``fills`` has time, price, quantity columns."""
    figure = go.Figure()
    figure.add_trace(_scatter(price, title, max_points, line={"color": EQUITY_COLOR}))
    for label, mask, color, symbol in (
        ("Buy", fills["quantity"] > 0, BUY_COLOR, "triangle-up"),
        ("Sell", fills["quantity"] < 0, SELL_COLOR, "triangle-down"),
    ):
        chosen = fills[mask]
        if chosen.empty:
            continue
        figure.add_trace(
            go.Scattergl(
                x=chosen["time"],
                y=chosen["price"],
                mode="markers",
                name=label,
                marker={"color": color, "symbol": symbol, "size": 9},
                text=[f"{q:+g} @ {p:.4g}" for q, p in zip(chosen["quantity"], chosen["price"], strict=True)],
                hovertemplate="%{text}<extra>" + label + "</extra>",
            )
        )
    figure.update_layout(**_LAYOUT, height=420, title=title)
    return figure


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


# Charts LEAN's result handler draws for every algorithm (and the pre-2023 alpha charts); the rest are the
# algorithm's own ``plot`` charts.
SYSTEM_CHARTS = frozenset(
    {
        "Strategy Equity",
        "Drawdown",
        "Benchmark",
        "Capacity",
        "Exposure",
        "Portfolio Turnover",
        "Assets Sales Volume",
        "Portfolio Margin",
        "Alpha",
        "Alpha Assets",
        "Insight Count",
    }
)
MAX_SERIES_PER_CHART = 30  # LEAN's own default limit (maximum-chart-series)
_MARKERS = {"circle": "circle", "square": "square", "diamond": "diamond", "triangle": "triangle-up",
            "triangle-down": "triangle-down"}  # fmt: skip


def custom_chart_figures(result_charts: Mapping[str, Chart], system: bool = False) -> list[go.Figure]:
    """One figure per algorithm chart (or, with ``system``, per LEAN default chart other than equity)."""
    figures = []
    for name, chart in result_charts.items():
        if (name in SYSTEM_CHARTS) != system or name in ("Strategy Equity", "Drawdown", "Benchmark"):
            continue
        figure = chart_figure(chart)
        if figure.data:
            figures.append(figure)
    return figures


def chart_figure(chart: Chart, max_points: int = DEFAULT_MAX_POINTS) -> go.Figure:
    """A LEAN chart drawn by its series types: lines, scatter markers, bars, candles, stacked areas."""
    figure = go.Figure()
    for position, series in enumerate(list(chart.series.values())[:MAX_SERIES_PER_CHART]):
        if len(series) == 0 or series.series_type in ("Pie", "Treemap", "Heatmap", "Scatter3d"):
            continue
        color = series.color or PALETTE[position % len(PALETTE)]
        label = f"{series.name} ({series.unit})" if series.unit and series.unit not in ("$", "") else series.name
        if series.is_candle:
            points = series.points.iloc[-max_points:]
            figure.add_trace(
                go.Candlestick(
                    x=points.index,
                    open=points["open"],
                    high=points["high"],
                    low=points["low"],
                    close=points["close"],
                    name=label,
                )
            )
        elif series.series_type == "Bar":
            values = downsample(series.values, max_points)
            figure.add_trace(go.Bar(x=values.index, y=values.to_numpy(), name=label, marker_color=color))
        elif series.series_type in ("Scatter", "Flag"):
            values = downsample(series.values, max_points)
            marker = {"color": color, "symbol": _MARKERS.get(series.scatter_marker_symbol, "circle"), "size": 7}
            figure.add_trace(
                go.Scattergl(x=values.index, y=values.to_numpy(), name=label, mode="markers", marker=marker)
            )
        elif series.series_type == "StackedArea":
            values = downsample(series.values, max_points)
            figure.add_trace(
                go.Scatter(x=values.index, y=values.to_numpy(), name=label, stackgroup="one", line={"color": color})
            )
        else:
            figure.add_trace(_scatter(series.values, label, max_points, line={"color": color}))
    figure.update_layout(**_LAYOUT, height=360, title=chart.name, xaxis_rangeslider_visible=False)
    return figure
