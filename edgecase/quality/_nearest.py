"""Exact k-nearest-neighbour distances with a float32 matrix product and a proven margin.

Brute force is the only exact search at the report's dimension (standardised numeric
columns plus one-hot levels: around a hundred columns, where trees prune nothing).
Its cost is the query x index product. scikit-learn upcasts float32 inputs to float64
for it; here the product runs in float32 (twice the throughput) and is then made exact:

1. ``S = q.r - |r|^2 / 2`` in float32 for a chunk of queries, one product of ``[q, 1]``
   with ``[r, -|r|^2 / 2]``; the squared distance is ``|q|^2 - 2 S``;
2. every entry is within ``B(q) / 2``, ``B(q) = (2 g + 4 u) (|q| + max|r|)^2``, of its
   exact value (``u = 2**-24``, ``g = d u / (1 - d u)``: the classical bound on a
   length-``d`` floating-point dot product, ``g`` times the sum of the absolute terms,
   plus the float32 store);
3. so every true k nearest row has ``S >= kth largest S - B(q)``: those
   candidates (a handful per query) get their distances recomputed from the
   differences in float64, and the k smallest are returned.

Index rows more than twice as far from the origin as the 99th percentile would
inflate ``B`` for all; they join every query's candidates instead.

An exact copy therefore comes out at distance 0.0, as with a direct computation.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["knn_distances"]

_U = 2.0**-24
_CHUNK_CELLS = 1 << 23  # query x index cells per float32 block (32 MB, reused)


def knn_distances(index: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Euclidean distances from each ``query`` row to its ``k`` nearest ``index`` rows.

    Returns a float64 array of shape ``(len(query), min(k, len(index)))``, each row
    sorted ascending; equal to a float64 brute-force search's distances (up to float64
    rounding of the sums of squares).
    """
    k = min(int(k), len(index))
    out = np.empty((len(query), k))
    if k == 0 or len(query) == 0:
        return out
    R = np.ascontiguousarray(index, dtype=np.float32)
    r2 = np.einsum("ij,ij->i", R, R, dtype=np.float64)
    # The margin grows with max|r|: a few far rows (outliers) would make every row a
    # candidate, so rows far beyond the bulk are compared with every query directly.
    far = np.sqrt(r2) > 2 * np.quantile(np.sqrt(r2), 0.99)
    if (~far).sum() < k:
        far[:] = True
    near = np.flatnonzero(~far)
    far = np.flatnonzero(far)
    step = max(1, _CHUNK_CELLS // max(len(near), 1))
    work = _Work(R[near], r2[near], step)
    for a in range(0, len(query), step):
        Q = np.ascontiguousarray(query[a : a + step], dtype=np.float32)
        rows, cols = work.candidates(Q, k) if len(near) else (_EMPTY, _EMPTY)
        f_rows = np.repeat(np.arange(len(Q)), len(far))
        rows = np.r_[rows, f_rows]
        cols = np.r_[near[cols], np.tile(far, len(Q))]
        out[a : a + len(Q)] = _exact_k(Q, R, rows, cols, k)
    return out


_EMPTY = np.empty(0, dtype=np.intp)


class _Work:
    """The augmented index and the product / mask buffers, reused by every query chunk
    (a fresh 32 MB block per chunk would be page-faulted in again each time)."""

    def __init__(self, R: np.ndarray, r2: np.ndarray, rows: int) -> None:
        # S = q.r - |r|^2 / 2 from one product: |q - r|^2 = |q|^2 - 2 S, nearest = largest S
        self.R_aug = np.hstack([R, (-0.5 * r2).astype(np.float32)[:, None]])
        d = self.R_aug.shape[1]
        self.g = d * _U / (1 - d * _U)
        self.r_max = float(np.sqrt(r2.max()))
        self.S = np.empty((rows, len(R)), dtype=np.float32)
        self.mask = np.empty((rows, len(R)), dtype=bool)

    def candidates(self, Q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(query row, index row) pairs that hold every query's k nearest index rows."""
        S, mask = self.S[: len(Q)], self.mask[: len(Q)]
        q_norm = np.sqrt(np.einsum("ij,ij->i", Q, Q, dtype=np.float64))
        Q_aug = np.hstack([Q, np.ones((len(Q), 1), dtype=np.float32)])
        # one BLAS thread, as the report's models: on a busy machine waiting threads spin
        with threadpool_limits(1, user_api="blas"):
            np.matmul(Q_aug, self.R_aug.T, out=S)
        # |fl(S) - S| <= g (|q| |r| + |r|^2 / 2) + u |S|: within B / 2 for every r
        bound = (2 * self.g + 4 * _U) * (q_norm + self.r_max) ** 2
        cut = _kth_largest(S, k) - bound
        np.greater_equal(S, cut.astype(np.float32)[:, None], out=mask)
        # 1-d flatnonzero: the 2-d nonzero is ten times slower on these mostly-False masks
        return np.divmod(np.flatnonzero(mask), S.shape[1])


def _kth_largest(S: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k-th largest entry of ``S`` (float64); ``S`` is left as it was."""
    if k > 4:
        return -np.partition(-S, k - 1, axis=1)[:, k - 1].astype(np.float64)
    # a few passes of argmax beat a partition of every row; the maxima are put back after
    rows = np.arange(len(S))
    taken = []
    for _ in range(k - 1):
        j = S.argmax(axis=1)
        taken.append((j, S[rows, j].copy()))
        S[rows, j] = -np.inf
    kth = S.max(axis=1).astype(np.float64)
    for j, v in reversed(taken):
        S[rows, j] = v
    return kth


def _exact_k(Q: np.ndarray, R: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int):
    """The k smallest float64 distances per query row among the candidate pairs."""
    diff = Q[rows].astype(np.float64) - R[cols]
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    order = np.lexsort((dist, rows))
    first = np.searchsorted(rows[order], np.arange(len(Q)))
    return dist[order][first[:, None] + np.arange(k)]
