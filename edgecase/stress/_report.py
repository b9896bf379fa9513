"""The :class:`StressReport` a :class:`~edgecase.stress.StressHarness` run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["StressReport", "CI_LEVEL"]

#: Confidence level of the bootstrap intervals.
CI_LEVEL = 0.95


@dataclass
class StressReport:
    """What :meth:`StressHarness.run` returns.

    Attributes
    ----------
    curves : DataFrame
        One row per (scenario, severity): ``value`` (metric on the stressed data),
        ``ci_low``/``ci_high`` (percentile bootstrap, ``ci_level``), ``n``, ``n_pos``.
    breaking_points : DataFrame
        One row per scenario: ``breaking_severity`` (where the conservative CI bound
        crosses ``breaking_threshold``, interpolated between grid severities),
        ``ci_low``/``ci_high`` (percentiles of the crossing severity over bootstrap
        draws; ``inf`` when over 2.5% of draws never cross in the swept range),
        ``point_severity`` (crossing of the point estimate), ``share_draws_broken``,
        ``broken`` and ``reason``. ``breaking_severity`` is the early-warning number (the
        first severity at which breaking is plausible) and usually lies at or below
        ``ci_low``; ``ci_low``/``ci_high`` bracket where the metric itself crosses.
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
            f"{self.baseline:.4g}; {self.ci_level:.0%} stratified bootstrap intervals.\n\n"
            "A breaking severity is where the conservative confidence bound crosses the "
            "breaking threshold; its interval is the spread of crossings over bootstrap draws."
        )
        sections = [
            Section("Breaking points", text=text, tables=[self.breaking_points]),
            Section("Metric versus severity", figures=[plot_curves(self).figure]),
            Section("Scenario x severity", figures=[plot_heatmap(self).figure]),
            Section("Curves", tables=[self.curves]),
        ]
        return write_html(path, title, sections)
