"""The :class:`StressReport` a :class:`~edgecase.stress.StressHarness` run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["StressReport", "CI_LEVEL", "PrecisionWarning"]

#: Confidence level of the bootstrap intervals.
CI_LEVEL = 0.95


class PrecisionWarning(UserWarning):
    """The test set has too few positives or events to resolve the breaking threshold."""


@dataclass
class StressReport:
    """What :meth:`StressHarness.run` returns.

    Attributes
    ----------
    curves : DataFrame
        One row per (scenario, severity): ``value`` (metric on the stressed data),
        ``ci_low``/``ci_high`` (percentile bootstrap at ``ci_level``), ``n``, ``n_pos``
        and ``n_pos_groups`` (independent groups holding a positive). With
        ``ceiling=`` on, ``ceiling`` is the detectability ceiling: the same metric for a
        reference model cross-fitted on that stressed population itself (out-of-fold
        scores, at the same alert budget), i.e. what the data still lets a model reach.
    breaking_points : DataFrame
        One row per scenario. ``breaking_severity`` is the point estimate: where the
        metric curve crosses ``breaking_threshold`` (interpolated between grid severities;
        ``inf`` if it never does). ``ci_low``/``ci_high`` are its interval at
        ``ci_level``: percentiles of where each whole-curve bootstrap draw crosses its own
        draw of the threshold, widened to the estimate when needed, so the estimate always
        lies inside (``inf`` when too many draws never cross in the swept range).
        ``earliest_plausible_severity`` is the conservative early warning: the first
        severity where the lower bound of the margin to the threshold crosses it, i.e.
        breaking can no longer be ruled out. ``broken`` is False when the curve never
        crosses, or crosses at the first severity only within noise (``reason`` says
        which); ``share_draws_broken`` is the share of draws that cross. ``status`` is
        "broken", "not_broken", "inconclusive" or, with a ceiling, "signal_gone": the
        ceiling is past the threshold too at the first severity where the model is, so
        the scenario erased the signal rather than the model cracking (``broken`` is then
        False). With a ceiling, ``ceiling`` is its value at that severity and
        ``ceiling_severity`` where the ceiling itself crosses the threshold.
    warnings : list of str
        Scenarios whose test set is too small to resolve the threshold (also emitted as
        :class:`PrecisionWarning`).
    """

    metric: str
    greater_is_better: bool
    threshold: float
    alert_rate: float | None
    breaking_threshold: float
    baseline: float
    severities: np.ndarray
    curves: pd.DataFrame
    breaking_points: pd.DataFrame
    draws: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    ci_level: float = CI_LEVEL
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "alert_threshold": self.threshold,
            "alert_rate": self.alert_rate,
            "breaking_threshold": self.breaking_threshold,
            "baseline": self.baseline,
            "ci_level": self.ci_level,
            "severities": self.severities,
            "warnings": self.warnings,
        }

    def to_json(self) -> str:
        """JSON text: settings, curves and breaking points (NaN/inf become null)."""
        from edgecase._io import dumps

        return dumps(
            {
                **self.summary(),
                "curves": self.curves,
                "breaking_points": self.breaking_points,
            }
        )

    def plot(self, kind: str = "both", *, model: str | None = None):
        """Curves with CI bands and breaking markers, and/or a scenario x severity heatmap.

        ``kind`` is "curves", "heatmap" or "both" (one figure, two panels); ``model``
        names the model in the titles. Returns the Figure.
        """
        from edgecase.stress.plots import plot_report

        return plot_report(self, kind=kind, model=model)

    def to_html(self, path: str | Path, *, title: str = "edgecase stress report") -> Path:
        """Write a self-contained HTML report (figures embedded) and return its path."""
        from edgecase._io import Section, write_html
        from edgecase.stress.plots import plot_curves, plot_heatmap

        direction = "higher is better" if self.greater_is_better else "lower is better"
        text = (
            f"Metric: {self.metric} ({direction}); alert threshold {self.threshold:.4g}"
            + (f" (alert rate {self.alert_rate:.4g})" if self.alert_rate is not None else "")
            + f"; breaking threshold {self.breaking_threshold:.4g}; baseline "
            f"{self.baseline:.4g}; {self.ci_level:.0%} bootstrap intervals.\n\n"
            "The breaking severity is where the metric curve crosses the breaking threshold, "
            "with its interval from whole-curve bootstrap draws; the earliest plausible "
            "severity is where the conservative bound crosses it."
            + (
                " The ceiling is the metric of a reference model fitted on each stressed "
                "population itself; a scenario is 'signal gone', not broken, when the ceiling "
                "is past the threshold too where the model crosses it."
                if "ceiling" in self.curves
                else ""
            )
        )
        if self.warnings:
            text += "\n\nWarnings:\n" + "\n".join(f"- {w}" for w in self.warnings)
        sections = [
            Section("Breaking points", text=text, tables=[self.breaking_points]),
            Section("Metric versus severity", figures=[plot_curves(self).figure]),
            Section("Scenario x severity", figures=[plot_heatmap(self).figure]),
            Section("Curves", tables=[self.curves]),
        ]
        return write_html(path, title, sections)
