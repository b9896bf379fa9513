"""Figures for stress results: metric-versus-severity curves, a heatmap, VaR backtests.

Plots read a :class:`~edgecase.stress.StressReport` or a
:class:`~edgecase.stress.VarBacktest`; they never compute metrics or zones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_curves", "plot_heatmap", "plot_report", "plot_var_backtest"]


def plot_curves(report: Any, ax: Any = None):
    """Metric versus severity per scenario, with the CI band, the breaking threshold
    and a marker (with its CI as a horizontal bar) at each breaking severity. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    bps = report.breaking_points.set_index("scenario")
    for i, (name, df) in enumerate(report.curves.groupby("scenario", sort=False)):
        c = colors[i % len(colors)]
        ax.plot(df["severity"], df["value"], marker="o", ms=3, color=c, label=name)
        ax.fill_between(df["severity"], df["ci_low"], df["ci_high"], color=c, alpha=0.18, lw=0)
        bp = bps.loc[name]
        if not np.isclose(bp["breaking_threshold"], report.breaking_threshold):
            # a scenario measured against its own lowest severity has its own threshold
            ax.axhline(bp["breaking_threshold"], color=c, ls=":", lw=1)
        if bp["broken"]:
            s = bp["breaking_severity"]
            ax.plot([s], [bp["breaking_threshold"]], marker="X", ms=10, color=c, mec="k")
            lo, hi = bp["ci_low"], bp["ci_high"]
            hi = hi if math.isfinite(hi) else float(report.severities[-1])
            ax.hlines(bp["breaking_threshold"], lo, hi, color=c, lw=3, alpha=0.6)
    ax.axhline(report.breaking_threshold, color="k", ls="--", lw=1, label="breaking threshold")
    ax.set_xlabel("severity (0 = data as is, 1 = historic worst)")
    ax.set_ylabel(report.metric)
    ax.set_title(f"{report.metric} under stress ({report.ci_level:.0%} bootstrap bands)")
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return ax


def plot_heatmap(report: Any, ax: Any = None):
    """Scenario x severity heatmap of the metric, broken cells (conservative bound past
    the threshold) outlined. Returns the Axes."""
    import matplotlib.pyplot as plt

    table = report.curves.pivot(index="scenario", columns="severity", values="value")
    order = list(dict.fromkeys(report.curves["scenario"]))
    table = table.loc[order]
    bound_col = "ci_low" if report.greater_is_better else "ci_high"
    bound = report.curves.pivot(index="scenario", columns="severity", values=bound_col).loc[order]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.5 * table.shape[1] + 3), 0.5 * len(order) + 2))
    cmap = "RdYlGn" if report.greater_is_better else "RdYlGn_r"
    im = ax.imshow(table.to_numpy(), aspect="auto", cmap=cmap)
    ax.figure.colorbar(im, ax=ax, label=report.metric)
    ax.set_yticks(range(len(order)), order)
    ax.set_xticks(range(table.shape[1]), [f"{s:g}" for s in table.columns], rotation=90)
    ax.set_xlabel("severity")
    # one threshold per scenario (scenarios with their own baseline differ from the rest)
    thr = report.breaking_points.set_index("scenario")["breaking_threshold"].reindex(order)
    thr = thr.to_numpy(dtype=float)[:, None]
    broken = bound.to_numpy() < thr if report.greater_is_better else bound.to_numpy() > thr
    for i, j in zip(*np.nonzero(broken), strict=True):
        ax.add_patch(
            plt.Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, ec="k", lw=1.5, zorder=3)
        )
    ax.set_title("metric by scenario and severity (outlined: broken)")
    return ax


def plot_report(report: Any, kind: str = "both"):
    """A Figure with the curves, the heatmap, or both side by side."""
    import matplotlib.pyplot as plt

    from edgecase._validate import check_choice
    from edgecase.errors import InvalidParameterError

    check_choice(kind, "kind", ["both", "curves", "heatmap"], error=InvalidParameterError)
    if kind == "curves":
        return plot_curves(report).figure
    if kind == "heatmap":
        return plot_heatmap(report).figure
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 4.8), width_ratios=[1.1, 1])
    plot_curves(report, a1)
    plot_heatmap(report, a2)
    fig.tight_layout()
    return fig


def plot_var_backtest(result: Any, ax: Any = None):
    """Exceptions in the trailing window with the Basel green/yellow/red bands. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    z = result.zones
    x = z.index if isinstance(z.index, pd.DatetimeIndex) else np.arange(len(z))
    counts = np.arange(0, max(int(z["exceptions"].max()) + 3, 12))
    # a zone that starts above the axis (or nowhere) is drawn from its top
    starts = {
        k: counts[-1] if v is None else min(v, counts[-1]) for k, v in result.zone_starts.items()
    }
    yellow, red = starts["yellow"], starts["red"]
    ax.axhspan(-0.5, yellow - 0.5, color="tab:green", alpha=0.15, lw=0)
    ax.axhspan(yellow - 0.5, red - 0.5, color="gold", alpha=0.25, lw=0)
    ax.axhspan(red - 0.5, counts[-1], color="tab:red", alpha=0.15, lw=0)
    ax.step(x, z["exceptions"], where="post", color="k", lw=1)
    ax.set_ylabel(f"exceptions in trailing {result.window} days")
    ax.set_title(
        f"VaR {result.alpha:.0%} backtest: {result.n_exceptions} exceptions vs "
        f"{result.expected_exceptions:.1f} expected (Kupiec p={result.kupiec_p:.3g})"
    )
    return ax
