"""What went into each run, and which of it differs: the "why do they differ" of a comparison.

An input is a named value: the request's fields as the run used them (dates, cash, resolution, symbols,
engine), each parameter (``parameters.fast``), the code snapshot (``code``) and the engine version. A value
of None is unknown (an imported run has no code snapshot; an engine version nobody recorded). The verdict
names one input only when it is the single input known to differ and no input is unknown.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

CODE = "code"


class RunInputs(BaseModel):
    """One run's inputs: field name → value text (None: unknown) and its code files (None: no snapshot)."""

    id: str
    fields: dict[str, str | None]
    code: dict[str, str] | None = None

    def values(self) -> dict[str, str | None]:
        return {**self.fields, CODE: code_digest(self.code) if self.code is not None else None}


class InputDiff(BaseModel):
    """Across all runs: inputs known to differ, inputs unknown for some run, and the verdict."""

    fields: list[str]
    differ: list[str]
    unknown: list[str]
    attributable_to: str | None
    verdict: str


def code_digest(files: Mapping[str, str]) -> str:
    """A short fingerprint of a code snapshot (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return digest.hexdigest()[:12]


def diff_inputs(runs: Sequence[RunInputs]) -> InputDiff:
    """Which inputs differ between the runs, and whether the difference can be pinned on one of them."""
    values = [run.values() for run in runs]
    fields = sorted({name for value in values for name in value}, key=_field_order)
    differ, unknown = [], []
    for name in fields:
        seen = [value.get(name) for value in values]
        if any(item is None for item in seen):
            unknown.append(name)
        elif len(set(seen)) > 1:
            differ.append(name)
    return InputDiff(
        fields=fields,
        differ=differ,
        unknown=unknown,
        attributable_to=differ[0] if len(differ) == 1 and not unknown else None,
        verdict=_verdict(differ, unknown),
    )


def _verdict(differ: list[str], unknown: list[str]) -> str:
    unknown_text = f"; unknown for some run: {', '.join(unknown)}" if unknown else ""
    if not differ:
        if unknown:
            return f"No input is known to differ, but {', '.join(unknown)} is unknown for some run."
        return "Every input is the same: the runs should be identical (a difference points at the engine or data)."
    if len(differ) == 1 and not unknown:
        return f"The difference is attributable to {differ[0]}: it is the only input that differs."
    if len(differ) == 1:
        return f"Only {differ[0]} is known to differ, but it cannot be singled out{unknown_text}."
    return f"Several inputs differ ({', '.join(differ)}){unknown_text}: no single cause."


def _field_order(name: str) -> tuple[int, str]:
    order = ("strategy", "start_date", "end_date", "initial_cash", "resolution", "symbols", "engine", "engine_version")
    if name in order:
        return order.index(name), name
    return (len(order), name) if name.startswith("parameters.") else (len(order) + 1, name)


def code_diff(a: Mapping[str, str], b: Mapping[str, str], label_a: str, label_b: str) -> dict[str, str]:
    """Unified diff of every file that differs between two code snapshots (path → diff text)."""
    diffs = {}
    for path in sorted(set(a) | set(b)):
        before, after = a.get(path), b.get(path)
        if before == after:
            continue
        lines = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"{label_a}/{path}" if before is not None else "/dev/null",
            tofile=f"{label_b}/{path}" if after is not None else "/dev/null",
        )
        diffs[path] = "".join(lines)
    return diffs
