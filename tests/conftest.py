"""Shared test data and toy models, imported by several test modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CATEGORIES = [
    "grocery",
    "fuel",
    "restaurant",
    "electronics",
    "travel",
    "gift_cards",
    "online_retail",
]


class ScoreIsA:
    """A transparent model: the score is column ``a`` clipped to [0, 1]."""

    def predict_proba(self, X):
        s = np.clip(X["a"].to_numpy(dtype=float), 0, 1)
        return np.c_[1 - s, s]


class CutA:
    """Positives' ``a`` drops by 0.25 per unit severity."""

    name = "cut_a"

    def apply(self, X, y, severity, random_state=None):
        X = X.copy()
        pos = np.asarray(y) == 1
        X.loc[pos, "a"] = X.loc[pos, "a"] - 0.25 * severity
        return X, y


def known_breaking_data(seed: int = 0, n_pos: int = 3000, n_neg: int = 20000):
    rng = np.random.default_rng(seed)
    a = np.r_[rng.uniform(0.5, 1.5, n_pos), rng.uniform(0.0, 0.5, n_neg)]
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    return pd.DataFrame({"a": a}), pd.Series(y, name="y")


def small_trainer(n_estimators: int = 30, seed: int = 0, threshold: str = "alert_rate=0.02"):
    """A fast Trainer for the hardening tests: a small XGBoost, 3 folds, no progress bar."""
    from xgboost import XGBClassifier

    from edgecase.train import Trainer

    est = XGBClassifier(n_estimators=n_estimators, max_depth=3, n_jobs=1, enable_categorical=True)
    return Trainer(estimator=est, cv=3, threshold=threshold, random_state=seed, progress=False)


def fraud_frame(n: int = 4000, fraud_rate: float = 0.05, seed: int = 2024):
    """A small transaction table with the simulator's feature columns and dtypes.

    Fraud differs from legit the way card fraud does: larger amounts relative to
    the account's median, night hours, bursts, new devices/countries, far from home,
    electronics and gift cards; about a third is account takeover (old account, new device).
    """
    rng = np.random.default_rng(seed)
    y = rng.random(n) < fraud_rate
    nf = int(y.sum())
    median = rng.lognormal(3.3, 0.8, n)
    ratio = np.where(y, rng.lognormal(1.0, 0.7, n), rng.lognormal(0.0, 0.45, n))
    amount = np.maximum(np.round(median * ratio, 2), 0.01)
    legit_cat = np.array([0.30, 0.18, 0.2, 0.06, 0.06, 0.04, 0.16])
    fraud_cat = np.array([0.05, 0.05, 0.05, 0.3, 0.1, 0.3, 0.15])
    cat = np.where(y, rng.choice(7, n, p=fraud_cat), rng.choice(7, n, p=legit_cat))
    chan = np.where(y, rng.choice(3, n, p=[0.25, 0.65, 0.1]), rng.choice(3, n, p=[0.6, 0.35, 0.05]))
    legit_hours = np.bincount(
        np.clip(np.round(rng.normal(14, 4, 10000)), 0, 23).astype(int), minlength=24
    )
    fraud_hours = np.bincount(np.round(rng.normal(2, 3, 10000)).astype(int) % 24, minlength=24)
    hour = np.where(
        y,
        rng.choice(24, n, p=fraud_hours / fraud_hours.sum()),
        rng.choice(24, n, p=legit_hours / legit_hours.sum()),
    )
    c24 = np.where(y, rng.poisson(6, n), rng.poisson(1.5, n))
    c1 = rng.binomial(c24, np.where(y, 0.6, 0.15))
    ato = y & (rng.random(n) < 0.35)
    age = np.where(ato, rng.integers(200, 3000, n), rng.integers(0, 3000, n))
    new_device = np.where(ato, True, rng.random(n) < np.where(y, 0.3, 0.03))
    X = pd.DataFrame(
        {
            "amount": amount,
            "merchant_category": pd.Categorical.from_codes(cat, categories=CATEGORIES),
            "channel": pd.Categorical.from_codes(
                chan, categories=["card_present", "online", "atm"]
            ),
            "country": pd.Categorical.from_codes(
                np.where(rng.random(n) < np.where(y, 0.4, 0.05), rng.integers(1, 4, n), 0),
                categories=["US", "GB", "NG", "RO"],
            ),
            "account_age_days": age.astype(np.int64),
            "hour": hour.astype(np.int64),
            "txn_count_1h": c1.astype(np.int64),
            "txn_count_24h": c24.astype(np.int64),
            "amount_to_median": amount / median,
            "is_new_device": new_device.astype(bool),
            "is_new_country": rng.random(n) < np.where(y, 0.35, 0.02),
            "is_new_merchant": rng.random(n) < np.where(y, 0.7, 0.2),
            "distance_from_home_km": np.where(y, rng.lognormal(5, 1.5, n), rng.lognormal(2, 1, n)),
        }
    )
    assert nf > 0
    return X, pd.Series(y.astype(np.int8), name="is_fraud")


@pytest.fixture(scope="session")
def quick_demo(tmp_path_factory):
    """One run of the installed ``edgecase demo --quick`` shared by every test that reads
    its output (the tests that use it share an xdist group, so it runs once)."""
    exe = Path(sys.executable).parent / "edgecase"
    out = tmp_path_factory.mktemp("demo") / "report"
    proc = subprocess.run(
        [str(exe), "demo", "--quick", "--no-progress", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return proc, out
