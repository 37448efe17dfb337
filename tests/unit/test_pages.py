"""Each page's logic through Streamlit's AppTest (no browser): real store, real LEAN fixtures, real data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core.settings import Settings
from backtest_core.store import RunStore, import_path
from backtest_core.ui import PAGE_FILES
from tests.apptest_pages import page


@pytest.fixture
def imported(studio_home: Settings, lean_fixtures: Path, lean_data: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    report = import_path(RunStore(Settings()), lean_fixtures)
    assert not report.skipped
    return report.imported


def test_fresh_machine_every_page_renders_and_gets_sample_data(studio_home: Settings) -> None:
    for name in tuple(PAGE_FILES):
        page(name)
    assert (studio_home.data_dir / "SYNTHETIC_DATA_README.md").exists()


def test_result_page_opens_every_lean_fixture(imported: list[str]) -> None:
    store = RunStore(Settings())
    for run_id in imported:
        app = page("result", id=run_id)
        run = store.get(run_id)
        if run.status.value == "failed":
            assert app.error, f"{run_id}: a failed run must show its error first"
        else:
            assert not app.error, (run_id, [e.value for e in app.error])
            assert app.metric, run_id


def test_deleted_or_bad_id_in_the_url_is_a_clear_message(imported: list[str]) -> None:
    app = page("result", id="imp-20990101-000000-abcdef")
    assert any("not found" in e.value.lower() or "no run" in e.value.lower() for e in app.error)
    app = page("result", id="../../etc")
    assert app.error


def test_history_lists_the_imported_runs(imported: list[str]) -> None:
    app = page("history")
    frames = [frame.value for frame in app.dataframe] + [editor.value for editor in app.get("arrow_data_frame")]
    assert any(len(frame) == len(imported) for frame in frames if hasattr(frame, "__len__"))


def test_run_page_rejects_end_before_start_next_to_the_field(studio_home: Settings, lean_data: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    app = page("run")
    app.checkbox[0].check()
    app.date_input[0].set_value(date(2020, 1, 1))
    app.date_input[1].set_value(date(2019, 1, 1))
    app.button[0].click().run()
    assert any("end" in e.value.lower() for e in app.error), [e.value for e in app.error]
    assert RunStore(Settings()).list().total == 0


def test_corrupt_result_file_is_a_message_not_a_crash(imported: list[str]) -> None:
    store = RunStore(Settings())
    run_id = next(i for i in imported if store.get(i).status.value == "completed")
    main = store.run_dir(run_id) / f"{store.algorithm_id(run_id)}.json"
    main.write_text(main.read_text()[:500])  # truncated mid-file, as a crash while copying would leave it
    app = page("result", id=run_id)
    assert any(main.name in e.value and "truncated" in e.value.lower() for e in app.error), [e.value for e in app.error]
    page("history")  # the history still lists it
