"""The detectability ceiling: a reference model cross-fitted on each stressed population.

Known truths: a scenario that replaces the discriminating feature by noise leaves no
signal (the ceiling falls to no skill, the crossing is "signal_gone"); a scenario that
flips the sign of that feature keeps all the signal (a refitted model learns the flip,
the ceiling stays at its unstressed value, the crossing is "broken"). The ceiling's
value is checked against an independent cross-fit with scikit-learn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress import StressHarness, _ceiling
from edgecase.stress._ceiling import _folds

SEV = [0.0, 0.5, 1.0, 1.5, 2.0]


class Erase:
    """From severity 1 on, feature ``a`` is shuffled: independent of the label."""

    name = "erase"

    def apply(self, X, y, severity, random_state=None):
        if severity < 1:
            return X, y
        rng = np.random.default_rng(12345)
        return X.assign(a=rng.permutation(X["a"].to_numpy())), y


class Flip:
    """From severity 1 on, feature ``a`` changes sign: the model reads it backwards, the
    population keeps every bit of its signal."""

    name = "flip"

    def apply(self, X, y, severity, random_state=None):
        return (X, y) if severity < 1 else (X.assign(a=-X["a"]), y)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 20_000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = ((X["a"] + 0.5 * rng.normal(size=n)) > 1.9).astype(int)
    return X, y, LogisticRegression().fit(X, y)


def _run(data, metric="recall", ceiling=True, **kw):
    X, y, model = data
    params = {"alert_rate": 0.05} if metric == "recall" else {}
    return StressHarness(
        model, [Erase(), Flip()], metric=metric, severities=SEV, n_boot=50, random_state=0,
        progress=False, ceiling=ceiling, **params, **kw,
    ).run(X, y)  # fmt: skip


@pytest.fixture(scope="module")
def recall_report(data):
    return _run(data)


def test_erased_signal_is_signal_gone_and_flipped_model_is_broken(recall_report):
    bp = recall_report.breaking_points.set_index("scenario")
    assert bp.loc["erase", "status"] == "signal_gone"
    assert not bp.loc["erase", "broken"]
    assert bp.loc["erase", "reason"].startswith("signal gone")
    assert bp.loc["flip", "status"] == "broken" and bp.loc["flip", "broken"]
    # both curves do cross between severities 0.5 and 1: the ceiling alone tells them apart
    assert 0.5 < bp.loc["erase", "breaking_severity"] <= 1.0
    assert 0.5 < bp.loc["flip", "breaking_severity"] <= 1.0


def test_ceiling_is_no_skill_without_signal_and_high_with_it(recall_report):
    c = recall_report.curves.set_index(["scenario", "severity"])["ceiling"]
    v = recall_report.curves.set_index(["scenario", "severity"])["value"]
    # no signal: alerting on 5% of rows at random catches 5% of the positives
    # (870 positives: sd of the share about 0.007)
    assert abs(c["erase", 2.0] - 0.05) < 0.03
    # signal kept: the refitted reference is as good flipped as unflipped, and close
    # to the model itself unstressed (both see the same feature)
    assert abs(c["flip", 2.0] - c["flip", 0.0]) < 0.03
    assert abs(c["flip", 0.0] - v["flip", 0.0]) < 0.05
    assert v["flip", 2.0] < 0.01  # the model itself reads the flipped feature backwards


def test_pr_auc_ceiling_falls_to_the_base_rate(data):
    rep = _run(data, metric="pr_auc")
    c = rep.curves.set_index(["scenario", "severity"])["ceiling"]
    base_rate = float(np.mean(data[1]))
    assert abs(c["erase", 2.0] - base_rate) < 0.015
    assert c["flip", 2.0] > 0.5
    assert rep.breaking_points.set_index("scenario")["status"].to_dict() == {
        "erase": "signal_gone",
        "flip": "broken",
    }


def _independent_cross_fit(X, y, seed):
    """Out-of-fold LogisticRegression scores from scikit-learn's own splitter."""
    cv = StratifiedKFold(2, shuffle=True, random_state=seed)
    return cross_val_predict(LogisticRegression(), X, y, cv=cv, method="predict_proba")[:, 1]


