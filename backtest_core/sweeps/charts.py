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
from backtest_core.sweeps.summary import SKIPPED, ZERO_TRADES
from backtest_core.sweeps.views import equity_fan

BEST_COLOR = "#ff4081"  # outside Viridis, whose top is yellow: the best never looks like one of the values
FAN_GROUPS = 8  # median lines at most in the fan
MISSING_COLOR = {"failed": "#b04a48", SKIPPED: "#6b6b6b", ZERO_TRADES: "#a57fe0"}
NO_VALUE_COLOR = "#3a3a3a"  # cancelled, queued, running, no run
TEXT_UP_TO = 15  # columns of a heatmap whose cells still fit their number; past this the number is in the hover


def objective_line_figure(frame: pd.DataFrame, parameter: str, objective: str) -> go.Figure:
    """One parameter: the objective as a line, broken where a value has no objective; such values are shaded
    and named by their status (failed, skipped, queued ...), zero-trade runs marked where they lie."""
    order = axis_order(frame[parameter])
    x = frame[parameter].astype(str)
    figure = go.Figure(
        go.Scatter(
            x=x, y=frame["objective"], mode="lines+markers",  # NaN: a gap in the line
            name=objective, customdata=frame["status"],
            hovertemplate=f"{parameter}=%{{x}}<br>{objective} %{{y:.4g}}<br>%{{customdata}}<extra></extra>",
        )
    )  # fmt: skip
    zero = frame[frame["status"] == ZERO_TRADES]
    if not zero.empty:
        figure.add_trace(go.Scatter(x=zero[parameter].astype(str), y=zero["objective"], mode="markers",
                                    name=ZERO_TRADES, marker={"symbol": "diamond-open", "size": 14,
                                                              "color": MISSING_COLOR[ZERO_TRADES]}))  # fmt: skip
    for value, rows in frame[frame["objective"].isna()].groupby(x):
        status = " / ".join(sorted(set(rows["status"])))
        position = order.index(str(value))
        figure.add_vrect(
            x0=position - 0.45, x1=position + 0.45, line_width=0, opacity=0.35,
            fillcolor=MISSING_COLOR.get(status, "#777777"), annotation_text=status, annotation_position="top",
            annotation_textangle=-90,
        )  # fmt: skip
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=380, title=f"{objective} by {parameter}")
    figure.update_xaxes(title_text=parameter, type="category", categoryorder="array", categoryarray=order)
    figure.update_yaxes(title_text=objective)
    return figure


def heatmap_figure(
    values: pd.DataFrame,
    labels: pd.DataFrame,
    x: str,
    y: str,
    objective: str,
    *,
    best: tuple[str, str] | None = None,
    others: str = "",
    maximize: bool = True,
) -> go.Figure:
    """The objective over a pair, brighter = better (the scale turned round when minimising); empty cells coloured
    by why with their word (failed, skipped ...); the best run's cell outlined; ``others`` says what the other
    parameters are (aggregated how, or held where)."""
    columns, rows = [str(c) for c in values.columns], [str(i) for i in values.index]
    hover = f"{x}=%{{x}}<br>{y}=%{{y}}<br>%{{text}}<extra></extra>"
    figure = go.Figure(
        go.Heatmap(
            z=values.to_numpy(), x=columns, y=rows, text=labels.to_numpy(),
            texttemplate="%{text}" if len(columns) <= TEXT_UP_TO else None,
            colorscale="Viridis", reversescale=not maximize, colorbar={"title": objective}, hovertemplate=hover,
        )
    )  # fmt: skip
    missing = values.isna().to_numpy()
    if missing.any():  # one colour per reason, each cell's own word on it (and on no other cell)
        words = labels.to_numpy()
        kind = np.select([words == "failed", words == SKIPPED], [0.0, 1.0], 2.0)
        figure.add_trace(
            go.Heatmap(
                z=np.where(missing, kind, np.nan), x=columns, y=rows, text=np.where(missing, words, ""),
                texttemplate="%{text}", zmin=0, zmax=2, showscale=False, hovertemplate=hover,
                colorscale=[[0, MISSING_COLOR["failed"]], [0.5, MISSING_COLOR[SKIPPED]], [1, NO_VALUE_COLOR]],
            )
        )  # fmt: skip
    if best is not None:  # an outline around the cell, clear of its text
        column, row = columns.index(best[0]), rows.index(best[1])
        figure.add_shape(type="rect", x0=column - 0.48, x1=column + 0.48, y0=row - 0.48, y1=row + 0.48,
                         line={"color": BEST_COLOR, "width": 3})  # fmt: skip
    title = f"{objective}: {y} by {x}" + (f" ({others})" if others else "")
    title += " · outlined: the best run" if best else ""
    figure.update_layout(**{**_LAYOUT, "hovermode": "closest"}, height=460, title=title)
    figure.update_xaxes(title_text=x, type="category")
    figure.update_yaxes(title_text=y, type="category")
    return figure


