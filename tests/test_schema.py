"""TableSchema: inference, declared constraints, check reports and repair, on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_keel
from edgecase.errors import InvalidParameterError, SchemaViolationError
from edgecase.schema import Column, TableSchema


@pytest.fixture(scope="module")
def abalone():
    X, y = load_keel("abalone9-18")
    return X, y


def test_infer_real_table_kinds_and_bounds(abalone):
    X, _ = abalone
    s = TableSchema.infer(X)
    assert s.names == list(X.columns)
    cat_cols = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    assert cat_cols, "abalone has a nominal Sex attribute"
    for c in cat_cols:
        assert s[c].kind == "category"
        assert set(s[c].categories) == set(X[c].cat.categories)
    num = [c for c in X.columns if c not in cat_cols]
    for c in num:
        assert s[c].low == pytest.approx(X[c].min())
        assert s[c].high == pytest.approx(X[c].max())
    assert s.check(X).ok


def test_check_reports_each_rule(abalone):
    X, _ = abalone
    s = TableSchema.infer(X)
    num = next(c for c in X.columns if s[c].kind == "numeric")
    cat = next(c for c in X.columns if s[c].kind == "category")
    bad = X.head(10).copy()
    bad.loc[bad.index[0], num] = s[num].high + 1
    bad.loc[bad.index[1], num] = s[num].low - 1
    bad[cat] = bad[cat].cat.add_categories(["Z"])
    bad.loc[bad.index[2], cat] = "Z"
    rep = s.check(bad)
    rules = set(zip(rep.violations["column"], rep.violations["rule"], strict=True))
    assert {(num, "above high"), (num, "below low"), (cat, "unknown category")} <= rules
    assert rep.n_violations == 3
    with pytest.raises(SchemaViolationError, match="above high"):
        s.check(bad, errors="raise")


def test_repair_projects_into_bounds_and_keeps_dtypes(abalone):
    X, _ = abalone
    s = TableSchema.infer(X)
    rng = np.random.default_rng(0)
    bad = X.sample(50, random_state=0).copy()
    num = [c for c in X.columns if s[c].kind in ("numeric", "integer")]
    bad[num] = bad[num] + rng.normal(0, 5, size=(50, len(num)))
    assert not s.check(bad).ok
    fixed = s.repair(bad)
    assert s.check(fixed).ok
    assert (fixed.dtypes == X.dtypes).all()
    # rows already inside the bounds are untouched
    inside = s.repair(X.head(20))
    pd.testing.assert_frame_equal(inside, X.head(20))


def test_integer_and_time_order_per_entity():
    s = TableSchema(
        [
            Column("acct", "integer", "entity"),
            Column("t", "datetime", "time"),
            Column("n", "integer", low=0),
        ]
    )
    t = pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-01"])
    df = pd.DataFrame({"acct": [1, 1, 1, 2], "t": t, "n": [0.0, 1.5, 2.0, -1.0]})
    rep = s.check(df)
    got = dict(zip(rep.violations["rule"], rep.violations["n_rows"], strict=True))
    assert got == {"not integer": 1, "below low": 1, "time order": 1}
    fixed = s.repair(df)
    assert s.check(fixed).ok
    assert fixed["t"].iloc[2] == pd.Timestamp("2024-01-03")  # account 2 is not affected
    assert fixed["t"].iloc[3] == pd.Timestamp("2024-01-01")


def test_repair_refuses_what_it_cannot_project():
    s = TableSchema([Column("x", low=0, high=1)])
    with pytest.raises(SchemaViolationError, match="missing"):
        s.repair(pd.DataFrame({"x": [np.nan]}))
    with pytest.raises(SchemaViolationError, match="missing"):
        s.repair(pd.DataFrame({"y": [1.0]}))


def test_declaration_errors():
    with pytest.raises(InvalidParameterError, match="low=2"):
        Column("x", low=2, high=1)
    with pytest.raises(InvalidParameterError, match="kind"):
        Column("x", kind="text")
    with pytest.raises(InvalidParameterError, match="role 'time'"):
        TableSchema([Column("a", "datetime", "time"), Column("b", "datetime", "time")])
