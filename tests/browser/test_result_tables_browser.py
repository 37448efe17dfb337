"""The Result page's orders and trades tables in Chromium over a real server: the symbol, direction and tag
filters show exactly the orders (and closed trades) the result file holds for that choice, and picking an order
shows its events. Results: LEAN fixtures imported with ``python -m backtest_core import`` (a cloud options
download without order events, a CLI minute run, a CLI multi-symbol C# run) and an embedded multi-symbol run;
every expected count is computed from the result through backtest_core's parser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from backtest_core import runs
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.results import LeanResult
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore
from tests.browser.conftest import require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1200)]

FIXTURES = {
    "cloud options": "cloud2025-qqq-options-449orders",  # 449 orders over ~90 contracts, tagged, no events file
    "cli minute": "cli2025-spy-minute-sma-301orders",  # one symbol, "Liquidated" tags, an events file
    "cli multi-symbol": "cli2025-csharp-graham-667orders-large",  # 667 orders over 15 stocks, events
}
ROWS = """n => { const t = document.querySelectorAll("[data-testid='stDataFrame'] table")[n];
  return t ? Number(t.getAttribute('aria-rowcount')) - 1 : -1; }"""
# the rows the grid has drawn (it draws those in view), each a {column: text} object
DRAWN = """n => { const t = document.querySelectorAll("[data-testid='stDataFrame'] table")[n];
  const names = [...t.querySelectorAll('thead th')].map(c => c.textContent);
  return [...t.querySelectorAll('tbody tr')].map(r => Object.fromEntries(
    [...r.querySelectorAll('td')].map((c, i) => [names[i], c.textContent]))); }"""
ROW_HEIGHT = 35  # Streamlit's data grid: header and rows


@dataclass
class World:
    home: Path
    data: Path
    ids: dict[str, str]  # run id by case
    results: dict[str, LeanResult]  # the parsed result by case


def _cli(home: Path, data: Path, *args: str) -> str:
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(data)}
    done = subprocess.run([sys.executable, "-m", "backtest_core", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, lean_fixtures: Path) -> World:
    """The fixtures imported through the CLI and an embedded momentum rotation over four ETFs."""
    require_chromium()
    root = tmp_path_factory.mktemp("result-tables")
    home, data = root / "home", root / "data"
    write_sample_data(data, start=date(2019, 1, 2), end=date(2019, 12, 31), minute_days=0)
    settings = Settings(home=home, data=data)
    ids = {
        case: json.loads(_cli(home, data, "import", str(lean_fixtures / name), "--json"))["imported"][0]
        for case, name in FIXTURES.items()
    }
    request = BacktestRequest(strategy="momentum_rotation", start_date=date(2019, 1, 2), end_date=date(2019, 12, 31))
    done = runs.wait(runs.submit(request, settings), settings, timeout=600)
    assert done.status == BacktestStatus.COMPLETED, done.error
    ids["embedded"] = done.id
    store = RunStore(settings)
    return World(home, data, ids, {case: store.result(run_id) for case, run_id in ids.items()})


@pytest.fixture(scope="module")
def url(world: World) -> Iterator[str]:
    with streamlit_server(world.home, world.data) as address:
        yield address


def _open_orders(page, address: str) -> None:
    page.goto(f"{address}&tab=Trades&part=Orders")
    wait_for_app(page, timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    _no_exception(page)


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:3000]


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the multiselect ``label`` (typing opens the list), then close it to send the change."""
    page.locator("[data-testid='stMultiSelect']").filter(has_text=label).get_by_role("combobox").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page, timeout=60_000)


def _part(page, name: str) -> None:
    page.locator("[data-testid='stButtonGroup']").filter(has_text="Show").get_by_role("radio", name=name).click()
    wait_for_app(page, timeout=60_000)


def _shown_rows(page, expected: int, grid: int = 0) -> list[dict[str, str]]:
    """The grid's row count once it is ``expected`` (failing with the count shown), and the rows it drew."""
    try:
        page.wait_for_function(f"n => ({ROWS})(n) === {expected}", arg=grid, timeout=60_000)
    except Exception as error:
        raise AssertionError(f"grid {grid} shows {page.evaluate(ROWS, grid)} rows, expected {expected}") from error
    _no_exception(page)
    return page.evaluate(DRAWN, grid)


