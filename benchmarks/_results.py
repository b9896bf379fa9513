"""Write a benchmark's table into benchmarks/RESULTS.md between its own markers.

Each benchmark calls :func:`record` with its name, the command that produced
it and a markdown body; the block ``<!-- bench:NAME -->...<!-- /bench:NAME -->``
is replaced (or appended), so benchmarks can run in any order.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import re
import resource
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
_PACKAGES = [
    "edgecase",
    "numpy",
    "pandas",
    "scikit-learn",
    "imbalanced-learn",
    "xgboost",
    "arch",
    "dask",
]


def machine() -> str:
    versions = []
    for p in _PACKAGES:
        try:
            versions.append(f"{p} {importlib.metadata.version(p)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; " + ", ".join(
        versions
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record(name: str, title: str, command: str, body: str) -> None:
    """Replace this benchmark's block in RESULTS.md with ``body`` plus provenance."""
    block = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Command: `{command}`  \nDate: {dt.date.today().isoformat()}  \nMachine: {machine()}\n\n"
        f"{body.strip()}\n<!-- /bench:{name} -->"
    )
    text = (
        RESULTS.read_text()
        if RESULTS.exists()
        else "# Benchmark results\n\nRegenerate everything with `make bench`.\n"
    )
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    RESULTS.write_text(text)
