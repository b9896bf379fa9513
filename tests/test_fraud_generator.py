"""FraudScenarioGenerator on real KEEL tables and on simulator features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_keel
from edgecase.errors import (
    InvalidInputError,
    InvalidParameterError,
    NotFittedError,
    SchemaViolationError,
)
from edgecase.fraud import (
    FEATURE_COLUMNS,
    TYPOLOGIES,
    FraudScenarioGenerator,
    simulate_transactions,
    split_features,
)
from edgecase.schema import Column, TableSchema


@pytest.fixture(scope="module")
def kdd():
    return load_keel("kddcup-buffer_overflow_vs_back")


@pytest.fixture(scope="module")
def sim():
    return split_features(
        simulate_transactions(20_000, fraud_rate=0.01, random_state=2, progress=False)
    )


def test_mixed_real_table_columns_dtypes_schema(kdd):
    X, y = kdd
    gen = FraudScenarioGenerator().fit(X, y)
    out = gen.generate(300, severity=0.0, random_state=0)
    assert list(out.columns) == list(X.columns)
    assert (out.dtypes == X.dtypes).all()
    assert gen.schema_.check(out).ok
    for c in X.columns:
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            assert set(out[c].unique()) <= set(X.loc[y == 1, c].unique())
    # variations, not copies
    assert not out.merge(X[y == 1].drop_duplicates(), how="inner").shape[0] == len(out)


def test_severity_moves_rows_toward_the_legit_region():
    X, y = load_keel("yeast5")
    gen = FraudScenarioGenerator().fit(X, y)
    legit = X[y == 0].to_numpy()
    scale = X.std().to_numpy()

    def dist(sev):
        new = gen.generate(400, severity=sev, random_state=3).to_numpy()
        d = np.abs((new[:, None, :] - legit[None, :, :]) / scale).sum(-1).min(1)
        return np.median(d)

    d0, d1, d3 = dist(0.0), dist(1.0), dist(3.0)
    assert d0 > d1 > d3


def test_same_seed_same_rows(kdd):
    X, y = kdd
    gen = FraudScenarioGenerator().fit(X, y)
    a = gen.generate(50, random_state=9)
    pd.testing.assert_frame_equal(a, gen.generate(50, random_state=9))
    assert not a.equals(gen.generate(50, random_state=10))


@pytest.mark.parametrize("typology", sorted(TYPOLOGIES))
def test_typologies_on_simulator_features(sim, typology):
    X, y = sim
    gen = FraudScenarioGenerator().fit(X, y)
    out = gen.generate(40, typology=typology, severity=1.0, random_state=0)
    assert out.shape == (40, len(FEATURE_COLUMNS))
    assert (out.dtypes == X.dtypes).all()
    assert gen.schema_.check(out).ok


def test_typology_needs_simulator_columns_and_known_categories(kdd, sim):
    X, y = kdd
    with pytest.raises(InvalidParameterError, match="simulator"):
        FraudScenarioGenerator().fit(X, y).generate(5, typology="card_testing")
    Xs, ys = sim
    Xs = Xs.copy()
    Xs["country"] = Xs["country"].cat.remove_unused_categories()
    Xs = Xs[Xs["country"].isin(["US", "GB", "DE", "FR"])]
    ys = ys.loc[Xs.index]
    Xs["country"] = Xs["country"].cat.remove_unused_categories()
    gen = FraudScenarioGenerator().fit(Xs, ys)
    with pytest.raises(SchemaViolationError, match="unseen categories"):
        gen.generate(5, typology="account_takeover")


def test_bad_inputs():
    X, y = load_keel("glass5")
    with pytest.raises(NotFittedError):
        FraudScenarioGenerator().generate(3)
    with pytest.raises(InvalidInputError, match="k_neighbors=10"):
        FraudScenarioGenerator(k_neighbors=10).fit(X, y)
    gen = FraudScenarioGenerator().fit(X, y)
    with pytest.raises(InvalidParameterError, match="severity"):
        gen.generate(3, severity=-1)
    t = pd.DataFrame(
        {
            "acct": [1, 1, 2, 2, 1, 2, 1, 2],
            "t": pd.to_datetime([f"2024-01-0{d}" for d in (1, 3, 2, 4, 2, 5, 4, 6)]),
            "x": np.arange(8.0),
        }
    )
    schema = TableSchema(
        [Column("acct", "integer", "entity"), Column("t", "datetime", "time"), Column("x")]
    )
    with pytest.raises(SchemaViolationError, match="time order"):
        FraudScenarioGenerator(schema=schema, k_neighbors=1).fit(t, [0, 1, 0, 1, 0, 1, 0, 1])


def test_simulator_variations_are_whole_cents():
    from edgecase.fraud import FraudScenarioGenerator, simulate_transactions, split_features

    X, y = split_features(
        simulate_transactions(10_000, fraud_rate=0.02, random_state=0, progress=False)
    )
    rows = FraudScenarioGenerator().fit(X, y).generate(2_000, severity=1.0, random_state=0)
    cents = rows["amount"].to_numpy() * 100
    assert np.allclose(cents, np.round(cents)) and (rows["amount"] >= 0.01).all()
