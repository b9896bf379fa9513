"""compare(): paired folds, Nadeau-Bengio intervals, ranking, plot, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats
from sklearn.base import BaseEstimator
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError
from edgecase.train import ComparisonResult, compare, nadeau_bengio

SAMPLERS = ["none", "scale_pos_weight", "random", "smote"]


def small():
    return XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1, enable_categorical=True)


class LabelNoiseSampler(BaseEstimator):
    """A deliberately harmful 'sampler': shuffles the training labels (keeps the rows)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit_resample(self, X, y):
        return X, np.random.default_rng(self.random_state).permutation(np.asarray(y))


@pytest.fixture(scope="module")
def yeast_result():
    X, y = load_keel("yeast4")
    return compare(
        X,
        y,
        samplers=[*SAMPLERS, LabelNoiseSampler()],
        cv=3,
        repeats=2,
        estimator=small(),
        random_state=0,
        progress=False,
    )


def test_table_shape_ranking_and_scores(yeast_result):
    res = yeast_result
    assert isinstance(res, ComparisonResult)
    assert set(res.index) == {*SAMPLERS, "LabelNoiseSampler"}
    assert res["pr_auc_mean"].is_monotonic_decreasing
    assert res["rank"].tolist() == list(range(1, 6))
    assert len(res.scores) == 5 * 3 * 2
    assert set(res.scores.columns) >= {"sampler", "repeat", "fold", "pr_auc", "roc_auc", "brier"}
    means = res.scores.groupby("sampler")["pr_auc"].mean()
    np.testing.assert_allclose(res["pr_auc_mean"], means[res.index])
    # Oversampling balanced the training folds; the baselines kept them as they were.
    assert res.loc["random", "train_rows_mean"] > 1.8 * res.loc["none", "train_rows_mean"]
    assert res.loc["scale_pos_weight", "train_rows_mean"] == res.loc["none", "train_rows_mean"]
    # Derived frames are plain DataFrames (no stale metadata).
    assert type(res.head(2)) is not ComparisonResult


def test_paired_differences_and_noise_flags(yeast_result):
    res = yeast_result
    wide = res.scores.pivot_table(index=["repeat", "fold"], columns="sampler", values="pr_auc")
    for base in ("none", "scale_pos_weight"):
        assert res.loc[base, f"diff_vs_{base}"] == 0.0
        assert res.loc[base, f"within_noise_vs_{base}"]
        for name in res.index:
            d = (wide[name] - wide[base]).to_numpy()
            assert res.loc[name, f"diff_vs_{base}"] == pytest.approx(d.mean())
            lo, hi = res.loc[name, f"ci_low_vs_{base}"], res.loc[name, f"ci_high_vs_{base}"]
            assert lo <= d.mean() <= hi
            assert res.loc[name, f"within_noise_vs_{base}"] == (lo <= 0 <= hi)
    # Shuffled labels destroy the signal: far below both baselines, and not within noise.
    assert res.loc["LabelNoiseSampler", "rank"] == 5
    assert res.loc["LabelNoiseSampler", "diff_vs_none"] < -0.1
    assert not res.loc["LabelNoiseSampler", "within_noise_vs_none"]
    assert not res.loc["LabelNoiseSampler", "within_noise_vs_scale_pos_weight"]


def test_nadeau_bengio_matches_formula_and_is_wider_than_naive():
    rng = np.random.default_rng(0)
    d = rng.normal(0.01, 0.02, 10)
    lo, hi, p = nadeau_bengio(d, n_train=900, n_test=100)
    se = math.sqrt((1 / 10 + 100 / 900) * d.var(ddof=1))
    q = stats.t.ppf(0.975, 9)
    assert (lo, hi) == pytest.approx((d.mean() - q * se, d.mean() + q * se))
    assert p == pytest.approx(2 * stats.t.sf(abs(d.mean() / se), 9))
    naive = stats.ttest_1samp(d, 0.0)
    assert p > naive.pvalue  # the correction for overlapping training sets widens the interval
    assert nadeau_bengio(np.zeros(6), 10, 5) == (0.0, 0.0, 1.0)


def test_same_seed_same_table():
    X, y = load_keel("yeast4")
    kw = {"samplers": ["none", "smote"], "cv": 3, "repeats": 1, "estimator": small()}
    a = compare(X, y, random_state=5, progress=False, **kw)
    b = compare(X, y, random_state=5, progress=False, **kw)
    cols = ["pr_auc_mean", "pr_auc_sd", "diff_vs_none", "p_vs_none"]
    np.testing.assert_array_equal(a[cols].to_numpy(), b[cols].to_numpy())


