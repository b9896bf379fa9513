"""The polar Student-t sampler: its law against scipy's t, its moments, its stream."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from edgecase.market import SkewT, StudentT
from edgecase.market.process._polar_t import PIECE, standard_t

N = 2_000_000


@pytest.mark.parametrize("nu", [2.5, 4.0, 10.0, 30.0, 1e5])
def test_polar_t_matches_scipy_t_and_a_wrong_nu_is_rejected(nu):
    z = standard_t(np.random.default_rng(int(nu * 10) % 1000), nu, (N,))
    assert stats.kstest(z, stats.t(nu).cdf).pvalue > 1e-3
    # the same test has the power to see a 1% error of scale
    assert stats.kstest(z, stats.t(nu, scale=1.01).cdf).pvalue < 1e-6


@pytest.mark.parametrize("nu", [2.5, 4.0])
def test_polar_t_tails_match_scipy_t(nu):
    # KS sees the body; the exceedances of far quantiles check the tails (binomial, 5 sd)
    z = standard_t(np.random.default_rng(7), nu, (4 * N,))
    for p in (1e-4, 1e-3, 1e-2):
        q = stats.t(nu).isf(p)
        for hits in ((z > q).sum(), (z < -q).sum()):
            assert abs(hits - p * z.size) < 5 * np.sqrt(p * (1 - p) * z.size)


@pytest.mark.parametrize("nu", [5.0, 10.0, 30.0])
def test_polar_t_variance_and_mean(nu):
    z = standard_t(np.random.default_rng(11), nu, (N,))
    var = nu / (nu - 2)
    m4 = 3 * nu**2 / ((nu - 2) * (nu - 4))
    assert abs(z.var() - var) < 5 * np.sqrt((m4 - var**2) / N)
    assert abs(z.mean()) < 5 * np.sqrt(var / N)
    # scale multiplies the variate: unit variance when scale**2 = (nu - 2) / nu
    s = standard_t(np.random.default_rng(11), nu, (N,), np.sqrt((nu - 2) / nu))
    np.testing.assert_allclose(s, z * np.sqrt((nu - 2) / nu), rtol=1e-12, atol=1e-15)


def test_polar_t_stream_depends_only_on_the_state_and_the_count():
    n = 17 * (PIECE // 6)  # three pieces and part of a fourth (pi/4 of the pairs accepted)
    a_rng, b_rng = np.random.default_rng(5), np.random.default_rng(5)
    a = standard_t(a_rng, 6.0, (n,))
    b = standard_t(b_rng, 6.0, (17, n // 17))
    assert np.array_equal(b.ravel(), a)
    assert np.array_equal(a_rng.random(4), b_rng.random(4))  # the same words consumed
    # the variates are the accepted candidates in order: a shorter draw is a prefix
    assert np.array_equal(standard_t(np.random.default_rng(5), 6.0, (1000,)), a[:1000])
    assert np.isfinite(a).all()
    assert not np.array_equal(a, standard_t(np.random.default_rng(6), 6.0, (n,)))


def test_skewt_sampler_matches_its_ppf_at_far_quantiles():
    sk = SkewT(5.0, -0.4)
    z = sk.sampler(np.random.default_rng(3))((N,))
    for p in (1e-3, 1e-2, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999):
        frac = np.mean(z <= sk.ppf(np.array([p]))[0])
        assert abs(frac - p) < 5 * np.sqrt(p * (1 - p) / N), p
    assert abs(z.mean()) < 0.005 and abs(z.var() - 1) < 0.02


def test_student_t_shocks_are_the_polar_sampler_scaled_to_unit_variance():
    nu = 7.0
    got = StudentT(nu).sampler(np.random.default_rng(2))((252, 100))
    want = standard_t(np.random.default_rng(2), nu, (252, 100), np.sqrt((nu - 2) / nu))
    assert np.array_equal(got, want)
