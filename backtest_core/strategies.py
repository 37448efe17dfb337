"""The strategy catalogue: LEAN projects (``<name>/main.py`` + optional ``config.json``) in one folder.

User code is never imported here: the algorithm class is found by parsing ``main.py`` with ``ast``. A broken
project is still listed, with ``error`` saying what is wrong and where.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from backtest_core.errors import UnknownStrategy
from backtest_core.models import StrategyDetails, StrategyInfo
from backtest_core.store.folders import SKIPPED_FOLDERS

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")


def list_strategies(folder: Path) -> list[StrategyInfo]:
    """Every project folder in ``folder`` (a folder holding ``main.py`` or ``config.json``), by name."""
    if not folder.is_dir():
        return []
    projects = [
        child
        for child in sorted(folder.iterdir())
        if child.is_dir() and not child.name.startswith((".", "_")) and child.name not in SKIPPED_FOLDERS
        and ((child / "main.py").exists() or (child / "config.json").exists())
    ]  # fmt: skip
    fields = set(StrategyInfo.model_fields)
    return [StrategyInfo.model_validate(_describe(project).model_dump(include=fields)) for project in projects]


def known_strategy_names(folder: Path) -> set[str]:
    return {info.name for info in list_strategies(folder)}


def resolve_project(name_or_path: str, folder: Path) -> Path:
    """The project folder of a catalogue name, or of a path to a LEAN project; UnknownStrategy otherwise."""
    candidate = Path(name_or_path).expanduser()
    if ("/" in name_or_path or "\\" in name_or_path) and (candidate / "main.py").is_file():
        return candidate.resolve()
    if NAME.match(name_or_path) and ".." not in name_or_path and (folder / name_or_path / "main.py").is_file():
        return folder / name_or_path
    raise UnknownStrategy(name_or_path, folder)


def get_strategy(name_or_path: str, folder: Path) -> StrategyDetails:
    """Source, parameters, description and algorithm class of one project."""
    return _describe(resolve_project(name_or_path, folder))


def _describe(project: Path) -> StrategyDetails:
    errors: list[str] = []
    description, parameters, choices = "", {}, {}
    config = project / "config.json"
    if config.exists():
        try:
            data = json.loads(config.read_text())
            if not isinstance(data, dict):
                raise ValueError("the top level must be an object")
            description = str(data.get("description") or "")
            raw = data.get("parameters") or {}
            parameters = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            choices = _choices(data.get("parameter-choices"), parameters, errors)
        except (ValueError, UnicodeDecodeError) as error:
            errors.append(f"config.json is not valid JSON: {error}")
    main = project / "main.py"
    source, class_name = "", None
    if not main.exists():
        errors.append(f"no main.py in {project}")
    else:
        source = main.read_text(errors="replace")
        try:
            class_name = algorithm_class(ast.parse(source, filename=str(main)), project)
        except SyntaxError as error:
            errors.append(f"main.py line {error.lineno}: {error.msg}")
        else:
            if class_name is None:
                errors.append("main.py defines no class deriving from QCAlgorithm")
    files = sorted(
        str(p.relative_to(project))
        for p in project.rglob("*.py")
        if not any(part in SKIPPED_FOLDERS or part.startswith(".") for part in p.relative_to(project).parts)
    )
    return StrategyDetails(
        name=project.name,
        path=project,
        description=description,
        parameters=parameters,
        parameter_choices=choices,
        class_name=class_name,
        error="; ".join(errors) or None,
        source=source,
        files=files,
    )


def _choices(raw: object, parameters: dict[str, str], errors: list[str]) -> dict[str, list[str]]:
    """``parameter-choices``: ``{name: [allowed values]}`` for declared parameters, the default among them."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        errors.append('config.json parameter-choices must map parameter names to lists of values, e.g. '
                      '{"resolution": ["daily", "hour"]}')  # fmt: skip
        return {}
    choices = {str(name): [str(value) for value in values] for name, values in raw.items()}
    for name, values in choices.items():
        if name not in parameters:
            errors.append(f"config.json parameter-choices names {name!r}, which is not among its parameters")
        elif parameters[name] not in values:
            errors.append(f"config.json: the default {parameters[name]!r} of {name} is not among its choices")
    return choices


def algorithm_class(tree: ast.Module, folder: Path | None = None) -> str | None:
    """The algorithm class of a module: of its top-level classes deriving from ``QCAlgorithm``, directly or
    through classes of the project's own files (``from Base import BaseAlgorithm``; ``folder`` is where those
    files are), the first by name, as LEAN's loader takes the first of ``dir(module)``."""
    classes = _ModuleClasses(tree, folder, set(), "main.py")
    names = sorted(node.name for node in tree.body if isinstance(node, ast.ClassDef))
    return next((name for name in names if classes.is_algorithm(name)), None)


class _ModuleClasses:
    """The classes of one parsed module and what its imports bring in, for following a class's bases."""

    def __init__(self, tree: ast.Module, folder: Path | None, visiting: set[tuple[str, str]], file: str) -> None:
        self.folder, self.file = folder, file
        self.visiting = visiting  # the (file, class) pairs being followed, against import cycles
        self.classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        self.names: dict[str, tuple[str, str]] = {}  # alias -> (module, name) of ``from module import name``
        self.modules: dict[str, str] = {}  # alias -> module of ``import module``
        self.stars: list[str] = []  # modules of ``from module import *``
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name == "*":
                        self.stars.append(node.module)
                    else:
                        self.names[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules[alias.asname or alias.name] = alias.name

    def is_algorithm(self, name: str) -> bool:
        key = (self.file, name)
        if key in self.visiting:  # a cycle of imports: not through here
            return False
        self.visiting.add(key)
        try:
            node = self.classes.get(name)
            if node is None:
                return self._imported_is_algorithm(name)
            return any(self._base_is_algorithm(base) for base in node.bases)
        finally:
            self.visiting.discard(key)

    def _base_is_algorithm(self, base: ast.expr) -> bool:
        if isinstance(base, ast.Attribute):  # x.QCAlgorithm, or module.Class of a project file
            if base.attr == "QCAlgorithm":
                return True
            owner = self.modules.get(base.value.id) if isinstance(base.value, ast.Name) else None
            other = self._local_module(owner) if owner else None
            return other is not None and other.is_algorithm(base.attr)
        if isinstance(base, ast.Name):
            return base.id == "QCAlgorithm" or self.is_algorithm(base.id)
        return False

    def _imported_is_algorithm(self, name: str) -> bool:
        if name in self.names:
            module, original = self.names[name]
            other = self._local_module(module)
            return original == "QCAlgorithm" if other is None else other.is_algorithm(original)
        for module in self.stars:
            other = self._local_module(module)
            if other is not None and name in other.classes and other.is_algorithm(name):
                return True
        return False

    def _local_module(self, module: str) -> _ModuleClasses | None:
        """The project file of ``module`` (``a/b.py`` or ``a/b/__init__.py`` for ``a.b``), parsed; None when
        the module is not one of the project's files (LEAN's, or an installed package)."""
        if self.folder is None:
            return None
        base = self.folder.joinpath(*module.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                try:
                    tree = ast.parse(path.read_text(errors="replace"), filename=str(path))
                except SyntaxError:
                    return None
                return _ModuleClasses(tree, self.folder, self.visiting, str(path))
        return None
