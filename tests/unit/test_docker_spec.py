"""The LEAN container spec is plain data: assert it mirrors the lean CLI without starting anything."""

import ast
from datetime import date
from pathlib import Path

from backtest_core.engines.base import EngineJob, RunOverrides
from backtest_core.engines.lean_docker.spec import (
    LAUNCHER_CONFIG,
    WRAPPER_CLASS,
    build_run_spec,
    container_name,
    store_label,
)


def _job(tmp_path: Path, **overrides) -> EngineJob:
    return EngineJob(
        run_id="20261125-031712-a1b2c3",
        algorithm_id="20261125-031712-a1b2c3",
        project_dir=tmp_path / "code",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "run",
        overrides=RunOverrides(parameters={"fast": "10"}, **overrides),
        storage_dir=tmp_path / "storage",
    )


def test_plain_run_loads_main_py_like_lean_cli(tmp_path):
    spec, files = build_run_spec(
        _job(tmp_path),
        image="quantconnect/lean:latest",
        class_name="SmaCross",
        python_files=["main.py", "lib/util.py"],
        files_dir=tmp_path / "run/launcher",
        store=store_label(tmp_path),
    )
    assert files.wrapper is None
    assert files.config["algorithm-location"] == "/LeanCLI/main.py"
    assert files.config["algorithm-type-name"] == "SmaCross"
    assert files.config["parameters"] == {"fast": "10"}
    assert files.config["close-automatically"] is True
    assert files.config["environments"]["backtesting"]["result-handler"].endswith("BacktestingResultHandler")
    assert spec.volumes[str(tmp_path / "code")] == {"bind": "/LeanCLI", "mode": "rw"}
    assert spec.volumes[str(tmp_path / "run")] == {"bind": "/Results", "mode": "rw"}
    assert {m.target for m in spec.file_mounts} == {LAUNCHER_CONFIG, "/lean-cli-start.sh"}
    assert all(m.read_only for m in spec.file_mounts)
    assert spec.entrypoint == ["bash", "/lean-cli-start.sh"] and spec.stop_signal == "SIGINT"
    assert spec.name == container_name("20261125-031712-a1b2c3")
    assert '"/LeanCLI/main.py" "/LeanCLI/lib/util.py"' in files.start_script
    assert files.start_script.rstrip().endswith("exec dotnet QuantConnect.Lean.Launcher.dll")


def test_overrides_go_through_a_wrapper_that_calls_the_users_initialize_first(tmp_path):
    job = _job(tmp_path, start_date=date(2020, 1, 2), end_date=date(2020, 6, 30), initial_cash=5000)
    _spec, files = build_run_spec(
        job,
        image="img",
        class_name="SmaCross",
        python_files=["main.py"],
        files_dir=tmp_path / "f",
        store="s",
    )
    assert files.config["algorithm-type-name"] == WRAPPER_CLASS
    assert files.config["algorithm-location"].endswith("backtest_studio_overrides.py")
    assert "/LeanCLI" in files.config["python-additional-paths"]
    tree = ast.parse(files.wrapper)  # valid Python
    wrapper_class = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    assert wrapper_class.name == WRAPPER_CLASS
    body = files.wrapper.split("def initialize(self):", 1)[1]
    assert body.index("_user_initialize(self)") < body.index("self.set_start_date(2020, 1, 2)")
    assert "self.set_end_date(2020, 6, 30)" in body and "self.set_cash(5000.0)" in body


def test_limits_and_network_are_applied(tmp_path):
    from backtest_core.engines.lean_docker.spec import ResourceLimits

    spec, _ = build_run_spec(
        _job(tmp_path),
        image="img",
        class_name=None,
        python_files=[],
        files_dir=tmp_path / "f",
        store="s",
        limits=ResourceLimits(memory="2g", cpus=1.5, network_mode="none"),
    )
    assert spec.mem_limit == "2g" and spec.nano_cpus == 1_500_000_000 and spec.network_mode == "none"
