"""The rest of the public surface: scenario classes, process parts, market helpers,
schema columns, scale-out helpers and the command line.

Each case feeds one class of malformed input and names what the message must say.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase import cli, parallel
from edgecase.errors import EdgecaseError
from edgecase.fraud import simulate_transactions, split_features
from edgecase.market import (
    EGARCH,
    GJRGARCH,
    Bootstrap,
    ConstantVolatility,
    Heston,
    KouJumps,
    MertonJumps,
    Paths,
    Process,
    SkewT,
    StudentT,
    StudentTCopula,
    fit_evt,
    fit_regimes,
    fit_regimes_mle,
    realism_scorecard,
)
from edgecase.schema import Column
from edgecase.stress import (
    AccountTakeoverMix,
    AmountEvasion,
    FeatureShift,
    LegitDrift,
    MarketScenario,
    NewMerchantCategories,
    Perturb,
    TimeShift,
    TypologyScenario,
    VelocityEvasion,
    breaking_severity,
    get_scenario,
    market_scenarios,
)
from edgecase.train import nadeau_bengio

from . import Case
from ._strategies import NON_FINITE, WRONG_TYPES, bad_real, bad_returns

_SIM = simulate_transactions(3_000, fraud_rate=0.03, random_state=0, progress=False)
_XS, _YS = split_features(_SIM)
_NUMERIC = list(_XS.select_dtypes("number").columns)
_R = pd.Series(np.random.default_rng(0).standard_t(4, 800) / 100, name="r")

_SCENARIOS = [
    AmountEvasion(),
    VelocityEvasion(),
    NewMerchantCategories(),
    TimeShift(),
    AccountTakeoverMix(),
    LegitDrift(),
    FeatureShift(shift={"amount": 1.0}),
    Perturb(columns=["amount"]),
    TypologyScenario("card_testing"),
]


@st.composite
def _scenario_with_nan(draw):
    """A scenario and a feature table with one NaN/inf in a numeric column."""
    sc = draw(st.sampled_from(_SCENARIOS))
    col = draw(st.sampled_from(_NUMERIC))
    X = _XS.copy()
    X[col] = X[col].astype(float)
    X.loc[X.index[draw(st.integers(0, len(X) - 1))], col] = draw(NON_FINITE)
    return sc, X, col


# -- scenario parameters checked at apply time (scikit-learn style: __init__ stores)
_SCENARIO_PARAMS = st.one_of(
    bad_real(low=0.0, high=1.0).map(lambda v: (AccountTakeoverMix, "at_one", v)),
    bad_real(low=1.0).map(lambda v: (LegitDrift, "amount_growth", v)),
    bad_real(low=0.0).map(lambda v: (NewMerchantCategories, "at_one", v)),
    st.floats(1.0, 1e6).map(lambda v: (NewMerchantCategories, "at_one", v)),
    bad_real(low=0.0, high=1.0).map(lambda v: (TimeShift, "at_one", v)),
    bad_real(low=1.0).map(lambda v: (VelocityEvasion, "slowdown", v)),
    bad_real(low=0.0).map(lambda v: (Perturb, "noise", v)),
)


def _apply_params(arg):
    cls, key, value = arg
    return cls(**{key: value}).apply(_XS, _YS, 1.0, 0)


# -- process parts: any real parameter refuses non-numbers and non-finite values
_PARTS = [
    (EGARCH, ["omega", "alpha", "gamma", "beta"]),
    (GJRGARCH, ["omega", "alpha", "gamma", "beta"]),
    (Heston, ["kappa", "theta", "xi", "rho", "dt"]),
    (KouJumps, ["intensity", "p_up", "eta_up", "eta_down"]),
    (MertonJumps, ["intensity", "mean", "std"]),
    (SkewT, ["nu", "lam"]),
    (StudentT, ["nu"]),
    (ConstantVolatility, ["sigma"]),
]


@st.composite
def _bad_part(draw):
    cls, params = draw(st.sampled_from(_PARTS))
    key = draw(st.sampled_from(params))
    return cls, key, draw(st.one_of(NON_FINITE, WRONG_TYPES))


@st.composite
def _bad_copula_or_bootstrap(draw):
    kind = draw(st.sampled_from(["nu", "corr", "residuals"]))
    if kind == "nu":
        return kind, lambda: StudentTCopula(np.eye(2), nu=draw(bad_real(low=2.0)))
    if kind == "corr":
        v = draw(st.floats(1.001, 1e6))
        return kind, lambda: StudentTCopula([[1.0, v], [v, 1.0]])
    res = draw(
        st.one_of(
            st.lists(st.floats(-1, 1), max_size=19),
            st.lists(st.text(max_size=2), min_size=1, max_size=30),
            st.lists(NON_FINITE, min_size=20, max_size=30),
        )
    )
    return "residuals", lambda: Bootstrap(res)


@st.composite
def _bad_market_helper(draw):
    kinds = ["evt", "regimes_window", "regimes_states", "regimes_mle", "paths", "process"]
    kind = draw(st.sampled_from(kinds))
    if kind == "evt":
        return "tail", lambda: fit_evt(_R, tail=draw(bad_real(low=0.0, high=0.5)))
    if kind == "regimes_window":
        return "window", lambda: fit_regimes(_R, window=draw(bad_real(low=5, integer=True)))
    if kind == "regimes_states":
        return "n_states", lambda: fit_regimes(_R, n_states=draw(bad_real(low=2, integer=True)))
    if kind == "regimes_mle":
        bad = draw(bad_real(low=2, high=3, integer=True))
        return "n_states", lambda: fit_regimes_mle(_R, n_states=bad)
    if kind == "paths":
        arr = np.zeros((2, draw(st.integers(2, 20))))
        arr[0, 1] = draw(NON_FINITE)
        return "returns", lambda: Paths(arr)
    # None is the default dynamics, not bad input
    bad = draw(st.one_of(WRONG_TYPES.filter(lambda v: v is not None), st.integers()))
    return "dynamics", lambda: Process(dynamics=bad)


def _bad_breaking(kv):
    key, value = kv
    kw = {"breaking_threshold": 0.5, key: value}
    X = pd.DataFrame({"a": np.linspace(-2, 2, 40)})
    y = (X["a"] > 1).astype(int)
    from sklearn.linear_model import LogisticRegression

    return breaking_severity(
        LogisticRegression().fit(X, y), FeatureShift(shift={"a": -1}), X, y, **kw
    )


def _cli(argv: list[str]) -> int:
    """Run the CLI; exit status 2 with its one-line message becomes an EdgecaseError, so
    the registry checks both the status and that the message names the flag."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:  # argparse's own errors
            rc = exc.code
    if rc == 2:
        raise EdgecaseError(err.getvalue())
    raise AssertionError(f"exit status {rc} for {argv}: {err.getvalue()}")


