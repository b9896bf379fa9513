"""collapse_check on a KEEL set (tabular) and on S&P 500 returns (market).

The generators are small real ones written for the test: imbalanced-learn's
SMOTE interpolation of minority rows, a row bootstrapper, arch's GARCH(1,1)-t
and an i.i.d. Gaussian fit. edgecase's own generators are added after the merge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from arch.univariate import GARCH, ConstantMean, StudentsT
from imblearn.over_sampling import SMOTE

from edgecase._random import as_generator
from edgecase.datasets import load_keel, load_market
from edgecase.quality import collapse_check, hill_tail_index


class SmoteMinority:
    """Tabular generator: SMOTE interpolation between a minority row and one of its neighbours."""

    def __init__(self, k_neighbors: int = 5):
        self.k_neighbors = k_neighbors

    def fit(self, X, y):
        self.X_, self.y_ = X, pd.Series(np.asarray(y), name="y")
        return self

    def generate(self, n, *, random_state=None):
        n_min = int(self.y_.sum())
        seed = int(as_generator(random_state).integers(2**31 - 1))
        sm = SMOTE(
            sampling_strategy={1: n_min + n}, k_neighbors=self.k_neighbors, random_state=seed
        )
        Xr, _ = sm.fit_resample(self.X_, self.y_)
        return Xr.iloc[len(self.X_) :].reset_index(drop=True)


class BootstrapMinority:
    """Tabular generator that resamples minority rows as they are (no new rows at all)."""

    def fit(self, X, y):
        self.rows_ = X[np.asarray(y) == 1].reset_index(drop=True)
        return self

    def generate(self, n, *, random_state=None):
        rng = as_generator(random_state)
        return self.rows_.iloc[rng.integers(0, len(self.rows_), n)].reset_index(drop=True)


@dataclass
class _Paths:  # the part of edgecase.market.Paths the check reads
    returns: np.ndarray


class GarchT:
    """Market generator: GARCH(1,1) with Student-t innovations fitted with arch."""

    def __init__(self, params: pd.Series):
        self.params = params

    @classmethod
    def from_returns(cls, returns):
        model = ConstantMean(100 * returns, volatility=GARCH(1, 0, 1), distribution=StudentsT())
        return cls(model.fit(disp="off").params)

    def generate(self, n_paths, n_steps, scenario="base", severity=0.0, random_state=None):
        model = ConstantMean(
            None, volatility=GARCH(1, 0, 1), distribution=StudentsT(seed=as_generator(random_state))
        )
        out = np.stack(
            [model.simulate(self.params, n_steps)["data"].to_numpy() / 100 for _ in range(n_paths)]
        )
        return _Paths(out[:, :, None])


class Gaussian:
    """Market generator that forgets fat tails: i.i.d. normal with the sample mean and sd."""

    def __init__(self, mu, sd):
        self.mu, self.sd = mu, sd

    @classmethod
    def from_returns(cls, returns):
        return cls(float(returns.mean()), float(returns.std()))

    def generate(self, n_paths, n_steps, scenario="base", severity=0.0, random_state=None):
        rng = as_generator(random_state)
        return _Paths(rng.normal(self.mu, self.sd, size=(n_paths, n_steps, 1)))


@pytest.fixture(scope="module")
def yeast():
    return load_keel("yeast4")


@pytest.fixture(scope="module")
def sp500():
    return load_market("sp500")["log_return"]


def test_smote_contracts_the_minority_class(yeast):
    rep = collapse_check(SmoteMinority(), yeast, generations=4, random_state=0, progress=False)
    h = rep.history
    assert list(h.index) == [0, 1, 2, 3, 4] and rep.mode == "tabular"
    # generation 0 is the real minority itself
    assert h.loc[0, "fidelity_score"] == 1 and h.loc[0, "nn_spread_ratio"] == 1
    assert h.loc[0, "exact_copy_share"] == 1
    # interpolating on interpolations: the class shrinks and drifts away from the real one
    assert h["nn_spread_ratio"].iloc[-1] < 0.6 * h["nn_spread_ratio"].iloc[1]
    assert h["sd_ratio"].iloc[-1] < h["sd_ratio"].iloc[1] < 1
    assert h["fidelity_score"].iloc[-1] < h["fidelity_score"].iloc[1]
    assert h.loc[1:, "exact_copy_share"].max() < 0.1
    s = rep.summary()
    assert s.loc["nn_spread_ratio", "relative change"] < -0.4


def test_bootstrap_collapse_loses_rows_but_copies_all(yeast):
    rep = collapse_check(BootstrapMinority(), yeast, generations=3, random_state=1, progress=False)
    h = rep.history
    assert (h["exact_copy_share"] == 1).all()  # nothing new is ever made
    # duplicates pile up: nearest-neighbour distances collapse toward zero
    assert h["nn_spread_ratio"].iloc[-1] < 0.5


def test_collapse_with_a_categorical_column():
    X, y = load_keel("abalone19")  # Sex is a category column
    rep = collapse_check(BootstrapMinority(), (X, y), generations=2, random_state=0, progress=False)
    # copies are recognised across generations, category columns included
    assert (rep.history["exact_copy_share"] == 1).all()
    assert rep.history["fidelity_score"].iloc[-1] < 1


def test_market_gaussian_forgets_the_tails_garch_t_keeps_them(sp500):
    t = collapse_check(GarchT, sp500, generations=2, random_state=0, progress=False)
    g = collapse_check(Gaussian, sp500, generations=2, random_state=0, progress=False)
    assert t.mode == g.mode == "market"
    real = t.history.loc[0]
    assert real["worst_day"] == pytest.approx(sp500.min())
    assert real["excess_kurtosis"] > 5 and 2 < real["hill_left"] < 4.5
    assert g.history.loc[0].equals(real)  # generation 0 does not depend on the generator
    # the Gaussian loses fat tails in one generation, GARCH-t keeps them
    assert (g.history.loc[1:, "excess_kurtosis"].abs() < 0.5).all()
    assert (t.history.loc[1:, "excess_kurtosis"] > 1.5).all()
    assert (g.history.loc[1:, "hill_left"] > t.history.loc[1:, "hill_left"] + 1).all()
    assert (g.history.loc[1:, "worst_day"] > 0.6 * real["worst_day"]).all()
    assert (g.history.loc[1:, "abs_return_acf1"].abs() < 0.1).all()  # no volatility clustering
    assert (t.history.loc[1:, "abs_return_acf1"] > 0.1).all()
    fig = g.plot()
    assert {ax.get_title() for ax in fig.axes} >= {"hill_left", "worst_day", "excess_kurtosis"}
    plt.close(fig)


def test_collapse_report_outputs_and_determinism(yeast, tmp_path):
    a = collapse_check(SmoteMinority(), yeast, generations=2, random_state=3, progress=False)
    b = collapse_check(SmoteMinority(), yeast, generations=2, random_state=3, progress=False)
    pd.testing.assert_frame_equal(a.history, b.history)
    data = json.loads(a.to_json())
    assert data["mode"] == "tabular" and len(data["history"]) == 3
    assert {"generation", "column", "quantile", "value"} <= set(a.tails.columns)
    fig = a.plot()
    assert len([ax for ax in fig.axes if ax.get_visible()]) == len(a.plot_columns)
    plt.close(fig)
    html = a.to_html(tmp_path / "collapse.html").read_text()
    assert "data:image/png;base64," in html


def test_hill_tail_index_orders_tails():
    rng = np.random.default_rng(0)
    heavy = rng.standard_t(2.5, size=20_000)
    light = rng.normal(size=20_000)
    assert hill_tail_index(heavy, tail="left") < hill_tail_index(light, tail="left")
    assert 1.8 < hill_tail_index(heavy, tail="right") < 3.5
