"""Plateau or spike? Each grid cell's objective smoothed over its neighbours, and how far it falls there.

A cell's neighbours are the cells one grid step away on any axes (Chebyshev distance 1 in grid positions,
the cell itself included for the smoothed mean). Cells without an objective (failed, cancelled, skipped)
are left out of every mean; a cell none of whose neighbours has a value gets no smoothed value (nothing
says it sits on a plateau), so it can never be the plateau's best. ``stability`` = 1 − max(0, fall) /
range, where ``fall`` is how much worse the neighbours' mean is than the cell itself (in the objective's
units, towards worse) and ``range`` the spread of the objective over the sweep: 1 when the neighbours are
as good, 0 when they fall by the whole spread.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
from pydantic import BaseModel


class RobustChoice(BaseModel):
    """The raw best cell and the plateau's best (highest smoothed objective), by row label of the frame."""

    raw_best: str | None
    plateau_best: str | None


def axis_order(values: pd.Series) -> list[str]:
    """A parameter's distinct values in grid order: numerically when they all are numbers, else as text."""
    distinct = list(dict.fromkeys(str(value) for value in values))
    try:
        return sorted(distinct, key=Decimal)
    except InvalidOperation:
        return sorted(distinct)


def neighbourhood(frame: pd.DataFrame, parameters: list[str], objective: str, maximize: bool) -> pd.DataFrame:
    """``frame`` (one row per cell: parameter columns and ``objective``) with ``smoothed``, ``fall``, ``stability``."""
    positions = pd.DataFrame(
        {
            name: frame[name].astype(str).map({v: i for i, v in enumerate(axis_order(frame[name]))})
            for name in parameters
        },
        index=frame.index,
    )
    lookup = {tuple(row): label for label, row in zip(frame.index, positions.itertuples(index=False), strict=True)}
    values = pd.to_numeric(frame[objective], errors="coerce")
    finite = values[np.isfinite(values)]
    spread = float(finite.max() - finite.min()) if len(finite) > 1 else 0.0
    sign = 1.0 if maximize else -1.0
    smoothed, fall, stability = [], [], []
    steps = list(itertools.product((-1, 0, 1), repeat=len(parameters)))
    for label, row in zip(frame.index, positions.itertuples(index=False), strict=True):
        around = [lookup.get(tuple(p + d for p, d in zip(row, step, strict=True))) for step in steps]
        cells = [values[cell] for cell in around if cell is not None and math.isfinite(values[cell])]
        others = [
            values[cell]
            for cell, step in zip(around, steps, strict=True)
            if cell is not None and any(step) and math.isfinite(values[cell])
        ]
        own = values[label]
        if not math.isfinite(own) or not others:  # no neighbour with a value: no evidence of a plateau
            smoothed.append(math.nan)
            fall.append(math.nan)
            stability.append(math.nan)
            continue
        smoothed.append(float(np.mean(cells)))
        drop = sign * (own - float(np.mean(others)))
        fall.append(drop)
        stability.append(1.0 - max(0.0, drop) / spread if spread > 0 else 1.0)
    return frame.assign(smoothed=smoothed, fall=fall, stability=stability)


def robust_choice(scored: pd.DataFrame, objective: str, maximize: bool) -> RobustChoice:
    """The raw best and the plateau's best of a frame scored by ``neighbourhood``.

    Cells whose smoothed values tie (a spike's neighbours share its neighbourhood) are told apart by their
    own objective, so a poor cell beside the spike never stands for the plateau."""
    values = pd.to_numeric(scored[objective], errors="coerce").dropna()
    if values.empty:
        return RobustChoice(raw_best=None, plateau_best=None)
    pick = pd.Series.idxmax if maximize else pd.Series.idxmin
    smoothed = scored["smoothed"].dropna()
    if smoothed.empty:
        return RobustChoice(raw_best=str(pick(values)), plateau_best=None)
    # the same cells summed in another order differ in the last bits: ties are equal to 10 significant digits
    level = smoothed.map(lambda value: float(f"{value:.10g}"))
    ranked = pd.DataFrame({"level": level, "own": values}).dropna()
    ranked = ranked.sort_values(["level", "own"], ascending=not maximize, kind="stable")
    return RobustChoice(raw_best=str(pick(values)), plateau_best=str(ranked.index[0]))
