"""The strategy catalogue over real folders, and its commands as real subprocesses."""

import json
import subprocess
import sys

import pytest

from backtest_core.errors import UnknownStrategy
from backtest_core.settings import PROJECT_ROOT
from backtest_core.strategies import get_strategy, known_strategy_names, list_strategies, resolve_project

SHIPPED = PROJECT_ROOT / "strategies"


@pytest.fixture
def catalogue(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "main.py").write_text("from AlgorithmImports import *\n\nclass Good(QCAlgorithm):\n    pass\n")
    (good / "config.json").write_text(json.dumps({"description": "ok", "parameters": {"n": 5}, "local-id": 1}))
    syntax = tmp_path / "syntax"
    syntax.mkdir()
    (syntax / "main.py").write_text("class Broken(QCAlgorithm):\n    def f(:\n")
    no_class = tmp_path / "no_class"
    no_class.mkdir()
    (no_class / "main.py").write_text("x = 1\n")
    bad_json = tmp_path / "bad_json"
    bad_json.mkdir()
    (bad_json / "main.py").write_text("class A(QCAlgorithm): pass\n")
    (bad_json / "config.json").write_text("{not json")
    (tmp_path / "no_main").mkdir()
    (tmp_path / "no_main" / "config.json").write_text("{}")
    return tmp_path


def test_broken_projects_are_listed_with_their_error(catalogue):
    infos = {info.name: info for info in list_strategies(catalogue)}
    assert set(infos) == {"good", "syntax", "no_class", "bad_json", "no_main"}
    assert infos["good"].error is None and infos["good"].class_name == "Good" and infos["good"].parameters == {"n": "5"}
    assert infos["syntax"].error.startswith("main.py line 2")
    assert "no class deriving from QCAlgorithm" in infos["no_class"].error
    assert "config.json is not valid JSON" in infos["bad_json"].error
    assert "no main.py" in infos["no_main"].error


def test_shipped_examples_are_valid_lean_projects():
    infos = {info.name: info for info in list_strategies(SHIPPED)}
    assert {"buy_and_hold", "sma_crossover", "rsi_mean_reversion", "momentum_rotation"} <= set(infos)
    assert all(info.error is None for info in infos.values())
    assert infos["sma_crossover"].class_name == "SmaCrossover"
    assert infos["sma_crossover"].parameters["fast"] == "20"
    for name in infos:
        assert "get_parameter" in get_strategy(name, SHIPPED).source


def test_resolve_by_name_or_path_and_refuse_tricks(catalogue):
    assert resolve_project("good", catalogue) == catalogue / "good"
    assert resolve_project(str(catalogue / "good"), catalogue) == (catalogue / "good").resolve()
    for bad in ("../good", "missing", "/etc", "good/../good"):
        with pytest.raises(UnknownStrategy):
            resolve_project(bad, catalogue)
    assert known_strategy_names(catalogue) >= {"good"}


def _cli(*args, env_folder):
    import os

    env = {**os.environ, "BACKTEST_STRATEGIES": str(env_folder)}
    return subprocess.run(
        [sys.executable, "-m", "backtest_core", *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )


def test_cli_lists_and_shows(catalogue):
    listed = _cli("strategies", "--json", env_folder=catalogue)
    assert listed.returncode == 0
    names = {item["name"]: item for item in json.loads(listed.stdout)}
    assert names["syntax"]["error"].startswith("main.py line 2")
    shown = _cli("strategy", "good", "--json", env_folder=catalogue)
    assert json.loads(shown.stdout)["source"].startswith("from AlgorithmImports")
    missing = _cli("strategy", "nope", env_folder=catalogue)
    assert missing.returncode == 2 and "unknown strategy 'nope'" in missing.stderr


def _project(folder, files):
    folder.mkdir()
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_the_algorithm_class_may_derive_from_a_class_of_another_project_file(tmp_path):
    """As LEAN's regression algorithms do (SetHoldingsLiquidateExistingHoldingsMultipleTargets derives from a
    class in SetHoldingsMultipleTargetsRegressionAlgorithm.py): the static check follows the project's imports,
    through a package and ``import module`` too, and ignores a class of another file that is not an algorithm."""
    base = "from AlgorithmImports import *\n\nclass BaseAlgo(QCAlgorithm):\n    pass\n\nclass Helper:\n    pass\n"
    _project(tmp_path / "from_import", {"base.py": base, "main.py": "from base import BaseAlgo, Helper\n\n"
             "class Zeta(Helper):\n    pass\n\nclass Derived(BaseAlgo):\n    pass\n"})  # fmt: skip
    _project(tmp_path / "module_import", {"lib/__init__.py": "", "lib/algos.py": base,
             "main.py": "import lib.algos as algos\n\nclass Derived(algos.BaseAlgo):\n    pass\n"})  # fmt: skip
    _project(tmp_path / "star_import", {"base.py": base, "mid.py": "from base import *\n\nclass Mid(BaseAlgo):\n"
             "    pass\n", "main.py": "from mid import *\n\nclass Derived(Mid):\n    pass\n"})  # fmt: skip
    _project(tmp_path / "not_an_algorithm", {"base.py": base, "main.py": "from base import Helper\n\n"
             "class Derived(Helper):\n    pass\n"})  # fmt: skip
    _project(tmp_path / "cycle", {"a.py": "from main import B\n\nclass A(B):\n    pass\n",
             "main.py": "from a import A\n\nclass B(A):\n    pass\n"})  # fmt: skip
    infos = {info.name: info for info in list_strategies(tmp_path)}
    for name in ("from_import", "module_import", "star_import"):
        assert (infos[name].class_name, infos[name].error) == ("Derived", None), name
    for name in ("not_an_algorithm", "cycle"):
        assert infos[name].class_name is None and "no class deriving from QCAlgorithm" in infos[name].error
