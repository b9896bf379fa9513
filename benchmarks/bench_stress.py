"""Stress harness sweep: 6 fraud scenarios x 13 severities x 200 bootstrap draws, 100k test rows.

Target (issue 6): <= 30 s on 2 cores. The data is a synthetic card-transaction table
with the simulator's feature columns (the same construction as the tests' fixture)
until ``edgecase.fraud.simulate_transactions`` is merged; the model is XGBoost.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
from xgboost import XGBClassifier

from benchmarks._results import peak_rss_mb, record
from edgecase.stress import StressHarness, fraud_scenarios

CATEGORIES = [
    "grocery",
    "fuel",
    "restaurant",
    "electronics",
    "travel",
    "gift_cards",
    "online_retail",
]


def transactions(n: int, seed: int, fraud_rate: float = 0.01) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < fraud_rate
    median = rng.lognormal(3.3, 0.8, n)
    ratio = np.where(y, rng.lognormal(1.0, 0.7, n), rng.lognormal(0.0, 0.45, n))
    amount = np.maximum(np.round(median * ratio, 2), 0.01)
    cat = np.where(
        y,
        rng.choice(7, n, p=[0.05, 0.05, 0.05, 0.3, 0.1, 0.3, 0.15]),
        rng.choice(7, n, p=[0.30, 0.18, 0.2, 0.06, 0.06, 0.04, 0.16]),
    )
    chan = np.where(y, rng.choice(3, n, p=[0.25, 0.65, 0.1]), rng.choice(3, n, p=[0.6, 0.35, 0.05]))
    hour = np.where(
        y,
        np.round(rng.normal(2, 3, n)).astype(int) % 24,
        np.clip(np.round(rng.normal(14, 4, n)), 0, 23),
    )
    c24 = np.where(y, rng.poisson(6, n), rng.poisson(1.5, n))
    c1 = rng.binomial(c24, np.where(y, 0.6, 0.15))
    ato = y & (rng.random(n) < 0.35)
    age = np.where(ato, rng.integers(200, 3000, n), rng.integers(0, 3000, n))
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
            "is_new_device": ato | (rng.random(n) < np.where(y, 0.3, 0.03)),
            "is_new_country": rng.random(n) < np.where(y, 0.35, 0.02),
            "is_new_merchant": rng.random(n) < np.where(y, 0.7, 0.2),
            "distance_from_home_km": np.where(y, rng.lognormal(5, 1.5, n), rng.lognormal(2, 1, n)),
        }
    )
    return X, pd.Series(y.astype(np.int8), name="is_fraud")


def markdown(df: pd.DataFrame) -> str:
    """A markdown table without the optional tabulate dependency."""

    def cell(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * df.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main() -> None:
    X_train, y_train = transactions(100_000, seed=1)
    X_test, y_test = transactions(100_000, seed=2)
    model = XGBClassifier(
        n_estimators=200, max_depth=5, enable_categorical=True, tree_method="hist", n_jobs=2
    ).fit(X_train, y_train)
    rows = []
    for metric in ("recall", "pr_auc", "brier"):
        harness = StressHarness(
            model,
            fraud_scenarios(),
            metric=metric,
            alert_rate=0.01,
            n_boot=200,
            random_state=0,
            progress=False,
        )
        t0 = time.perf_counter()
        report = harness.run(X_test, y_test)
        elapsed = time.perf_counter() - t0
        print(f"{metric}: {elapsed:.1f} s")
        rows.append((metric, elapsed, report))
    recall = rows[0][2]
    bp = recall.breaking_points[["scenario", "breaking_severity", "ci_low", "ci_high", "reason"]]
    body = (
        "6 fraud scenarios x 13 severities (0..3) x 200 stratified bootstrap draws on a 100,000-row "
        "test set (1% fraud, synthetic transactions with the simulator's feature columns), "
        "XGBoost (200 trees, depth 5, n_jobs=2), alert budget 1%. Target: <= 30 s.\n\n"
        "| metric | wall time (s) | target |\n|---|---|---|\n"
        + "".join(f"| {m} | {t:.1f} | {'met' if t <= 30 else 'MISSED'} |\n" for m, t, _ in rows)
        + f"\nPeak RSS: {peak_rss_mb():.0f} MB. Machine shared with other helpers' jobs while measured (load average {os.getloadavg()[0]:.1f} on 2 cores).\n\n"
        "Breaking points (recall, breaking threshold = 80% of baseline "
        f"{recall.baseline:.3f}):\n\n" + markdown(bp)
    )
    record("stress", "Stress harness sweep", "python -m benchmarks.bench_stress", body)


if __name__ == "__main__":
    main()