def _select_row(page, position: int) -> None:
    """Tick the selection box of the orders grid's row at ``position`` (0: the first; it must be in view)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + ROW_HEIGHT * (position + 1) + ROW_HEIGHT / 2)
    wait_for_app(page, timeout=60_000)


def _second_symbol(orders: pd.DataFrame) -> str:
    """The symbol with the most orders after the first (the first when there is one): a choice that changes the
    count wherever the result has more than one symbol."""
    counts = orders["symbol"].value_counts()
    return str(counts.index[1 if len(counts) > 1 else 0])


@pytest.mark.parametrize("case", ["cloud options", "cli minute", "cli multi-symbol", "embedded"])
def test_symbol_direction_and_tag_filters_show_the_result_s_orders_and_trades(page, url, world, case) -> None:
    result = world.results[case]
    orders, trades = result.orders, result.closed_trades
    _open_orders(page, f"{url}/result?id={world.ids[case]}")
    _shown_rows(page, len(orders))
    page.get_by_text(f"Orders in the window ({len(orders):,} of {len(orders):,})").wait_for()

    symbol = _second_symbol(orders)
    _choose(page, "Symbols", symbol)
    picked = orders[orders["symbol"] == symbol]
    drawn = _shown_rows(page, len(picked))
    assert drawn and {row["symbol"] for row in drawn} == {symbol}
    page.get_by_text(f"Orders in the window ({len(picked):,} of {len(orders):,})").wait_for()

    side = picked["direction"].value_counts().index[-1]  # the rarer side of this symbol's orders
    _choose(page, "Direction", side)
    picked = picked[picked["direction"] == side]
    drawn = _shown_rows(page, len(picked))
    assert {(row["symbol"], row["direction"]) for row in drawn} == {(symbol, side)}

    tags = picked["tag"].astype(str)
    tag = tags[tags != ""].value_counts().index[0] if (tags != "").any() else None
    if tag is not None:
        _choose(page, "Order tag", tag)
        picked = picked[picked["tag"] == tag]
        drawn = _shown_rows(page, len(picked))
        assert {(row["symbol"], row["direction"], row["tag"]) for row in drawn} == {(symbol, side, tag)}
    screenshot(page, f"result-orders-filtered-{case.replace(' ', '-')}")

    # a side filters the orders only; closed trades follow the symbol (and a Long/Short choice)
    _part(page, "Closed trades")
    of_symbol = trades[trades["symbol"] == symbol]
    _shown_rows(page, len(of_symbol))
    page.get_by_text(f"Closed trades in the window ({len(of_symbol):,} of {len(trades):,})").wait_for()
    trade_direction = of_symbol["direction"].value_counts().index[0] if len(of_symbol) else None
    if trade_direction is not None:
        _choose(page, "Direction", trade_direction)
        kept = of_symbol[of_symbol["direction"] == trade_direction]
        drawn = _shown_rows(page, len(kept))
        assert {(row["symbol"], row["direction"]) for row in drawn} == {(symbol, trade_direction)}


@pytest.mark.parametrize("case", ["cli minute", "cli multi-symbol", "embedded"])
def test_picking_an_order_shows_its_events_and_a_new_filter_forgets_the_pick(page, url, world, case) -> None:
    result = world.results[case]
    orders, events = result.orders, result.order_events
    _open_orders(page, f"{url}/result?id={world.ids[case]}")
    _shown_rows(page, len(orders))
    page.get_by_text("Select an order to see its events").wait_for()

    position = 3
    order = orders.iloc[position]
    _select_row(page, position)
    own = events[events["order_id"] == order["id"]]
    assert len(own) >= 2  # submitted, then filled
    page.get_by_text(f"Events of order {order['id']}", exact=True).wait_for(timeout=60_000)
    drawn = _shown_rows(page, len(own), grid=1)
    assert [row["status"] for row in drawn] == list(own["status"])
    assert {row["direction"] for row in drawn} == {order["direction"]}
    screenshot(page, f"result-order-events-{case.replace(' ', '-')}")

    # another table of orders: the row position picked before would be another order, so nothing is picked
    symbol = _second_symbol(orders) if orders["symbol"].nunique() > 1 else None
    if symbol is not None:
        _choose(page, "Symbols", symbol)
    else:
        _choose(page, "Direction", orders["direction"].iloc[0])
    page.get_by_text("Select an order to see its events").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stDataFrame']").count() == 1
    _no_exception(page)


def test_a_result_without_order_events_says_so_when_an_order_is_picked(page, url, world) -> None:
    result = world.results["cloud options"]
    assert result.order_events.empty  # a cloud download holds no order-events file
    _open_orders(page, f"{url}/result?id={world.ids['cloud options']}")
    _shown_rows(page, len(result.orders))
    _select_row(page, 0)
    page.get_by_text("This result has no order-events file").wait_for(timeout=60_000)
    _no_exception(page)