def test_ceiling_matches_an_independent_cross_fit(data):
    X, y, _ = data
    rep = _run(data, ceiling=LogisticRegression())
    rep_brier = _run(data, metric="brier", ceiling=LogisticRegression())
    c = rep.curves.set_index(["scenario", "severity"])["ceiling"]
    cb = rep_brier.curves.set_index(["scenario", "severity"])["ceiling"]
    for scenario, sc in [("erase", Erase()), ("flip", Flip())]:
        for s in (0.0, 2.0):
            X_s, y_s = sc.apply(X, y, s)
            # average over a few independent fold draws: the harness uses its own folds
            rec, brier = [], []
            for seed in range(2):
                oof = _independent_cross_fit(X_s, y_s, seed)
                k = int(np.ceil(0.05 * len(oof)))
                thr = np.sort(oof)[-k]
                rec.append(float((oof[y_s.to_numpy() == 1] >= thr).mean()))
                brier.append(brier_score_loss(y_s, oof))
            assert abs(c[scenario, s] - np.mean(rec)) < 0.03, (scenario, s)
            # the harness fits on a tenth of the negatives and corrects the prior; the
            # Brier score of the corrected probabilities matches the full fit
            assert abs(cb[scenario, s] - np.mean(brier)) < 0.1 * np.mean(brier), (scenario, s)


def test_default_reference_matches_xgboost_fitted_by_hand(data):
    """The default reference on an unstressed population reaches what an XGBoost
    cross-fitted by hand on the same rows reaches (PR-AUC, within fold noise)."""
    from xgboost import XGBClassifier

    X, y, _ = data
    rep = _run(data, metric="pr_auc")
    ours = rep.curves.set_index(["scenario", "severity"])["ceiling"]["flip", 0.0]
    est = XGBClassifier(n_estimators=100, max_depth=3, n_jobs=1, random_state=0)
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    oof = cross_val_predict(est, X, y, cv=cv, method="predict_proba")[:, 1]
    assert abs(ours - average_precision_score(y, oof)) < 0.04


def test_default_reference_folds_in_threads_equal_folds_in_turn(data, monkeypatch):
    """The two folds of the default reference are fitted at once in two threads; their
    training subsamples are drawn before, so the scores are those of fitting in turn."""
    X, y, _ = data
    y = y.to_numpy()
    X = X.assign(c=pd.Categorical(np.where(X["b"] > 0, "p", "q")))
    codes = np.arange(len(y)) // 4  # groups of four rows
    seed = np.random.SeedSequence(7)

    def scores():
        fresh = np.random.SeedSequence(seed.entropy)
        return _ceiling.cross_fit_scores("default", X, y, codes, fresh)

    threaded = scores()
    in_turn = _ceiling._map_folds
    monkeypatch.setattr(
        _ceiling, "_map_folds", lambda fold, plans, threads: in_turn(fold, plans, threads=False)
    )
    np.testing.assert_array_equal(threaded, scores())
    assert np.isfinite(threaded).all() and threaded.std() > 0


def test_no_ceiling_by_default_and_status_always(data):
    rep = _run(data, ceiling=False)
    assert "ceiling" not in rep.curves
    assert "ceiling" not in rep.breaking_points
    # without a ceiling an erased signal reads as broken: nothing tells them apart
    assert rep.breaking_points["status"].tolist() == ["broken", "broken"]


def test_ceiling_is_reproducible_and_leaves_the_rest_unchanged(data, recall_report):
    again = _run(data)
    pd.testing.assert_frame_equal(again.curves, recall_report.curves)
    off = _run(data, ceiling=False)
    cols = ["value", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(off.curves[cols], recall_report.curves[cols])
    same = ["breaking_severity", "ci_low", "ci_high", "earliest_plausible_severity"]
    pd.testing.assert_frame_equal(off.breaking_points[same], recall_report.breaking_points[same])


def test_folds_keep_groups_whole_and_split_the_positive_groups():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 300, size=5000)
    y = (codes < 40).astype(int)  # 40 fraud groups
    folds = _folds(y, codes, np.random.SeedSequence(3))
    per_group = pd.Series(folds).groupby(codes).nunique()
    assert (per_group == 1).all()
    pos_groups = pd.Series(folds[y == 1]).groupby(codes[y == 1]).first()
    assert pos_groups.value_counts().to_dict() == {0: 20, 1: 20}


