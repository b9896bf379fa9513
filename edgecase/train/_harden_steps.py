"""The steps of one hardening round: hold out, stress, check the generated rows, guard.

Private helpers of :func:`edgecase.train.harden`; the stress step talks to
scenarios through their protocol only (``name`` and ``apply(X, y, severity,
random_state)``), so this module needs nothing from the later stress stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedShuffleSplit

from edgecase.errors import InvalidInputError
from edgecase.fraud.relations import Relations, detection_auc, repair

__all__ = [
    "split_holdout",
    "alert_recall",
    "breaking_severity",
    "paired_ap_interval",
    "weighted_ap",
    "exact_copy_share",
    "detection_auc",
    "marginal_rows",
]

#: Severities the stress step sweeps for a scenario; the breaking point is where recall
#: at the fixed alert threshold falls below 80% of its severity-0 value (as StressHarness).
STRESS_GRID = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0])
BREAK_RATIO = 0.8
N_BOOT = 400


def _time_order(X: pd.DataFrame) -> np.ndarray | None:
    """Row order by time: an ordered DatetimeIndex or the first datetime column."""
    if isinstance(X.index, pd.DatetimeIndex) and X.index.is_monotonic_increasing:
        return np.arange(len(X))
    times = [c for c in X.columns if pd.api.types.is_datetime64_any_dtype(X[c].dtype)]
    if times:
        return np.argsort(X[times[0]].to_numpy(), kind="stable")
    return None


def split_holdout(
    X: pd.DataFrame, y: np.ndarray, holdout: float, groups: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """(training positions, validation positions, how): later in time, by group or stratified."""
    n_pos = int(y.sum())
    if n_pos < 2 or len(y) - n_pos < 2:
        raise InvalidInputError(
            f"y has {n_pos} positive and {len(y) - n_pos} negative row(s); holding out a "
            "validation part needs at least 2 of each."
        )
    order = _time_order(X)
    if order is not None:
        cut = int(round(len(y) * (1 - holdout)))
        train, valid, how = np.sort(order[:cut]), np.sort(order[cut:]), "later in time"
    elif groups is not None:
        k = max(2, int(round(1 / holdout)))
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        try:
            train, valid = next(splitter.split(X, y, groups))
        except ValueError as exc:
            raise InvalidInputError(f"holdout={holdout} cannot split these groups: {exc}") from None
        how = f"by group (1 of {k} group folds)"
    else:
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=holdout, random_state=seed)
        train, valid = next(splitter.split(np.zeros(len(y)), y))
        how = "stratified"
    for part, idx in (("validation", valid), ("training", train)):
        n_pos = int(y[idx].sum())
        if n_pos == 0 or n_pos == len(idx):
            raise InvalidInputError(
                f"holdout={holdout} ({how}) leaves the {part} part with {n_pos} positive of "
                f"{len(idx)} row(s); it needs both classes: raise holdout, or pass more positives."
            )
    return train, valid, how


def alert_recall(y: np.ndarray, s: np.ndarray, threshold: float) -> float:
    return float(np.mean(s[y == 1] >= threshold))


def breaking_severity(model, scenario, X: pd.DataFrame, y: np.ndarray, threshold: float, seed: int):
    """(breaking severity or NaN, recall per grid severity) of ``scenario`` on (X, y)."""
    recalls = []
    for sev in STRESS_GRID:
        Xs, ys = scenario.apply(X, y, float(sev), random_state=seed)
        ys = np.asarray(ys).astype(int)
        recalls.append(alert_recall(ys, model.predict_proba(Xs)[:, 1], threshold))
    r = np.asarray(recalls)
    cut = BREAK_RATIO * r[0]
    below = np.flatnonzero(r < cut)
    if not len(below):
        return float("nan"), r
    k = below[0]
    if k == 0:
        return 0.0, r
    s0, s1, r0, r1 = STRESS_GRID[k - 1], STRESS_GRID[k], r[k - 1], r[k]
    return float(s0 + (r0 - cut) / (r0 - r1) * (s1 - s0)), r


def weighted_ap(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Average precision (sklearn's step-wise definition) under each row of weights ``W``.

    ``W`` is (draws, rows), e.g. bootstrap counts; one sort serves every draw, and
    tied scores form one threshold as in :func:`sklearn.metrics.average_precision_score`.
    """
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), len(s) - 1]  # end of each tie group
    Wo = W[:, order]
    tp = np.cumsum(Wo * y[order], axis=1)[:, last]
    fp = np.cumsum(Wo * (1 - y[order]), axis=1)[:, last]
    precision = tp / np.maximum(tp + fp, 1e-300)
    recall_step = np.diff(np.c_[np.zeros(len(W)), tp], axis=1) / tp[:, -1:]
    return np.sum(recall_step * precision, axis=1)


def _stratified_counts(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap counts per row, (n, rows): each class resampled to its own size."""
    W = np.zeros((n, len(y)))
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        W[:, idx] = rng.multinomial(len(idx), np.full(len(idx), 1.0 / len(idx)), size=n)
    return W


def paired_ap_interval(
    y: np.ndarray, s_new: np.ndarray, s_ref: np.ndarray, rng: np.random.Generator
) -> tuple[float, float, float]:
    """PR-AUC difference new - ref on the same rows, with a 95% stratified paired bootstrap interval."""
    y = np.asarray(y, dtype=float)
    diffs = []
    chunk = max(1, min(N_BOOT, 4_000_000 // max(len(y), 1)))
    for start in range(0, N_BOOT, chunk):
        W = _stratified_counts(y, min(chunk, N_BOOT - start), rng)
        diffs.append(weighted_ap(y, s_new, W) - weighted_ap(y, s_ref, W))
    d = np.concatenate(diffs)
    one = np.ones((1, len(y)))
    point = float(weighted_ap(y, s_new, one)[0] - weighted_ap(y, s_ref, one)[0])
    lo, hi = np.quantile(d, [0.025, 0.975])
    return point, float(lo), float(hi)


def _hashes(df: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(df.reset_index(drop=True), index=False).to_numpy()


def exact_copy_share(generated: pd.DataFrame, real: pd.DataFrame) -> float:
    """Share of generated rows identical to a real row (all columns)."""
    if not len(generated):
        return float("nan")
    return float(np.isin(_hashes(generated), _hashes(real[generated.columns])).mean())


def marginal_rows(
    X: pd.DataFrame, legit: np.ndarray, n: int, rel: Relations, rng: np.random.Generator
) -> pd.DataFrame:
    """``n`` rows from the product of the legitimate rows' marginals, repaired.

    Every column that is not derived is drawn on its own from the rows ``X[legit]``
    (one independent row position per column and output row, so each value, with
    its dtype, is a real legitimate value while the joint profile is not); the
    derived columns then follow their sources through
    :func:`edgecase.fraud.relations.repair`, with one legitimate donor row per
    output row as the "before" row (a ratio column keeps the donor's ratio).
    """
    pool = X[legit].reset_index(drop=True)
    if n <= 0 or not len(pool):
        return X.iloc[:0].copy()
    donor = pool.iloc[rng.integers(len(pool), size=n)].reset_index(drop=True)
    out = donor.copy()
    for c in X.columns:
        if c not in rel.derived:
            out[c] = pool[c].iloc[rng.integers(len(pool), size=n)].reset_index(drop=True)
    return repair(out, donor, rel)
