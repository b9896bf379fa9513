"""Interval coverage of typology breaking points against a large-sample truth.

For a typology, fraud rows are simulated at each severity (the same seed at every
severity, as the scenario does) and scored once by a model trained on the simulator.
The fraud events (victim accounts) are split: half give the large-sample truth, the
recall curve at a fixed score threshold and where it falls to 80% of its severity-0
value; the rest are dealt into 40 disjoint test sets of ~600 fraud rows (40-70 events), each
swept by the harness with the group bootstrap. The 95% interval must cover the truth in
at least 90% of the 40 runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xgboost import XGBClassifier

from edgecase.fraud import simulate_transactions, split_features
from edgecase.stress import StressHarness
from edgecase.stress._breaking import crossing

SEVERITIES = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.5])
N_RUNS = 40


class ScoreColumn:
    def predict_proba(self, X):
        s = X["score"].to_numpy()
        return np.c_[1 - s, s]


class Pool:
    """At severity s: the legit rows, then the fraud rows of run k's events."""

    own_baseline = True

    def __init__(self, pools, k, n_neg=200):
        self.pools, self.k, self.n_neg, self.name = pools, k, n_neg, "pool"

    def frame(self, s):
        scores, events, run = self.pools[s]
        keep = run == self.k
        X = pd.DataFrame({"score": np.r_[np.zeros(self.n_neg), scores[keep]]})
        X.attrs["edgecase_groups"] = np.r_[np.full(self.n_neg, None), events[keep]]
        y = np.r_[np.zeros(self.n_neg, int), np.ones(int(keep.sum()), int)]
        return X, y

    def apply(self, X, y, severity, random_state=None):
        return self.frame(float(severity))


@pytest.fixture(scope="module")
def model():
    X, y = split_features(
        simulate_transactions(20_000, fraud_rate=0.02, random_state=5, progress=False)
    )
    est = XGBClassifier(
        n_estimators=40, max_depth=3, enable_categorical=True, tree_method="hist", n_jobs=1
    )
    return est.fit(X, y)


def _pools(model, typology, seed=11):
    pools = {}
    for s in SEVERITIES:
        df = simulate_transactions(
            240_000, fraud_rate=0.2, typologies=typology, severity=float(s), random_state=seed,
            progress=False,
        )  # fmt: skip
        X, y = split_features(df)
        fraud = y.to_numpy() == 1
        scores = model.predict_proba(X[fraud])[:, 1]
        events = df.loc[fraud, "account_id"].to_numpy()
        uniq = np.unique(events)
        rng = np.random.default_rng(seed)
        # half the events for the truth (-1), the rest dealt into N_RUNS test sets
        deal = np.where(rng.random(len(uniq)) < 0.5, -1, rng.integers(0, N_RUNS, len(uniq)))
        pools[float(s)] = (scores, events.astype(object), deal[np.searchsorted(uniq, events)])
    return pools


@pytest.mark.slow
@pytest.mark.parametrize("typology", ["bust_out", "high_value_outlier"])
def test_typology_interval_covers_the_large_sample_truth(model, typology):
    pools = _pools(model, typology)
    s0, _, run0 = pools[0.0]
    thr = float(np.quantile(s0[run0 == -1], 0.4))  # recall ~0.6 at severity 0
    truth_curve = np.array([(pools[s][0][pools[s][2] == -1] >= thr).mean() for s in SEVERITIES])
    truth = float(crossing(SEVERITIES, truth_curve - 0.8 * truth_curve[0])[0])
    assert 0 < truth < SEVERITIES[-1], truth_curve
    hits = []
    for k in range(N_RUNS):
        sc = Pool(pools, k)
        X, y = sc.frame(0.0)
        rep = StressHarness(
            ScoreColumn(), [sc], score_threshold=thr, severities=SEVERITIES, n_boot=200,
            random_state=k, progress=False,
        ).run(X, y, groups=X.attrs["edgecase_groups"].astype(str))  # fmt: skip
        bp = rep.breaking_points.iloc[0]
        assert bp["ci_low"] <= bp["breaking_severity"] <= bp["ci_high"]
        hits.append(bp["ci_low"] <= truth <= bp["ci_high"])
    assert np.mean(hits) >= 0.9, (np.mean(hits), truth)
