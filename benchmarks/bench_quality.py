"""Whole quality report on 100k real and 100k synthetic rows x 30 columns (target: <= 30 s, 2 cores).

The "real" table is drawn here from a fixed-seed mixed-type model (22 numeric
columns with correlated, skewed and integer-valued ones, 6 categorical
columns with 3..40 levels, one bool column and a 1% binary target), because
no shipped data set has 100k rows x 30 columns; the synthetic table is a
second draw from a slightly distorted version of that model plus 2% copied
real rows, so every part of the report has work to do. Timings are what
matters here, not the scores.

Run: ``.venv/bin/python -m benchmarks.bench_quality``
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from benchmarks._results import peak_rss_mb, record
from edgecase.quality import evaluate

N = 100_000
N_NUMERIC = 22
CAT_LEVELS = (3, 5, 8, 12, 20, 40)


def make_table(n: int, seed: int, distort: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = N_NUMERIC
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(k), np.arange(k)))
    z = rng.multivariate_normal(np.zeros(k), cov, size=n) * (1 + distort)
    cols: dict[str, object] = {}
    for j in range(k):
        if j % 4 == 0:
            cols[f"amount{j}"] = np.round(np.exp(1 + z[:, j]), 2)  # skewed, positive
        elif j % 4 == 1:
            cols[f"count{j}"] = np.floor(np.exp(z[:, j])).astype(np.int64)  # integer >= 0
        else:
            cols[f"x{j}"] = z[:, j]
    for j, lv in enumerate(CAT_LEVELS):
        p = rng.dirichlet(np.ones(lv) * (1 + 5 * distort))
        cols[f"cat{j}"] = pd.Categorical(
            rng.choice([f"l{i}" for i in range(lv)], size=n, p=p),
            categories=[f"l{i}" for i in range(lv)],
        )
    cols["flag"] = z[:, 0] + rng.normal(size=n) > 1
    logit = -5.5 + 1.2 * z[:, 0] - 0.8 * z[:, 3] + 0.6 * (cols["cat0"] == "l1")
    cols["is_rare"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return pd.DataFrame(cols)


def main() -> None:
    real = make_table(N, 0)
    synth = make_table(N, 1, distort=0.1)
    copies = real.sample(n=N // 50, random_state=2)
    synth = pd.concat([copies, synth.iloc[len(copies) :]], ignore_index=True)
    assert real.shape == (N, 30) and synth.shape == (N, 30)
    t0, c0 = time.perf_counter(), time.process_time()
    rep = evaluate(real, synth, target="is_rare", random_state=0, progress=False)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = rep.summary().set_index(["area", "metric"])["value"]
    print(f"evaluate: {total:.1f} s", rep.meta["seconds"], flush=True)
    parts = ", ".join(f"{k} {v:.1f}" for k, v in rep.meta["seconds"].items())
    load = os.getloadavg()[0]
    body = f"""
| rows real x synthetic x columns | wall seconds | CPU seconds (all threads) | wall seconds per part | peak RSS (MB) |
|---|---|---|---|---|
| {N:,} x {N:,} x 30 | **{total:.1f}** (target <= 30) | {cpu:.1f} | {parts} | {peak_rss_mb():.0f} |

Defaults: `evaluate(real, synthetic, target="is_rare", random_state=0)`, i.e. `max_rows=20_000`
(detection: 10,000 real + 10,000 synthetic rows, 3-fold; utility: 20,000-row stratified
training samples), `n_queries=2_000` (nearest-neighbour query rows per search, each against the
full 75,000-row reference or the full 100,000-row synthetic table). Fidelity, tails,
associations, exact copies and constraints use all rows. XGBoost `n_jobs=1` per model.

Sanity of the scores on this load: exact-copy share {s["privacy", "exact copies of real rows (share)"]:.3f}
(2% planted), detection AUC {s["detection", "real-vs-synthetic AUC (all rows)"]:.3f}, column score
{s["fidelity", "column score (mean of 1-KS / 1-TV)"]:.3f}, membership AUC {s["privacy", "membership-inference AUC"]:.3f}.

Load average (1 min) at the end of the run: {load:.1f} on {os.cpu_count()} cores (the machine is
shared with other jobs; numbers are from one run).
"""
    print(body)
    record(
        "quality",
        "Quality report: 100k real + 100k synthetic rows x 30 columns",
        ".venv/bin/python -m benchmarks.bench_quality",
        body,
    )


if __name__ == "__main__":
    main()
