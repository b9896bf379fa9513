"""Transaction simulator speed: 200k rows < 10 s; 1M rows at fraud rate 0.0001 < 60 s.

Run: ``.venv/bin/python -m benchmarks.bench_simulator``
"""

from __future__ import annotations

import time

from benchmarks._results import peak_rss_mb, record


def main() -> None:
    from edgecase.fraud import simulate_transactions, transaction_schema

    schema = transaction_schema()
    rows = []
    for n, rate, target in [
        (200_000, 0.002, 10.0),
        (1_000_000, 0.0001, 60.0),
        (1_000_000, 0.002, 60.0),
    ]:
        simulate_transactions(1_000, fraud_rate=rate, random_state=0, progress=False)  # warm-up
        t, c = time.perf_counter(), time.process_time()
        df = simulate_transactions(n, fraud_rate=rate, random_state=0, progress=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        n_bad = schema.check(df).n_violations
        rows.append(
            f"| {n:,} | {rate} | {int(df['is_fraud'].sum()):,} | {wall:.2f} | {cpu:.2f} | {target:.0f} | "
            f"{'met' if wall <= target else 'MISSED'} | {n_bad} |"
        )
        print(rows[-1], flush=True)
    body = (
        "`simulate_transactions(n, fraud_rate=rate, random_state=0)`, all six typologies, "
        "then the full table checked against `transaction_schema()`.\n\n"
        "| rows | fraud rate | fraud rows | wall s | CPU s | target s | | schema violations |\n"
        "|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nPeak RSS {peak_rss_mb():,.0f} MB."
    )
    record("simulator", "Transaction simulator speed", "python -m benchmarks.bench_simulator", body)


if __name__ == "__main__":
    main()
