"""Market stage entry points: calibration, processes, copulas, generation, features, facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase.datasets import load_market
from edgecase.market import (
    GARCH,
    BlackSwanGenerator,
    GaussianCopula,
    MarkovSwitching,
    Portfolio,
    calibrate,
    log_returns,
    make_process,
    stylized_facts,
)
from edgecase.market.calibrate import MIN_OBS
from edgecase.market.features import make_features
from edgecase.market.scenarios import _ALIASES, CRISES, SCENARIOS

from . import Case
from ._strategies import NON_FINITE, WRONG_TYPES, bad_real, bad_returns

_SP = load_market("sp500")["log_return"].iloc[:400]
_GEN = BlackSwanGenerator.from_returns(_SP)
ASSET = str(_GEN.assets[0])


@st.composite
def _nonstationary_garch(draw):
    alpha = draw(st.floats(0.0, 1.0))
    beta = draw(st.floats(max(0.0, 1.0 - alpha), 1.0))
    return {"omega": 1e-6, "alpha": alpha, "beta": beta}


@st.composite
def _bad_garch(draw):
    kind = draw(st.sampled_from(["nonstationary", "omega", "alpha", "beta"]))
    if kind == "nonstationary":
        return draw(_nonstationary_garch())
    kw = {"omega": 1e-6, "alpha": 0.05, "beta": 0.9}
    kw[kind] = draw(bad_real(low=0.0, high=1.0))
    return kw


@st.composite
def _non_psd(draw):
    d = draw(st.integers(3, 5))
    vals = draw(st.lists(st.floats(-1, 1), min_size=d * (d - 1) // 2, max_size=d * (d - 1) // 2))
    C = np.eye(d)
    C[np.triu_indices(d, 1)] = vals
    C = C + np.triu(C, 1).T
    kind = draw(st.sampled_from(["indefinite", "asym", "diag", "nan"]))
    if kind == "indefinite":
        C[0, 1] = C[1, 0] = 0.99
        C[0, 2] = C[2, 0] = 0.99
        C[1, 2] = C[2, 1] = -0.99
    elif kind == "asym":
        C[0, 1] += 0.3
    elif kind == "diag":
        C[0, 0] = draw(st.floats(-2, 0.9))
    else:
        C[0, 1] = np.nan
    return C


@st.composite
def _bad_prices(draw):
    n = draw(st.integers(2, 30))
    p = np.exp(np.cumsum(np.random.default_rng(draw(st.integers(0, 99))).normal(0, 0.01, n))) * 100
    kind = draw(st.sampled_from(["zero", "negative", "nan", "short"]))
    i = draw(st.integers(0, n - 1))
    if kind == "zero":
        p[i] = 0.0
    elif kind == "negative":
        p[i] = -draw(st.floats(1e-6, 1e6))
    elif kind == "nan":
        p[i] = draw(NON_FINITE)
    else:
        p = p[:1]
    return pd.Series(p)


def _bad_generate_args():
    return st.one_of(
        st.tuples(st.just("n_paths"), st.one_of(WRONG_TYPES, st.integers(max_value=0))),
        st.tuples(st.just("n_steps"), st.one_of(WRONG_TYPES, st.integers(max_value=0))),
        st.tuples(st.just("severity"), bad_real(low=0.0)),
        st.tuples(
            st.just("scenario"),
            # WRONG_TYPES holds text too: keep out the real names, whichever strategy drew them
            st.one_of(st.text(max_size=12), WRONG_TYPES).filter(lambda v: v not in SCENARIOS),
        ),
    )


def _generate(arg):
    key, value = arg
    kw = {"n_paths": 3, "n_steps": 10, "scenario": "crash", "severity": 1.0, "random_state": 0}
    kw[key] = value
    return _GEN.generate(**kw)


def _features(arg):
    key, value = arg
    kw = {key: value}
    return make_features(_SP, **kw)


bad_weights = st.one_of(
    st.text(min_size=1, max_size=6).filter(lambda a: a != ASSET).map(lambda a: {a: 1.0}),
    bad_real(low=-100.0, high=100.0).map(lambda v: {ASSET: v}),
    st.just({}),
    st.just({ASSET: 0.0}),
    WRONG_TYPES,
)

CASES = [
    Case(
        "edgecase.market.Portfolio(weights=...)",
        bad_weights,
        lambda w: Portfolio(w, _GEN),
        200,
        names=["weights", "generator"],
        covers=(Portfolio,),
    ),
    Case(
        "edgecase.market.BlackSwanGenerator.from_returns",
        bad_returns(min_obs=MIN_OBS),
        BlackSwanGenerator.from_returns,
        names=["returns"],
        covers=(BlackSwanGenerator, calibrate),
    ),
    Case(
        "edgecase.market.GARCH (impossible parameters)",
        _bad_garch(),
        lambda kw: GARCH(**kw),
        names=["omega", "alpha", "beta"],
        covers=(GARCH,),
    ),
    Case(
        "edgecase.market.make_process (bad names/params)",
        st.one_of(
            st.fixed_dictionaries(
                {
                    "vol": st.text(max_size=8).filter(
                        lambda s: s not in ("constant", "garch", "gjr", "egarch", "heston")
                    )
                }
            ),
            st.fixed_dictionaries(
                {"vol": st.just("constant"), "sigma": bad_real(low=0.0, high=1.0)}
            ),
            st.fixed_dictionaries(
                {"vol": st.just("heston"), "theta": bad_real(low=0.0, high=25.0)}
            ),
            st.fixed_dictionaries({"dist": st.just("t"), "nu": bad_real(low=2.0, high=1e6)}),
            st.fixed_dictionaries({"jumps": st.just("kou"), "eta_up": bad_real(low=1.0)}),
        ),
        lambda kw: make_process(**kw),
        # the bad value: a part's parameter, or the part's name when that is all there is
        names=lambda kw: [k for k in kw if k not in ("vol", "dist", "jumps")] or list(kw),
        covers=(make_process,),
    ),
    Case(
        "edgecase.market.GaussianCopula (non-PSD correlation)",
        _non_psd(),
        GaussianCopula,
        names=["corr", "correlation"],
        covers=(GaussianCopula,),
    ),
    Case(
        "edgecase.market.MarkovSwitching (bad transition)",
        st.lists(st.floats(-1, 2), min_size=4, max_size=4).filter(
            lambda v: min(v) < 0 or not np.allclose([v[0] + v[1], v[2] + v[3]], 1.0)
        ),
        lambda v: MarkovSwitching(np.reshape(v, (2, 2)), multipliers=[1.0, 2.0]),
        names=["transition"],
        covers=(MarkovSwitching,),
    ),
    Case(
        "edgecase.market.log_returns (non-positive prices)",
        _bad_prices(),
        log_returns,
        names=["prices"],
        covers=(log_returns,),
    ),
    Case(
        "BlackSwanGenerator.generate (bad arguments)",
        _bad_generate_args(),
        _generate,
        names=lambda a: [a[0]],
    ),
    Case(
        "BlackSwanGenerator.crisis_replay (unknown crisis)",
        # WRONG_TYPES holds text too: keep out every real name and alias, whichever strategy drew it
        st.one_of(st.text(max_size=10), WRONG_TYPES).filter(
            lambda v: not isinstance(v, str) or v not in {*CRISES, *_ALIASES}
        ),
        lambda name: _GEN.crisis_replay(name, 2, random_state=0),
        names=["name", "crisis"],
    ),
    Case(
        "edgecase.market.features.make_features (bad parameters)",
        st.one_of(
            st.tuples(st.just("horizon"), st.one_of(WRONG_TYPES, st.integers(max_value=0))),
            st.tuples(st.just("drawdown"), bad_real(low=-1.0, high=0.0)),
            st.tuples(
                st.just("windows"),
                st.one_of(
                    st.lists(st.integers(max_value=1), min_size=1, max_size=3),
                    st.just([]),
                    st.just([5, 5]),
                    st.just(["a"]),
                    st.just([3000]),
                ),
            ),
        ),
        _features,
        names=lambda a: [a[0]],
    ),
    Case(
        "edgecase.market.stylized_facts (bad returns)",
        bad_returns(min_obs=102),
        stylized_facts,
        names=["returns"],
        covers=(stylized_facts,),
    ),
]
