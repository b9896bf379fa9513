"""The ceiling's reference: what its size costs and how far it moves the ceiling.

The stress ceiling cross-fits a reference model on every stressed population. Its
default is a small XGBoost (40 trees, depth 4, learning rate 0.3). A smaller reference
would make the ceiling cheaper; a larger one is closer to what is achievable. This
benchmark fits references of four sizes on the same populations and compares each
ceiling with the largest one's, in units of the test set's sampling noise (the
half-width of the model's own 95% bootstrap interval at the same point, which the
ceiling's noise is of the order of).

Populations: the stress benchmark's 6 fraud scenarios x 13 severities on the embedded
simulator (100k test rows), and Gaussian noise on every numeric column (``Perturb``,
positives and negatives, 7 severities) on three KEEL sets (split in halves, stratified).
Metrics: recall at a 1% alert budget (simulator; 5% on KEEL, whose sets are small)
and PR-AUC. Each reference size runs through the default reference's own fitting path
(two folds, one thread each), so the costs compare like with like; the cost is the CPU
of a run with the ceiling minus the same run without it, best of 3, sides alternating.
"""

from __future__ import annotations

import os
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from xgboost import XGBClassifier

from benchmarks._results import record
from benchmarks.bench_stress import markdown, transactions
from edgecase.datasets import load_keel
from edgecase.stress import Perturb, PrecisionWarning, StressHarness, _ceiling, fraud_scenarios

#: (name, trees, depth, learning rate): the default, two cheaper and one larger reference.
SIZES = [
    ("10 trees, depth 4", 10, 4, 0.6),
    ("20 trees, depth 4", 20, 4, 0.45),
    ("40 trees, depth 4 (default)", 40, 4, 0.3),
    ("200 trees, depth 6", 200, 6, 0.1),
]
KEEL_SETS = ("page-blocks0", "ada", "segment0")
REPEATS = 3


@contextmanager
def reference_size(trees: int, depth: int, rate: float):
    """The default reference's fitting path with another size (restored on exit)."""
    original = _ceiling.default_reference

    def sized(random_state: int = 0) -> XGBClassifier:
        est = original(random_state)
        return est.set_params(n_estimators=trees, max_depth=depth, learning_rate=rate)

    _ceiling.default_reference = sized
    try:
        yield
    finally:
        _ceiling.default_reference = original


def run(model, scenarios, X, y, groups, metric, ceiling, severities, alert_rate):
    harness = StressHarness(
        model, scenarios, metric=metric, severities=severities, alert_rate=alert_rate,
        n_boot=200, random_state=0, progress=False, ceiling=ceiling,
    )  # fmt: skip
    c0 = time.process_time()
    report = harness.run(X, y, groups=groups)
    return time.process_time() - c0, report.curves


def populations():
    """(label, model, scenarios, X_test, y_test, groups, severities, alert rate)."""
    X_tr, y_tr, X_te, y_te, accounts = transactions()
    model = XGBClassifier(
        n_estimators=200, max_depth=5, enable_categorical=True, tree_method="hist", n_jobs=2
    ).fit(X_tr, y_tr)
    yield "simulator", model, fraud_scenarios(), X_te, y_te, accounts, np.linspace(0, 3, 13), 0.01
    for name in KEEL_SETS:
        X, y = load_keel(name)
        rng = np.random.default_rng(0)
        test = np.zeros(len(y), dtype=bool)
        for label in (0, 1):
            idx = np.flatnonzero(y.to_numpy() == label)
            test[rng.choice(idx, len(idx) // 2, replace=False)] = True
        model = XGBClassifier(n_estimators=200, max_depth=4, n_jobs=2, random_state=0)
        model.fit(X[~test], y[~test])
        sev = np.linspace(0, 3, 7)
        yield name, model, [Perturb(noise=0.5)], X[test], y[test], None, sev, 0.05


def study(metric: str) -> tuple[pd.DataFrame, list[float]]:
    rows, loads = [], []
    for label, model, scenarios, X, y, groups, sev, rate in populations():
        args = (model, scenarios, X, y, groups, metric)
        ceilings, costs = {}, {}
        for name, trees, depth, lr in SIZES:
            best_off, best_on = np.inf, np.inf
            for rep in range(REPEATS):
                loads.append(os.getloadavg()[0])
                for on in (False, True) if rep % 2 == 0 else (True, False):
                    with reference_size(trees, depth, lr):
                        cpu, curves = run(*args, on, sev, rate)
                    if on:
                        best_on, ceilings[name] = min(best_on, cpu), curves
                    else:
                        best_off = min(best_off, cpu)
            costs[name] = best_on - best_off
        largest = ceilings[SIZES[-1][0]]
        noise = (largest["ci_high"] - largest["ci_low"]) / 2
        for name, *_ in SIZES:
            diff = ceilings[name]["ceiling"] - largest["ceiling"]
            rows.append({
                "populations": f"{label} ({len(diff)})", "reference": name,
                "ceiling CPU (s)": round(costs[name], 2),
                "mean diff": round(float(diff.mean()), 3),
                "max abs diff": round(float(diff.abs().max()), 3),
                "mean abs diff / noise": round(float((diff.abs() / noise).mean()), 2),
                "share abs diff > noise": round(float((diff.abs() > noise).mean()), 2),
            })  # fmt: skip
            print(rows[-1], flush=True)
    return pd.DataFrame(rows), loads


def main() -> None:
    # the KEEL halves hold 100-500 positives: the harness warns that their intervals are
    # wide, which is the noise this study measures the ceilings against
    warnings.filterwarnings("ignore", category=PrecisionWarning)
    t0 = time.time()
    parts, loads = [], []
    for metric in ("recall", "pr_auc"):
        table, load = study(metric)
        loads += load
        parts.append(f"**{metric}**\n\n" + markdown(table))
    body = (
        __doc__.split("\n\n", 1)[1].strip()
        + "\n\n"
        + "\n".join(parts)
        + f"\nDiff: the ceiling minus the 200-tree reference's, per population (scenario x "
        f"severity); noise: half the width of the model's 95% interval there. Load average "
        f"(1 min) at each repeat: {min(loads):.1f} to {max(loads):.1f} on 2 shared cores; "
        f"{(time.time() - t0) / 60:.0f} minutes in all."
    )
    record("stress_reference", "Stress ceiling: the reference's size, cost and effect",
           "python -m benchmarks.bench_stress_reference", body)  # fmt: skip


if __name__ == "__main__":
    main()
