"""Market processes: composition, reproducibility, moments, no NaN/inf, bad parameters."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy import stats

from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError
from edgecase.market import (
    EGARCH,
    GARCH,
    GJRGARCH,
    Bootstrap,
    GaussianCopula,
    Heston,
    KouJumps,
    MarkovSwitching,
    MertonJumps,
    Paths,
    Process,
    SkewT,
    StudentT,
    StudentTCopula,
    log_returns,
    make_process,
)
from edgecase.market.strategies import market_paths

matplotlib.use("Agg")


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(market_paths(n_paths=(1, 25), n_steps=(2, 120), n_assets=(1, 3)))
def test_simulations_never_produce_nan_or_inf(paths):
    assert np.isfinite(paths.returns).all()
    assert np.isfinite(paths.prices()).all()
    assert (paths.drawdowns() <= 0).all()


def test_same_seed_same_bytes_whatever_the_chunking():
    p = make_process("gjr", "skewt", "kou", nu=5, lam=-0.2)
    a = p.simulate(2500, 30, random_state=3).returns
    b = p.simulate(2500, 30, random_state=3, chunk_paths=1000).returns
    assert np.array_equal(a, b)
    ss = np.random.SeedSequence(3)
    part = p.simulate_range(ss, 2000, 2500, 30)
    assert np.array_equal(part, a[2000:])
    assert not np.array_equal(a, p.simulate(2500, 30, random_state=4).returns)


def test_multi_asset_regime_copula_chunking_is_exact():
    ms = MarkovSwitching([[0.98, 0.02], [0.05, 0.95]], [0.5, 3.0])
    cop = StudentTCopula([[1, 0.3], [0.3, 1]], nu=4, stress_corr=[[1, 0.9], [0.9, 1]])
    p = Process(
        dynamics=[EGARCH(), Heston()], shocks=[SkewT(6, -0.2), Normal_()], regimes=ms, copula=cop
    )
    a = p.simulate(2100, 20, random_state=1).returns
    b = p.simulate(2100, 20, random_state=1, chunk_paths=1000).returns
    assert np.array_equal(a, b) and a.shape == (2100, 20, 2)


def Normal_():
    from edgecase.market import Normal

    return Normal()


def test_standardised_shocks_have_unit_variance_and_skewt_ppf_matches_sampler():
    rng = np.random.default_rng(0)
    for sh in (StudentT(4.5), SkewT(6.0, -0.3), Bootstrap(rng.standard_t(3, 5000))):
        z = sh.sampler(np.random.default_rng(1))((200_000,))
        assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.03
    sk = SkewT(6.0, -0.3)
    z = sk.sampler(np.random.default_rng(2))((50_000,))
    u = np.random.default_rng(3).random(50_000)
    assert stats.ks_2samp(z, sk.ppf(u)).pvalue > 0.01
    assert stats.skew(z) < -0.3  # lam < 0: a longer left tail


def test_garch_matches_its_unconditional_variance_and_gjr_has_leverage():
    g = GARCH(omega=4e-6, alpha=0.05, beta=0.9)
    r = Process(dynamics=g, shocks=StudentT(8)).simulate(2000, 400, random_state=0).returns
    assert r.var() == pytest.approx(g.unconditional_variance, rel=0.1)
    gj = GJRGARCH(omega=2e-6, alpha=0.0, gamma=0.15, beta=0.9)
    x = Process(dynamics=gj).simulate(200, 1000, random_state=0).returns[..., 0]
    lev = np.mean([np.corrcoef(p[:-1], np.abs(p[1:]))[0, 1] for p in x])
    assert lev < -0.03


def test_heston_jumps_and_regimes_behave():
    h = Heston(kappa=4.0, theta=0.04, xi=0.4, rho=-0.7)
    r = Process(dynamics=h).simulate(2000, 252, random_state=0).returns
    assert r.var() * 252 == pytest.approx(0.04, rel=0.1)
    m = MertonJumps(intensity=0.1, mean=-0.05, std=0.02).draw(np.random.default_rng(0), (200_000,))
    assert m.mean() == pytest.approx(-0.005, rel=0.05)
    k = KouJumps(intensity=0.2, p_up=0.25, eta_up=50, eta_down=20).draw(
        np.random.default_rng(0), (400_000,)
    )
    assert k.mean() == pytest.approx(0.2 * (0.25 / 50 - 0.75 / 20), rel=0.05)
    ms = MarkovSwitching([[0.99, 0.01], [0.03, 0.97]], multipliers=[0.5, 4.0])
    s = ms.simulate_states(np.random.default_rng(0), 2000, 500)
    assert s.mean() == pytest.approx(0.25, abs=0.03)
    p = Process(dynamics=GARCH(omega=1e-6, alpha=0.0, beta=0.0), regimes=ms)
    x = p.simulate(500, 500, random_state=0).returns[..., 0]
    assert x.var() == pytest.approx(1e-6 * (0.75 * 0.5 + 0.25 * 4.0), rel=0.1)


def test_copula_correlation_and_stress_jump():
    cop = GaussianCopula([[1, 0.2], [0.2, 1]], stress_corr=[[1, 0.9], [0.9, 1]])
    ms = MarkovSwitching([[0.98, 0.02], [0.02, 0.98]], multipliers=[1.0, 2.0])
    p = Process(dynamics=[GARCH(), GARCH()], regimes=ms, copula=cop)
    r = p.simulate(1000, 50, random_state=0).returns
    # The stress state has the larger multiplier: identify its days from |r| pooled.
    c_all = np.corrcoef(r[..., 0].ravel(), r[..., 1].ravel())[0, 1]
    assert 0.35 < c_all < 0.8  # a mix of 0.2 (calm) and 0.9 (stress)
    p0 = Process(dynamics=[GARCH(), GARCH()], copula=GaussianCopula([[1, 0.2], [0.2, 1]]))
    r0 = p0.simulate(1000, 50, random_state=0).returns
    assert np.corrcoef(r0[..., 0].ravel(), r0[..., 1].ravel())[0, 1] == pytest.approx(0.2, abs=0.03)


def test_impossible_parameters_raise():
    with pytest.raises(InvalidParameterError, match="stationary"):
        GARCH(omega=1e-6, alpha=0.1, beta=0.9)
    g = GARCH(omega=1e-6, alpha=0.1, beta=0.9, allow_nonstationary=True, initial_variance=1e-4)
    assert np.isfinite(Process(dynamics=g).simulate(10, 100, random_state=0).returns).all()
    with pytest.raises(InvalidParameterError, match="omega"):
        GARCH(omega=-1e-6)
    with pytest.raises(InvalidParameterError, match="positive semi-definite"):
        GaussianCopula([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    with pytest.raises(InvalidParameterError, match="copula"):
        Process(dynamics=[GARCH(), GARCH()])
    with pytest.raises(UnknownNameError, match="garch"):
        make_process("garh")
    with pytest.raises(InvalidParameterError, match="unknown or unused"):
        make_process("garch", sigma=0.1)
    with pytest.raises(InvalidInputError, match="non-positive"):
        log_returns([100.0, 0.0, 101.0])


def test_paths_container():
    r = np.array([[0.1, -0.2, 0.05]])
    p = Paths(r, assets=["x"])
    np.testing.assert_allclose(p.prices(s0=1)[0, :, 0], np.exp([0, 0.1, -0.1, -0.05]))
    np.testing.assert_allclose(p.drawdowns()[0, :, 0], [0.0, np.expm1(-0.2), np.expm1(-0.15)])
    f = p.to_frame()
    assert list(f.index.names) == ["path", "step"] and list(f.columns) == ["x"]
    fig = make_process("garch").simulate(30, 40, random_state=0).plot()
    assert fig.axes
    with pytest.raises(InvalidInputError):
        Paths(np.array([[np.nan, 0.0]]))
    with pytest.raises(InvalidParameterError):
        p.prices(s0=-1)


def _sum_in_child(seed):
    return float(
        make_process("garch", "t", nu=5).simulate(3000, 20, random_state=seed).returns.sum()
    )


def test_simulation_works_after_fork_with_same_bytes():
    import multiprocessing as mp

    p = make_process("garch", "t", nu=5)
    here = float(p.simulate(3000, 20, random_state=0).returns.sum())  # starts the draw threads
    with mp.get_context("fork").Pool(1) as pool:
        assert pool.map(_sum_in_child, [0]) == [here]


def test_heston_qe_is_a_martingale_and_unbiased_where_euler_is_not():
    # Coarse monthly steps, vol-of-vol 1.5: full-truncation Euler overstates the variance.
    kw = {"kappa": 0.5, "theta": 0.04, "xi": 1.5, "rho": -0.9, "dt": 1 / 12}
    qe = Process(dynamics=Heston(scheme="qe", **kw)).simulate(20_000, 24, random_state=0)
    r = qe.returns[..., 0]
    assert np.exp(r.sum(axis=1)).mean() == pytest.approx(1.0, abs=0.01)
    assert r.var() * 12 == pytest.approx(0.04, rel=0.15)
    eu = Process(dynamics=Heston(**kw)).simulate(20_000, 24, random_state=0).returns
    assert eu.var() * 12 > 0.055
    assert np.isfinite(r).all() and repr(qe.meta["process"]).count("qe")
