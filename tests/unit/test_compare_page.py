"""The Compare page through AppTest on real imported LEAN results: window, exclusions, limits, no exception."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core import runs
from backtest_core.compare_runs import compare
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from tests.unit.test_pages import page

ALGORITHMS = Path(__file__).parent.parent / "algorithms"


@pytest.fixture
def fixture_ids(studio_home: Settings, lean_fixtures: Path, lean_data: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    store = RunStore(Settings())
    report = import_path(store, lean_fixtures)
    assert not report.skipped
    return {Path(store.get(run_id).source_path).name: run_id for run_id in report.imported}


def _texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_overlapping_runs_share_a_window_and_a_late_one_is_listed_with_its_reason(fixture_ids):
    names = ("cli2025-spy-daily-13y", "cli2025-csharp-graham-667orders-large", "cloud2025-qqq-options-449orders",
             "cli2024-ondata-runtimeerror")  # fmt: skip
    ids = [fixture_ids[name] for name in names]
    app = page("compare", ids=",".join(ids))
    assert not app.error, _texts(app.error)
    assert "Window 2019-01-02 – 2025-05-30" in " ".join(_texts(app.subheader))
    left_out = " ".join(_texts(app.warning))
    assert "2 run(s) left out" in left_out and "does not overlap" in left_out and "the run failed" in left_out
    frames = [frame.value for frame in app.dataframe]
    assert any("Sharpe Ratio" in frame.index for frame in frames)  # LEAN's printed full-run statistics
    assert any("Δ Sharpe" in frame.columns for frame in frames)
    assert {frame.proto.placeholder for frame in app.dataframe} == {"–"}  # ui.MISSING, not the word None


def test_runs_that_share_no_day_are_a_message_not_a_crash(fixture_ids):
    ids = [fixture_ids["lean2020-testdata-basictemplate"], fixture_ids["cli2025-spy-minute-sma-301orders"]]
    app = page("compare", ids=",".join(ids))
    message = " ".join(_texts(app.error))
    assert "1 comparable run(s), at least 2 are needed" in message and "does not overlap" in message


def test_duplicates_are_merged_and_more_than_fifty_ids_are_refused(fixture_ids):
    spy, graham = fixture_ids["cli2025-spy-daily-13y"], fixture_ids["cli2025-csharp-graham-667orders-large"]
    app = page("compare", ids=f"{spy},{graham},{spy}")
    assert any("Merged duplicate ids" in text for text in _texts(app.info))
    many = ",".join([spy, graham] + [f"imp-20990101-000000-{i:06x}" for i in range(49)])
    app = page("compare", ids=many)
    assert any("51 runs are in this link; a comparison holds at most 50" in text for text in _texts(app.error))


def test_one_run_and_an_empty_store_ask_for_more(studio_home, fixture_ids):
    app = page("compare", ids=fixture_ids["cli2025-spy-daily-13y"])
    assert any("Pick at least two runs" in text for text in _texts(app.info))


def test_a_run_whose_equity_stops_early_shows_its_real_data_end(studio_home, lean_data, monkeypatch):
    """A run that quits on 2020-09-30 of a period to 2020-12-31, beside one that runs it all: the header shows
    both the period and where the data really ends, a note says so, and the common window stops there."""
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    settings = Settings()
    period = {"start_date": date(2020, 1, 2), "end_date": date(2020, 12, 31)}
    requests = [BacktestRequest(strategy=str(ALGORITHMS / "quits_early"), **period),
                BacktestRequest(strategy="buy_and_hold", **period)]  # fmt: skip
    done = [runs.wait(runs.submit(request, settings), settings, timeout=180) for request in requests]
    assert all(run.status == BacktestStatus.COMPLETED for run in done), [run.error for run in done]
    quits, full = (run.id for run in done)
    app = page("compare", ids=f"{quits},{full}")
    assert "Window 2020-01-02 – 2020-09-30" in " ".join(_texts(app.subheader))
    facts = app.dataframe[0].value.set_index("role")
    assert facts.loc["baseline", "period"] == "2020-01-02 – 2020-12-31"
    assert facts.loc["baseline", "data"] == "2020-01-02 – 2020-09-30"
    assert facts.loc["", "data"] == "2020-01-02 – 2020-12-31"
    notes = " ".join(_texts(app.info))
    assert f"({quits}): its equity ends 2020-09-30, before its period's end 2020-12-31" in notes
    assert f"({full})" not in notes
    out = compare([quits, full], settings).comparison()
    assert [run.period["data"] for run in out.runs] == [
        {"start": date(2020, 1, 2), "end": date(2020, 9, 30)},
        {"start": date(2020, 1, 2), "end": date(2020, 12, 31)},
    ]
