"""Scenario semantics: severity 0 is the base process; stress moves correlation up, monotonically."""

import numpy as np
import pandas as pd
import pytest
from scipy import special

from edgecase.datasets import load_market
from edgecase.market import BlackSwanGenerator, GaussianCopula, StudentTCopula


@pytest.fixture(scope="module")
def gen2():
    df = pd.concat({k: load_market(k)["log_return"] for k in ("sp500", "nasdaq")}, axis=1)
    return BlackSwanGenerator.from_returns(df.dropna())


@pytest.fixture(scope="module")
def gen1():
    return BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])


@pytest.mark.parametrize("name", ["2008", "1987", "2020"])
def test_crisis_replay_at_severity_zero_is_the_base_process(gen1, name):
    base = gen1.generate(300, 252, scenario="base", random_state=5).returns
    replay = gen1.crisis_replay(name, 300, random_state=5, severity=0.0).returns
    np.testing.assert_array_equal(replay, base)
    # and the damping grows with severity instead of jumping in at any severity > 0
    half = gen1.crisis_replay(name, 300, random_state=5, severity=0.5).returns
    assert np.abs(half - base).max() > 0


@pytest.mark.parametrize("cls", [GaussianCopula, StudentTCopula])
def test_copula_push_gives_the_stated_correlation(cls):
    C = np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]])
    T = 0.4 * C + 0.6 * np.ones((3, 3))
    cop = cls(C) if cls is GaussianCopula else cls(C, nu=1e6)
    n = 200_000
    for p in (0.0, 0.5, 1.0, 1.5):
        u = cop.uniforms(np.random.default_rng(0), (n,), push=np.full(n, p), target=T)
        got = np.corrcoef(special.ndtri(u).T)
        a, q = min(p, 1.0), max(p - 1.0, 0.0)
        want = (1 - q) * ((1 - a) * C + a * T) + q * np.ones((3, 3))
        np.testing.assert_allclose(got, want, atol=0.01)


def test_correlation_breakdown_raises_correlation_monotonically(gen2):
    cal = gen2.calibration
    scn = gen2.scenario("correlation_breakdown", 1.0)
    T = scn.target_matrix()
    # The target sits above the calm and the regime's stress correlation, entry by entry.
    assert (T >= cal.copula.corr - 1e-12).all() and (T >= cal.stress_corr - 1e-12).all()
    corr = []
    for s in (0.0, 0.5, 1.0, 2.0, 4.0):
        r = gen2.generate(3000, 120, scenario="correlation_breakdown", severity=s, random_state=0)
        corr.append(np.corrcoef(r.returns.reshape(-1, 2).T)[0, 1])
    assert np.all(np.diff(corr) > 0), corr
    # Inside the window at severity 1 the normal-score correlation is the target's.
    m = scn.stress_matrix()
    np.testing.assert_allclose(m, T)
