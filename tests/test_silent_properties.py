"""Properties every entry point that returns data must keep, on clean random input:

- no NaN out when none went in;
- the caller's pandas index is respected (rows keep their labels);
- the input is never mutated;
- dtypes are kept;
- the same seed gives the same bytes.

These are the silent failures the bad-input registry cannot see: nothing raises, and
the answer is wrong. Examples are few and small so the suite stays fast.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgecase.stress import fraud_scenarios

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def labelled_tables(draw, min_rows: int = 40, max_rows: int = 80):
    """A clean table (floats, ints, a category) with a shuffled, non-default index and
    aligned 0/1 labels with at least 8 positives."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(min_rows, max_rows))
    rng = np.random.default_rng(seed)
    index = pd.Index(rng.permutation(np.arange(1000, 1000 + 3 * n))[:n], name="row_id")
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n) * draw(st.sampled_from([1e-3, 1.0, 1e4])),
            "b": rng.integers(0, 50, n).astype(np.int64),
            "c": pd.Categorical(rng.choice(["p", "q", "r"], n), categories=["p", "q", "r"]),
        },
        index=index,
    )
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=max(8, n // 4), replace=False)] = 1
    return X, pd.Series(y, index=index, name="label"), seed


def _snapshot(*objs):
    return [o.copy(deep=True) for o in objs]


def _assert_unchanged(before, after):
    for b, a in zip(before, after, strict=True):
        assert type(b) is type(a)
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            pd.testing.assert_series_equal(a, b)


def _bytes(df: pd.DataFrame) -> bytes:
    return pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes()


@SETTINGS
@given(labelled_tables())
def test_oversampler_properties(data):
    from edgecase.fraud import EdgeCaseOversampler

    X, y, seed = data
    before = _snapshot(X, y)
    Xr, yr = EdgeCaseOversampler(k_neighbors=3, random_state=seed % 1000).fit_resample(X, y)
    _assert_unchanged(before, [X, y])
    assert not Xr.isna().any().any()
    assert list(Xr.dtypes) == list(X.dtypes)
    # The original rows come first, unchanged and with their labels.
    pd.testing.assert_frame_equal(Xr.iloc[: len(X)].set_axis(X.index), X)
    assert (np.asarray(yr)[: len(y)] == y.to_numpy()).all()
    Xr2, _ = EdgeCaseOversampler(k_neighbors=3, random_state=seed % 1000).fit_resample(X, y)
    assert _bytes(Xr) == _bytes(Xr2)


@SETTINGS
@given(labelled_tables())
def test_generator_properties(data):
    from edgecase.fraud import FraudScenarioGenerator

    X, y, seed = data
    before = _snapshot(X, y)
    gen = FraudScenarioGenerator(k_neighbors=3, random_state=seed % 1000).fit(X, y)
    out = gen.generate(25, severity=0.5, random_state=seed % 1000, progress=False)
    _assert_unchanged(before, [X, y])
    assert not out.isna().any().any()
    assert list(out.dtypes) == list(X.dtypes)
    again = FraudScenarioGenerator(k_neighbors=3, random_state=seed % 1000).fit(X, y)
    assert _bytes(out) == _bytes(
        again.generate(25, severity=0.5, random_state=seed % 1000, progress=False)
    )


def _scenarios():
    from edgecase.stress import FeatureShift, Perturb

    return [
        FeatureShift(shift={"a": 1.5}, scale={"b": 1.2}),
        FeatureShift(shift={"a": -2.0}, rows="all"),
        Perturb(columns=["a", "b"], noise=0.5),
    ]


@pytest.mark.parametrize("scenario", _scenarios(), ids=repr)
@SETTINGS
@given(data=labelled_tables(), severity=st.floats(0.0, 3.0))
def test_generic_scenario_properties(scenario, data, severity):
    X, y, seed = data
    before = _snapshot(X, y)
    Xs, ys = scenario.apply(X, y, severity, seed)
    _assert_unchanged(before, [X, y])
    assert not Xs.isna().any().any()
    assert list(Xs.dtypes) == list(X.dtypes)
    assert Xs.index.equals(X.index) and ys.index.equals(y.index)
    assert (ys == y).all()
    Xs2, _ = scenario.apply(X, y, severity, seed)
    assert _bytes(Xs) == _bytes(Xs2)


@pytest.fixture(scope="module")
def transactions():
    from edgecase.fraud import simulate_transactions, split_features

    X, y = split_features(
        simulate_transactions(4_000, fraud_rate=0.05, random_state=1, progress=False)
    )
    order = np.random.default_rng(0).permutation(len(X))
    return X.iloc[order].set_axis(np.arange(len(X)) * 7 + 3), y.iloc[order].set_axis(
        np.arange(len(X)) * 7 + 3
    )


@pytest.mark.parametrize("name", [s.name for s in fraud_scenarios()])
@SETTINGS
@given(severity=st.floats(0.0, 3.0), seed=st.integers(0, 10**6))
def test_fraud_scenario_properties(transactions, name, severity, seed):
    from edgecase.stress import get_scenario

    X, y = transactions
    sc = get_scenario(name)
    before = _snapshot(X, y)
    Xs, ys = sc.apply(X, y, severity, seed)
    _assert_unchanged(before, [X, y])
    assert not Xs.isna().any().any()
    assert list(Xs.dtypes) == list(X.dtypes)
    assert len(Xs) == len(ys)
    if len(Xs) == len(X):
        # Rows keep their labels when a scenario changes values, not the row set.
        assert Xs.index.equals(X.index)
    Xs2, ys2 = sc.apply(X, y, severity, seed)
    assert _bytes(Xs) == _bytes(Xs2) and np.array_equal(np.asarray(ys), np.asarray(ys2))


@SETTINGS
@given(labelled_tables(min_rows=60, max_rows=90))
def test_trainer_predict_properties(data):
    from xgboost import XGBClassifier

    from edgecase.train import Trainer

    X, y, seed = data

    def fit():
        est = XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1, enable_categorical=True)
        return Trainer(estimator=est, cv=2, random_state=seed % 1000, progress=False).fit(X, y)

    before = _snapshot(X, y)
    tr = fit()
    p = tr.predict_proba(X)
    _assert_unchanged(before, [X, y])
    assert np.isfinite(p).all() and p.shape == (len(X), 2)
    assert np.array_equal(p, fit().predict_proba(X))
    # Scores follow the rows, not their position: shuffling X shuffles the scores.
    order = np.random.default_rng(seed).permutation(len(X))
    assert np.allclose(tr.predict_proba(X.iloc[order])[:, 1], p[order, 1])


@settings(max_examples=5, deadline=None, database=None)
@given(seed=st.integers(0, 10**6), severity=st.floats(0.0, 2.0))
def test_market_generation_properties(seed, severity):
    from edgecase.datasets import load_market
    from edgecase.market import stylized_facts

    r = load_market("sp500")["log_return"].iloc[:600]
    before = r.copy()
    gen = _generator()
    a = gen.generate(3, 150, "crash", severity, random_state=seed)
    b = gen.generate(3, 150, "crash", severity, random_state=seed)
    pd.testing.assert_series_equal(r, before)
    assert np.isfinite(a.returns).all()
    assert a.returns.tobytes() == b.returns.tobytes()
    facts = stylized_facts(r, max_lag=20)
    pd.testing.assert_series_equal(r, before)
    assert np.isfinite(facts.to_numpy()).all()


@functools.lru_cache(maxsize=1)
def _generator():
    from edgecase.datasets import load_market
    from edgecase.market import BlackSwanGenerator

    return BlackSwanGenerator.from_returns(load_market("sp500")["log_return"].iloc[:600])
