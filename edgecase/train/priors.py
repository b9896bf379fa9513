"""Prior correction: probabilities for the true class balance after a fit on another one.

A model fitted on rows whose positive share is ``pi_fit`` (after oversampling,
reweighting or negative downsampling) predicts odds inflated by
``odds(pi_fit) / odds(pi)``, where ``pi`` is the share in the rows it will score.
Bayes' rule removes that exactly: ``odds_true = odds_model * ratio`` with
``ratio = odds(pi) / odds(pi_fit)`` (Elkan, 2001; for downsampling negatives to a
share ``q`` the ratio is exactly ``q``). Rankings, and so PR-AUC and ROC-AUC, are
unchanged; only the probability scale moves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from edgecase.errors import InvalidInputError

__all__ = ["prior_ratio", "correct_prior", "downsample_negatives"]


def prior_ratio(n_pos: float, n_neg: float, n_pos_fit: float, n_neg_fit: float) -> float:
    """``odds(pi) / odds(pi_fit)`` from (weighted) class counts before and after resampling.

    Examples
    --------
    >>> prior_ratio(10, 990, 10, 99)  # 10% of negatives kept
    0.1
    """
    return float((n_pos / n_neg) / (n_pos_fit / n_neg_fit))


def correct_prior(p: np.ndarray, ratio: float) -> np.ndarray:
    """Multiply the odds of ``p`` by ``ratio`` (identity when ``ratio == 1``).

    Examples
    --------
    >>> correct_prior(np.array([0.5, 0.0, 1.0]), 0.25).round(3).tolist()
    [0.2, 0.0, 1.0]
    """
    p = np.asarray(p, dtype=float)
    if ratio == 1.0:
        return p
    return p * ratio / (p * ratio + (1.0 - p))


def downsample_negatives(
    X: pd.DataFrame, y: np.ndarray, rate: float, rng: np.random.Generator, where: str = "X"
) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Keep every positive row and each negative with probability ``rate``.

    Returns the kept rows (in their order) and the exact prior ratio of the
    draw: kept negatives over all negatives (``rate`` in expectation).

    Examples
    --------
    >>> X = pd.DataFrame({"a": range(1000)})
    >>> y = (np.arange(1000) < 10).astype(int)
    >>> Xs, ys, r = downsample_negatives(X, y, 0.1, np.random.default_rng(0))
    >>> int(ys.sum()), abs(r - 0.1) < 0.03
    (10, True)
    """
    neg = y == 0
    keep = ~neg | (rng.random(y.shape[0]) < rate)
    n_neg_kept = int((keep & neg).sum())
    if n_neg_kept == 0:
        raise InvalidInputError(
            f"negative_rate={rate} kept no negative row of {where} ({int(neg.sum())} "
            "negatives); raise negative_rate."
        )
    return X.iloc[np.flatnonzero(keep)], y[keep], n_neg_kept / int(neg.sum())