def test_plot_and_json(yeast_result):
    fig = yeast_result.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert set(labels) == set(yeast_result.index)
    payload = json.loads(yeast_result.to_json())
    assert [r["sampler"] for r in payload["table"]] == list(yeast_result.index)
    assert len(payload["scores"]) == len(yeast_result.scores)
    assert payload["settings"]["cv"] == 3 and payload["settings"]["repeats"] == 2


def test_categorical_data():
    X, y = load_keel("abalone19")
    res = compare(
        X,
        y,
        samplers=["none", "smotenc", "random"],
        cv=3,
        repeats=1,
        estimator=small(),
        random_state=0,
        progress=False,
    )
    assert set(res.index) == {"none", "smotenc", "random"}
    assert "diff_vs_scale_pos_weight" not in res.columns  # that baseline was not run
    with pytest.raises(InvalidParameterError, match="'Sex'"):
        compare(X, y, samplers=["none", "smote"], cv=3, repeats=1, progress=False)


def test_bad_arguments():
    X, y = load_keel("yeast4")
    with pytest.raises(UnknownNameError, match="Did you mean 'smote'"):
        compare(X, y, samplers=["none", "smoet"], progress=False)
    with pytest.raises(InvalidParameterError, match="repeats"):
        compare(X, y, samplers=["none"], repeats=0, progress=False)
    with pytest.raises(InvalidParameterError, match="cv"):
        compare(X, y, samplers=["none"], cv=1, progress=False)
    with pytest.raises(InvalidParameterError, match="samplers"):
        compare(X, y, samplers="smote", progress=False)
    with pytest.raises(InvalidParameterError, match="empty"):
        compare(X, y, samplers=[], progress=False)
    tiny = y.copy()
    tiny[tiny == 1] = 0
    tiny.iloc[:2] = 1
    with pytest.raises(InvalidInputError, match="cv=3"):
        compare(X, tiny, samplers=["none"], cv=3, progress=False)


def test_default_list_adapts_to_categorical_columns(monkeypatch):
    # The shipped default ends with "edgecase" (fraud stage); the swap logic is tested without it.
    import edgecase.train as train
    import edgecase.train.samplers as samplers

    assert train.DEFAULT_COMPARE == (
        "none",
        "scale_pos_weight",
        "random",
        "smote",
        "borderline",
        "adasyn",
        "edgecase",
    )
    monkeypatch.setattr(samplers, "DEFAULT_COMPARE", train.DEFAULT_COMPARE[:-1])
    X, y = load_keel("abalone19")
    with pytest.warns(UserWarning, match="smotenc instead of smote.*borderline.*adasyn"):
        res = compare(X, y, cv=3, repeats=1, estimator=small(), random_state=0, progress=False)
    assert set(res.index) == {"none", "scale_pos_weight", "random", "smotenc"}


class SharedLog(list):
    def __deepcopy__(self, memo):
        return self


class RowRecorder(BaseEstimator):
    """Records which rows each call is given; resamples nothing."""

    def __init__(self, log=None):
        self.log = log

    def fit_resample(self, X, y):
        self.log.append(np.asarray(X.index))
        return X, y


def test_every_sampler_sees_the_same_training_rows():
    X, y = load_keel("yeast4")
    a, b = SharedLog(), SharedLog()
    compare(
        X,
        y,
        samplers=[RowRecorder(log=a), "none", RowRecorder(log=b)],
        cv=3,
        repeats=2,
        estimator=small(),
        random_state=0,
        progress=False,
    )
    assert len(a) == len(b) == 6
    for ra, rb in zip(a, b, strict=True):
        np.testing.assert_array_equal(ra, rb)
    # Each repeat's three training parts leave out disjoint test parts covering every row.
    for r in range(2):
        held_out = [np.setdiff1d(np.arange(len(X)), rows) for rows in a[3 * r : 3 * r + 3]]
        assert sorted(np.concatenate(held_out).tolist()) == list(range(len(X)))
    # Repeats reshuffle the folds.
    assert not np.array_equal(a[0], a[3])


def test_groups_stay_in_one_fold_in_every_repeat():
    X, y = load_keel("yeast4")
    groups = np.arange(len(X)) // 5
    log = SharedLog()
    compare(
        X,
        y,
        samplers=[RowRecorder(log=log)],
        cv=3,
        repeats=2,
        groups=groups,
        estimator=small(),
        random_state=0,
        progress=False,
    )
    for rows in log:
        inside = np.zeros(len(X), dtype=bool)
        inside[rows] = True
        # A group is either entirely in the training part or entirely held out.
        assert (pd.Series(inside).groupby(groups).nunique() == 1).all()
    with pytest.raises(InvalidInputError, match="groups"):
        compare(X, y, samplers=["none"], groups=groups[:10], progress=False)
