"""The Result page as an analyst uses it, in Chromium over a real server: minute results (an embedded-engine
run and an imported LEAN minute result) and a daily one zoomed by box, range button and slider with the
window's statistics following; closed time cut out of intraday axes; the headline whole at 1280 px; LEAN's
standard charts drawn for every shared fixture that holds them; the log tab's files, search and filter."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError, expect

from backtest_core import charts, runs, views
from backtest_core import result_views as rv
from backtest_core.analysis.drawdowns import worst_drawdowns
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.results import load_result
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from tests.browser.conftest import new_context, require_chromium, screenshot, streamlit_server, tracked, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1200)]

MINUTE_FIXTURE = "cli2025-spy-minute-sma-301orders"
STANDARD = charts.EXPOSURE_CHARTS + charts.TRADING_CHARTS + charts.INSIGHT_CHARTS
# where each standard chart is drawn: a tab, and on Trades its "LEAN's charts" part
TABS_OF_STANDARD = (("Trades&part=LEAN%27s+charts", charts.TRADING_CHARTS),
                    ("Exposure", charts.EXPOSURE_CHARTS + charts.INSIGHT_CHARTS))  # fmt: skip
WINDOW = ".st-key-window-statistics"
# the worst-drawdowns grid's rows as {column: text}, from the grid's accessible table (every row of five)
DRAWDOWN_ROWS = """() => { const t = document.querySelector("[data-testid='stDataFrame'] table");
  if (!t) return [];
  const names = [...t.querySelectorAll('thead th')].map(c => c.textContent);
  return [...t.querySelectorAll('tbody tr')].map(r => Object.fromEntries(
    [...r.querySelectorAll('td')].map((c, i) => [names[i], c.textContent]))); }"""
DRAWDOWN_HEADERS = ["#", "peak", "trough", "recovered", "depth", "days", "to trough", "to recover"]
# the grid scrolls sideways when its columns are wider than its box: then the last ones are out of view
OUT_OF_VIEW = """() => { const s = document.querySelector("[data-testid='stDataFrame'] .dvn-scroller");
  return s.scrollWidth > s.clientWidth + 1 ? [s.scrollWidth, s.clientWidth] : []; }"""
# headline values wider than their box (Streamlit cuts those with an ellipsis)
CUT_OFF = """() => [...document.querySelectorAll("[data-testid='stMetricValue'], [data-testid='stMetricValue'] *")]
  .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)"""
# a chart drawn whose title starts with the argument
CHART_TITLED = """name => [...document.querySelectorAll('.js-plotly-plot')]
  .some(p => p._fullLayout && ((p._fullLayout.title || {}).text || '').replace(/<[^>]+>/g, '').startsWith(name))"""
# the x axes Plotly drew for the equity chart (its panels share one; the lower panel carries the title)
EQUITY_AXES = """() => { const layout = document.querySelector('.js-plotly-plot')._fullLayout;
  return Object.keys(layout).filter(k => /^xaxis\\d*$/.test(k)).sort().map(k => layout[k]); }"""

# a chart on view drawn by Plotly (the equity chart is drawn in the browser once its figure arrives)
SHOWN_CHART_DRAWN = "[...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent && p._fullData)"


@dataclass
class World:
    home: Path
    data: Path
    ids: dict[str, str]  # run id by case name
    fixtures: dict[str, str]  # run id by shared fixture name


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, lean_fixtures: Path) -> World:
    """Synthetic SPY data with minutes from 2019-10-29; an embedded minute and daily run; every fixture imported."""
    require_chromium()
    root = tmp_path_factory.mktemp("result-page")
    home, data = root / "home", root / "data"
    write_sample_data(data, start=date(2019, 1, 2), end=date(2019, 12, 31), minute_days=45, tickers=("SPY",))
    settings = Settings(home=home, data=data)
    requests = {
        "embedded minute": BacktestRequest(strategy="sma_crossover", start_date=date(2019, 11, 1),
                                           end_date=date(2019, 12, 31), resolution="minute"),
        "embedded daily": BacktestRequest(strategy="sma_crossover", start_date=date(2019, 3, 1),
                                          end_date=date(2019, 12, 31), parameters={"fast": "5", "slow": "20"}),
    }  # fmt: skip
    submitted = {name: runs.submit(request, settings) for name, request in requests.items()}
    ids = {}
    for name, run in submitted.items():
        done = runs.wait(run, settings, timeout=600)
        assert done.status == BacktestStatus.COMPLETED, done.error
        ids[name] = done.id
    store = RunStore(settings)
    fixtures = {}
    for folder in sorted(p for p in lean_fixtures.iterdir() if p.is_dir()):
        report = import_path(store, folder)
        if report.imported:
            fixtures[folder.name] = report.imported[0]
    ids["imported minute"] = fixtures[MINUTE_FIXTURE]
    return World(home, data, ids, fixtures)


@pytest.fixture(scope="module")
def url(world: World) -> Iterator[str]:
    with streamlit_server(world.home, world.data) as address:
        yield address


def _visit(page, address: str) -> None:
    page.goto(address)
    wait_for_app(page, timeout=120_000)
    # a shown chart: on another tab than Equity the first one is the equity chart kept mounted, hidden
    page.wait_for_function(SHOWN_CHART_DRAWN, timeout=60_000)
    _no_exception(page)


def _figures_sent(page) -> str | None:
    """How many figures the equity chart has been sent so far (its ``data-sent``)."""
    return page.evaluate("() => document.querySelector('.live-chart').dataset.sent ?? null")


def _equity_drawn(page, sent_before: str | None = None) -> None:
    """Until the equity chart (a live chart, drawn in the browser after the rerun) has drawn the last figure sent;
    with ``sent_before`` (``_figures_sent`` before a change), until a figure sent after it is drawn: the rerun's
    figure reaches the chart after its window statistics, so "drawn" alone may still be the previous figure."""
    page.wait_for_function(
        "sent => { const chart = document.querySelector('.live-chart');"
        " return chart.dataset.state === 'drawn' && (sent === null || chart.dataset.sent !== sent); }",
        arg=sent_before,
        timeout=60_000,
    )


def _titles(page) -> list[str]:
    """Each shown chart's title (LEAN chart names, the figure's own title) as text; the equity chart kept mounted
    in the closed Equity tab is not shown."""
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null)"
        ".map(p => (p._fullLayout.title || {}).text || '')"
    )
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:3000]
    assert page.get_by_text("Page not found").count() == 0


def _window_text(page) -> str:
    return page.locator(WINDOW).inner_text()


def _changed(page, before: str) -> str:
    """The window statistics once a rerun has changed them (failing with both texts when none did)."""
    wait_for_app(page, timeout=120_000)
    _no_exception(page)
    deadline = time.monotonic() + 60  # the rerun's last deltas are drawn after its script state ends
    while (after := _window_text(page)) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert after != before, f"window statistics did not change:\n{before}"
    return after


def _box_zoom(page) -> None:
    """Drag a box over the middle third of the equity chart's top panel."""
    layer = page.locator(".js-plotly-plot").first.locator(".nsewdrag").first
    layer.scroll_into_view_if_needed()
    box = layer.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 2 / 3, y + 20, steps=8)
    page.mouse.up()