def parallel_figure(table: pd.DataFrame, parameters: list[str], objective: str) -> go.Figure:
    """Every run with an objective as a line across the parameters' axes and the objective."""
    ran = table[table["objective"].notna()]
    dimensions = []
    for name in parameters:
        order = axis_order(table[name])
        if _all_numbers(order):  # ticks at the grid's values only
            numbers = [float(value) for value in order]
            dimensions.append(
                {"label": name, "values": ran[name].astype(float), "tickvals": numbers, "ticktext": order}
            )
        else:
            codes = ran[name].astype(str).map({value: index for index, value in enumerate(order)})
            dimensions.append({"label": name, "values": codes, "tickvals": list(range(len(order))), "ticktext": order})
    dimensions.append({"label": objective, "values": ran["objective"]})
    figure = go.Figure(
        go.Parcoords(
            line={"color": ran["objective"], "colorscale": "Viridis", "showscale": True}, dimensions=dimensions
        )
    )
    title = f"{objective} across {len(parameters)} parameters ({len(ran)} runs with a value)"
    layout = {**{k: v for k, v in _LAYOUT.items() if k != "hovermode"}, "margin": {"l": 50, "r": 20, "t": 90, "b": 30}}
    figure.update_layout(**layout, height=480, title=title)  # the axes' names sit below the title
    return figure


def equity_overlay_figure(curves: dict[str, pd.Series], colour_by: dict[str, str], parameter: str,
                          best: str | None, fan_from: int) -> go.Figure:  # fmt: skip
    """Every run's normalised equity coloured by ``parameter``, the best on top. Past ``fan_from`` runs: the
    interquartile band of all runs and one median line per value of ``parameter`` in that value's colour (per
    run of neighbouring values past ``FAN_GROUPS`` values, so the fan stays fewer lines than the runs)."""
    figure = go.Figure()
    order = axis_order(pd.Series(list(colour_by.values()))) if colour_by else []
    colours = sample_colorscale(
        "Viridis", [0.25 + 0.75 * i / max(1, len(order) - 1) for i in range(len(order))]
    )  # no near-black on the dark theme
    palette = dict(zip(order, colours, strict=True))
    fan = len(curves) > fan_from
    if fan:
        band = equity_fan(curves)
        figure.add_trace(go.Scatter(x=band.index, y=band["q75"], line={"width": 0}, showlegend=False, name="75%"))
        figure.add_trace(go.Scatter(x=band.index, y=band["q25"], fill="tonexty", line={"width": 0},
                                    fillcolor="rgba(160,160,160,0.25)", name="IQR, all runs"))  # fmt: skip
        for values in np.array_split(np.array(order, dtype=object), min(len(order), FAN_GROUPS)):
            group = {run_id: curve for run_id, curve in curves.items() if colour_by.get(run_id) in set(values)}
            label = f"{parameter}={values[0]}" if len(values) == 1 else f"{parameter} {values[0]} to {values[-1]}"
            figure.add_trace(_scatter(equity_fan(group)["median"], f"{label}: median of {len(group)}",
                                      DEFAULT_MAX_POINTS, line={"color": palette[values[len(values) // 2]],
                                                                "width": 1.5}))  # fmt: skip
    else:
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
        f" (interquartile range of the {len(curves)} runs; medians by {parameter})" if fan else ""
    )
    figure.update_layout(
        **{**_LAYOUT, "hovermode": "closest"}, height=440, title=title, legend={"traceorder": "normal"}
    )  # a filled band would turn the legend upside down
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
