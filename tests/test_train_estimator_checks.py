"""Trainer follows the scikit-learn estimator contract: declared constraints, clone, common checks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks
from xgboost import XGBClassifier

from edgecase.errors import EdgecaseError, InvalidParameterError
from edgecase.train import Trainer

_MESSAGE = (
    "Trainer refuses this input with an edgecase InvalidInputError whose message names the "
    "column, shape or labels; the check expects scikit-learn's own wording"
)
_THRESHOLD = (
    "predict flags scores >= threshold_, a threshold chosen on out-of-fold scores by the "
    "policy (default 'f1'), so it differs from argmax(predict_proba) and from "
    "decision_function > 0 (decision_function is the positive-class probability)"
)
_EXPECTED_FAILED = {
    "check_n_features_in_after_fitting": _MESSAGE,
    "check_dtype_object": "text columns are refused on purpose: they must be pandas 'category' "
    "columns, whose levels are saved and checked at predict time",
    "check_estimators_empty_data_messages": _MESSAGE,
    "check_estimator_sparse_tag": "Trainer takes dense tables (pandas or numpy); sparse input "
    "is refused with a message that does not use the word 'sparse'",
    "check_estimator_sparse_array": "see check_estimator_sparse_tag",
    "check_estimator_sparse_matrix": "see check_estimator_sparse_tag",
    "check_classifier_data_not_an_array": "labels wrapped in an object that is not an array are "
    "read as a single label, so X and y lengths differ",
    "check_classifiers_classes": _THRESHOLD,
    "check_classifiers_train": _THRESHOLD,
    "check_classifiers_regression_target": _MESSAGE + " ('y must be binary')",
    "check_supervised_y_2d": "a 2-D y is refused with an error rather than raveled with a "
    "DataConversionWarning",
    "check_classifier_not_supporting_multiclass": _MESSAGE + " ('y must be binary')",
    "check_fit2d_1sample": _MESSAGE,
    "check_fit2d_predict1d": _MESSAGE,
    "check_requires_y_none": _MESSAGE,
}


def _trainer() -> Trainer:
    # A tiny model and two folds keep the common checks at a few seconds.
    est = XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1)
    # scikit-learn's toy data is often separable by one column, which the leakage guard
    # (rightly, for real data) would drop: the common checks test the estimator contract
    return Trainer(estimator=est, cv=2, leakage="keep", random_state=0, progress=False)


@parametrize_with_checks([_trainer()], expected_failed_checks=lambda est: _EXPECTED_FAILED)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def test_param_validation_raises_edgecase_errors():
    check_param_validation("Trainer", _trainer())
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.r_[np.ones(10, dtype=int), np.zeros(30, dtype=int)]
    for params, name in [
        ({"cv": 1}, "cv"),
        ({"calibrate": "beta"}, "calibrate"),
        ({"progress": 2}, "progress"),
        ({"random_state": -1}, "random_state"),
        ({"estimator": 3}, "estimator"),
        ({"threshold": 1.5}, "threshold"),
    ]:
        with pytest.raises(InvalidParameterError, match=name) as info:
            _trainer().set_params(**params).fit(X, y)
        assert isinstance(info.value, EdgecaseError)


def test_clone_keeps_every_parameter():
    tr = Trainer(
        estimator=XGBClassifier(n_estimators=3),
        sampler="smote",
        cv=3,
        threshold={"fn": 10, "fp": 1},
        calibrate="sigmoid",
        random_state=np.random.default_rng(1),
        progress=False,
    )
    back = clone(tr)
    assert back is not tr
    p, q = tr.get_params(deep=False), back.get_params(deep=False)
    assert p.keys() == q.keys()
    assert q["estimator"] is not p["estimator"]
    assert q["estimator"].get_params() == p["estimator"].get_params()
    # clone deep-copies a Generator: same state, so the clone draws the same seeds.
    assert q["random_state"].bit_generator.state == p["random_state"].bit_generator.state
    rest = {"estimator", "random_state"}
    assert {k: v for k, v in q.items() if k not in rest} == {
        k: v for k, v in p.items() if k not in rest
    }
