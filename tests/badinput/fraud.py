"""Fraud stage entry points: simulator, oversampler, scenario generator, schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from edgecase.fraud import (
    TYPOLOGIES,
    EdgeCaseOversampler,
    FraudScenarioGenerator,
    get_typology,
    simulate_transactions,
    split_features,
    transaction_schema,
)
from edgecase.schema import Column, TableSchema

from . import Case
from ._strategies import WRONG_TYPES, bad_frames, bad_real, frame_names

_RNG = np.random.default_rng(0)
_X = pd.DataFrame(_RNG.normal(size=(40, 3)), columns=["a", "b", "c"])
_Y = np.r_[np.ones(10, dtype=int), np.zeros(30, dtype=int)]

_SIM = simulate_transactions(4_000, fraud_rate=0.02, random_state=0, progress=False)
_XS, _YS = split_features(_SIM)
_GEN = FraudScenarioGenerator().fit(_XS, _YS)
# the same table with the country column restricted to the four countries it keeps
_keep = _XS["country"].isin(["US", "GB", "DE", "FR"]).to_numpy()
_XR = _XS[_keep].copy()
_XR["country"] = _XR["country"].cat.remove_unused_categories()
_GEN_NARROW = FraudScenarioGenerator().fit(_XR, _YS[_keep])

_TIMED_SCHEMA = TableSchema(
    [Column("acct", "integer", "entity"), Column("t", "datetime", "time"), Column("x")]
)


def _no_text(Xy) -> bool:
    # text columns are categories for the oversampler ("auto"), so they are not bad input there
    return not any(d == np.dtype(object) for d in Xy[0].dtypes)


@st.composite
def _too_few_minority(draw):
    n_pos = draw(st.integers(1, 8))
    k = draw(st.integers(n_pos, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = pd.DataFrame(rng.normal(size=(60, 2)), columns=["u", "v"])
    y = np.zeros(60, dtype=int)
    y[:n_pos] = 1
    return k, X, y


@st.composite
def _out_of_order(draw):
    """A per-account event table whose timestamps go backwards for some account."""
    n = draw(st.integers(4, 20))
    acct = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.array(draw(st.permutations(list(range(n))))), unit="h"
    )
    df = pd.DataFrame({"acct": acct, "t": t, "x": np.arange(n, dtype=float)})
    prev = df.groupby("acct")["t"].shift(1)
    if not (df["t"] < prev).any():
        # force one backwards step inside the most frequent account
        a = df["acct"].value_counts().index[0]
        rows = np.flatnonzero(df["acct"].to_numpy() == a)
        if len(rows) < 2:
            rows = np.array([0, 1])
            df.loc[:1, "acct"] = a
        i, j = rows[0], rows[1]
        ti, tj = df.at[i, "t"], df.at[j, "t"]
        df.at[i, "t"], df.at[j, "t"] = max(ti, tj) + pd.Timedelta("1h"), min(ti, tj)
    y = np.r_[np.ones(n // 2, dtype=int), np.zeros(n - n // 2, dtype=int)]
    return df, y


CASES = [
    Case(
        "EdgeCaseOversampler.fit_resample (NaN/inf, empty, one class, bad labels)",
        bad_frames().filter(_no_text),
        lambda Xy: EdgeCaseOversampler(random_state=0).fit_resample(*Xy),
        names=frame_names,
        covers=(EdgeCaseOversampler,),
    ),
    Case(
        "EdgeCaseOversampler k_neighbors / severity parameters",
        st.one_of(
            bad_real(low=1, integer=True).map(lambda v: {"k_neighbors": v}),
            bad_real(low=0.0).map(lambda v: {"severity": v}),
            WRONG_TYPES.map(lambda v: {"sampling_strategy": v}),
        ),
        lambda kw: EdgeCaseOversampler(**kw).fit_resample(_X, _Y),
        names=list,
    ),
    Case(
        "EdgeCaseOversampler: fewer minority rows than k_neighbors + 1",
        _too_few_minority(),
        lambda a: EdgeCaseOversampler(k_neighbors=a[0]).fit_resample(a[1], a[2]),
        names=["k_neighbors"],
    ),
    Case(
        "EdgeCaseOversampler: category unknown to the schema",
        st.text(min_size=1, max_size=6).filter(lambda s: s not in ("grocery",)),
        lambda s: EdgeCaseOversampler(
            schema=TableSchema([Column("cat", "category", categories=("grocery",))])
        ).fit_resample(
            pd.DataFrame({"x": np.arange(20.0), "cat": pd.Categorical(["grocery"] * 19 + [s])}),
            [1] * 8 + [0] * 12,
        ),
        names=["'cat'"],
    ),
    Case(
        "FraudScenarioGenerator.fit (NaN/inf, text, one class, bad labels)",
        bad_frames(),
        lambda Xy: FraudScenarioGenerator().fit(*Xy),
        names=frame_names,
        covers=(FraudScenarioGenerator,),
    ),
    Case(
        "FraudScenarioGenerator parameters (checked at fit)",
        st.one_of(
            bad_real(low=1, integer=True).map(lambda v: {"k_neighbors": v}),
            WRONG_TYPES.filter(lambda v: v is not None).map(lambda v: {"schema": v}),
            st.one_of(st.integers(max_value=-1), st.floats(), st.just(object())).map(
                lambda v: {"random_state": v}
            ),
            st.one_of(st.integers(), st.just(object())).map(lambda v: {"typologies": v}),
            st.one_of(
                st.text(min_size=1, max_size=4).map(lambda c: [f"{c}_not_a_column"]),
                st.integers(),
                st.just("amount"),
            ).map(lambda v: {"mutable": v}),
        ),
        lambda kw: FraudScenarioGenerator(**kw).fit(_X, _Y),
        names=list,
    ),
    Case(
        "EdgeCaseOversampler random_state",
        st.one_of(st.integers(max_value=-1), st.floats(), st.text(max_size=5)),
        lambda v: EdgeCaseOversampler(random_state=v).fit_resample(_X, _Y),
        names=["random_state"],
    ),
    Case(
        "FraudScenarioGenerator.fit: fewer fraud rows than k_neighbors + 1",
        _too_few_minority(),
        lambda a: FraudScenarioGenerator(k_neighbors=a[0]).fit(a[1], a[2]),
        names=["k_neighbors"],
    ),
    Case(
        "FraudScenarioGenerator.fit: non-monotonic timestamps per entity",
        _out_of_order(),
        lambda d: FraudScenarioGenerator(schema=_TIMED_SCHEMA, k_neighbors=1).fit(*d),
        names=["'t'"],
    ),
    Case(
        "FraudScenarioGenerator.generate: negative/invalid severity or n",
        st.one_of(
            bad_real(low=0.0).map(lambda v: {"n": 5, "severity": v}),
            st.one_of(WRONG_TYPES, st.integers(max_value=0)).map(lambda v: {"n": v}),
        ),
        lambda kw: _GEN.generate(**kw),
        names=lambda kw: ["severity"] if "severity" in kw else ["n"],
    ),
    Case(
        "FraudScenarioGenerator.generate: unseen category at generate time",
        st.tuples(st.sampled_from(sorted(TYPOLOGIES)), st.floats(0, 5)),
        lambda a: _GEN_NARROW.generate(5, typology=a[0], severity=a[1]),
        names=["'country'"],
    ),
    Case(
        "FraudScenarioGenerator.generate: unknown typology",
        st.text(max_size=12).filter(lambda s: s not in TYPOLOGIES),
        lambda s: _GEN.generate(5, typology=s),
        names=["typology"],
        covers=(get_typology,),
    ),
    Case(
        "simulate_transactions parameters",
        st.one_of(
            bad_real(low=1, integer=True).map(lambda v: {"n_transactions": v}),
            bad_real(low=0.0, high=0.5).map(lambda v: {"fraud_rate": v}),
            bad_real(low=0.0).map(lambda v: {"severity": v}),
            st.one_of(st.integers(max_value=0), WRONG_TYPES.filter(lambda v: v is not None)).map(
                lambda v: {"n_accounts": v}
            ),
        ),
        lambda kw: simulate_transactions(**{"n_transactions": 100, **kw, "progress": False}),
        names=list,
        covers=(simulate_transactions,),
    ),
    Case(
        "TableSchema.check(errors='raise'): timestamps out of order per account",
        st.tuples(st.integers(0, len(_SIM) - 1), st.integers(1, 600)),
        lambda a: transaction_schema().check(
            _SIM.assign(
                timestamp=_SIM["timestamp"].where(
                    _SIM.index
                    != _SIM.index[
                        (_SIM["account_id"] == _SIM["account_id"].iloc[a[0]])
                        .to_numpy()
                        .nonzero()[0][-1]
                    ],
                    pd.Timestamp("2023-12-31") - pd.Timedelta(hours=a[1]),
                )
            ),
            errors="raise",
        ),
        names=["'timestamp'"],
        covers=(transaction_schema, TableSchema),
    ),
]
