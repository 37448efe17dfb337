"""LEAN's namespaces as Python modules, and LEAN names the engine lacks as refusals that name them.

Python algorithms reach LEAN's API three ways: ``from AlgorithmImports import *``, ``from QuantConnect.Orders
import OrderProperties`` (any LEAN namespace) and ``from System.Collections.Generic import Dictionary`` (.NET's),
sometimes after ``import clr; clr.AddReference(...)``. Here every LEAN namespace is a module holding the
engine's implementation of each of its names, and for a name the engine lacks a stand-in class
(:func:`missing`) that raises :class:`UnsupportedApi` naming it when used: called, subclassed, tested with
``isinstance`` or asked for a member. Without it an algorithm using ``FillModel`` or ``TimeZones`` stopped with a
NameError that reads like a typo. LEAN's Python framework packages (``Alphas``, ``Execution``, ...) and the
Python modules of its ``Common/`` (``Orders.Slippage``) are refused when nothing else provides them. The finder
comes last on ``sys.meta_path``: a project's own modules win.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from types import ModuleType
from typing import Any

from backtest_core.engines.embedded.lean_names import lean_names
from backtest_core.errors import UnsupportedApi

# the namespaces LEAN's own AlgorithmImports.py star-imports (its other imports are Python's)
STAR_NAMESPACES = (
    "QuantConnect", "QuantConnect.Api", "QuantConnect.Util", "QuantConnect.Data", "QuantConnect.Orders",
    "QuantConnect.Python", "QuantConnect.Storage", "QuantConnect.Research", "QuantConnect.Commands",
    "QuantConnect.Algorithm", "QuantConnect.Statistics", "QuantConnect.Parameters", "QuantConnect.Benchmarks",
    "QuantConnect.Brokerages", "QuantConnect.Securities", "QuantConnect.Indicators", "QuantConnect.Interfaces",
    "QuantConnect.Scheduling", "QuantConnect.DataSource", "QuantConnect.Orders.Fees", "QuantConnect.Data.Custom",
    "QuantConnect.Data.Market", "QuantConnect.Lean.Engine", "QuantConnect.Orders.Fills",
    "QuantConnect.Configuration", "QuantConnect.Notifications", "QuantConnect.Data.Auxiliary",
    "QuantConnect.Data.Shortable", "QuantConnect.Orders.Slippage", "QuantConnect.Securities.Forex",
    "QuantConnect.Data.Fundamental", "QuantConnect.Securities.Crypto", "QuantConnect.Securities.Option",
    "QuantConnect.Securities.Equity", "QuantConnect.Securities.Future", "QuantConnect.Data.Consolidators",
    "QuantConnect.Orders.TimeInForces", "QuantConnect.Algorithm.Framework", "QuantConnect.Algorithm.Selection",
    "QuantConnect.Securities.Positions", "QuantConnect.Orders.OptionExercise", "QuantConnect.Securities.Volatility",
    "QuantConnect.Securities.Interfaces", "QuantConnect.Data.UniverseSelection", "QuantConnect.Securities.IndexOption",
    "QuantConnect.Data.Custom.IconicTypes", "QuantConnect.Securities.CryptoFuture",
    "QuantConnect.Algorithm.Framework.Risk", "QuantConnect.Algorithm.Framework.Alphas",
    "QuantConnect.Algorithm.Framework.Execution", "QuantConnect.Algorithm.Framework.Portfolio",
    "QuantConnect.Indicators.CandlestickPatterns", "QuantConnect.Algorithm.Framework.Portfolio.SignalExports",
    "QuantConnect.Algorithm.Framework.Selection",
)  # fmt: skip
# .NET names Python algorithms import from System namespaces (not in LEAN's sources)
SYSTEM_NAMES: dict[str, tuple[str, ...]] = {
    "System": ("Action", "Array", "Boolean", "Convert", "DateTime", "DayOfWeek", "Decimal", "Double", "Enum",
               "Environment", "Func", "Guid", "Int32", "Int64", "Math", "Nullable", "Object", "Random", "String",
               "TimeSpan", "Tuple", "Type"),
    "System.Collections": ("ArrayList", "Hashtable", "IEnumerable"),
    "System.Collections.Generic": ("Dictionary", "HashSet", "IEnumerable", "IList", "KeyValuePair", "List",
                                   "Queue", "SortedDictionary", "Stack"),
    "System.Drawing": ("Color",),
    "System.Linq": ("Enumerable",),
}  # fmt: skip
FRAMEWORK_PACKAGES = ("Alphas", "Execution", "Portfolio", "Risk", "Selection")  # LEAN's Algorithm.Framework
COMMON_PACKAGES = ("Orders",)  # LEAN's Python modules of Common/ (Orders.Slippage.VolumeShareSlippageModel)
DOTNET_LIBRARIES = ("Newtonsoft", "NodaTime", "Python", "Microsoft")  # .NET assemblies LEAN's algorithms reach


class _Missing(type):
    """The type of a stand-in for a LEAN name the engine lacks: every use refuses, naming it."""

    lean_name: str

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> _Missing:
        for base in bases:
            if isinstance(base, _Missing):  # a class of the algorithm derives from it
                raise UnsupportedApi(base.lean_name)
        return super().__new__(mcs, name, bases, namespace)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise UnsupportedApi(cls.lean_name)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedApi(f"{cls.lean_name}.{name}")

    def __instancecheck__(cls, instance: Any) -> bool:
        raise UnsupportedApi(f"isinstance(..., {cls.lean_name})")

    def __getitem__(cls, item: Any) -> _Missing:
        return cls  # a generic in an annotation (``Dictionary[str, str]``) is only a reference

    def __repr__(cls) -> str:
        return f"<LEAN {cls.lean_name}: not supported by the embedded engine>"


@cache
def missing(name: str) -> _Missing:
    """The stand-in for LEAN's ``name`` (one per name, so identity checks agree)."""
    stand_in = _Missing.__new__(_Missing, name.rsplit(".", 1)[-1], (), {})
    stand_in.lean_name = name
    return stand_in