def _drag_slider_start(page) -> None:
    thumb = page.locator("[data-testid='stSlider'] input[aria-label='Window — start']").locator("xpath=../..")
    thumb.scroll_into_view_if_needed()
    box = thumb.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()


def _range_button(page, name: str):
    return page.locator("[data-testid='stButtonGroup']").get_by_role("radio", name=name, exact=True)


@pytest.mark.parametrize("case", ["embedded minute", "imported minute", "embedded daily"])
def test_zoom_by_box_range_button_and_slider_updates_the_window_statistics(page, url, world, case) -> None:
    run_id = world.ids[case]
    _visit(page, f"{url}/result?id={run_id}")
    whole = _window_text(page)
    assert re.search(r"return -?\d", whole) and "trades closed" in whole, whole

    _box_zoom(page)
    boxed = _changed(page, whole)
    assert "from=" in page.url and "to=" in page.url, page.url
    screenshot(page, f"result-zoom-box-{case.replace(' ', '-')}")

    _range_button(page, "All").click()
    assert _changed(page, boxed) == whole
    assert "from=" not in page.url

    _drag_slider_start(page)
    slid = _changed(page, whole)
    screenshot(page, f"result-zoom-slider-{case.replace(' ', '-')}")

    if case != "imported minute":  # the fixture is one month long: 1M is all of it
        _range_button(page, "1M").click()
        month = _changed(page, slid)
        start, end = re.search(r"Window (\S+)[^→]*→ (\S+)", month).groups()
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days in range(28, 32), month

    page.reload()  # the window is in the URL: a reload (or a shared link) shows the same one
    wait_for_app(page, timeout=120_000)
    assert _window_text(page) == (month if case != "imported minute" else slid)


