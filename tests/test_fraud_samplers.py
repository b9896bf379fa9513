"""EdgeCaseOversampler: imbalanced-learn common checks, counts, dtypes, constraints, parents_."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.estimator_checks import check_param_validation

from edgecase.datasets import load_keel
from edgecase.errors import (
    EdgecaseError,
    InvalidInputError,
    InvalidParameterError,
    SchemaViolationError,
)
from edgecase.fraud import EdgeCaseOversampler
from edgecase.schema import TableSchema


@parametrize_with_checks([EdgeCaseOversampler(random_state=0)])  # imbalanced-learn's own checks
def test_imblearn_common_checks(estimator, check):
    check(estimator)


def test_sklearn_param_validation_with_edgecase_errors():
    check_param_validation("EdgeCaseOversampler", EdgeCaseOversampler(random_state=0))
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        EdgeCaseOversampler(k_neighbors=0).fit_resample(np.eye(10), [0] * 5 + [1] * 5)


def test_random_state_accepts_a_numpy_generator():
    X, y = load_keel("yeast4")

    def resample(random_state):
        return EdgeCaseOversampler(random_state=random_state).fit_resample(X, y)[0]

    a = resample(np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, resample(np.random.default_rng(5)))
    assert not a.equals(resample(np.random.default_rng(6)))
    pd.testing.assert_frame_equal(
        resample(np.random.SeedSequence(3)), resample(np.random.SeedSequence(3))
    )


@pytest.fixture(scope="module")
def abalone():
    return load_keel("abalone9-18")


def test_exact_counts_original_rows_first_and_parents(abalone):
    X, y = abalone
    sampler = EdgeCaseOversampler(sampling_strategy=0.5, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    n_neg, n_pos = int((y == 0).sum()), int((y == 1).sum())
    n_new = n_neg // 2 - n_pos
    assert int((yr == 1).sum()) == n_neg // 2 and len(Xr) == len(X) + n_new
    pd.testing.assert_frame_equal(
        Xr.iloc[: len(X)].reset_index(drop=True), X.reset_index(drop=True)
    )
    assert sampler.parents_.shape == (n_new, 2) and sampler.parents_.dtype.kind == "i"
    pos = np.flatnonzero(y.to_numpy() == 1)
    assert np.isin(sampler.parents_, pos).all()  # only minority rows seed minority rows
    # a synthetic row's continuous values lie near the segment between its parents
    num = [c for c in X.columns if not isinstance(X[c].dtype, pd.CategoricalDtype)]
    syn = Xr.iloc[len(X) :][num].to_numpy()
    a = X[num].to_numpy()[sampler.parents_[:, 0]]
    b = X[num].to_numpy()[sampler.parents_[:, 1]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    span = X[num].std().to_numpy()
    inside = ((syn >= lo - span) & (syn <= hi + span)).mean()
    assert inside > 0.95


def test_mixed_dtypes_preserved_and_categories_real(abalone):
    X, y = abalone
    X = X.copy()
    X["rings_int"] = (X.iloc[:, 1] * 100).round().astype("int64")
    X["flag"] = X.iloc[:, 2] > X.iloc[:, 2].median()
    Xr, yr = EdgeCaseOversampler(random_state=1).fit_resample(X, y)
    assert (Xr.dtypes == X.dtypes).all()
    syn = Xr.iloc[len(X) :]
    cat = next(c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype))
    assert set(syn[cat].unique()) <= set(X.loc[y == 1, cat].unique())
    assert syn["rings_int"].between(X["rings_int"].min(), X["rings_int"].max()).all()
    assert TableSchema.infer(X).check(Xr).ok


def test_schema_bounds_respected_and_unknown_category_refused(abalone):
    X, y = abalone
    col = X.select_dtypes("number").columns[0]
    cap = float(X[col].max())
    schema = TableSchema.infer(X).bounded(**{col: (None, cap)})
    Xr, _ = EdgeCaseOversampler(schema=schema, random_state=0).fit_resample(X, y)
    assert (Xr.iloc[len(X) :][col] <= cap).all()
    # Data that already breaks the schema is refused (as FraudScenarioGenerator does):
    # projecting onto a bound the data ignores would pin most synthetic values at it.
    low_cap = float(X.loc[y == 1, col].median())
    schema = TableSchema.infer(X).bounded(**{col: (None, low_cap)})
    with pytest.raises(SchemaViolationError, match=f"'{col}': above high"):
        EdgeCaseOversampler(schema=schema, random_state=0).fit_resample(X, y)


def test_severity_moves_synthetic_rows_toward_the_majority():
    X, y = load_keel("yeast5")
    neg = X[y == 0].to_numpy()
    scale = X.std().to_numpy()

    def dist(sev):
        Xr, _ = EdgeCaseOversampler(severity=sev, random_state=0).fit_resample(X, y)
        syn = Xr.iloc[len(X) :].to_numpy()[:400]
        return np.median(np.abs((syn[:, None] - neg[None]) / scale).sum(-1).min(1))

    assert dist(0.0) > dist(1.0) > dist(4.0)


def test_determinism_and_numpy_dtype(abalone):
    X, y = load_keel("yeast4")
    a = EdgeCaseOversampler(random_state=5).fit_resample(X.to_numpy(np.float32), y.to_numpy())
    b = EdgeCaseOversampler(random_state=5).fit_resample(X.to_numpy(np.float32), y.to_numpy())
    assert a[0].dtype == np.float32
    np.testing.assert_array_equal(a[0], b[0])


def test_works_in_imblearn_pipeline_without_touching_test_rows():
    from sklearn.metrics import average_precision_score
    from xgboost import XGBClassifier

    X, y = load_keel("yeast5")
    n = len(X) * 2 // 3
    pipe = Pipeline(
        [
            ("over", EdgeCaseOversampler(random_state=0)),
            ("xgb", XGBClassifier(n_estimators=50, max_depth=3, n_jobs=1, random_state=0)),
        ]
    )
    pipe.fit(X.iloc[:n], y.iloc[:n])
    assert pipe.named_steps["over"].parents_.max() < n
    p = pipe.predict_proba(X.iloc[n:])[:, 1]
    assert len(p) == len(X) - n  # no resampling at predict time
    assert average_precision_score(y.iloc[n:], p) > 0.3


def test_too_few_minority_rows_says_what_to_do():
    X, y = load_keel("glass5")  # 9 positives
    with pytest.raises(InvalidInputError, match="lower k_neighbors to at most 8"):
        EdgeCaseOversampler(k_neighbors=9).fit_resample(X, y)
    y1 = np.zeros(len(X), dtype=int)
    y1[0] = 1
    with pytest.raises(InvalidInputError, match="single row"):
        EdgeCaseOversampler().fit_resample(X, y1)


def test_bad_input_is_edgecase_error():
    X, y = load_keel("glass5")
    Xn = X.copy()
    Xn.iloc[3, 2] = np.nan
    for bad in (
        lambda: EdgeCaseOversampler().fit_resample(Xn, y),
        lambda: EdgeCaseOversampler().fit_resample(X, np.zeros(len(X))),
        lambda: EdgeCaseOversampler(severity=-1).fit_resample(X, y),
        lambda: EdgeCaseOversampler(severity=np.inf).fit_resample(X, y),
        lambda: EdgeCaseOversampler(categorical_features=["nope"]).fit_resample(X, y),
    ):
        with pytest.raises(EdgecaseError):
            bad()