def star_names(implemented: Mapping[str, Any]) -> dict[str, Any]:
    """What ``from AlgorithmImports import *`` adds beyond ``implemented``: a stand-in for every LEAN name of
    the star-imported namespaces that the engine does not implement, and of ``System`` and ``System.Drawing``,
    which LEAN's AlgorithmImports star-imports first."""
    names = lean_names()
    wanted = {name for space in STAR_NAMESPACES for name in names.get(space, ())}
    wanted |= {*SYSTEM_NAMES["System"], *SYSTEM_NAMES["System.Drawing"]}
    return {name: missing(name) for name in sorted(wanted) if name not in implemented}


class _NamespaceModule(ModuleType):
    """A LEAN or .NET namespace: the engine's objects for the names it implements, stand-ins for the rest."""

    def __init__(self, name: str, members: Sequence[str], implemented: Callable[[], Mapping[str, Any]]) -> None:
        super().__init__(name)
        self.__path__: list[str] = []  # a package: sub-namespaces import beneath it
        self.__all__ = list(members)
        self._members = frozenset(members)
        self._implemented = implemented

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name not in self._members:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        found = self._implemented().get(name)
        return found if found is not None else missing(name)


class LeanModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``QuantConnect.*``, ``System.*`` and ``clr``; refuses LEAN's Python framework packages."""

    def __init__(self, implemented: Callable[[], Mapping[str, Any]]) -> None:
        self._implemented = implemented

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        top = fullname.split(".", 1)[0]
        if top in FRAMEWORK_PACKAGES:
            raise UnsupportedApi(f"LEAN's Python framework module {fullname}")
        if top in COMMON_PACKAGES:
            raise UnsupportedApi(f"LEAN's Python module {fullname}")
        if top in DOTNET_LIBRARIES or (top == "System" and _members(fullname) is None):
            raise UnsupportedApi(f".NET namespace {fullname}")
        if fullname == "clr" or _members(fullname) is not None:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname != "clr")
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        if spec.name == "clr":
            module = ModuleType("clr")
            module.AddReference = _add_reference  # type: ignore[attr-defined]
            module.__getattr__ = lambda name: _refuse(f"clr.{name}")  # type: ignore[method-assign]
            return module
        return _NamespaceModule(spec.name, _members(spec.name) or (), self._implemented)

    def exec_module(self, module: ModuleType) -> None:
        pass


def _members(fullname: str) -> tuple[str, ...] | None:
    """The names of a namespace, or None when it is neither LEAN's nor a known .NET one (nor a parent of one)."""
    names = lean_names()
    if fullname in names:
        return tuple(sorted(names[fullname]))
    if fullname in SYSTEM_NAMES:
        return SYSTEM_NAMES[fullname]
    prefix = fullname + "."
    if any(space.startswith(prefix) for space in (*names, *SYSTEM_NAMES)):
        return ()
    return None


def _add_reference(*assemblies: str) -> None:
    """``clr.AddReference``: LEAN loads an assembly; here every namespace is importable already."""


def _refuse(name: str) -> Any:
    raise UnsupportedApi(name)


def install(implemented: Callable[[], Mapping[str, Any]]) -> None:
    """Put the finder last on ``sys.meta_path`` (once); ``implemented``: the engine's LEAN names."""
    if not any(isinstance(finder, LeanModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(LeanModuleFinder(implemented))
