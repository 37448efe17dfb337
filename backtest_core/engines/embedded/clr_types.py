"""The .NET collections Python algorithms use through pythonnet: ``Dictionary``, ``List``, ``KeyValuePair``.

``Dictionary[str, str]()`` and ``List[Symbol]()`` make empty collections (the type arguments are not checked,
as Python values carry their own types); the members are .NET's in both spellings (``Add``/``add``,
``ContainsKey``/``contains_key``, ``Count``/``count``), ``in`` asks ``ContainsKey``, and iterating a dictionary
yields key/value pairs, as pythonnet does. LEAN hands algorithms its ``Dictionary<string, string>`` as one of
these (``self.statistics.summary``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class KeyValuePair(Generic[K, V]):
    __slots__ = ("key", "value")

    def __init__(self, key: K, value: V) -> None:
        self.key, self.value = key, value

    Key = property(lambda self: self.key)
    Value = property(lambda self: self.value)

    def __repr__(self) -> str:
        return f"[{self.key}, {self.value}]"


class Dictionary(dict, Generic[K, V]):
    """``System.Collections.Generic.Dictionary``: a dict whose iteration yields key/value pairs."""

    def __iter__(self) -> Iterator[KeyValuePair[K, V]]:  # type: ignore[override]
        return (KeyValuePair(key, value) for key, value in self.items())

    def add(self, key: K, value: V) -> None:
        if key in self:
            raise KeyError(f"An item with the same key has already been added. Key: {key}")
        self[key] = value

    def contains_key(self, key: K) -> bool:
        return key in self

    def try_get_value(self, key: K) -> tuple[bool, V | None]:
        """pythonnet returns the ``out`` argument with the result."""
        return (True, self[key]) if key in self else (False, None)

    def remove(self, key: K) -> bool:
        return self.pop(key, _ABSENT) is not _ABSENT

    @property
    def count(self) -> int:
        return len(self)

    Add, ContainsKey, TryGetValue, Remove = add, contains_key, try_get_value, remove
    Count = count
    Keys = property(lambda self: list(dict.keys(self)))
    Values = property(lambda self: list(dict.values(self)))


class List(list, Generic[V]):
    """``System.Collections.Generic.List``: a list with .NET's members."""

    def add(self, item: V) -> None:
        self.append(item)

    def contains(self, item: V) -> bool:
        return item in self

    def remove(self, item: V) -> bool:  # type: ignore[override]
        if item in self:
            list.remove(self, item)
            return True
        return False

    @property
    def count(self) -> int:
        return len(self)

    Add, Contains, Remove = add, contains, remove
    Count = count


_ABSENT = object()
DOTNET_TYPES: dict[str, Any] = {"Dictionary": Dictionary, "List": List, "KeyValuePair": KeyValuePair}
