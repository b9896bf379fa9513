"""Quality-stage entry points: evaluate() and collapse_check()."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase.quality import collapse_check, evaluate, hill_tail_index

from . import Case
from ._strategies import WRONG_TYPES, bad_frames, bad_real, bad_returns, frame_names

_BROKEN = [
    "missing_column",
    "extra_column",
    "renamed_column",
    "numeric_vs_category",
    "bool_vs_numeric",
    "datetime_vs_numeric",
    "empty_real",
    "empty_synthetic",
    "no_columns",
    "nan_synthetic",
    "inf_real",
    "text_column",
    "one_class_target",
    "three_class_target",
    "target_not_a_column",
    "target_missing_in_synthetic",
    "unknown_synthetic_label",
    "series_instead_of_frame",
    "one_dimensional_array",
]


_SCHEMA_DEFECTS = _BROKEN[:9]


def _schema_defect(kind, rng, real, synth, col, n):
    """A defect in the columns: missing, extra, renamed, of the wrong kind, or no rows."""
    if kind == "missing_column":
        synth = synth.drop(columns=col)
    elif kind == "extra_column":
        synth = synth.assign(extra=1.0)
    elif kind == "renamed_column":
        synth = synth.rename(columns={col: col + "_"})
    elif kind == "numeric_vs_category":
        if col == "c":
            synth["c"] = synth["c"].cat.codes.astype(float)
        else:
            synth[col] = pd.Categorical(synth[col].astype(str))
    elif kind == "bool_vs_numeric":
        real = real.assign(flag=rng.random(n) > 0.5)
        synth = synth.assign(flag=(rng.random(n) > 0.5).astype(int))
    elif kind == "datetime_vs_numeric":
        t = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 100, n), unit="D")
        real = real.assign(t=t)
        synth = synth.assign(t=rng.normal(size=n))
    elif kind == "empty_real":
        real = real.iloc[:0]
    elif kind == "empty_synthetic":
        synth = synth.iloc[:0]
    elif kind == "no_columns":
        synth = synth[[]]
    return real, synth


def _value_defect(draw, kind, real, synth, target, n):
    """A defect in the values, the target or the container."""
    if kind == "nan_synthetic":
        synth.loc[draw(st.integers(0, n - 1)), "a"] = np.nan
    elif kind == "inf_real":
        real.loc[draw(st.integers(0, n - 1)), "a"] = draw(st.sampled_from([np.inf, -np.inf]))
    elif kind == "text_column":
        real = real.assign(s=[f"t{i}" for i in range(n)])
        synth = synth.assign(s=[f"t{i}" for i in range(n)])
    elif kind == "one_class_target":
        real["y"] = np.int8(draw(st.sampled_from([0, 1])))
    elif kind == "three_class_target":
        real.loc[0, "y"] = 2
    elif kind == "target_not_a_column":
        # None is valid ("no target"); every other non-column value is not
        target = draw(
            st.one_of(
                st.sampled_from(["label", "Y", ""]), WRONG_TYPES.filter(lambda v: v is not None)
            )
        )
    elif kind == "target_missing_in_synthetic":
        synth = synth.drop(columns="y")
    elif kind == "unknown_synthetic_label":
        synth.loc[0, "y"] = 7
    elif kind == "series_instead_of_frame":
        synth = synth["a"]
    elif kind == "one_dimensional_array":
        real = real["a"].to_numpy()
    return real, synth, target


@st.composite
def broken_pairs(draw):
    """(real, synthetic, target) with exactly one defect evaluate must refuse."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(6, 30))
    real = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 5, n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], n)),
            "y": np.r_[np.ones(2, dtype=np.int8), np.zeros(n - 2, dtype=np.int8)],
        }
    )
    synth = real.sample(frac=1.0, random_state=int(rng.integers(1000))).reset_index(drop=True)
    target = "y"
    kind = draw(st.sampled_from(_BROKEN))
    col = draw(st.sampled_from(["a", "b", "c"]))
    if kind in _SCHEMA_DEFECTS:
        real, synth = _schema_defect(kind, rng, real, synth, col, n)
    else:
        real, synth, target = _value_defect(draw, kind, real, synth, target, n)
    return real, synth, target, _defect_names(kind, col)


def _defect_names(kind: str, col: str) -> list[str]:
    """What the message about a defect must name: the column, or the table or target."""
    return {
        "missing_column": [repr(col)],
        "extra_column": ["'extra'"],
        "renamed_column": [repr(col), repr(col + "_")],
        "numeric_vs_category": [repr(col)],
        "bool_vs_numeric": ["'flag'"],
        "datetime_vs_numeric": ["'t'"],
        "empty_real": ["real"],
        "empty_synthetic": ["synthetic"],
        "no_columns": ["synthetic"],
        "nan_synthetic": ["'a'"],
        "inf_real": ["'a'"],
        "text_column": ["'s'"],
        "one_class_target": ["target", "'y'"],
        "three_class_target": ["target", "'y'"],
        "target_not_a_column": ["target"],
        "target_missing_in_synthetic": ["target", "'y'"],
        "unknown_synthetic_label": ["'y'", "target"],
        "series_instead_of_frame": ["synthetic"],
        "one_dimensional_array": ["real"],
    }[kind]


