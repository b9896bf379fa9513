"""Scale-out: 10 million fraud variations and 1 million market paths x 252 steps to Parquet.

Target: peak memory of any process under 4 GiB, locally and on a Dask
LocalCluster(n_workers=2, threads_per_worker=1). Run:
``.venv/bin/python -m benchmarks.bench_scale``
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks._results import peak_rss_mb, record

N_PATHS = 1_000_000
N_STEPS = 252
N_FRAUD = 10_000_000


def _worker_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.glob("*.parquet")) / 2**20


def main() -> None:
    from distributed import Client, LocalCluster

    from edgecase.datasets import load_market
    from edgecase.fraud import FraudScenarioGenerator, simulate_transactions, split_features
    from edgecase.market import BlackSwanGenerator

    gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
    X, y = split_features(
        simulate_transactions(200_000, fraud_rate=0.002, random_state=0, progress=False)
    )
    fraud_gen = FraudScenarioGenerator().fit(X, y)
    tmp = Path(tempfile.mkdtemp(prefix="edgecase-scale-"))
    rows = []
    try:
        jobs = [
            ("1M crash paths x 252 steps", lambda c, out: gen.generate(
                N_PATHS, N_STEPS, scenario="crash", severity=1.0, random_state=0,
                chunk_paths=10_000, client=c, out=out, progress=False)),
            ("10M fraud variations (severity 1)", lambda c, out: fraud_gen.generate(
                N_FRAUD, severity=1.0, random_state=0, chunk_size=200_000,
                client=c, out=out, progress=False)),
        ]  # fmt: skip
        for executor in ("local", "dask"):
            cluster = client = None
            if executor == "dask":
                cluster = LocalCluster(
                    n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit="4GiB"
                )
                client = Client(cluster)
            try:
                for name, job in jobs:
                    out = tmp / f"{executor}-{len(rows)}"
                    t = time.perf_counter()
                    res = job(client, out)
                    wall = time.perf_counter() - t
                    workers = max(client.run(_worker_peak_mb).values()) if client else float("nan")
                    rows.append(
                        f"| {name} | {executor} | {res.n_rows:,} | {len(res.files)} | {wall:.1f} | "
                        f"{peak_rss_mb():,.0f} | {workers:,.0f} | {_dir_mb(out):,.0f} |"
                    )
                    print(rows[-1], flush=True)
                    shutil.rmtree(out)
            finally:
                if client is not None:
                    client.close()
                    cluster.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body = (
        "Peak memory is the maximum resident set size of a process over its life: the client "
        "process ran the `local` jobs first (doing all the work), so its figure on the `dask` "
        "rows is that same peak; `worker peak MB` is the largest Dask worker. Target: every "
        "process under 4,096 MB.\n\n"
        "| job | executor | rows written | parts | wall s | client peak MB | worker peak MB | Parquet MB |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    record("scale", "Scale-out to Parquet", "python -m benchmarks.bench_scale", body)


if __name__ == "__main__":
    main()
