"""Do FraudScenarioGenerator's rows keep the data's identities, and how far are they from real fraud?

1. page-blocks0 (30% held out, stratified, seed 0): share of generated rows with
   ``Area = Height x Length`` and the detection AUC (random forest, 3-fold) of the
   generated rows against the held-out real positives, at severities 0 and 1.
2. Simulator (30k rows, 3% fraud, seed 5, severity 0 for fitting): share of generated
   rows whose ``amount / amount_to_median`` equals its base row's account median, and
   the detection AUC against a fresh population's (seed 7) severity-0 fraud and a
   fresh population's (seed 6) real severity-1 fraud.

Run: ``.venv/bin/python -m benchmarks.bench_generator_realism`` (about a minute).
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
from sklearn.model_selection import train_test_split

from benchmarks._results import record
from edgecase.datasets import load_keel
from edgecase.fraud import FraudScenarioGenerator, simulate_transactions, split_features


def _sim(seed: int, severity: float):
    X, y = split_features(
        simulate_transactions(
            30_000, fraud_rate=0.03, severity=severity, random_state=seed, progress=False
        )
    )
    return X, y.to_numpy()


def main() -> None:
    warnings.filterwarnings("ignore")
    t0, load = time.perf_counter(), os.getloadavg()[0]
    lines = [
        "| table | severity | identity share | AUC vs held-out real fraud | AUC vs real severity-1 fraud |",
        "|---|---|---|---|---|",
    ]
    X, y = load_keel("page-blocks0")
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    gen = FraudScenarioGenerator().fit(Xa, ya)
    for sev in (0.0, 1.0):
        new = gen.generate(2_000, severity=sev, random_state=0)
        ident = np.isclose(new["Height"] * new["Lenght"], new["Area"]).mean()
        auc = gen.detection_auc(Xb[yb.to_numpy() == 1], severity=sev, random_state=0)
        lines.append(f"| page-blocks0 (Area = H x L) | {sev} | {ident:.4f} | {auc:.3f} | |")
    Xs, ys = _sim(5, 0.0)
    X0, y0 = _sim(7, 0.0)
    X1, y1 = _sim(6, 1.0)
    gen = FraudScenarioGenerator().fit(Xs, ys)
    for sev in (0.0, 1.0):
        new = gen.generate(2_000, severity=sev, random_state=0)
        base = Xs.iloc[gen.parents_[:, 0]].reset_index(drop=True)
        ident = np.isclose(
            new["amount"] / new["amount_to_median"], base["amount"] / base["amount_to_median"]
        ).mean()
        a0 = gen.detection_auc(X0[y0 == 1], severity=sev, random_state=0)
        a1 = gen.detection_auc(X1[y1 == 1], severity=sev, random_state=0)
        lines.append(
            f"| simulator (amount_to_median keeps the median) | {sev} | {ident:.4f} | {a0:.3f} | {a1:.3f} |"
        )
    lines += [
        "",
        f"Wall {time.perf_counter() - t0:.0f} s, load average (1 min) {load:.1f} at start "
        "(shared 2-core machine). AUC 0.5: indistinguishable, 1.0: always told apart.",
    ]
    record(
        "generator_realism",
        "Generator realism: identities and detection AUC",
        ".venv/bin/python -m benchmarks.bench_generator_realism",
        "\n".join(lines),
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
