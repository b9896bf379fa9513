"""Figures for stress results: metric-versus-severity curves, a heatmap, VaR backtests.

Plots read a :class:`~edgecase.stress.StressReport` or a
:class:`~edgecase.stress.VarBacktest`; they never compute metrics or zones.

Each scenario gets one style (colour, line style, marker) from
:func:`scenario_styles`, used by every series drawn for it, so a marker can never
be read as belonging to a neighbour. Thresholds are drawn per scenario: a single
shared line only when every scenario uses the same one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "plot_curves",
    "plot_heatmap",
    "plot_report",
    "plot_var_backtest",
    "scenario_styles",
    "threshold_margin",
]

_LINESTYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def scenario_styles(names: list[str]) -> dict[str, dict[str, Any]]:
    """One distinct matplotlib style per scenario: tab20 colours, then line styles cycle.

    Up to 20 scenarios differ by colour alone; past 20, each further block of 20
    reuses the colours with another line style and marker, so no two scenarios share
    a (colour, line style) pair.

    Examples
    --------
    >>> st = scenario_styles([f"s{i}" for i in range(25)])
    >>> st["s0"]["color"] == st["s20"]["color"], st["s0"]["ls"] == st["s20"]["ls"]
    (True, False)
    >>> len({s["color"] for s in list(st.values())[:20]})
    20
    """
    import matplotlib

    # tab20 pairs a dark and a light shade; taking the dark shades first keeps the
    # first ten scenarios as far apart as tab10 would
    cmap = matplotlib.colormaps["tab20"]
    order = [*range(0, 20, 2), *range(1, 20, 2)]
    colours = [matplotlib.colors.to_hex(cmap(i)) for i in order]
    out = {}
    for i, name in enumerate(names):
        block = i // len(colours)
        out[name] = {
            "color": colours[i % len(colours)],
            "ls": _LINESTYLES[block % len(_LINESTYLES)],
            "marker": _MARKERS[block % len(_MARKERS)],
        }
    return out


def _model_label(report: Any, model: str | None) -> str:
    return model or getattr(report, "model_name", None) or "model"


def _thresholds(report: Any) -> pd.Series:
    bps = report.breaking_points.set_index("scenario")
    return bps["breaking_threshold"].astype(float)


def _draw_band(ax: Any, df: pd.DataFrame, style: dict[str, Any], name: str) -> None:
    ax.plot(
        df["severity"], df["value"], marker=style["marker"], ms=3, color=style["color"],
        ls=style["ls"], label=name,
    )  # fmt: skip
    ax.fill_between(
        df["severity"], df["ci_low"], df["ci_high"], color=style["color"], alpha=0.15, lw=0
    )
    if "ceiling" in df:
        # the detectability ceiling beside the curve: same colour, dotted, hollow markers
        ax.plot(
            df["severity"], df["ceiling"], color=style["color"], ls=":", lw=1.6, marker="o",
            ms=3, mfc="none",
        )  # fmt: skip


def _draw_break(ax: Any, bp: pd.Series, style: dict[str, Any], last_severity: float) -> None:
    thr = bp["breaking_threshold"]
    if bp.get("status") == "signal_gone":
        # the curve crosses, but so does the ceiling: an open marker, not a break
        ax.plot([bp["breaking_severity"]], [thr], marker="o", ms=10, mfc="none", mew=2,
                color=style["color"])  # fmt: skip
        return
    if not bp["broken"]:
        return
    ax.plot([bp["breaking_severity"]], [thr], marker="X", ms=10, color=style["color"], mec="k")
    hi = bp["ci_high"] if math.isfinite(bp["ci_high"]) else last_severity
    # the interval of the crossing severity over bootstrap draws
    ax.hlines(thr, bp["ci_low"], hi, color=style["color"], lw=3, alpha=0.6)


def _draw_thresholds(ax: Any, thr: pd.Series, styles: dict[str, dict[str, Any]]) -> None:
    """One shared line if every scenario uses the same threshold, else one per scenario."""
    values = thr.to_numpy()
    if np.allclose(values, values[0]):
        ax.axhline(values[0], color="k", ls="--", lw=1, label="breaking threshold")
        return
    for name, v in thr.items():
        ax.axhline(v, color=styles[name]["color"], ls=":", lw=1)
    # a proxy entry explains the dotted lines once
    ax.plot([], [], color="0.3", ls=":", lw=1, label="breaking threshold (own per scenario)")


def plot_curves(report: Any, ax: Any = None, *, model: str | None = None):
    """Metric versus severity per scenario, with the CI band, each scenario's breaking
    threshold and a marker (with its CI as a horizontal bar) at each breaking severity.
    With a detectability ceiling the ceiling is drawn dotted in the scenario's colour and
    a "signal gone" crossing gets an open circle instead of a break marker.

    ``model`` names the model in the title. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    groups = list(report.curves.groupby("scenario", sort=False))
    styles = scenario_styles([name for name, _ in groups])
    bps = report.breaking_points.set_index("scenario")
    last = float(report.severities[-1])
    for name, df in groups:
        _draw_band(ax, df, styles[name], name)
        _draw_break(ax, bps.loc[name], styles[name], last)
    _draw_thresholds(ax, _thresholds(report).reindex([n for n, _ in groups]), styles)
    ax.plot([], [], ls="", marker="X", ms=8, color="0.6", mec="k", label="breaks here (bar: CI)")
    if "ceiling" in report.curves:
        ax.plot([], [], color="0.3", ls=":", lw=1.6, marker="o", ms=3, mfc="none",
                label="ceiling: reference fitted on the stressed rows")  # fmt: skip
    if "status" in bps and (bps["status"] == "signal_gone").any():
        ax.plot([], [], ls="", marker="o", ms=8, mfc="none", mew=2, color="0.3",
                label="signal gone here (ceiling past the threshold too)")  # fmt: skip
    ax.set_xlabel("severity (0 = data as is, 1 = historic worst)")
    ax.set_ylabel(report.metric)
    ax.set_title(
        f"{_model_label(report, model)}: {report.metric} under stress "
        f"({report.ci_level:.0%} bootstrap bands)"
    )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    return ax


