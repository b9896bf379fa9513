"""Whole-curve bootstrap: one resample of rows (or of whole groups) per draw, reused at
every severity.

A breaking point is a property of the whole metric-versus-severity curve, so each
bootstrap draw must be a whole curve: the draw resamples the test set once and
measures the metric on *those* rows at every severity (common random numbers).
Independent resamples per severity would make neighbouring points of a draw
uncorrelated and the crossing of a draw meaningless.

Fraud rows are not independent: the rows of one event (a victim's account, a
compromised merchant, a burst) rise and fall together under a scenario. With
``groups`` the bootstrap resamples whole groups (a cluster bootstrap), stratified by
whether a group holds any positive row, so every draw keeps the test set's number of
fraud groups and of legit-only groups. Without ``groups`` each row is its own group,
which is the ordinary class-stratified bootstrap.

A draw is stored as integer weights (how often each row was drawn), so a metric on
a draw is a weighted metric; the weights of all draws form a ``(n_boot, n)`` matrix
and every metric below is a few matrix products over all draws and severities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from edgecase.errors import InvalidInputError
from edgecase.stress._metrics import ECE_BINS, Metric, _safe_div, _threshold_stat

__all__ = ["CurveBootstrap", "group_codes", "draw_weights", "weighted_draws"]


def group_codes(groups: Any, n: int, *, what: str = "groups") -> np.ndarray | None:
    """Integer codes ``0..G-1`` of ``groups`` (one label per row), or None."""
    if groups is None:
        return None
    arr = groups.to_numpy() if isinstance(groups, pd.Series | pd.Index) else np.asarray(groups)
    if arr.ndim != 1 or len(arr) != n:
        raise InvalidInputError(
            f"{what} must give one group label per row of X ({n}); got shape {arr.shape}."
        )
    codes, _ = pd.factorize(arr, use_na_sentinel=True)
    if (codes < 0).any():
        raise InvalidInputError(
            f"{what} has {int((codes < 0).sum())} missing label(s); every row needs a group."
        )
    return codes.astype(np.int64)


def draw_weights(
    y: np.ndarray, codes: np.ndarray | None, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """``(n_boot, n)`` float32 row weights of a group bootstrap stratified by whether a
    group holds a positive (each row its own group when ``codes`` is None)."""
    n = len(y)
    if codes is None:
        codes = np.arange(n)
    n_groups = int(codes.max()) + 1
    has_pos = np.bincount(codes, weights=y, minlength=n_groups) > 0
    counts = np.zeros((n_boot, n_groups), dtype=np.float32)
    for stratum in (np.flatnonzero(has_pos), np.flatnonzero(~has_pos)):
        k = len(stratum)
        if k == 0:
            continue
        for b in range(n_boot):  # one draw at a time: an (n_boot, k) index matrix is 160 MB
            counts[b, stratum] = np.bincount(rng.integers(0, k, size=k), minlength=k)
    return counts[:, codes]


def n_groups(y: np.ndarray, codes: np.ndarray | None) -> tuple[int, int]:
    """(groups holding a positive, all groups); rows when ``codes`` is None."""
    if codes is None:
        return int(y.sum()), len(y)
    g = int(codes.max()) + 1
    return int((np.bincount(codes, weights=y, minlength=g) > 0).sum()), g


class CurveBootstrap:
    """The draws of one run: weights for the test set, drawn once and cached.

    Scenarios that keep the test set's rows (same index and labels) use these weights at
    every severity. Scenarios that simulate their own rows get fresh weights per severity
    from :meth:`weights_for`, drawn from the same seed at every severity.
    """

    def __init__(self, n_boot: int, seed: np.random.SeedSequence, codes: np.ndarray | None) -> None:
        self.n_boot = n_boot
        self.seed = seed
        self.codes = codes
        self._cache: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Dask workers redraw the weights from the seed rather than receive 80 MB.
        return {**self.__dict__, "_cache": {}}

    def base_weights(self, y: np.ndarray) -> np.ndarray:
        if "W" not in self._cache:
            rng = np.random.Generator(np.random.PCG64(self.seed))
            self._cache["W"] = draw_weights(y, self.codes, self.n_boot, rng)
        return self._cache["W"]

    def weights_for(
        self, y: np.ndarray, codes: np.ndarray | None, seed: np.random.SeedSequence
    ) -> np.ndarray:
        return draw_weights(y, codes, self.n_boot, np.random.Generator(np.random.PCG64(seed)))


def weighted_draws(
    metric: Metric,
    y: np.ndarray,
    S: np.ndarray,
    threshold: float,
    W: np.ndarray,
    extra: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The metric on each draw (rows of the weights ``W``) and each score column of ``S``
    (``(n, m)``, one column per severity): an ``(n_boot, m)`` array."""
    S = np.asarray(S, dtype=float).reshape(len(y), -1)
    if metric.func is not None:
        return _custom(metric, y, S, threshold, W)
    if metric.name in OPERATIONAL:
        return OPERATIONAL[metric.name](y, S, threshold, W, extra or {})
    pos = y == 1
    Wp, Wn = W[:, pos], W[:, ~pos]
    if metric.uses_threshold:
        A = (S >= threshold).astype(np.float32)
        tp, fp = Wp @ A[pos], Wn @ A[~pos]
        return _threshold_stat(
            metric.name, tp, fp, Wp.sum(axis=1)[:, None], Wn.sum(axis=1)[:, None]
        )
    if metric.name == "pr_auc":
        return np.column_stack([_ap(S[pos, j], S[~pos, j], Wp, Wn) for j in range(S.shape[1])])
    total = W.sum(axis=1)[:, None].astype(float)
    if metric.name == "brier":
        return (W @ ((S - y[:, None]) ** 2).astype(np.float32)) / total
    return _ece(y, S, W, total)


