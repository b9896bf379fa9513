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

__all__ = ["CurveBootstrap", "Draws", "Ones", "group_codes", "n_groups", "weighted_draws"]


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


class Draws:
    """The bootstrap draws over one set of rows, as row weights, drawn lazily per stratum.

    Groups holding a positive and legit-only groups are resampled separately (each
    stratum keeps its number of groups); each stratum has its own child seed, so a
    metric that reads only the positive rows (recall) never pays for drawing the
    100,000 legit rows, and the draws do not depend on which metric asked first.
    """

    def __init__(
        self,
        y: np.ndarray,
        codes: np.ndarray | None,
        n_boot: int,
        seed: np.random.SeedSequence,
    ) -> None:
        self.y = np.asarray(y)
        n = len(self.y)
        self.codes = np.arange(n) if codes is None else codes
        G = int(self.codes.max()) + 1
        has_pos = np.bincount(self.codes, weights=self.y, minlength=G) > 0
        rank = np.empty(G, dtype=np.int64)
        rank[has_pos] = np.arange(int(has_pos.sum()))
        rank[~has_pos] = np.arange(int((~has_pos).sum()))
        self.in_pos = has_pos[self.codes]
        self.rank = rank[self.codes]
        self.sizes = (int(has_pos.sum()), int((~has_pos).sum()))
        self.n_boot = n_boot
        self.seeds = seed.spawn(2)
        self.cache: dict[Any, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Dask workers redraw the weights from the seeds rather than receive 80 MB.
        return {**self.__dict__, "cache": {}}

    def counts(self, k: int) -> np.ndarray:
        """``(n_boot, groups)`` resample counts of stratum ``k`` (0: groups with a positive)."""
        key = ("counts", k)
        if key not in self.cache:
            size, B = self.sizes[k], self.n_boot
            rng = np.random.Generator(np.random.PCG64(self.seeds[k]))
            out = np.zeros((B, size), dtype=np.float32)
            step = max(1, 2_000_000 // max(size, 1))  # a few MB of indices at a time
            for b0 in range(0, B, step):
                m = min(step, B - b0)
                idx = rng.integers(0, size, size=(m, size)) + size * np.arange(m)[:, None]
                out[b0 : b0 + m] = np.bincount(idx.ravel(), minlength=m * size).reshape(m, size)
            self.cache[key] = out
        return self.cache[key]

    def rows(self, which: str) -> np.ndarray:
        """``(n_boot, rows)`` weights of the positive ("pos"), negative ("neg") or all rows."""
        if which not in self.cache:
            mask = {"pos": self.y == 1, "neg": self.y == 0, "all": np.ones(len(self.y), bool)}
            idx = np.flatnonzero(mask[which])
            # one gather from both strata's counts side by side (a boolean column mask
            # per stratum costs several times more on 100,000 rows)
            self.cache[which] = np.take(self.all_counts(), self.column(idx), axis=1)
        return self.cache[which]

    def all_counts(self) -> np.ndarray:
        """Both strata's resample counts side by side, ``(n_boot, groups)``: the groups
        holding a positive first, then the legit-only groups."""
        if "all_counts" not in self.cache:
            parts = [
                self.counts(k) if self.sizes[k] else np.zeros((self.n_boot, 0), np.float32)
                for k in (0, 1)
            ]
            self.cache["all_counts"] = np.hstack(parts)
        return self.cache["all_counts"]

    def column(self, idx: np.ndarray) -> np.ndarray:
        """The column of :meth:`all_counts` of each row at positions ``idx``."""
        rank = self.rank[idx]
        return np.where(self.in_pos[idx], rank, self.sizes[0] + rank)

    def groups_pos(self) -> tuple[np.ndarray, np.ndarray]:
        """Resample counts of the groups holding a positive, and each positive row's group."""
        return self.counts(0), self.rank[self.y == 1]


class Ones(Draws):
    """A single "draw" that keeps every row once: the point estimate."""

    def __init__(self, y: np.ndarray, codes: np.ndarray | None) -> None:
        super().__init__(y, codes, 1, np.random.SeedSequence(0))

    def counts(self, k: int) -> np.ndarray:
        return np.ones((1, self.sizes[k]), dtype=np.float32)


def n_groups(y: np.ndarray, codes: np.ndarray | None) -> tuple[int, int]:
    """(groups holding a positive, all groups); rows when ``codes`` is None."""
    if codes is None:
        return int(y.sum()), len(y)
    g = int(codes.max()) + 1
    return int((np.bincount(codes, weights=y, minlength=g) > 0).sum()), g


class CurveBootstrap:
    """The draws of one run: the test set's draws are made once and shared by every
    scenario that keeps its rows (same index and labels); scenarios that simulate their
    own rows get fresh draws per severity from :meth:`draws_for`, from the same seed at
    every severity."""

    def __init__(self, n_boot: int, seed: np.random.SeedSequence, codes: np.ndarray | None) -> None:
        self.n_boot = n_boot
        self.seed = seed
        self.codes = codes
        self._base: Draws | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_base": None}

    def base(self, y: np.ndarray) -> Draws:
        if self._base is None:
            self._base = Draws(
                y,
                self.codes,
                self.n_boot,
                np.random.SeedSequence(self.seed.entropy, spawn_key=self.seed.spawn_key),
            )
        return self._base

    def draws_for(
        self, y: np.ndarray, codes: np.ndarray | None, seed: np.random.SeedSequence
    ) -> Draws:
        # a fresh copy of the seed: the same streams at every severity
        return Draws(
            y, codes, self.n_boot, np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
        )


def weighted_draws(
    metric: Metric,
    y: np.ndarray,
    S: np.ndarray,
    threshold: float,
    draws: Draws,
    extra: dict[str, Any] | None = None,
) -> np.ndarray:
    """The metric on each draw and each score column of ``S`` (``(n, m)``, one column
    per severity): an ``(n_boot, m)`` array."""
    S = np.asarray(S, dtype=float).reshape(len(y), -1)
    if metric.func is not None:
        return _custom(metric, y, S, threshold, draws.rows("all"))
    if metric.name in OPERATIONAL:
        return OPERATIONAL[metric.name](y, S, threshold, draws, extra or {})
    pos = y == 1
    if metric.uses_threshold:
        Wp = draws.rows("pos")
        A = (S >= threshold).astype(np.float32)
        tp, n_pos = Wp @ A[pos], Wp.sum(axis=1)[:, None]
        if metric.name == "recall":
            return _safe_div(tp, n_pos)
        Wn = draws.rows("neg")
        return _threshold_stat(metric.name, tp, Wn @ A[~pos], n_pos, Wn.sum(axis=1)[:, None])
    if metric.name == "pr_auc":
        return _ap_columns(np.ascontiguousarray(S[pos].T), np.ascontiguousarray(S[~pos].T), draws)
    W = draws.rows("all")
    total = W.sum(axis=1)[:, None].astype(float)
    if metric.name == "brier":
        return (W @ ((S - y[:, None]) ** 2).astype(np.float32)) / total
    return _ece(y, S, W, total)


def _counts_t(draws: Draws) -> np.ndarray:
    """Both strata's resample counts as one contiguous ``(groups, n_boot)`` array: the
    groups holding a positive first, then the legit-only groups."""
    if "counts_t" not in draws.cache:
        draws.cache["counts_t"] = np.ascontiguousarray(draws.all_counts().T)
    return draws.cache["counts_t"]


def _exact_sums(draws: Draws) -> bool:
    """Whether every sum of the draws' row weights is exact in float32 whatever the
    order: integer counts (a resample) whose total per draw is below 2**24. Weights
    that are not (a weighted sample's) are summed in one fixed order instead."""
    if "exact_sums" not in draws.cache:
        C = draws.all_counts()
        rows_per_col = np.bincount(draws.column(np.arange(len(draws.y))), minlength=C.shape[1])
        draws.cache["exact_sums"] = bool(
            np.array_equal(C, np.rint(C)) and (np.abs(C) * rows_per_col).sum(axis=1).max() < 2**24
        )
    return draws.cache["exact_sums"]


def _neg_order(s_neg: np.ndarray, draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    """Negative scores in ascending order and each one's column of :func:`_counts_t`;
    cached, since most scenarios leave legit rows alone."""
    hit = draws.cache.get("neg_order")
    if hit is not None and np.array_equal(hit[0], s_neg):
        return hit[1], hit[2]
    # With integer counts any ascending order will do (tied negatives fall in the same
    # segment, whose weight is then exact in any order), and the default unstable sort
    # is several times faster; other weights are summed in the stable order.
    order = np.argsort(s_neg, kind=None if _exact_sums(draws) else "stable")
    col = draws.column(np.flatnonzero(draws.y == 0))[order]
    neg_asc = s_neg[order]
    draws.cache["neg_order"] = (s_neg.copy(), neg_asc, col)
    return neg_asc, col


def _neg_segments(s_neg: np.ndarray, u_asc: np.ndarray, draws: Draws) -> np.ndarray:
    """Per draw, the weight of the negatives in each segment between consecutive distinct
    positive scores: ``(n_boot, K)``, column ``k`` holding the negatives scoring in
    ``[u_k, u_{k-1})`` (``u`` descending; column 0 is ``>= u_0``; negatives below every
    positive score are in no column).

    A row's weight is its group's resample count, and the counts are the same at every
    severity, so the segment weights are ``M @ counts.T`` with ``M`` the sparse
    (segments x groups) count of negative rows: in ascending score order a segment is
    a run of negatives, so ``M`` is built row by row without sorting, ``n_neg``
    nonzeros and no per-row work per draw. The weights are integer counts, exact in
    float32 below 2**24.
    """
    neg_asc, col = _neg_order(s_neg, draws)
    # run i: the negatives in [u_asc[i], u_asc[i + 1]), i.e. segment K - 1 - i
    start = np.searchsorted(neg_asc, u_asc, side="left")
    indptr = np.append(start, len(neg_asc)) - start[0]
    C = _counts_t(draws)
    M = sparse.csr_matrix(
        (np.ones(len(col) - start[0], dtype=np.float32), col[start[0] :], indptr),
        shape=(len(u_asc), C.shape[0]),
    )
    return (M @ C)[::-1].T.astype(float)


def _ap_columns(S_pos: np.ndarray, S_neg: np.ndarray, draws: Draws) -> np.ndarray:
    """:func:`_ap` of each column (rows of ``S_pos``/``S_neg``, one per severity):
    ``(n_boot, m)``.

    A scenario that leaves the legit rows alone keeps the negatives' scores at every
    severity; for a run of such columns the negatives' weights above every distinct
    positive score of *any* of them are summed once (one sparse product instead of one
    per column), and each column reads its own scores' rows. With integer counts
    (:func:`_exact_sums`) the sums are exact whichever segments they were summed over,
    so the values are those of one :func:`_ap` per column; other weights (a weighted
    sample's) are summed column by column.
    """
    m = S_pos.shape[0]
    Wp = draws.rows("pos")
    Wp_t = Wp.T.astype(float)
    n_pos = Wp.sum(axis=1)[:, None]
    out = np.empty((len(Wp), m))
    exact = _exact_sums(draws)  # else one column at a time: the sums in their own order
    j0 = 0
    while j0 < m:
        j1 = j0 + 1
        while exact and j1 < m and np.array_equal(S_neg[j1], S_neg[j0]):
            j1 += 1
        u_all = np.unique(S_pos[j0:j1])
        # negatives scoring >= each of u_all, descending: the segments above
        fp_all = np.cumsum(_neg_segments(S_neg[j0], u_all, draws), axis=1)
        for j in range(j0, j1):
            u_asc, inv = np.unique(S_pos[j], return_inverse=True)
            fp = fp_all[:, len(u_all) - 1 - np.searchsorted(u_all, u_asc)[::-1]]
            out[:, j] = _ap(u_asc, inv, fp, Wp_t, n_pos)
        j0 = j1
    return out


def _ap(
    u_asc: np.ndarray, inv: np.ndarray, fp: np.ndarray, Wp_t: np.ndarray, n_pos: np.ndarray
) -> np.ndarray:
    """Weighted average precision per draw: positives grouped by their distinct scores
    ``u_asc`` (``inv``: each positive's), taken in descending order, each with the
    weighted negatives scoring at or above it (``fp``, ``(n_boot, K)``, descending);
    ``Wp_t`` the positives' weights ``(n_pos, n_boot)``, ``n_pos`` their sums per draw."""
    K = len(u_asc)
    P = sparse.csr_matrix(
        (np.ones(len(inv)), (np.arange(len(inv)), K - 1 - inv)), shape=(len(inv), K)
    )
    pos_w = np.asarray((P.T @ Wp_t).T)
    tp = np.cumsum(pos_w, axis=1)
    return (_safe_div(pos_w, n_pos) * _safe_div(tp, tp + fp)).sum(axis=1)


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


def _event_recall(y, S, threshold, draws, extra):
    """Share of fraud events (groups holding a positive) with at least one alerted
    fraud row, per draw."""
    counts, g_of_pos = draws.groups_pos()
    pos = y == 1
    alerted = np.zeros((counts.shape[1], S.shape[1]), dtype=np.float32)
    np.maximum.at(alerted, g_of_pos, (S[pos] >= threshold).astype(np.float32))
    return _safe_div(counts @ alerted, counts.sum(axis=1)[:, None])


def _value_recall(y, S, threshold, draws, extra):
    """Share of fraud amount on alerted rows, per draw."""
    pos = y == 1
    Wp = draws.rows("pos") * extra["amount"][pos].astype(np.float32)[None, :]
    caught = (S[pos] >= threshold).astype(np.float32)
    return _safe_div(Wp @ caught, Wp.sum(axis=1)[:, None])


OPERATIONAL = {"event_recall": _event_recall, "value_recall": _value_recall}
