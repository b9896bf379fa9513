"""find_slices: planted weak slices are found, the population matters, statistics are right."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress._cell_counts import combination_counts
from edgecase.stress.slices import clopper_pearson_interval, find_slices, wilson_interval

from .conftest import fraud_frame


def planted(seed: int = 0, n: int = 40000):
    """Fraud concentrates in electronics; the model misses fraud that is online at night
    with a small amount (the planted weak slice); elsewhere recall is ~90%."""
    X, y = fraud_frame(n=n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    weak = (X["channel"] == "online").to_numpy() & (X["hour"] <= 3).to_numpy()
    caught = rng.random(n) < np.where(weak, 0.25, 0.9)
    scores = np.where(y.to_numpy() == 1, np.where(caught, 0.8, 0.2), rng.beta(1, 30, n))
    return X, y, scores, weak


def test_planted_weak_slice_is_found_and_significant():
    X, y, scores, weak = planted()
    out = find_slices(X, y, scores, on="positives", score_threshold=0.5, min_support=20)
    assert out.attrs["metric"] == "recall" and out.attrs["n_population"] == int(y.sum())
    top = out.iloc[0]
    assert "channel = online" in top["slice"] and "hour in" in top["slice"]
    assert top["rate"] < 0.45 and top["significant"]
    assert (out["rate"] < out["overall_rate"]).all()
    # BH controls the false discovery rate: among significant slices, few avoid the weak region
    sig = out[out["significant"]]
    clean = ~sig["slice"].str.contains("channel = online|hour")
    assert clean.mean() < 0.1
    # without the correction, many more clean slices would pass p < 0.05
    raw_clean = out[(out["p_value"] < 0.05) & ~out["slice"].str.contains("channel = online|hour")]
    assert len(raw_clean) > clean.sum()


def test_population_matters_all_rows_rediscover_fraud_concentration():
    X, y, scores, _ = planted()
    on_pos = find_slices(X, y, scores, on="positives", score_threshold=0.5, min_support=20)
    on_all = find_slices(X, y, scores, on="all", score_threshold=0.5, min_support=20)
    # on all rows, the top "missed fraud" slices are where fraud concentrates
    # (e.g. gift cards, new countries), not where the model is weak
    top_all = on_all["slice"].head(5).tolist()
    assert on_all.iloc[0]["rate"] > on_all.attrs["overall_rate"]
    assert top_all != on_pos["slice"].head(5).tolist()
    assert any(
        (
            "gift_cards" in s
            or "electronics" in s
            or "is_new_country = True" in s
            or "distance" in s
            or "amount_to_median" in s
            or "txn_count" in s
        )
        for s in top_all
    )


def test_alerts_precision_and_counts_are_exact():
    X, y, scores, _ = planted(n=20000)
    out = find_slices(
        X, y, scores, on="alerts", score_threshold=0.5, max_order=1, min_support=5, worse_only=False
    )
    alerts = scores >= 0.5
    row = out[out["slice"] == "channel = online"].iloc[0]
    mask = alerts & (X["channel"] == "online").to_numpy()
    assert row["n"] == mask.sum() and row["hits"] == (y.to_numpy()[mask] == 1).sum()
    # p-value: exact one-sided binomial test against the alerts' overall precision
    p = stats.binomtest(
        int(row["hits"]), int(row["n"]), out.attrs["overall_rate"], alternative="less"
    ).pvalue
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    # Benjamini-Hochberg over all tested slices, done by hand
    pv = np.sort(out["p_value"].to_numpy())
    m = out.attrs["n_tested"]
    q = np.minimum.accumulate((pv * m / np.arange(1, len(pv) + 1))[::-1])[::-1]
    assert np.allclose(np.sort(out["q_value"].to_numpy()), np.minimum(q, 1))


def test_intervals_match_scipy():
    for k, n in [(0, 10), (3, 17), (40, 40), (12, 250)]:
        res = stats.binomtest(k, n)
        w = res.proportion_ci(method="wilson")
        cp = res.proportion_ci(method="exact")
        assert np.allclose(wilson_interval(k, n), (w.low, w.high))
        assert np.allclose(clopper_pearson_interval(k, n), (cp.low, cp.high))


def test_bad_inputs():
    X, y, scores, _ = planted(n=2000)
    with pytest.raises(InvalidParameterError, match="score_threshold"):
        find_slices(X, y, scores, on="alerts", score_threshold=2.0)
    assert scores.max() < 1.0
    with pytest.raises(InvalidInputError, match="empty"):
        find_slices(X, y, scores, on="alerts", score_threshold=1.0)
    with pytest.raises(InvalidParameterError, match="on="):
        find_slices(X, y, scores, on="positive")
    with pytest.raises(InvalidInputError, match="scores"):
        find_slices(X, y, scores[:-1])
    with pytest.raises(InvalidInputError, match="non-finite"):
        find_slices(X, y, np.r_[scores[:-1], np.nan])
    with pytest.raises(InvalidParameterError, match="max_order"):
        find_slices(X, y, scores, max_order=0)
    assert find_slices(X.astype({"amount": float}), pd.Series(y), scores).shape[1] == 12


@pytest.mark.parametrize(
    "k_levels, n_rows, max_order",
    [
        # joint tables: blocks out of feature order, and a 40-level feature whose unions
        # outgrow the joint-table cap (counted per combination instead)
        ([5, 2, 8, 3, 5, 2, 7, 5, 2, 40], 40_000, 3),
        # few rows: one bincount per combination
        ([5, 2, 8, 3, 5, 2, 7, 5, 2, 40], 3_000, 4),
        ([5, 2, 8, 3, 5, 2, 7, 5, 2, 40], 50, 2),
        ([2, 2, 3, 2, 2], 10_000, 3),  # two blocks, fewer than the order: one union of all
    ],
)
def test_cell_counts_equal_one_bincount_per_combination(k_levels, n_rows, max_order):
    rng = np.random.default_rng(n_rows)
    codes = [rng.integers(0, k, n_rows) for k in k_levels]
    got = list(combination_counts(codes, k_levels, max_order))
    every = [
        c for r in range(1, max_order + 1) for c in itertools.combinations(range(len(k_levels)), r)
    ]
    assert sorted(c for c, _ in got) == sorted(every)  # each combination exactly once
    for combo, counts in got:
        code = np.zeros(n_rows, np.int64)
        for f in combo:
            code = code * k_levels[f] + codes[f]
        size = int(np.prod([k_levels[f] for f in combo]))
        np.testing.assert_array_equal(counts, np.bincount(code, minlength=size))
        assert counts.dtype == np.intp
