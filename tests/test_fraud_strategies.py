"""The public hypothesis strategies draw valid tables; our own property tests use them."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from edgecase.fraud import COLUMNS, FEATURE_COLUMNS, EdgeCaseOversampler, transaction_schema
from edgecase.fraud.strategies import tables, transactions
from edgecase.schema import Column, TableSchema

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(transactions())
def test_transactions_satisfy_the_contract(df):
    assert list(df.columns) == COLUMNS
    assert transaction_schema().check(df).ok
    assert (df["transaction_id"].to_numpy() == np.arange(len(df))).all()
    assert ((df["typology"] == "legit") == ~df["is_fraud"]).all()


SCHEMA = TableSchema(
    [
        Column("acct", "integer", "entity", low=0, high=3),
        Column("t", "datetime", "time"),
        Column("x", low=-5, high=5),
        Column("n", "integer", low=0, high=10),
        Column("c", "category", categories=("a", "b", "c")),
    ]
)


@FAST
@given(tables(SCHEMA, min_rows=2))
def test_tables_satisfy_any_schema_and_repair_is_identity(df):
    assert SCHEMA.check(df).ok
    assert SCHEMA.repair(df).equals(df)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions(transaction_schema(features_only=True), min_rows=12, max_rows=40))
def test_oversampler_keeps_any_valid_feature_table_valid(X):
    y = np.zeros(len(X), dtype=int)
    y[: len(X) // 3] = 1
    Xr, yr = EdgeCaseOversampler(k_neighbors=3, random_state=0).fit_resample(X, y)
    assert list(Xr.columns) == FEATURE_COLUMNS
    assert (Xr.dtypes == X.dtypes).all()
    assert transaction_schema(features_only=True).check(Xr).ok
    assert int((yr == 1).sum()) == int((yr == 0).sum())
