"""Speed and peak memory: 100,000 paths x 252 steps of GARCH-t, jump diffusion and Heston,
beside arch's own ``forecast(method="simulation")`` for the same GARCH-t model.

Every measurement runs in its own subprocess so its peak RSS is its own (the
import of numpy/pandas/scipy/scikit-learn is included in every process, ours
and arch's alike). Run: ``.venv/bin/python -m benchmarks.bench_market_speed``

``--portfolio``: ``Portfolio.stress`` of 3 assets (sp500, nasdaq, wti) x 6 scenarios x 5
severities x 10,000 paths x 252 days; the first call also sizes severity 1 by simulation
(cached on the calibration), the next three are timed and the best is reported.
"""

from __future__ import annotations

import json
import subprocess
import sys

N_PATHS = 100_000
N_STEPS = 252

# GARCH-t as arch fits the S&P 500 in percent: omega, alpha, beta, nu.
PARAMS = {"mu": 0.05, "omega": 0.0175, "alpha": 0.1, "beta": 0.89, "nu": 7.0}

_CHILD = r"""
import json, sys, time
case = sys.argv[1]
P = json.loads(sys.argv[2]); n, T = int(sys.argv[3]), int(sys.argv[4])
from benchmarks._results import peak_rss_mb
import numpy as np
base_rss = peak_rss_mb()
if case == "arch":
    from arch import arch_model
    from edgecase.datasets import load_market
    y = 100 * load_market("sp500")["log_return"]
    am = arch_model(y, vol="GARCH", p=1, q=1, dist="t")
    params = np.array([P["mu"], P["omega"], P["alpha"], P["beta"], P["nu"]])
    res = am.fix(params)
    base_rss = peak_rss_mb()
    t, c = time.perf_counter(), time.process_time()
    f = res.forecast(horizon=T, method="simulation", simulations=n, reindex=False)
    sims = f.simulations.values  # (1, n, T) in percent
    el, cpu = time.perf_counter() - t, time.process_time() - c
    out_shape = sims.shape
else:
    from edgecase.market import make_process
    if case == "garch_t":
        proc = make_process("garch", "t", mu=P["mu"] / 100, omega=P["omega"] / 1e4,
                            alpha=P["alpha"], beta=P["beta"], nu=P["nu"])
    elif case == "merton":
        proc = make_process("constant", "normal", "merton", sigma=0.01, intensity=0.02,
                            jump_mean=-0.03, jump_std=0.04)
    elif case == "kou":
        proc = make_process("constant", "normal", "kou", sigma=0.01, intensity=0.02)
    elif case == "heston":
        proc = make_process("heston", kappa=3.0, theta=0.04, xi=0.5, rho=-0.7)
    elif case == "heston_qe":
        proc = make_process("heston", kappa=3.0, theta=0.04, xi=0.5, rho=-0.7, scheme="qe")
    proc.simulate(1000, T, random_state=1)  # warm-up (thread pool, first-touch pages)
    base_rss = peak_rss_mb()
    t, c = time.perf_counter(), time.process_time()
    p = proc.simulate(n, T, random_state=0)
    el, cpu = time.perf_counter() - t, time.process_time() - c
    out_shape = p.returns.shape
print(json.dumps({"seconds": el, "cpu_seconds": cpu, "peak_mb": peak_rss_mb(), "import_mb": base_rss,
                  "shape": list(out_shape)}))
"""


_PORTFOLIO_CHILD = r"""
import json, os, time
import pandas as pd
from benchmarks._results import peak_rss_mb
from edgecase.datasets import load_market
from edgecase.market import BlackSwanGenerator, Portfolio
fr = pd.DataFrame({n: load_market(n)["log_return"] for n in ("sp500", "nasdaq", "wti")}).dropna()
book = Portfolio({"sp500": 0.6, "nasdaq": 0.3, "wti": 0.1}, BlackSwanGenerator.from_returns(fr))
runs = []
for i in range(4):
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    book.stress(n_paths=10_000, horizon=252, random_state=0)
    runs.append({"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "load": load})
print(json.dumps({"runs": runs, "peak_mb": peak_rss_mb()}))
"""


