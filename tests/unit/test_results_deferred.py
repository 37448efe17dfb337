"""Deferred tables and the decoder: the same frames whenever they are built, faults still named, the garbage
collector left as it was. Real LEAN results from the shared fixtures."""

from __future__ import annotations

import gc
import json
import math
import pickle
from pathlib import Path

import pandas as pd
import pytest

from backtest_core.errors import ResultFormatError
from backtest_core.results import load_result

FOLDERS = [
    "cli2022-tqqq-daily-customdata-110orders",  # PascalCase, kebab-case order events
    "cli2025-btcusd-minute-supertrend",
    "cli2025-spy-minute-sma-301orders",
    "cloud2025-qqq-options-449orders",
]
SPY = "cli2025-spy-minute-sma-301orders"
MAIN = "1186467672.json"


@pytest.mark.parametrize("folder", FOLDERS)
def test_deferred_tables_equal_the_eager_ones(lean_fixtures: Path, folder: str):
    eager = load_result(lean_fixtures / folder)
    deferred = load_result(lean_fixtures / folder, deferred_tables=True)
    pd.testing.assert_frame_equal(deferred.closed_trades, eager.closed_trades)
    pd.testing.assert_frame_equal(deferred.orders, eager.orders)
    pd.testing.assert_frame_equal(deferred.order_events, eager.order_events)
    assert deferred.order_security_types == set(eager.orders["security_type"])
    assert deferred.orders is deferred.orders  # built once


def test_order_security_types_name_the_enum(lean_fixtures: Path):
    assert load_result(lean_fixtures / "cli2025-btcusd-minute-supertrend").order_security_types == {"Crypto"}
    assert load_result(lean_fixtures / "cloud2025-qqq-options-449orders").order_security_types == {
        "Equity",
        "Option",
    }
    assert load_result(lean_fixtures / "cli2022-gaptrading-zero-orders").order_security_types == frozenset()


def test_malformed_orders_fail_at_load_or_at_first_read(tmp_path: Path, lean_fixtures: Path):
    raw = json.loads((lean_fixtures / SPY / MAIN).read_text())
    raw["orders"]["1"]["price"] = {"not": "a number"}
    target = tmp_path / MAIN
    target.write_text(json.dumps(raw))
    with pytest.raises(ResultFormatError) as caught:
        load_result(target)
    assert caught.value.path == target and caught.value.problem.startswith("unexpected content")
    deferred = load_result(target, deferred_tables=True)
    assert len(deferred.closed_trades) == 150  # the other tables are fine
    with pytest.raises(ResultFormatError) as caught:
        len(deferred.orders)
    assert caught.value.path == target and caught.value.problem.startswith("unexpected content")


def test_unbuilt_table_survives_pickling(lean_fixtures: Path):
    deferred = load_result(lean_fixtures / SPY, deferred_tables=True)
    copy = pickle.loads(pickle.dumps(deferred))
    assert len(copy.orders) == 301 and len(copy.order_events) == 602


def test_what_only_the_standard_library_decodes_still_loads(tmp_path: Path, lean_fixtures: Path):
    """A UTF-8 BOM and a NaN literal: orjson refuses both, ``json`` accepted them before and still does."""
    text = (lean_fixtures / SPY / MAIN).read_text()
    (tmp_path / "bom").mkdir()
    (tmp_path / "bom" / MAIN).write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert len(load_result(tmp_path / "bom").orders) == 301
    raw = json.loads(text)
    raw["rollingWindow"] = {"note": float("nan")}
    (tmp_path / "nan").mkdir()
    (tmp_path / "nan" / MAIN).write_text(json.dumps(raw))
    assert "NaN" in (tmp_path / "nan" / MAIN).read_text()
    assert math.isnan(load_result(tmp_path / "nan").rolling_window["note"])


def test_collector_is_left_as_it_was(tmp_path: Path, lean_fixtures: Path):
    assert gc.isenabled()
    load_result(lean_fixtures / SPY)
    assert gc.isenabled()
    (tmp_path / MAIN).write_bytes((lean_fixtures / SPY / MAIN).read_bytes()[:50_000])
    with pytest.raises(ResultFormatError):
        load_result(tmp_path)
    assert gc.isenabled()
    gc.disable()
    try:
        load_result(lean_fixtures / SPY)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
