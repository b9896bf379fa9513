"""Whole-curve (common random numbers) and group bootstrap of the stress harness:
exact identities, and interval coverage against an analytic breaking point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.metrics import average_precision_score

from edgecase.errors import EdgecaseError, InvalidParameterError
from edgecase.stress import PrecisionWarning, StressHarness
from edgecase.stress import _bootstrap as B
from edgecase.stress import _metrics as M

from .conftest import CutA, ScoreIsA, known_breaking_data


def _brute(name, y, s, thr, groups=None, amount=None):
    if name == "recall":
        return (s[y == 1] >= thr).mean()
    if name == "precision":
        return y[s >= thr].mean()
    if name == "fpr":
        return (s[y == 0] >= thr).mean()
    if name == "alert_rate":
        return (s >= thr).mean()
    if name == "pr_auc":
        return average_precision_score(y, s)
    if name == "brier":
        return np.mean((s - y) ** 2)
    if name == "ece":
        b = np.clip((s * 10).astype(int), 0, 9)
        return np.abs(
            np.bincount(b, s, minlength=10) - np.bincount(b, y, minlength=10)
        ).sum() / len(s)
    if name == "value_recall":
        p = y == 1
        return amount[p][s[p] >= thr].sum() / amount[p].sum()
    # event_recall: a resampled group is a new event, so count per (draw copy of) group
    raise AssertionError(name)


@pytest.mark.parametrize(
    "name", ["recall", "precision", "fpr", "alert_rate", "pr_auc", "brier", "ece", "value_recall"]
)
def test_weighted_draws_equal_the_metric_on_the_resampled_rows(name):
    rng = np.random.default_rng(3)
    n = 1500
    groups = rng.integers(0, 300, n)
    y = (rng.random(n) < 0.1).astype(np.int8)
    S = np.round(np.c_[rng.beta(2, 3, n), rng.beta(3, 2, n)], 2)  # ties, two "severities"
    amount = rng.lognormal(3, 1, n)
    codes = B.group_codes(groups, n)
    draws = B.Draws(y, codes, 5, np.random.SeedSequence(1))
    got = B.weighted_draws(M.BUILTIN[name], y, S, 0.5, draws, {"amount": amount, "codes": codes})
    W = draws.rows("all").astype(int)
    for b in range(5):
        idx = np.repeat(np.arange(n), W[b])
        for j in range(2):
            want = _brute(name, y[idx], S[idx, j], 0.5, amount=amount[idx])
            assert got[b, j] == pytest.approx(want, abs=1e-6), (b, j)


@pytest.mark.parametrize("grouped", [True, False])
def test_ap_draws_equal_sklearn_with_the_draws_weights(grouped):
    # an independent computation: sklearn's average precision with each draw's row
    # counts as sample weights, on scores tied within and across the classes (one
    # decimal), on scores where some negatives sit above every positive, and below
    rng = np.random.default_rng(11)
    n = 2500
    y = (rng.random(n) < 0.12).astype(np.int8)
    S = np.c_[
        np.round(rng.random(n), 1),
        np.round(np.clip(rng.beta(2, 5, n) + 0.25 * y, 0, 1), 2),
        np.where(y == 1, 0.5, np.round(rng.random(n), 1)),  # every positive tied
    ]
    codes = B.group_codes(rng.integers(0, 200, n), n) if grouped else None
    draws = B.Draws(y, codes, 25, np.random.SeedSequence(5))
    got = B.weighted_draws(M.BUILTIN["pr_auc"], y, S, 0.5, draws)
    W = draws.rows("all").astype(float)
    assert (W == 0).any() and (W > 1).any()  # real resamples: dropped and repeated rows
    for b in range(len(W)):
        for j in range(S.shape[1]):
            want = average_precision_score(y, S[:, j], sample_weight=W[b])
            assert got[b, j] == pytest.approx(want, abs=1e-12), (b, j)
    # the point estimate (every row once) is sklearn's unweighted average precision
    ones = B.weighted_draws(M.BUILTIN["pr_auc"], y, S, 0.5, B.Ones(y, codes))
    for j in range(S.shape[1]):
        assert ones[0, j] == pytest.approx(average_precision_score(y, S[:, j]), abs=1e-12)
        assert M.point_value(M.BUILTIN["pr_auc"], y, S[:, j], 0.5) == pytest.approx(
            ones[0, j], abs=1e-12
        )


def test_ap_draws_reuse_the_negatives_order_only_for_the_same_scores():
    # the cached order of the negatives must not leak into a severity that moved them
    rng = np.random.default_rng(2)
    n = 1200
    y = (rng.random(n) < 0.1).astype(np.int8)
    codes = B.group_codes(rng.integers(0, 100, n), n)
    s0 = np.round(rng.random(n), 2)
    s1 = np.where(y == 0, np.round(rng.random(n), 2), s0)  # same positives, new negatives
    draws = B.Draws(y, codes, 10, np.random.SeedSequence(0))
    both = B.weighted_draws(M.BUILTIN["pr_auc"], y, np.c_[s0, s1, s0], 0.5, draws)
    fresh = B.Draws(y, codes, 10, np.random.SeedSequence(0))
    alone = B.weighted_draws(M.BUILTIN["pr_auc"], y, s1, 0.5, fresh)
    np.testing.assert_array_equal(both[:, 1], alone[:, 0])
    np.testing.assert_array_equal(both[:, 0], both[:, 2])
    assert not np.array_equal(both[:, 0], both[:, 1])


def test_ap_columns_sharing_the_negatives_equal_each_column_alone():
    # severities that move only positives share one sum of the negatives' weights over
    # the union of their positive scores: the values must be each column's own, bit for
    # bit; fractional row weights (the ceiling's weighted sample) are summed column by
    # column in one fixed order, and still equal sklearn's weighted average precision
    from edgecase.stress._ceiling import _RowWeights

    rng = np.random.default_rng(8)
    n = 3000
    y = (rng.random(n) < 0.1).astype(np.int8)
    base = np.round(rng.random(n), 3)
    S = np.column_stack(
        [np.where(y == 1, np.round(np.clip(base - 0.1 * k * rng.random(n), 0, 1), 3), base)
         for k in range(4)]
    )  # fmt: skip
    codes = B.group_codes(rng.integers(0, 400, n), n)
    metric = M.BUILTIN["pr_auc"]
    draws = B.Draws(y, codes, 20, np.random.SeedSequence(4))
    assert B._exact_sums(draws)
    together = B.weighted_draws(metric, y, S, 0.5, draws)
    for j in range(S.shape[1]):
        alone = B.weighted_draws(
            metric, y, S[:, j], 0.5, B.Draws(y, codes, 20, np.random.SeedSequence(4))
        )
        np.testing.assert_array_equal(together[:, j], alone[:, 0])
    w = np.where(y == 1, 1.0, rng.choice([0.7, 2.5, 5.0], n))
    weighted = _RowWeights(y, w)
    assert not B._exact_sums(weighted)
    got = B.weighted_draws(metric, y, S, 0.5, weighted)
    for j in range(S.shape[1]):
        want = average_precision_score(y, S[:, j], sample_weight=w.astype(np.float32))
        assert got[0, j] == pytest.approx(want, abs=1e-7)  # float32 sums of the weights


def test_group_draws_resample_whole_groups_within_strata():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 50, 800)
    y = np.zeros(800, np.int8)
    y[groups < 10] = rng.random(int((groups < 10).sum())) < 0.5
    codes = B.group_codes(groups, 800)
    d = B.Draws(y, codes, 40, np.random.SeedSequence(0))
    W = d.rows("all")
    # every row of a group carries the group's count
    for g in np.unique(codes):
        assert (W[:, codes == g] == W[:, codes == g][:, :1]).all()
    n_pos_groups, _ = B.n_groups(y, codes)
    assert (d.counts(0).sum(axis=1) == n_pos_groups).all()
    assert (d.counts(1).sum(axis=1) == 50 - n_pos_groups).all()
    # same seed, same draws; event recall at a cut that catches everything is 1
    d2 = B.Draws(y, codes, 40, np.random.SeedSequence(0))
    np.testing.assert_array_equal(d2.rows("pos"), d.rows("pos"))
    er = B.weighted_draws(M.BUILTIN["event_recall"], y, np.ones(800), 0.5, d, {"codes": codes})
    assert np.allclose(er, 1.0)


class Nothing:
    name = "nothing"

    def apply(self, X, y, severity, random_state=None):
        return X, y


def test_each_draw_is_a_whole_curve():
    # a scenario that changes nothing: with common random numbers every draw is flat
    X, y = known_breaking_data(n_pos=300, n_neg=1000)
    rep = StressHarness(
        ScoreIsA(), [Nothing()], score_threshold=0.9, severities=[0, 1, 2], n_boot=50,
        random_state=0, progress=False,
    ).run(X, y)  # fmt: skip
    d = rep.draws["nothing"]  # (n_sev, n_boot)
    assert d.std(axis=1).max() > 0
    np.testing.assert_array_equal(d[0], d[1])
    np.testing.assert_array_equal(d[0], d[2])


def test_operational_metrics_need_their_inputs():
    X, y = known_breaking_data(n_pos=100, n_neg=300)
    h = StressHarness(ScoreIsA(), [CutA()], metric="event_recall", n_boot=10, progress=False)
    with pytest.raises(InvalidParameterError, match="groups="):
        h.run(X, y)
    h.set_params(metric="value_recall")
    with pytest.raises(InvalidParameterError, match="amount="):
        h.run(X, y)
    with pytest.raises(InvalidParameterError, match="not a column"):
        h.run(X, y, amount="dollars")
    with pytest.raises(EdgecaseError, match="groups"):
        h.run(X, y, groups=np.arange(5), amount=np.ones(len(X)))
    with pytest.raises(EdgecaseError, match="amount"):
        h.run(X, y, amount=-np.ones(len(X)))


def test_event_and_value_recall_point_values():
    # events of 4 rows; an event is caught when any row is alerted
    X, y = known_breaking_data(n_pos=400, n_neg=1000, seed=2)
    groups = np.r_[np.arange(400) // 4, 1000 + np.arange(1000)]
    amount = np.r_[np.linspace(1, 100, 400), np.ones(1000)]
    kw = {"score_threshold": 0.9, "severities": [0, 1], "n_boot": 50, "random_state": 0}
    ev = StressHarness(ScoreIsA(), [CutA()], metric="event_recall", progress=False, **kw)
    rep = ev.run(X, y, groups=groups)
    for j, s in enumerate([0, 1]):
        a = X["a"].to_numpy()[:400] - 0.25 * s
        caught = pd.Series(a >= 0.9).groupby(groups[:400]).any().mean()
        assert rep.curves["value"].iloc[j] == pytest.approx(caught)
    rep = StressHarness(ScoreIsA(), [CutA()], metric="value_recall", progress=False, **kw).run(
        X, y, amount=amount
    )
    a = X["a"].to_numpy()[:400]
    assert rep.curves["value"].iloc[0] == pytest.approx(
        amount[:400][a >= 0.9].sum() / amount[:400].sum()
    )
    assert (rep.curves["ci_low"] <= rep.curves["value"]).all()


def test_inconclusive_at_severity_zero_is_not_broken():
    # recall at severity 0 is 0.68 on 60 positives; a threshold of 0.70 is within noise
    X, y = known_breaking_data(n_pos=60, n_neg=500, seed=4)
    with pytest.warns(PrecisionWarning, match="60 positive rows in 60 independent groups"):
        rep = StressHarness(
            ScoreIsA(), [CutA()], score_threshold=0.9, breaking_threshold=0.70,
            severities=[0, 0.5, 1], n_boot=200, random_state=0, progress=False,
        ).run(X, y)  # fmt: skip
    assert rep.warnings and "0.7" in rep.warnings[0]
    bp = rep.breaking_points.iloc[0]
    v0 = rep.curves["value"].iloc[0]
    assert v0 < 0.70 < rep.curves["ci_high"].iloc[0]
    assert not bp["broken"] and "inconclusive" in bp["reason"]


# ---- analytic oracle ---------------------------------------------------------------
# Fraud events of unequal size (geometric, mean 8 rows); an event's rows share a random
# effect z ~ N(0, TAU^2), rows add e ~ N(0, SIG^2); the scenario lowers fraud scores by
# severity. Row recall at the fixed cut a >= 0 is Phi((MU - s) / hypot(TAU, SIG)), so the
# severity where it falls to 80% of its severity-0 value is known in closed form.
MU, TAU, SIG = 1.0, 0.8, 0.6


class Sigmoid:
    def predict_proba(self, X):
        s = 1 / (1 + np.exp(-X["a"].to_numpy()))
        return np.c_[1 - s, s]


class LowerFraud:
    name = "lower_fraud"

    def apply(self, X, y, severity, random_state=None):
        X = X.copy()
        X.loc[np.asarray(y) == 1, "a"] -= severity
        return X, y


def _clustered(seed, n_events=60, n_neg=400):
    rng = np.random.default_rng(seed)
    sizes = rng.geometric(1 / 8, n_events)
    g = np.repeat(np.arange(n_events), sizes)
    a_pos = MU + rng.normal(0, TAU, n_events)[g] + rng.normal(0, SIG, len(g))
    X = pd.DataFrame({"a": np.r_[a_pos, rng.normal(-2, 1, n_neg)]})
    y = np.r_[np.ones(len(g), int), np.zeros(n_neg, int)]
    return X, y, np.r_[g, n_events + np.arange(n_neg)]


def _coverage(n_seeds, use_groups):
    sd = np.hypot(TAU, SIG)
    truth = MU - sd * norm.ppf(0.8 * norm.cdf(MU / sd))
    hits, inside = [], []
    for seed in range(n_seeds):
        X, y, groups = _clustered(seed)
        rep = StressHarness(
            Sigmoid(), [LowerFraud()], score_threshold=0.5, severities=np.linspace(0, 1.5, 7),
            n_boot=200, random_state=seed, progress=False,
        ).run(X, y, groups=groups if use_groups else None)  # fmt: skip
        bp = rep.breaking_points.iloc[0]
        hits.append(bp["ci_low"] <= truth <= bp["ci_high"])
        inside.append(bp["ci_low"] <= bp["breaking_severity"] <= bp["ci_high"])
    return np.mean(hits), all(inside)


@pytest.mark.slow
def test_group_bootstrap_covers_the_analytic_breaking_point():
    covered, inside = _coverage(100, use_groups=True)
    assert inside
    assert covered >= 0.90, covered
    # a row bootstrap ignores that an event's rows move together: far too narrow
    covered_rows, _ = _coverage(100, use_groups=False)
    assert covered_rows < covered - 0.1, (covered_rows, covered)
