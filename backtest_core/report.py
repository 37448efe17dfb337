"""A self-contained HTML report of one result: the detail page's charts and statistics, openable offline.

Plotly's JavaScript is embedded once, so the file needs no network; tables are plain HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from backtest_core import charts
from backtest_core.analysis import periods, returns
from backtest_core.analysis.drawdowns import worst_drawdowns
from backtest_core.analysis.sessions import TimeAxis, time_axis
from backtest_core.results import LeanResult

_STYLE = """
body { font-family: -apple-system, Segoe UI, Roboto, sans-serif; background: #0e1117; color: #fafafa;
       margin: 24px auto; max-width: 1200px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #333; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 4px 10px; border-bottom: 1px solid #262730; }
th { text-align: left; color: #aaa; font-weight: normal; } .grid { display: grid;
grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 0 24px; } .muted { color: #888; }
.notice { background: #3b3520; color: #ffd966; padding: 8px 12px; border-radius: 6px; }
.stat { display: flex; justify-content: space-between; padding: 4px 0; border-bottom: 1px solid #262730; }
"""


REPORT_ROWS = 500  # rows of the orders and trades tables; the page's CSV downloads hold them all


def build_report(result: LeanResult, title: str, subtitle: str = "", axis: TimeAxis | None = None,
                 notices: Sequence[str] = ()) -> str:  # fmt: skip
    """The whole report as one HTML document; ``axis`` is the result's time axis (UTC dates without one);
    ``notices`` (the SYNTHETIC label, stored warnings) head it, as they head the page: a file travels alone."""
    axis = axis or time_axis(result.equity, [], None)
    sections = [f"<h1>{html.escape(title)}</h1>"]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections.append(f'<p class="muted">{html.escape(subtitle)} · generated {generated} by Backtest Studio</p>')
    sections += [f'<p class="notice">{html.escape(text)}</p>' for text in notices]
    if result.runtime_error:
        sections.append(f"<h2>Error</h2><pre>{html.escape(result.runtime_error)}</pre>")
    sections.append("<h2>Statistics</h2>" + _statistics_grid(result.statistics.raw))
    equity = result.equity
    if not equity.empty:
        sections.append("<h2>Equity and drawdown</h2>")
        worst = worst_drawdowns(equity)
        sections.append(_figure(charts.equity_figure(equity, axis, None, result.benchmark, worst)))
        monthly = periods.monthly_returns(equity)
        if not monthly.empty:
            sections.append(_figure(charts.monthly_returns_figure(monthly)))
            sections.append(_figure(charts.yearly_returns_figure(periods.yearly_returns(equity))))
        daily = returns.daily_returns(equity)
        if len(daily) > 1:
            sections.append(_figure(charts.returns_distribution_figure(daily)))
    if result.runtime_statistics:
        sections.append("<h2>Runtime statistics</h2>" + _statistics_grid(result.runtime_statistics))
    for heading, frame in (("Closed trades", result.closed_trades), ("Orders", result.orders)):
        if frame.empty:
            continue
        shown = f" (the first {REPORT_ROWS:,} of {len(frame):,})" if len(frame) > REPORT_ROWS else ""
        sections.append(f"<h2>{heading}{shown}</h2>" + _table(frame.head(REPORT_ROWS)))
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>{body}</body></html>"
    )


def _figure(figure: go.Figure) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False)


def _statistics_grid(statistics: dict[str, str]) -> str:
    cells = "".join(
        f'<div class="stat"><span class="muted">{html.escape(name)}</span><b>{html.escape(str(value))}</b></div>'
        for name, value in statistics.items()
    )
    return f'<div class="grid">{cells}</div>' if cells else '<p class="muted">none</p>'


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, na_rep="", escape=True)
