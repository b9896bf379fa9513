"""A batched minimal breaking example: push caught fraud rows toward the model's boundary.

Every row moves along its own direction in the mutable columns, found by finite
differences of the model's score (one batched ``predict_proba`` for all rows and
columns), restricted to the allowed signs. A line search (one more batched call)
then takes the first step at which the row's score falls below the alert
threshold, or the lowest-scoring step when none does. Moves are in units of each
column's spread on the real training rows and are repaired back inside the
data's physics (:func:`edgecase.fraud.relations.repair`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edgecase.fraud.relations import Relations, repair

__all__ = ["MovePlan", "attack", "variations"]

_SIGN = {"up": 1, "down": -1, "both": 0}
# Largest move, in column spreads, and the steps of the line search toward it.
MAX_STEP = 3.0
N_STEPS = 12
_BATCH = 200_000
# Spread of the noise added to the score's own direction for the extra variations of a row.
DIRECTION_NOISE = 0.5


@dataclass(frozen=True)
class MovePlan:
    """The columns a fraudster moves, their allowed signs (+1, -1, 0 = both) and spreads."""

    columns: list[str]
    signs: np.ndarray
    scale: np.ndarray
    relations: Relations

    @classmethod
    def build(cls, X: pd.DataFrame, directions: dict[str, str], rel: Relations) -> MovePlan:
        cols = [c for c in directions if c not in rel.derived]
        values = X[cols].astype(float)
        scale = values.std(ddof=0).to_numpy()
        span = (values.max() - values.min()).to_numpy()
        scale = np.where(scale > 0, scale, span)
        keep = scale > 0
        cols = [c for c, k in zip(cols, keep, strict=True) if k]
        signs = np.array([_SIGN[directions[c]] for c in cols], dtype=float)
        return cls(cols, signs, scale[keep], rel)


def _scores(score: Callable[[pd.DataFrame], np.ndarray], X: pd.DataFrame) -> np.ndarray:
    return np.concatenate([score(X.iloc[i : i + _BATCH]) for i in range(0, max(len(X), 1), _BATCH)])


def _moved(src: pd.DataFrame, plan: MovePlan, delta: np.ndarray) -> pd.DataFrame:
    """``src`` with ``delta`` (rows x plan columns, in spreads) added, then repaired."""
    out = src.copy()
    for j, c in enumerate(plan.columns):
        out[c] = src[c].to_numpy(float) + delta[:, j] * plan.scale[j]
    return repair(out, src, plan.relations)


def _directions(score, src: pd.DataFrame, s0: np.ndarray, plan: MovePlan, rng) -> np.ndarray:
    n, m = len(src), len(plan.columns)
    # one repaired batch of every probe: +-half a spread along each column in turn
    delta = np.kron(np.r_[np.eye(m), -np.eye(m)] * 0.5, np.ones((n, 1)))
    s = _scores(score, _moved(_repeat(src, 2 * m), plan, delta)).reshape(2, m, n)
    gain_up = np.where(plan.signs >= 0, s0[:, None] - s[0].T, -np.inf)
    gain_down = np.where(plan.signs <= 0, s0[:, None] - s[1].T, -np.inf)
    d = np.where(gain_up >= gain_down, np.maximum(gain_up, 0), -np.maximum(gain_down, 0))
    flat = ~np.any(d != 0, axis=1)
    if flat.any():
        # the score does not move within half a spread: take a random allowed direction
        r = rng.uniform(0.2, 1.0, size=(int(flat.sum()), m))
        sign = np.where(plan.signs == 0, rng.choice([-1.0, 1.0], size=r.shape), plan.signs)
        d[flat] = r * sign
    return d / np.abs(d).max(axis=1, keepdims=True)


def _line_search(score, src: pd.DataFrame, d: np.ndarray, plan: MovePlan):
    """(moved rows at each step, stacked step-major; scores (steps, rows)) along ``d``."""
    n = len(src)
    cands = _moved(_repeat(src, N_STEPS), plan, np.concatenate([d * t for t in _STEPS]))
    return cands, _scores(score, cands).reshape(N_STEPS, n)


def _repeat(src: pd.DataFrame, k: int) -> pd.DataFrame:
    """``k`` stacked copies of ``src`` (one repair call for all of them, not ``k``)."""
    return src.iloc[np.tile(np.arange(len(src)), k)].reset_index(drop=True)


_STEPS = MAX_STEP * np.arange(1, N_STEPS + 1) / N_STEPS


def attack(
    score: Callable[[pd.DataFrame], np.ndarray],
    src: pd.DataFrame,
    threshold: float,
    plan: MovePlan,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Move each row of ``src`` to the model's boundary.

    Returns the moved rows and, per row, the step (in column spreads) at which its
    score first fell below ``threshold`` (``inf`` where no step up to ``MAX_STEP`` did).
    """
    n = len(src)
    if n == 0 or not plan.columns:
        return src.iloc[:0].copy(), np.full(n, np.inf)
    src = src.reset_index(drop=True)
    s0 = _scores(score, src)
    d = _directions(score, src, s0, plan, rng)
    cands, s = _line_search(score, src, d, plan)
    below = s < threshold
    evaded = below.any(axis=0)
    pick = np.where(evaded, below.argmax(axis=0), s.argmin(axis=0))
    step = np.where(evaded, _STEPS[pick], np.inf)
    return cands.iloc[pick * n + np.arange(n)].reset_index(drop=True), step


def _spread(d: np.ndarray, plan: MovePlan, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` directions per row: the score's own (first) and noisy copies within the allowed signs."""
    out = [d]
    for _ in range(k - 1):
        e = d + rng.normal(0.0, DIRECTION_NOISE, size=d.shape)
        e = np.where(
            plan.signs > 0, np.maximum(e, 0), np.where(plan.signs < 0, np.minimum(e, 0), e)
        )
        top = np.abs(e).max(axis=1, keepdims=True)
        out.append(np.where(top > 0, e / np.where(top > 0, top, 1), d))
    return np.concatenate(out)


def variations(
    score: Callable[[pd.DataFrame], np.ndarray],
    src: pd.DataFrame,
    threshold: float,
    plan: MovePlan,
    rng: np.random.Generator,
    *,
    per_row: int = 1,
    overshoot: float = 1.0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Hard variations of ``src``: ``per_row`` directions per row, each moved past the boundary.

    Each direction is line-searched as in :func:`attack`; the variation sits at the
    evading step times a factor drawn in ``[1, overshoot]`` (capped at ``MAX_STEP``),
    or at the lowest-scoring step where no step evades. Returns the rows and, per
    row, the position in ``src`` it came from.
    """
    n = len(src)
    if n == 0 or not plan.columns:
        return src.iloc[:0].copy(), np.zeros(0, dtype=np.int64)
    src = src.reset_index(drop=True)
    d = _directions(score, src, _scores(score, src), plan, rng)
    dk = _spread(d, plan, per_row, rng)
    srck = _repeat(src, per_row)
    _, s = _line_search(score, srck, dk, plan)
    below = s < threshold
    evaded = below.any(axis=0)
    t = _STEPS[np.where(evaded, below.argmax(axis=0), s.argmin(axis=0))]
    t = np.where(evaded, np.minimum(t * rng.uniform(1.0, overshoot, size=len(t)), MAX_STEP), t)
    return _moved(srck, plan, dk * t[:, None]), np.tile(np.arange(n), per_row)