@pytest.mark.parametrize("case", ["embedded minute", "imported minute", "embedded daily"])
def test_intraday_axes_skip_closed_time_in_the_exchange_zone(page, url, world, case) -> None:
    _visit(page, f"{url}/result?id={world.ids[case]}")
    axes = page.evaluate(EQUITY_AXES)
    [title] = {axis["title"]["text"] for axis in axes if axis["title"]["text"].endswith("(America/New_York)")}
    breaks = axes[0].get("rangebreaks") or []
    if case == "embedded daily":
        assert title.startswith("Date") and not breaks
    else:
        assert title.startswith("Time") and len(breaks) > 20  # every night and weekend
        night = next(b["bounds"] for b in breaks if b["bounds"][0].endswith("16:00:00"))
        assert night[1].endswith("09:30:00"), night


def test_headline_and_worst_drawdowns_are_whole_at_1280_px(browser, url, world) -> None:
    """The headline with period, resolution and engine, and every column of the worst drawdowns in view, an
    unrecovered one's recovery and time to recover read "not recovered" (never the grid's "None")."""
    context = new_context(browser, 1280, 900)
    page = tracked(context.new_page())
    store = RunStore(Settings(home=world.home))
    unrecovered_cases = 0
    try:
        for case, run_id in world.ids.items():
            _visit(page, f"{url}/result?id={run_id}")
            # the headline's eight figures; under load the browser may still be drawing them when a chart is up
            page.wait_for_function("document.querySelectorAll(\"[data-testid='stMetricValue']\").length >= 8")
            cut = page.evaluate(CUT_OFF)
            assert cut == [], f"{case}: cut off {cut}"
            header = page.locator("[data-testid='stCaptionContainer']").nth(1).inner_text()
            assert re.search(r"Backtest \d{4}-\d\d-\d\d .* (minute|daily).* engine (embedded|lean)", header), header

            worst = worst_drawdowns(store.result(run_id).equity, 5)
            grid = page.locator("[data-testid='stDataFrame']").first
            grid.scroll_into_view_if_needed()
            page.wait_for_function(f"() => ({DRAWDOWN_ROWS})().length === {len(worst)}", timeout=60_000)
            rows = page.evaluate(DRAWDOWN_ROWS)
            assert list(rows[0]) == DRAWDOWN_HEADERS, rows[0]
            hidden = page.evaluate(OUT_OF_VIEW)
            assert hidden == [], f"{case}: columns past the grid's visible width: {hidden}"
            expected = [pd.isna(at) for at in worst["recovery"]]
            shown = [row["recovered"] == rv.NOT_RECOVERED for row in rows]
            assert shown == expected, rows
            assert [row["to recover"] == rv.NOT_RECOVERED for row in rows] == expected, rows
            assert not any("None" in text for row in rows for text in row.values()), rows
            unrecovered_cases += any(expected)
            screenshot(page, f"result-headline-1280-{case.replace(' ', '-')}")
    finally:
        context.close()
    assert unrecovered_cases  # the imported minute result ends under water, so the case is covered


def test_lean_standard_charts_are_drawn_for_every_fixture_that_holds_them(page, url, world, lean_fixtures) -> None:
    checked = 0
    for name, run_id in world.fixtures.items():
        present = charts.standard_charts(load_result(lean_fixtures / name).charts, STANDARD)
        for tab, where in TABS_OF_STANDARD:
            expected = [chart.name for chart in present if chart.name in where]
            if not expected:
                continue
            page.goto(f"{url}/result?id={run_id}&tab={tab}")
            wait_for_app(page, timeout=120_000)
            _no_exception(page)
            for chart in expected:
                try:
                    page.wait_for_function(CHART_TITLED, arg=chart, timeout=60_000)
                except TimeoutError as error:
                    raise AssertionError(f"{name}: {chart} not drawn on {tab}; drawn: {_titles(page)}") from error
            screenshot(page, f"result-standard-{tab.split('&')[0].lower()}-{name}")
            checked += 1
    assert checked >= 19  # the fixtures' (tab, charts) pairs, counted from the files


def test_custom_charts_tab_shows_the_algorithm_s_own_charts_only(page, url, world) -> None:
    _visit(page, f"{url}/result?id={world.ids['embedded daily']}&tab=Custom+charts")
    assert _titles(page) == ["Moving averages"]


