"""Every edgecase figure in one place (matplotlib; each returns a Figure or Axes).

The figures live beside the stage that produces their data; this module only
gathers them. Results objects also have ``.plot()`` methods that call these.
"""

from __future__ import annotations

from edgecase.fraud.plots import plot_synthetic as synthetic
from edgecase.fraud.plots import plot_typologies as typologies
from edgecase.market.plots import fan_chart
from edgecase.market.plots import scorecard_plot as scorecard
from edgecase.quality.plots import plot_collapse as collapse
from edgecase.quality.plots import plot_quality as quality
from edgecase.stress.plots import plot_curves as stress_curves
from edgecase.stress.plots import plot_heatmap as stress_heatmap
from edgecase.stress.plots import plot_report as stress_report
from edgecase.stress.plots import plot_var_backtest as var_backtest
from edgecase.train.plots import plot_comparison

__all__ = [
    "plot_comparison",
    "synthetic",
    "typologies",
    "fan_chart",
    "scorecard",
    "quality",
    "collapse",
    "stress_curves",
    "stress_heatmap",
    "stress_report",
    "var_backtest",
]
