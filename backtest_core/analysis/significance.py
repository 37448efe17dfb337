"""Is the difference between two runs real: tests on their paired daily returns of one window.

Sharpe ratios: Ledoit & Wolf (2008), "Robust performance hypothesis testing with the Sharpe ratio", J. of
Empirical Finance 15(5). The difference Δ = μa/σa − μb/σb is written through the first two uncentred
moments u = (μa, μb, γa, γb), so its standard error follows by the delta method from the long-run covariance
Ψ of y_t = (ra − μa, rb − μb, ra² − γa, rb² − γb):

- on the data: Ψ̂ is the prewhitened quadratic-spectral HAC estimate (VAR(1) prewhitening as Andrews &
  Monahan 1992, the QS kernel and its automatic bandwidth from ``arch``); s(Δ̂) = √(∇f' Ψ̂ ∇f / T);
- on each bootstrap sample: blocks of the block size b resampled with ``arch``'s circular block (or
  stationary) bootstrap, and Ψ* = (1/k) Σ_j ζ_j ζ_j' with ζ_j = b^(−1/2) × the j-th block's sum of y*;
- the studentised statistics d* = |Δ* − Δ̂| / s(Δ*) give the p-value (#{d* ≥ |Δ̂|/s(Δ̂)} + 1) / (M + 1)
  and the symmetric interval Δ̂ ± q₁₋α(d*) · s(Δ̂).

Returns are in excess of the daily risk-free rate. Sharpe ratios and their difference are reported
annualised (× √N); the p-value does not depend on it. The block size is Politis & White's optimal one
(``arch.bootstrap.optimal_block_length``, with Patton, Politis & White's correction) for the most dependent
of the four moment series, at most T/4. The seed is fixed, so the same runs give the same answer.

Mean daily return difference: the percentile interval of the mean of ra − rb under the same block bootstrap.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel

Method = Literal["circular", "stationary"]
MIN_OBSERVATIONS = 60  # about a quarter of trading days: fewer make the block bootstrap meaningless
REPS = 2000
SEED = 20080901  # fixed: the same comparison always gives the same interval and p-value
_CHUNK = 250  # bootstrap samples handled at once (keeps the (reps, T, 4) arrays small)


class SharpeDifference(BaseModel):
    observations: int
    sharpe_a: float
    sharpe_b: float
    difference: float
    ci: tuple[float, float]
    p_value: float
    standard_error: float
    block_size: int
    method: Method
    reps: int
    level: float


class MeanDifference(BaseModel):
    observations: int
    difference: float
    ci: tuple[float, float]
    block_size: int
    reps: int
    level: float


class PairTest(BaseModel):
    """What can be said about run A against run B on a window."""

    verdict: Literal["too short", "no variation", "significant", "not significant"]
    message: str
    sharpe: SharpeDifference | None = None
    mean: MeanDifference | None = None


def block_size(series: np.ndarray, method: Method = "circular") -> int:
    """Politis & White's optimal block length (the largest over the columns), between 1 and T/4."""
    from arch.bootstrap import optimal_block_length  # arch (scipy.stats under it) takes ~1.7 s to import: only here

    table = optimal_block_length(np.asarray(series, dtype=float))
    length = float(np.nanmax(table[method].to_numpy()))
    limit = max(1, len(series) // 4)
    return int(min(max(1, math.ceil(length)), limit)) if math.isfinite(length) else 1


@lru_cache(maxsize=32)
def bootstrap_indices(size: int, block: int, reps: int, method: Method, seed: int) -> np.ndarray:
    """``reps`` resampled index rows of length ``size`` from arch's circular block or stationary bootstrap
    (read-only). Kept: the runs of one comparison share the window, so their tests mostly draw the same rows,
    and arch draws them one Python call at a time (most of a test's time)."""
    from arch.bootstrap import CircularBlockBootstrap, StationaryBootstrap  # imported on use, as in block_size

    sampler = CircularBlockBootstrap if method == "circular" else StationaryBootstrap
    bootstrap = sampler(block, np.zeros(size), seed=seed)
    indices = np.stack([bootstrap.update_indices() for _ in range(reps)])
    indices.flags.writeable = False
    return indices


def _moments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """u = (μa, μb, γa, γb) along the last axis."""
    return np.stack([a.mean(-1), b.mean(-1), (a * a).mean(-1), (b * b).mean(-1)], axis=-1)


def _sharpe_difference(u: np.ndarray) -> np.ndarray:
    return u[..., 0] / np.sqrt(u[..., 2] - u[..., 0] ** 2) - u[..., 1] / np.sqrt(u[..., 3] - u[..., 1] ** 2)


def _gradient(u: np.ndarray) -> np.ndarray:
    """∇f of Δ = f(u) (Ledoit & Wolf 2008, eq. 2.3)."""
    var_a = (u[..., 2] - u[..., 0] ** 2) ** 1.5
    var_b = (u[..., 3] - u[..., 1] ** 2) ** 1.5
    return np.stack([u[..., 2] / var_a, -u[..., 3] / var_b, -u[..., 0] / (2 * var_a), u[..., 1] / (2 * var_b)], axis=-1)


def _centred(a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.stack(
        [a - u[..., 0, None], b - u[..., 1, None], a * a - u[..., 2, None], b * b - u[..., 3, None]], axis=-1
    )


def prewhitened_hac(y: np.ndarray) -> np.ndarray:
    """Long-run covariance of the rows of ``y`` (T × k): VAR(1) prewhitening, QS kernel HAC of the residuals
    with arch's automatic bandwidth, then recoloured by (I − A)^-1."""
    y = y - y.mean(axis=0)
    previous, current = y[:-1], y[1:]
    coefficients, *_ = np.linalg.lstsq(previous, current, rcond=None)  # current ≈ previous @ coefficients
    residuals = current - previous @ coefficients
    from arch.covariance.kernel import QuadraticSpectral  # imported on use, as in block_size

    psi = np.asarray(QuadraticSpectral(residuals, center=False).cov.long_run)
    recolour = np.linalg.inv(np.eye(y.shape[1]) - coefficients.T)
    return recolour @ psi @ recolour.T


def sharpe_difference_test(
    a: np.ndarray,
    b: np.ndarray,
    periods_per_year: int,
    method: Method = "circular",
    reps: int = REPS,
    level: float = 0.95,
    seed: int = SEED,
) -> SharpeDifference:
    """Ledoit & Wolf's studentised bootstrap test of Sharpe(a) = Sharpe(b) on paired excess returns."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    size = len(a)
    if np.array_equal(a, b):
        return _identical(a, periods_per_year, method, reps, level)
    u = _moments(a, b)
    difference = float(_sharpe_difference(u))
    gradient = _gradient(u)
    y = _centred(a, b, u)
    error = math.sqrt(max(float(gradient @ prewhitened_hac(y) @ gradient) / size, 0.0))
    block = block_size(y, method)
    indices = bootstrap_indices(size, block, reps, method, seed)
    studentised = np.concatenate(
        [_studentised(a[chunk], b[chunk], difference, block) for chunk in np.array_split(indices, _chunks(reps))]
    )
    observed = abs(difference) / error if error > 0 else math.inf  # identical returns were handled above
    p_value = (int(np.sum(studentised >= observed)) + 1) / (reps + 1)
    half = float(np.quantile(studentised, level)) * error
    scale = math.sqrt(periods_per_year)
    sharpe_a, sharpe_b = (float(u[i] / math.sqrt(u[i + 2] - u[i] ** 2)) * scale for i in (0, 1))
    return SharpeDifference(
        observations=size,
        sharpe_a=sharpe_a,
        sharpe_b=sharpe_b,
        difference=difference * scale,
        ci=((difference - half) * scale, (difference + half) * scale),
        p_value=p_value,
        standard_error=error * scale,
        block_size=block,
        method=method,
        reps=reps,
        level=level,
    )


def _identical(a: np.ndarray, periods_per_year: int, method: Method, reps: int, level: float) -> SharpeDifference:
    """The same returns twice: no difference, with certainty (the bootstrap would divide 0 by 0)."""
    sharpe = float(a.mean() / a.std()) * math.sqrt(periods_per_year) if a.std() > 0 else 0.0
    return SharpeDifference(
        observations=len(a), sharpe_a=sharpe, sharpe_b=sharpe, difference=0.0, ci=(0.0, 0.0), p_value=1.0,
        standard_error=0.0, block_size=1, method=method, reps=reps, level=level,
    )  # fmt: skip


def _chunks(reps: int) -> int:
    return max(1, -(-reps // _CHUNK))


def _studentised(a: np.ndarray, b: np.ndarray, difference: float, block: int) -> np.ndarray:
    """|Δ* − Δ̂| / s(Δ*) for bootstrap samples ``a``, ``b`` (reps × T) with the block-sum Ψ*."""
    u = _moments(a, b)
    blocks = a.shape[1] // block
    kept = blocks * block
    series = (a[:, :kept], b[:, :kept], a[:, :kept] ** 2, b[:, :kept] ** 2)
    sums = np.stack([x.reshape(len(a), blocks, block).sum(axis=2) for x in series], axis=-1)
    zeta = (sums - block * u[:, None, :]) / math.sqrt(block)  # each block's sum of y*, scaled
    psi = np.swapaxes(zeta, 1, 2) @ zeta / blocks
    gradient = _gradient(u)
    error = np.sqrt(np.sum(gradient * (psi @ gradient[..., None])[..., 0], axis=-1) / a.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(np.abs(_sharpe_difference(u) - difference) / error, nan=0.0)


def mean_difference_interval(
    a: np.ndarray, b: np.ndarray, method: Method = "circular", reps: int = REPS, level: float = 0.95,
    seed: int = SEED,
) -> MeanDifference:  # fmt: skip
    """Mean of the daily return differences a − b with its block-bootstrap percentile interval."""
    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    block = block_size(difference[:, None], method)
    indices = bootstrap_indices(len(difference), block, reps, method, seed)
    means = difference[indices].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return MeanDifference(
        observations=len(difference), difference=float(difference.mean()), ci=(float(low), float(high)),
        block_size=block, reps=reps, level=level,
    )  # fmt: skip


def compare_pair(
    a: np.ndarray, b: np.ndarray, periods_per_year: int, labels: tuple[str, str] = ("A", "B"),
    method: Method = "circular", reps: int = REPS, level: float = 0.95,
) -> PairTest:  # fmt: skip
    """Both tests on paired excess returns, with a plain verdict (and its reason when there is none)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < MIN_OBSERVATIONS:
        return PairTest(
            verdict="too short",
            message=f"Too short to tell: {len(a)} paired trading days; at least {MIN_OBSERVATIONS} are needed.",
        )
    flat = [label for label, series in zip(labels, (a, b), strict=True) if np.std(series) == 0]
    if flat:
        return PairTest(
            verdict="no variation", message=f"Cannot test: {' and '.join(flat)} has no variation in daily returns."
        )
    sharpe = sharpe_difference_test(a, b, periods_per_year, method, reps, level)
    mean = mean_difference_interval(a, b, method, reps, level)
    significant = sharpe.p_value < 1.0 - level
    if significant:
        better = labels[0] if sharpe.difference > 0 else labels[1]
        message = f"{better} has the higher Sharpe ratio, and the difference is significant (p = {sharpe.p_value:.3f})."
    else:
        message = f"The Sharpe ratios do not differ significantly (p = {sharpe.p_value:.3f}): no winner."
    return PairTest(
        verdict="significant" if significant else "not significant", message=message, sharpe=sharpe, mean=mean
    )
