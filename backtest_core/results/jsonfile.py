"""Reading LEAN's JSON files into plain Python, with errors that name the file and the fault.

LEAN writes its files in two key styles (PascalCase before 2024-05, camelCase after); ``camel`` folds one
object level to camelCase so the rest of the parser reads a single spelling.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backtest_core.errors import ResultFormatError


def read_json(path: Path) -> Any:
    """The decoded content of ``path``; ResultFormatError says whether it is empty, truncated or not JSON."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ResultFormatError(path, f"cannot read the file: {error.strerror or error}") from error
    if not data.strip():
        raise ResultFormatError(path, f"empty file ({len(data)} bytes): nothing was written into it")
    try:
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise ResultFormatError(path, f"not UTF-8 text (bad byte at offset {error.start}), not a JSON file") from error
    except json.JSONDecodeError as error:
        raise ResultFormatError(path, _describe(error)) from error


def _describe(error: json.JSONDecodeError) -> str:
    """Tell a file cut short (LEAN still writing, disk full, partial copy) from one that is not JSON at all."""
    doc = error.doc
    cut_short = not doc[error.pos :].strip() or error.msg.startswith("Unterminated string")
    if cut_short:
        line = doc.count("\n") + 1
        column = len(doc) - doc.rfind("\n")
        return f"truncated JSON at line {line} column {column} (the file ends before the JSON is complete)"
    where = f"line {error.lineno} column {error.colno}"
    if error.pos == 0:
        return f"not JSON: {error.msg} at {where}"
    return f"invalid JSON at {where}: {error.msg}"


def camel_key(key: str) -> str:
    """``"RuntimeStatistics"`` → ``"runtimeStatistics"``, ``"ID"`` → ``"id"``, ``"MAE"`` → ``"mae"``."""
    if key.isupper():
        return key.lower()
    return key[:1].lower() + key[1:]


def camel(obj: object) -> dict[str, Any]:
    """One object level with camelCase keys (nested values untouched); anything but a dict gives ``{}``.

    Newtonsoft writes every key of an object in one style, so an object whose first key is already
    camelCase is returned as is (the same dict: callers only read it).
    """
    if not isinstance(obj, dict):
        return {}
    first = next(iter(obj), "")
    if first[:1].islower():
        return obj
    return {camel_key(k): v for k, v in obj.items()}
