"""Portfolio stress against closed forms and independent simulation."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from edgecase.errors import InvalidParameterError
from edgecase.market import ConstantVolatility, GaussianCopula, Process
from edgecase.market.portfolio import Portfolio, book_var_es


class NormalBook:
    """A generator of constant-vol normal paths whose vol grows as ``1 + severity``."""

    def __init__(self, sigma, corr, mu=0.0):
        self.sigma, self.corr, self.mu = np.asarray(sigma), np.asarray(corr), mu
        self.assets = [f"a{i}" for i in range(len(sigma))]

    def generate(self, n_paths, n_steps, scenario="base", severity=0.0, random_state=None, **kw):
        k = 1.0 + (0.0 if scenario == "base" else severity)
        d = len(self.sigma)
        proc = Process(
            dynamics=[ConstantVolatility(s * k) for s in self.sigma] if d > 1 else
            ConstantVolatility(self.sigma[0] * k),
            mu=[self.mu] * d if d > 1 else self.mu,
            copula=GaussianCopula(self.corr) if d > 1 else None,
            assets=self.assets,
        )  # fmt: skip
        return proc.simulate(n_paths, n_steps, random_state)


def test_var_es_of_a_single_lognormal_asset_match_the_closed_form():
    sig, mu, h = 0.01, 0.0002, 21
    book = Portfolio({"a0": 1.0}, NormalBook([sig], np.eye(1), mu))
    res = book.stress(["base"], [0.0], n_paths=40_000, horizon=h, level=0.99, random_state=0)
    row = res.table.iloc[0]
    m, s = mu * h, sig * np.sqrt(h)
    z = stats.norm.ppf(0.01)
    var = -np.expm1(m + s * z)
    # E[e^R - 1 | R < q] for R ~ N(m, s^2): exp(m + s^2/2) Phi(z - s) / Phi(z) - 1
    es = -(np.exp(m + s * s / 2) * stats.norm.cdf(z - s) / 0.01 - 1)
    assert row["var"] == pytest.approx(var, rel=0.03)
    assert row["es"] == pytest.approx(es, rel=0.03)
    assert row["var_low"] <= var <= row["var_high"]
    assert row["es_low"] <= es <= row["es_high"]


def test_two_asset_book_against_independent_numpy_simulation():
    C = np.array([[1.0, 0.6], [0.6, 1.0]])
    sig, h, w = np.array([0.012, 0.02]), 10, np.array([0.7, -0.3])
    book = Portfolio({"a0": 0.7, "a1": -0.3}, NormalBook(sig, C))
    row = book.stress(["base"], [0.0], n_paths=40_000, horizon=h, random_state=1).table.iloc[0]
    cov = np.outer(sig, sig) * C * h
    R = np.random.default_rng(99).multivariate_normal(np.zeros(2), cov, 2_000_000)
    var, es = book_var_es(np.expm1(R) @ w, 0.99)
    assert row["var"] == pytest.approx(var, rel=0.04)
    assert row["es"] == pytest.approx(es, rel=0.04)


def test_reverse_stress_finds_the_closed_form_breaking_severity():
    sig, h, loss = 0.01, 63, 0.25
    book = Portfolio({"a0": 1.0}, NormalBook([sig], np.eye(1)))
    out = book.reverse_stress(
        loss, 0.99, scenarios=["vol"], max_severity=3.0, n_grid=31, n_paths=20_000,
        horizon=h, random_state=0,
    )  # fmt: skip
    # VaR(s) = 1 - exp(sigma (1 + s) sqrt(h) z_0.01) reaches the loss at:
    s_star = np.log(1 - loss) / (sig * np.sqrt(h) * stats.norm.ppf(0.01)) - 1
    row = out.iloc[0]
    assert row["severity"] == pytest.approx(s_star, abs=0.05)
    assert row["ci_low"] <= s_star <= row["ci_high"]
    never = book.reverse_stress(0.9, scenarios=["vol"], n_grid=4, n_paths=1000, horizon=5)
    assert np.isnan(never["severity"].iloc[0]) and never["var_at_max"].iloc[0] < 0.9


def test_stress_table_plot_and_bad_weights():
    book = Portfolio(pd.Series({"a0": 0.5, "a1": 0.5}), NormalBook([0.01, 0.01], np.eye(2)))
    res = book.stress(["base", "vol"], [0.0, 1.0, 2.0], n_paths=2000, horizon=5, random_state=0)
    t = res.table
    assert len(t) == 6 and {"q0.01", "var", "es", "var_low", "es_high"} <= set(t.columns)
    vol = t[t.scenario == "vol"]["var"].to_numpy()
    assert np.all(np.diff(vol) > 0)
    # severity 0 of every scenario is the same base book (common random numbers)
    assert t["var"].iloc[0] == t[t.scenario == "vol"]["var"].iloc[0]
    assert res.plot() is not None
    with pytest.raises(InvalidParameterError, match="zz"):
        Portfolio({"zz": 1.0}, book.generator)
    with pytest.raises(InvalidParameterError, match="all zero"):
        Portfolio({"a0": 0.0}, book.generator)
