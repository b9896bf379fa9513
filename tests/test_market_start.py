"""Paths start from the filtered state of a day, as arch's forecasts do."""

import warnings

import numpy as np
import pytest

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError
from edgecase.market import BlackSwanGenerator
from edgecase.market.calibrate import _arch_model, arch_params


@pytest.fixture(scope="module")
def through_2008():
    r = load_market("sp500")["log_return"][:"2008-10-31"]
    return r, BlackSwanGenerator.from_returns(r, regimes=False)


def _arch_forecast_sd(r, gen, horizon=21, n_sim=20_000):
    cal = gen.calibration
    f, vol = cal.garch[0], cal.info["vol"]
    res = _arch_model(r.to_numpy(), vol).fix(arch_params(f, vol))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = res.forecast(
            horizon=horizon, method="simulation", simulations=n_sim, reindex=False,
            random_state=np.random.RandomState(0),
        )  # fmt: skip
    sims = fc.simulations.values[-1] / 100.0  # (n_sim, horizon), percent -> returns
    return sims[:, 0].std(), sims.sum(axis=1).std()


@pytest.mark.parametrize("vol", ["egarch", "gjr"])
def test_start_last_matches_arch_simulation_forecast(through_2008, vol):
    r, gen = through_2008
    if vol != "egarch":
        gen = BlackSwanGenerator.from_returns(r, regimes=False, vol=vol)
    d1_arch, d21_arch = _arch_forecast_sd(r, gen)
    x = gen.generate(20_000, 21, scenario="base", random_state=0).returns[..., 0]
    assert x[:, 0].std() == pytest.approx(d1_arch, rel=0.1)
    assert x.sum(axis=1).std() == pytest.approx(d21_arch, rel=0.1)
    # The long-run start is what paths used to do: far calmer than that day's market.
    lr = gen.generate(20_000, 21, scenario="base", start="long_run", random_state=0).returns
    assert lr[:, 0, 0].std() < 0.5 * d1_arch


def test_start_date_and_bad_start(through_2008):
    r, gen = through_2008
    calm = gen.generate(5000, 5, scenario="base", start="2006-12-29", random_state=0)
    assert str(calm.dates[0].date()) == "2007-01-01"
    want = gen.calibration.next_variance.loc["2006-12-29"].iloc[0] ** 0.5
    assert calm.returns[:, 0, 0].std() == pytest.approx(want, rel=0.05)
    with pytest.raises(InvalidInputError, match="outside the calibration sample"):
        gen.generate(10, 5, start="2015-01-02")
    with pytest.raises(InvalidInputError, match="start must be"):
        gen.generate(10, 5, start="yesterday-ish")


def test_start_with_regimes_uses_the_last_regime():
    r = load_market("sp500")["log_return"][:"2008-10-31"]
    gen = BlackSwanGenerator.from_returns(r)
    st = gen.calibration.start_state("last")
    last = int(gen.calibration.info["regime_path"][-1])
    np.testing.assert_allclose(st["regime_probs"], gen.calibration.regimes.transition[last])
    x = gen.generate(20_000, 1, scenario="base", random_state=0).returns[:, 0, 0]
    m = gen.calibration.regimes.multipliers
    want = np.sqrt(st["variance"][0] * (st["regime_probs"] @ m))
    assert x.std() == pytest.approx(want, rel=0.05)
