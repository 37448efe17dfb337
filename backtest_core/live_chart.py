"""One Plotly chart that stays mounted across reruns and is updated in place.

Streamlit 1.67's ``st.plotly_chart`` hashes the figure into its element id even when a key is given, so a changed
figure is always a new chart: React mounts it anew and Plotly draws it from nothing (``newPlot``), ~170 ms of the
browser's CPU before the figure's own draw. A ``st.components.v2`` component with a key keeps its id whatever its
data (``key_as_main_identity=True``): the element stays mounted, its script is called again with the new figure and
hands it to ``Plotly.react``, which redraws only what changed.

Plotly.js comes from the installed Python plotly package (the same version as the figures), served by Streamlit's
component file route; the script loads it once per page. A figure sent unchanged costs the browser nothing, and one
sent while the chart is hidden (a closed tab) is drawn when the chart is shown. A box drawn on the chart is sent back
as the ``box`` trigger (its x bounds, as Plotly reports them). When Plotly cannot be loaded or drawn, the chart's
place says so. A figure can be sent as ``ChartFigure`` (its JSON made once): a cached one then costs the rerun no
serialising (plotly.py deep-copies and encodes the whole figure, ~20 ms for the equity chart).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io
import streamlit as st
from streamlit.components.v1 import declare_component

PLOTLY_FOLDER = Path(plotly.__file__).parent / "package_data"  # plotly.min.js of the installed package
PLOTLY_DEFAULT_HEIGHT = 450  # Plotly's own when a figure sets none

_JS = """
function plotlyOnce(url) {
  // one load per page, shared by every live chart; a failed load is tried again by the next chart update
  if (!window.__liveChartPlotly) {
    window.__liveChartPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error(`${url} defined no Plotly`)));
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    }).catch((error) => {
      window.__liveChartPlotly = null;
      throw error;
    });
  }
  return window.__liveChartPlotly;
}

// how many figures the chart was sent: a page watching it (a benchmark) knows a new one arrived before it is drawn
const countSent = (chart) => (chart.plot.dataset.sent = String(Number(chart.plot.dataset.sent || 0) + 1));

const shown = (chart) => chart.plot.offsetParent !== null && chart.plot.clientWidth > 0;

function themed(layout, element) {
  // the page's background and font, as Streamlit's theme gives its own charts
  const style = getComputedStyle(element);
  const background = style.getPropertyValue("--st-background-color").trim();
  const font = style.getPropertyValue("--st-font").trim();
  return {
    ...layout,
    paper_bgcolor: layout.paper_bgcolor ?? (background || undefined),
    plot_bgcolor: layout.plot_bgcolor ?? (background || undefined),
    font: { ...(layout.font || {}), family: (layout.font || {}).family ?? (font || undefined) },
  };
}

async function settle(chart) {
  // draws the latest figure sent until it is the one drawn; one loop per chart at a time
  if (chart.running) return;
  chart.running = true;
  try {
    while (chart.wanted !== chart.drawn) {
      if (!shown(chart)) {
        chart.plot.dataset.state = "waiting";  // drawn when shown (ResizeObserver)
        return;
      }
      chart.plot.dataset.state = "drawing";
      const text = chart.wanted;
      const Plotly = await plotlyOnce(chart.script);
      const figure = JSON.parse(text);
      await Plotly.react(chart.plot, figure.data, themed(figure.layout || {}, chart.plot), chart.config);
      chart.drawn = text;
      chart.width = chart.plot.clientWidth;
      if (!chart.listening) {
        // after the first draw: Plotly's first plot clears the element's listeners
        chart.plot.on("plotly_selected", (event) => {
          if (event && event.range && event.range.x) chart.send("box", { x: event.range.x });
        });
        chart.listening = true;
      }
    }
    chart.plot.dataset.state = "drawn";
  } catch (error) {
    chart.plot.dataset.state = "failed";
    chart.plot.hidden = true;
    chart.message.hidden = false;
    chart.message.textContent = `The chart could not be drawn: ${error.message}. Reload the page to try again.`;
  } finally {
    chart.running = false;
  }
}

export default function ({ data, parentElement, setTriggerValue }) {
  let chart = parentElement.__liveChart;
  if (!chart) {
    const plot = document.createElement("div");
    plot.className = "live-chart";
    plot.style.width = "100%";
    const message = document.createElement("div");
    message.className = "live-chart-failed";
    message.setAttribute("role", "alert");
    message.hidden = true;
    message.style.cssText = "padding:1rem;border:1px solid var(--st-red-color);color:var(--st-red-text-color)";
    parentElement.append(plot, message);
    chart = { plot, message, wanted: null, drawn: null, width: 0, running: false, listening: false };
    chart.observer = new ResizeObserver(() => {
      if (!shown(chart) || chart.running) return;
      if (chart.wanted !== chart.drawn) settle(chart);
      else if (chart.drawn !== null && chart.plot.clientWidth !== chart.width) {
        chart.width = chart.plot.clientWidth;
        window.Plotly.Plots.resize(chart.plot);
      }
    });
    chart.observer.observe(plot);
    parentElement.__liveChart = chart;
  }
  if (data.figure !== chart.wanted) countSent(chart);
  Object.assign(chart, { send: setTriggerValue, script: data.script, config: data.config, wanted: data.figure });
  settle(chart);
  return () => {
    chart.observer.disconnect();
    if (window.Plotly) window.Plotly.purge(chart.plot);
    delete parentElement.__liveChart;
  };
}
"""

_chart = st.components.v2.component("live_plotly_chart", js=_JS, isolate_styles=False)


def _plotly_script_url() -> str:
    """Where the page's browser fetches plotly.min.js: Streamlit serves a declared v1 component's folder at
    ``component/<module>.<name>/<file>`` (relative, so a ``server.baseUrlPath`` is kept). Declared on every call:
    the registry belongs to the running server (a test's AppTest runs its own), and declaring again is a no-op."""
    return f"component/{declare_component('plotly', path=PLOTLY_FOLDER).name}/plotly.min.js"


@dataclass(frozen=True, slots=True)
class ChartFigure:
    """A figure as a live chart is sent it: its JSON text and its height in pixels."""

    json: str
    height: int


def chart_figure(figure: go.Figure) -> ChartFigure:
    return ChartFigure(plotly.io.to_json(figure, validate=False), int(figure.layout.height or PLOTLY_DEFAULT_HEIGHT))


def live_chart(
    figure: go.Figure | ChartFigure,
    key: str,
    config: Mapping[str, object],
    on_box: Callable[[list[object]], None] | None = None,
) -> None:
    """Draw ``figure`` in the chart under ``key``, in place of the figure drawn there before; ``on_box`` gets the x
    bounds of a box drawn on it. Keep ``key`` the same across reruns, or the chart is mounted anew."""
    sent = figure if isinstance(figure, ChartFigure) else chart_figure(figure)

    def boxed() -> None:
        box = st.session_state[key].get("box")
        if on_box is not None and box and box.get("x"):
            on_box(box["x"])

    _chart(
        key=key,
        data={"figure": sent.json, "config": dict(config), "script": _plotly_script_url()},
        height=sent.height,
        on_box_change=boxed,
    )
