"""Reading LEAN's JSON files into plain Python, with errors that name the file and the fault.

LEAN writes its files in two key styles (PascalCase before 2024-05, camelCase after); ``camel`` folds one
object level to camelCase so the rest of the parser reads a single spelling.

Decoding is orjson's with the cyclic garbage collector paused: a minute result is hundreds of thousands of
small lists and dicts, and in a server holding other results each collection the allocations trigger walks the
whole heap (4x the decoding itself). Anything orjson refuses goes to the standard library, which accepts more
(``NaN``, a BOM, UTF-16, huge integers) and describes a fault precisely.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from backtest_core.errors import ResultFormatError

_pause_lock = threading.Lock()
_pauses = 0  # decodes under way (Streamlit sessions decode in threads of one process)
_collector_was_enabled = False


def read_json(path: Path) -> Any:
    """The decoded content of ``path``; ResultFormatError says whether it is empty, truncated or not JSON."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ResultFormatError(path, f"cannot read the file: {error.strerror or error}") from error
    if not data.strip():
        raise ResultFormatError(path, f"empty file ({len(data)} bytes): nothing was written into it")
    with collector_paused():
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # the standard library accepts more and names the fault the way _describe reads
        try:
            return json.loads(data)
        except UnicodeDecodeError as error:
            problem = f"not UTF-8 text (bad byte at offset {error.start}), not a JSON file"
            raise ResultFormatError(path, problem) from error
        except json.JSONDecodeError as error:
            raise ResultFormatError(path, _describe(error)) from error


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while decoding (JSON builds no cycles); the collector is back as it was
    once the last concurrent decode ends. Held over a whole load, the decoded JSON the load turned into arrays
    is freed before the collector runs again, so it never walks it."""
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


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
