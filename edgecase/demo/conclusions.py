"""What the demo report says: breaking points as a reader sees them, and the conclusions.

Text and tables built from the demo's results (the stress reports, the hold-out scores,
the hardening history, the VaR backtest); nothing here runs a model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SMOKE_NOTE = (
    "SMOKE TEST (--quick): 30,000 transactions (1% fraud), 50 bootstrap draws, 300 simulated frauds "
    "per typology severity. The pipeline ran end to "
    "end, but with this few test frauds the numbers are not evidence; run without --quick."
)


def _bp_display(rep: Any, model: str | None = None) -> pd.DataFrame:
    """Breaking points as a reader sees them: one spelling ("not broken"), CI as text."""
    last = float(rep.severities[-1])
    rows = []
    for bp in rep.breaking_points.itertuples():
        hi = f"{bp.ci_high:.2f}" if np.isfinite(bp.ci_high) else f"beyond {last:g}"
        rows.append(
            {
                **({"model": model} if model else {}),
                "scenario": bp.scenario,
                "breaking severity": _break_text(bp),
                "95% CI": f"{bp.ci_low:.2f} to {hi}" if np.isfinite(bp.breaking_severity) else "",
                "earliest plausible": _severity_text(bp.earliest_plausible_severity, last),
                # the detectability ceiling where the model is seen broken (last severity if never)
                "ceiling": round(float(getattr(bp, "ceiling", np.nan)), 3),
                "breaking threshold": round(float(bp.breaking_threshold), 3),
                "note": bp.reason,
            }
        )
    return pd.DataFrame(rows)


def _break_text(bp: Any) -> str:
    if bp.status == "signal_gone":
        return f"signal gone at {bp.breaking_severity:.2f}"
    if bp.status == "inconclusive":
        return "inconclusive"
    return f"{bp.breaking_severity:.2f}" if bp.broken else "not broken"


def _severity_text(value: float, last: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else f"beyond {last:g}"


def _summary_display(fraud: dict[str, Any], market: dict[str, Any]) -> pd.DataFrame:
    reps = [*fraud["reports"].items(), ("crash classifier", market["report"])]
    return pd.concat([_bp_display(rep, label) for label, rep in reps], ignore_index=True)


def paired_pr_auc_diff(
    y: np.ndarray, s_a: np.ndarray, s_b: np.ndarray, *, n_boot: int = 200, seed: int = 0
) -> tuple[float, float, float]:
    """PR-AUC of ``s_b`` minus that of ``s_a`` and its 95% paired, stratified bootstrap CI.

    Both models are scored on the same resampled rows (positives and negatives
    resampled separately), so the interval is of the difference, not of each score.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[np.ones(50), np.zeros(950)]
    >>> s = y + rng.normal(size=1000)
    >>> d, lo, hi = paired_pr_auc_diff(y, s, s, n_boot=20)
    >>> (d, lo, hi)
    (0.0, 0.0, 0.0)
    """
    from sklearn.metrics import average_precision_score as ap

    y = np.asarray(y)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.r_[rng.choice(pos, pos.size), rng.choice(neg, neg.size)]
        diffs[b] = ap(y[idx], s_b[idx]) - ap(y[idx], s_a[idx])
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    return float(ap(y, s_b) - ap(y, s_a)), float(lo), float(hi)


def _model_verdict(fraud: dict[str, Any], n_boot: int, seed: int) -> str:
    """The severity-0 cost of hardening: the paired PR-AUC difference on the test window."""
    y, sc = fraud["y_test"], fraud["scores"]
    d, lo, hi = paired_pr_auc_diff(y, sc["baseline"], sc["hardened"], n_boot=n_boot, seed=seed)
    pr = fraud["test"]["pr_auc"]
    if fraud["models"]["hardened"] is fraud["models"]["baseline"]:
        verdict = "no harden round passed the guard, so the hardened model is the baseline"
    elif lo > 0:
        verdict = "the hardened model is better, beyond noise"
    elif hi < 0:
        verdict = (
            "the hardened model is worse, beyond noise: hardening costs accuracy at severity 0"
        )
    else:
        verdict = "the hardened model is within noise of the baseline: no cost or gain is shown"
    return (
        f"Which fraud model is better at severity 0 (the cost of hardening): hold-out PR-AUC "
        f"{pr['hardened']:.3f} (hardened) against {pr['baseline']:.3f} (baseline), a difference "
        f"of {d:+.3f} (95% paired bootstrap CI {lo:+.3f} to {hi:+.3f}, "
        f"{fraud['n_test_fraud']} test frauds): {verdict}."
    )


def _breaking_shift(reports: dict[str, Any]) -> str:
    """How the hardened model's breaking points compare with the baseline's, scenario by scenario."""
    base = reports["baseline"].breaking_points.set_index("scenario")
    hard = reports["hardened"].breaking_points.set_index("scenario")
    b = base["breaking_severity"].astype(float)
    h = hard["breaking_severity"].reindex(b.index).astype(float)
    later, earlier = int((h > b).sum()), int((h < b).sum())
    clear = [
        name
        for name in b.index
        if hard.at[name, "ci_low"] > base.at[name, "ci_high"]
        or base.at[name, "ci_low"] > hard.at[name, "ci_high"]
    ]
    sep = f"; the 95% intervals do not overlap on {', '.join(clear)}" if clear else (
        "; every pair of 95% intervals overlaps, so no shift is shown beyond noise"
    )  # fmt: skip
    return (
        f"Breaking points, hardened against baseline: later on {later}, earlier on {earlier} "
        f"and the same on {len(b) - later - earlier} of {len(b)} scenarios{sep}."
    )


def _harden_section(res: Any, figure: Any) -> Any:
    """harden's rounds as a table: which round passed the guard, which was kept, and why."""
    from edgecase.report import Section

    h = res.history
    status = np.where(h["accepted"], "passed the guard", "stopped by the guard").astype(object)
    status[0] = "baseline"
    status[h["kept"].to_numpy()] += ", kept"
    cols = [
        "round", "val_pr_auc", "pr_auc_diff", "pr_auc_diff_lo", "pr_auc_diff_hi", "val_recall",
        "evasion_rate", "mean_evasion_step", "n_generated", "exact_copy_share", "violation_share",
        "detection_auc", "robustness",
    ]  # fmt: skip
    table = h[[c for c in cols if c in h.columns]].round(3).assign(status=status)
    return Section(
        "Fraud: hardening rounds",
        text=(
            "Round 0 is the baseline. Each round moves the caught training fraud along the "
            "columns a fraudster controls (MUTABLE_COLUMNS) until the model misses it, and "
            "refits with those rows inside the training folds. Validation: the latest 20% of "
            "the training window, never used for generation. The guard keeps a round only if "
            "its validation PR-AUC stays within the paired 95% interval of round 0 and its "
            "generated rows pass the quality check; the most robust passing round is kept. "
            + " ".join(res.notes)
        ),
        tables=[table],
        figures=[figure],
    )


