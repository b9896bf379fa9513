"""Which cells a scenario changed: the comparison behind the sweep's shortcuts.

A scenario that keeps the test set's rows (same index, columns and dtypes) usually
moves a few of them. Comparing its output with its input, column by column, tells
which rows need a new score (:mod:`edgecase.stress._scores`) and which columns need
a finiteness check: cells equal to an input that passed ``check_finite`` pass it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import check_finite, check_finite_column

__all__ = ["column_changes", "changed_columns", "check_changed_finite"]


def column_changes(X: pd.DataFrame, X_s: pd.DataFrame) -> dict[Any, np.ndarray] | None:
    """Per column, which rows of ``X_s`` differ from ``X``; None when the frames are not
    comparable row by row (different shape, columns, index or dtypes).

    Categoricals compare codes (equal dtypes mean equal categories); NaN equals NaN.
    """
    if (
        X_s.shape != X.shape
        or not X_s.columns.equals(X.columns)
        or not X_s.index.equals(X.index)
        or not (X_s.dtypes == X.dtypes).all()
    ):
        return None
    out = {}
    for col in X.columns:
        a, b = X[col], X_s[col]
        if isinstance(a.dtype, pd.CategoricalDtype):
            av, bv = np.asarray(a.array.codes), np.asarray(b.array.codes)
        else:
            av, bv = a.to_numpy(), b.to_numpy()
        if _same_memory(av, bv):
            # a column the scenario did not touch (a copy-on-write copy shares it)
            out[col] = np.zeros(len(av), dtype=bool)
            continue
        diff = np.asarray(av != bv, dtype=bool)
        if diff.any() and av.dtype.kind in "fc":
            diff &= ~(np.isnan(av) & np.isnan(bv))
        out[col] = diff
    return out


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays are views of the same bytes in the same layout, hence equal."""
    return (
        a.dtype == b.dtype
        and a.shape == b.shape
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def changed_columns(changes: dict[Any, np.ndarray]) -> list[Any]:
    """The columns in which at least one row changed."""
    return [col for col, diff in changes.items() if diff.any()]


def check_changed_finite(
    X: pd.DataFrame, X_s: pd.DataFrame, *, name: str
) -> dict[Any, np.ndarray] | None:
    """``check_finite(X_s)`` for an ``X`` that has passed it: only the columns in which
    ``X_s`` differs from ``X`` are checked, and in them only the changed cells (every
    cell if the frames are not comparable); the errors are ``check_finite``'s, naming
    the column. Returns
    :func:`column_changes`."""
    changes = column_changes(X, X_s)
    if changes is None:
        check_finite(X_s, name=name)
        return None
    for col, diff in changes.items():
        # only the changed cells: the others equal X's, which passed (so the counts in
        # an error are the whole column's)
        rows = np.flatnonzero(diff)
        if len(rows):
            s = X_s[col]
            check_finite_column(s if len(rows) == len(s) else s.iloc[rows], name=name, col=col)
    return changes
