"""LEAN's public API names, by namespace (``lean_api/lean_names.json``, made by ``bench/lean_api_names.py``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

NAMES_FILE = Path(__file__).parent / "lean_api" / "lean_names.json"


@cache
def lean_names() -> dict[str, frozenset[str]]:
    """Namespace -> the public type names LEAN declares in it."""
    return {space: frozenset(names) for space, names in json.loads(NAMES_FILE.read_text()).items()}
