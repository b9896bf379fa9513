"""VaR/ES backtests against hand-computed values and real S&P 500 returns through 2008."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress.backtest import (
    acerbi_szekely_z2,
    basel_zone,
    christoffersen,
    mcneil_frey,
    var_backtest,
    z2_critical_values,
    z2_p_value,
    zone_starts,
)
from edgecase.stress.plots import plot_var_backtest

R = np.array([-0.03, 0.01, -0.025, 0.0, 0.02, -0.01, 0.005, -0.004, 0.012, -0.001])


def test_kupiec_by_hand():
    bt = var_backtest(R, np.full(10, 0.02), alpha=0.95, window=5)
    # exceptions on days 0 and 2: x = 2 of n = 10 at p = 0.05
    lr = -2 * (8 * math.log(0.95) + 2 * math.log(0.05)) + 2 * (
        8 * math.log(0.8) + 2 * math.log(0.2)
    )
    assert bt.n_exceptions == 2 and bt.expected_exceptions == pytest.approx(0.5)
    assert bt.kupiec_lr == pytest.approx(lr, rel=1e-12)
    # chi-square(1) survival = erfc(sqrt(lr / 2))
    assert bt.kupiec_p == pytest.approx(math.erfc(math.sqrt(lr / 2)), rel=1e-10)
    # no exceptions at all: LR = -2 n ln(1 - p)
    none = var_backtest(R, np.full(10, 0.5), alpha=0.99, window=5)
    assert none.n_exceptions == 0
    assert none.kupiec_lr == pytest.approx(-2 * 10 * math.log(0.99))


def test_christoffersen_by_hand():
    e = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
    out = christoffersen(e)
    assert (out["n00"], out["n01"], out["n10"], out["n11"]) == (5, 1, 2, 1)
    pi01, pi11, pi = 1 / 6, 1 / 3, 2 / 9
    l0 = 7 * math.log(1 - pi) + 2 * math.log(pi)
    l1 = 5 * math.log(1 - pi01) + math.log(pi01) + 2 * math.log(1 - pi11) + math.log(pi11)
    assert out["lr_ind"] == pytest.approx(-2 * (l0 - l1), rel=1e-12)
    returns = np.where(e == 1, -0.05, 0.01)
    bt = var_backtest(returns, np.full(10, 0.02), alpha=0.9, window=4)
    assert bt.christoffersen_lr_ind == pytest.approx(out["lr_ind"])
    # Conditional coverage jointly on the 9 transitions, H0 pi01 = pi11 = p = 0.1. Day 1 is
    # an exception, so Kupiec (10 days) + lr_ind (9 transitions) is not this statistic.
    lr_cc = -2 * (7 * math.log(0.9) + 2 * math.log(0.1) - l1)
    assert bt.lr_cc == pytest.approx(lr_cc, rel=1e-12)
    assert christoffersen(e, 0.1)["lr_cc"] == pytest.approx(lr_cc, rel=1e-12)
    assert abs(bt.lr_cc - (bt.kupiec_lr + out["lr_ind"])) > 0.05
    assert bt.p_cc == pytest.approx(math.exp(-bt.lr_cc / 2))  # chi-square(2) survival
    assert bt.zones["exceptions"].tolist() == [2, 1, 1, 1, 1, 1, 0]


def test_basel_zones():
    assert basel_zone(np.arange(13)).tolist() == ["green"] * 5 + ["yellow"] * 5 + ["red"] * 3
    # at 99.9% in 250 days one exception is already unlikely (cdf 97.4%)
    assert basel_zone([0, 1], 250, 0.999).tolist() == ["green", "yellow"]


def test_zone_starts_come_with_the_result_and_the_plot_only_reads_them():
    assert zone_starts() == {"yellow": 5, "red": 10}
    assert zone_starts(250, 0.999) == {"yellow": 1, "red": 4}
    bt = var_backtest(R, np.full(10, 0.02), alpha=0.95, window=5)
    assert bt.zone_starts == zone_starts(5, 0.95)
    assert "zone_starts" not in bt.to_json()
    # the figure draws the bands the result carries: moving them moves the bands
    import matplotlib.pyplot as plt

    bt.zone_starts = {"yellow": 3, "red": 7}
    ax = plot_var_backtest(bt)
    spans = [p.get_path().get_extents(p.get_transform()) for p in ax.patches]
    ys = sorted({round(ax.transData.inverted().transform((0, e.y0))[1], 6) for e in spans})
    assert ys[:3] == [-0.5, 2.5, 6.5]
    plt.close(ax.figure)


def test_stress_plots_import_no_stage_module():
    import ast
    import inspect

    from edgecase.stress import plots

    tree = ast.parse(inspect.getsource(plots))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not {m for m in imported if m.startswith("edgecase.stress")}


def test_es_tests_by_hand():
    r = np.array([-0.05, 0.01, -0.03, 0.02, 0.0])
    var = np.full(5, 0.02)
    es = np.full(5, 0.03)
    # Z2 = sum(X I / (T p ES)) + 1 with p = 0.1, T = 5
    z2 = (-0.05 - 0.03) / (5 * 0.1 * 0.03) + 1
    assert acerbi_szekely_z2(r, var, es, 0.9) == pytest.approx(z2)
    mf = mcneil_frey(r, var, es, random_state=0)
    resid = np.array([(0.05 - 0.03) / 0.03, (0.03 - 0.03) / 0.03])
    assert mf["n"] == 2 and mf["mean_residual"] == pytest.approx(resid.mean())
    assert mf["t"] == pytest.approx(resid.mean() / (resid.std(ddof=1) / math.sqrt(2)))
    assert mf["scaled_by"] == "es"
    # McNeil & Frey's residuals are over the conditional sigma, not over ES.
    sigma = np.array([0.01, 0.02, 0.015, 0.01, 0.01])
    mfs = mcneil_frey(r, var, es, sigma=sigma, random_state=0)
    res_s = np.array([(0.05 - 0.03) / 0.01, (0.03 - 0.03) / 0.015])
    assert mfs["scaled_by"] == "sigma" and mfs["mean_residual"] == pytest.approx(res_s.mean())
    with pytest.raises(InvalidInputError, match="sigma"):
        mcneil_frey(r, var, es, sigma=-sigma)


@pytest.fixture(scope="module")
def sp500_hs():
    """One-day 99% historical-simulation VaR/ES from the previous 250 days (no look-ahead)."""
    r = load_market("sp500")["log_return"]
    var = -r.rolling(250).quantile(0.01, interpolation="linear").shift(1)
    es = -r.rolling(250).apply(lambda w: w[w <= np.quantile(w, 0.01)].mean(), raw=True).shift(1)
    keep = var.notna()
    return r[keep], var[keep], es[keep]


def test_sp500_historical_var_breaks_in_2008(sp500_hs):
    r, var, es = sp500_hs
    bt = var_backtest(r, var, 0.99, es=es, random_state=0)
    assert bt.n_exceptions == int((r < -var).sum())
    # independent recount of the trailing-window exceptions with numpy
    exc = (r < -var).to_numpy().astype(int)
    counts = np.convolve(exc, np.ones(250, int), mode="valid")
    assert np.array_equal(bt.zones["exceptions"].to_numpy(), counts)
    assert bt.worst_zone == "red"
    z08 = bt.zones.loc["2008-10-01":"2008-12-31"]
    assert (z08["zone"] == "red").all() and z08["exceptions"].max() >= 10
    assert bt.zones.loc["2005", "zone"].isin(["green", "yellow"]).all()
    # 2008 alone: far too many exceptions, and the ES was too small
    y08 = slice("2008-01-01", "2008-12-31")
    b8 = var_backtest(r[y08], var[y08], 0.99, es=es[y08], random_state=0)
    assert b8.n_exceptions > 2.5 * b8.expected_exceptions and b8.kupiec_p < 1e-3
    assert b8.es_z2 < b8.es_z2_cutoffs[1] and b8.es_z2_zone == "red" and b8.es_z2_p < 1e-3
    # a calm period passes Kupiec
    calm = slice("2004-01-01", "2006-12-31")
    assert var_backtest(r[calm], var[calm], 0.99).kupiec_p > 0.1
    assert b8.plot() is not None
    assert '"kupiec_lr"' in b8.to_json()


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="positive losses"):
        var_backtest(R, -np.full(10, 0.02), window=5)
    with pytest.raises(InvalidInputError, match="one value per return"):
        var_backtest(R, np.full(9, 0.02), window=5)
    with pytest.raises(InvalidParameterError, match="alpha"):
        var_backtest(R, np.full(10, 0.02), alpha=1.0, window=5)
    r = pd.Series(R, index=pd.date_range("2020-01-01", periods=10))
    with pytest.raises(InvalidInputError, match="same index"):
        var_backtest(r, pd.Series(np.full(10, 0.02)), window=5)
    with pytest.raises(InvalidInputError, match="non-finite"):
        var_backtest(R, np.r_[np.full(9, 0.02), np.nan], window=5)
    with pytest.raises(InvalidInputError, match="at least 250"):
        var_backtest(R, np.full(10, 0.02))


def test_z2_cutoffs_reproduce_the_paper_and_size_correctly_elsewhere():
    # Acerbi & Szekely's own setting (97.5%, 250 days, normal): -0.70 and -1.8.
    y, r = z2_critical_values(0.975, 250, nu=float("inf"))
    assert y == pytest.approx(-0.70, abs=0.03) and r == pytest.approx(-1.8, abs=0.1)
    # Correct forecasts at 99% over 250 days: 5% non-green, and uniform p-values, checked on
    # backtests simulated independently of the null draws (other seed, direct formula).
    from scipy import stats

    nu, alpha, n, m = 5.0, 0.99, 250, 20_000
    sd = math.sqrt(nu / (nu - 2))
    q = stats.t.ppf(0.01, nu)
    var = -q / sd
    es = (nu + q * q) / (nu - 1) * stats.t.pdf(q, nu) / 0.01 / sd
    x = np.random.default_rng(123).standard_t(nu, (m, n)) / sd
    z2 = np.sum(x * (x < -var) / (n * 0.01 * es), axis=1) + 1
    yellow, red = z2_critical_values(alpha, n)
    assert np.mean(z2 <= yellow) == pytest.approx(0.05, abs=0.006)
    assert np.mean(z2 <= red) < 0.001
    pv = np.array([z2_p_value(v, alpha, n) for v in z2[:4000]])
    assert np.mean(pv <= 0.05) == pytest.approx(0.05, abs=0.012)
    assert np.mean(pv <= 0.25) == pytest.approx(0.25, abs=0.03)
