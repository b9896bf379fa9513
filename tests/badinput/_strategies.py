"""Building blocks of malformed input shared by the bad-input registry modules."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

NON_FINITE = st.sampled_from([np.nan, np.inf, -np.inf])
WRONG_TYPES = st.one_of(
    st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2), st.just(object())
)


def bad_real(
    *, low: float | None = None, high: float | None = None, integer: bool = False
) -> st.SearchStrategy:
    """Values a real (or integer) parameter in [low, high] must refuse."""
    options = [NON_FINITE, WRONG_TYPES]
    if low is not None:
        options.append(
            st.floats(
                max_value=low,
                exclude_max=True,
                allow_nan=False,
                allow_infinity=False,
                min_value=-1e12,
            )
        )
    if high is not None:
        options.append(
            st.floats(
                min_value=high,
                exclude_min=True,
                allow_nan=False,
                allow_infinity=False,
                max_value=1e12,
            )
        )
    if integer:
        options.append(st.floats(min_value=0.1, max_value=1e6).filter(lambda v: v != int(v)))
    return st.one_of(options)


@st.composite
def bad_frames(
    draw, *, n_rows: int = 20, n_cols: int = 3, with_labels: bool = True
) -> tuple[pd.DataFrame, np.ndarray]:
    """(X, y) pairs broken in one way: NaN, inf, empty, text column, one class, length mismatch, 3 classes."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = pd.DataFrame(rng.normal(size=(n_rows, n_cols)), columns=[f"c{i}" for i in range(n_cols)])
    y = np.r_[np.ones(n_rows // 2, dtype=int), np.zeros(n_rows - n_rows // 2, dtype=int)]
    kinds = ["nan", "inf", "empty", "text", "no_columns", "mismatch"]
    if with_labels:
        kinds += ["one_class", "three_classes", "nan_label"]
    kind = draw(st.sampled_from(kinds))
    col = draw(st.sampled_from(list(X.columns)))
    row = draw(st.integers(0, n_rows - 1))
    if kind == "nan":
        X.loc[row, col] = np.nan
    elif kind == "inf":
        X.loc[row, col] = draw(st.sampled_from([np.inf, -np.inf]))
    elif kind == "empty":
        X, y = X.iloc[:0], y[:0]
    elif kind == "text":
        X[col] = [f"t{i}" for i in range(n_rows)]
        X[col] = X[col].astype(object)
    elif kind == "no_columns":
        X = X[[]]
    elif kind == "mismatch":
        y = y[: draw(st.integers(0, n_rows - 1))]
    elif kind == "one_class":
        y = np.full(n_rows, draw(st.sampled_from([0, 1])))
    elif kind == "three_classes":
        y = y.copy()
        y[row] = 2
    elif kind == "nan_label":
        y = y.astype(float)
        y[row] = np.nan
    return X, y


@st.composite
def bad_returns(draw, *, min_obs: int = 100) -> pd.Series:
    """Return series a calibration must refuse: NaN/inf, too short, empty, text."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["nan", "inf", "short", "empty", "text"]))
    r = pd.Series(rng.normal(0, 0.01, size=max(min_obs * 2, 10)))
    if kind == "nan":
        r.iloc[draw(st.integers(0, len(r) - 1))] = np.nan
    elif kind == "inf":
        r.iloc[draw(st.integers(0, len(r) - 1))] = draw(st.sampled_from([np.inf, -np.inf]))
    elif kind == "short":
        r = r.iloc[: draw(st.integers(1, min_obs - 1))]
    elif kind == "empty":
        r = r.iloc[:0]
    else:
        r = r.astype(str)
    return r


def frame_names(Xy) -> list[str]:
    """What a message about a pair from :func:`bad_frames` must name: the broken column
    (quoted, as messages quote names), ``X`` for an empty table, else ``y``."""
    X, y = Xy
    if len(X) == 0 or X.shape[1] == 0:
        return ["X"]
    for col in X.columns:
        s = X[col]
        if s.dtype == object or s.isna().any() or np.isinf(s.to_numpy(dtype=float)).any():
            return [repr(col)]
    return ["y"]


def returns_names(r) -> list[str]:
    """A message about a series from :func:`bad_returns` names ``returns``."""
    return ["returns"]
