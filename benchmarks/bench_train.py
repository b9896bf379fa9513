"""Trainer benchmarks: the honest sampler comparison on real KEEL sets, and fit cost.

1. ``compare`` (default XGBoost estimator, 5 folds x 2 repeats) on KEEL sets:
   PR-AUC per sampler, paired difference against no resampling with its
   Nadeau-Bengio 95% interval, and whether it is within noise.
2. ``Trainer.fit`` wall time and peak memory on sylva (13,086 x 216).

Run: ``.venv/bin/python -m benchmarks.bench_train``
"""

from __future__ import annotations

import importlib
import os
import time
import warnings

from benchmarks._results import peak_rss_mb, record
from edgecase.datasets import load_keel
from edgecase.train import Trainer, compare

SETS = ["yeast4", "yeast6", "abalone19", "page-blocks0", "ecoli1"]
NUMERIC = ["none", "scale_pos_weight", "random", "smote", "borderline", "adasyn"]


def _samplers(X) -> list[str]:
    has_cat = any(str(t) == "category" for t in X.dtypes)
    names = ["none", "scale_pos_weight", "random", "smotenc"] if has_cat else list(NUMERIC)
    try:
        if hasattr(importlib.import_module("edgecase.fraud"), "EdgeCaseOversampler"):
            names.append("edgecase")
    except ImportError:
        pass
    return names


def main() -> None:
    load = os.getloadavg()[0]
    lines = [
        "PR-AUC mean (sd) over 5 folds x 2 repeats; `diff` = paired difference vs `none` "
        "with its 95% Nadeau-Bengio interval; `noise` = the interval covers 0.",
        "",
        "| data set | rows / positives | sampler | PR-AUC | diff vs none [95% CI] | noise | s/fit |",
        "|---|---|---|---|---|---|---|",
    ]
    summary = []
    t_all = time.perf_counter()
    for name in SETS:
        X, y = load_keel(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = compare(
                X, y, samplers=_samplers(X), cv=5, repeats=2, random_state=0, progress=False
            )
        beats = [s for s in res.index if s != "none" and not res.loc[s, "within_noise_vs_none"]]
        summary.append(
            f"{name}: best {res.index[0]}; beyond noise vs none: {', '.join(beats) or 'no sampler'}"
        )
        for s, row in res.iterrows():
            lines.append(
                f"| {name} | {len(y)} / {int(y.sum())} | {s} | {row.pr_auc_mean:.3f} "
                f"({row.pr_auc_sd:.3f}) | {row.diff_vs_none:+.3f} [{row.ci_low_vs_none:+.3f}, "
                f"{row.ci_high_vs_none:+.3f}] | {'yes' if row.within_noise_vs_none else 'NO'} "
                f"| {row.seconds_mean:.2f} |"
            )
    t_compare = time.perf_counter() - t_all

    X, y = load_keel("sylva")
    fit_lines = [
        "",
        f"Trainer.fit on sylva ({X.shape[0]:,} x {X.shape[1]}, {int(y.sum())} positive), "
        "default estimator, cv=5, threshold='alert_rate=0.01':",
        "",
        "| sampler | wall s | OOF PR-AUC | OOF alert rate |",
        "|---|---|---|---|",
    ]
    for s in ("none", "smote"):
        t0 = time.perf_counter()
        tr = Trainer(sampler=s, cv=5, threshold="alert_rate=0.01", random_state=0, progress=False)
        tr.fit(X, y)
        dt = time.perf_counter() - t0
        rep = tr.cv_report_["oof"]
        fit_lines.append(f"| {s} | {dt:.1f} | {rep['pr_auc']:.3f} | {rep['alert_rate']:.4f} |")
    body = "\n".join(
        [
            *lines,
            "",
            *[f"- {s}" for s in summary],
            f"- compare wall time for all sets: {t_compare:.0f} s",
            *fit_lines,
            "",
            f"Peak RSS {peak_rss_mb():.0f} MB. Load average at start {load:.1f} on this "
            "machine (shared with other jobs: times are upper bounds).",
        ]
    )
    record(
        "train",
        "Trainer: sampler comparison on KEEL and fit cost",
        ".venv/bin/python -m benchmarks.bench_train",
        body,
    )
    print(body)


if __name__ == "__main__":
    main()
