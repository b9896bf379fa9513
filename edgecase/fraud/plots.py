"""Figures for the fraud stage (re-exported by :mod:`edgecase.plot`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edgecase._validate import as_frame, check_choice
from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = ["plot_synthetic", "plot_typologies"]


def plot_synthetic(
    X: pd.DataFrame,
    y: Sequence,
    X_new: pd.DataFrame,
    *,
    x: str,
    y_col: str,
    max_points: int = 5_000,
) -> Figure:
    """Scatter of legit rows, real fraud rows and synthetic fraud rows on two columns.

    Examples
    --------
    >>> from edgecase.datasets import load_keel
    >>> from edgecase.fraud import FraudScenarioGenerator
    >>> X, y = load_keel("yeast5")
    >>> new = FraudScenarioGenerator().fit(X, y).generate(200, random_state=0)
    >>> fig = plot_synthetic(X, y, new, x="Mcg", y_col="Gvh")
    >>> len(fig.axes)
    1
    """
    X = as_frame(X, name="X")
    X_new = as_frame(X_new, name="X_new")
    for c in (x, y_col):
        check_choice(c, "column", [str(k) for k in X.columns], error=InvalidParameterError)
    y = np.asarray(y)
    if len(y) != len(X):
        raise InvalidInputError(f"X has {len(X)} rows but y has {len(y)}.")
    rng = np.random.default_rng(0)
    fig = Figure(figsize=(6, 5))
    ax = fig.add_subplot()
    groups = (
        (X[y == 0], "legit", "#9aa5b1", 8),
        (X[y == 1], "real fraud", "#d62728", 22),
        (X_new, "synthetic fraud", "#ff7f0e", 10),
    )
    for df, label, color, size in groups:
        if len(df) > max_points:
            df = df.iloc[rng.choice(len(df), max_points, replace=False)]
        ax.scatter(df[x], df[y_col], s=size, c=color, alpha=0.6, label=f"{label} ({len(df)})")
    ax.set_xlabel(x)
    ax.set_ylabel(y_col)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Synthetic fraud variations")
    return fig


def plot_typologies(df: pd.DataFrame) -> Figure:
    """Per typology: median amount_to_median, mean txn_count_1h, median distance and new-device share.

    Examples
    --------
    >>> from edgecase.fraud import simulate_transactions
    >>> fig = plot_typologies(simulate_transactions(5_000, fraud_rate=0.05, random_state=0,
    ...                                             progress=False))
    >>> len(fig.axes)
    4
    """
    df = as_frame(df, name="df")
    cols = ["amount_to_median", "txn_count_1h", "distance_from_home_km", "is_new_device"]
    missing = [c for c in [*cols, "typology"] if c not in df.columns]
    if missing:
        raise InvalidInputError(f"df is missing simulator column(s) {missing}.")
    stats = df.groupby("typology", observed=True)[cols].agg(
        {
            "amount_to_median": "median",
            "txn_count_1h": "mean",
            "distance_from_home_km": "median",
            "is_new_device": "mean",
        }
    )
    labels = {
        "amount_to_median": "median of amount_to_median",
        "txn_count_1h": "mean of txn_count_1h",
        "distance_from_home_km": "median of distance_from_home_km",
        "is_new_device": "share with is_new_device (mean)",
    }
    fig = Figure(figsize=(10, 6))
    for i, c in enumerate(cols):
        ax = fig.add_subplot(2, 2, i + 1)
        ax.barh(stats.index.astype(str), stats[c].to_numpy(), color="#4c72b0")
        ax.set_title(labels[c], fontsize=9)
        ax.set_xlabel(labels[c].split(" of ")[0], fontsize=7)
        ax.tick_params(labelsize=7)
    fig.suptitle("Typology fingerprints: one statistic per feature and typology (legit included)")
    fig.tight_layout()
    return fig
