"""Reverse stress: bisection for the breaking severity, minimal breaking examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError
from edgecase.stress.search import breaking_severity, minimal_breaking_example

from .conftest import CutA, ScoreIsA, known_breaking_data


def test_breaking_severity_bisects_to_the_known_crossing():
    X, y = known_breaking_data(n_pos=4000, n_neg=4000)
    res = breaking_severity(
        ScoreIsA(), CutA(), X, y, breaking_threshold=0.6, score_threshold=0.5, tol=1e-4
    )
    # empirical recall(s) = share of positives with a >= 0.5 + 0.25 s; the true crossing is 1.6
    a = np.sort(X["a"][y == 1].to_numpy())
    empirical = (np.quantile(a, 0.4) - 0.5) / 0.25
    assert res.broken and res.bracket[1] - res.bracket[0] <= 1e-4
    assert res.severity == pytest.approx(empirical, abs=2e-3)
    assert abs(res.severity - 1.6) < 0.05
    assert len(res.evaluations) < 30
    never = breaking_severity(
        ScoreIsA(), CutA(), X, y, breaking_threshold=0.01, score_threshold=0.5, high=1.0
    )
    assert not never.broken and np.isinf(never.severity) and "safe side" in never.reason
    with pytest.raises(InvalidParameterError, match="outside the range"):
        breaking_severity(ScoreIsA(), CutA(), X, y, breaking_threshold=2.0)


@pytest.fixture(scope="module")
def logistic():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"amount": rng.uniform(0, 500, 4000), "distance": rng.uniform(0, 50, 4000)})
    logit = 0.02 * X["amount"] + 0.1 * X["distance"] - 8 + rng.logistic(size=4000)
    y = (logit > 0).astype(int)
    return LogisticRegression(C=1e4, max_iter=5000).fit(X, y), X


def test_minimal_example_finds_the_logistic_boundary(logistic):
    model, X = logistic
    w, b = model.coef_[0], model.intercept_[0]
    row = pd.DataFrame({"amount": [450.0], "distance": [30.0]})
    ex = minimal_breaking_example(
        model,
        row,
        mutable=["amount"],
        directions={"amount": "decrease"},
        bounds={"amount": (0.01, 1e4)},
        random_state=0,
    )
    boundary = -(b + w[1] * 30.0) / w[0]  # amount where the logit is 0 (score 0.5)
    assert ex.found and ex.changes["feature"].tolist() == ["amount"]
    assert ex.example["amount"] == pytest.approx(boundary, abs=1e-3)
    assert ex.example["distance"] == 30.0
    assert ex.score_before > 0.5 > ex.score_after > 0.4999
    # attackers cannot raise distance past the bound nor lower amount: nothing to find
    none = minimal_breaking_example(
        model,
        row,
        mutable=["amount"],
        directions={"amount": "increase"},
        bounds={"amount": (0.01, 1e4)},
        max_examples=50,
        random_state=0,
    )
    assert not none.found and none.example is None


def test_refinement_beats_raw_hypothesis_and_drops_useless_changes(logistic):
    model, X = logistic
    row = pd.DataFrame({"amount": [400.0], "distance": [45.0]})
    ex = minimal_breaking_example(model, row, X_ref=X, random_state=1)
    w, b = model.coef_[0], model.intercept_[0]
    changed = ex.changes.set_index("feature")
    # every changed feature sits on the boundary: moving any back toward the original
    # by 0.1% of its change makes the row caught again
    for c in changed.index:
        back = ex.example.copy()
        back[c] = back[c] - 1e-3 * changed.loc[c, "delta"]
        logit = b + w[0] * back["amount"] + w[1] * back["distance"]
        assert logit > 0
    assert ex.distance < 3
    # hypothesis alone stops at a "simple" value; bisection moves it to the boundary
    assert ex.distance <= ex.search_distance
    frame = ex.to_frame()
    assert list(frame.dtypes) == list(row.dtypes)
    assert model.predict_proba(frame)[0, 1] == pytest.approx(ex.score_after)


def test_refinement_is_much_closer_than_the_raw_search(logistic):
    model, X = logistic
    row = pd.DataFrame({"amount": [460.0], "distance": [20.0]})
    ex = minimal_breaking_example(
        model, row, mutable=["amount"], bounds={"amount": (0.01, 500.0)}, random_state=3
    )
    # the raw find is some in-bounds value below the boundary; the refined one is on it
    assert ex.found and ex.distance < 0.9 * ex.search_distance


def test_integer_feature_against_a_tree_model():
    rng = np.random.default_rng(0)
    n = 3000
    X = pd.DataFrame(
        {"count": rng.integers(0, 12, n).astype(np.int64), "amount": rng.uniform(0, 100, n)}
    )
    y = ((X["count"] >= 5) & (X["amount"] > 30)).astype(int)
    model = XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1).fit(X, y)
    row = pd.DataFrame({"count": np.array([9], dtype=np.int64), "amount": [80.0]})
    ex = minimal_breaking_example(
        model,
        row,
        mutable=["count"],
        directions={"count": "decrease"},
        bounds={"count": (0, 20)},
        random_state=0,
    )
    # brute force: the largest count below 9 whose score is under 0.5
    scan = [
        c
        for c in range(9, -1, -1)
        if model.predict_proba(row.assign(count=np.int64(c)))[0, 1] < 0.5
    ]
    assert ex.found and ex.example["count"] == scan[0] == 4
    assert isinstance(ex.example["count"], (int, np.integer))


def test_bad_inputs(logistic):
    model, X = logistic
    row = X.iloc[[int(np.argmax(X["amount"]))]]
    with pytest.raises(InvalidParameterError, match="needs bounds"):
        minimal_breaking_example(model, row, mutable=["amount"])
    with pytest.raises(InvalidParameterError, match="not columns"):
        minimal_breaking_example(model, row, mutable=["nope"], X_ref=X)
    with pytest.raises(InvalidParameterError, match="directions"):
        minimal_breaking_example(model, row, X_ref=X, directions={"amount": "down"})
    low = X.iloc[[int(np.argmin(X["amount"]))]]
    with pytest.raises(InvalidInputError, match="not caught"):
        minimal_breaking_example(model, low, X_ref=X)
    with pytest.raises(EdgecaseError, match="predict_proba"):
        minimal_breaking_example(object(), row, X_ref=X)


def test_attacker_constraints_on_a_fraud_model():
    from .conftest import fraud_frame

    X, y = fraud_frame(n=5000)
    model = XGBClassifier(n_estimators=40, max_depth=4, enable_categorical=True, n_jobs=1).fit(X, y)
    s = model.predict_proba(X)[:, 1]
    row = X.iloc[[int(np.argmax(np.where(y == 1, s, -1)))]]
    mutable = ["amount", "hour", "txn_count_1h", "channel", "is_new_device"]
    ex = minimal_breaking_example(
        model,
        row,
        mutable=mutable,
        directions={"amount": "decrease", "txn_count_1h": "decrease", "is_new_device": "decrease"},
        bounds={"amount": (0.01, 1e5), "hour": (0, 23), "txn_count_1h": (0, 100)},
        X_ref=X,
        max_examples=150,
        random_state=0,
    )
    assert ex.found and ex.score_after < 0.5 <= ex.score_before
    new, old = ex.example, ex.original
    assert 0.01 <= new["amount"] <= old["amount"]
    assert new["txn_count_1h"] <= old["txn_count_1h"] and float(new["txn_count_1h"]).is_integer()
    assert 0 <= new["hour"] <= 23 and float(new["hour"]).is_integer()
    assert not (new["is_new_device"] and not old["is_new_device"])
    assert new["channel"] in X["channel"].cat.categories
    unchanged = [c for c in X.columns if c not in mutable]
    assert (new[unchanged] == old[unchanged]).all()
    assert model.predict_proba(ex.to_frame())[0, 1] == pytest.approx(ex.score_after)