def threshold_margin(report: Any) -> pd.DataFrame:
    """Scenario x severity margin of the conservative CI bound over the scenario's own
    breaking threshold, relative to that threshold (zero or negative = broken).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> curves = pd.DataFrame({"scenario": ["a", "a"], "severity": [0.0, 1.0],
    ...                        "value": [0.9, 0.5], "ci_low": [0.8, 0.4], "ci_high": [1.0, 0.6]})
    >>> bps = pd.DataFrame({"scenario": ["a"], "breaking_threshold": [0.5]})
    >>> rep = SimpleNamespace(curves=curves, breaking_points=bps, greater_is_better=True)
    >>> threshold_margin(rep).round(2).to_numpy().tolist()
    [[0.6, -0.2]]
    """
    order = list(dict.fromkeys(report.curves["scenario"]))
    col = "ci_low" if report.greater_is_better else "ci_high"
    bound = report.curves.pivot(index="scenario", columns="severity", values=col).loc[order]
    thr = _thresholds(report).reindex(order).to_numpy()[:, None]
    sign = 1.0 if report.greater_is_better else -1.0
    scale = np.maximum(np.abs(thr), 1e-12)
    return pd.DataFrame(sign * (bound.to_numpy() - thr) / scale, bound.index, bound.columns)


_AT_THRESHOLD = 1e-12  # relative margin that counts as "at the threshold" (float noise)


def _margin_cmap():
    """Reds below zero (broken, however slightly), greens above."""
    import matplotlib

    reds = matplotlib.colormaps["Reds"](np.linspace(0.95, 0.45, 128))
    greens = matplotlib.colormaps["Greens"](np.linspace(0.25, 0.85, 128))
    return matplotlib.colors.ListedColormap(np.vstack([reds, greens]), name="margin")


