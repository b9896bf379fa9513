"""The ceiling measured on a sample of a large population's negatives.

Known truths: weights of 1 give the unweighted metric and integer weights the metric of
the rows repeated; on real simulator data (a time split, an XGBoost model, stressed
populations of 60,000 rows) the sampled ceiling agrees with the ceiling measured on every
row within a fraction of the test set's own sampling noise (a bootstrap over accounts).
"""

from __future__ import annotations

import numpy as np
import pytest

from edgecase.fraud import simulate_transactions, split_features
from edgecase.stress import _bootstrap, _ceiling, fraud_scenarios
from edgecase.stress._metrics import BUILTIN
from edgecase.stress._side import point
from edgecase.train.thresholds import alert_threshold

METRICS = ("recall", "pr_auc", "brier")


def test_weighted_alert_threshold_equals_the_repeated_rows():
    rng = np.random.default_rng(0)
    s = np.round(rng.random(3000), 3)  # ties, as scores have
    w = rng.integers(1, 6, size=len(s))
    for rate in (0.01, 0.05, 0.3):
        assert alert_threshold(s, rate, weights=w) == alert_threshold(np.repeat(s, w), rate)
    assert alert_threshold(s, 0.05, weights=np.ones(len(s))) == alert_threshold(s, 0.05)


@pytest.mark.parametrize("name", ["recall", "precision", "fpr", "pr_auc", "brier", "ece"])
def test_weighted_value_is_the_metric_of_the_repeated_rows(name):
    rng = np.random.default_rng(1)
    y = (rng.random(4000) < 0.05).astype(np.int8)
    s = np.clip(0.3 * y + rng.random(4000) * 0.7, 0, 1)
    w = np.where(y == 1, 1, rng.integers(1, 5, size=len(y)))
    side = {"codes": None, "amount": None}
    metric = BUILTIN[name]
    got = _ceiling.weighted_value(metric, y, s, w, 0.05, side, point)
    y_r, s_r = np.repeat(y, w), np.repeat(s, w)
    thr = alert_threshold(s_r, 0.05) if metric.uses_threshold else 0.5
    assert got == pytest.approx(point(metric, y_r, s_r, thr, side), rel=1e-6, abs=1e-12)


@pytest.fixture(scope="module")
def population():
    df = simulate_transactions(100_000, fraud_rate=0.01, random_state=3, progress=False)
    from xgboost import XGBClassifier

    X_tr, y_tr = split_features(df.iloc[:40_000])
    X, y = split_features(df.iloc[40_000:])
    model = XGBClassifier(n_estimators=60, max_depth=4, enable_categorical=True, n_jobs=1)
    prior = model.fit(X_tr, y_tr).predict_proba(X)[:, 1]
    codes = _bootstrap.group_codes(df["account_id"].iloc[40_000:], len(X))
    return X, y.to_numpy(), prior, codes


@pytest.mark.slow
def test_sampled_ceiling_agrees_with_every_row_within_sampling_noise(population):
    X, y, prior, codes = population
    assert (y == 0).sum() >= _ceiling.EVAL_MIN_NEG
    side = {"codes": codes, "amount": None}
    scenarios = {sc.name: sc for sc in fraud_scenarios()}
    for name, s in [("amount_evasion", 0.0), ("legit_drift", 2.0), ("account_takeover_mix", 2.0)]:
        X_s, y_s = scenarios[name].apply(X, y, s, 0)
        y_s = np.asarray(y_s)
        full = _ceiling.cross_fit_scores("default", X_s, y_s, codes, np.random.SeedSequence(5))
        boot = _bootstrap.Draws(y_s, codes, 200, np.random.SeedSequence(7))
        rows0, _ = _ceiling.eval_sample(y_s, prior, np.random.SeedSequence(0))
        # the folds and fits do not depend on which rows are scored
        seed = np.random.SeedSequence(5)
        again = _ceiling.cross_fit_scores("default", X_s, y_s, codes, seed, rows0)
        np.testing.assert_array_equal(again, full[rows0])
        assert len(rows0) < 0.3 * len(y_s)
        for m in METRICS:
            metric = BUILTIN[m]
            thr = alert_threshold(full, 0.01) if metric.uses_threshold else 0.5
            exact = point(metric, y_s, full, thr, side)
            noise = _bootstrap.weighted_draws(metric, y_s, full, thr, boot, side)[:, 0].std()
            est = []
            for k in range(20):
                rows, w = _ceiling.eval_sample(y_s, prior, np.random.SeedSequence(100 + k))
                sub = _ceiling._restrict(side, rows)
                est.append(
                    _ceiling.weighted_value(metric, y_s[rows], full[rows], w, 0.01, sub, point)
                )
            est = np.array(est)
            # the sample adds little noise to the test set's own, and no visible bias
            assert est.std() < 0.6 * noise, (name, s, m, est.std(), noise)
            assert abs(est.mean() - exact) < 0.35 * noise, (name, s, m, est.mean(), exact, noise)