def main_portfolio() -> None:
    """Time Portfolio.stress against its 10 s target (best of 3 warm runs)."""
    import os

    from benchmarks._results import record

    out = subprocess.run(
        [sys.executable, "-c", _PORTFOLIO_CHILD], capture_output=True, text=True, check=True
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    warm = res["runs"][1:]
    best = min(warm, key=lambda r: r["wall"])
    rows = [
        f"| {'first (sizes severity 1)' if i == 0 else f'warm {i}'} | {r['wall']:.1f} | "
        f"{r['cpu']:.1f} | {r['load']:.1f} |"
        for i, r in enumerate(res["runs"])
    ]
    met = best["wall"] <= 10
    body = "\n".join(
        [
            "3 assets x 6 scenarios x 5 severities (21 distinct simulations: severity 0 is "
            "shared) x 10,000 paths x 252 days, 200 bootstrap resamples per row; peak RSS "
            f"{res['peak_mb']:.0f} MB; load average when done {os.getloadavg()[0]:.1f} "
            "(2 cores, shared).",
            "",
            "| run | wall s | CPU s (user+sys) | load average at start |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"- Target <= 10 s (best of the 3 warm runs, wall): {best['wall']:.1f} s, "
            + ("met" if met else "**missed** on this run")
            + f"; CPU {best['cpu']:.1f} s, i.e. about {best['cpu'] / 2:.1f} s of wall on 2 "
            "idle cores.",
        ]
    )
    record(
        "portfolio_speed",
        "Portfolio.stress speed (3 assets x 6 scenarios x 5 severities x 10k x 252)",
        ".venv/bin/python -m benchmarks.bench_market_speed --portfolio",
        body,
    )
    print(body)


def _run(case: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, case, json.dumps(PARAMS), str(N_PATHS), str(N_STEPS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import os

    from benchmarks._results import record

    load = os.getloadavg()
    res = {c: _run(c) for c in ("garch_t", "arch", "merton", "kou", "heston", "heston_qe")}
    g, a = res["garch_t"], res["arch"]
    lines = [
        f"{N_PATHS:,} paths x {N_STEPS} steps, float64; each row a separate subprocess "
        f"(peak RSS includes the ~{g['import_mb']:.0f} MB of imports both sides pay). "
        f"Load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        "(2 cores shared with other jobs).",
        "",
        "| model | engine | wall s | CPU s | peak RSS (MB) | target |",
        "|---|---|---:|---:|---:|---|",
        f"| GARCH(1,1)-t | edgecase `Process.simulate` | {g['seconds']:.2f} | {g['cpu_seconds']:.2f} | {g['peak_mb']:.0f} "
        f"| <= 1.5 s, < 512 MB |",
        f'| GARCH(1,1)-t | arch `forecast(method="simulation")` | {a["seconds"]:.2f} | '
        f"{a['cpu_seconds']:.2f} | {a['peak_mb']:.0f} | reference |",
        f"| Merton jump diffusion | edgecase | {res['merton']['seconds']:.2f} | "
        f"{res['merton']['cpu_seconds']:.2f} | {res['merton']['peak_mb']:.0f} | <= 2 s |",
        f"| Kou jump diffusion | edgecase | {res['kou']['seconds']:.2f} | "
        f"{res['kou']['cpu_seconds']:.2f} | {res['kou']['peak_mb']:.0f} | <= 2 s |",
        f"| Heston (full-truncation Euler) | edgecase | {res['heston']['seconds']:.2f} | "
        f"{res['heston']['cpu_seconds']:.2f} | {res['heston']['peak_mb']:.0f} | <= 2 s |",
        f"| Heston (Andersen QE) | edgecase | {res['heston_qe']['seconds']:.2f} | "
        f"{res['heston_qe']['cpu_seconds']:.2f} | {res['heston_qe']['peak_mb']:.0f} | <= 2 s |",
        "",
        f"- GARCH-t speed-up over arch: **{a['seconds'] / g['seconds']:.1f}x** wall, "
        f"{a['cpu_seconds'] / g['cpu_seconds']:.1f}x CPU (target >= 8x). Our draws run in 2 "
        "threads, so CPU s can exceed wall s; on a loaded machine wall time is inflated.",
        f"- GARCH-t peak memory vs arch: **{g['peak_mb'] / a['peak_mb']:.2f}** of arch's "
        f"(target <= 0.25); above the import baseline: {g['peak_mb'] - g['import_mb']:.0f} MB "
        f"vs {a['peak_mb'] - a['import_mb']:.0f} MB "
        f"({(g['peak_mb'] - g['import_mb']) / max(a['peak_mb'] - a['import_mb'], 1):.2f}).",
        f"- The output itself is {N_PATHS * N_STEPS * 8 / 2**20:.0f} MB of float64 returns.",
    ]
    checks = {
        "GARCH-t <= 1.5 s wall": g["seconds"] <= 1.5,
        "GARCH-t <= 1.5 s CPU": g["cpu_seconds"] <= 1.5,
        "GARCH-t < 512 MB peak": g["peak_mb"] < 512,
        ">= 8x faster than arch (wall)": a["seconds"] / g["seconds"] >= 8,
        ">= 8x faster than arch (CPU)": a["cpu_seconds"] / g["cpu_seconds"] >= 8,
        "<= 1/4 of arch's peak memory": g["peak_mb"] <= a["peak_mb"] / 4,
        **{
            f"{k} <= 2 s wall": res[k]["seconds"] <= 2
            for k in ("merton", "kou", "heston", "heston_qe")
        },
    }
    lines += ["", "Targets:"] + [
        f"- {k}: {'met' if v else '**missed** on this run'}" for k, v in checks.items()
    ]
    if load[0] > 2:
        lines.append(
            "- The machine was loaded (load average above its 2 cores) while this ran: wall "
            "times here are inflated; CPU seconds are the fairer comparison."
        )
    body = "\n".join(lines)
    record(
        "market_speed",
        "Market path simulation speed and memory",
        ".venv/bin/python -m benchmarks.bench_market_speed",
        body,
    )
    print(body)


if __name__ == "__main__":
    main_portfolio() if "--portfolio" in sys.argv[1:] else main()
