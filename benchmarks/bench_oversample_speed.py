"""Oversampling speed and memory: EdgeCaseOversampler vs imblearn SMOTE on 1,000,000 x 30 rows.

0.2% positives resampled to 1:1 (about 996,000 synthetic rows). Each sampler runs
in its own fresh process so peak RSS is its own; the data are generated in the
child from the same seed. Peak memory is reported as the increase of the
process's peak RSS over the RSS after the data were created.

Run: ``.venv/bin/python -m benchmarks.bench_oversample_speed``
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from benchmarks._results import peak_rss_mb, record

N, P, RATE = 1_000_000, 30, 0.002


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.zeros(N, dtype=np.int64)
    y[rng.choice(N, size=int(N * RATE), replace=False)] = 1
    X = rng.standard_normal((N, P))
    X[y == 1] += 0.8  # a shifted minority cloud, like a real signal
    return X, y


def _child(which: str) -> None:
    X, y = _data()
    base = peak_rss_mb()
    if which == "smote":
        from imblearn.over_sampling import SMOTE

        sampler = SMOTE(random_state=0)
    else:
        from edgecase.fraud import EdgeCaseOversampler

        sampler = EdgeCaseOversampler(random_state=0)
    t0, c0 = time.perf_counter(), time.process_time()
    Xr, yr = sampler.fit_resample(X, y)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mb": peak_rss_mb(),
        "peak_over_data_mb": peak_rss_mb() - base,
        "rows_out": int(Xr.shape[0]),
        "positives_out": int(yr.sum()),
    }
    print(json.dumps(out))


def _run(which: str) -> dict:
    res = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_oversample_speed", "--child", which],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
        return
    # SMOTE, ours, SMOTE, ours: the better of two runs each, so a load spike hits neither alone
    runs = [(w, _run(w)) for w in ("smote", "edgecase", "smote", "edgecase")]
    results = {
        w: min((r for name, r in runs if name == w), key=lambda r: r["wall_s"])
        for w in ("smote", "edgecase")
    }
    s, e = results["smote"], results["edgecase"]
    rows = [
        "| sampler | wall time (s) | CPU time (s) | peak RSS (MB) | peak RSS above the data (MB) "
        "| rows out |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in (("imblearn SMOTE", s), ("EdgeCaseOversampler", e)):
        rows.append(
            f"| {name} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} | "
            f"{r['peak_over_data_mb']:.0f} | "
            f"{r['rows_out']:,} |"
        )
    time_ratio = e["wall_s"] / s["wall_s"]
    cpu_ratio = e["cpu_s"] / s["cpu_s"]
    mem_ratio = e["peak_mb"] / s["peak_mb"]
    verdict = (
        f"Wall-time ratio (ours / SMOTE): **{time_ratio:.2f}** (target <= 0.50: "
        f"{'met' if time_ratio <= 0.5 else 'NOT met'}); CPU-time ratio {cpu_ratio:.2f}; "
        f"peak-memory ratio: **{mem_ratio:.2f}** "
        f"(target <= 0.75: {'met' if mem_ratio <= 0.75 else 'NOT met'}). Wall time on a "
        "shared 2-core machine varies by a factor of 2 between runs; the CPU-time ratio is "
        "the steadier comparison. Part of both samplers' time is the kernel zeroing fresh "
        "output pages."
    )
    body = (
        f"{N:,} x {P} float64 rows, {RATE:.1%} positives, resampled to 1:1; each sampler in a "
        "fresh process, same data, best of two alternating runs each. The machine (2 cores) "
        "was shared with other jobs.\n\n" + "\n".join(rows) + "\n\n" + verdict
    )
    print(body)
    record(
        "oversample_speed",
        "Oversampling speed and memory (1M x 30, 0.2% positives, to 1:1)",
        ".venv/bin/python -m benchmarks.bench_oversample_speed",
        body,
    )


if __name__ == "__main__":
    main()
