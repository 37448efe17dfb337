"""What every page says about a run's numbers (AppTest, real store, real runs and real LEAN fixtures): the
SYNTHETIC label, stored warnings, the backtest period, and honest words when a result file is missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backtest_core import runs
from backtest_core.models import BacktestRequest, BacktestStatus
from backtest_core.sample_data import write_sample_data
from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from backtest_core.views import grouped_notice_texts
from tests.apptest_pages import page

pytestmark = pytest.mark.slow


def texts(app: AppTest) -> list[str]:
    return [w.value for w in app.warning] + [i.value for i in app.info] + [c.value for c in app.caption]


@pytest.fixture
def synthetic_run(studio_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real embedded run on the SYNTHETIC sample whose period reaches past the sample's end."""
    data = tmp_path / "sample"
    write_sample_data(data, start=date(2019, 1, 2), end=date(2020, 12, 31), minute_days=2)
    monkeypatch.setenv("BACKTEST_DATA", str(data))
    settings = Settings()
    request = BacktestRequest(strategy="buy_and_hold", start_date=date(2020, 1, 2), end_date=date(2021, 3, 31))
    run = runs.wait(runs.submit(request, settings), settings, timeout=120)
    assert run.status == BacktestStatus.COMPLETED, run.error
    return run.id


def test_result_page_labels_synthetic_data_and_shows_the_period_and_the_warning(synthetic_run: str) -> None:
    app = page("result", id=synthetic_run)
    shown = texts(app)
    assert any("SYNTHETIC data" in text for text in shown)
    assert any("ends 2020-12-31" in text for text in shown)
    assert any("2020-01-02 to 2021-03-31 · daily · starting capital 100,000" in text for text in shown)
    assert any("· prices only 2020-01-02 to 2020-12-31" in text for text in shown)  # the days it had data for


def test_history_has_period_columns_and_the_data_label(synthetic_run: str) -> None:
    app = page("history")
    frame = app.dataframe[0].value
    row = frame[frame["id"] == synthetic_run].iloc[0]
    assert str(row["period start"])[:10] == "2020-01-02" and str(row["period end"])[:10] == "2021-03-31"
    assert row["data"] == "SYNTHETIC" and row["resolution"] == "daily" and "data ends early" in row["warnings"]


def test_compare_names_each_run_with_its_notices(synthetic_run: str, lean_fixtures: Path) -> None:
    store = RunStore(Settings())
    imported = import_path(store, lean_fixtures / "cli2025-spy-daily-13y").imported[0]
    app = page("compare", ids=f"{synthetic_run},{imported}")
    shown = texts(app)
    assert any("SYNTHETIC data" in text and "buy_and_hold" in text for text in shown)
    covered = next(frame.value for frame in app.dataframe if "data source" in frame.value.columns)
    assert set(covered["data source"]) == {"SYNTHETIC", "unknown"}
    assert "2020-01-02 – 2021-03-31" in set(covered["period"])


def test_many_runs_share_one_synthetic_label_and_one_list_of_warnings(synthetic_run: str) -> None:
    store = RunStore(Settings())
    run = store.get(synthetic_run)
    assert run.description.warnings  # the fixture's run goes past its data
    notices = grouped_notice_texts([(run, "first"), (run, "second"), (run, "third")])
    assert [kind for kind, _ in notices] == ["synthetic", "warning"]
    assert notices[0][1].startswith("SYNTHETIC data. All runs (first, second, third) were computed")
    lines = notices[1][1].splitlines()  # one line per warning, naming every run it holds for
    assert lines == [f"- **first, second, third**: {warning.message}" for warning in run.description.warnings]
    assert grouped_notice_texts([(run, "only")])[0][1].startswith("SYNTHETIC data. only was computed")


def test_run_and_monitor_pages_say_the_data_folder_is_synthetic(synthetic_run: str) -> None:
    for name in ("run", "monitor"):
        assert any("SYNTHETIC data" in text for text in texts(page(name))), name


def test_a_run_cancelled_before_any_result_says_so_not_truncated(synthetic_run: str) -> None:
    store = RunStore(Settings())
    main = store.run_dir(synthetic_run) / f"{store.algorithm_id(synthetic_run)}.json"
    main.unlink()  # what a run stopped before its engine wrote anything leaves
    store.finalize(synthetic_run, BacktestStatus.CANCELLED, error="Cancelled by the user.")
    app = page("result", id=synthetic_run)
    assert any("cancelled before the engine wrote one" in text for text in texts(app))
    assert not any("truncated" in e.value.lower() for e in app.error)


def test_the_offline_report_carries_the_same_notices(synthetic_run: str) -> None:
    from backtest_core import report
    from backtest_core.views import notice_texts

    store = RunStore(Settings())
    run = store.get(synthetic_run)
    document = report.build_report(store.result(run.id), run.name, "", None, [t for _, t in notice_texts(run)])
    assert "SYNTHETIC data. This result was computed" in document and "ends 2020-12-31" in document
