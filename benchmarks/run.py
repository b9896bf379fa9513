"""Run every benchmarks/bench_*.py in a fresh process (so peak memory is per benchmark).

``make bench`` calls this. Besides each benchmark's own section, it writes a "make bench
run" section to RESULTS.md: when the run started and ended, and each benchmark's wall
time, user+sys CPU time (of its process and its children), the load average when it
started and its exit code, so a reader can tell which tables came from this one run.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._results import record


def _run_one(stem: str, root: Path) -> tuple[int, float, float, float]:
    """Exit code, wall s, user+sys CPU s of the children, load average at start."""
    load = os.getloadavg()[0]
    before, t0 = os.times(), time.perf_counter()
    rc = subprocess.call([sys.executable, "-m", f"benchmarks.{stem}"], cwd=root)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return rc, time.perf_counter() - t0, cpu, load


def main() -> int:
    here = Path(__file__).parent
    start = dt.datetime.now(dt.UTC)
    failed, rows = [], []
    for script in sorted(here.glob("bench_*.py")):
        print(f"== {script.stem}", flush=True)
        rc, wall, cpu, load = _run_one(script.stem, here.parent)
        rows.append(f"| {script.stem} | {wall / 60:.1f} | {cpu / 60:.1f} | {load:.1f} | {rc} |")
        if rc:
            failed.append(script.stem)
    end = dt.datetime.now(dt.UTC)
    body = (
        f"Started {start:%Y-%m-%d %H:%M} UTC, ended {end:%H:%M} UTC. Every section below whose "
        "date is this run's was written by it; a benchmark that failed (exit code not 0) left "
        "its previous section in place.\n\n"
        "| benchmark | wall min | user+sys CPU min | load (1 min) at start | exit code |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows)
    )
    record("run", "The make bench run", "make bench", body)
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
