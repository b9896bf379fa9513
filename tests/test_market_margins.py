"""The tabulated copula-to-margin map against scipy's exact ppf(cdf(x))."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from edgecase.market import Process
from edgecase.market.process import Bootstrap, GaussianCopula, SkewT, StudentT, StudentTCopula
from edgecase.market.process.margins import margin_map


def _latent(copula, n: int) -> np.ndarray:
    return copula.latent(np.random.default_rng(5), (n,))[:, 0]


@pytest.mark.parametrize(
    ("copula", "shocks", "tol"),
    [
        # the fitted sp500/nasdaq/wti book's copula and a margin like its own
        (StudentTCopula(np.eye(2), nu=10), SkewT(8.1, -0.125), 1e-8),
        # heavier tails: a wider grid (h ~ 8e-4) and steeper far tails
        (StudentTCopula(np.eye(2), nu=4), SkewT(3.5, -0.4), 1e-7),
        (GaussianCopula(np.eye(2)), StudentT(5), 1e-7),
    ],
)
def test_map_matches_scipy(copula, shocks, tol):
    m = margin_map(copula, shocks)
    x = _latent(copula, 1_000_000)
    # the far tails too, where the exact map takes over (and the clip at 1e-12)
    x = np.concatenate([x, np.linspace(-60, 60, 2001), [m.lo, m.hi]])
    approx, exact = m(x), shocks.ppf(np.clip(copula.latent_cdf(x), 1e-12, 1 - 1e-12))
    assert np.isfinite(approx).all()
    # relative beyond |z| = 1: the far-tail slopes are steep
    assert np.max(np.abs(approx - exact) / np.maximum(np.abs(exact), 1.0)) < tol
    assert stats.ks_2samp(approx, exact).statistic < 1e-5
    assert np.all(np.diff(m(np.sort(x))) >= 0)  # increasing, like the exact map


def test_map_is_shared_and_skipped_for_step_ppfs():
    c = StudentTCopula(np.eye(2), nu=6)
    sh = SkewT(6, -0.2)
    assert margin_map(c, sh) is margin_map(StudentTCopula(np.eye(2), nu=6), sh)
    assert margin_map(c, Bootstrap(np.random.default_rng(0).standard_t(4, 500))) is None


def test_process_paths_match_the_exact_margins():
    corr = [[1.0, 0.6], [0.6, 1.0]]
    shocks = [SkewT(7, -0.2), StudentT(6)]
    fast = Process(shocks=shocks, copula=StudentTCopula(corr, nu=5))
    slow = Process(shocks=shocks, copula=StudentTCopula(corr, nu=5))
    slow._maps = None  # the uniforms path: scipy's cdf and ppf per element
    a = fast.simulate(2000, 50, random_state=3).returns
    b = slow.simulate(2000, 50, random_state=3).returns
    assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 0.01)) < 1e-7  # returns ~ 0.01 x shocks
