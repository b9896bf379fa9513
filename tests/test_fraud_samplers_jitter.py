"""The synthesis jitter has the law the oversampler documents: Student-t (5 d.o.f.).

The noise is drawn as Box-Muller normal pairs divided by one ``sqrt(chi2_5 / 5)`` per
row, so every column is a t5 and a row's mean square is F(p, 5). Both are checked with
Kolmogorov-Smirnov tests on large samples, with rows whose interpolation is exactly zero
(all class rows equal), so what comes out is the noise alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from edgecase.fraud import _synthesis as syn


def _noise_rows(n: int, p: int, seed: int) -> np.ndarray:
    """``n`` synthetic rows of a class whose ``m`` rows are all zero, in units of t5."""
    m, k, radius = 40, 5, 2.0
    model = syn.ClassModel(
        rows=np.arange(m),
        num=np.zeros((m, p)),
        codes=np.zeros((m, 0), dtype=np.int32),
        nn=(np.arange(m)[:, None] + np.arange(1, k + 1)) % m,
        radius=np.full(m, radius),
        safety=np.ones(m),
        other_num=np.zeros((m, p)),
        other_codes=np.zeros((m, 0), dtype=np.int32),
    )
    out = np.empty((n, p))
    syn.synthesise(
        model,
        n,
        np.random.SeedSequence(seed),
        scale=np.ones(p),
        discrete=np.zeros(p, dtype=bool),
        integer=np.zeros(p, dtype=bool),
        low=np.full(p, -np.inf),
        high=np.full(p, np.inf),
        severity=0.0,
        out_num=out,
        out_codes=np.empty((n, 0), dtype=np.int32),
        parents=np.empty((n, 2), dtype=np.int64),
    )
    return out / (syn._JITTER * radius / np.sqrt(p))


@pytest.mark.parametrize("p", [7, 30])
def test_jitter_columns_are_student_t5_and_rows_share_one_chi2(p):
    t = _noise_rows(120_000, p, seed=p)
    for j in range(0, p, max(1, p // 6)):  # 7 of the 30, all of the 7
        assert stats.kstest(t[:, j], stats.t(df=5).cdf).pvalue > 1e-3, j
    # one chi2 per row: the row's mean square is F(p, 5); independent t's per element are not
    assert stats.kstest((t**2).mean(axis=1), stats.f(p, 5).cdf).pvalue > 1e-3
    # and the columns of a row are uncorrelated (independent normals over a shared scale)
    corr = np.corrcoef(t[:, : min(p, 6)], rowvar=False)
    assert np.abs(corr[np.triu_indices_from(corr, 1)]).max() < 0.02


def test_normal_radius_law_and_its_far_tail():
    """R^2 / 2 is Exp(1); beyond the float32 grid's resolution (W <= 2**-12) it still is,
    shifted by 12 ln 2 (memorylessness), and continuous there, not on the float32 grid."""
    rng = np.random.default_rng(5)
    r = np.empty(8_000_000, dtype=np.float32)
    syn._normal_radius(rng, r)
    e = r.astype(np.float64) ** 2 / 2
    assert stats.kstest(e[:200_000], stats.expon.cdf).pvalue > 1e-3
    tail = e[e > 12 * np.log(2)] - 12 * np.log(2)
    assert 1_700 < tail.size < 2_300  # 8M x 2**-12 = 1953 expected
    assert stats.kstest(tail, stats.expon.cdf).pvalue > 1e-3
    # the float32 grid has 4,096 values there: ~2,000 draws from it would repeat ~450 times
    assert np.unique(r[r > np.sqrt(24 * np.log(2))]).size > tail.size - 5
