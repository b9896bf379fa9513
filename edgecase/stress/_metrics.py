"""Metrics and their stratified bootstrap, vectorised over draws.

The harness predicts once per (scenario, severity) and bootstraps the *scores*,
resampling positives and negatives separately (class counts fixed). Drawing
``n_boot x n`` row indices on a 100k-row test set for each of ~80 severities
costs seconds; instead each metric uses the exact sampling distribution of the
statistics it depends on:

* threshold metrics (recall, precision, FPR, alert rate): a resample of ``n_pos``
  positives contains ``Binomial(n_pos, recall_hat)`` alerts, and likewise for the
  negatives, which is exactly the stratified bootstrap of these counts;
* PR-AUC (average precision): the positives are resampled exactly (multinomial
  counts over positive rows) and the negatives through multinomial counts over
  the intervals between sorted positive scores, which is all average precision
  depends on; this is exact as well;
* Brier and ECE: each class is compressed into at most ``MAX_CELLS`` cells of
  sorted scores nested in the calibration bins (a row per cell when the class is
  small enough) and the multinomial counts of the cells are drawn (Poisson counts,
  the large-n limit, above 20,000 rows). Within-cell spread is ignored: with 100k
  negatives a cell holds ~25 rows of nearly equal scores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_CELLS = 4096
POISSON_MIN_ROWS = 20_000
ECE_BINS = 10


@dataclass(frozen=True)
class Metric:
    """A metric the harness can sweep.

    Parameters
    ----------
    name : str
    func : callable ``(y_true, scores) -> float``
        Used for point estimates and, for custom metrics, one call per bootstrap draw.
    greater_is_better : bool
    bounds : (low, high)
        The metric's range; a breaking threshold outside it is refused.
    uses_threshold : bool
        Whether the metric depends on the alert threshold (custom ``func`` then
        receives ``(y_true, scores, threshold)``).

    Examples
    --------
    >>> import numpy as np
    >>> top_decile = Metric("mean_top_score", func=lambda y, s: float(np.sort(s)[-len(s) // 10:].mean()),
    ...                     greater_is_better=True, bounds=(0.0, 1.0))
    >>> top_decile.func(np.array([0, 1] * 10), np.linspace(0, 1, 20))
    0.9736842105263157
    """

    name: str
    func: Callable[..., float] | None = None
    greater_is_better: bool = True
    bounds: tuple[float, float] = (-math.inf, math.inf)
    uses_threshold: bool = False


BUILTIN = {
    "recall": Metric("recall", greater_is_better=True, bounds=(0.0, 1.0), uses_threshold=True),
    "precision": Metric(
        "precision", greater_is_better=True, bounds=(0.0, 1.0), uses_threshold=True
    ),
    "fpr": Metric("fpr", greater_is_better=False, bounds=(0.0, 1.0), uses_threshold=True),
    "alert_rate": Metric(
        "alert_rate", greater_is_better=False, bounds=(0.0, 1.0), uses_threshold=True
    ),
    "pr_auc": Metric("pr_auc", greater_is_better=True, bounds=(0.0, 1.0)),
    "brier": Metric("brier", greater_is_better=False, bounds=(0.0, 1.0)),
    "ece": Metric("ece", greater_is_better=False, bounds=(0.0, 1.0)),
    # operational metrics: they need groups= (event ids) or amount= in StressHarness.run
    "event_recall": Metric(
        "event_recall", greater_is_better=True, bounds=(0.0, 1.0), uses_threshold=True
    ),
    "value_recall": Metric(
        "value_recall", greater_is_better=True, bounds=(0.0, 1.0), uses_threshold=True
    ),
}
#: What each operational metric needs from ``run``.
NEEDS = {"event_recall": "groups", "value_recall": "amount"}
#: Built-in metrics that read only the positives' scores (at the run's fixed threshold):
#: a sweep need not score the legitimate rows a scenario changed.
POSITIVES_ONLY = frozenset({"recall", "event_recall", "value_recall"})
ALIASES = {"false_positive_rate": "fpr", "average_precision": "pr_auc", "auprc": "pr_auc"}


def reads_positives_only(metric: Metric) -> bool:
    """Whether ``metric``'s value and draws depend on the positive rows' scores alone."""
    return metric.func is None and metric.name in POSITIVES_ONLY


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.zeros(np.broadcast(a, b).shape)
    np.divide(a, b, out=out, where=b > 0)
    return out


def _threshold_stat(name: str, tp, fp, n_pos: int, n_neg: int) -> np.ndarray:
    if name == "recall":
        return _safe_div(tp, n_pos)
    if name == "precision":
        # No alert at all: precision is taken as 0 (nothing useful was flagged).
        return _safe_div(tp, np.asarray(tp) + np.asarray(fp))
    if name == "fpr":
        return _safe_div(fp, n_neg)
    return _safe_div(np.asarray(tp) + np.asarray(fp), n_pos + n_neg)


def _ap_parts(s_pos: np.ndarray, s_neg: np.ndarray, neg_sorted: np.ndarray | None = None):
    """Unique positive scores (descending), their multiplicities, and the negative
    counts in the intervals [u_j, u_{j-1}) (interval 0 is >= u_0). ``neg_sorted``:
    ``np.sort(s_neg)`` if the caller has it."""
    u, mult = np.unique(s_pos, return_counts=True)
    u, mult = u[::-1], mult[::-1]
    # number of negatives >= u_j, for each j (u descending -> nondecreasing)
    neg_sorted = np.sort(s_neg) if neg_sorted is None else neg_sorted
    ge = len(s_neg) - np.searchsorted(neg_sorted, u, side="left")
    cells = np.diff(np.concatenate([[0], ge]))
    rest = len(s_neg) - ge[-1]
    return u, mult, cells, rest


def _ap_from_counts(pos_counts: np.ndarray, neg_cells: np.ndarray, n_pos: int) -> np.ndarray:
    tp = np.cumsum(pos_counts, axis=-1)
    fp = np.cumsum(neg_cells, axis=-1)
    prec = _safe_div(tp, tp + fp)
    return (pos_counts / n_pos * prec).sum(axis=-1)


def _cells(scores: np.ndarray):
    """Compress scores into cells nested in the ECE bins: (cell mean, mean square, count)."""
    n = len(scores)
    order = np.argsort(scores, kind="stable")
    s = scores[order]
    chunk = np.arange(n) * min(MAX_CELLS, n) // n if n > MAX_CELLS else np.arange(n)
    ece_bin = np.clip((s * ECE_BINS).astype(np.int64), 0, ECE_BINS - 1)
    key = chunk * ECE_BINS + ece_bin
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    mean = np.bincount(inv, weights=s) / counts
    mean_sq = np.bincount(inv, weights=s * s) / counts
    # a cell never straddles an ECE bin edge, so its bin is the bin of its rows
    cell_bin = np.rint(np.bincount(inv, weights=ece_bin) / counts).astype(np.int64)
    return mean, mean_sq, counts, cell_bin


def _calib(name: str, pos_cells, neg_cells, cp: np.ndarray, cn: np.ndarray) -> np.ndarray:
    """Brier/ECE from cell counts ``cp`` (draws, pos cells) and ``cn`` (draws, neg cells)."""
    pm, psq, _, pb = pos_cells
    nm, nsq, _, nb = neg_cells
    n = cp.sum(axis=-1) + cn.sum(axis=-1)
    if name == "brier":
        return ((cp * (1 - 2 * pm + psq)).sum(axis=-1) + (cn * nsq).sum(axis=-1)) / n
    one_p = np.eye(ECE_BINS)[pb]
    one_n = np.eye(ECE_BINS)[nb]
    score_sum = (cp * pm) @ one_p + (cn * nm) @ one_n
    label_sum = cp @ one_p
    return np.abs(score_sum - label_sum).sum(axis=-1) / n


def point_value(metric: Metric, y: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    """The metric on the full sample."""
    if metric.func is not None:
        args = (y, scores, threshold) if metric.uses_threshold else (y, scores)
        return float(metric.func(*args))
    s_pos, s_neg = scores[y == 1], scores[y == 0]
    if metric.uses_threshold:
        tp = int((s_pos >= threshold).sum())
        fp = int((s_neg >= threshold).sum())
        return float(_threshold_stat(metric.name, tp, fp, len(s_pos), len(s_neg)))
    if metric.name == "pr_auc":
        _, mult, cells, _ = _ap_parts(s_pos, s_neg)
        return float(_ap_from_counts(mult, cells, len(s_pos)))
    if metric.name == "brier":
        return float((((1.0 - s_pos) ** 2).sum() + (s_neg**2).sum()) / len(scores))
    pc, nc = _cells(s_pos), _cells(s_neg)
    return float(_calib(metric.name, pc, nc, pc[2][None, :], nc[2][None, :])[0])


def point_values(metric: Metric, y: np.ndarray, S: np.ndarray, threshold: float) -> np.ndarray:
    """:func:`point_value` of each column of ``S`` ``(n, m)``. For average precision the
    negatives are sorted once while consecutive columns keep the same negative scores
    (a scenario that leaves the legit rows alone)."""
    m = S.shape[1]
    if metric.name != "pr_auc" or metric.func is not None:
        return np.array([point_value(metric, y, S[:, j], threshold) for j in range(m)])
    pos = y == 1
    S_pos, S_neg = np.ascontiguousarray(S[pos].T), np.ascontiguousarray(S[~pos].T)
    out = np.empty(m)
    for j in range(m):
        if j == 0 or not np.array_equal(S_neg[j], S_neg[j - 1]):
            neg_sorted = np.sort(S_neg[j])
        _, mult, cells, _ = _ap_parts(S_pos[j], S_neg[j], neg_sorted)
        out[j] = float(_ap_from_counts(mult, cells, len(S_pos[j])))
    return out


def bootstrap(
    metric: Metric,
    y: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    n_boot: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n_boot`` stratified-bootstrap replicates of the metric (see module docstring)."""
    s_pos, s_neg = scores[y == 1], scores[y == 0]
    n_pos, n_neg = len(s_pos), len(s_neg)
    if metric.func is not None:
        idx_p = rng.integers(0, n_pos, size=(n_boot, n_pos))
        idx_n = rng.integers(0, n_neg, size=(n_boot, n_neg))
        yb = np.r_[np.ones(n_pos, dtype=np.int8), np.zeros(n_neg, dtype=np.int8)]
        out = np.empty(n_boot)
        for b in range(n_boot):  # a user callable cannot be vectorised over draws
            sb = np.r_[s_pos[idx_p[b]], s_neg[idx_n[b]]]
            args = (yb, sb, threshold) if metric.uses_threshold else (yb, sb)
            out[b] = float(metric.func(*args))
        return out
    if metric.uses_threshold:
        tp = rng.binomial(n_pos, (s_pos >= threshold).mean(), size=n_boot)
        fp = rng.binomial(n_neg, (s_neg >= threshold).mean(), size=n_boot)
        return _threshold_stat(metric.name, tp, fp, n_pos, n_neg)
    if metric.name == "pr_auc":
        _, mult, cells, rest = _ap_parts(s_pos, s_neg)
        cp = rng.multinomial(n_pos, mult / n_pos, size=n_boot)
        cn = rng.multinomial(n_neg, np.r_[cells, rest] / n_neg, size=n_boot)[:, :-1]
        return _ap_from_counts(cp, cn, n_pos)
    pc, nc = _cells(s_pos), _cells(s_neg)
    return _calib(
        metric.name, pc, nc, _cell_counts(pc[2], n_boot, rng), _cell_counts(nc[2], n_boot, rng)
    )


def _cell_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled cell counts: multinomial for a small class, Poisson bootstrap for a large one.

    numpy's multinomial costs ~0.4 s for 200 draws over 4,096 cells; above
    ``POISSON_MIN_ROWS`` rows independent Poisson counts (the large-n limit of the
    multinomial; the class total then varies by ~1/sqrt(n), and every metric here
    divides by the drawn total) give the same intervals at a twentieth of the cost.
    """
    n = int(counts.sum())
    if n < POISSON_MIN_ROWS:
        return rng.multinomial(n, counts / n, size=n_boot)
    return rng.poisson(counts.astype(float), size=(n_boot, len(counts)))