def _ap(s_pos: np.ndarray, s_neg: np.ndarray, Wp: np.ndarray, Wn: np.ndarray) -> np.ndarray:
    """Weighted average precision per draw: positives grouped by their distinct scores
    (descending), negatives by the interval between consecutive distinct positive scores."""
    u_asc, inv = np.unique(s_pos, return_inverse=True)
    K = len(u_asc)
    j_pos = K - 1 - inv  # index in descending order
    P = sparse.csr_matrix(
        (np.ones(len(s_pos)), (np.arange(len(s_pos)), j_pos)), shape=(len(s_pos), K)
    )
    k = np.searchsorted(u_asc, s_neg, side="right")  # distinct positive scores <= s
    keep = k > 0
    N = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (np.flatnonzero(keep), K - k[keep])), shape=(len(s_neg), K)
    )
    pos_w = np.asarray((P.T @ Wp.T).T, dtype=float)
    neg_w = np.asarray((N.T @ Wn.T).T, dtype=float)
    tp, fp = np.cumsum(pos_w, axis=1), np.cumsum(neg_w, axis=1)
    return (_safe_div(pos_w, Wp.sum(axis=1)[:, None]) * _safe_div(tp, tp + fp)).sum(axis=1)


def _ece(y: np.ndarray, S: np.ndarray, W: np.ndarray, total: np.ndarray) -> np.ndarray:
    n, m = S.shape
    bins = np.clip((S * ECE_BINS).astype(np.int64), 0, ECE_BINS - 1)
    cols = bins + ECE_BINS * np.arange(m)[None, :]
    gap = sparse.csr_matrix(
        ((S - y[:, None]).ravel(), (np.repeat(np.arange(n), m), cols.ravel())),
        shape=(n, m * ECE_BINS),
    )
    per_bin = np.asarray((gap.T @ W.T.astype(float)).T).reshape(len(W), m, ECE_BINS)
    return np.abs(per_bin).sum(axis=2) / total


def _custom(metric: Metric, y: np.ndarray, S: np.ndarray, threshold: float, W: np.ndarray):
    """A user callable cannot take weights: rebuild each draw's rows and call it."""
    out = np.empty((len(W), S.shape[1]))
    for b in range(len(W)):
        idx = np.repeat(np.arange(len(y)), W[b].astype(np.int64))
        for j in range(S.shape[1]):
            args = (y[idx], S[idx, j], threshold) if metric.uses_threshold else (y[idx], S[idx, j])
            out[b, j] = float(metric.func(*args))
    return out


def _event_recall(y, S, threshold, W, extra):
    """Share of fraud events (groups) with at least one alerted fraud row, per draw."""
    codes = extra["codes"]
    pos = y == 1
    ev, ev_idx = np.unique(codes[pos], return_inverse=True)
    # a group's weight is the weight of any of its rows (all rows of a group share it)
    first = np.zeros(len(ev), dtype=np.int64)
    first[ev_idx[::-1]] = np.flatnonzero(pos)[::-1]
    Wg = W[:, first]
    alerted = np.zeros((len(ev), S.shape[1]), dtype=np.float32)
    np.maximum.at(alerted, ev_idx, (S[pos] >= threshold).astype(np.float32))
    return _safe_div(Wg @ alerted, Wg.sum(axis=1)[:, None])


def _value_recall(y, S, threshold, W, extra):
    """Share of fraud amount on alerted rows, per draw."""
    pos = y == 1
    amount = extra["amount"][pos].astype(float)
    Wp = W[:, pos] * amount[None, :]
    caught = (S[pos] >= threshold) * 1.0
    return _safe_div(Wp @ caught, Wp.sum(axis=1)[:, None])


OPERATIONAL = {"event_recall": _event_recall, "value_recall": _value_recall}
