"""find_slices: the exact lattice up to order 3 over 200,000 rows x 30 features, with
sliceline (SliceLine, Sagadeeva & Boehm 2021) beside it on the same binned features.

Each measurement runs in its own process; the sides alternate, best of 3 by wall time.
Target: order 3 in at most 1.5 s. sliceline searches the positives' miss indicator
(its ``errors``) on edgecase's own bins, so both look at the same lattice; it returns
its top-k slices by its score rather than testing every cell.

Run: ``.venv/bin/python -m benchmarks.bench_slices``
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pandas as pd

from benchmarks._results import peak_rss_mb, record

COMMAND = ".venv/bin/python -m benchmarks.bench_slices"
CASES = ("order3_positives", "order3_alerts", "order3_all", "sliceline2", "sliceline3")
SLICELINE_TIMEOUT = 300
# sliceline's order-3 search on the positives grew past the machine's 24 GiB and starved
# every other process; its child gets an address-space bound and fails alone instead
SLICELINE_MEMORY_GB = 10


def data(n: int = 200_000, seed: int = 0):
    """24 numeric, 3 categorical (8 levels) and 3 bool features; 5% positives; a planted weak
    slice (x0 in its top quintile and c0 = '3') where the model misses most positives, and
    more false alerts when b1 is set."""
    rng = np.random.default_rng(seed)
    cols = {f"x{j}": rng.normal(size=n) for j in range(24)}
    cols |= {f"c{j}": pd.Categorical(rng.integers(0, 8, n).astype(str)) for j in range(3)}
    cols |= {f"b{j}": rng.random(n) < 0.3 for j in range(3)}
    X = pd.DataFrame(cols)
    y = (rng.random(n) < 0.05).astype(np.int8)
    weak = (X["x0"] > np.quantile(X["x0"], 0.8)) & (X["c0"] == "3")
    caught = rng.random(n) < np.where(weak, 0.3, 0.85)
    false_alert = rng.random(n) < np.where(X["b1"], 0.08, 0.02)
    scores = np.where(y == 1, np.where(caught, 0.9, 0.1), np.where(false_alert, 0.7, 0.05))
    return X, y, scores


def _child(case: str) -> None:
    from benchmarks.bench_oversample_speed import measure
    from edgecase.stress import find_slices
    from edgecase.stress.slices import bin_features

    X, y, scores = data()
    out: dict = {}
    if case.startswith("order3_"):
        on = case.split("_")[1]

        def fn():
            res = find_slices(X, y, scores, on=on, score_threshold=0.5, max_order=3)
            out.update(
                n_pop=res.attrs["n_population"], n_tested=res.attrs["n_tested"],
                top=res["slice"].iloc[0],
            )  # fmt: skip

    else:
        import resource

        limit = SLICELINE_MEMORY_GB * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from sliceline import Slicefinder

        pos = y == 1
        codes, _ = bin_features(X.loc[pos], 5)
        Xb = np.column_stack(codes) + 1  # sliceline wants positive integer levels
        errors = (scores[pos] < 0.5).astype(float)

        def fn():
            sf = Slicefinder(alpha=0.95, k=5, max_l=int(case[-1]), min_sup=30, verbose=False)
            sf.fit(Xb, errors)
            top = sf.top_slices_[0]
            desc = " & ".join(f"{X.columns[j]} bin {v}" for j, v in enumerate(top) if v is not None)
            out.update(n_pop=int(pos.sum()), top=desc)

    out.update(measure(fn), peak_mb=peak_rss_mb())
    print(json.dumps(out))


def _run(case: str) -> dict:
    from benchmarks.bench_oversample_speed import run_child

    try:
        return run_child("benchmarks.bench_slices", ["--child", case])
    except Exception as exc:  # a timeout or an out-of-memory kill is a result here
        return {"error": type(exc).__name__}


def main() -> None:
    import subprocess

    from benchmarks.bench_oversample_speed import best_alternating

    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
        return
    load0 = os.getloadavg()
    best = best_alternating(
        ["order3_positives", "order3_alerts", "order3_all"],
        _run,
    )
    # sliceline once each (it takes far longer); bounded so a blow-up cannot stall the run
    for case in ("sliceline2", "sliceline3"):
        try:
            best[case] = json.loads(
                subprocess.run(
                    [sys.executable, "-m", "benchmarks.bench_slices", "--child", case],
                    capture_output=True, text=True, check=True, timeout=SLICELINE_TIMEOUT,
                ).stdout.strip().splitlines()[-1]
            )  # fmt: skip
        except (subprocess.SubprocessError, IndexError) as exc:
            err = getattr(exc, "stderr", None) or ""
            bound = f"MemoryError (bound {SLICELINE_MEMORY_GB} GiB)"
            best[case] = {"error": bound if "MemoryError" in err else type(exc).__name__}
    load1 = os.getloadavg()
    rows = [
        "| search | population | rows | wall s | user+sys s | peak RSS (MB) | target | top slice |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    verdicts = []
    for case in CASES:
        r = best[case]
        name = "edgecase `find_slices`, order 3" if case.startswith("order3") else (
            f"sliceline `Slicefinder(max_l={case[-1]}, k=5)`"
        )  # fmt: skip
        pop = case.split("_")[1] if case.startswith("order3") else "positives"
        if "error" in r:
            rows.append(f"| {name} | {pop} | | {r['error']} | | | | |")
            continue
        cpu = r["user_s"] + r["sys_s"]
        target = ""
        if case.startswith("order3"):
            ok_w, ok_c = r["wall_s"] <= 1.5, cpu <= 1.5
            target = f"<= 1.5 s: wall {'met' if ok_w else '**missed**'}, CPU {'met' if ok_c else '**missed**'}"
            verdicts.append(f"- order 3, {pop}: {target}")
        rows.append(
            f"| {name} | {pop} | {r['n_pop']:,} | {r['wall_s']:.2f} | {cpu:.2f} | "
            f"{r['peak_mb']:.0f} | {target} | `{r['top']}` |"
        )
    body = (
        "200,000 rows x 30 features (24 numeric in 5 quantile bins, 3 categorical x 8 levels, "
        "3 bool): every single feature, pair and triple (4,525 combinations), min_support 30. "
        "Each case in its own process; edgecase's cases alternate, best of 3 by wall time; "
        f"sliceline once per order (bounded at {SLICELINE_TIMEOUT} s). Load average (1/5/15 "
        f"min) at start {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, at end {load1[0]:.1f} "
        f"{load1[1]:.1f} {load1[2]:.1f} on 2 shared cores: wall times are inflated by the "
        "load, user+sys CPU is the steadier figure.\n\n"
        + "\n".join(rows)
        + "\n\nTargets:\n"
        + "\n".join(verdicts)
        + "\n\nsliceline sees the same bins of the positives (its `errors` = missed "
        "positives) and returns its top 5 slices by its own score; `find_slices` tests "
        "every cell with an exact binomial test and Benjamini-Hochberg control. Counting the "
        "rows of every cell is the cost on a large population: one `bincount` per "
        "combination is one scattered increment per row and combination (4,060 triples x "
        "200k rows, ~800M). `find_slices` packs the features into blocks whose joint levels "
        "stay small (here 12 pairs of numeric features and 3 category-bool pairs: 15 "
        "blocks), counts the joint table of each union of 3 blocks with one `bincount` (455 "
        "instead of 4,060) and sums each combination out of it (exact integer sums); on "
        "fewer rows (the positives, the alerts) that saves too little and it keeps one "
        "`bincount` per combination. Tried and not kept (one process, load 1.4-5, "
        "`time.process_time`, best of 3-5): threads, because `np.bincount` holds the GIL "
        "(128 bincounts of 200k codes: 0.098 s on one thread, 0.091 s on two; `np.add.at` "
        "the same; `np.sort` releases it but costs 8.4 ms against 0.5 ms per 200k codes); "
        "8-byte codes (`bincount` of intp codes 0.45 ms against 0.52 ms of uint16 ones with "
        "their cast, but building them costs 0.17 ms against 0.04 ms); joint tables of "
        "up to rows/3, rows/5 or rows/12 cells instead of rows/8 (counting 0.84, 0.61, 0.57 "
        "s against 0.54 s); counting the hits in the same tables (the scan 0.91 s against "
        "0.81 s); earlier, per-level Gram matrices of the one-hot codes (14-16 s with "
        "numpy's `X.T @ X`) and bit-packed rows with `bitwise_count` (no faster than the "
        "bincounts). Against the code before these joint tables (one bincount per "
        "combination, binning by `np.quantile` and `searchsorted`; alternating processes, "
        "load 3.3-3.6, CPU of 3 runs each): 'all' 3.29-3.81 s before, 1.24-1.40 s after; "
        "alerts 1.13-1.33 s before, 1.09-1.21 s after. Of the 'all' search's 1.28 s CPU "
        "(load 3.2) the scan is 0.69 s; the rest (binning 200k rows: 0.16 s, 241k "
        "descriptions, p-values, the sort) is the other 0.59 s."
    )
    print(body)
    record("slices", "Slice search (find_slices, order 3) beside sliceline", COMMAND, body)


if __name__ == "__main__":
    main()
