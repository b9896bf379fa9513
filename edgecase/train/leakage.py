"""The leakage guard: columns a fraud model must not train on, found before any fit.

Four kinds, each named in the warning or error so the user can check them:

* **id-like**: an integer or text column with a distinct value on (almost)
  every row, a column named like an id (``id``, ``*_id``), or one value per
  group when ``groups`` (accounts) are given: a model memorises them;
* **label derivatives**: columns named after the label's own by-products
  (``typology``, ``label_time``, ``event_id``, ...), or whose missing values
  mark exactly the positive (or negative) rows;
* **raw timestamps**: datetime columns; the time order is for splitting, and a
  model trained on the date learns when fraud happened in this sample;
* **single-column predictors**: any column that alone predicts the label with
  out-of-fold ROC-AUC above ``max_auc`` (0.999): a one-column model that good
  is almost always a leak, never a feature.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

__all__ = ["find_leaks", "LABEL_DERIVATIVES", "single_column_auc"]

#: Column names that are the label's by-products in fraud data.
LABEL_DERIVATIVES = frozenset(
    {"typology", "label_time", "event_id", "is_fraud", "label", "target", "fraud_type",
     "chargeback_time", "chargeback_date", "confirmed_at"}
)  # fmt: skip
_ID_NAME = re.compile(r"(^|_)(id|uuid|key)$", re.IGNORECASE)
_N_BINS = 20


def _is_text_or_int(s: pd.Series) -> bool:
    return (
        pd.api.types.is_integer_dtype(s.dtype)
        or pd.api.types.is_object_dtype(s.dtype)
        or pd.api.types.is_string_dtype(s.dtype)
    ) and not pd.api.types.is_bool_dtype(s.dtype)


def _id_like(name: str, s: pd.Series, groups: pd.Series | None) -> str | None:
    if _ID_NAME.search(str(name)):
        return "id-like (named like an id)"
    if not _is_text_or_int(s):
        return None
    n_unique = s.nunique(dropna=True)
    if n_unique >= 0.95 * len(s) and len(s) >= 20:
        return f"id-like ({n_unique:,} distinct values in {len(s):,} rows)"
    if groups is not None and n_unique > 1:
        per_group = pd.Series(s.to_numpy()).groupby(groups.to_numpy()).nunique()
        n_groups = per_group.shape[0]
        if n_groups >= 20 and (per_group == 1).all() and n_unique >= 0.95 * n_groups:
            return "id-like (one value per group)"
    return None


def _derivative(name: str, s: pd.Series, y: np.ndarray) -> str | None:
    if str(name).lower() in LABEL_DERIVATIVES:
        return "a derivative of the label (by name)"
    miss = s.isna().to_numpy()
    if 0 < miss.sum() < len(s) and ((miss == (y == 0)).all() or (miss == (y == 1)).all()):
        return "a derivative of the label (missing exactly on one class)"
    return None


def _codes(s: pd.Series) -> np.ndarray:
    """Level codes of a column: categories as they are, numbers by quantile bins."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype=float)
        edges = np.unique(np.nanquantile(v, np.linspace(0, 1, _N_BINS + 1)[1:-1]))
        return np.searchsorted(edges, v, side="right")
    return pd.factorize(s.astype(object), use_na_sentinel=False)[0]


def single_column_auc(s: pd.Series, y: np.ndarray, seed: int = 0) -> float:
    """Out-of-fold ROC-AUC of the column as the only feature (either direction).

    The one-column model is the positive share of the row's level (numbers binned
    into 20 quantile bins), estimated on the other folds; numbers are also scored
    by their raw value, which needs no fit.

    Examples
    --------
    >>> y = np.r_[np.zeros(90), np.ones(10)].astype(int)
    >>> round(single_column_auc(pd.Series(y * 5.0), y), 3)
    1.0
    """
    if y.sum() < 3 or (y == 0).sum() < 3:
        return 0.5
    best = 0.5
    if pd.api.types.is_numeric_dtype(s.dtype) and not s.isna().any():
        auc = roc_auc_score(y, s.to_numpy(dtype=float))
        best = max(auc, 1.0 - auc)
    codes = _codes(s)
    oof = np.zeros(y.shape[0])
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(codes, y):
        share = pd.Series(y[tr]).groupby(codes[tr]).mean()
        oof[te] = pd.Series(codes[te]).map(share).fillna(y[tr].mean()).to_numpy()
    auc = roc_auc_score(y, oof)
    return max(best, auc, 1.0 - auc)


def find_leaks(
    X: pd.DataFrame, y: np.ndarray, groups: Any = None, *, max_auc: float = 0.999, seed: int = 0
) -> dict[str, str]:
    """Suspect columns of ``X`` and why, in column order (empty when none).

    Examples
    --------
    >>> X = pd.DataFrame({"amount": [1.0, 2.0, 3.0, 4.0] * 10, "typology": ["a"] * 40})
    >>> find_leaks(X, np.r_[np.zeros(30), np.ones(10)].astype(int))
    {'typology': 'a derivative of the label (by name)'}
    """
    g = None if groups is None else pd.Series(np.asarray(groups).ravel())
    out: dict[str, str] = {}
    for name in X.columns:
        s = X[name]
        reason = _derivative(name, s, y) or _id_like(name, s, g)
        if reason is None and pd.api.types.is_datetime64_any_dtype(s.dtype):
            reason = "a raw timestamp"
        if reason is None:
            auc = single_column_auc(s, y, seed)
            if auc > max_auc:
                reason = f"alone predicts the label (out-of-fold ROC-AUC {auc:.4f})"
        if reason is not None:
            out[str(name)] = reason
    return out
