"""A lean-docker run is described from LEAN's own files when it ends (real daemon, the contract image)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backtest_core import runs
from backtest_core.models import BacktestRequest, BacktestStatus, DataSource, EngineName, ResultSource
from backtest_core.settings import Settings

ALGORITHMS = Path(__file__).parent.parent / "algorithms"
pytestmark = pytest.mark.docker


def test_a_docker_run_is_described_from_leans_files(docker_settings, lean_data, monkeypatch) -> None:
    monkeypatch.setenv("BACKTEST_STRATEGIES", str(ALGORITHMS))
    monkeypatch.setenv("BACKTEST_DATA", str(lean_data))
    settings = Settings()
    request = BacktestRequest(strategy="hold_spy_daily", engine=EngineName.LEAN_DOCKER,
                              parameters={"replay": "completed", "replay-pause": "1000"})  # fmt: skip
    run = runs.wait(runs.submit(request, settings), settings, timeout=180)
    assert run.status == BacktestStatus.COMPLETED, run.error
    described = run.description
    assert not described.warnings, described.warnings
    assert described.source == ResultSource.APP and described.data_source == DataSource.REAL
    assert (described.period_start, described.period_end) == (date(2023, 1, 1), date(2023, 1, 31))
    assert described.start_capital == 100_000 and described.language == "python"
    assert described.engine_version == f"LEAN v2.5.0.0 ({settings.lean_image})"
