"""Trainer: leak-free CV on real KEEL data, categoricals, numpy input, weighting, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, brier_score_loss
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.errors import InvalidInputError, InvalidParameterError, NotFittedError
from edgecase.train import Trainer, default_estimator


def small(**kw):
    return XGBClassifier(
        n_estimators=25, max_depth=3, learning_rate=0.2, n_jobs=1, enable_categorical=True, **kw
    )


@pytest.fixture(scope="module")
def yeast4():
    return load_keel("yeast4")


@pytest.fixture(scope="module")
def abalone19():
    return load_keel("abalone19")


def fit(X, y, **kw):
    kw.setdefault("estimator", small())
    kw.setdefault("cv", 3)
    kw.setdefault("random_state", 0)
    kw.setdefault("progress", False)
    return Trainer(**kw).fit(X, y)


def test_fit_reports_out_of_fold_metrics(yeast4):
    X, y = yeast4
    tr = fit(X, y, sampler="smote")
    assert list(tr.cv_report_.index) == [
        "pr_auc",
        "roc_auc",
        "precision",
        "recall",
        "f1",
        "alert_rate",
        "brier",
    ]
    assert list(tr.cv_report_.columns) == ["oof", "mean", "sd", "min", "max"]
    assert tr.cv_folds_.shape == (3, 7)
    # Every row is scored out-of-fold exactly once; the pooled report is recomputable from it.
    assert not np.isnan(tr.oof_scores_).any()
    assert set(tr.oof_fold_) == {0, 1, 2}
    # Stratified: each test fold holds about a third of the 51 positives.
    assert all(16 <= int(y[tr.oof_fold_ == k].sum()) <= 18 for k in range(3))
    yv = y.to_numpy()
    assert tr.cv_report_.loc["pr_auc", "oof"] == pytest.approx(
        average_precision_score(yv, tr.oof_scores_)
    )
    assert tr.cv_report_.loc["brier", "oof"] == pytest.approx(brier_score_loss(yv, tr.oof_scores_))
    # yeast4 is learnable: far above the 3.4% prevalence a random ranking would give.
    assert tr.cv_report_.loc["pr_auc", "oof"] > 0.2
    assert tr.cv_report_.loc["roc_auc", "mean"] > 0.8
    for fold, (_, row) in enumerate(tr.cv_folds_.iterrows()):
        te = tr.oof_fold_ == fold
        assert row["pr_auc"] == pytest.approx(average_precision_score(yv[te], tr.oof_scores_[te]))
    proba = tr.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(tr.predict(X), (proba[:, 1] >= tr.threshold_).astype(np.int8))
    assert list(tr.feature_names_in_) == list(X.columns)
    assert tr.n_features_in_ == 8
    assert tr.sampler_name_ == "smote" and tr.threshold_policy_ == "f1"


def test_same_seed_same_result_other_seed_other_folds(yeast4):
    X, y = yeast4
    a = fit(X, y, sampler="smote", random_state=3)
    b = fit(X, y, sampler="smote", random_state=3)
    c = fit(X, y, sampler="smote", random_state=4)
    np.testing.assert_array_equal(a.oof_scores_, b.oof_scores_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.threshold_ == b.threshold_
    assert not np.array_equal(a.oof_fold_, c.oof_fold_)


def test_default_estimator_is_imbalance_aware_xgboost():
    est = default_estimator(1)
    p = est.get_params()
    assert isinstance(est, XGBClassifier)
    assert p["tree_method"] == "hist" and p["enable_categorical"] is True
    assert p["n_jobs"] == 2 and p["max_delta_step"] == 1.0
    assert Trainer().get_params()["estimator"] is None  # __init__ only stores


def test_pandas_categoricals_are_used_and_checked(abalone19):
    X, y = abalone19
    tr = fit(X, y, sampler="smotenc", threshold="recall>=0.5")
    assert isinstance(tr.estimator_, XGBClassifier)
    p = tr.predict_proba(X)[:, 1]
    # Same levels in another order, or plain text: the trained coding is restored.
    X2 = X.assign(Sex=X["Sex"].cat.reorder_categories(["I", "F", "M"]))
    X3 = X.assign(Sex=X["Sex"].astype(str))
    np.testing.assert_array_equal(tr.predict_proba(X2)[:, 1], p)
    np.testing.assert_array_equal(tr.predict_proba(X3)[:, 1], p)
    # Sex carries signal for abalone19's rings: permuting it changes scores.
    X4 = X.assign(Sex=pd.Categorical(["I"] * len(X), categories=["M", "F", "I"]))
    assert not np.array_equal(tr.predict_proba(X4)[:, 1], p)
    bad = X.assign(Sex=X["Sex"].astype(str).replace({"M": "U"}))
    with pytest.raises(InvalidInputError, match="'Sex'.*not seen"):
        tr.predict(bad)
    with pytest.raises(InvalidInputError, match="missing \\['Sex'\\]"):
        tr.predict(X.drop(columns="Sex"))
    # Column order does not matter for DataFrames (matched by name).
    np.testing.assert_array_equal(tr.predict_proba(X[X.columns[::-1]])[:, 1], p)


def test_numeric_only_samplers_refuse_categorical_columns(abalone19):
    X, y = abalone19
    with pytest.raises(InvalidParameterError, match="'Sex'.*smotenc"):
        fit(X, y, sampler="smote")
    with pytest.raises(InvalidParameterError, match="categorical"):
        fit(X.drop(columns="Sex"), y, sampler="smotenc")


def test_numpy_arrays(yeast4):
    X, y = yeast4
    tr = fit(X.to_numpy(), y.to_numpy(), sampler="random")
    assert list(tr.feature_names_in_) == [f"x{i}" for i in range(8)]
    a = tr.predict_proba(X.to_numpy())
    same = fit(X, y, sampler="random")
    # Same values, same seed: numpy and pandas inputs give the same model.
    np.testing.assert_array_equal(a, same.predict_proba(X))
    with pytest.raises(InvalidInputError, match="8"):
        tr.predict(X.to_numpy()[:, :5])


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Records what each fit saw, then fits a small XGBoost model with the same weight."""

    def __init__(self, *, scale_pos_weight=None, log=None, random_state=None):
        self.scale_pos_weight = scale_pos_weight
        self.log = log
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        self.log.append((self.scale_pos_weight, int(y.sum()), int(len(y) - y.sum()), len(y)))
        self.model_ = small(scale_pos_weight=self.scale_pos_weight or 1.0).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class SharedLog(list):
    """A list that survives sklearn.clone (which deep-copies parameters)."""

    def __deepcopy__(self, memo):
        return self


