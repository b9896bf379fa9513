"""Synthetic data quality: fidelity, privacy and utility, and a model-collapse check.

* :func:`evaluate` -> :class:`QualityReport`: per-column fidelity and tails
  (also for the minority class), association differences, a real-vs-synthetic
  detection AUC, privacy (exact copies, distance to closest record, NNDR,
  membership inference), utility (TSTR vs TRTR PR-AUC) and constraint checks.
* :func:`collapse_check` -> :class:`CollapseReport`: refit a generator on its
  own output generation after generation and track how the rare class and
  the tails decay.
"""

from __future__ import annotations

from edgecase.quality._report import THRESHOLDS, QualityReport, evaluate
from edgecase.quality.collapse import CollapseReport, collapse_check, hill_tail_index

__all__ = [
    "evaluate",
    "QualityReport",
    "THRESHOLDS",
    "collapse_check",
    "CollapseReport",
    "hill_tail_index",
]