def plot_heatmap(report: Any, ax: Any = None, *, model: str | None = None):
    """Scenario x severity heatmap coloured by each scenario's own breaking threshold:
    red where the conservative CI bound is past it (broken, outlined), green where not.
    Cells print the metric itself. Returns the Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    margin = threshold_margin(report)
    order = list(margin.index)
    value = report.curves.pivot(index="scenario", columns="severity", values="value").loc[order]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(7, 0.6 * margin.shape[1] + 4), 0.45 * len(order) + 2))
    m = margin.to_numpy()
    broken = m <= _AT_THRESHOLD
    # a bound exactly at the threshold counts as broken, as in the harness; the colour
    # scale stops at +-100% so that one far-off cell does not wash out the rest
    shown = np.clip(np.where(broken, np.minimum(m, -1e-6), m), -1.0, 1.0)
    im = ax.imshow(
        shown, aspect="auto", cmap=_margin_cmap(), norm=TwoSlopeNorm(0.0, -1.0, 1.0),
        interpolation="nearest",
    )  # fmt: skip
    bound = "lower" if report.greater_is_better else "upper"
    ax.figure.colorbar(
        im, ax=ax, extend="both",
        label=f"{bound} CI bound vs own breaking threshold\n(relative; <= 0 = broken)",
    )  # fmt: skip
    ax.set_yticks(range(len(order)), order)
    ax.set_xticks(range(m.shape[1]), [f"{s:g}" for s in margin.columns], rotation=90)
    ax.set_xlabel("severity")
    for i, j in np.ndindex(m.shape):
        ax.text(j, i, f"{value.iat[i, j]:.2f}", ha="center", va="center", fontsize=6)
        if broken[i, j]:
            ax.add_patch(
                plt.Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, ec="k", lw=1.2, zorder=3)
            )
    ax.set_title(
        f"{_model_label(report, model)}: {report.metric} by scenario and severity (outlined: broken)"
    )
    return ax


def plot_report(report: Any, kind: str = "both", *, model: str | None = None):
    """A Figure with the curves, the heatmap, or both stacked (full width each)."""
    import matplotlib.pyplot as plt

    from edgecase._validate import check_choice
    from edgecase.errors import InvalidParameterError

    check_choice(kind, "kind", ["both", "curves", "heatmap"], error=InvalidParameterError)
    if kind == "curves":
        return plot_curves(report, model=model).figure
    if kind == "heatmap":
        return plot_heatmap(report, model=model).figure
    n = report.curves["scenario"].nunique()
    fig, (a1, a2) = plt.subplots(
        2, 1, figsize=(12, 5 + 0.4 * n + 2), height_ratios=[5, 0.4 * n + 2]
    )
    plot_curves(report, a1, model=model)
    plot_heatmap(report, a2, model=model)
    fig.tight_layout()
    return fig


def _zone_bands(ax: Any, result: Any, top: int) -> list[Any]:
    """Basel green/yellow/red bands, each labelled with its exception counts."""
    from matplotlib.patches import Patch

    # a zone that starts above the axis (or nowhere) is drawn from its top
    starts = {k: top if v is None else min(v, top) for k, v in result.zone_starts.items()}
    yellow, red = starts["yellow"], starts["red"]
    bands = [
        ("tab:green", 0.15, -0.5, yellow - 0.5, f"green zone (0-{yellow - 1})"),
        ("gold", 0.25, yellow - 0.5, red - 0.5, f"yellow zone ({yellow}-{red - 1})"),
        ("tab:red", 0.15, red - 0.5, top, f"red zone ({red}+)"),
    ]
    handles = []
    for colour, alpha, lo, hi, label in bands:
        ax.axhspan(lo, hi, color=colour, alpha=alpha, lw=0)
        handles.append(Patch(color=colour, alpha=min(1.0, 2 * alpha), label=label))
    return handles


def _draw_returns_vs_var(ax: Any, returns: pd.Series, var: pd.Series, alpha: float) -> None:
    r = pd.Series(returns).reindex(var.index)
    hit = r.to_numpy() < -var.to_numpy()
    ax.plot(r.index, r.to_numpy(), color="0.55", lw=0.6, label="daily return")
    ax.plot(var.index, -var.to_numpy(), color="tab:blue", lw=1.2, label=f"-VaR {alpha:.0%}")
    ax.scatter(r.index[hit], r.to_numpy()[hit], color="tab:red", s=14, zorder=3,
               label=f"exception ({int(hit.sum())})")  # fmt: skip
    ax.set_ylabel("return")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)


def plot_var_backtest(result: Any, ax: Any = None, *, returns: Any = None, var: Any = None):
    """Exceptions in the trailing window with labelled Basel green/yellow/red zones.

    With ``returns`` and ``var`` (the series passed to :func:`var_backtest`), a second
    panel above shows the returns against -VaR with each exception marked; the
    Axes returned is then the exceptions panel. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    both = returns is not None and var is not None
    if ax is None and both:
        _, (top, ax) = plt.subplots(2, 1, figsize=(11, 6), sharex=True, height_ratios=[1.3, 1])
        _draw_returns_vs_var(top, returns, pd.Series(var), result.alpha)
    elif ax is None:
        _, ax = plt.subplots(figsize=(11, 3.5))
    z = result.zones
    x = z.index if isinstance(z.index, pd.DatetimeIndex) else np.arange(len(z))
    counts = np.arange(0, max(int(z["exceptions"].max()) + 3, 12))
    handles = _zone_bands(ax, result, int(counts[-1]))
    (line,) = ax.step(x, z["exceptions"], where="post", color="k", lw=1,
                      label=f"exceptions in trailing {result.window} days")  # fmt: skip
    ax.legend(handles=[line, *handles], fontsize=7, loc="upper left")
    ax.set_ylabel(f"exceptions / {result.window} days")
    ax.set_ylim(-0.5, counts[-1])
    ax.figure.suptitle(
        f"VaR {result.alpha:.0%} backtest: {result.n_exceptions} exceptions vs "
        f"{result.expected_exceptions:.1f} expected (Kupiec p={result.kupiec_p:.3g}); "
        f"worst zone {result.worst_zone}"
    )
    return ax
