"""Breaking points from whole-curve bootstrap draws.

Given the metric curve over severities, its bootstrap draws (each a whole curve, see
:mod:`edgecase.stress._bootstrap`) and the breaking threshold (with its own draw when
it is relative to severity 0), one scenario's breaking point is:

* ``breaking_severity``: where the point curve crosses the threshold (linear
  interpolation between grid severities);
* ``ci_low``/``ci_high``: the percentile interval of where each draw's curve crosses
  its own draw of the threshold. A percentile interval need not contain the point
  estimate when the crossing is a non-smooth function of the curve (a flat curve near the
  threshold); the interval is then widened to the estimate, so the reported interval is
  the smallest one holding both the percentile interval and the estimate;
* ``earliest_plausible_severity``: the conservative early warning, where the
  ``(1 - ci_level) / 2`` lower bound of the margin (metric minus threshold, per draw)
  first crosses 0, i.e. the first severity at which breaking cannot be ruled out;
* ``status``: "broken", "not_broken", "inconclusive" (crossed at the first severity
  only within noise) or "signal_gone": with a detectability ceiling (see
  :mod:`edgecase.stress._ceiling`), a crossing is the scenario's doing, not the
  model's, when the ceiling, on the good side of the threshold at the first severity,
  is past the threshold too at the first swept severity where the model is (the grid
  point at or after ``breaking_severity``: two curves crossing within one grid step
  cannot be ordered more finely than the grid). ``broken`` is True for "broken" only;
  ``ceiling`` is the ceiling at that severity and ``ceiling_severity`` where the
  ceiling itself crosses the threshold.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from edgecase.stress._metrics import Metric

__all__ = ["crossing", "breaking_point"]


def crossing(sev: np.ndarray, g: np.ndarray) -> np.ndarray:
    """First severity where ``g`` (along the last axis) turns negative, linearly
    interpolated; ``inf`` if it never does. ``g`` may be 2-D (rows = bootstrap draws)."""
    g = np.atleast_2d(g)
    neg = g < 0
    first = np.where(neg.any(axis=1), neg.argmax(axis=1), -1)
    out = np.full(g.shape[0], np.inf)
    out[first == 0] = sev[0]
    mid = first > 0
    j = first[mid]
    rows = np.flatnonzero(mid)
    g0, g1 = g[rows, j - 1], g[rows, j]
    out[mid] = sev[j - 1] + (sev[j] - sev[j - 1]) * g0 / (g0 - g1)
    return out


def _percentiles(x: np.ndarray, level: float) -> tuple[float, float]:
    """Order-statistic percentile interval (works with ``inf`` draws)."""
    s = np.sort(x)
    a = (1 - level) / 2
    return float(s[int(np.floor(a * (len(s) - 1)))]), float(s[int(np.ceil((1 - a) * (len(s) - 1)))])


def breaking_point(
    name: str,
    sev: np.ndarray,
    vals: np.ndarray,
    draws: np.ndarray,
    bt: float,
    bt_draws: np.ndarray,
    metric: Metric,
    ci_level: float,
    ceiling: np.ndarray | None = None,
) -> dict[str, Any]:
    """One row of ``StressReport.breaking_points`` (see the module docstring)."""
    sign = 1.0 if metric.greater_is_better else -1.0
    g_point = sign * (np.asarray(vals) - bt)
    g_draws = sign * (draws - np.asarray(bt_draws)[:, None])  # (n_boot, n_sev)
    s_point = float(crossing(sev, g_point)[0])
    s_draws = crossing(sev, g_draws)
    lo, hi = _percentiles(s_draws, ci_level)
    lo, hi = min(lo, s_point), max(hi, s_point)
    a = (1 - ci_level) / 2
    g_bound = np.quantile(g_draws, a, axis=0)
    earliest = float(crossing(sev, g_bound)[0])
    margin0 = _percentiles(g_draws[:, 0], ci_level)
    status, reason = _verdict(sev, s_point, g_point, margin0, bt, metric, ci_level)
    extra: dict[str, Any] = {}
    if ceiling is not None:
        status, reason, extra = _signal(
            sev, s_point, sign * (ceiling - bt), ceiling, status, reason
        )
    return {
        "scenario": name,
        "breaking_severity": s_point,
        "ci_low": lo,
        "ci_high": hi,
        "earliest_plausible_severity": earliest,
        "share_draws_broken": float(np.isfinite(s_draws).mean()),
        "broken": status == "broken",
        "status": status,
        "breaking_threshold": float(bt),
        **extra,
        "reason": reason,
    }


def _verdict(sev, s_point, g_point, margin0, bt, metric, ci_level) -> tuple[str, str]:
    word = "below" if metric.greater_is_better else "above"
    if not math.isfinite(s_point):
        return "not_broken", f"{metric.name} never goes {word} {bt:.4g} up to severity {sev[-1]:g}"
    if s_point == sev[0] and g_point[0] < 0:
        # "Broken before any stress" only when the whole interval of the severity-0 margin
        # is on the broken side; a value within noise of the threshold is inconclusive.
        if margin0[1] < 0:
            return "broken", f"already {word} {bt:.4g} at severity {sev[0]:g}, beyond its interval"
        return "inconclusive", (
            f"inconclusive at severity {sev[0]:g}: {metric.name} is {word} {bt:.4g} but within "
            f"its {ci_level:.0%} interval (margin {margin0[0]:.3g} to {margin0[1]:.3g})"
        )
    return "broken", ""


def _signal(sev, s_point, g_ceiling, ceiling, status, reason) -> tuple[str, str, dict]:
    """The verdict with the ceiling: "signal_gone" instead of "broken" when the ceiling is
    on the broken side at the first swept severity where the model is (see the module
    docstring)."""
    s_ceiling = float(crossing(sev, g_ceiling)[0])
    # the first grid severity at or after the crossing: where the model is seen broken
    j = int(np.searchsorted(sev, s_point, side="left")) if math.isfinite(s_point) else len(sev) - 1
    extra = {"ceiling": float(ceiling[j]), "ceiling_severity": s_ceiling}
    if status != "broken":
        return status, reason, extra
    if g_ceiling[0] < 0:
        note = (
            f"the ceiling ({ceiling[0]:.3g} at severity {sev[0]:g}) is on the broken side "
            "before any stress, so it cannot tell a cracked model from an erased signal"
        )
        return status, "; ".join(filter(None, [reason, note])), extra
    if g_ceiling[j] < 0:
        return (
            "signal_gone",
            (
                f"signal gone: a reference model fitted on the stressed population itself reaches "
                f"only {ceiling[j]:.3g} at severity {sev[j]:g}, past the threshold too, so the "
                "scenario erased the signal rather than the model cracking"
            ),
            extra,
        )
    return status, reason, extra


def precision_warning(
    name: str, row: dict[str, Any], bt: float, metric: Metric, ci_level: float
) -> str | None:
    """A warning when the test set cannot resolve the breaking threshold before any stress:
    the interval of the lowest-severity value already reaches the threshold, so a crossing
    there is indistinguishable from sampling noise."""
    reaches = row["ci_low"] <= bt if metric.greater_is_better else row["ci_high"] >= bt
    if not reaches:
        return None
    return (
        f"scenario {name!r}: {row['n_pos']} positive rows in {row['n_pos_groups']} independent "
        f"groups give a {ci_level:.0%} interval [{row['ci_low']:.3g}, {row['ci_high']:.3g}] for "
        f"{metric.name} at severity {row['severity']:g} (value {row['value']:.3g}), which "
        f"reaches the breaking threshold {bt:.3g}: too few positives or events for this "
        "precision; use a larger test set, or more simulated positives (min_positives)."
    )
