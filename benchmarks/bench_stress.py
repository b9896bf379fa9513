"""Stress harness sweep: 6 fraud scenarios x 13 severities x 200 bootstrap draws, 100k test rows.

Targets on 2 cores: <= 5 s with the whole-curve bootstrap resampling whole accounts
(``groups=``, common random numbers: the same resampled accounts at every severity);
the detectability ceiling (``ceiling=True``: a reference cross-fitted on each of the 78
stressed populations) may at most double that (judged against the run's own sweep, and
against twice the 5 s target). The data is the embedded simulator
(``edgecase.fraud.simulate_transactions``, 200k rows at 1% fraud, split by time into
100k training and 100k test rows); the model is XGBoost. Each configuration runs 3
times, the sides alternating (ceiling off, on, off, on, ...), and the best is kept.
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd
from xgboost import XGBClassifier

from benchmarks._results import peak_rss_mb, record
from edgecase.fraud import simulate_transactions, split_features
from edgecase.stress import StressHarness, fraud_scenarios

METRICS = ("recall", "pr_auc", "brier")
REPEATS = 3


def transactions() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series, pd.Series]:
    """200k simulated transactions at 1% fraud, the first half in time for training; the
    test half's account ids."""
    df = simulate_transactions(200_000, fraud_rate=0.01, random_state=0, progress=False)
    half = len(df) // 2
    test = df.iloc[half:]
    return (*split_features(df.iloc[:half]), *split_features(test), test["account_id"])


def markdown(df: pd.DataFrame) -> str:
    """A markdown table without the optional tabulate dependency."""

    def cell(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * df.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def verdict(cpu_ok: bool, wall_ok: bool) -> str:
    """A target judged on CPU time and on wall time (which the shared machine's load inflates)."""
    return "/".join("met" if ok else "MISSED" for ok in (cpu_ok, wall_ok))


def timed(model, metric, ceiling, X, y, groups):
    harness = StressHarness(
        model, fraud_scenarios(), metric=metric, alert_rate=0.01, n_boot=200, random_state=0,
        progress=False, ceiling=ceiling,
    )  # fmt: skip
    t0, c0 = time.perf_counter(), time.process_time()
    report = harness.run(X, y, groups=groups)
    return time.perf_counter() - t0, time.process_time() - c0, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", nargs="+", default=list(METRICS), choices=METRICS)
    metrics = parser.parse_args().metrics
    X_train, y_train, X_test, y_test, accounts = transactions()
    model = XGBClassifier(
        n_estimators=200, max_depth=5, enable_categorical=True, tree_method="hist", n_jobs=2
    ).fit(X_train, y_train)
    best: dict[tuple[str, bool], tuple[float, float]] = {}
    reports, loads = {}, []
    for metric in metrics:
        for rep in range(REPEATS):
            # alternate which side runs first, so a load spike does not favour one side
            for ceiling in (False, True) if rep % 2 == 0 else (True, False):
                loads.append(os.getloadavg()[0])
                wall, cpu, report = timed(model, metric, ceiling, X_test, y_test, accounts)
                print(f"{metric} ceiling={ceiling}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
                key = (metric, ceiling)
                # best of 3 of each measure on its own: the load moves wall and CPU apart
                old = best.get(key, (float("inf"), float("inf")))
                best[key] = (min(old[0], wall), min(old[1], cpu))
                reports[key] = report
    rows = ""
    for m in metrics:
        (w0, c0), (w1, c1) = best[(m, False)], best[(m, True)]
        rows += (
            f"| {m} | {w0:.1f} | {c0:.1f} | {verdict(c0 <= 5, w0 <= 5)} | {w1:.1f} | {c1:.1f} "
            f"| {c1 / c0:.1f}x | {w1 / w0:.1f}x | {verdict(c1 <= 2 * c0, w1 <= 2 * w0)} "
            f"| {verdict(c1 <= 10, w1 <= 10)} |\n"
        )
    recall = reports[("recall", True)]
    cols = ["scenario", "breaking_severity", "ci_low", "ci_high", "earliest_plausible_severity"]
    bp = recall.breaking_points[[*cols, "status", "ceiling", "reason"]]
    ceil = recall.curves.pivot(index="scenario", columns="severity", values="ceiling")
    ceil = ceil.loc[list(dict.fromkeys(recall.curves["scenario"]))].iloc[:, ::4]
    body = (
        "6 fraud scenarios x 13 severities (0..3) x 200 whole-curve bootstrap draws resampling "
        "whole accounts (`groups=`; the same resampled accounts at every severity) on a "
        "100,000-row test set (the embedded simulator at 1% fraud, split by time), XGBoost "
        "(200 trees, depth 5, n_jobs=2), alert budget 1%. Best of 3 runs, alternating ceiling "
        "off and on (the best wall and the best CPU time of the three, each on its own). "
        "Targets: <= 5 s; the ceiling (`ceiling=True`, 2 x 73 reference fits: the severity-0 "
        "population is fitted once for all six scenarios; each population is measured on "
        "every positive, the negatives in the top 5% of the model's unstressed scores and a "
        "weighted random 20% of the other negatives) at most doubles it. Each target is "
        "judged on CPU time (user + sys, all threads) / on wall time. The last column reads "
        "the ceiling's target the other way the issue's words allow, against twice the 5 s "
        "target rather than twice the run's own sweep (the two differ most for recall, whose "
        "sweep is the cheapest).\n\n"
        "| metric | wall (s) | CPU (s) | <= 5 s (CPU/wall) | with ceiling: wall (s) | CPU (s) "
        "| ratio CPU | ratio wall | <= 2x (CPU/wall) | <= 10 s (CPU/wall) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        + rows
        + f"\nPeak RSS: {peak_rss_mb():.0f} MB. Load average (1 min) when each run started: "
        f"{min(loads):.1f} to {max(loads):.1f} on 2 cores (shared with other jobs: above a load "
        "of 2, wall times are inflated by waiting and CPU times are the figure to read)."
        "\n\n"
        "Breaking points (recall, breaking threshold = 80% of baseline "
        f"{recall.baseline:.3f}):\n\n"
        + markdown(bp)
        + "\nCeiling (recall of the reference cross-fitted on each stressed population, at the "
        "same 1% budget), every 4th severity:\n\n"
        + markdown(
            ceil.reset_index().rename(columns=lambda c: f"{c:g}" if isinstance(c, float) else c)
        )
    )
    command = "python -m benchmarks.bench_stress" + (
        "" if metrics == list(METRICS) else " --metrics " + " ".join(metrics)
    )
    record("stress", "Stress harness sweep", command, body)


if __name__ == "__main__":
    main()
