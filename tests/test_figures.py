"""Every figure is rendered and its artists checked: the figures cannot mislead.

Stress reports are built by hand so that which scenario breaks, and at which
threshold, is known exactly; the other figures come from real (small) runs.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from edgecase.stress import StressReport
from edgecase.stress.plots import (
    plot_curves,
    plot_heatmap,
    plot_report,
    plot_var_backtest,
    scenario_styles,
    threshold_margin,
)

SEV = np.linspace(0.0, 2.0, 5)


def _report(n_scen: int, own_thresholds: bool) -> StressReport:
    """Scenario i loses i/n of its recall per unit severity; odd ones have their own baseline."""
    rows, bps = [], []
    for i in range(n_scen):
        start = 0.9 - (0.2 if own_thresholds and i % 2 else 0.0)
        value = np.clip(start - (i / n_scen) * SEV / 2, 0, 1)
        for s, v in zip(SEV, value, strict=True):
            rows.append(dict(scenario=f"s{i}", severity=s, value=v, ci_low=v - 0.03,
                             ci_high=v + 0.03, n=1000, n_pos=50))  # fmt: skip
        thr = 0.8 * start
        below = np.nonzero(value - 0.03 < thr)[0]
        broken = bool(len(below))
        sev = float(SEV[below[0]]) if broken else np.inf
        bps.append(dict(scenario=f"s{i}", breaking_severity=sev, ci_low=sev - 0.1 if broken else np.inf,
                        ci_high=sev + 0.1 if broken else np.inf, point_severity=sev,
                        share_draws_broken=float(broken), broken=broken, reason="",
                        breaking_threshold=thr))  # fmt: skip
    return StressReport(
        metric="recall", greater_is_better=True, threshold=0.5, alert_rate=0.01,
        breaking_threshold=0.72, baseline=0.9, severities=SEV, curves=pd.DataFrame(rows),
        breaking_points=pd.DataFrame(bps),
    )  # fmt: skip


def _hlines(ax) -> list[Line2D]:
    """Horizontal lines spanning the axes (axhline): threshold lines."""
    out = []
    for ln in ax.get_lines():
        x = np.asarray(ln.get_xdata(), dtype=float)
        y = np.asarray(ln.get_ydata(), dtype=float)
        if len(x) == 2 and np.allclose(x, [0, 1]) and np.isclose(y[0], y[1]):
            out.append(ln)
    return out


@pytest.mark.parametrize("n_scen", [12, 22])
def test_scenario_curves_never_share_a_style(n_scen):
    rep = _report(n_scen, own_thresholds=True)
    ax = plot_curves(rep, model="baseline XGBoost")
    names = [f"s{i}" for i in range(n_scen)]
    curves = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label() in names}
    assert set(curves) == set(names)
    styles = {(to_hex(ln.get_color()), ln.get_linestyle()) for ln in curves.values()}
    assert len(styles) == n_scen
    if n_scen <= 20:
        assert len({to_hex(ln.get_color()) for ln in curves.values()}) == n_scen
    # each breaking marker wears its own scenario's colour
    bps = rep.breaking_points.set_index("scenario")
    markers = [ln for ln in ax.get_lines() if ln.get_marker() == "X" and len(ln.get_xdata())]
    assert len(markers) == int(bps["broken"].sum())
    colour_of = {to_hex(ln.get_color()): n for n, ln in curves.items()}
    for m in markers:
        owner = colour_of[to_hex(m.get_color())] if n_scen <= 20 else None
        if owner is not None:
            assert bps.loc[owner, "broken"]
            assert np.isclose(m.get_ydata()[0], bps.loc[owner, "breaking_threshold"])
    plt.close("all")


def test_curves_title_names_model_and_metric_and_axes_are_labelled():
    ax = plot_curves(_report(4, False), model="augmented XGBoost")
    assert "augmented XGBoost" in ax.get_title() and "recall" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel() == "recall"
    # the CI band is drawn once per scenario
    assert len(ax.collections) >= 4
    plt.close("all")


@pytest.mark.parametrize("own", [False, True])
def test_every_threshold_line_is_one_a_scenario_uses(own):
    rep = _report(6, own_thresholds=own)
    ax = plot_curves(rep)
    used = rep.breaking_points["breaking_threshold"].to_numpy()
    lines = _hlines(ax)
    assert lines
    for ln in lines:
        assert np.isclose(ln.get_ydata()[0], used).any(), ln.get_ydata()[0]
    assert len(lines) == (6 if own else 1)
    if own:
        # each scenario's own line wears its colour and sits at its threshold
        curves = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label().startswith("s")}
        thr = rep.breaking_points.set_index("scenario")["breaking_threshold"]
        got = {(to_hex(ln.get_color()), round(ln.get_ydata()[0], 9)) for ln in lines}
        want = {(to_hex(curves[n].get_color()), round(t, 9)) for n, t in thr.items()}
        assert got == want
    plt.close("all")


def test_heatmap_red_exactly_where_broken_against_own_threshold():
    rep = _report(8, own_thresholds=True)
    ax = plot_heatmap(rep, model="m")
    margin = threshold_margin(rep).to_numpy()
    im = ax.get_images()[0]
    rgba = im.cmap(im.norm(im.get_array()))
    red = rgba[..., 0] > rgba[..., 1]
    assert ((margin <= 1e-12) == red).all()
    # both kinds occur, and an unbroken low-baseline cell (absolute value below other
    # scenarios' thresholds) is still green
    assert red.any() and (~red).any()
    value = rep.curves.pivot(index="scenario", columns="severity", values="value").to_numpy()
    assert (~red & (value < 0.72)).any()
    outlined = [p for p in ax.patches if not p.get_fill()]
    assert len(outlined) == int((margin <= 1e-12).sum())
    cbar = ax.figure.axes[-1]
    assert "threshold" in cbar.get_ylabel()
    assert "m:" in ax.get_title() and "recall" in ax.get_title()
    plt.close("all")


def test_report_figure_has_both_panels_full_width():
    fig = plot_report(_report(3, False), model="m")
    main = [a for a in fig.axes if a.get_images() or a.get_lines()][:2]
    assert len(main) == 2
    # stacked, not side by side: both panels start at the same left edge
    assert abs(main[0].get_position().x0 - main[1].get_position().x0) < 0.05
    plt.close("all")


def test_styles_stay_distinct_past_twenty():
    st = scenario_styles([f"s{i}" for i in range(45)])
    assert len({(s["color"], s["ls"]) for s in st.values()}) == 45


def test_var_backtest_shows_returns_var_exceptions_and_named_zones():
    from edgecase.stress import var_backtest

    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2007-01-01", periods=600)
    r = pd.Series(rng.standard_t(4, 600) * 0.01, idx)
    var = pd.Series(0.02, idx)
    bt = var_backtest(r, var, alpha=0.99, random_state=0)
    ax = plot_var_backtest(bt, returns=r, var=var)
    fig = ax.figure
    assert len(fig.axes) == 2
    top = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("green zone") for lab in labels)
    assert any(lab.startswith("yellow zone") for lab in labels)
    assert any(lab.startswith("red zone") for lab in labels)
    top_labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert f"exception ({bt.n_exceptions})" in top_labels
    assert any("VaR" in lab for lab in top_labels)
    plt.close("all")


def test_comparison_whiskers_stay_in_range_with_no_skill_line():
    from xgboost import XGBClassifier

    from edgecase.datasets import load_keel
    from edgecase.train import compare

    X, y = load_keel("yeast4")
    res = compare(X, y, samplers=["none", "smote"], cv=2, repeats=1, random_state=0,
                  estimator=XGBClassifier(n_estimators=5, n_jobs=1), progress=False)  # fmt: skip
    fig = res.plot()
    left = fig.axes[0]
    segs = np.concatenate(
        [c.get_segments() for c in left.collections if hasattr(c, "get_segments")]
    )
    assert segs[..., 0].min() >= 0 and segs[..., 0].max() <= 1
    rate = float(np.mean(y))
    vlines = [ln for ln in left.get_lines() if np.allclose(ln.get_ydata(), [0, 1])]
    assert any(np.isclose(ln.get_xdata()[0], rate) for ln in vlines)
    plt.close("all")


def test_quality_plot_labels_empty_tstr_dcr_axes_and_minority_on_top():
    from imblearn.over_sampling import SMOTE

    from edgecase.datasets import load_keel
    from edgecase.quality import evaluate

    X, y = load_keel("yeast4")
    ref = X.assign(y=y)
    n_min = int(y.sum())
    Xr, _ = SMOTE(sampling_strategy={1: 3 * n_min}, random_state=0).fit_resample(X, y)
    synth = Xr.iloc[len(X) :].assign(y=np.int8(1)).reset_index(drop=True)
    rep = evaluate(ref, synth, target="y", random_state=0, progress=False)
    fig = rep.plot()
    axes = fig.axes
    util = next(a for a in axes if a.get_title().startswith("utility"))
    assert "n/a" in [t.get_text() for t in util.texts]
    dcr = next(a for a in axes if a.get_title().startswith("distance"))
    assert dcr.get_xlabel() and dcr.get_ylabel()
    tails = next(a for a in axes if a.get_title().startswith("tail"))
    z = {c.get_label().split()[0]: c.get_zorder() for c in tails.collections}
    if "minority" in z:
        assert z["minority"] > z["all"]
    plt.close("all")


def test_typology_panels_name_their_statistic():
    from edgecase.fraud import simulate_transactions
    from edgecase.fraud.plots import plot_typologies

    fig = plot_typologies(
        simulate_transactions(3_000, fraud_rate=0.05, random_state=0, progress=False)
    )
    for ax in fig.axes:
        assert ax.get_title().split()[0] in {"median", "mean", "share"}


def test_heatmap_bound_exactly_at_threshold_is_red_and_outlined():
    """The harness calls a bound at the threshold broken; so does the colour."""
    rep = _report(2, own_thresholds=False)
    bps = rep.breaking_points.copy()
    first = rep.curves.index[0]
    bps.loc[0, "breaking_threshold"] = rep.curves.loc[first, "ci_low"]
    rep.breaking_points = bps
    ax = plot_heatmap(rep)
    im = ax.get_images()[0]
    r, g = im.cmap(im.norm(im.get_array()))[0, 0, :2]
    assert r > g
    assert any(p.get_xy() == (-0.45, -0.45) for p in ax.patches)
    plt.close("all")
