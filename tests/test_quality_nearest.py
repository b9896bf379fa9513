"""knn_distances: the float32 product with a proven margin returns the exact neighbours'
distances, checked against a float64 brute force (scipy's cdist, a direct computation)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from edgecase.quality._nearest import knn_distances


def _table(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    X = rng.standard_normal((n, d)).astype(np.float32)
    X[:, : d // 3] = np.round(X[:, : d // 3])  # ties: many rows at equal distances
    X[rng.choice(n, 5, replace=False)] *= 300  # outliers stretch the error bound
    return X


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("d", [3, 110])
def test_equals_float64_brute_force_with_copies_ties_and_outliers(k, d):
    rng = np.random.default_rng(d + k)
    R = _table(rng, 3_000, d)
    R[10] = R[11]  # a duplicated index row: the copy's two nearest distances are 0
    Q = _table(rng, 700, d)
    Q[:40] = R[rng.choice(len(R), 40, replace=False)]  # exact copies
    Q[40] = R[10]
    got = knn_distances(R, Q, k)
    want = np.sort(cdist(Q.astype(np.float64), R.astype(np.float64)), axis=1)[:, :k]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert (got[:40, 0] == 0.0).all() and (got[40, :2] == 0.0).all()


def test_near_ties_far_from_the_origin_are_ranked_exactly():
    """Rows at |r| ~ 1e3 whose distances differ by ~1e-3: float32's product alone cannot
    rank them (its error is ~1e-1 there); the recomputed candidates do."""
    rng = np.random.default_rng(3)
    centre = np.full(8, 400.0)
    R = (centre + rng.standard_normal((2_000, 8)) * 1e-3).astype(np.float32)
    Q = (centre + rng.standard_normal((50, 8)) * 1e-3).astype(np.float32)
    got = knn_distances(R, Q, 2)
    want = np.sort(cdist(Q.astype(np.float64), R.astype(np.float64)), axis=1)[:, :2]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_small_index_and_empty_query():
    R = np.arange(6, dtype=np.float32).reshape(3, 2)
    assert knn_distances(R, R, 5).shape == (3, 3)
    assert knn_distances(R, R[:0], 2).shape == (0, 2)
    np.testing.assert_array_equal(knn_distances(R, R, 1)[:, 0], 0.0)
