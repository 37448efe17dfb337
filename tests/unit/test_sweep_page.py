"""The Sweep page through AppTest on a real sweep (embedded engine, SYNTHETIC data, one value failing on purpose):
the heatmap with a parameter held at a value, and the in-sample/out-of-sample table of every completed run."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from tests.apptest_pages import page
from tests.sweep_helpers import UNLUCKY
from tests.unit.test_sweep_cli import PERIOD, cli, sweep_home  # noqa: F401 - sweep_home is a fixture


def _figure_titles(app) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")]


@pytest.mark.slow
@pytest.mark.timeout(1200)  # real engine runs; minutes on a loaded machine
def test_held_value_heatmap_and_holdout_table_of_a_real_sweep(sweep_home):  # noqa: F811 - the fixture above
    # a third axis of one value, so the heatmap of fast x slow has another parameter to hold
    done = cli("sweep", "sweepable", "--param", f"fast=5,{UNLUCKY},20,25", "--param", "slow=30:75:15",
               "--param", "resolution=daily", *PERIOD, "--wait", "--json")  # fmt: skip
    shown = json.loads(done.stdout)
    assert shown["counts"]["completed"] == 12 and shown["counts"]["failed"] == 4

    app = page("sweep", id=shown["id"])
    [label] = [box.value for box in app.warning if "SYNTHETIC data" in box.value]  # one label for the sweep
    assert "All runs (fast=5 slow=30 resolution=daily, " in label and "random-walk sample" in label
    assert "Sharpe Ratio: slow by fast (resolution: best (max)) · outlined: the best run" in _figure_titles(app)
    [parallel] = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")
                  if json.loads(chart.proto.spec)["data"][0]["type"] == "parcoords"]  # fmt: skip
    axes = [dimension["label"] for dimension in parallel["data"][0]["dimensions"]]
    assert axes == ["fast", "slow", "resolution", "Sharpe Ratio"]  # more than two parameters: every run a line
    assert parallel["layout"]["title"]["text"] == "Sharpe Ratio across 3 parameters (12 runs with a value)"
    app.selectbox(key="heat_mode").select("held at a value").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="hold-resolution").value == "daily"
    assert "Sharpe Ratio: slow by fast (resolution=daily) · outlined: the best run" in _figure_titles(app)

    app.number_input(key="sweep_top_n").set_value(12).run()  # past the old limit of ten
    [link] = [link for link in app.get("page_link") if link.proto.label.startswith("Compare the top")]
    assert link.proto.label == "Compare the top 12" and link.proto.page == "compare"
    top = parse_qs(link.proto.query_string)["ids"][0].split(",")
    assert len(set(top)) == 12
    compared = page("compare", ids=",".join(top))
    assert not compared.error, [e.value for e in compared.error]
    facts = next(frame.value for frame in compared.dataframe if "data source" in frame.value.columns)
    assert len(facts) == 12

    app.slider(key="holdout").set_value(0.3).run()
    assert not app.exception, [e.value for e in app.exception]
    (holdout,) = [frame.value for frame in app.dataframe if "IS sharpe" in frame.value.columns]
    completed = {run["id"] for run in shown["runs"] if run["status"] in ("completed", "zero trades")}
    assert len(holdout) == len(completed) == 12  # every completed run: none left out (it once kept 10)
    assert list(holdout.columns[:4]) == ["open", "fast", "slow", "resolution"]
    assert list(holdout["IS rank"]) == sorted(holdout["IS rank"])  # best in-sample first
