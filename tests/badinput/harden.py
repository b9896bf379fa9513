"""harden entry point: mutable columns that do not exist or are not numeric, directions
that contradict mutable, a holdout without positives, rounds < 1, scenarios that do not
follow the protocol, bad option types.

Every call fails before any model is trained, so many examples per case stay cheap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase.train import Trainer, harden

from . import Case
from ._strategies import WRONG_TYPES

N = 40


def _X() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(N, 2)), columns=["a", "b"]).assign(
        kind=pd.Categorical(rng.choice(["p", "q"], N), categories=["p", "q"]),
        flag=rng.random(N) < 0.5,
    )


def _y(n_pos: int = 10) -> np.ndarray:
    return np.r_[np.ones(n_pos, dtype=int), np.zeros(N - n_pos, dtype=int)]


def _run(**kw):
    return harden(
        Trainer(cv=2, progress=False),
        kw.pop("X", _X()),
        kw.pop("y", _y()),
        **{"progress": False, "random_state": 0, **kw},
    )


missing_columns = st.text(min_size=1, max_size=6).filter(
    lambda c: c not in {"a", "b", "kind", "flag"}
)
bad_mutable = st.one_of(
    missing_columns.map(lambda c: [c]),
    missing_columns.map(lambda c: {"a": "down", c: "up"}),
    st.just(["kind"]),  # a category is not numeric
    st.just({"kind": "down"}),
    st.just("a"),  # a bare string, not a list of names
    st.integers(),
)
directions = st.sampled_from(["up", "down", "both"])
contradicting = st.one_of(
    missing_columns.map(lambda c: ({"a": "down"}, {c: "down"})),  # a column not in mutable
    st.just(({"a": "down"}, {"a": "up"})),
    st.just(({"a": "up"}, {"a": "down"})),
    st.tuples(
        st.just(["a"]),
        st.text(max_size=5)
        .filter(lambda d: d not in {"up", "down", "both"})
        .map(lambda d: {"a": d}),
    ),
    st.tuples(st.just(["a"]), WRONG_TYPES.filter(lambda v: v is not None)),
)
not_scenarios = st.one_of(
    st.just([object()]),
    st.integers().map(lambda i: [i]),
    st.just([type("NoApply", (), {"name": "x"})()]),
    st.just([type("NoName", (), {"apply": lambda self, *a, **k: None})()]),
    st.integers(),
)
bad_rounds = st.one_of(
    st.integers(max_value=0), st.floats(allow_nan=True), st.just(True), WRONG_TYPES
)
bad_holdout = st.one_of(
    st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(np.nan), st.just(True), WRONG_TYPES
)


def _no_positive_holdout(case: tuple[str, int]):
    kind, seed = case
    if kind == "one positive":
        return _run(y=_y(1), random_state=seed)
    if kind == "positives all early":  # the latest 20% (the validation part) has none
        X = _X().set_index(pd.date_range("2024-01-01", periods=N, freq="D"))
        return _run(X=X, y=_y(10), random_state=seed)
    groups = np.r_[np.zeros(10), np.arange(1, N - 9)]  # every positive in one group
    return _run(groups=groups, holdout=0.5, random_state=seed)


CASES = [
    Case(
        "edgecase.train.harden(mutable=...)",
        bad_mutable,
        lambda m: _run(mutable=m),
        200,
        names=["mutable"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden(directions contradicting mutable)",
        contradicting,
        lambda md: _run(mutable=md[0], directions=md[1]),
        200,
        names=["directions", "mutable"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden (holdout left with no positives)",
        st.tuples(
            st.sampled_from(["one positive", "positives all early", "positives in one group"]),
            st.integers(0, 2**31 - 1),
        ),
        _no_positive_holdout,
        200,
        names=["holdout", "positive", "positives", "groups"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden(rounds=...)",
        bad_rounds,
        lambda r: _run(rounds=r),
        200,
        names=["rounds"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden(holdout=...)",
        bad_holdout,
        lambda h: _run(holdout=h),
        200,
        names=["holdout"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden(scenarios=...)",
        not_scenarios,
        lambda s: _run(scenarios=s),
        200,
        names=["scenarios", "scenario"],
        covers=(harden,),
    ),
    Case(
        "edgecase.train.harden(trainer=...)",
        st.one_of(WRONG_TYPES, st.just(Trainer(sampler="scale_pos_weight"))),
        lambda t: harden(t, _X(), _y(), progress=False),
        200,
        names=["trainer", "sampler"],
        covers=(harden,),
    ),
]
