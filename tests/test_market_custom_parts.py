"""Parts of one's own plug into Process: a shock distribution and a dynamics written here."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from edgecase.errors import InvalidParameterError
from edgecase.market import GaussianCopula, Normal, Process
from edgecase.market.process import Dynamics, ShockDistribution, implements

SQRT_HALF = np.sqrt(0.5)


class Laplace(ShockDistribution):
    """Laplace shocks with scale 1/sqrt(2): zero mean, unit variance, excess kurtosis 3."""

    name = "laplace"

    def sampler(self, rng):
        return lambda size: rng.laplace(0.0, SQRT_HALF, size)

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        return np.where(u < 0.5, SQRT_HALF * np.log(2 * u), -SQRT_HALF * np.log(2 - 2 * u))


class ARCH1:
    """ARCH(1), duck-typed (no base class): s2_t = omega + alpha * eps_{t-1}^2."""

    def __init__(self, omega=8e-5, alpha=0.2):
        self.omega, self.alpha = omega, alpha

    @property
    def unconditional_variance(self):
        return self.omega / (1 - self.alpha)

    def start(self, n):
        return np.full(n, self.unconditional_variance)

    def variance(self, state):
        return state

    def update(self, state, eps, z, extra):
        return self.omega + self.alpha * eps * eps


def test_both_routes_follow_the_interface():
    assert implements(Laplace(), ShockDistribution)
    assert implements(ARCH1(), Dynamics) and not isinstance(ARCH1(), Dynamics)
    assert not implements(Normal(), Dynamics)


def test_user_shock_and_dynamics_simulate():
    proc = Process(dynamics=ARCH1(), shocks=Laplace(), mu=1e-4)
    a = proc.simulate(4_000, 250, random_state=11).returns
    assert a.shape == (4_000, 250, 1)
    assert np.isfinite(a).all()
    # same seed, same bytes, whatever the chunking; another seed differs
    b = proc.simulate(4_000, 250, random_state=11, chunk_paths=1_000).returns
    assert np.array_equal(a, b)
    assert not np.array_equal(a, proc.simulate(4_000, 250, random_state=12).returns)
    # unit-variance shocks give the dynamics' stated variance, and the stated mean
    r = a[:, 50:].ravel()
    assert r.var() == pytest.approx(ARCH1().unconditional_variance, rel=0.03)
    assert r.mean() == pytest.approx(1e-4, abs=3 * np.sqrt(1e-4 / r.size))
    # ARCH feeds the shocks back: squared returns are autocorrelated (lag 1 ~ alpha)
    e2 = (a[:, 50:, 0] - 1e-4) ** 2
    lag1 = np.corrcoef(e2[:, 1:].ravel(), e2[:, :-1].ravel())[0, 1]
    assert 0.1 < lag1 < 0.3


def test_user_shock_standardised_and_its_ppf_through_a_copula():
    z = Laplace().sampler(np.random.default_rng(0))((400_000,))
    assert z.mean() == pytest.approx(0.0, abs=0.01) and z.var() == pytest.approx(1.0, rel=0.02)
    u = np.array([1e-9, 0.1, 0.5, 0.9, 1 - 1e-9])
    np.testing.assert_allclose(Laplace().ppf(u), stats.laplace.ppf(u, scale=SQRT_HALF), atol=1e-9)
    proc = Process(
        dynamics=[ARCH1(), ARCH1(omega=4e-5)],
        shocks=Laplace(),
        copula=GaussianCopula([[1.0, 0.7], [0.7, 1.0]]),
    )
    r = proc.simulate(3_000, 120, random_state=2).returns
    assert r.shape == (3_000, 120, 2) and np.isfinite(r).all()
    assert r[..., 1].var() == pytest.approx(5e-5, rel=0.05)
    assert 0.55 < np.corrcoef(r[..., 0].ravel(), r[..., 1].ravel())[0, 1] < 0.8


def test_objects_that_do_not_follow_the_interface_are_refused():
    with pytest.raises(InvalidParameterError, match="dynamics must follow.*Dynamics"):
        Process(dynamics=Normal())
    with pytest.raises(InvalidParameterError, match="shocks must follow.*sampler"):
        Process(shocks=ARCH1())

    class NoPpf:
        def sampler(self, rng):
            return rng.standard_normal

    Process(shocks=NoPpf())  # one asset: no ppf needed
    with pytest.raises(InvalidParameterError, match="ppf"):
        Process(shocks=NoPpf(), copula=GaussianCopula(np.eye(2)))

    class Half(Dynamics):
        def start(self, n):
            return np.zeros(n)

    with pytest.raises(TypeError, match="abstract"):
        Half()
