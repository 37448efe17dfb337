"""Plotly figures of a sweep: objective line, heatmap, parallel coordinates, equity overlay or fan, PBO logits.

Figures only; the numbers come from ``sweeps.views`` and ``sweeps.summary``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from backtest_core.analysis.robustness import axis_order
from backtest_core.charts import _LAYOUT, _scatter
from backtest_core.downsample import DEFAULT_MAX_POINTS
from backtest_core.sweeps.views import equity_fan

BEST_COLOR = "#ffd54f"
MISSING_COLOR = {"failed": "#e0605e", "skipped": "#777777", "zero trades": "#a57fe0"}


def objective_line_figure(frame: pd.DataFrame, parameter: str, objective: str) -> go.Figure:
    """One parameter: the objective as a line over the runs that have one, markers for those that do not."""
    figure = go.Figure()
    ran = frame[frame["objective"].notna()]
    figure.add_trace(go.Scatter(x=ran[parameter].astype(str), y=ran["objective"], mode="lines+markers", name=objective))
    for status, color in MISSING_COLOR.items():
        rows = frame[(frame["status"] == status) & frame["objective"].isna()]
        if not rows.empty:
            figure.add_trace(
                go.Scatter(
                    x=rows[parameter].astype(str),
                    y=[0.0] * len(rows),
                    mode="markers",
                    name=status,
                    marker={"symbol": "x", "size": 12, "color": color},
                )
            )
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=380, title=f"{objective} by {parameter}")
    figure.update_xaxes(
        title_text=parameter, type="category", categoryorder="array", categoryarray=axis_order(frame[parameter])
    )
    figure.update_yaxes(title_text=objective)
    return figure


def heatmap_figure(values: pd.DataFrame, labels: pd.DataFrame, x: str, y: str, objective: str,
                   best: tuple[str, str] | None = None) -> go.Figure:  # fmt: skip
    """The objective over a pair; empty cells are drawn grey with their word (failed, skipped ...)."""
    figure = go.Figure(
        go.Heatmap(
            z=values.to_numpy(), x=[str(c) for c in values.columns], y=[str(i) for i in values.index],
            text=labels.to_numpy(), texttemplate="%{text}", colorscale="Viridis", colorbar={"title": objective},
            hovertemplate=f"{x}=%{{x}}<br>{y}=%{{y}}<br>%{{text}}<extra></extra>",
        )
    )  # fmt: skip
    missing = values.isna().to_numpy()
    if missing.any():
        figure.add_trace(
            go.Heatmap(
                z=np.where(missing, 1.0, np.nan), x=[str(c) for c in values.columns], y=[str(i) for i in values.index],
                text=labels.to_numpy(), texttemplate="%{text}", colorscale=[[0, "#444444"], [1, "#444444"]],
                showscale=False, hovertemplate=f"{x}=%{{x}}<br>{y}=%{{y}}<br>%{{text}}<extra></extra>",
            )
        )  # fmt: skip
    if best is not None:
        figure.add_trace(
            go.Scatter(
                x=[best[0]],
                y=[best[1]],
                mode="markers",
                name="best",
                marker={"symbol": "square-open", "size": 44, "color": "#ff4081", "line": {"width": 4}},
            )
        )
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=460, title=f"{objective}: {y} by {x}")
    figure.update_xaxes(title_text=x, type="category")
    figure.update_yaxes(title_text=y, type="category")
    return figure


def parallel_figure(table: pd.DataFrame, parameters: list[str], objective: str) -> go.Figure:
    """Every run with an objective as a line across the parameters' axes and the objective."""
    ran = table[table["objective"].notna()]
    dimensions = []
    for name in parameters:
        order = axis_order(table[name])
        codes = ran[name].astype(str).map({value: index for index, value in enumerate(order)})
        numeric = _all_numbers(order)
        dimensions.append(
            {"label": name, "values": ran[name].astype(float) if numeric else codes}
            if numeric
            else {"label": name, "values": codes, "tickvals": list(range(len(order))), "ticktext": order}
        )
    dimensions.append({"label": objective, "values": ran["objective"]})
    figure = go.Figure(
        go.Parcoords(
            line={"color": ran["objective"], "colorscale": "Viridis", "showscale": True}, dimensions=dimensions
        )
    )
    title = f"{objective} across {len(parameters)} parameters ({len(ran)} runs with a value)"
    figure.update_layout(**{k: v for k, v in _LAYOUT.items() if k != "hovermode"}, height=460, title=title)
    return figure


def equity_overlay_figure(curves: dict[str, pd.Series], colour_by: dict[str, str], parameter: str,
                          best: str | None, fan_from: int) -> go.Figure:  # fmt: skip
    """Every run's normalised equity coloured by ``parameter`` (a fan past ``fan_from`` runs), the best on top."""
    figure = go.Figure()
    order = axis_order(pd.Series(list(colour_by.values()))) if colour_by else []
    if len(curves) > fan_from:
        fan = equity_fan(curves)
        figure.add_trace(go.Scatter(x=fan.index, y=fan["q75"], line={"width": 0}, showlegend=False, name="75%"))
        figure.add_trace(go.Scatter(x=fan.index, y=fan["q25"], fill="tonexty", line={"width": 0},
                                    fillcolor="rgba(79,156,247,0.3)", name="interquartile range"))  # fmt: skip
        figure.add_trace(go.Scatter(x=fan.index, y=fan["median"], line={"color": "#4f9cf7"}, name="median"))
    else:
        colours = sample_colorscale(
            "Viridis", [0.25 + 0.75 * i / max(1, len(order) - 1) for i in range(len(order))]
        )  # no near-black on the dark theme
        palette = dict(zip(order, colours, strict=True))
        shown: set[str] = set()
        for run_id, curve in curves.items():
            value = colour_by.get(run_id, "")
            figure.add_trace(
                _scatter(
                    curve,
                    f"{parameter}={value}",
                    DEFAULT_MAX_POINTS,
                    line={"color": palette.get(value), "width": 1},
                    legendgroup=value,
                    showlegend=value not in shown,
                    opacity=0.8,
                )
            )
            shown.add(value)
    if best is not None and best in curves:
        figure.add_trace(_scatter(curves[best], f"best ({parameter}={colour_by.get(best, '')})", DEFAULT_MAX_POINTS,
                                  line={"color": BEST_COLOR, "width": 3}))  # fmt: skip
    title = "Equity of every run, normalised to 100" + (
        f" (median and IQR of {len(curves)} runs)" if len(curves) > fan_from else ""
    )
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=440, title=title)
    figure.update_yaxes(title_text="Growth of 100")
    return figure


def logits_figure(logits: list[float]) -> go.Figure:
    """The distribution of CSCV's logits: mass at or below 0 is the PBO."""
    figure = go.Figure(go.Histogram(x=logits, nbinsx=40, marker={"color": "#4f9cf7"}))
    figure.add_vline(x=0, line={"color": "#e0605e", "dash": "dash"})
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=300,
                         title="Logits of the in-sample winner's out-of-sample rank (≤ 0: overfit)")  # fmt: skip
    return figure


def _all_numbers(values: list[str]) -> bool:
    try:
        [Decimal(value) for value in values]
    except InvalidOperation:
        return False
    return True
