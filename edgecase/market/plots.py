"""Market figures: fan chart of paths and the realism scorecard. Each returns a Figure."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fan_chart", "scorecard_plot", "portfolio_stress_plot"]


def fan_chart(
    paths: Any,
    *,
    asset: int | str = 0,
    s0: float = 100.0,
    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95),
    n_samples: int = 5,
    ax: Any = None,
    title: str | None = None,
):
    """Price fan chart: quantile bands over paths, the median and a few sample paths.

    Examples
    --------
    >>> from edgecase.market import make_process
    >>> fig = make_process("garch").simulate(50, 30, random_state=0).plot()
    >>> len(fig.axes)
    1
    """
    import matplotlib.pyplot as plt

    a = paths.assets.index(asset) if isinstance(asset, str) else int(asset)
    prices = paths.prices(s0)[:, :, a]
    x = np.arange(prices.shape[1])
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5))
    else:
        fig = ax.figure
    qs = sorted(quantiles)
    band = np.quantile(prices, qs, axis=0)
    for i in range(len(qs) // 2):
        ax.fill_between(
            x,
            band[i],
            band[-1 - i],
            alpha=0.15 + 0.15 * i,
            color="tab:blue",
            lw=0,
            label=f"{qs[i]:.0%}-{qs[-1 - i]:.0%}",
        )
    if len(qs) % 2:
        ax.plot(x, band[len(qs) // 2], color="tab:blue", lw=2, label="median")
    for i in range(min(n_samples, prices.shape[0])):
        ax.plot(x, prices[i], lw=0.8, alpha=0.8, color="0.3")
    scen = paths.meta.get("scenario")
    ax.set_title(
        title or f"{paths.assets[a]}: {paths.n_paths} paths" + (f" ({scen})" if scen else "")
    )
    ax.set_xlabel("step (trading day)")
    ax.set_ylabel(f"price (start {s0:g})")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def scorecard_plot(card: Any, *, max_lag: int | None = None):
    """Four panels: ACF of |r|, leverage, log-density of daily returns, group scores.

    Examples
    --------
    >>> import numpy as np
    >>> from edgecase.market.facts import realism_scorecard
    >>> rng = np.random.default_rng(0)
    >>> card = realism_scorecard(rng.standard_t(4, (3, 600)) * 0.01, rng.standard_t(4, 600) * 0.01)
    >>> len(card.plot().axes)
    4
    """
    import matplotlib.pyplot as plt

    fr, fs = card.facts_real, card.facts_sim
    lags = sorted(
        int(k.split("_")[-1]) for k in fr.index if k.startswith("acf_abs_") and k[-1].isdigit()
    )
    if max_lag:
        lags = [k for k in lags if k <= max_lag]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    ax = axes[0, 0]
    ax.plot(lags, [fr[f"acf_abs_{k}"] for k in lags], label="real", color="k")
    ax.plot(lags, [fs[f"acf_abs_{k}"] for k in lags], label="sim (median path)", color="tab:red")
    ax.set_xscale("log")
    ax.set_title("ACF of |r| (volatility clustering)")
    ax.set_xlabel("lag (days)")
    ax.legend()
    ax = axes[0, 1]
    ll = range(1, 21)
    ax.plot(ll, [fr[f"leverage_{k}"] for k in ll], "k-o", ms=3, label="real")
    ax.plot(ll, [fs[f"leverage_{k}"] for k in ll], "-o", color="tab:red", ms=3, label="sim")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_title("leverage corr(r_t, |r_t+k|)")
    ax.set_xlabel("k (days)")
    ax.legend()
    ax = axes[1, 0]
    r, s = card.returns_real.ravel(), card.returns_sim.ravel()
    lim = np.quantile(np.abs(r), 0.9995) * 1.5
    bins = np.linspace(-lim, lim, 81)
    for data, lab, col in ((r, "real", "k"), (s, "sim", "tab:red")):
        h, e = np.histogram(data, bins=bins, density=True)
        ax.semilogy((e[1:] + e[:-1]) / 2, np.where(h > 0, h, np.nan), color=col, label=lab)
    ax.set_title("daily return density (log scale)")
    ax.legend()
    ax = axes[1, 1]
    g = card.group_scores()
    ax.barh(g.index, g.to_numpy(), color="tab:blue")
    ax.set_xlim(0, 1)
    ax.set_title(f"group scores (combined {card.score:.3f})")
    fig.tight_layout()
    return fig


def portfolio_stress_plot(result: Any, ax: Any = None):
    """VaR (solid) and ES (dashed) of a book against severity, one colour per scenario, with
    the bootstrap intervals as bands; returns the Figure.

    Examples
    --------
    >>> import pandas as pd
    >>> from edgecase.market.portfolio import PortfolioStress
    >>> t = pd.DataFrame({"scenario": ["crash"] * 2, "severity": [0.0, 1.0], "var": [0.1, 0.3],
    ...     "var_low": [0.09, 0.28], "var_high": [0.11, 0.32], "es": [0.12, 0.35],
    ...     "es_low": [0.1, 0.33], "es_high": [0.14, 0.37]})
    >>> len(PortfolioStress(t, 0.99, 252, 1000, 0.9).plot().axes)
    1
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5))
    else:
        fig = ax.figure
    t = result.table
    for i, (name, g) in enumerate(t.groupby("scenario", sort=False)):
        col = f"C{i}"
        g = g.sort_values("severity")
        ax.plot(g["severity"], g["var"], "-o", color=col, ms=3, label=f"{name} VaR")
        ax.fill_between(g["severity"], g["var_low"], g["var_high"], color=col, alpha=0.2)
        ax.plot(g["severity"], g["es"], "--", color=col, lw=1)
        ax.fill_between(g["severity"], g["es_low"], g["es_high"], color=col, alpha=0.1)
    ax.set_xlabel("severity (0 = calibrated base, 1 = historic worst)")
    ax.set_ylabel(f"{result.horizon}-day loss, fraction of book")
    ax.set_title(f"{result.level:.0%} VaR (solid) and ES (dashed), {result.ci:.0%} bootstrap bands")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
