"""Regimes fitted by likelihood: recovery of known parameters, standard errors that match
the sampling spread, parameter uncertainty in the paths, and reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError
from edgecase.market import BlackSwanGenerator, calibrate, fit_regimes_mle

P_TRUE = np.array([[0.99, 0.01], [0.04, 0.96]])
SD_TRUE = np.array([0.008, 0.022])
MU_TRUE = 0.0004


def _two_state(n: int, seed: int) -> pd.Series:
    """A 2-state switching-variance series drawn independently of edgecase's chain."""
    rng = np.random.default_rng(seed)
    s = np.empty(n, dtype=int)
    s[0] = 0
    u = rng.random(n)
    for t in range(1, n):
        s[t] = int(u[t] < P_TRUE[s[t - 1], 1])
    return pd.Series(MU_TRUE + SD_TRUE[s] * rng.standard_normal(n), name="x")


def _truth() -> dict[str, float]:
    return {
        "p[0->0]": P_TRUE[0, 0],
        "p[1->0]": P_TRUE[1, 0],
        "const": MU_TRUE,
        "sigma2[0]": SD_TRUE[0] ** 2,
        "sigma2[1]": SD_TRUE[1] ** 2,
    }


def test_recovers_known_parameters_within_a_few_standard_errors():
    fit = fit_regimes_mle(_two_state(8_000, seed=3))
    table = fit.summary()
    for name, value in _truth().items():
        est, se = table.loc[name, "estimate"], table.loc[name, "std_error"]
        assert abs(est - value) < 4 * se, (name, est, value, se)
    # States come ordered calm first, and the chain is the estimate.
    assert fit.chain.multipliers[0] < fit.chain.multipliers[1]
    assert fit.chain.transition[0, 0] == pytest.approx(table.loc["p[0->0]", "estimate"])
    assert fit.chain.stationary @ fit.chain.multipliers == pytest.approx(1.0)


@pytest.mark.slow
def test_standard_errors_match_the_spread_over_repeated_samples():
    fits = [fit_regimes_mle(_two_state(2_500, seed=100 + i)) for i in range(12)]
    est = pd.DataFrame([f.params for f in fits])
    se = pd.DataFrame([f.std_errors for f in fits]).median()
    for name in ("p[0->0]", "const", "sigma2[0]", "sigma2[1]"):
        ratio = est[name].std() / se[name]
        # 12 samples: the sample sd has a relative error of ~21% itself.
        assert 0.55 < ratio < 1.6, (name, ratio)


def test_filtered_probabilities_are_the_start_state():
    r = load_market("sp500")["log_return"].iloc[:1500]
    cal = calibrate(r, regime_method="likelihood")
    fit = cal.regime_fit
    assert fit.filtered.shape == (1500, 2) and np.allclose(fit.filtered.sum(axis=1), 1.0)
    day = r.index[900]
    st = cal.start_state(day)
    assert np.allclose(st["regime_probs"], fit.filtered[900] @ fit.chain.transition)
    last = cal.start_state("last")["regime_probs"]
    assert np.allclose(last, fit.filtered[-1] @ fit.chain.transition)


def _path_vol_iqr(gen: BlackSwanGenerator, seed: int) -> float:
    x = gen.generate(3000, 252, "base", 0.0, seed, start="long_run").returns[..., 0]
    lv = np.log(np.sqrt(252 * (x**2).mean(axis=1)))
    q75, q25 = np.percentile(lv, [75, 25])
    return float(q75 - q25)


def test_parameter_uncertainty_widens_path_dispersion_and_is_reproducible():
    # A short sample: the regime parameters are uncertain, so the spread shows.
    r = load_market("sp500")["log_return"].iloc[:700]
    point = BlackSwanGenerator.from_returns(r, regime_method="likelihood")
    unc = BlackSwanGenerator.from_returns(r, regime_method="likelihood", param_uncertainty=True)
    assert point.calibration.regime_fit is not None
    assert _path_vol_iqr(unc, 5) > 1.3 * _path_vol_iqr(point, 5)
    a = unc.generate(2000, 60, "crash", 1.0, 11, chunk_paths=1000).returns
    b = unc.generate(2000, 60, "crash", 1.0, 11).returns
    assert a.tobytes() == b.tobytes()


def test_param_uncertainty_needs_the_likelihood_fit():
    r = load_market("sp500")["log_return"].iloc[:600]
    with pytest.raises(InvalidInputError, match="param_uncertainty"):
        calibrate(r, param_uncertainty=True)
