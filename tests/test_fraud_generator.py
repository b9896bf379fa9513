"""FraudScenarioGenerator on real KEEL tables and on simulator features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

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


# scikit-learn's generic checks that test a message or an input the generator refuses on purpose
_NOT_APPLICABLE = {
    "check_dtype_object": "text columns must be pandas 'category': the generator never guesses "
    "categories from object columns",
    "check_estimators_empty_data_messages": "an empty X raises edgecase's InvalidInputError "
    "('X has no columns'), not scikit-learn's wording",
    "check_fit2d_1sample": "one row is one class: refused with edgecase's 'single class' message",
}


# k_neighbors=1: the checks' tables hold only a handful of rows per class
@parametrize_with_checks(
    [FraudScenarioGenerator(k_neighbors=1)],
    expected_failed_checks=lambda est: _NOT_APPLICABLE,
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def test_clone_keeps_parameters_and_drops_the_fit():
    X, y = load_keel("glass5")
    schema = TableSchema.infer(X)
    gen = FraudScenarioGenerator(schema=schema, typologies=["card_testing"], k_neighbors=3)
    gen.fit(X, y)
    twin = clone(gen)
    params = twin.get_params()
    assert params["k_neighbors"] == 3 and params["typologies"] == ["card_testing"]
    assert params["schema"].columns == schema.columns  # clone deep-copies non-estimators
    assert not hasattr(twin, "schema_")
    pd.testing.assert_frame_equal(
        twin.fit(X, y).generate(20, random_state=1), gen.generate(20, random_state=1)
    )


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"k_neighbors": 0}, "k_neighbors"),
        ({"k_neighbors": True}, "k_neighbors"),
        ({"k_neighbors": 2.5}, "k_neighbors"),
        ({"schema": "auto"}, "schema"),
        ({"typologies": 3}, "typologies"),
        ({"random_state": -1}, "random_state"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_bad_parameters_raise_edgecase_errors_at_fit(params, name):
    X, y = load_keel("glass5")
    gen = FraudScenarioGenerator(**params)  # the constructor only stores them
    with pytest.raises(InvalidParameterError, match=name):
        gen.fit(X, y)


def test_random_state_generator_seeds_the_fit(sim):
    # 19,800 legit rows: fit subsamples the other class, so its random stream matters
    X, y = sim

    def rows(gen):
        return gen.fit(X, y).generate(200, severity=1.0, random_state=0)

    from_rng = rows(FraudScenarioGenerator(random_state=np.random.default_rng(7)))
    pd.testing.assert_frame_equal(
        from_rng, rows(FraudScenarioGenerator(random_state=np.random.default_rng(7)))
    )
    # the default seed is 0: fitting twice on the same table gives the same model
    pd.testing.assert_frame_equal(
        rows(FraudScenarioGenerator()), rows(FraudScenarioGenerator(random_state=0))
    )
