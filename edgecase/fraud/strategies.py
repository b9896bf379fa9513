"""Hypothesis strategies for property-testing fraud models and pipelines.

``tables(schema)`` draws DataFrames that satisfy any :class:`~edgecase.schema.TableSchema`
(bounds, integer columns, known categories, per-entity time order);
``transactions()`` draws tables in the simulator's format (every contract
column and dtype), so user code that consumes
:func:`~edgecase.fraud.simulate_transactions` output can be tested on odd but
valid inputs (one row, one account, extreme amounts, all fraud...).

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=5, deadline=None)
... @given(transactions(max_rows=5))
... def test(df):
...     assert transaction_schema().check(df).ok
>>> test()
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from edgecase._validate import check_scalar
from edgecase.errors import InvalidParameterError
from edgecase.fraud.simulate import COLUMNS, transaction_schema
from edgecase.schema import Column, TableSchema

__all__ = ["tables", "transactions"]

_BIG = 1e9
_T0 = dt.datetime(2020, 1, 1)
_T1 = dt.datetime(2030, 1, 1)


def _elements(c: Column) -> tuple[st.SearchStrategy, object]:
    """(element strategy, column dtype) for one schema column."""
    if c.kind == "numeric":
        lo = -_BIG if c.low is None else float(c.low)
        hi = _BIG if c.high is None else float(c.high)
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False), np.float64
    if c.kind == "integer":
        lo = -(2**40) if c.low is None else math.ceil(c.low)
        hi = 2**40 if c.high is None else math.floor(c.high)
        return st.integers(lo, hi), np.int64
    if c.kind == "bool":
        return st.booleans(), bool
    if c.kind == "datetime":
        return st.datetimes(_T0, _T1), "datetime64[ns]"
    return st.sampled_from(list(c.categories)), object


def tables(
    schema: TableSchema, *, min_rows: int = 1, max_rows: int = 30
) -> st.SearchStrategy[pd.DataFrame]:
    """DataFrames whose every row satisfies ``schema``.

    Category columns come back as pandas ``category`` with the schema's
    categories; with a time column the rows are sorted by (entity, time).

    Parameters
    ----------
    schema : TableSchema
    min_rows, max_rows : int
        Table size range.

    Examples
    --------
    >>> from edgecase.schema import Column, TableSchema
    >>> s = TableSchema([Column("x", low=0, high=1), Column("c", "category", categories=("a", "b"))])
    >>> df = tables(s, max_rows=3).example()
    >>> s.check(df).ok
    True
    """
    if not isinstance(schema, TableSchema):
        raise InvalidParameterError(f"schema must be a TableSchema; got {type(schema).__name__}.")
    check_scalar(min_rows, "min_rows", kind=int, low=0)
    check_scalar(max_rows, "max_rows", kind=int, low=max(min_rows, 1))
    cols = []
    for c in schema:
        elements, dtype = _elements(c)
        cols.append(hpd.column(c.name, elements=elements, dtype=dtype))
    frames = hpd.data_frames(cols, index=hpd.range_indexes(min_size=min_rows, max_size=max_rows))

    def finish(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for c in schema:
            if c.kind == "category":
                df[c.name] = pd.Categorical(
                    df[c.name].astype(object), categories=list(c.categories)
                )
        keys = [k for k in (schema.entity, schema.time) if k is not None]
        if schema.time is not None:
            df = df.sort_values(keys, kind="stable").reset_index(drop=True)
        return df

    return frames.map(finish)


def transactions(
    schema: TableSchema | None = None, *, min_rows: int = 1, max_rows: int = 30
) -> st.SearchStrategy[pd.DataFrame]:
    """Tables in the simulator's format (contract columns, dtypes and constraints).

    With ``schema=None`` the full :func:`~edgecase.fraud.transaction_schema`;
    pass ``transaction_schema(features_only=True)`` for model-feature tables.
    Rows are in time order with ``transaction_id`` 0..n-1, amounts in cents,
    ``hour`` equal to the timestamp's hour, and ``typology == "legit"`` exactly
    when ``is_fraud`` is False.

    Examples
    --------
    >>> df = transactions(max_rows=4).example()
    >>> list(df.columns)[:3]
    ['transaction_id', 'account_id', 'timestamp']
    """
    schema = transaction_schema() if schema is None else schema
    if not isinstance(schema, TableSchema):
        raise InvalidParameterError(f"schema must be a TableSchema; got {type(schema).__name__}.")

    def finish(df: pd.DataFrame) -> pd.DataFrame:
        if "timestamp" in df.columns:
            df = df.sort_values("timestamp", kind="stable").reset_index(drop=True)
            if "hour" in df.columns:
                df["hour"] = df["timestamp"].dt.hour.astype(np.int64)
        if "transaction_id" in df.columns:
            df["transaction_id"] = np.arange(len(df), dtype=np.int64)
        if "amount" in df.columns:
            df["amount"] = np.maximum(np.round(df["amount"].to_numpy(), 2), 0.01)
        if "amount_to_median" in df.columns:
            df["amount_to_median"] = df["amount_to_median"].clip(lower=1e-6)
        if "is_fraud" in df.columns and "typology" in df.columns:
            legit = ~df["is_fraud"].to_numpy()
            typ = df["typology"].astype(object).to_numpy()
            typ = np.where(legit, "legit", np.where(typ == "legit", "card_testing", typ))
            df["typology"] = pd.Categorical(typ, categories=df["typology"].cat.categories)
        if "label_time" in COLUMNS and {"is_fraud", "timestamp", "event_id"} <= set(df.columns):
            # the simulator's label contract: legit rows have no episode and no label time
            fraud = df["is_fraud"].to_numpy()
            df["event_id"] = np.where(fraud, np.abs(df["event_id"].to_numpy()), -1)
            later = df["timestamp"] + pd.Timedelta(days=7)
            df["label_time"] = later.where(df["is_fraud"], pd.NaT)
        order = [c for c in COLUMNS if c in df.columns]
        return df[order + [c for c in df.columns if c not in order]]

    bounded = schema
    if "amount" in schema.columns:
        bounded = bounded.bounded(amount=(0.01, 1e6))
    if "amount_to_median" in schema.columns:
        bounded = bounded.bounded(amount_to_median=(1e-6, 1e4))
    if "distance_from_home_km" in schema.columns:
        bounded = bounded.bounded(distance_from_home_km=(0.0, 20_040.0))
    # a transaction table sorted by account then time is re-sorted by time in finish()
    return tables(bounded, min_rows=min_rows, max_rows=max_rows).map(finish)
