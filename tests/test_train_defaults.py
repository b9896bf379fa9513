"""Trainer defaults that match how fraud models are used: time-ordered folds, probabilities
on the true scale after resampling, negative downsampling, and a leakage guard."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from edgecase.errors import InvalidInputError
from edgecase.fraud import simulate_transactions, split_features
from edgecase.train import Trainer


def _xgb():
    return XGBClassifier(n_estimators=40, max_depth=3, enable_categorical=True, n_jobs=1)


@pytest.fixture(scope="module")
def table():
    return simulate_transactions(40_000, fraud_rate=0.01, random_state=5, progress=False)


def test_time_in_X_gives_forward_chaining_folds_and_is_not_a_feature(table):
    X, y = split_features(table)
    X = X.assign(timestamp=table["timestamp"].to_numpy())[::-1].reset_index(drop=True)
    y = y[::-1].reset_index(drop=True)
    with pytest.warns(UserWarning, match="'timestamp': a raw timestamp"):
        tr = Trainer(estimator=_xgb(), cv=3, random_state=0, progress=False).fit(X, y)
    assert "timestamp" not in tr.feature_names_in_
    assert tr.cv_report_.attrs["split"].startswith("forward-chaining")
    t = X["timestamp"].to_numpy()
    tested = tr.oof_fold_ >= 0
    # the earliest block trains only; each later block is tested by a model of the past
    assert t[~tested].max() <= t[tested].min()
    for k in range(2):
        assert t[tr.oof_fold_ == k].max() <= t[tr.oof_fold_ == k + 1].min()


def test_groups_give_a_grouped_split_and_plain_data_a_shuffled_one(table):
    X, y = split_features(table)
    g = table["account_id"].to_numpy()
    tr = Trainer(estimator=_xgb(), cv=3, random_state=0, progress=False).fit(X, y, groups=g)
    assert tr.cv_report_.attrs["split"].startswith("stratified group k-fold")
    for k in range(3):
        test_acc = set(g[tr.oof_fold_ == k])
        assert not test_acc & set(g[(tr.oof_fold_ != k)])
    tr = Trainer(estimator=_xgb(), cv=3, random_state=0, progress=False).fit(X, y)
    assert tr.cv_report_.attrs["split"].startswith("stratified shuffled")


def _logistic_world(n, seed):
    """A known truth: p(y=1 | x) = sigmoid(-6 + 1.5 x), about 0.6% positives."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    p = 1.0 / (1.0 + np.exp(-(-6.0 + 1.5 * x[:, 0] + 0.5 * x[:, 1])))
    return pd.DataFrame(x, columns=["a", "b"]), (rng.random(n) < p).astype(int), p


@pytest.mark.parametrize("kw", [{"negative_rate": 0.05}, {"sampler": "random"}])
def test_prior_correction_recovers_the_true_probabilities(kw):
    X, y, p = _logistic_world(200_000, 0)
    lr = LogisticRegression(C=1e6, max_iter=500)
    tr = Trainer(estimator=lr, cv=3, random_state=0, progress=False, **kw).fit(X, y)
    raw = Trainer(estimator=lr, cv=3, prior_correction=False, random_state=0, progress=False,
                  **kw).fit(X, y)  # fmt: skip
    X_new, _, p_new = _logistic_world(100_000, 1)
    got = tr.predict_proba(X_new)[:, 1]
    # the analytic oracle: corrected probabilities are the true ones, mean and row by row
    assert got.mean() == pytest.approx(p_new.mean(), rel=0.1)
    assert np.median(np.abs(np.log(got / p_new))) < 0.1
    assert raw.predict_proba(X_new)[:, 1].mean() > 5 * p_new.mean()  # uncorrected: inflated
    assert "prior-corrected" in tr.cv_report_.attrs["probabilities"]
    assert "not prior-corrected" in raw.cv_report_.attrs["probabilities"]
    # out of fold too: the mean OOF prediction matches the training rate
    tested = ~np.isnan(tr.oof_scores_)
    assert tr.oof_scores_[tested].mean() == pytest.approx(y[tested].mean(), rel=0.15)


def test_prior_correction_survives_save_and_load(tmp_path):
    X, y, _ = _logistic_world(20_000, 2)
    tr = Trainer(estimator=XGBClassifier(n_estimators=20, n_jobs=1), cv=3, negative_rate=0.1,
                 random_state=0, progress=False).fit(X, y)  # fmt: skip
    back = Trainer.load(tr.save(tmp_path))
    np.testing.assert_array_equal(back.predict_proba(X), tr.predict_proba(X))
    assert tr.prior_ratio_ == pytest.approx(0.1, rel=0.1)


def test_leakage_guard_names_and_drops_the_leaks(table):
    X = table.drop(columns=["is_fraud"])
    y = table["is_fraud"].astype(int)
    with pytest.warns(UserWarning, match="leakage guard dropped") as rec:
        tr = Trainer(estimator=_xgb(), cv=3, random_state=0, progress=False).fit(X, y)
    msg = str(rec[0].message)
    for col in ["transaction_id", "account_id", "merchant_id", "device_id", "card_id",
                "event_id", "typology", "label_time", "timestamp"]:  # fmt: skip
        assert repr(col) in msg and col in tr.dropped_columns_
    assert set(tr.feature_names_in_) <= set(X.columns) - set(tr.dropped_columns_)
    assert tr.cv_report_.loc["pr_auc", "oof"] < 0.99  # the leak-free model is not perfect
    with pytest.raises(InvalidInputError, match="typology"):
        Trainer(estimator=_xgb(), cv=3, leakage="raise", progress=False).fit(X, y)


def test_a_single_column_that_alone_predicts_the_label_is_dropped():
    X, y, _ = _logistic_world(5_000, 3)
    X["score_from_the_future"] = y + 0.01 * np.random.default_rng(0).standard_normal(len(y))
    with pytest.warns(UserWarning, match="score_from_the_future.*ROC-AUC"):
        tr = Trainer(estimator=_xgb(), cv=3, random_state=0, progress=False).fit(X, y)
    assert list(tr.feature_names_in_) == ["a", "b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = Trainer(estimator=_xgb(), cv=3, leakage="keep", progress=False).fit(X, y)
    assert "score_from_the_future" in kept.feature_names_in_


class _CountingLR(LogisticRegression):
    seen: list = []

    def fit(self, X, y, sample_weight=None):
        _CountingLR.seen.append(int(np.sum(y)))
        return super().fit(X, y, sample_weight=sample_weight)


def test_folds_train_on_labels_known_when_their_test_block_starts(table):
    X, y = split_features(table)
    X = X[["amount", "txn_count_1h", "amount_to_median"]]
    t, lt = table["timestamp"].to_numpy(), table["label_time"].to_numpy()
    _CountingLR.seen = []
    tr = Trainer(estimator=_CountingLR(max_iter=300), cv=3, random_state=0, progress=False)
    tr.fit(X, y, time=t, label_time=lt)
    folds = [(tr.oof_fold_ == k) for k in range(3)]
    for k, seen in enumerate(_CountingLR.seen[:3]):
        start = t[folds[k]].min()
        train = t < start
        assert seen == int((y.to_numpy()[train] == 1)[lt[train] <= start].sum())
        assert seen < int(y.to_numpy()[train].sum())  # late labels left out
    assert _CountingLR.seen[3] == int(y.sum())  # the final refit uses y as given
    with pytest.raises(InvalidInputError, match="label_time needs"):
        Trainer(estimator=_xgb(), cv=3, progress=False).fit(X, y, label_time=lt)
