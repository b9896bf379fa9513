"""Stress stage entry points: harness, scenarios, reverse stress, slices, backtests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from edgecase.stress import (
    AmountEvasion,
    FeatureShift,
    StressHarness,
    find_slices,
    minimal_breaking_example,
    var_backtest,
)

from . import Case
from ._strategies import WRONG_TYPES, bad_frames, bad_real, bad_returns, frame_names

_rng = np.random.default_rng(0)
_X = pd.DataFrame({"a": _rng.normal(size=60), "b": _rng.normal(size=60)})
_y = pd.Series((_X["a"] > 0.8).astype(int), name="y")
_MODEL = LogisticRegression().fit(_X, _y)
_SHIFT = FeatureShift(shift={"a": -1.0})


def _harness(**kw):
    params = {"severities": [0, 1], "n_boot": 5, "progress": False, "random_state": 0}
    params.update(kw)
    model = params.pop("model", _MODEL)
    scenarios = params.pop("scenarios", [_SHIFT])
    X, y = params.pop("Xy", (_X, _y))
    return StressHarness(model, scenarios, **params).run(X, y)


class _Resize:
    """A scenario whose X and y row counts disagree."""

    name = "resize"

    def __init__(self, drop_x: int, drop_y: int) -> None:
        self.drop_x, self.drop_y = drop_x, drop_y

    def apply(self, X, y, severity, random_state=None):
        return X.iloc[: len(X) - self.drop_x], y.iloc[: len(y) - self.drop_y]


_bad_severities = st.one_of(
    st.lists(st.floats(0, 5), min_size=2, max_size=6, unique=True).map(
        lambda v: sorted(v, reverse=True)
    ),
    st.lists(st.floats(0, 5), min_size=1, max_size=5).map(lambda v: [*v, -1e-3 - abs(v[0])]),
    st.lists(st.floats(0, 5), min_size=1, max_size=4).map(lambda v: [*v, v[-1]]),
    st.just([]),
    st.lists(st.sampled_from([np.nan, np.inf, -np.inf]), min_size=1, max_size=3),
    WRONG_TYPES.filter(lambda v: not isinstance(v, list) or v == []),
)

_metric_and_threshold = st.one_of(
    st.tuples(
        st.sampled_from(["recall", "precision", "fpr", "pr_auc", "brier", "ece"]),
        st.one_of(
            st.floats(min_value=1.0, exclude_min=True, max_value=1e9),
            st.floats(max_value=0.0, exclude_max=True, min_value=-1e9),
            st.sampled_from([np.nan, np.inf]),
        ),
    ),
)


class _DropPositives:
    """A scenario that relabels every positive as negative (no positives left to score)."""

    name = "drop_positives"

    def apply(self, X, y, severity, random_state=None):
        return X, y * 0 if severity > 0 else y


def _empty_positives(case: tuple[str, int]):
    kind, n = case
    if kind == "input":
        X = _X.iloc[: 2 + n % 58]
        return _harness(Xy=(X, pd.Series(np.zeros(len(X), int), name="y")))
    return _harness(scenarios=[_DropPositives()], severities=[0, 0.5 + n % 7])


def _slice_frames(Xy):
    X, y = Xy
    return find_slices(X, y, np.linspace(0, 1, len(X)) if len(X) else [], score_threshold=0.5)


CASES = [
    Case(
        "StressHarness model without predict_proba",
        st.one_of(WRONG_TYPES, st.builds(LogisticRegression), st.just(_SHIFT)),
        lambda m: _harness(model=m),
        names=["model"],
        covers=(StressHarness,),
    ),
    Case(
        "StressHarness scenario changing row counts inconsistently",
        st.tuples(st.integers(0, 59), st.integers(0, 59)).filter(lambda t: t[0] != t[1]),
        lambda t: _harness(scenarios=[_Resize(*t)]),
        names=["'resize'"],
    ),
    Case(
        "StressHarness severities not sorted, negative or not numbers",
        _bad_severities,
        lambda s: _harness(severities=s),
        names=["severities"],
    ),
    Case(
        "StressHarness breaking_threshold outside the metric's range",
        _metric_and_threshold,
        lambda mt: _harness(metric=mt[0], breaking_threshold=mt[1]),
        names=["breaking_threshold"],
    ),
    Case(
        "StressHarness empty positives",
        st.tuples(st.sampled_from(["input", "scenario"]), st.integers(0, 10**6)),
        _empty_positives,
        names=lambda c: ["y"] if c[0] == "input" else ["'drop_positives'"],
    ),
    Case(
        "StressHarness n_boot / alert_rate",
        st.one_of(
            st.tuples(st.just("n_boot"), st.one_of(WRONG_TYPES, st.integers(max_value=1))),
            st.tuples(
                st.just("alert_rate"), bad_real(low=0.0, high=1.0).filter(lambda v: v is not None)
            ),
            st.tuples(st.just("alert_rate"), st.just(0.0)),
        ),
        lambda kv: _harness(**{kv[0]: kv[1]}),
        names=lambda kv: [kv[0]],
    ),
    Case(
        "StressHarness ceiling not a bool or classifier, or too few positive groups to cross-fit",
        st.one_of(
            st.tuples(
                st.just("param"),
                st.one_of(WRONG_TYPES, st.integers(), st.floats(), st.just(LogisticRegression)),
            ),
            # every positive row in one group: one fold trains without any positive
            st.tuples(st.just("groups"), st.integers(0, 59)),
        ),
        lambda t: (
            _harness(ceiling=t[1])
            if t[0] == "param"
            else StressHarness(
                _MODEL, [_SHIFT], severities=[0, 1], n_boot=5, progress=False, ceiling=True
            ).run(_X, _y, groups=np.where(_y == 1, -1, t[1] + np.arange(len(_y))))
        ),
        names=["ceiling"],
    ),
    Case(
        "fraud scenarios: bad severity or missing column",
        st.one_of(
            bad_real(low=0.0).map(lambda s: ("sev", s)),
            st.sampled_from(["amount", "amount_to_median"]).map(lambda c: ("col", c)),
        ),
        lambda t: AmountEvasion().apply(
            pd.DataFrame({"amount_to_median": [1.0, 2.0]})
            if t == ("col", "amount")
            else pd.DataFrame({"amount": [1.0, 2.0]}).assign(amount_to_median="x"),
            [0, 1],
            t[1] if t[0] == "sev" else 1.0,
        ),
        names=lambda t: ["severity"] if t[0] == "sev" else [repr(t[1])],
        covers=(AmountEvasion,),
    ),
    Case(
        "find_slices bad X/y", bad_frames(), _slice_frames, names=frame_names, covers=(find_slices,)
    ),
    Case(
        "find_slices bad parameters",
        st.one_of(
            st.fixed_dictionaries(
                {
                    "on": st.text(max_size=10).filter(
                        lambda v: v not in ("positives", "alerts", "all")
                    )
                }
            ),
            st.fixed_dictionaries({"max_order": st.one_of(WRONG_TYPES, st.integers(max_value=0))}),
            st.fixed_dictionaries({"min_support": st.integers(max_value=0)}),
            st.fixed_dictionaries(
                {
                    "score_threshold": st.floats(min_value=1.0, exclude_min=True, max_value=1e6),
                    "on": st.just("alerts"),
                }
            ),
            st.fixed_dictionaries({"alpha": bad_real(low=0.0, high=1.0)}),
        ),
        lambda kw: find_slices(_X, _y, _MODEL.predict_proba(_X)[:, 1], **kw),
        names=lambda kw: [k for k in kw if k != "on"] or ["on"],
    ),
    Case(
        "minimal_breaking_example bad bounds/directions/mutable",
        st.one_of(
            st.fixed_dictionaries(
                {"mutable": st.one_of(WRONG_TYPES.filter(lambda v: v is not None), st.just(["zz"]))}
            ),
            st.fixed_dictionaries(
                {
                    "directions": st.fixed_dictionaries(
                        {
                            "a": st.text(max_size=6).filter(
                                lambda s: s not in ("increase", "decrease", "both")
                            )
                        }
                    )
                }
            ),
            st.fixed_dictionaries(
                {
                    "bounds": st.fixed_dictionaries(
                        {
                            "a": st.one_of(
                                st.text(max_size=5),
                                st.none(),
                                st.lists(st.integers(), max_size=1),
                                st.tuples(st.floats(10, 20), st.floats(30, 40)),
                                st.tuples(st.floats(5, 9), st.floats(-9, -5)),
                            )
                        }
                    )
                }
            ),
        ),
        lambda kw: minimal_breaking_example(
            _MODEL, _X.iloc[[int(np.argmax(_X["a"]))]], **{"X_ref": _X, **kw}
        ),
        names=lambda kw: list(kw),
        covers=(minimal_breaking_example,),
    ),
    Case(
        "var_backtest bad returns",
        bad_returns(),
        lambda r: var_backtest(r, np.full(len(r), 0.02)),
        names=["returns"],
        covers=(var_backtest,),
    ),
    Case(
        "var_backtest bad var/alpha",
        st.one_of(
            st.tuples(st.just("var"), st.sampled_from([np.nan, np.inf, -0.01, 0.0])),
            st.tuples(st.just("alpha"), bad_real(low=0.5, high=1.0)),
            st.tuples(st.just("alpha"), st.sampled_from([0.5, 1.0])),
            st.tuples(st.just("len"), st.integers(0, 250).filter(lambda n: n != 300)),
        ),
        lambda kv: var_backtest(
            _rng.normal(0, 0.01, 300),
            np.full(kv[1] if kv[0] == "len" else 300, kv[1] if kv[0] == "var" else 0.02),
            alpha=kv[1] if kv[0] == "alpha" else 0.99,
        ),
        names=lambda kv: ["alpha"] if kv[0] == "alpha" else ["var"],
    ),
]
