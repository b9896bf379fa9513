"""Oversampling speed and memory: EdgeCaseOversampler vs imblearn SMOTE, 1M and 3M x 30 rows.

0.2% positives resampled to 1:1. Each (sampler, size, memory state) runs in its own
fresh process; the data are generated in the child from the same seed. Two memory
states:

- **cold**: the first ``fit_resample`` of the process; every output page is new, so
  the kernel zeroes it (system time, page faults).
- **warm**: glibc is told to keep freed memory (``MALLOC_MMAP_MAX_=0``,
  ``MALLOC_TRIM_THRESHOLD_`` huge), one untimed ``fit_resample`` runs first, and the
  second is timed: its pages are already mapped, so the time is the sampler's own CPU
  work. Minor page faults are reported to show the difference.

Sides alternate (SMOTE, edgecase, SMOTE, ...), best of 3 by wall time; user and system
CPU come from ``getrusage`` (all threads). Peak RSS is from the cold run (the warm run's
peak includes the memory glibc was told to keep).

Run: ``.venv/bin/python -m benchmarks.bench_oversample_speed``
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from benchmarks._results import peak_rss_mb, record

P, RATE = 30, 0.002
SIZES = (1_000_000, 3_000_000)
REPEATS = 3
COMMAND = ".venv/bin/python -m benchmarks.bench_oversample_speed"
_WARM_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 45)}


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` x 30 standard normal rows, 0.2% positives shifted by 0.8 (a real signal)."""
    rng = np.random.default_rng(0)
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=int(n * RATE), replace=False)] = 1
    X = rng.standard_normal((n, P))
    X[y == 1] += 0.8
    return X, y


def sampler(which: str):
    if which == "smote":
        from imblearn.over_sampling import SMOTE

        return SMOTE(random_state=0)
    from edgecase.fraud import EdgeCaseOversampler

    return EdgeCaseOversampler(random_state=0)


def measure(fn) -> dict:
    """Wall, user, system CPU and minor page faults of ``fn()``."""
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "wall_s": wall,
        "user_s": r1.ru_utime - r0.ru_utime,
        "sys_s": r1.ru_stime - r0.ru_stime,
        "minflt": r1.ru_minflt - r0.ru_minflt,
    }


def _child(which: str, n: int, warm: bool) -> None:
    X, y = data(n)
    base = peak_rss_mb()
    s = sampler(which)
    if warm:
        Xr, yr = s.fit_resample(X, y)
        del Xr, yr
    out = measure(lambda: s.fit_resample(X, y))
    out.update(peak_mb=peak_rss_mb(), peak_over_data_mb=peak_rss_mb() - base)
    print(json.dumps(out))


def run_child(module: str, args: list[str], env: dict | None = None) -> dict:
    """Run ``python -m module args`` in a fresh process; its last stdout line is JSON."""
    res = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def best_alternating(
    sides: list[str], run, repeats: int = REPEATS, key: str = "wall_s"
) -> dict[str, dict]:
    """Run the sides in turn ``repeats`` times; keep each side's fastest run by ``key``
    (its wall time)."""
    best: dict[str, dict] = {}
    for _ in range(repeats):
        for side in sides:
            r = run(side)
            if side not in best or r[key] < best[side][key]:
                best[side] = r
    return best


def _row(name: str, n: int, mode: str, r: dict) -> str:
    return (
        f"| {name} | {n / 1e6:.0f}M | {mode} | {r['wall_s']:.2f} | {r['user_s']:.2f} | "
        f"{r['sys_s']:.2f} | {r['user_s'] + r['sys_s']:.2f} | {r['minflt'] / 1e3:.0f}k | "
        f"{r['peak_mb']:.0f} |"
    )


