"""Market-on-close orders as LEAN's ``PreOrderChecksImpl`` and ``EquityFillModel.MarketOnCloseFill`` define them.

An order later than ``MarketOnCloseOrder.SubmissionTimeBuffer`` (15.5 minutes by default, a static the algorithm
may set) before the next regular close is refused with LEAN's message naming the buffer; an accepted one fills once
the first regular close after its submission is reached, at the latest trade close.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from backtest_core.engines.base import EngineOutcome
from tests.unit.test_embedded_engine import debug_lines, run_source


def _run(tmp_path: Path, lean_data: Path, initialize: str, times: list[str], extended: bool = False) -> EngineOutcome:
    source = textwrap.dedent(f"""
        class Algo(QCAlgorithm):
            def initialize(self):
                self.set_start_date(2013, 10, 7)
                self.set_end_date(2013, 10, 8)
                self.add_equity("SPY", Resolution.MINUTE, extended_market_hours={extended})
                self.placed = set()
                {initialize}

            def on_data(self, data):
                now = self.time.strftime("%d %H:%M")
                if now in {times!r} and now not in self.placed:
                    self.placed.add(now)
                    ticket = self.market_on_close_order("SPY", 1)
                    self.debug(f"placed {{now}} {{ticket.status.name}}")

            def on_order_event(self, event):
                if event.status == OrderStatus.FILLED:
                    self.debug(f"filled {{event.order_id}} {{event.fill_price}}")
        """)
    return run_source(tmp_path, lean_data, source)


def _texts(tmp_path: Path) -> list[str]:
    return debug_lines(tmp_path / "out")


def test_the_default_buffer_is_fifteen_and_a_half_minutes(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "pass", ["07 15:44", "07 15:45"])
    assert outcome.status == "completed", outcome.error
    lines = _texts(tmp_path)
    assert any(line.endswith("placed 07 15:44 SUBMITTED") for line in lines)
    assert any(line.endswith("placed 07 15:45 INVALID") for line in lines)
    assert any("must be placed within 00:15:30 before market close" in line for line in lines)


def test_the_algorithm_sets_the_buffer_under_either_name(lean_data: Path, tmp_path: Path) -> None:
    initialize = (
        "MarketOnCloseOrder.submission_time_buffer = timedelta(minutes=10)\n"
        "                self.debug(f'buffer {MarketOnCloseOrder.SubmissionTimeBuffer} "
        "{MarketOnCloseOrder.DEFAULT_SUBMISSION_TIME_BUFFER}')"
    )
    outcome = _run(tmp_path, lean_data, initialize, ["07 15:49", "07 15:51"])
    assert outcome.status == "completed", outcome.error
    lines = _texts(tmp_path)
    assert any(line.endswith("buffer 0:10:00 0:15:30") for line in lines)
    assert any(line.endswith("placed 07 15:49 SUBMITTED") for line in lines)
    assert any(line.endswith("placed 07 15:51 INVALID") for line in lines)
    assert any("must be placed within 00:10:00 before market close" in line for line in lines)


def test_each_backtest_starts_from_leans_default_buffer(lean_data: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert _run(first, lean_data, "MarketOnCloseOrder.submission_time_buffer = timedelta(minutes=1)", []).status
    second = tmp_path / "second"
    outcome = _run(second, lean_data, "pass", ["07 15:50"])
    assert outcome.status == "completed", outcome.error
    assert any(line.endswith("placed 07 15:50 INVALID") for line in _texts(second))


def test_an_order_placed_after_the_close_fills_at_the_next_close(lean_data: Path, tmp_path: Path) -> None:
    """With post-market data the order waits for the next regular close (16:00 the next day), not the next bar."""
    outcome = _run(tmp_path, lean_data, "pass", ["07 15:30", "07 16:48"], extended=True)
    assert outcome.status == "completed", outcome.error
    fills = [line for line in _texts(tmp_path) if " filled " in line]
    assert [line[:19] for line in fills] == ["2013-10-07 16:00:00", "2013-10-08 16:00:00"]


def test_a_buffer_that_is_no_duration_is_refused_by_name(lean_data: Path, tmp_path: Path) -> None:
    outcome = _run(tmp_path, lean_data, "MarketOnCloseOrder.submission_time_buffer = 10", [])
    assert outcome.status == "failed"
    assert "MarketOnCloseOrder.submission_time_buffer = int" in outcome.error