def test_equity_chart_stays_mounted_across_a_tab_change(page, url, world) -> None:
    """Back to Equity from another tab redraws nothing: the same Plotly chart, not one mounted anew."""
    _visit(page, f"{url}/result?id={world.ids['embedded daily']}")
    page.evaluate("""() => { const p = document.querySelector('.js-plotly-plot'); p.__kept = true; window.__drawn = 0;
      p.on('plotly_afterplot', () => window.__drawn++); }""")
    for tab in ("Trades", "Equity"):
        page.get_by_role("tab", name=tab, exact=True).click()
        wait_for_app(page, timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)  # the Equity tab's drawdowns
    _no_exception(page)
    kept = page.evaluate("() => [document.querySelector('.js-plotly-plot').__kept === true, window.__drawn]")
    assert kept == [True, 0]

    # a zoom on another tab redraws the kept chart while hidden: back on Equity it has the window, at full width
    page.get_by_role("tab", name="Trades", exact=True).click()
    wait_for_app(page, timeout=120_000)
    sent = _figures_sent(page)
    _range_button(page, "1M").click()
    wait_for_app(page, timeout=120_000)
    page.get_by_role("tab", name="Equity", exact=True).click()
    wait_for_app(page, timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    _equity_drawn(page, sent)
    width, shown, kept, (start, end) = page.evaluate("""() => { const p = document.querySelector('.js-plotly-plot');
      return [p.getBoundingClientRect().width, p.closest('.stBidiComponent').getBoundingClientRect().width, p.__kept,
              p._fullLayout.xaxis.range]; }""")
    assert width == pytest.approx(shown, abs=2) and width > 500
    assert kept is True  # drawn into the same chart, not a new one
    assert (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days in range(28, 32), (start, end)


# the equity chart's node marked, its x range and its first trace's x values (decoded by Plotly)
EQUITY_STATE = """() => { const p = document.querySelector('.js-plotly-plot');
  return {kept: p.__kept === true, range: p._fullLayout.xaxis.range, xs: Array.from(p._fullData[0].x)}; }"""


def test_a_zoom_redraws_the_same_equity_chart_in_place(page, url, world) -> None:
    """A range button and a box update the mounted equity chart (Plotly.react), never a chart mounted anew; its
    Plotly.js is the installed plotly package's, served by Streamlit's component file route as JavaScript."""
    with page.expect_response(lambda response: response.url.endswith("/plotly.min.js")) as script:
        _visit(page, f"{url}/result?id={world.ids['embedded minute']}")
    assert script.value.status == 200 and "javascript" in script.value.headers["content-type"], script.value.headers
    _equity_drawn(page)
    page.evaluate("() => { document.querySelector('.js-plotly-plot').__kept = true; }")
    whole = page.evaluate(EQUITY_STATE)

    before, sent = _window_text(page), _figures_sent(page)
    _range_button(page, "1M").click()
    _changed(page, before)
    _equity_drawn(page, sent)
    month = page.evaluate(EQUITY_STATE)
    assert month["kept"], "the equity chart was mounted anew"
    start, end = (date.fromisoformat(bound[:10]) for bound in month["range"])
    assert (end - start).days in range(28, 32), month["range"]
    assert month["xs"] != whole["xs"] and len(month["xs"]) > 1
    shown = pd.to_datetime(month["xs"])
    assert shown.min().date() >= start and shown.max().date() <= end, (shown.min(), shown.max(), month["range"])

    before, sent = _window_text(page), _figures_sent(page)
    _box_zoom(page)
    start, end = re.search(r"Window (\S+ \S+) → (\S+ \S+)", _changed(page, before)).groups()
    _equity_drawn(page, sent)
    boxed = page.evaluate(EQUITY_STATE)
    # the range buttons and the slider follow the box: none chosen, the slider at the window's bounds
    assert _range_button(page, "1M").get_attribute("aria-checked") == "false"
    expect(page.locator("[data-testid='stSlider']")).to_contain_text(f"{start}{end}")
    assert boxed["kept"] and boxed["range"] != month["range"], boxed["range"]
    assert page.evaluate("() => (document.querySelector('.js-plotly-plot').layout.selections || []).length") == 0
    _no_exception(page)
    screenshot(page, "result-live-equity-boxed")


# the fills chart: the second live chart on the Trades tab (the first is the equity chart kept in the closed Equity tab)
FILLS_CHART = "document.querySelectorAll('.live-chart')[1]"


def test_a_zoom_on_the_fills_part_redraws_its_chart_in_place(page, url, world) -> None:
    """The other time charts are live charts too: a range button on Trades' fills redraws the same chart with the
    window's range, not a chart mounted anew."""
    _visit(page, f"{url}/result?id={world.ids['embedded minute']}&tab=Trades&part=Fills")
    page.wait_for_function(f"() => {FILLS_CHART} && {FILLS_CHART}.dataset.state === 'drawn'", timeout=60_000)
    assert page.evaluate(f"() => {FILLS_CHART}._fullLayout.title.text").startswith("SPY price")
    sent = page.evaluate(f"() => {{ {FILLS_CHART}.__kept = true; return {FILLS_CHART}.dataset.sent; }}")
    before = _window_text(page)
    _range_button(page, "1M").click()
    _changed(page, before)
    page.wait_for_function(
        f"sent => {FILLS_CHART}.dataset.state === 'drawn' && {FILLS_CHART}.dataset.sent !== sent", arg=sent,
        timeout=60_000,
    )  # fmt: skip
    kept, (start, end) = page.evaluate(f"() => [{FILLS_CHART}.__kept === true, {FILLS_CHART}._fullLayout.xaxis.range]")
    assert kept, "the fills chart was mounted anew"
    assert (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days in range(28, 32), (start, end)
    _no_exception(page)
    screenshot(page, "result-live-fills-1m")


def test_the_chart_shows_exchange_time_in_a_browser_in_another_zone(browser, url, world) -> None:
    """Plotly reads epoch numbers on a date axis in the browser's zone: in Tokyo every point would move 9 hours,
    off the closed spans. Each point is drawn at the exchange time it was sent, the whole run's and a 1M window's."""
    context = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 1000})
    page = tracked(context.new_page())
    try:
        _visit(page, f"{url}/result?id={world.ids['embedded minute']}")
        _equity_drawn(page)
        for step in ("whole", "1M"):
            if step == "1M":
                before, sent = _window_text(page), _figures_sent(page)
                _range_button(page, "1M").click()
                _changed(page, before)
                _equity_drawn(page, sent)
            sent_x, drawn_x = page.evaluate("""() => { const p = document.querySelector('.js-plotly-plot');
              return [Array.from(p._fullData[0].x), p.calcdata[0].map(point => p._fullLayout.xaxis.c2d(point.x))]; }""")
            assert len(sent_x) > 1 and list(pd.to_datetime(drawn_x)) == list(pd.to_datetime(sent_x)), step
            # the session's times of day, never Tokyo's (09:30-16:00 New York is 23:30-06:00 there)
            assert all(9 * 60 + 30 <= t.hour * 60 + t.minute <= 16 * 60 for t in pd.to_datetime(drawn_x)), step
        _no_exception(page)
    finally:
        context.close()


def test_the_equity_chart_says_so_when_plotly_cannot_be_loaded(page, url, world) -> None:
    page.route("**/plotly.min.js", lambda route: route.abort())
    page.goto(f"{url}/result?id={world.ids['embedded daily']}")
    wait_for_app(page, timeout=120_000)
    alert = page.locator(".live-chart-failed")
    alert.wait_for(timeout=60_000)
    assert "could not be drawn" in alert.inner_text() and "plotly.min.js" in alert.inner_text()
    _no_exception(page)
    screenshot(page, "result-live-equity-failed")


def _code_lines(page) -> list[str]:
    shown = page.locator("[data-testid='stTabs'] [data-testid='stCode']").inner_text()
    return [line.strip() for line in shown.splitlines() if line.strip()]


def test_log_tab_has_every_log_a_level_filter_a_search_and_a_download(page, url, world, lean_fixtures) -> None:
    name = "cli2024-ondata-runtimeerror"  # an engine log with TRACE and ERROR records, and the algorithm's log
    folder = lean_fixtures / name
    engine_log = views.log_sources(load_result(folder), folder)["Engine log (log.txt)"]
    page.goto(f"{url}/result?id={world.fixtures[name]}&tab=Log")
    wait_for_app(page, timeout=120_000)
    files = page.locator("[data-testid='stButtonGroup']").filter(has_text="Log file")
    files.get_by_role("radio", name="Engine log (log.txt)").wait_for(timeout=60_000)
    files.get_by_role("radio", name="Algorithm log (1241477031-log.txt)").wait_for()

    page.locator("[data-testid='stMultiSelect']").filter(has_text="Levels").get_by_role("combobox").click()
    page.keyboard.type("ERR")  # the list opens as one types
    page.get_by_role("option", name="ERROR", exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    lines, matched = rv.log_lines(engine_log, ("ERROR",))
    assert matched >= 1
    page.get_by_text(f"{matched:,} records match").wait_for()
    assert _code_lines(page) == [line.strip() for line in lines if line.strip()]

    page.get_by_label("Search").fill("Runtime Error:")
    page.keyboard.press("Enter")
    wait_for_app(page)
    lines, matched = rv.log_lines(engine_log, ("ERROR",), "Runtime Error:")
    page.get_by_text(f"{matched:,} records match").wait_for()
    assert _code_lines(page) == [line.strip() for line in lines if line.strip()]
    page.get_by_role("button", name="Download log.txt").wait_for()
    _no_exception(page)
    screenshot(page, "result-log-filtered")
