"""``python -m backtest_core compare`` as a real process over a real store: imported LEAN results and runs of
the embedded engine on LEAN's sample data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backtest_core.compare_runs import compare
from backtest_core.models import RunQuery
from backtest_core.models.statistics import parse_statistic
from backtest_core.settings import PROJECT_ROOT, Settings
from backtest_core.store import RunStore

pytestmark = pytest.mark.slow

FIXTURES = ("cli2025-spy-daily-13y", "cli2025-csharp-graham-667orders-large", "cloud2025-qqq-options-449orders",
            "cli2024-ondata-runtimeerror")  # fmt: skip


@pytest.fixture(scope="module")
def store_env(tmp_path_factory, lean_fixtures: Path, lean_data: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("compare-cli")
    env = {**os.environ, "BACKTEST_HOME": str(home), "BACKTEST_DATA": str(lean_data)}
    for name in FIXTURES:
        assert _cli("import", str(lean_fixtures / name), env=env).returncode == 0
    for fast in ("10", "30"):
        ran = _cli("run", "sma_crossover", "--param", f"fast={fast}", "--name", f"sma fast={fast}", "--wait", env=env)
        assert ran.returncode == 0, ran.stderr
    return env


def _cli(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backtest_core", *arguments], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def _ids(env: dict[str, str]) -> dict[str, str]:
    """Run id by name (the fixture's folder name for imports)."""
    store = RunStore(Settings(home=Path(env["BACKTEST_HOME"])))
    runs = store.list(RunQuery(page_size=100)).items
    return {Path(run.source_path).name if run.source_path else run.name: run.id for run in runs}


def _json(env: dict[str, str], *arguments: str) -> dict:
    done = _cli("compare", *arguments, "--json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_has_exactly_the_issue_shape_and_lists_what_it_left_out(store_env):
    ids = _ids(store_env)
    order = [ids["cli2025-spy-daily-13y"], ids["cli2025-csharp-graham-667orders-large"],
             ids["cloud2025-qqq-options-449orders"], ids["cli2024-ondata-runtimeerror"]]  # fmt: skip
    out = _json(store_env, *order)
    assert set(out) == {"window", "baseline", "runs", "excluded", "inputs_differ", "attributable_to"}
    assert out["baseline"] == order[0]
    assert out["window"] == {"start": "2019-01-02", "end": "2025-05-30"}  # the graham run's span inside SPY's 13 years
    assert [run["id"] for run in out["runs"]] == order[:2]
    reasons = {item["id"]: item["reason"] for item in out["excluded"]}
    assert "does not overlap" in reasons[order[2]] and "2015-01-02" in reasons[order[2]]
    assert reasons[order[3]].startswith("the run failed")
    base, other = out["runs"]
    assert base["vs_baseline"] is None
    vs = other["vs_baseline"]
    assert set(vs) == {"sharpe_difference", "sharpe_difference_ci", "p_value", "mean_return_difference_ci",
                       "correlation"}  # fmt: skip
    low, high = vs["sharpe_difference_ci"]
    assert low < vs["sharpe_difference"] < high and 0 < vs["p_value"] <= 1 and -1 <= vs["correlation"] <= 1
    assert set(base["period"]) >= {"start", "end", "resolution", "start_capital", "data_source"}
    assert base["period"]["start_capital"] == 10000 and other["period"]["start_capital"] == 100000
    stats = other["statistics"]
    assert stats["start"] == "2019-01-02" and stats["end"] == "2025-05-30"
    assert "initial_cash" in out["inputs_differ"] and out["attributable_to"] is None


def test_full_periods_reproduce_leans_net_profit(store_env):
    """Over each run's own whole period the window return is LEAN's Net Profit (end / start − 1): imported LEAN
    results (daily and hourly C#) and embedded runs alike."""
    ids = _ids(store_env)
    chosen = [ids["cli2025-spy-daily-13y"], ids["cli2025-csharp-graham-667orders-large"], ids["sma fast=10"]]
    settings = Settings(home=Path(store_env["BACKTEST_HOME"]), data=Path(store_env["BACKTEST_DATA"]))
    bench = compare(chosen, settings, mode="full")
    assert not bench.comparable and bench.window is None
    for run in bench.runs:
        printed = parse_statistic(run.lean_statistics["Net Profit"])
        assert bench.statistics[run.facts.id].total_return * 100 == pytest.approx(printed, abs=0.001), run.facts.id
    assert bench.tests[chosen[2]].sharpe is not None  # tested on the days both runs cover


def test_two_runs_differing_in_one_parameter(store_env):
    ids = _ids(store_env)
    out = _json(store_env, ids["sma fast=10"], ids["sma fast=30"])
    assert out["inputs_differ"] == ["parameters.fast"]
    versions = {json.loads(_cli("show", ids[n], "--json", env=store_env).stdout).get("description", {}).get(
        "engine_version") for n in ("sma fast=10", "sma fast=30")}  # fmt: skip
    # the verdict names the parameter only when nothing else is unknown (the engine version must be recorded)
    assert out["attributable_to"] == ("parameters.fast" if None not in versions else None)
    assert out["window"] == {"start": "2015-01-02", "end": "2020-12-31"}
    text = _cli("compare", ids["sma fast=10"], ids["sma fast=30"], env=store_env)
    assert "parameters.fast" in text.stdout and "window: 2015-01-02 – 2020-12-31" in text.stdout


def test_explicit_window_baseline_and_duplicates(store_env):
    ids = _ids(store_env)
    a, b = ids["sma fast=10"], ids["sma fast=30"]
    out = _json(store_env, a, b, a, "--baseline", b, "--start", "2016-01-01", "--end", "2016-12-31")
    assert out["window"] == {"start": "2016-01-04", "end": "2016-12-30"}  # moved onto trading days
    assert out["baseline"] == b and [r["id"] for r in out["runs"]] == [b, a]
    assert out["runs"][1]["vs_baseline"]["p_value"] is not None
    text = _cli("compare", a, b, a, env=store_env)
    assert "Merged duplicate ids" in text.stdout


def test_errors_name_the_fix(store_env):
    ids = _ids(store_env)
    a, b = ids["sma fast=10"], ids["sma fast=30"]
    cases = [
        ((a, "imp-20990101-000000-abcdef"), "no run 'imp-20990101-000000-abcdef'"),
        ((a, a), "at least 2 are needed"),
        ((a, b, "--start", "2016-02-30"), "is not a date; write it as YYYY-MM-DD"),
        ((a, b, "--start", "2016-06-01", "--end", "2016-01-01"), "--end: 2016-01-01 is before --start"),
        ((a, b, "--start", "2030-01-01", "--end", "2030-12-31"), "does not overlap the window"),
        ((a, b, "--baseline", ids["cli2025-spy-daily-13y"]), "baseline"),
        ((a, *[f"{a}-{i}" for i in range(50)]), "at most 50"),
    ]
    for arguments, message in cases:
        done = _cli("compare", *arguments, env=store_env)
        assert done.returncode != 0, arguments
        assert message in done.stderr, (arguments, done.stderr)
        assert "Traceback" not in done.stderr