def _first_break(label: str, rep: Any) -> str:
    bp = rep.breaking_points
    broken = bp[bp["broken"]].sort_values("breaking_severity")
    gone = bp.loc[bp["status"] == "signal_gone", "scenario"].tolist()
    gone_text = (
        f" Signal gone, not a model failure, in {', '.join(gone)}: a reference model fitted on "
        "the stressed rows themselves falls past the threshold too."
        if gone
        else ""
    )
    if broken.empty:
        return f"{label}: no scenario breaks it up to severity {rep.severities[-1]:g}.{gone_text}"
    first = broken.iloc[0]
    hi = f"{first.ci_high:.2f}" if np.isfinite(first.ci_high) else f"beyond {rep.severities[-1]:g}"
    why = f", {first.reason}" if first.reason else ""
    return (
        f"{label}: {first.scenario} breaks it first, at severity {first.breaking_severity:.2f} "
        f"(95% CI {first.ci_low:.2f} to {hi}{why}); {len(broken)} of {len(bp)} scenarios "
        f"break it.{gone_text}"
    )


def _too_small(fraud: dict[str, Any], market: dict[str, Any]) -> str:
    parts = [
        f"{fraud['n_test_fraud']} test frauds: recall moves in steps of "
        f"{1 / max(fraud['n_test_fraud'], 1):.2g}"
    ]
    for label, rep in [*fraud["reports"].items(), ("crash classifier", market["report"])]:
        bp = rep.breaking_points
        vague = bp[bp["broken"] & ~np.isfinite(bp["ci_high"])]["scenario"].tolist()
        if vague:
            parts.append(
                f"{label}: where {', '.join(vague)} break is not pinned down (over 2.5% of "
                "bootstrap draws never cross in the swept range)"
            )
    ev = market["evaluation"]
    parts.append(
        f"the crash classifier is judged on {ev['real windows 2007-2009']} overlapping real "
        f"windows from one crisis (PR-AUC {ev['pr_auc']:.3f} against {ev['crash share']:.3f} "
        "for no skill), a single episode rather than a sample of crises"
    )
    return "Too small to tell: " + "; ".join(parts) + "."


def _var_line(bt: Any) -> str:
    es = ""
    if bt.es_z2 is not None:
        es = (
            f" ES: Acerbi-Szekely Z2 {bt.es_z2:.3f} ({bt.es_z2_zone} zone), McNeil-Frey "
            f"p={bt.mcneil_frey_p:.3g}."
        )
    return (
        f"GARCH-t 99% VaR through 2007-2009: {bt.n_exceptions} exceptions against "
        f"{bt.expected_exceptions:.1f} expected (Kupiec p={bt.kupiec_p:.3g}), worst Basel zone "
        f"{bt.worst_zone}." + es
    )


def _conclusions(
    fraud: dict[str, Any], market: dict[str, Any], quick: bool, size: dict[str, Any]
) -> list[str]:
    """The report's opening paragraphs, each read off the results above it."""
    out = [SMOKE_NOTE] if quick else []
    out.append(_model_verdict(fraud, size["n_boot"], 0))
    out.append(_breaking_shift(fraud["reports"]))
    out.append(
        "Which scenario breaks each model first: "
        + " ".join(
            _first_break(label, rep)
            for label, rep in [*fraud["reports"].items(), ("Crash classifier", market["report"])]
        )
    )
    out.append(_var_line(market["backtest"]))
    out.append(_too_small(fraud, market))
    return out
