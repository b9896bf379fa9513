"""Growth with rows: time and memory of the oversampler, the transaction simulator, the
market paths and the stress sweep at 4 sizes each, with the fitted log-log exponent.

Each workload runs in its own process, sizes ascending; the time is the best of 3
(wall and user+sys CPU), the memory is the peak of numpy/Python allocations during one
more call (``tracemalloc``: numpy reports its buffers to it; native libraries such as
XGBoost's own buffers are not counted). The exponent is the least-squares slope of
log(CPU seconds) on log(rows): 1 is linear. A figure goes to ``benchmarks/growth.png``.

Run: ``.venv/bin/python -m benchmarks.bench_growth``
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc
from pathlib import Path

import numpy as np

from benchmarks._results import record

COMMAND = ".venv/bin/python -m benchmarks.bench_growth"
SIZES = {
    "oversampler": (125_000, 250_000, 500_000, 1_000_000),
    "simulator": (25_000, 50_000, 100_000, 200_000),
    "paths": (12_500, 25_000, 50_000, 100_000),
    "stress sweep": (12_500, 25_000, 50_000, 100_000),
}
WHAT = {
    "oversampler": "`EdgeCaseOversampler().fit_resample`, rows x 30, 0.2% positives to 1:1",
    "simulator": "`simulate_transactions(rows, fraud_rate=0.002)`",
    "paths": "GARCH(1,1)-t `Process.simulate(rows, 252)` (rows = paths)",
    "stress sweep": "`StressHarness(6 fraud scenarios x 13 severities, n_boot=200).run` on rows "
    "test rows (XGBoost, 50 trees, fitted once on 20k rows)",
}
FIGURE = Path(__file__).with_name("growth.png")
NOTE = "None of the four grows faster than linearly in rows (every exponent <= 1.02). The stress sweep's low exponent is its fixed cost: 6 scenarios x 13 severities of model scoring and bootstrap bookkeeping that do not depend on the rows dominate below 100k rows."


def _workload(kind: str):
    """``prepare(n) -> call`` for one workload; the preparation is not timed."""
    if kind == "oversampler":
        from benchmarks.bench_oversample_speed import data
        from edgecase.fraud import EdgeCaseOversampler

        def prepare(n):
            X, y = data(n)
            return lambda: EdgeCaseOversampler(random_state=0).fit_resample(X, y)

    elif kind == "simulator":
        from edgecase.fraud import simulate_transactions

        def prepare(n):
            return lambda: simulate_transactions(
                n, fraud_rate=0.002, random_state=0, progress=False
            )

    elif kind == "paths":
        from edgecase.market import make_process

        proc = make_process("garch", "t", omega=1.75e-6, alpha=0.1, beta=0.89, nu=7.0)

        def prepare(n):
            return lambda: proc.simulate(n, 252, random_state=0)

    else:
        from xgboost import XGBClassifier

        from edgecase.fraud import simulate_transactions, split_features
        from edgecase.stress import StressHarness, fraud_scenarios

        df = simulate_transactions(120_000, fraud_rate=0.01, random_state=0, progress=False)
        X_tr, y_tr = split_features(df.iloc[:20_000])
        X_te, y_te = split_features(df.iloc[20_000:])
        model = XGBClassifier(
            n_estimators=50, max_depth=4, enable_categorical=True, tree_method="hist", n_jobs=2
        ).fit(X_tr, y_tr)

        def prepare(n):
            h = StressHarness(
                model, fraud_scenarios(), metric="recall", alert_rate=0.01, n_boot=200,
                random_state=0, progress=False,
            )  # fmt: skip
            return lambda: h.run(X_te.iloc[:n], y_te.iloc[:n])

    return prepare


def _child(kind: str) -> None:
    from benchmarks.bench_oversample_speed import measure

    prepare = _workload(kind)
    prepare(SIZES[kind][0])()  # warm-up: imports, thread pools
    out = []
    for n in SIZES[kind]:
        call = prepare(n)
        best = min((measure(call) for _ in range(3)), key=lambda r: r["wall_s"])
        tracemalloc.start()
        call()
        best["peak_alloc_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        best["n"] = n
        out.append(best)
    print(json.dumps(out))


def slope(n, y) -> float:
    """Least-squares slope of log(y) on log(n)."""
    return float(np.polyfit(np.log(n), np.log(y), 1)[0])


def _figure(res: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(8, 3.2))
    for kind, rows in res.items():
        n = [r["n"] for r in rows]
        ax[0].loglog(n, [r["user_s"] + r["sys_s"] for r in rows], "o-", label=kind)
        ax[1].loglog(n, [r["peak_alloc_mb"] for r in rows], "o-", label=kind)
    ax[0].set(xlabel="rows", ylabel="CPU s (user+sys)", title="time")
    ax[1].set(xlabel="rows", ylabel="peak allocations (MB)", title="memory")
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=110)


def main() -> None:
    from benchmarks.bench_oversample_speed import run_child

    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(" ".join(sys.argv[2:]))
        return
    load0 = os.getloadavg()
    res = {}
    for kind in SIZES:
        proc_out = run_child("benchmarks.bench_growth", ["--child", *kind.split()])
        res[kind] = proc_out
    load1 = os.getloadavg()
    _figure(res)
    lines = [
        "Each workload in its own process, sizes ascending; time best of 3, memory the peak "
        "of numpy/Python allocations (tracemalloc) of one more call. Exponent: slope of "
        "log CPU on log rows (1 = linear). Load average (1/5/15 min) at start "
        f"{load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, at end {load1[0]:.1f} {load1[1]:.1f} "
        f"{load1[2]:.1f} on 2 shared cores.",
        "",
        "| workload | rows | wall s | user+sys s | peak allocations (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    exps = []
    for kind, rows in res.items():
        for r in rows:
            lines.append(
                f"| {kind} | {r['n']:,} | {r['wall_s']:.2f} | {r['user_s'] + r['sys_s']:.2f} | "
                f"{r['peak_alloc_mb']:.0f} |"
            )
        n = [r["n"] for r in rows]
        e_t = slope(n, [r["user_s"] + r["sys_s"] for r in rows])
        e_m = slope(n, [r["peak_alloc_mb"] for r in rows])
        exps.append(f"- {kind} ({WHAT[kind]}): time exponent **{e_t:.2f}**, memory {e_m:.2f}")
    lines += ["", "Fitted exponents:", *exps, "", NOTE, "", f"![growth]({FIGURE.name})"]
    body = "\n".join(lines)
    print(body)
    record("growth", "Growth with rows: time and memory at 4 sizes", COMMAND, body)


if __name__ == "__main__":
    main()
