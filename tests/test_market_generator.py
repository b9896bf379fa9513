"""BlackSwanGenerator on the real S&P 500: calibration, scenarios, severity, crisis replay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.errors import UnknownNameError
from edgecase.market import CRISES, SCENARIOS, BlackSwanGenerator, calibrate


@pytest.fixture(scope="module")
def sp500():
    return load_market("sp500")["log_return"]


@pytest.fixture(scope="module")
def gen(sp500):
    return BlackSwanGenerator.from_returns(sp500)


@pytest.fixture(scope="module")
def gen2(sp500):
    nq = load_market("nasdaq")["log_return"]
    return BlackSwanGenerator.from_returns(
        pd.concat({"sp500": sp500, "nasdaq": nq}, axis=1).dropna()
    )


def test_calibration_uses_arch_evt_and_regimes(gen, sp500):
    cal = gen.calibration
    assert cal.worst_1d == pytest.approx(sp500.min())
    assert cal.worst_20d == pytest.approx(sp500.rolling(20).sum().min())
    assert 0 < cal.evt.xi < 0.5  # heavy (Frechet-type) loss tail
    assert cal.evt.return_period(abs(sp500.min())) > 252 * 5
    g = cal.garch[0]
    assert g["gamma"] < 0 and 0.9 < g["beta"] < 1 and g["lam"] < 0
    m = cal.regimes.multipliers
    assert cal.regimes.k == 8 and m.max() > 10 * m.min()  # calm vs crisis volatility levels
    assert np.diag(cal.regimes.transition).min() > 0.9  # slow levels: long memory in |r|
    assert cal.regimes.transition[-1, -1] > 0.98  # the crisis level persists


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_severity_zero_is_the_calibrated_base(gen, scenario):
    base = gen.generate(50, 60, "base", 0.0, random_state=7)
    zero = gen.generate(50, 60, scenario, 0.0, random_state=7)
    assert np.array_equal(base.returns, zero.returns)
    if scenario != "base":
        one = gen.generate(50, 60, scenario, 1.0, random_state=7)
        assert not np.array_equal(base.returns, one.returns)
        assert np.isfinite(one.returns).all()


def test_crash_depth_scales_with_severity_and_brings_aftershocks(gen):
    def worst20(p):
        c = np.cumsum(p.returns[..., 0], axis=1)
        return np.median((c[:, 20:] - c[:, :-20]).min(axis=1))

    w = [worst20(gen.generate(300, 252, "crash", s, random_state=0)) for s in (0.0, 0.5, 1.0, 2.0)]
    assert w[0] > w[1] > w[2] > w[3]
    assert w[2] < gen.calibration.worst_20d * 0.9  # severity 1 at least the historic worst
    p = gen.generate(300, 252, "crash", 1.0, random_state=0)
    base = gen.generate(300, 252, "base", 0.0, random_state=0)
    assert (
        p.returns[:, -100:].std() > 1.2 * base.returns[:, -100:].std()
        or p.returns.std() > 1.5 * base.returns.std()
    )
    assert p.dates[0] == pd.Timestamp("2019-01-01") and len(p.dates) == 252


def test_other_scenarios_do_what_they_say(gen):
    base = gen.generate(200, 120, "base", 0.0, random_state=1)
    spike = gen.generate(200, 120, "vol_spike", 1.0, random_state=1)
    assert spike.returns.std() > 1.5 * base.returns.std()
    gap = gen.generate(200, 120, "liquidity_gap", 1.0, random_state=1)
    assert (gap.returns == 0).mean() > 0.01 and (base.returns == 0).mean() == 0
    assert gap.returns.min(axis=1).mean() < base.returns.min(axis=1).mean()
    flash = gen.generate(200, 120, "flash_crash", 1.0, random_state=1)
    worst_day = flash.returns[..., 0].argmin(axis=1)
    assert np.median(flash.returns[..., 0].min(axis=1)) < -0.06
    dd = flash.drawdowns()[..., 0]
    # A V: most of the fall is recovered within 5 days of the worst day.
    rec = [dd[i, min(worst_day[i] + 5, 119)] - dd[i, worst_day[i]] for i in range(200)]
    assert np.median(rec) > 0.03


def test_correlation_breakdown_raises_cross_asset_correlation(gen2):
    def corr(p):
        return np.corrcoef(p.returns[..., 0].ravel(), p.returns[..., 1].ravel())[0, 1]

    base = gen2.generate(300, 120, "base", 0.0, random_state=2)
    brk = gen2.generate(300, 120, "correlation_breakdown", 3.0, random_state=2)
    assert corr(brk) > corr(base) and abs(corr(base) - 0.89) < 0.05
    assert brk.assets == ["sp500", "nasdaq"]


@pytest.mark.parametrize("name", list(CRISES))
def test_crisis_replay_variations(gen, name):
    p = gen.crisis_replay(name, 40, random_state=0)
    assert p.returns.shape == (40, 252, 1) and np.isfinite(p.returns).all()
    assert "source" in p.meta and p.meta["source"] == CRISES[name]["source"]
    dd = p.drawdowns()[..., 0].min(axis=1)
    expected = {"2008": -0.35, "2010_flash_crash": -0.12, "1987": -0.18, "2020": -0.25}[name]
    assert np.median(dd) < expected
    assert np.unique(dd.round(6)).size > 30  # variations, not copies


def test_published_magnitudes_are_kept_with_their_source():
    c = CRISES["1987"]["closes"]
    assert c[2] / c[1] - 1 == pytest.approx(-0.2047, abs=5e-5)
    assert c[2] / c[0] - 1 == pytest.approx(-0.246, abs=5e-4)
    a = CRISES["2020"]["anchors"][18]
    assert a[1] / a[0] - 1 == pytest.approx(-0.1198, abs=5e-5)
    assert "S&P" in CRISES["1987"]["source"] and "S&P" in CRISES["2020"]["source"]


def test_unknown_names_suggest_close_ones(gen):
    with pytest.raises(UnknownNameError, match="crash"):
        gen.generate(2, 5, scenario="crahs")
    with pytest.raises(UnknownNameError, match="2008"):
        gen.crisis_replay("2009", 2)


def test_gjr_and_bootstrap_calibrations(sp500):
    cal = calibrate(sp500.iloc[:1500], vol="gjr", shocks="bootstrap", regimes=False)
    p = cal.process.simulate(20, 50, random_state=0)
    assert np.isfinite(p.returns).all() and cal.regimes is None