_CLI_ARGS = st.one_of(
    st.integers(max_value=0).map(lambda n: (["generate", "fraud", "--n", str(n)], "--n")),
    st.integers(max_value=0).map(lambda n: (["generate", "market", "--steps", str(n)], "--steps")),
    st.floats(max_value=-1e-6, allow_nan=False, min_value=-1e9).map(
        lambda s: (["generate", "market", "--severity", repr(s)], "--severity")
    ),
    st.text(alphabet="abcdefgh_", min_size=1, max_size=8).map(
        lambda s: (["generate", "market", "--scenario", s], "--scenario")
    ),
    st.text(alphabet="abcdefgh", min_size=1, max_size=8).map(
        lambda s: (["generate", "fraud", "--out", f"{s}.txt"], "--out")
    ),
)


def _tmp_path(name: str) -> str:
    return str(Path(tempfile.mkdtemp(prefix="edgecase-bad-")) / name)


CASES = [
    Case(
        "scenario.apply: NaN/inf in X (every built-in scenario)",
        _scenario_with_nan(),
        lambda a: a[0].apply(a[1], _YS, 1.0, 0),
        names=lambda a: [repr(a[2])],
        covers=(
            AmountEvasion,
            VelocityEvasion,
            NewMerchantCategories,
            TimeShift,
            AccountTakeoverMix,
            LegitDrift,
            FeatureShift,
            Perturb,
            TypologyScenario,
        ),
    ),
    Case(
        "scenario parameters (checked at apply)",
        _SCENARIO_PARAMS,
        _apply_params,
        names=lambda a: [a[1]],
    ),
    Case(
        "get_scenario: unknown name or parameter",
        st.one_of(
            st.text(max_size=12).map(lambda s: ("scenario", s, {})),
            st.text(alphabet="abcxyz_", min_size=1, max_size=8).map(
                lambda k: (k, "amount_evasion", {k: 1.0})
            ),
        ).filter(lambda a: a[1] != "amount_evasion" or a[0] not in ("at_one",)),
        lambda a: get_scenario(a[1], **a[2]),
        names=lambda a: [a[0]],
        covers=(get_scenario,),
    ),
    Case(
        "market scenarios: not a generator, unknown scenario",
        st.one_of(
            st.one_of(WRONG_TYPES, st.integers()).map(lambda g: ("generator", g)),
            st.text(max_size=10)
            .filter(lambda s: s not in ("crash", "vol_spike", "flash_crash", "liquidity_gap"))
            .map(lambda s: ("scenario", s)),
        ),
        lambda a: (
            MarketScenario(a[1]).apply(_XS, _YS, 1.0, 0)
            if a[0] == "generator"
            else market_scenarios(None, scenarios=[a[1]])
        ),
        names=lambda a: [a[0], "generator"],
        covers=(MarketScenario, market_scenarios),
    ),
    Case(
        "process parts: non-numeric or non-finite parameters",
        _bad_part(),
        lambda a: a[0](**{a[1]: a[2]}),
        names=lambda a: [a[1]],
        covers=tuple(cls for cls, _ in _PARTS),
    ),
    Case(
        "StudentTCopula / Bootstrap: bad correlation, nu or residuals",
        _bad_copula_or_bootstrap(),
        lambda a: a[1](),
        names=lambda a: [a[0]],
        covers=(StudentTCopula, Bootstrap),
    ),
    Case(
        "market helpers: fit_evt, fit_regimes, fit_regimes_mle, Paths, Process",
        _bad_market_helper(),
        lambda a: a[1](),
        names=lambda a: [a[0]],
        covers=(fit_evt, fit_regimes, fit_regimes_mle, Paths, Process),
    ),
    Case(
        "realism_scorecard: bad simulated or real returns",
        st.tuples(st.sampled_from(["sim", "real"]), bad_returns(min_obs=102)),
        lambda a: realism_scorecard(a[1], _R) if a[0] == "sim" else realism_scorecard(_R, a[1]),
        names=lambda a: [a[0]],
        covers=(realism_scorecard,),
    ),
    Case(
        "split_features: labels that are not 0/1",
        st.lists(
            st.one_of(st.integers(2, 10**6), st.floats(0.01, 0.99), st.text(max_size=3)),
            min_size=1,
            max_size=5,
        ),
        lambda bad: split_features(_SIM.iloc[:20].assign(is_fraud=[*bad, *[0] * (20 - len(bad))])),
        names=["is_fraud"],
        covers=(split_features,),
    ),
    Case(
        "Column: bad bounds or kind",
        st.one_of(
            st.one_of(NON_FINITE, st.text(max_size=3), st.booleans()).map(lambda v: ("low", v)),
            st.one_of(NON_FINITE, st.text(max_size=3), st.booleans()).map(lambda v: ("high", v)),
            st.text(max_size=8)
            .filter(lambda s: s not in ("bool", "category", "datetime", "integer", "numeric"))
            .map(lambda v: ("kind", v)),
        ),
        lambda a: Column("x", **{a[0]: a[1]}),
        names=lambda a: [a[0]],
        covers=(Column,),
    ),
    Case(
        "breaking_severity: bad thresholds or search range",
        st.one_of(
            st.tuples(st.just("breaking_threshold"), bad_real(low=0.0, high=1.0)),
            # None means "no fixed score threshold", a valid choice
            st.tuples(
                st.just("score_threshold"),
                bad_real(low=0.0, high=1.0).filter(lambda v: v is not None),
            ),
            st.tuples(st.just("n_grid"), bad_real(low=2, integer=True)),
            st.tuples(st.just("tol"), bad_real(low=0.0)),
        ),
        _bad_breaking,
        names=lambda kv: [kv[0]],
        covers=(breaking_severity,),
    ),
    Case(
        "nadeau_bengio: non-finite differences or sizes",
        st.one_of(
            st.tuples(st.just("d"), st.lists(NON_FINITE, min_size=1, max_size=3)),
            st.tuples(st.just("n_train"), bad_real(low=0.0)),
            st.tuples(st.just("n_test"), bad_real(low=0.0)),
        ),
        lambda kv: nadeau_bengio(
            np.r_[0.1, 0.2, kv[1]] if kv[0] == "d" else np.array([0.1, 0.2, 0.05]),
            kv[1] if kv[0] == "n_train" else 80,
            kv[1] if kv[0] == "n_test" else 20,
        ),
        names=lambda kv: [kv[0]],
        covers=(nadeau_bengio,),
    ),
    Case(
        "CLI: bad flags exit 2 and name the flag",
        _CLI_ARGS,
        lambda a: _cli(a[0] if "--out" in a[0] else [*a[0], "--out", _tmp_path("o.csv")]),
        names=lambda a: [a[1]],
        covers=(cli.main,),
    ),
    Case(
        "read_table / write_table: missing file, wrong suffix, not a table",
        st.one_of(
            st.text(alphabet="abcdefgh", min_size=1, max_size=8).map(
                lambda s: ("read", _tmp_path(f"{s}.csv"))
            ),
            st.text(alphabet="abcdefgh", min_size=1, max_size=8).map(
                lambda s: ("write", _tmp_path(f"{s}.txt"))
            ),
            st.one_of(WRONG_TYPES, st.integers()).map(lambda v: ("frame", v)),
        ),
        lambda a: (
            cli.read_table(a[1])
            if a[0] == "read"
            else cli.write_table(pd.DataFrame({"a": [1]}), a[1])
            if a[0] == "write"
            else cli.write_table(a[1], _tmp_path("o.csv"))
        ),
        names=lambda a: {"read": ["data file"], "write": ["path", "--out"], "frame": ["df"]}[a[0]],
        covers=(cli.read_table, cli.write_table),
    ),
    Case(
        "parallel helpers: chunk plans, task lists, Parquet folders",
        st.one_of(
            bad_real(low=0, integer=True).map(
                lambda v: ("n_items", lambda: parallel.chunk_ranges(v))
            ),
            bad_real(low=1, integer=True).map(
                lambda v: ("chunk_size", lambda: parallel.chunk_ranges(10, chunk_size=v))
            ),
            bad_real(low=1, integer=True).map(
                lambda v: (
                    "chunk_size",
                    lambda: parallel.run_chunks(len, 10, chunk_size=v, progress=False),
                )
            ),
            st.one_of(st.integers(), st.just(object())).map(
                lambda v: ("items", lambda: parallel.map_tasks(len, v, progress=False))
            ),
            st.text(alphabet="abcdefgh", min_size=1, max_size=8).map(
                lambda s: ("part-", lambda: parallel.read_parquet(_tmp_path(s)))
            ),
        ),
        lambda a: a[1](),
        names=lambda a: [a[0]],
        covers=(
            parallel.chunk_ranges,
            parallel.run_chunks,
            parallel.map_tasks,
            parallel.read_parquet,
        ),
    ),
]
