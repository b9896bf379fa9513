"""Fidelity: do the synthetic rows keep the real marginals, dependencies and tails?

* per column: Kolmogorov-Smirnov statistic for numeric columns, total variation
  distance for bool/category columns (both 0 = identical, 1 = disjoint; the
  column *score* is ``1 - statistic``);
* dependencies: one mixed association matrix (Pearson correlation between
  numeric columns, Cramer's V between categorical columns, the correlation
  ratio eta between a numeric and a categorical column), real vs synthetic;
* tails: the 1%, 99% and 99.9% quantiles of every numeric column, with the
  synthetic-minus-real error in units of the real column's standard deviation.

Everything here is O(n log n) and runs on all rows (no subsampling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from edgecase.quality._prep import Prepared

__all__ = [
    "TAIL_PROBS",
    "column_fidelity",
    "tail_quantiles",
    "association_matrix",
    "ks_statistic",
    "total_variation",
]

#: Quantile levels of the tail table (1%, 99%, 99.9%).
TAIL_PROBS = (0.01, 0.99, 0.999)


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic (sup distance of the empirical CDFs).

    Examples
    --------
    >>> ks_statistic(np.arange(10.0), np.arange(10.0))
    0.0
    >>> ks_statistic(np.zeros(5), np.ones(5))
    1.0
    """
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    # the statistic only: scipy.stats.ks_2samp also computes a p-value, which took a third
    # of the fidelity time on 100k rows and is meaningless at that size anyway
    a, b = np.sort(a), np.sort(b)
    both = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, both, side="right") / len(a)
    cdf_b = np.searchsorted(b, both, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def total_variation(a: np.ndarray, b: np.ndarray) -> float:
    """Total variation distance between the level frequencies of two label arrays.

    Examples
    --------
    >>> total_variation(np.array(["x", "y"]), np.array(["x", "x"]))
    0.5
    """
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    levels, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    pa = np.bincount(codes[: len(a)], minlength=len(levels)) / len(a)
    pb = np.bincount(codes[len(a) :], minlength=len(levels)) / len(b)
    return float(0.5 * np.abs(pa - pb).sum())


def _masked(d: dict[str, np.ndarray], mask: np.ndarray | None) -> dict[str, np.ndarray]:
    return d if mask is None else {c: v[mask] for c, v in d.items()}


def column_fidelity(
    prep: Prepared, real_mask: np.ndarray | None = None, syn_mask: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per feature column: metric (KS/TV), statistic and score = 1 - statistic."""
    num_r, num_s = _masked(prep.num_real, real_mask), _masked(prep.num_synthetic, syn_mask)
    cat_r, cat_s = _masked(prep.cat_real, real_mask), _masked(prep.cat_synthetic, syn_mask)
    rows = []
    for c in prep.features:
        if prep.kinds[c] == "numeric":
            stat, metric = ks_statistic(num_r[c], num_s[c]), "KS"
        else:
            stat, metric = total_variation(cat_r[c], cat_s[c]), "TV"
        rows.append(
            {
                "column": c,
                "kind": prep.kinds[c],
                "metric": metric,
                "statistic": stat,
                "score": 1 - stat,
            }
        )
    return pd.DataFrame(rows, columns=["column", "kind", "metric", "statistic", "score"])


def tail_quantiles(
    prep: Prepared,
    real_mask: np.ndarray | None = None,
    syn_mask: np.ndarray | None = None,
    probs: tuple[float, ...] = TAIL_PROBS,
) -> pd.DataFrame:
    """Real and synthetic quantiles per numeric column, error in real standard deviations.

    With fewer than ``1 / (1 - p)`` rows a quantile ``p`` is an interpolation
    between the largest observations (the 99.9% quantile of 35 minority rows is
    close to their maximum); ``n_real`` is reported so the reader can judge.
    """
    num_r, num_s = _masked(prep.num_real, real_mask), _masked(prep.num_synthetic, syn_mask)
    rows = []
    p = np.asarray(probs, dtype=float)
    for c in prep.numeric:
        r, s = num_r[c], num_s[c]
        qr = np.quantile(r, p) if len(r) else np.full(len(p), np.nan)
        qs = np.quantile(s, p) if len(s) else np.full(len(p), np.nan)
        sd = float(np.std(prep.num_real[c])) if len(prep.num_real[c]) else float("nan")
        sd = sd if sd > 0 else 1.0
        for k, q in enumerate(p):
            rows.append(
                {
                    "column": c,
                    "quantile": float(q),
                    "real": float(qr[k]),
                    "synthetic": float(qs[k]),
                    "error_sd": float((qs[k] - qr[k]) / sd),
                    "n_real": len(r),
                    "n_synthetic": len(s),
                }
            )
    return pd.DataFrame(
        rows,
        columns=["column", "quantile", "real", "synthetic", "error_sd", "n_real", "n_synthetic"],
    )


def _pearson(mat: np.ndarray) -> np.ndarray:
    if mat.shape[1] == 0:
        return np.zeros((0, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = mat - mat.mean(axis=0)
        sd = np.sqrt((centered**2).sum(axis=0))
        # np.dot takes BLAS's symmetric product for X.T X; one thread: a 100k x 22 product
        # is too small for threads, which on a busy machine spin for seconds
        with threadpool_limits(1, user_api="blas"):
            cov = np.dot(centered.T, centered)
        # undefined (NaN) where a column is constant: a correlation does not exist there
        return cov / np.outer(sd, sd)


def _cramers_v(a: np.ndarray, ka: int, b: np.ndarray, kb: int) -> float:
    n = len(a)
    if n == 0 or ka < 2 or kb < 2:
        return float("nan")
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(float)
    r, c = table.sum(axis=1), table.sum(axis=0)
    keep_r, keep_c = r > 0, c > 0
    table, r, c = table[keep_r][:, keep_c], r[keep_r], c[keep_c]
    k = min(len(r), len(c))
    if k < 2:
        return float("nan")
    chi2 = n * ((table**2 / np.outer(r, c)).sum() - 1.0)
    return float(np.sqrt(max(chi2, 0.0) / (n * (k - 1))))


def _eta(x: np.ndarray, codes: np.ndarray, k: int) -> float:
    total = ((x - x.mean()) ** 2).sum() if len(x) else 0.0
    if total <= 0:
        return float("nan")
    cnt = np.bincount(codes, minlength=k)
    sums = np.bincount(codes, weights=x, minlength=k)
    seen = cnt > 0
    between = (sums[seen] ** 2 / cnt[seen]).sum() - x.sum() ** 2 / len(x)
    return float(np.sqrt(min(max(between / total, 0.0), 1.0)))


def association_matrix(
    num: dict[str, np.ndarray], cat: dict[str, np.ndarray], columns: list[str]
) -> pd.DataFrame:
    """Mixed association matrix: Pearson r (num-num), Cramer's V (cat-cat), eta (num-cat).

    Pearson r is signed in [-1, 1]; Cramer's V and eta are in [0, 1]. Entries
    are NaN where the measure is undefined (a constant column).

    Examples
    --------
    >>> x = np.arange(6.0)
    >>> m = association_matrix({"x": x, "z": 2 * x}, {"g": np.array(list("aabbcc"))}, ["x", "z", "g"])
    >>> float(m.loc["x", "z"]), round(float(m.loc["x", "g"]), 3)
    (1.0, 0.956)
    """
    num_cols = [c for c in columns if c in num]
    cat_cols = [c for c in columns if c in cat]
    out = pd.DataFrame(np.nan, index=columns, columns=columns, dtype=float)
    if num_cols:
        mat = np.column_stack([num[c] for c in num_cols]).astype(float)
        out.loc[num_cols, num_cols] = _pearson(mat)
    codes = {}
    for c in cat_cols:
        code, uniq = pd.factorize(cat[c])
        codes[c] = (code, len(uniq))
    for i, a in enumerate(cat_cols):
        for b in cat_cols[i + 1 :]:
            v = _cramers_v(codes[a][0], codes[a][1], codes[b][0], codes[b][1])
            out.loc[a, b] = out.loc[b, a] = v
        for x in num_cols:
            v = _eta(num[x].astype(float), codes[a][0], codes[a][1])
            out.loc[a, x] = out.loc[x, a] = v
    for c in columns:
        out.loc[c, c] = 1.0
    return out
