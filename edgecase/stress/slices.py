"""Slices where recall or precision collapses, with honest statistics.

:func:`find_slices` runs an exact lattice search over binned features (every
single feature bin and every pair of bins, up to ``max_order``) within the
right *population*: recall is a property of the positives, precision of the
alerts. Searching all rows for "missed fraud" mostly rediscovers where fraud
concentrates (``on="all"`` is there to show that, not to be used).

Every slice gets its count, its rate, a Wilson or Clopper-Pearson interval, a
one-sided exact binomial test against the population's overall rate, and a
Benjamini-Hochberg q-value over all slices tested (a 2-feature lattice on 30
features tests thousands of slices; without correction dozens look bad by chance).

Counting is vectorised: features become small integer bin codes, a slice of
order k is a mixed-radix code, and one ``np.bincount`` gives all the cells of a
feature combination at once, or, on many rows, of a union of several combinations
whose own cells are sums of it (see ``_cell_counts``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from edgecase._validate import (
    as_frame,
    check_binary_target,
    check_choice,
    check_consistent_length,
    check_finite,
    check_numeric_columns,
    check_scalar,
    check_score_threshold,
)
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress._cell_counts import combination_counts, mixed_radix, narrow, widest
from edgecase.stress.harness import DEPRECATED, alert_threshold, renamed_threshold

__all__ = ["find_slices", "bin_features", "wilson_interval", "clopper_pearson_interval"]

_ON = ("positives", "alerts", "all")


def wilson_interval(k: Any, n: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n`` (vectorised).

    Examples
    --------
    >>> lo, hi = wilson_interval(0, 10)
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.2775)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def clopper_pearson_interval(k: Any, n: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) binomial interval (vectorised).

    Examples
    --------
    >>> lo, hi = clopper_pearson_interval(0, 10)
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.3085)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        lo = np.where(k > 0, stats.beta.ppf(a, k, n - k + 1), 0.0)
        hi = np.where(k < n, stats.beta.ppf(1 - a, k + 1, n - k), 1.0)
    return lo, hi


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def bin_features(X: pd.DataFrame, n_bins: int = 5) -> tuple[list[np.ndarray], list[list[str]]]:
    """Integer bin codes and bin labels per column.

    Categories and bools keep their levels; numeric columns with at most
    ``n_bins`` distinct values keep their values; other numeric columns get
    quantile bins (ties merge bins, so a column may get fewer).

    Examples
    --------
    >>> import pandas as pd
    >>> codes, labels = bin_features(pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0], "b": [True, False] * 2}), 2)
    >>> codes[0].tolist(), labels[0]
    ([0, 0, 1, 1], ['v in [1, 2.5)', 'v in [2.5, 4]'])
    """
    codes, labels = [], []
    for col in X.columns:
        s = X[col]
        name = str(col)
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes.append(s.cat.codes.to_numpy().astype(np.int64))
            labels.append([f"{name} = {c}" for c in s.cat.categories])
            continue
        v = s.to_numpy(dtype=float)
        # one sort serves the distinct values and the quantiles (a quantile of sorted
        # values is found at once; of unsorted ones by a partition, 5x slower)
        v_sorted = np.sort(v)
        nan_last = bool(np.isnan(v_sorted[-1])) if len(v) else False
        uniq = _distinct(v_sorted, nan_last)
        if pd.api.types.is_bool_dtype(s.dtype) or len(uniq) <= n_bins:
            codes.append(np.searchsorted(uniq, v).astype(np.int64))
            if pd.api.types.is_bool_dtype(s.dtype):
                labels.append([f"{name} = {bool(u)}" for u in uniq])
            else:
                labels.append([f"{name} = {_fmt(u)}" for u in uniq])
            continue
        edges = np.unique(np.quantile(v_sorted, np.linspace(0, 1, n_bins + 1)[1:-1]))
        c = _bin_of(v, edges, nan_last)
        bounds = [uniq[0], *edges, uniq[-1]]
        lab = [f"{name} in [{_fmt(bounds[i])}, {_fmt(bounds[i + 1])})" for i in range(len(edges))]
        lab.append(f"{name} in [{_fmt(bounds[-2])}, {_fmt(bounds[-1])}]")
        codes.append(c)
        labels.append(lab)
    return codes, labels


def _distinct(v_sorted: np.ndarray, nan_last: bool) -> np.ndarray:
    """``np.unique`` of sorted values without sorting them again (it would)."""
    if nan_last or not len(v_sorted):
        return np.unique(v_sorted)  # its NaNs collapse to one, which != would not do
    return v_sorted[np.r_[True, v_sorted[1:] != v_sorted[:-1]]]


def _bin_of(v: np.ndarray, edges: np.ndarray, nan_last: bool) -> np.ndarray:
    """``searchsorted(edges, v, side="right")``: the number of edges at or below each value.

    Counted by one comparison per edge when there is no NaN (whose bin searchsorted puts
    last): a few comparisons over the column are 10x cheaper than a binary search per row.
    """
    if nan_last or len(edges) > 16:
        return np.searchsorted(edges, v, side="right").astype(np.int64)
    c = np.zeros(len(v), np.int64)
    for e in edges:
        c += v >= e
    return c


def find_slices(
    X: Any,
    y: Any,
    scores: Any,
    *,
    on: str = "positives",
    score_threshold: float | None = None,
    alert_rate: float | None = None,
    max_order: int = 2,
    min_support: int = 30,
    n_bins: int = 5,
    alpha: float = 0.05,
    ci: str = "wilson",
    worse_only: bool = True,
    threshold: float | None | str = DEPRECATED,
) -> pd.DataFrame:
    """Slices (conjunctions of feature bins) where the model's recall or precision collapses.

    Parameters
    ----------
    X : DataFrame
        Features (numeric, bool, category); numeric columns are quantile-binned
        within the population searched.
    y : array-like of 0/1
    scores : array-like
        The model's positive-class scores for the rows of X.
    on : {"positives", "alerts", "all"}
        "positives": recall (share of positives alerted) per slice of the positives.
        "alerts": precision (share of alerts that are positive) per slice of the alerts.
        "all": share of *missed positives* per slice of all rows; a slice is bad when
        the share is high. This mostly finds where positives concentrate.
    score_threshold, alert_rate : float, optional
        Alert when ``score >= score_threshold``, or alert on the top ``alert_rate`` share
        of rows. Default: score threshold 0.5.
    max_order : int
        Largest number of features in a slice (1 = single features).
    min_support : int
        Smallest slice (rows of the population) reported and tested.
    n_bins : int
        Quantile bins per numeric column.
    alpha : float
        False discovery rate for the ``significant`` flag.
    ci : {"wilson", "clopper-pearson"}
    worse_only : bool
        Keep only slices on the bad side of the overall rate.
    threshold : float, optional
        Deprecated old name of ``score_threshold`` (FutureWarning).

    Returns
    -------
    DataFrame
        ``slice, order, n, hits, rate, ci_low, ci_high, overall_rate, lift, p_value,
        q_value, significant``, most significant first. ``hits`` counts caught
        positives ("positives"), true alerts ("alerts") or missed positives ("all").
        ``.attrs`` holds the population, its size, the threshold and the number of
        slices tested.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.uniform(size=4000), "b": rng.integers(0, 3, 4000)})
    >>> y = (rng.random(4000) < 0.3).astype(int)
    >>> scores = np.where((X["a"] < 0.2) & (X["b"] == 1), 0.1, 0.9) * y
    >>> out = find_slices(X, y, scores, on="positives", score_threshold=0.5)
    >>> out["slice"].iloc[0], int(out["hits"].iloc[0])
    ('a in [0.0002217, 0.2087) & b = 1', 2)
    """
    X = as_frame(X)
    check_numeric_columns(X, allow=("category", "bool"))
    check_finite(X)
    check_consistent_length(X, y if hasattr(y, "__len__") else [y])
    y_arr = check_binary_target(y)
    s = _check_scores(X, scores)
    check_choice(on, "on", list(_ON), error=InvalidParameterError)
    check_scalar(max_order, "max_order", kind=numbers.Integral, low=1)
    check_scalar(min_support, "min_support", kind=numbers.Integral, low=1)
    check_scalar(n_bins, "n_bins", kind=numbers.Integral, low=2)
    check_scalar(alpha, "alpha", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    check_choice(ci, "ci", ["wilson", "clopper-pearson"], error=InvalidParameterError)
    score_threshold = renamed_threshold(score_threshold, threshold, "find_slices")
    if score_threshold is not None and alert_rate is not None:
        raise InvalidParameterError("give either score_threshold or alert_rate, not both.")
    if alert_rate is not None:
        check_scalar(alert_rate, "alert_rate", low=0.0, high=1.0, low_inclusive=False)
        thr = alert_threshold(s, float(alert_rate))
    else:
        thr = float(check_score_threshold(0.5 if score_threshold is None else score_threshold))
        if s.min() < 0.0 or s.max() > 1.0:
            # a probability cut on scores of another scale alerts on all or nothing, and
            # the search would return an empty table as if no slice were worse
            raise InvalidInputError(
                f"scores range over [{s.min():.4g}, {s.max():.4g}], but score_threshold "
                f"{thr:g} is a probability in [0, 1]; pass probabilities, or alert_rate= "
                "for scores on another scale."
            )

    alert = s >= thr
    if on == "positives":
        pop, hit, bad_low = y_arr == 1, alert, True
    elif on == "alerts":
        pop, hit, bad_low = alert, y_arr == 1, True
    else:
        pop, hit, bad_low = np.ones(len(s), bool), (y_arr == 1) & ~alert, False
    n_pop = int(pop.sum())
    if n_pop == 0:
        raise InvalidInputError(
            f"the population on={on!r} is empty (no {'alerts' if on == 'alerts' else 'positives'} "
            f"at threshold {thr:.4g}); nothing to slice."
        )
    Xp = X.loc[pop] if not pop.all() else X
    hit_p = hit[pop]
    overall = float(hit_p.mean())
    codes, labels = bin_features(Xp, int(n_bins))
    k_levels = [len(lab) for lab in labels]
    combos, cells, ns, ks, n_tested = _scan(
        codes, k_levels, np.flatnonzero(hit_p), n_pop, overall, bad_low,
        max_order=min(int(max_order), X.shape[1]), min_support=int(min_support),
        worse_only=worse_only,
    )  # fmt: skip
    if not combos:
        out = pd.DataFrame(columns=_COLUMNS)
    else:
        out = _slice_table(combos, cells, ns, ks, k_levels, labels, overall, bad_low, ci)
    # BH over every slice tested, including those on the good side (whose p-values
    # are large): correcting only the reported ones would understate the search.
    if len(out):
        m = max(n_tested, len(out))
        padded = np.r_[out["p_value"].to_numpy(), np.ones(m - len(out))]
        out["q_value"] = stats.false_discovery_control(padded, method="bh")[: len(out)]
        out["significant"] = out["q_value"] < alpha
        out = out.sort_values(["p_value", "rate"], ascending=[True, bad_low]).reset_index(drop=True)
    out.attrs.update(
        {
            "on": on,
            "threshold": thr,
            "n_population": n_pop,
            "overall_rate": overall,
            "n_tested": n_tested,
            "metric": {"positives": "recall", "alerts": "precision", "all": "missed share"}[on],
        }
    )
    return out


_COLUMNS = [
    "slice",
    "order",
    "n",
    "hits",
    "rate",
    "ci_low",
    "ci_high",
    "overall_rate",
    "lift",
    "p_value",
    "q_value",
    "significant",
]


def _check_scores(X: pd.DataFrame, scores: Any) -> np.ndarray:
    try:
        s = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError("scores must be a 1-D array of numbers.") from None
    if s.ndim != 1:
        raise InvalidInputError(f"scores must be 1-D; got shape {s.shape}.")
    check_consistent_length(X, s, names=("X", "scores"))
    if not np.isfinite(s).all():
        raise InvalidInputError(f"scores has {int((~np.isfinite(s)).sum())} non-finite value(s).")
    return s


def _scan(
    codes: list[np.ndarray],
    k_levels: list[int],
    hit_idx: np.ndarray,
    n_pop: int,
    overall: float,
    bad_low: bool,
    *,
    max_order: int,
    min_support: int,
    worse_only: bool,
) -> tuple[list[tuple[int, ...]], list[np.ndarray], list[np.ndarray], list[np.ndarray], int]:
    """Count rows and hits of every cell of every feature combination up to ``max_order``:
    ``(combination per group of kept cells, cells, sizes, hits, number of cells tested)``."""
    kept: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    n_tested = 0
    hit_codes = narrow([c[hit_idx] for c in codes], widest(k_levels, max_order))
    for combo, n in combination_counts(codes, k_levels, max_order):
        keep = n >= min_support
        if len(combo) > 1:
            # a cell identical to one of its parents adds nothing
            keep &= n < n_pop
        idx = np.flatnonzero(keep)
        n_tested += len(idx)
        if not len(idx):
            continue
        # the hits come from the few hit rows: one bincount per combination is cheap there
        k = np.bincount(mixed_radix(hit_codes, k_levels, combo), minlength=len(n))
        if worse_only:
            rate = k[idx] / n[idx]
            idx = idx[rate < overall] if bad_low else idx[rate > overall]
        if len(idx):
            kept[combo] = (idx, n[idx], k[idx])
    # the order of the table (and of ties in its sort) is combinations() order, by order
    combos = sorted(kept, key=lambda c: (len(c), c))
    cells, ns, ks = ([kept[c][i] for c in combos] for i in range(3))
    return combos, cells, ns, ks, n_tested


def _slice_table(combos, cells, ns, ks, k_levels, labels, overall, bad_low, ci) -> pd.DataFrame:
    """One row per kept cell: its description, rate, interval, lift and one-sided p-value."""
    n = np.concatenate(ns)
    k = np.concatenate(ks)
    rate = k / n
    if bad_low:
        p = stats.binom.cdf(k, n, overall)
    else:
        p = stats.binom.sf(k - 1, n, overall)
    lo, hi = (wilson_interval if ci == "wilson" else clopper_pearson_interval)(k, n)
    describe = _Describer(k_levels, labels)
    return pd.DataFrame(
        {
            "slice": [d for f, c in zip(combos, cells, strict=True) for d in describe(f, c)],
            "order": np.repeat([len(f) for f in combos], [len(c) for c in cells]),
            "n": n,
            "hits": k,
            "rate": rate,
            "ci_low": lo,
            "ci_high": hi,
            "overall_rate": overall,
            "lift": rate / overall if overall > 0 else np.nan,
            "p_value": p,
        }
    )


class _Describer:
    """The descriptions of cells, e.g. ``"a in [0, 1) & b = x"``.

    Combinations come in combinations() order, so neighbours share all but their last
    feature: the descriptions of every cell of that prefix are built once and kept, and
    each cell then costs one string concatenation.
    """

    def __init__(self, k_levels: list[int], labels: list[list[str]]) -> None:
        self.k_levels = k_levels
        self.names = [np.array(lab, dtype=object) for lab in labels]
        self.joined = [np.array([" & " + x for x in lab], dtype=object) for lab in labels]
        self.cached: dict[int, tuple[tuple[int, ...], np.ndarray]] = {}

    def __call__(self, combo: tuple[int, ...], cells: np.ndarray) -> list[str]:
        if len(combo) == 1:
            return self.names[combo[0]][cells].tolist()
        head, last = np.divmod(cells, self.k_levels[combo[-1]])
        return (self._every(combo[:-1])[head] + self.joined[combo[-1]][last]).tolist()

    def _every(self, combo: tuple[int, ...]) -> np.ndarray:
        """The descriptions of every cell of ``combo``, in code order."""
        if len(combo) == 1:
            return self.names[combo[0]]
        hit = self.cached.get(len(combo))
        if hit is None or hit[0] != combo:
            every = self._every(combo[:-1])[:, None] + self.joined[combo[-1]][None, :]
            hit = (combo, every.ravel())
            self.cached[len(combo)] = hit
        return hit[1]
