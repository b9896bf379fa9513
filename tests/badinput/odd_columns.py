"""Odd but realistic columns every fit must refuse by name: finite values too large to
compute with, integers past 2**53, category levels of bool/float/mixed type, time-zone,
period, timedelta and complex columns, object columns mixing text and numbers,
nested and duplicated column names."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase._validate import check_X_y
from edgecase.fraud import EdgeCaseOversampler

from . import Case

N = 24
KINDS = [
    "huge", "big_int", "bool_levels", "float_levels", "mixed_levels", "tz", "period",
    "timedelta", "complex", "mixed_object", "multiindex", "duplicated",
]  # fmt: skip


@st.composite
def odd_frames(draw) -> tuple[pd.DataFrame, np.ndarray, str]:
    """(X, y, what the message must name) with one odd column ``col`` (or odd names)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = pd.DataFrame(rng.normal(size=(N, 3)), columns=["a", "b", "c"])
    y = np.resize([0, 1, 1, 0], N)
    kind = draw(st.sampled_from(KINDS))
    col = draw(st.sampled_from(["a", "b", "c"]))
    row = draw(st.integers(0, N - 1))
    if kind == "huge":
        X.loc[row, col] = draw(st.sampled_from([-1.0, 1.0])) * draw(st.floats(1e31, 1e308))
    elif kind == "big_int":
        X[col] = np.full(N, draw(st.integers(2**53 + 1, 2**63 - 1)), dtype=np.int64)
    elif kind == "mixed_object":
        X[col] = pd.Series([1 if i % 2 else "x" for i in range(N)], dtype=object)
    elif kind == "multiindex":
        X.columns = pd.MultiIndex.from_tuples([("g", "a"), ("g", "b"), ("h", "c")])
        return X, y, "X"
    elif kind == "duplicated":
        X.columns = ["a", "a", "c"]
        return X, y, "X"
    else:
        X[col] = _odd_column(kind, draw)
    return X, y, repr(col)


def _odd_column(kind: str, draw) -> object:
    levels = {
        "bool_levels": [True, False],
        "float_levels": [0.5, 1.5, draw(st.floats(2.0, 1e6))],
        "mixed_levels": [1, "x"],
    }
    if kind in levels:
        return pd.Categorical(pd.Series(np.resize(np.array(levels[kind], dtype=object), N)))
    if kind == "tz":
        return pd.date_range("2020", periods=N, tz=draw(st.sampled_from(["UTC", "US/Eastern"])))
    if kind == "period":
        return pd.period_range("2020", periods=N, freq=draw(st.sampled_from(["D", "M"])))
    if kind == "timedelta":
        return pd.to_timedelta(np.arange(N), unit="s")
    return np.arange(N) + 1j


def _fits():
    # The shared check every fit calls, and the oversampler, which has its own path
    # (scikit-learn's validation); tests/test_bad_input_odd.py runs every fit on examples.
    return {
        "check_X_y": lambda X, y: check_X_y(X, y),
        "EdgeCaseOversampler.fit_resample": lambda X, y: EdgeCaseOversampler(
            k_neighbors=2, random_state=0
        ).fit_resample(X, y),
    }


CASES = [
    Case(
        f"{name} (odd columns)",
        odd_frames(),
        lambda a, fit=fit: fit(a[0], a[1]),
        names=lambda a: [a[2]],
    )
    for name, fit in _fits().items()
]