def test_ceiling_refuses_bad_values(data):
    for bad in ["yes", 3, LogisticRegression, object()]:
        with pytest.raises(InvalidParameterError, match="ceiling"):
            _run(data, ceiling=bad)


def test_ceiling_with_one_positive_group_says_so():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=400)})
    y = np.zeros(400, dtype=int)
    y[:6] = 1
    model = LogisticRegression().fit(X, y)
    with pytest.raises(InvalidInputError, match="ceiling"):
        StressHarness(
            model, [Flip()], severities=[0, 1], n_boot=5, random_state=0, progress=False,
            ceiling=True,
        ).run(X, y, groups=np.r_[np.zeros(6), np.arange(1, 395)])  # fmt: skip


def test_plot_draws_the_ceiling_and_the_signal_gone_marker(recall_report):
    import matplotlib

    matplotlib.use("Agg")
    from edgecase.stress.plots import plot_curves

    ax = plot_curves(recall_report)
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":" and len(ln.get_xdata()) == 5]
    assert len(dotted) == 2  # one ceiling per scenario, in the scenario's colour
    colours = {ln.get_label(): ln.get_color() for ln in ax.lines if ln.get_label() in SEV_NAMES}
    assert {ln.get_color() for ln in dotted} == set(colours.values())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("signal gone" in t for t in labels)
    assert any("ceiling" in t for t in labels)


SEV_NAMES = ("erase", "flip")


def test_demo_tables_and_conclusions_say_signal_gone(recall_report):
    from edgecase.demo.conclusions import _bp_display, _first_break

    shown = _bp_display(recall_report).set_index("scenario")
    assert shown.loc["erase", "breaking severity"].startswith("signal gone at ")
    assert shown.loc["flip", "breaking severity"] == f"{0.6:.2f}"
    assert shown.loc["erase", "ceiling"] < 0.1 < shown.loc["flip", "ceiling"]
    text = _first_break("model", recall_report)
    assert "flip breaks it first" in text and "1 of 2 scenarios" in text
    assert "Signal gone, not a model failure, in erase" in text


class AppendFraud:
    """Appends 2,000 simulated positives that ``a`` separates (as the typology scenarios
    do), so the model alerts on far more than the run's 5% budget in this population."""

    name = "append"
    own_baseline = True

    def apply(self, X, y, severity, random_state=None):
        rng = np.random.default_rng(7)
        extra = pd.DataFrame({"a": rng.normal(3.0, 0.3, 2_000), "b": rng.normal(size=2_000)})
        extra.index = pd.RangeIndex(len(X), len(X) + 2_000)
        y_out = pd.concat([y, pd.Series(np.ones(2_000, dtype=int), index=extra.index)])
        return pd.concat([X, extra]), y_out


def test_ceiling_has_the_models_staffing_where_a_scenario_appends_fraud(data):
    # 2,000 appended positives in 22,000 rows: a reference held to the run's 5% budget
    # (1,100 alerts) could catch at most about 0.44 of the ~2,500 positives; with the
    # model's own alert share there it catches what the model catches, or more
    X, y, model = data
    rep = StressHarness(
        model, [AppendFraud()], severities=[0.0, 1.0], alert_rate=0.05, n_boot=20,
        random_state=0, progress=False, ceiling=True,
    ).run(X, y)  # fmt: skip
    c = rep.curves.set_index("severity")
    assert c.loc[0.0, "value"] > 0.6
    assert c.loc[0.0, "ceiling"] >= c.loc[0.0, "value"] - 0.05
