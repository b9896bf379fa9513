"""Threshold policies: parse a policy string once, pick a threshold on out-of-fold scores.

A policy is chosen on the out-of-fold (OOF) scores of cross-validation, never on
the rows the final model was trained on, so the constraint it states ("precision
at least 0.5", "flag 1% of rows") is a statement about unseen data.

Grammar (spaces allowed around operators, numbers as ``0.5``, ``.5``, ``5e-1``):

========================  ===================================================
``"f1"``                  maximise F1
``"fbeta=B"``             maximise F-beta (B > 0; B > 1 favours recall)
``"precision>=P"``        the lowest threshold whose precision is >= P (0 < P <= 1):
                          the most recall the precision budget allows
``"recall>=R"``           the highest threshold whose recall is >= R (0 < R <= 1):
                          the fewest alerts that still catch R of the positives
``"alert_rate=A"``        flag a fraction A of rows (0 < A < 1), a fixed alert budget
                          (:func:`alert_threshold` says how ties are counted)
``"cost=FN:FP"``          minimise FN * n_missed + FP * n_false_alerts (both > 0);
                          also a dict ``{"fn": 100, "fp": 1}``
a float in (0, 1)         a fixed threshold
========================  ===================================================
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgecase._validate import check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = [
    "ThresholdPolicy",
    "parse_policy",
    "select_threshold",
    "alert_threshold",
    "curve_at_thresholds",
]

_NUM = r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
_PATTERNS = {
    "fbeta": re.compile(rf"^fbeta\s*=\s*{_NUM}$"),
    "precision": re.compile(rf"^precision\s*>=\s*{_NUM}$"),
    "recall": re.compile(rf"^recall\s*>=\s*{_NUM}$"),
    "alert_rate": re.compile(rf"^alert_rate\s*=\s*{_NUM}$"),
    "cost": re.compile(rf"^cost\s*=\s*{_NUM}\s*:\s*{_NUM}$"),
}
GRAMMAR = (
    "'f1', 'fbeta=B', 'precision>=P', 'recall>=R', 'alert_rate=A', 'cost=FN:FP', "
    "a dict {'fn': cost_of_a_miss, 'fp': cost_of_a_false_alert} or a float threshold in (0, 1)"
)


@dataclass(frozen=True)
class ThresholdPolicy:
    """A parsed threshold policy (``kind`` plus its numbers) and its canonical text."""

    kind: str
    a: float = math.nan
    b: float = math.nan

    @property
    def text(self) -> str:
        """Canonical string form, stored in saved metadata and parsed back on load."""
        if self.kind == "f1":
            return "f1"
        if self.kind == "fbeta":
            return f"fbeta={self.a!r}"
        if self.kind == "precision":
            return f"precision>={self.a!r}"
        if self.kind == "recall":
            return f"recall>={self.a!r}"
        if self.kind == "alert_rate":
            return f"alert_rate={self.a!r}"
        if self.kind == "cost":
            return f"cost={self.a!r}:{self.b!r}"
        return f"fixed={self.a!r}"


def _bad(policy: Any, why: str) -> InvalidParameterError:
    return InvalidParameterError(f"threshold={policy!r} {why}; expected one of {GRAMMAR}.")


def _in_range(policy: Any, what: str, v: float, low: float, high: float, high_ok: bool) -> float:
    if not math.isfinite(v) or v <= low or v > high or (v == high and not high_ok):
        op = "<=" if high_ok else "<"
        raise _bad(policy, f"has {what}={v!r}, which must satisfy {low} < {what} {op} {high}")
    return v


def _parse_costs(policy: dict) -> ThresholdPolicy:
    keys = {str(k).lower() for k in policy}
    if keys != {"fn", "fp"}:
        raise _bad(policy, "is a dict without exactly the keys 'fn' and 'fp'")
    vals = {str(k).lower(): v for k, v in policy.items()}
    out = []
    for key in ("fn", "fp"):
        v = vals[key]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise _bad(policy, f"has a non-numeric cost {key}={v!r}")
        out.append(_in_range(policy, key, float(v), 0.0, math.inf, False))
    return ThresholdPolicy("cost", out[0], out[1])


def _from_match(policy: Any, kind: str, nums: list[float]) -> ThresholdPolicy:
    if kind == "fbeta":
        return ThresholdPolicy(kind, _in_range(policy, "B", nums[0], 0.0, math.inf, False))
    if kind in ("precision", "recall"):
        letter = "P" if kind == "precision" else "R"
        return ThresholdPolicy(kind, _in_range(policy, letter, nums[0], 0.0, 1.0, True))
    if kind == "alert_rate":
        return ThresholdPolicy(kind, _in_range(policy, "A", nums[0], 0.0, 1.0, False))
    fn = _in_range(policy, "FN", nums[0], 0.0, math.inf, False)
    fp = _in_range(policy, "FP", nums[1], 0.0, math.inf, False)
    return ThresholdPolicy(kind, fn, fp)


def _parse_text(policy: str) -> ThresholdPolicy:
    text = policy.strip().lower()
    if text == "f1":
        return ThresholdPolicy("f1")
    if text.startswith("fixed="):
        try:
            value = float(text[6:])
        except ValueError:
            raise _bad(policy, "does not parse") from None
        return parse_policy(value)
    for kind, pattern in _PATTERNS.items():
        m = pattern.match(text)
        if m is not None:
            return _from_match(policy, kind, [float(g) for g in m.groups()])
    raise _bad(policy, "does not parse")


def parse_policy(policy: Any) -> ThresholdPolicy:
    """Parse a threshold policy strictly; anything else raises InvalidParameterError.

    Examples
    --------
    >>> parse_policy("precision >= 0.8")
    ThresholdPolicy(kind='precision', a=0.8, b=nan)
    >>> parse_policy("cost=100:1").text
    'cost=100.0:1.0'
    """
    if isinstance(policy, ThresholdPolicy):
        return policy
    if isinstance(policy, dict):
        return _parse_costs(policy)
    if isinstance(policy, numbers.Real) and not isinstance(policy, bool):
        v = _in_range(policy, "threshold", float(policy), 0.0, 1.0, False)
        return ThresholdPolicy("fixed", v)
    if not isinstance(policy, str):
        raise _bad(policy, f"has type {type(policy).__name__}")
    return _parse_text(policy)


def _candidates(y: np.ndarray, scores: np.ndarray) -> dict[str, np.ndarray]:
    """TP/FP counts when flagging ``scores >= t`` for every distinct score ``t`` (descending).

    Vectorised: one sort plus cumulative sums, O(n log n) whatever the number of
    distinct scores.
    """
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    yy = y[order].astype(np.int64)
    # Last position of each run of equal scores: flagging ">= t" takes the whole run.
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(yy)[last]
    flagged = last + 1
    return {"t": s[last], "tp": tp, "fp": flagged - tp, "flagged": flagged}


def curve_at_thresholds(y: np.ndarray, scores: np.ndarray) -> dict[str, np.ndarray]:
    """Threshold, precision, recall, alert rate for every distinct score (descending)."""
    c = _candidates(y, scores)
    n_pos = max(int(y.sum()), 1)
    return {
        "threshold": c["t"],
        "precision": c["tp"] / c["flagged"],
        "recall": c["tp"] / n_pos,
        "alert_rate": c["flagged"] / len(y),
    }


def _closest_budget(t: np.ndarray, flagged: np.ndarray, target: float) -> float:
    # Ties can make the exact budget unreachable: take the distinct score whose
    # flagged count is closest to it (the lower count on equal distance).
    i = int(np.searchsorted(flagged, target))
    options = [j for j in (i - 1, i) if 0 <= j < len(flagged)]
    best = min(options, key=lambda j: (abs(flagged[j] - target), flagged[j]))
    return float(t[best])


def alert_threshold(scores: Any, alert_rate: float, *, weights: Any = None) -> float:
    """The score threshold of an alert budget: flag about ``alert_rate`` of the rows.

    This is the one implementation of an alert rate in edgecase: the Trainer's
    ``threshold="alert_rate=A"`` policy and the stress stage's ``alert_rate=``
    both call it. Rows with ``score >= threshold`` are flagged, and the
    threshold is one of the scores, so rows tied at the cut are either all
    flagged or all not (a threshold cannot split a tie). Among the numbers of
    rows a cut can flag, the one closest to ``alert_rate * n`` is chosen, the
    smaller on equal distance; at least one row is always flagged. Without
    ties that is ``alert_rate * n`` rounded to the nearest integer, halves
    down: ``0.0104 x 1000`` flags 10 rows and ``0.0106 x 1000`` flags 11.

    Parameters
    ----------
    scores : array-like of float, shape (n,)
        Finite scores, higher meaning more suspicious.
    alert_rate : float in (0, 1]
        The share of rows to flag.
    weights : array-like of float, shape (n,), optional
        Positive weights: each row stands for ``weights[i]`` rows (a weighted sample),
        and the budget is ``alert_rate`` of the total weight. None: every row once.

    Examples
    --------
    >>> alert_threshold(np.array([0.1, 0.9, 0.5, 0.7]), 0.5)
    0.7
    >>> s = np.linspace(0, 1, 1000)
    >>> int((s >= alert_threshold(s, 0.0104)).sum())
    10
    """
    check_scalar(alert_rate, "alert_rate", low=0.0, high=1.0, low_inclusive=False)
    raw = np.asarray(scores, dtype=float).ravel()
    order = None if weights is None else np.argsort(-raw, kind="stable")
    s = np.sort(raw)[::-1] if order is None else raw[order]
    if len(s) == 0:
        raise InvalidInputError("scores is empty; an alert rate needs at least one score.")
    if not np.isfinite(s).all():
        raise InvalidInputError(
            "scores has NaN or infinite values; an alert rate needs finite scores."
        )
    # Last position of each run of equal scores, as in _candidates.
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    if weights is None:
        return _closest_budget(s[last], last + 1, float(alert_rate) * len(s))
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != raw.shape or not (np.isfinite(w).all() and (w > 0).all()):
        raise InvalidInputError(
            f"weights must be {len(raw)} finite positive numbers, one per score; got shape "
            f"{w.shape}."
        )
    flagged = np.cumsum(w[order])
    return _closest_budget(s[last], flagged[last], float(alert_rate) * flagged[-1])


def select_threshold(policy: ThresholdPolicy, y: np.ndarray, scores: np.ndarray) -> float:
    """Pick the threshold the policy asks for on (out-of-fold) ``scores``.

    Rows with ``score >= threshold`` are flagged. Raises InvalidInputError when
    the constraint cannot be met on these scores, naming the best achievable value.
    """
    y = np.asarray(y, dtype=np.int8)
    scores = np.asarray(scores, dtype=float)
    if policy.kind == "fixed":
        return float(policy.a)
    c = _candidates(y, scores)
    t, tp, fp, flagged = c["t"], c["tp"], c["fp"], c["flagged"]
    n_pos = int(y.sum())
    precision = tp / flagged
    recall = tp / max(n_pos, 1)
    if policy.kind in ("f1", "fbeta"):
        b2 = 1.0 if policy.kind == "f1" else policy.a**2
        denom = b2 * n_pos + flagged
        f = (1 + b2) * tp / np.where(denom > 0, denom, 1)
        return float(t[int(np.argmax(f))])
    if policy.kind == "precision":
        ok = np.nonzero(precision >= policy.a - 1e-12)[0]
        if len(ok) == 0:
            raise InvalidInputError(
                f"threshold='{policy.text}' cannot be met: the highest out-of-fold precision at any "
                f"threshold is {precision.max():.4f}; lower P or improve the model."
            )
        # Candidates run from high to low thresholds: the last feasible one keeps the most recall.
        return float(t[ok[-1]])
    if policy.kind == "recall":
        # Recall only grows as the threshold falls, so the first feasible one has the fewest alerts.
        ok = np.nonzero(recall >= policy.a - 1e-12)[0]
        return float(t[ok[0]])
    if policy.kind == "alert_rate":
        return alert_threshold(scores, policy.a)
    if policy.kind == "cost":
        cost = policy.a * (n_pos - tp) + policy.b * fp
        # Flagging nothing is also an option: a threshold above every score.
        if policy.a * n_pos <= cost.min():
            return float(np.nextafter(max(float(scores.max()), 0.0), np.inf))
        return float(t[int(np.argmin(cost))])
    raise InvalidParameterError(
        f"unknown threshold policy kind {policy.kind!r}"
    )  # pragma: no cover
