"""StressHarness: curves, bootstrap CIs, breaking points, reports."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.errors import EdgecaseError, InvalidParameterError
from edgecase.stress import FeatureShift, Metric, StressHarness, fraud_scenarios
from edgecase.stress import _metrics as M

from .conftest import CutA, ScoreIsA, fraud_frame, known_breaking_data


def test_breaking_point_ci_contains_the_true_value():
    # recall(s) = P(U(0.5, 1.5) - 0.25 s >= 0.5) = 1 - 0.25 s; it crosses 0.6 at s = 1.6.
    X, y = known_breaking_data()
    rep = StressHarness(
        ScoreIsA(),
        [CutA()],
        score_threshold=0.5,
        breaking_threshold=0.6,
        n_boot=400,
        random_state=1,
        progress=False,
    ).run(X, y)
    bp = rep.breaking_points.iloc[0]
    assert bp["broken"]
    assert bp["ci_low"] <= 1.6 <= bp["ci_high"]
    assert bp["ci_high"] - bp["ci_low"] < 0.2
    # the conservative early warning comes first; the estimate lies inside its interval
    assert bp["earliest_plausible_severity"] <= bp["breaking_severity"]
    assert bp["ci_low"] <= bp["breaking_severity"] <= bp["ci_high"]
    assert abs(bp["breaking_severity"] - 1.6) < 0.08
    true = 1 - 0.25 * rep.curves["severity"]
    assert ((rep.curves["ci_low"] <= true + 0.02) & (true - 0.02 <= rep.curves["ci_high"])).all()


def test_never_breaks_gives_a_reason():
    X, y = known_breaking_data(n_pos=500, n_neg=2000)
    rep = StressHarness(
        ScoreIsA(),
        [CutA()],
        score_threshold=0.5,
        breaking_threshold=0.05,
        severities=[0, 0.5, 1.0],
        n_boot=50,
        random_state=0,
        progress=False,
    ).run(X, y)
    bp = rep.breaking_points.iloc[0]
    assert not bp["broken"] and np.isinf(bp["breaking_severity"])
    assert "never" in bp["reason"]
    assert json.loads(rep.to_json())["breaking_points"][0]["breaking_severity"] is None


@pytest.mark.parametrize(
    ("name", "n_neg"),
    [(m, 9000) for m in ("recall", "precision", "fpr", "pr_auc", "brier", "ece")]
    + [("brier", 30000), ("ece", 30000)],  # Poisson cell counts above 20,000 rows
)
def test_fast_bootstrap_matches_brute_force_resampling(name, n_neg):
    rng = np.random.default_rng(5)
    n_pos = 150
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    s = np.r_[rng.beta(4, 2, n_pos), rng.beta(1, 6, n_neg)]
    s = np.round(s, 3)  # ties, as real models produce
    metric = M.BUILTIN[name]
    thr = 0.5
    fast = M.bootstrap(metric, y, s, thr, 1500, np.random.default_rng(0))
    slow_metric = {
        "recall": lambda yy, ss: (ss[yy == 1] >= thr).mean(),
        "precision": lambda yy, ss: yy[ss >= thr].mean(),
        "fpr": lambda yy, ss: (ss[yy == 0] >= thr).mean(),
        "pr_auc": average_precision_score,
        "brier": lambda yy, ss: float(np.mean((ss - yy) ** 2)),
        "ece": None,
    }[name]
    if name == "ece":

        def slow_metric(yy, ss):
            b = np.clip((ss * 10).astype(int), 0, 9)
            return np.abs(
                np.bincount(b, ss, minlength=10) - np.bincount(b, yy, minlength=10)
            ).sum() / len(ss)

    point = M.point_value(metric, y, s, thr)
    if name == "brier":
        assert point == pytest.approx(brier_score_loss(y, s), abs=1e-12)
    assert point == pytest.approx(slow_metric(y, s), abs=1e-12)
    brute = M.bootstrap(Metric(name, func=slow_metric), y, s, thr, 400, np.random.default_rng(1))
    assert fast.mean() == pytest.approx(brute.mean(), abs=0.25 * brute.std() + 1e-9)
    assert fast.std() == pytest.approx(brute.std(), rel=0.15)


@pytest.fixture(scope="module")
def fraud_model():
    X, y = fraud_frame(n=6000)
    Xt, yt = fraud_frame(n=6000, seed=77)
    model = XGBClassifier(
        n_estimators=60, max_depth=4, enable_categorical=True, tree_method="hist", n_jobs=1
    ).fit(X, y)
    return model, Xt, yt


def test_fraud_scenarios_sweep(fraud_model, tmp_path):
    model, X, y = fraud_model
    sev = [0, 0.5, 1, 2, 3]
    rep = StressHarness(
        model,
        fraud_scenarios(),
        alert_rate=0.03,
        severities=sev,
        n_boot=100,
        random_state=0,
        progress=False,
    ).run(X, y)
    c = rep.curves
    assert list(c.columns[:5]) == ["scenario", "severity", "value", "ci_low", "ci_high"]
    assert len(c) == 6 * len(sev)
    assert (c["ci_low"] <= c["value"] + 1e-12).all() and (c["value"] <= c["ci_high"] + 1e-12).all()
    base = c[c["severity"] == 0]["value"]
    assert np.allclose(base, rep.baseline)
    bp = rep.breaking_points
    assert (
        (bp["ci_low"] <= bp["breaking_severity"]) & (bp["breaking_severity"] <= bp["ci_high"])
    ).all()
    assert (bp["earliest_plausible_severity"] <= bp["breaking_severity"]).all()
    assert not (bp["broken"] & (bp["breaking_severity"] == 0)).any()
    table = c.pivot(index="scenario", columns="severity", values="value")
    for name in ("amount_evasion", "velocity_evasion", "time_shift"):
        assert table.loc[name, 3.0] < table.loc[name, 0.0] - 0.2, name
    # fraud rows are untouched by legit drift: recall at the fixed threshold cannot move
    assert table.loc["legit_drift"].nunique() == 1
    # same seed, same report
    rep2 = StressHarness(
        model,
        fraud_scenarios(),
        alert_rate=0.03,
        severities=sev,
        n_boot=100,
        random_state=0,
        progress=False,
    ).run(X, y)
    pd.testing.assert_frame_equal(rep.curves, rep2.curves)
    # legit drift: more false positives at the fixed threshold
    fp = (
        StressHarness(
            model,
            ["legit_drift"],
            metric="fpr",
            alert_rate=0.05,
            severities=[0, 2],
            n_boot=50,
            random_state=0,
            progress=False,
        )
        .run(X, y)
        .curves["value"]
        .to_numpy()
    )
    assert fp[1] > fp[0]
    path = rep.to_html(tmp_path / "r.html")
    html = path.read_text()
    assert html.count("data:image/png;base64,") == 2 and "amount_evasion" in html
    fig = rep.plot()
    assert len(fig.axes) >= 2
    data = json.loads(rep.to_json())
    assert data["metric"] == "recall" and len(data["curves"]) == len(c)


def test_keel_feature_shift_with_xgboost():
    X, y = load_keel("yeast4")
    model = XGBClassifier(n_estimators=50, max_depth=3, n_jobs=1).fit(X, y)
    top = ["Mcg", "Gvh", "Alm"]
    sc = FeatureShift(shift={c: -0.5 for c in top}, name="shift_top3")
    rep = StressHarness(
        model,
        {"shift": sc},
        metric="pr_auc",
        severities=np.linspace(0, 2, 5),
        n_boot=100,
        random_state=0,
        progress=False,
    ).run(X, y)
    v = rep.curves["value"].to_numpy()
    assert v[-1] < v[0]
    assert rep.breaking_points["scenario"].tolist() == ["shift"]


def test_threshold_attribute_and_custom_metric():
    X, y = known_breaking_data(n_pos=300, n_neg=1000)
    model = ScoreIsA()
    model.threshold_ = 0.9
    rep = StressHarness(
        model, [CutA()], severities=[0, 1], n_boot=20, random_state=0, progress=False
    ).run(X, y)
    assert rep.threshold == 0.9
    assert rep.curves["value"].iloc[0] == pytest.approx((X["a"][y == 1] >= 0.9).mean())
    rep = StressHarness(
        model,
        [CutA()],
        metric=lambda yy, ss: float(ss[yy == 1].mean()),
        severities=[0, 1],
        n_boot=20,
        random_state=0,
        progress=False,
    ).run(X, y)
    assert rep.curves["value"].iloc[1] < rep.curves["value"].iloc[0]


def test_bad_settings():
    X, y = known_breaking_data(n_pos=50, n_neg=100)
    with pytest.raises(InvalidParameterError, match="predict_proba"):
        StressHarness(object(), [CutA()]).run(X, y)
    with pytest.raises(InvalidParameterError, match="increasing"):
        StressHarness(ScoreIsA(), [CutA()], severities=[0, 2, 1]).run(X, y)
    with pytest.raises(InvalidParameterError, match="outside the range"):
        StressHarness(ScoreIsA(), [CutA()], breaking_threshold=1.5).run(X, y)
    with pytest.raises(EdgecaseError, match="metric"):
        StressHarness(ScoreIsA(), [CutA()], metric="recal").run(X, y)

    class Drop:
        name = "drop"

        def apply(self, X, y, severity, random_state=None):
            return X.iloc[:-1], y

    with pytest.raises(EdgecaseError, match="row counts"):
        StressHarness(ScoreIsA(), [Drop()], progress=False).run(X, y)


def test_numpy_input_model_gets_arrays():
    import warnings

    from sklearn.linear_model import LogisticRegression

    X, y = known_breaking_data(n_pos=200, n_neg=800)
    Xa = np.c_[X["a"].to_numpy(), np.random.default_rng(0).normal(size=len(X))]
    model = LogisticRegression().fit(Xa, y.to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn warns on feature names it was not fitted with
        rep = StressHarness(
            model,
            [FeatureShift(shift={"x0": -1.0})],
            alert_rate=0.2,
            severities=[0, 1],
            n_boot=20,
            random_state=0,
            progress=False,
        ).run(Xa, y.to_numpy())
    v = rep.curves["value"].to_numpy()
    assert v[1] < v[0]


class RaiseNegA:
    """Negatives' ``a`` rises by 0.25 per unit severity (legit behaviour drifts toward fraud)."""

    name = "raise_neg_a"

    def apply(self, X, y, severity, random_state=None):
        X = X.copy()
        neg = np.asarray(y) == 0
        X.loc[neg, "a"] = X.loc[neg, "a"] + 0.25 * severity
        return X, y


def test_lower_is_better_metric_breaks_upward():
    # fpr(s) = P(U(0, 0.5) + 0.25 s >= 0.5) = 0.5 s: crosses 0.3 at s = 0.6
    X, y = known_breaking_data(seed=3, n_pos=500, n_neg=8000)
    rep = StressHarness(
        ScoreIsA(),
        [RaiseNegA()],
        metric="fpr",
        score_threshold=0.5,
        breaking_threshold=0.3,
        severities=np.linspace(0, 1.5, 7),
        n_boot=300,
        random_state=0,
        progress=False,
    ).run(X, y)
    bp = rep.breaking_points.iloc[0]
    assert not rep.greater_is_better and bp["broken"]
    assert bp["ci_low"] <= 0.6 <= bp["ci_high"]
    # conservative = the upper bound crosses first
    assert bp["earliest_plausible_severity"] <= bp["breaking_severity"]
    assert np.all(np.diff(rep.curves["value"]) >= 0)
