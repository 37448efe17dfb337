"""Is the best run of a sweep luck? Two answers from the literature, as pure functions on daily returns.

- Deflated Sharpe Ratio (Bailey & López de Prado, 2014, "The Deflated Sharpe Ratio: Correcting for
  Selection Bias, Backtest Overfitting and Non-Normality"): the probability that the best run's true Sharpe
  ratio exceeds the Sharpe ratio the best of N unskilled trials would show by chance,
  SR₀ = √V[SRₙ] · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))), γ the Euler–Mascheroni constant, and
  DSR = Φ((SR* − SR₀) √(T − 1) / √(1 − γ₃ SR* + (γ₄ − 1)/4 · SR*²)), with SR* the best (per-period, not
  annualised) Sharpe ratio, T its number of returns, γ₃ its skewness and γ₄ its (non-excess) kurtosis.
- Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey, Borwein,
  López de Prado & Zhu, 2015, "The Probability of Backtest Overfitting"): split the T×N matrix of the
  trials' returns into S row blocks; for every choice of S/2 blocks as in-sample, take the trial best
  in-sample and the relative rank ω of its out-of-sample performance; PBO is the share of choices where the
  logit ln(ω / (1 − ω)) ≤ 0, i.e. where the in-sample winner is at or below the out-of-sample median.

Sharpe ratios here are per period (daily returns: mean / sample standard deviation, risk-free rate 0).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from scipy.special import ndtr, ndtri  # the normal CDF and its inverse (scipy.stats costs seconds to import)

EULER_GAMMA = 0.5772156649015329
CSCV_CHUNK = 500  # splits scored at once (bounds memory: chunk by trials floats per array)


class DeflatedSharpe(BaseModel):
    """The DSR and every input it used, so a page can state them."""

    dsr: float = Field(description="probability that the best run's true Sharpe ratio exceeds SR₀")
    best_sharpe: float = Field(description="SR*: per-period Sharpe ratio of the best run")
    expected_max_sharpe: float = Field(description="SR₀: the best Sharpe ratio expected from N unskilled trials")
    trials: int
    sharpe_variance: float = Field(description="V[SRₙ]: variance of the trials' per-period Sharpe ratios")
    observations: int = Field(description="T: returns of the best run")
    skewness: float
    kurtosis: float = Field(description="non-excess kurtosis (3 for a normal distribution)")


class OverfitProbability(BaseModel):
    """PBO by CSCV and its inputs; ``logits`` holds one λ per in-sample choice."""

    pbo: float
    blocks: int = Field(description="S: row blocks of the returns matrix")
    combinations: int
    trials: int
    observations: int = Field(description="T: rows (days) used, after dropping days some trial lacks")
    logits: list[float]


def sharpe_ratio(returns: pd.Series | np.ndarray) -> float:
    """Per-period Sharpe ratio: mean over sample standard deviation (NaN with fewer than 2 returns or no spread)."""
    values = np.asarray(returns, dtype=float)
    if len(values) < 2:
        return math.nan
    spread = values.std(ddof=1)
    return float(values.mean() / spread) if spread > 0 else math.nan


def expected_max_sharpe(trials: int, sharpe_variance: float) -> float:
    """SR₀: the expected maximum of ``trials`` Sharpe ratios of skill-less strategies (paper's eq. for E[max])."""
    if trials < 2:
        return 0.0
    normal = ndtri
    spread = math.sqrt(max(sharpe_variance, 0.0))
    return spread * ((1 - EULER_GAMMA) * normal(1 - 1 / trials) + EULER_GAMMA * normal(1 - 1 / (trials * math.e)))


def deflated_sharpe_ratio(
    best_sharpe: float, observations: int, skewness: float, kurtosis: float, trials: int, sharpe_variance: float
) -> DeflatedSharpe:
    """DSR from the best run's per-period Sharpe ratio and moments, the number of trials and their SR variance."""
    benchmark = expected_max_sharpe(trials, sharpe_variance)
    denominator = 1 - skewness * best_sharpe + (kurtosis - 1) / 4 * best_sharpe**2
    if observations < 2 or denominator <= 0:
        value = math.nan
    else:
        value = float(ndtr((best_sharpe - benchmark) * math.sqrt(observations - 1) / math.sqrt(denominator)))
    return DeflatedSharpe(
        dsr=value,
        best_sharpe=best_sharpe,
        expected_max_sharpe=benchmark,
        trials=trials,
        sharpe_variance=sharpe_variance,
        observations=observations,
        skewness=skewness,
        kurtosis=kurtosis,
    )


def deflated_sharpe_of_best(returns: dict[str, pd.Series], best: str) -> DeflatedSharpe:
    """DSR of run ``best`` among the trials ``returns`` (run id → daily returns); every trial counts as one."""
    sharpes = [sharpe_ratio(series) for series in returns.values()]
    finite = [value for value in sharpes if math.isfinite(value)]
    variance = float(np.var(finite, ddof=1)) if len(finite) > 1 else 0.0
    chosen = np.asarray(returns[best], dtype=float)
    return deflated_sharpe_ratio(
        best_sharpe=sharpe_ratio(chosen),
        observations=len(chosen),
        skewness=_moment_ratio(chosen, 3) if len(chosen) > 2 else 0.0,
        kurtosis=_moment_ratio(chosen, 4) if len(chosen) > 3 else 3.0,
        trials=len(returns),
        sharpe_variance=variance,
    )


def probability_of_backtest_overfitting(returns: pd.DataFrame, blocks: int = 16) -> OverfitProbability:
    """PBO by CSCV on a T×N frame of per-period returns (one column per trial), performance = Sharpe ratio.

    ``blocks`` (S) must be even; it is lowered to the largest even number that leaves each block 2 rows.
    Rows are cut into S contiguous blocks of equal size (a remainder of at most S−1 final rows is dropped,
    as the method needs equal blocks).
    """
    matrix = returns.dropna(how="any").to_numpy(dtype=float)
    rows, trials = matrix.shape
    if trials < 2:
        raise ValueError("PBO needs at least 2 trials")
    blocks = min(blocks, rows // 2)
    blocks -= blocks % 2
    if blocks < 2:
        raise ValueError(f"PBO needs at least 4 common days of returns; the trials share {rows}")
    size = rows // blocks
    parts = matrix[: size * blocks].reshape(blocks, size, trials)
    sums, squares = parts.sum(axis=1), (parts**2).sum(axis=1)  # per block and trial: Sharpe from these alone
    half = size * (blocks // 2)
    splits = np.array([[index in chosen for index in range(blocks)]
                       for chosen in itertools.combinations(range(blocks), blocks // 2)], dtype=float)  # fmt: skip
    logits: list[float] = []
    for chunk in np.array_split(splits, max(1, len(splits) // CSCV_CHUNK)):
        train_sums, train_squares = chunk @ sums, chunk @ squares  # one row per split, one column per trial
        in_sample = _block_sharpe(train_sums, train_squares, half)
        out_sample = _block_sharpe(sums.sum(axis=0) - train_sums, squares.sum(axis=0) - train_squares, half)
        best = np.argmax(np.nan_to_num(in_sample, nan=-np.inf), axis=1)
        scores = np.nan_to_num(out_sample, nan=-np.inf)
        winner = scores[np.arange(len(chunk)), best][:, None]
        # the winner's average rank out of sample (1 = worst; ties share their mean rank)
        rank = np.sum(scores < winner, axis=1) + (np.sum(scores == winner, axis=1) + 1) / 2
        omega = rank / (trials + 1)
        logits.extend(np.log(omega / (1 - omega)).tolist())
    pbo = float(np.mean([value <= 0 for value in logits]))
    return OverfitProbability(
        pbo=pbo, blocks=blocks, combinations=len(logits), trials=trials, observations=size * blocks, logits=logits
    )


def _block_sharpe(total: np.ndarray, squares: np.ndarray, count: int) -> np.ndarray:
    """Per-trial Sharpe ratio (sample std) from sums and sums of squares over ``count`` rows; NaN without spread."""
    mean = total / count
    variance = np.maximum(squares - count * mean**2, 0.0) / (count - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(variance > 1e-24, mean / np.sqrt(variance), np.nan)


def _moment_ratio(values: np.ndarray, order: int) -> float:
    """Skewness (order 3) or non-excess kurtosis (order 4) from central moments, as the paper uses them."""
    centred = values - values.mean()
    spread = np.mean(centred**2)
    return float(np.mean(centred**order) / spread ** (order / 2)) if spread > 0 else (0.0 if order == 3 else 3.0)
