"""Stylized facts (checked against the issue's S&P 500 reference), scorecard, features."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError
from edgecase.market import BlackSwanGenerator, make_process, realism_scorecard, stylized_facts
from edgecase.market.features import feature_names, make_features

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def sp500():
    return load_market("sp500")["log_return"]


def test_reference_values_on_sp500(sp500):
    f = stylized_facts(sp500)
    assert f["excess_kurtosis"] == pytest.approx(8.2, abs=0.1)
    assert f["acf_abs_1"] == pytest.approx(0.24, abs=0.01)
    assert f["acf_abs_50"] == pytest.approx(0.17, abs=0.01)
    assert f["acf_abs_100"] == pytest.approx(0.12, abs=0.01)
    assert f["leverage_1"] == pytest.approx(-0.12, abs=0.01)
    assert f["gain_loss"] > 1  # losses of 5% come faster than gains of 5%
    assert f["kurtosis_20d"] < f["kurtosis_1d"]  # aggregational gaussianity
    assert 2 < f["hill_left"] < 5 and 0 < f["acf_abs_power"] < 1


def test_scorecard_of_real_against_itself_is_perfect(sp500, tmp_path):
    card = realism_scorecard(sp500.to_numpy()[None, :], sp500)
    assert card.score == pytest.approx(1.0)
    assert (card.table["error"] < 1e-9).all()
    assert '"score": 1.0' in card.to_json()
    page = card.to_html(tmp_path / "card.html")
    assert "data:image/png;base64" in page.read_text()


def test_calibrated_generator_beats_iid_gaussian_and_meets_targets(sp500):
    gen = BlackSwanGenerator.from_returns(sp500)
    sim = gen.generate(8, len(sp500), "base", 0.0, random_state=0)
    card = realism_scorecard(sim, sp500)
    iid = make_process("constant", sigma=float(sp500.std())).simulate(8, len(sp500), random_state=0)
    assert card.score > realism_scorecard(iid, sp500).score + 0.1
    fs = card.facts_sim
    assert 5 <= fs["excess_kurtosis"] <= 12
    assert fs["leverage_1"] <= -0.05
    assert abs(fs["acf_abs_1"] - 0.244) <= 0.08
    fig = card.plot()
    assert len(fig.axes) == 4


def test_features_same_columns_for_paths_and_real(sp500):
    X, y = make_features(sp500)
    assert isinstance(X.index, pd.DatetimeIndex) and y.name == "crash" and y.dtype == np.int8
    assert list(X.columns) == feature_names()
    paths = make_process("garch", "t", nu=5).simulate(6, 150, random_state=0)
    Xp, yp = make_features(paths)
    assert list(Xp.columns) == list(X.columns)
    assert Xp.index.names == ["path", "step"]
    assert len(Xp) == 6 * (150 - 20 - 63)  # full look-back (5 + 60 - 2) and look-ahead (20)
    assert not Xp.isna().any().any()


def test_labels_match_brute_force_and_features_do_not_look_ahead():
    rng = np.random.default_rng(0)
    r = pd.Series(rng.standard_t(3, 400) * 0.02, index=pd.bdate_range("2000-01-03", periods=400))
    X, y = make_features(r, windows=(5, 20), horizon=10, drawdown=-0.05)
    logp = np.concatenate([[0.0], np.cumsum(r.to_numpy())])
    for t_label in X.index[::37]:
        t = r.index.get_loc(t_label)
        fut = logp[t + 2 : t + 12] - logp[t + 1]
        assert y.loc[t_label] == int(fut.min() < np.log(0.95))
    r2 = r.copy()
    r2.iloc[300:] = 0.5  # change the future only
    X2, _ = make_features(r2, windows=(5, 20), horizon=10, drawdown=-0.05)
    common = X.index[X.index < r.index[300]]
    pd.testing.assert_frame_equal(X.loc[common], X2.loc[common])


def test_multi_asset_features_have_correlation(sp500):
    nq = load_market("nasdaq")["log_return"]
    both = pd.concat([sp500, nq], axis=1)
    with pytest.raises(InvalidInputError, match="duplicated"):
        make_features(both)
    X, _ = make_features(pd.concat({"spx": sp500, "ndx": nq}, axis=1).dropna().iloc[:600])
    assert "corr_60" in X and X["corr_60"].between(-1, 1).all() and X["corr_60"].mean() > 0.7


def test_classifier_trained_on_generated_paths_warns_of_real_crashes(sp500):
    """The point of the features: train on synthetic stress, evaluate on real S&P 500 windows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    gen = BlackSwanGenerator.from_returns(sp500)
    parts = [
        make_features(gen.generate(40, 300, sc, sev, random_state=i))
        for i, (sc, sev) in enumerate([("base", 0.0), ("crash", 1.0), ("vol_spike", 1.0)])
    ]
    X = pd.concat([p[0] for p in parts])
    y = pd.concat([p[1] for p in parts])
    Xr, yr = make_features(sp500)
    model = LogisticRegression(max_iter=2000).fit(X.to_numpy(), y.to_numpy())
    auc = roc_auc_score(yr, model.predict_proba(Xr.to_numpy())[:, 1])
    assert auc > 0.65