def _verdicts(n: int, res: dict) -> list[str]:
    out = []
    for mode in ("cold", "warm"):
        s, e = res[(n, mode, "smote")], res[(n, mode, "edgecase")]
        wr = e["wall_s"] / s["wall_s"]
        cr = (e["user_s"] + e["sys_s"]) / (s["user_s"] + s["sys_s"])
        ur = e["user_s"] / s["user_s"]
        out.append(
            f"- {n / 1e6:.0f}M {mode}: wall ratio **{wr:.2f}** (target <= 0.50: "
            f"{'met' if wr <= 0.5 else '**missed**'}); CPU (user+sys) ratio **{cr:.2f}** "
            f"(target < 1: {'met' if cr < 1 else '**missed**'}); user-CPU ratio {ur:.2f}"
        )
    s, e = res[(n, "cold", "smote")], res[(n, "cold", "edgecase")]
    mr = e["peak_mb"] / s["peak_mb"]
    out.append(
        f"- {n / 1e6:.0f}M peak RSS ratio (cold) **{mr:.2f}** (target <= 0.70: "
        f"{'met' if mr <= 0.7 else '**missed**'})"
    )
    return out


def main() -> None:
    if len(sys.argv) > 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "warm")
        return
    load0 = os.getloadavg()
    res = {}
    for n in SIZES:
        for mode in ("cold", "warm"):
            env = _WARM_ENV if mode == "warm" else None
            best = best_alternating(
                ["smote", "edgecase"],
                lambda w, n=n, mode=mode, env=env: run_child(
                    "benchmarks.bench_oversample_speed", ["--child", w, str(n), mode], env
                ),
            )
            for w, r in best.items():
                res[(n, mode, w)] = r
    load1 = os.getloadavg()
    rows = [
        "| sampler | rows | memory | wall s | user s | sys s | user+sys s | minor faults "
        "| peak RSS (MB) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in SIZES:
        for mode in ("cold", "warm"):
            for w, name in (("smote", "imblearn SMOTE"), ("edgecase", "EdgeCaseOversampler")):
                rows.append(_row(name, n, mode, res[(n, mode, w)]))
    verdicts = [v for n in SIZES for v in _verdicts(n, res)]
    body = (
        f"{P} float64 columns, {RATE:.1%} positives, resampled to 1:1; each sampler and "
        "memory state in a fresh process, same data; sides alternate, best of "
        f"{REPEATS} by wall time. Load average (1/5/15 min) at start "
        f"{load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, at end {load1[0]:.1f} {load1[1]:.1f} "
        f"{load1[2]:.1f} on 2 shared cores. *warm*: glibc keeps freed memory and the timed "
        "call is the second in the process (see the module docstring). edgecase synthesises "
        "in 2 threads, so its user+sys can exceed its wall time; SMOTE is single-threaded "
        "here.\n\n" + "\n".join(rows) + "\n\nTargets:\n" + "\n".join(verdicts) + "\n\n"
        "Where the CPU goes (edgecase, 1M warm, one thread, cProfile with "
        "`time.process_time`, 0.76 s in all): synthesis 0.54 s, of which the Student-t "
        "jitter's 30 normals per row 0.23 s (Box-Muller float32 pairs: radius 0.10 s, "
        "angle and products 0.13 s; numpy's float32 ziggurat took 0.33 s) and the base / "
        "neighbour gathers, interpolation and clipping most of the rest; the danger "
        "score's neighbour search against 10,000 other-class rows 0.12 s; imbalanced-learn's "
        "label checks 0.08 s (SMOTE pays them too); the copy of the input with its column "
        "range 0.04 s. SMOTE draws one uniform per synthetic row and no noise: 30 "
        "independent noise values per row cost at least 30 uniforms (~0.08 s per million "
        "rows in numpy), which is why edgecase's CPU stays above SMOTE's. The jitter's "
        "draws are Box-Muller pairs since this table was first made (numpy's ziggurat "
        "before): the same law (KS-tested in tests/test_fraud_samplers_jitter.py), a new "
        "random stream for EdgeCaseOversampler and FraudScenarioGenerator."
    )
    print(body)
    record(
        "oversample_speed",
        "Oversampling speed and memory (1M and 3M x 30, 0.2% positives, to 1:1)",
        COMMAND,
        body,
    )


if __name__ == "__main__":
    main()
