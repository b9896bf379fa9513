"""Figures for the training stage; ``edgecase.plot`` gathers them with the other stages' figures."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_comparison"]


def _no_skill_line(ax: Any, result: Any) -> None:
    """PR-AUC of a model that ranks at random: the positive rate."""
    settings = getattr(result, "settings", None) or {}
    if settings.get("n_rows"):
        rate = settings["n_positive"] / settings["n_rows"]
        ax.axvline(rate, color="0.4", ls="--", lw=1, label=f"no skill (positive rate {rate:.3g})")
        ax.legend(fontsize=8, loc="lower right")


def plot_comparison(result: Any, ax: Any = None) -> Any:
    """Left: PR-AUC mean +- sd per sampler. Right: paired difference vs each baseline, 95% CI.

    Hollow markers are differences within noise (the interval covers 0). Returns the Figure.
    """
    import matplotlib.pyplot as plt

    table = result.sort_values("pr_auc_mean")
    names = list(table.index)
    ypos = np.arange(len(names))
    bases = [b for b in ("none", "scale_pos_weight") if f"diff_vs_{b}" in table.columns]
    if ax is None:
        fig, axes = plt.subplots(
            1, 1 + bool(bases), figsize=(9.5, 0.45 * len(names) + 1.6), sharey=True, squeeze=False
        )
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
        fig = axes[0].figure
    left = axes[0]
    mean, sd = table["pr_auc_mean"].to_numpy(), table["pr_auc_sd"].to_numpy()
    # PR-AUC lives in [0, 1]: a whisker past either end would show an impossible score
    xerr = [mean - np.clip(mean - sd, 0, 1), np.clip(mean + sd, 0, 1) - mean]
    left.errorbar(mean, ypos, xerr=xerr, fmt="o", color="C0", capsize=3)
    _no_skill_line(left, result)
    left.set_xlim(0, 1.02)
    left.set_yticks(ypos, names)
    left.set_xlabel("PR-AUC (mean +- sd over folds, clipped to [0, 1])")
    left.grid(axis="x", alpha=0.3)
    if bases and len(axes) > 1:
        right = axes[1]
        for j, base in enumerate(bases):
            off = (j - (len(bases) - 1) / 2) * 0.2
            diff = table[f"diff_vs_{base}"].to_numpy()
            lo = diff - table[f"ci_low_vs_{base}"].to_numpy()
            hi = table[f"ci_high_vs_{base}"].to_numpy() - diff
            noise = table[f"within_noise_vs_{base}"].to_numpy(dtype=bool)
            color = f"C{j + 1}"
            right.errorbar(diff, ypos + off, xerr=[lo, hi], fmt="none", ecolor=color, capsize=3)
            right.scatter(diff[~noise], ypos[~noise] + off, color=color, label=f"vs {base}")
            right.scatter(
                diff[noise],
                ypos[noise] + off,
                facecolors="none",
                edgecolors=color,
                label=f"vs {base} (within noise)",
            )
        right.axvline(0.0, color="0.4", lw=1)
        right.set_xlabel("paired PR-AUC difference (95% CI, Nadeau-Bengio)")
        right.legend(
            fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False
        )
        right.grid(axis="x", alpha=0.3)
    fig.suptitle("Sampler comparison on identical folds")
    fig.tight_layout()
    return fig