@st.composite
def bad_parameters(draw):
    """A valid pair with one bad evaluate() parameter."""
    real = pd.DataFrame({"a": np.arange(10.0), "y": np.r_[np.ones(3), np.zeros(7)].astype(int)})
    name = draw(
        st.sampled_from(
            ["max_rows", "n_queries", "test_size", "n_folds", "n_jobs", "random_state", "schema"]
        )
    )
    value = {
        "max_rows": bad_real(low=20, integer=True),
        "n_queries": bad_real(low=10, integer=True),
        "test_size": bad_real(low=0.0, high=1.0),
        "n_folds": bad_real(low=2, integer=True),
        "n_jobs": bad_real(low=1, high=2, integer=True),
        "random_state": st.one_of(st.integers(max_value=-1), st.text(max_size=3), st.floats()),
        "schema": st.one_of(st.integers(), st.text(max_size=3), st.just(object())),
    }[name]
    return real, {name: draw(value)}


_RETURNS = np.random.default_rng(0).standard_t(3, size=300) / 100


@st.composite
def _bad_sample(draw):
    """Return samples hill_tail_index must refuse: NaN/inf inside, 2-D, words."""
    kind = draw(st.sampled_from(["nonfinite", "two_d", "words"]))
    if kind == "nonfinite":
        x = _RETURNS.copy()
        x[draw(st.integers(0, len(x) - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return x
    if kind == "two_d":
        return _RETURNS.reshape(-1, draw(st.sampled_from([2, 3, 5])))
    return draw(st.lists(st.sampled_from(["crash", "x", ""]), min_size=1, max_size=5))


def _is_frame_pair(v) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], pd.DataFrame)


class _Tabular:  # never reached: the input checks fail first
    def fit(self, X, y):
        raise AssertionError("fit must not run on malformed input")

    def generate(self, n, *, random_state=None):
        raise AssertionError("generate must not run on malformed input")


class _Market:
    @classmethod
    def from_returns(cls, returns):
        raise AssertionError("from_returns must not run on malformed input")


CASES = [
    Case(
        "edgecase.quality.evaluate (malformed real/synthetic/target)",
        broken_pairs(),
        lambda b: evaluate(b[0], b[1], target=b[2], random_state=0, progress=False),
        names=lambda b: b[3],
        covers=(evaluate,),
    ),
    Case(
        "edgecase.quality.evaluate (bad parameters)",
        bad_parameters(),
        lambda b: evaluate(b[0], b[0], target="y", progress=False, **b[1]),
        names=lambda b: list(b[1]),
    ),
    Case(
        "edgecase.quality.collapse_check (tabular real)",
        st.one_of(bad_frames(), WRONG_TYPES, st.tuples(st.integers())),
        lambda Xy: collapse_check(_Tabular(), Xy, generations=2, progress=False),
        names=lambda Xy: frame_names(Xy) if _is_frame_pair(Xy) else ["real"],
        covers=(collapse_check,),
    ),
    Case(
        "edgecase.quality.collapse_check (market returns)",
        bad_returns(min_obs=250),
        lambda r: collapse_check(_Market, r, generations=2, progress=False),
        names=["real", "returns"],
    ),
    Case(
        "edgecase.quality.collapse_check (generator, generations)",
        st.one_of(
            st.tuples(st.one_of(WRONG_TYPES, st.integers()), st.just(2)),
            st.tuples(st.just(_Market), bad_real(low=1, integer=True)),
        ),
        lambda g: collapse_check(g[0], pd.Series(np.zeros(300)), generations=g[1], progress=False),
        names=lambda g: ["generations"] if g[0] is _Market else ["generator"],
    ),
    Case(
        "edgecase.quality.hill_tail_index",
        st.one_of(
            st.tuples(st.just("fraction"), bad_real(low=0.0, high=0.5)),
            st.tuples(
                st.just("tail"),
                st.one_of(st.text(max_size=6), WRONG_TYPES).filter(
                    lambda t: t not in ("left", "right")
                ),
            ),
            st.tuples(st.just("x"), _bad_sample()),
        ),
        lambda b: hill_tail_index(
            b[1] if b[0] == "x" else _RETURNS, **({} if b[0] == "x" else {b[0]: b[1]})
        ),
        names=lambda b: [b[0]],
        covers=(hill_tail_index,),
    ),
]