def test_scale_pos_weight_comes_from_each_training_fold(yeast4):
    X, y = yeast4
    log = SharedLog()
    tr = fit(X, y, estimator=SpyClassifier(log=log), sampler="scale_pos_weight")
    assert len(log) == 4  # three folds and the final refit
    for spw, n_pos, n_neg, _ in log:
        assert spw == pytest.approx(n_neg / n_pos)
    assert [n for *_, n in log[:3]] == [int((tr.oof_fold_ != k).sum()) for k in range(3)]
    assert log[3][3] == len(X)
    # With XGBoost the parameter itself is set.
    tr = fit(X, y, sampler="scale_pos_weight")
    assert tr.estimator_.get_params()["scale_pos_weight"] == pytest.approx(
        (len(y) - y.sum()) / y.sum()
    )


def test_oversampling_runs_on_training_rows_only(yeast4):
    X, y = yeast4
    log = SharedLog()
    tr = fit(X, y, estimator=SpyClassifier(log=log), sampler="random")
    for k in range(3):
        n_train = int((tr.oof_fold_ != k).sum())
        n_neg = int(((tr.oof_fold_ != k) & (y.to_numpy() == 0)).sum())
        _, pos, neg, n = log[k]
        assert neg == n_neg and pos == n_neg and n > n_train  # balanced by oversampling


def test_calibration_on_out_of_fold_scores(yeast4):
    X, y = yeast4
    raw = fit(X, y, sampler="smote")
    iso = fit(X, y, sampler="smote", calibrate=True)
    sig = fit(X, y, sampler="smote", calibrate="sigmoid")
    # Isotonic regression is the least-squares monotone map, so on the scores it was fitted
    # to it cannot do worse than the identity: SMOTE's inflated scores get pulled down.
    assert iso.cv_report_.loc["brier", "oof"] <= raw.cv_report_.loc["brier", "oof"] + 1e-5
    assert iso.calibration_["kind"] == "isotonic"
    p_raw, p_sig = raw.predict_proba(X)[:, 1], sig.predict_proba(X)[:, 1]
    assert ((p_sig >= 0) & (p_sig <= 1)).all()
    # Platt scaling is strictly monotone: the ranking of rows is unchanged.
    order = np.argsort(p_raw, kind="stable")
    assert (np.diff(p_sig[order]) >= -1e-15).all()
    with pytest.raises(InvalidParameterError, match="calibrate"):
        fit(X, y, calibrate="beta")


