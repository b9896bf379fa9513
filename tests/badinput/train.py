"""Trainer entry points: bad labels, single-class folds, non-finite features, threshold
strings that do not parse, unknown samplers, bad parameters, bad rows at predict time.

Every call fails before any model is trained, so 200 examples per case stay cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase.train import SAMPLER_NAMES, NoveltyBlend, Trainer, compare

from . import Case
from ._strategies import NON_FINITE, WRONG_TYPES, bad_frames, frame_names

N = 24


def _X(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(N, 3)), columns=["a", "b", "c"]).assign(
        kind=pd.Categorical(rng.choice(["p", "q"], N), categories=["p", "q"])
    )


def _y() -> np.ndarray:
    return np.r_[np.ones(8, dtype=int), np.zeros(N - 8, dtype=int)]


def _fit(**params):
    return Trainer(**{"progress": False, **params}).fit(_X(), _y())


@lru_cache(maxsize=1)
def _fitted() -> Trainer:
    from xgboost import XGBClassifier

    est = XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1, enable_categorical=True)
    return Trainer(estimator=est, cv=2, random_state=0, progress=False).fit(_X(), _y())


# -- labels that are not binary: three or more classes, missing labels, wrong length
not_binary_labels = st.one_of(
    st.lists(st.sampled_from([0, 1, 2, -1, 3]), min_size=N, max_size=N).filter(
        lambda v: len(set(v)) >= 3
    ),
    st.lists(st.sampled_from([0.0, 1.0, 0.5, np.nan]), min_size=N, max_size=N).filter(
        lambda v: any(x != x or x == 0.5 for x in v)
    ),
    st.lists(st.sampled_from(["fraud", "legit", "unknown", None]), min_size=N, max_size=N).filter(
        lambda v: len(set(v)) >= 3 or None in v
    ),
    st.lists(st.sampled_from([0, 1]), min_size=0, max_size=N - 1),
)


# -- folds where one part has a single class; the error must name the fold
@st.composite
def one_class_folds(draw):
    n_folds = draw(st.integers(2, 4))
    bad = draw(st.integers(0, n_folds - 1))
    part = draw(st.sampled_from(["train", "test"]))
    y = _y()
    # Each class dealt to the folds in a random order: a different split per draw, and
    # every fold but the broken one has both classes on both sides.
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pos, neg = rng.permutation(np.flatnonzero(y == 1)), rng.permutation(np.flatnonzero(y == 0))
    rows = np.arange(N)
    splits = []
    for k in range(n_folds):
        te = np.sort(np.r_[pos[k::n_folds], neg[k::n_folds]])
        tr = np.setdiff1d(rows, te)
        if k == bad:
            cls = draw(st.sampled_from([0, 1]))
            if part == "test":
                te = te[y[te] == cls]
            else:
                tr = tr[y[tr] == cls]
        splits.append((tr, te))
    return bad, splits


def _one_class_fold(drawn):
    bad, splits = drawn
    try:
        _fit(cv=splits)
    except Exception as exc:
        assert re.search(rf"fold {bad} \(of {len(splits)}\)", str(exc)), str(exc)
        raise


def _too_few_positives(drawn):
    cv, n_pos, seed = drawn
    y = np.zeros(N, dtype=int)
    y[np.random.default_rng(seed).choice(N, size=n_pos, replace=False)] = 1
    Trainer(cv=cv, progress=False).fit(_X(seed), y)


# -- non-finite features
@st.composite
def non_finite_X(draw):
    X = _X(draw(st.integers(0, 1000)))
    col = draw(st.sampled_from(["a", "b", "c"]))
    X.loc[draw(st.integers(0, N - 1)), col] = draw(NON_FINITE)
    return X


# -- threshold policies that must not parse
_KEYWORD = re.compile(r"^\s*(f1|fbeta|precision|recall|alert_rate|cost|fixed)", re.IGNORECASE)
_num = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
bad_thresholds = st.one_of(
    st.text(max_size=20).filter(lambda s: not _KEYWORD.match(s)),
    st.builds(
        lambda k, op, v: f"{k}{op}{v!r}",
        st.sampled_from(["precision", "recall"]),
        st.sampled_from(["=", ">", "<=", "==", "", "=>", " "]),
        _num,
    ),
    st.builds(
        lambda k, v: f"{k}>={v!r}",
        st.sampled_from(["precision", "recall"]),
        st.one_of(_num.filter(lambda v: v <= 0 or v > 1), NON_FINITE),
    ),
    st.builds(lambda v: f"alert_rate={v!r}", st.one_of(_num.filter(lambda v: v <= 0 or v >= 1))),
    st.builds(lambda v: f"fbeta={v!r}", _num.filter(lambda v: v <= 0)),
    st.builds(
        lambda a, b: f"cost={a!r}:{b!r}",
        _num,
        _num,
    ).filter(lambda s: any(float(x) <= 0 for x in s[5:].split(":"))),
    st.builds(lambda a: f"cost={a!r}", _num),
    st.builds(lambda a, b, c: f"cost={a}:{b}:{c}", _num, _num, _num),
    st.dictionaries(st.sampled_from(["fn", "fp", "tp", "tn"]), _num, max_size=3).filter(
        lambda d: set(d) != {"fn", "fp"} or min(d.values()) <= 0
    ),
    _num.filter(lambda v: v <= 0 or v >= 1),
    NON_FINITE,
    st.none(),
    st.booleans(),
    st.lists(st.just("f1"), min_size=1, max_size=2),
)

# -- sampler names that are not in the registry, and objects that are not samplers
bad_samplers = st.one_of(
    st.text(max_size=15).filter(lambda s: s not in SAMPLER_NAMES),
    st.integers(),
    st.floats(),
    st.lists(st.sampled_from(SAMPLER_NAMES), min_size=1, max_size=2),
    st.just(object()),
)

# -- parameters of Trainer
bad_params = st.one_of(
    st.builds(lambda v: {"cv": v}, st.one_of(st.integers(max_value=1), st.floats(), WRONG_TYPES)),
    st.builds(
        lambda v: {"calibrate": v},
        st.one_of(
            st.text(max_size=8).filter(lambda s: s not in ("isotonic", "sigmoid")),
            st.integers(2, 10),
        ),
    ),
    st.builds(lambda v: {"progress": v}, st.one_of(st.integers(2, 5), st.text(max_size=3))),
    st.builds(
        lambda v: {"random_state": v},
        st.one_of(st.integers(max_value=-1), st.floats(), st.text(min_size=1, max_size=4)),
    ),
    st.builds(lambda v: {"estimator": v}, st.one_of(st.integers(), st.text(max_size=4))),
)


@lru_cache(maxsize=1)
def _fitted_blend() -> NoveltyBlend:
    from sklearn.ensemble import IsolationForest
    from xgboost import XGBClassifier

    rng = np.random.default_rng(1)
    X = pd.concat([_X(s) for s in range(5)], ignore_index=True)
    y = (rng.random(len(X)) < 0.25).astype(int)
    est = XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1, enable_categorical=True)
    tr = Trainer(estimator=est, cv=2, random_state=0, progress=False)
    det = IsolationForest(n_estimators=5, random_state=0)
    return NoveltyBlend(model=tr, detector=det, random_state=0).fit(X, y)


# -- parameters of NoveltyBlend (each fails before any model is fitted)
bad_blend_params = st.one_of(
    st.builds(
        lambda v: {"weight": v},
        st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1.000001), WRONG_TYPES),
    ),
    st.builds(
        lambda v: {"combine": v},
        st.one_of(st.text(max_size=8).filter(lambda s: s not in ("mean", "fisher")), st.integers()),
    ),
    st.builds(
        lambda v: {"model": v},
        st.one_of(st.integers(), st.text(max_size=4), st.just(object())),
    ),
    st.builds(lambda v: {"detector": v}, st.one_of(st.integers(), st.just(Trainer()))),
    st.builds(
        lambda v: {"random_state": v},
        st.one_of(st.integers(max_value=-1), st.floats(), st.text(min_size=1, max_size=4)),
    ),
)


# -- rows a fitted trainer must refuse at predict time
@st.composite
def bad_predict_rows(draw):
    X = _X(draw(st.integers(0, 1000)))
    kind = draw(st.sampled_from(["nan", "missing", "extra", "unseen", "text", "width", "empty"]))
    if kind == "nan":
        X.loc[draw(st.integers(0, N - 1)), draw(st.sampled_from(["a", "b", "c"]))] = draw(
            NON_FINITE
        )
    elif kind == "missing":
        X = X.drop(columns=draw(st.sampled_from(list(X.columns))))
    elif kind == "extra":
        X = X.assign(**{draw(st.text(min_size=1, max_size=5).filter(lambda s: s not in X)): 1.0})
    elif kind == "unseen":
        X = X.assign(kind=X["kind"].astype(str).replace({"p": draw(st.sampled_from(["r", "P"]))}))
    elif kind == "text":
        X = X.assign(a=X["a"].astype(str))
    elif kind == "width":
        X = X[["a", "b", "c"]].to_numpy()
    else:
        X = X.iloc[:0]
    return X


CASES = [
    Case(
        "edgecase.train.Trainer.fit (X/y)",
        bad_frames(),
        lambda Xy: Trainer(progress=False).fit(*Xy),
        names=frame_names,
        covers=(Trainer,),
    ),
    Case(
        "edgecase.train.Trainer.fit (labels not binary)",
        not_binary_labels,
        lambda y: Trainer(progress=False).fit(_X(), y),
        names=["y"],
    ),
    Case(
        "edgecase.train.Trainer.fit (one class in a fold)",
        one_class_folds(),
        _one_class_fold,
        names=["fold"],
    ),
    Case(
        "edgecase.train.Trainer.fit (fewer positives than folds)",
        st.integers(2, 12).flatmap(
            lambda cv: st.tuples(st.just(cv), st.integers(0, cv - 1), st.integers(0, 2**32 - 1))
        ),
        _too_few_positives,
        names=["cv", "y"],
    ),
    Case(
        "edgecase.train.Trainer.fit (non-finite features)",
        non_finite_X(),
        lambda X: Trainer(progress=False).fit(X, _y()),
        names=lambda X: [
            repr(c) for c, v in X.select_dtypes("number").items() if not np.isfinite(v).all()
        ],
    ),
    Case(
        "edgecase.train.Trainer(threshold=...)",
        bad_thresholds,
        lambda t: _fit(threshold=t),
        names=["threshold"],
    ),
    Case(
        "edgecase.train.Trainer(sampler=...)",
        bad_samplers,
        lambda s: _fit(sampler=s),
        names=["sampler"],
    ),
    Case("edgecase.train.Trainer parameters", bad_params, lambda p: _fit(**p), names=list),
    Case(
        "edgecase.train.compare(samplers=...)",
        bad_samplers.map(lambda s: ["none", s]),
        lambda s: compare(_X(), _y(), samplers=s, cv=2, repeats=1, progress=False),
        names=["sampler", "samplers"],
        covers=(compare,),
    ),
    Case(
        "edgecase.train.Trainer.predict (bad rows)",
        bad_predict_rows(),
        lambda X: _fitted().predict(X),
        names=["X"],
    ),
    Case(
        "edgecase.train.Trainer.fit (groups)",
        st.one_of(
            st.lists(st.integers(0, 5), max_size=2 * N).filter(lambda g: len(g) != N),
            st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=N, max_size=N).filter(
                lambda g: any(v != v for v in g)
            ),
            st.integers(),
            st.just(np.zeros((N, 2))),
        ),
        lambda g: Trainer(progress=False).fit(_X(), _y(), groups=g),
        names=["groups"],
    ),
    Case(
        "edgecase.train.NoveltyBlend parameters",
        bad_blend_params,
        lambda p: NoveltyBlend(**p).fit(_X(), _y()),
        names=list,
        covers=(NoveltyBlend,),
    ),
    Case(
        "edgecase.train.NoveltyBlend.fit (X/y)",
        bad_frames(),
        lambda Xy: NoveltyBlend().fit(*Xy),
        names=frame_names,
    ),
    Case(
        "edgecase.train.NoveltyBlend.predict_proba (bad rows)",
        bad_predict_rows(),
        lambda X: _fitted_blend().predict_proba(X),
        names=["X"],
    ),
    Case(
        "edgecase.train.Trainer.load (not a saved model)",
        st.text(max_size=30),
        Trainer.load,
        names=["saved Trainer"],
    ),
]
