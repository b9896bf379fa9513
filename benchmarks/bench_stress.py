"""Stress harness sweep: 6 fraud scenarios x 13 severities x 200 bootstrap draws, 100k test rows.

Target: <= 5 s on 2 cores with the whole-curve bootstrap (common random numbers; the
same resampled rows at every severity). The data is the embedded simulator
(``edgecase.fraud.simulate_transactions``, 200k rows at 1% fraud, split by time into
100k training and 100k test rows); the model is XGBoost.
"""

from __future__ import annotations

import os
import time

import pandas as pd
from xgboost import XGBClassifier

from benchmarks._results import peak_rss_mb, record
from edgecase.fraud import simulate_transactions, split_features
from edgecase.stress import StressHarness, fraud_scenarios


def transactions() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    """200k simulated transactions at 1% fraud, the first half in time for training."""
    df = simulate_transactions(200_000, fraud_rate=0.01, random_state=0, progress=False)
    half = len(df) // 2
    return (*split_features(df.iloc[:half]), *split_features(df.iloc[half:]))


def markdown(df: pd.DataFrame) -> str:
    """A markdown table without the optional tabulate dependency."""

    def cell(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * df.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main() -> None:
    X_train, y_train, X_test, y_test = transactions()
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
        t0, c0 = time.perf_counter(), time.process_time()
        report = harness.run(X_test, y_test)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{metric}: {elapsed:.1f} s wall, {cpu:.1f} s CPU")
        rows.append((metric, elapsed, cpu, report))
    recall = rows[0][3]
    cols = ["scenario", "breaking_severity", "ci_low", "ci_high", "earliest_plausible_severity"]
    bp = recall.breaking_points[[*cols, "reason"]]
    body = (
        "6 fraud scenarios x 13 severities (0..3) x 200 whole-curve bootstrap draws (the same "
        "resampled rows at every severity) on a 100,000-row "
        "test set (the embedded simulator at 1% fraud, split by time), "
        "XGBoost (200 trees, depth 5, n_jobs=2), alert budget 1%. Target: <= 5 s.\n\n"
        "| metric | wall time (s) | CPU time, all threads (s) | target |\n|---|---|---|---|\n"
        + "".join(
            f"| {m} | {t:.1f} | {c:.1f} | {'met' if t <= 5 else 'MISSED'} |\n"
            for m, t, c, _ in rows
        )
        + f"\nPeak RSS: {peak_rss_mb():.0f} MB. Machine shared with other helpers' jobs while measured (load average {os.getloadavg()[0]:.1f} on 2 cores).\n\n"
        "The simulator's fraud differs from legit on several signals at once (new device or "
        "country, velocity, amount ratio), so no single one of these six scenarios pushes recall "
        "20% down by severity 3; the typology scenarios, which make whole fraud patterns evasive, "
        "do break it (`make demo`).\n\n"
        "Breaking points (recall, breaking threshold = 80% of baseline "
        f"{recall.baseline:.3f}):\n\n" + markdown(bp)
    )
    record("stress", "Stress harness sweep", "python -m benchmarks.bench_stress", body)


if __name__ == "__main__":
    main()