def test_groups_never_straddle_folds(yeast4):
    X, y = yeast4
    groups = np.arange(len(X)) // 4
    tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(X, y, groups=groups)
    per_group = pd.Series(tr.oof_fold_).groupby(groups).nunique()
    assert (per_group == 1).all()
    with pytest.raises(InvalidInputError, match="groups"):
        Trainer(estimator=small(), cv=3, progress=False).fit(X, y, groups=groups[:-1])


def test_progress_bar_and_silence(yeast4, capsys):
    X, y = yeast4
    fit(X, y, progress=False)
    assert capsys.readouterr().err == ""
    fit(X, y, progress=True)
    assert "folds" in capsys.readouterr().err


def test_not_fitted_and_set_threshold(yeast4):
    X, y = yeast4
    with pytest.raises(NotFittedError):
        Trainer().predict(X)
    tr = fit(X, y)
    oof, yv = tr.oof_scores_, y.to_numpy()
    tr.set_threshold("alert_rate=0.1")
    assert abs(np.mean(oof >= tr.threshold_) - 0.1) < 0.005
    tr.set_threshold(0.5)
    assert tr.threshold_ == 0.5 and tr.threshold_policy_ == "fixed=0.5"
    assert tr.predict(X).sum() == (tr.predict_proba(X)[:, 1] >= 0.5).sum()
    tr.set_threshold("recall>=0.9")
    assert np.mean(oof[yv == 1] >= tr.threshold_) >= 0.9


def test_custom_cv_splitter_with_untested_rows(yeast4):
    from sklearn.model_selection import TimeSeriesSplit

    X, y = yeast4
    # Shuffle rows so that every time-ordered fold has positives.
    idx = np.random.default_rng(0).permutation(len(X))
    Xs, ys = X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)
    tr = fit(Xs, ys, cv=TimeSeriesSplit(n_splits=3))
    untested = tr.oof_fold_ == -1
    assert untested.sum() > 0 and np.isnan(tr.oof_scores_[untested]).all()
    assert not np.isnan(tr.oof_scores_[~untested]).any()


def test_mixed_dtypes_and_integer_column_names(tmp_path):
    # The fraud simulator's feature kinds: float, int, bool, nullable, category.
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "hour": rng.integers(0, 24, n),
            "is_new_device": rng.random(n) < 0.3,
            "txn_count_1h": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "flag": pd.array(rng.random(n) < 0.5, dtype="boolean"),
            "channel": pd.Categorical(rng.choice(["atm", "online", "card_present"], n)),
        }
    )
    y = ((X["amount"] > 40) & X["is_new_device"] | (rng.random(n) < 0.02)).astype("int8")
    for sampler in ("random", "scale_pos_weight"):
        tr = fit(X, y, sampler=sampler)
        assert tr.cv_report_.loc["roc_auc", "oof"] > 0.8
        back = Trainer.load(tr.save(tmp_path / sampler))
        np.testing.assert_array_equal(back.predict_proba(X), tr.predict_proba(X))
        assert [s["dtype"] for s in back._specs] == [
            "float64",
            "int64",
            "bool",
            "Int64",
            "boolean",
            "category",
        ]
    Xi = pd.DataFrame(rng.normal(size=(n, 3)))  # integer column names become "0", "1", "2"
    tr = fit(Xi, y)
    assert list(tr.feature_names_in_) == ["0", "1", "2"]
    np.testing.assert_array_equal(tr.predict(Xi), tr.predict(Xi.to_numpy()))


def test_edgecase_sampler_resolves_lazily_and_fails_early(yeast4, monkeypatch):
    import sys

    from edgecase.errors import UnknownNameError

    X, y = yeast4
    log = SharedLog()
    # Simulate a missing fraud stage: the error comes before any model is fitted.
    monkeypatch.setitem(sys.modules, "edgecase.fraud", None)
    with pytest.raises(UnknownNameError, match="EdgeCaseOversampler"):
        fit(X, y, estimator=SpyClassifier(log=log), sampler="edgecase")
    assert log == []
    with pytest.raises(UnknownNameError, match="Did you mean 'edgecase'"):
        fit(X, y, sampler="edgcase")
