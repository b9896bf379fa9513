"""Figures of the quality stage (re-exported by edgecase.plot after the merge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from edgecase.quality._report import QualityReport
    from edgecase.quality.collapse import CollapseReport

__all__ = ["plot_quality", "plot_collapse"]


def plot_quality(report: QualityReport) -> Any:
    """Six panels: column scores, tail errors, association diff, DCR, AUCs, utility."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    ax = axes[0, 0]
    f = report.fidelity
    pos = np.arange(len(f))
    ax.barh(pos, f["score"], height=0.4, label="all rows", color="tab:blue")
    if report.fidelity_minority is not None:
        ax.barh(
            pos + 0.4,
            report.fidelity_minority["score"],
            height=0.4,
            label="minority",
            color="tab:red",
        )
    ax.set_yticks(pos + 0.2, f["column"], fontsize=7)
    ax.set_xlim(0, 1.02)
    ax.invert_yaxis()
    ax.set_title("column score (1 - KS / 1 - TV)")
    ax.legend(fontsize=7)

    ax = axes[0, 1]
    for tails, marker, label in (
        (report.tails, "o", "all"),
        (report.tails_minority, "x", "minority"),
    ):
        if tails is None or tails.empty:
            continue
        for q, color in zip(
            sorted(tails["quantile"].unique()), ("tab:blue", "tab:orange", "tab:red"), strict=False
        ):
            sub = tails[tails["quantile"] == q]
            # minority markers on top of the "all" ones, which would hide them otherwise
            ax.scatter(
                sub["error_sd"],
                sub["column"],
                marker=marker,
                color=color,
                s=28 if label == "minority" else 18,
                zorder=3 if label == "minority" else 2,
                label=f"{label} q={q:g}",
            )
    ax.axvline(0, color="k", lw=0.8)
    ax.set_title("tail quantile error (real sd)")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=6)

    ax = axes[0, 2]
    d = report.association_diff.to_numpy(dtype=float)
    im = ax.imshow(np.nan_to_num(d), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(d)), report.association_diff.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(len(d)), report.association_diff.index, fontsize=6)
    ax.set_title("association: synthetic - real")
    fig.colorbar(im, ax=ax, shrink=0.7)

    ax = axes[1, 0]
    s = report.privacy_samples
    if s:
        hi = float(np.quantile(np.r_[s["dcr_synthetic"], s["dcr_holdout"]], 0.99)) or 1.0
        bins = np.linspace(0, hi, 40)
        ax.hist(s["dcr_holdout"], bins=bins, alpha=0.6, density=True, label="real holdout")
        ax.hist(s["dcr_synthetic"], bins=bins, alpha=0.6, density=True, label="synthetic")
        ax.legend(fontsize=7)
    ax.set_xlabel("distance to the closest real training record")
    ax.set_ylabel("density")
    ax.set_title("distance to closest real record")

    ax = axes[1, 1]
    names = [f"detect\n{k}" for k in report.detection] + ["membership\ninference"]
    vals = [v["auc"] for v in report.detection.values()] + [report.privacy["membership_auc"]]
    ax.bar(names, vals, color=["tab:purple"] * len(report.detection) + ["tab:gray"])
    ax.axhline(0.5, color="k", ls="--", lw=0.8)
    ax.set_ylim(0, 1)
    ax.set_title("AUCs (0.5 = indistinguishable)")

    ax = axes[1, 2]
    if report.utility is not None:
        u = report.utility
        names = u["setting"].str.split(" ").str[0]
        ax.bar(names, u["pr_auc"].fillna(0.0), color="tab:green")
        # an empty slot would read as PR-AUC 0; say that it was not measured
        for x, v in zip(names, u["pr_auc"], strict=True):
            if not np.isfinite(v):
                ax.text(x, 0.05, "n/a", ha="center", va="bottom", fontsize=9, color="0.3")
        ax.set_ylabel("PR-AUC")
        ax.axhline(
            float(u["test_positive_share"].iloc[0]), color="k", ls="--", lw=0.8, label="no skill"
        )
        ax.legend(fontsize=7)
        ax.set_ylim(0, 1)
    else:
        ax.text(0.5, 0.5, "no target: utility not measured", ha="center", va="center")
    ax.set_title("utility: PR-AUC on real test rows")
    fig.tight_layout()
    return fig


def plot_collapse(report: CollapseReport) -> Any:
    """One small panel per tracked metric against the generation (0 = real data)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    h = report.history
    cols = [c for c in report.plot_columns if c in h.columns]
    n = len(cols)
    ncols = min(3, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.5 * ncols, 3.2 * nrows), squeeze=False)
    for ax, c in zip(axes.ravel(), cols, strict=False):
        ax.plot(h.index, h[c], marker="o")
        ax.axhline(h[c].iloc[0], color="k", ls="--", lw=0.8)
        ax.set_title(c, fontsize=9)
        ax.set_xlabel("generation")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(f"model-collapse check ({report.mode}): generation 0 = real data")
    fig.tight_layout()
    return fig
