"""Regression tests for odd but realistic input that used to give a raw error, a message
naming internals, or a silently changed result: huge finite values, odd category levels,
time-zone and period columns, a numeric feature passed as a category, Series rows,
degenerate returns, text in schema columns, numpy reprs in messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase._validate import MAX_ABS_VALUE, check_keywords, check_scalar, check_X_y
from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError, plain_message

N = 80


def _Xy(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(N, 3)), columns=["a", "b", "c"])
    y = pd.Series((X["a"] + rng.normal(size=N) > 0.9).astype(int))
    return X, y


def _fits():
    from edgecase import quality
    from edgecase.fraud import EdgeCaseOversampler, FraudScenarioGenerator
    from edgecase.train import Trainer

    return {
        "oversampler": lambda X, y: EdgeCaseOversampler(k_neighbors=2).fit_resample(X, y),
        "generator": lambda X, y: FraudScenarioGenerator(k_neighbors=2).fit(X, y),
        "trainer": lambda X, y: Trainer(progress=False, cv=2).fit(X, y),
        "quality": lambda X, y: quality.evaluate(X, X, progress=False),
    }


@pytest.mark.parametrize("value", [1e300, -1e200, 3e38, 2 * MAX_ABS_VALUE])
def test_huge_finite_values_are_refused_naming_the_column(value):
    X, y = _Xy()
    X.loc[2, "b"] = value
    for name, fit in _fits().items():
        with pytest.raises(InvalidInputError, match=r"column 'b' has 1 value\(s\) larger") as info:
            fit(X, y)
        assert "infinity" not in str(info.value), name
    # the bound itself is fine
    X.loc[2, "b"] = MAX_ABS_VALUE
    check_X_y(X, y)


@pytest.mark.parametrize(
    "levels, word",
    [([True, False], "bool"), ([0.5, 1.5], "float"), ([1, "a"], "integer and text")],
)
def test_category_levels_must_be_text_or_integers(levels, word):
    X, y = _Xy()
    X["k"] = pd.Categorical(pd.Series(levels * (N // 2), dtype=object))
    for fit in _fits().values():
        with pytest.raises(InvalidInputError, match=f"'k' is a category with {word} levels"):
            fit(X, y)
    X["k"] = X["k"].cat.rename_categories(str)  # the fix the message gives works
    check_X_y(X, y)


@pytest.mark.parametrize(
    "column, hint",
    [
        (pd.date_range("2020", periods=N, tz="UTC"), "tz_convert"),
        (pd.period_range("2020", periods=N, freq="D"), "to_timestamp"),
        (np.arange(N) + 1j, "Complex"),
    ],
)
def test_oversampler_and_generator_refuse_odd_column_types(column, hint):
    X, y = _Xy()
    X["t"] = column
    for name in ("oversampler", "generator"):
        with pytest.raises(InvalidInputError, match="column 't'") as info:
            _fits()[name](X, y)
        assert hint in str(info.value)


def test_oversampler_still_takes_text_columns_as_categories():
    from edgecase.fraud import EdgeCaseOversampler

    X, y = _Xy()
    X["s"] = np.resize(["u", "v"], N)
    Xr, _ = EdgeCaseOversampler(k_neighbors=2, random_state=0).fit_resample(X, y)
    assert set(Xr["s"]) <= {"u", "v"} and not Xr.isna().any().any()


def test_predict_refuses_a_numeric_feature_passed_as_category():
    from edgecase.train import Trainer

    X, y = _Xy()
    model = Trainer(progress=False, cv=2, random_state=0).fit(X, y)
    for col in (X["b"].astype("category"), X["b"].round().astype(int).astype("category")):
        with pytest.raises(InvalidInputError, match="'b' is a category, but it was float64"):
            model.predict_proba(X.assign(b=col))
    np.testing.assert_array_equal(model.predict_proba(X[["c", "a", "b"]]), model.predict_proba(X))


def test_minimal_breaking_example_keeps_category_dtypes_of_a_series_row():
    from edgecase.stress import minimal_breaking_example
    from edgecase.train import Trainer

    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"amount": rng.uniform(0, 100, 400), "m": pd.Categorical(rng.choice(["a", "b"], 400))}
    )
    y = ((X["amount"] > 60) & (X["m"] == "a")).astype(int)
    model = Trainer(progress=False, cv=2, random_state=0).fit(X, y)
    i = int(np.argmax(np.where(y == 1, X["amount"], 0)))
    kw = dict(mutable=["amount"], max_examples=30, random_state=0)
    frame = minimal_breaking_example(model, X.iloc[[i]], X_ref=X, **kw)
    series = minimal_breaking_example(model, X.iloc[i], X_ref=X, **kw)
    assert series.found == frame.found
    assert series.example["amount"] == pytest.approx(frame.example["amount"])
    # without X_ref a Series cannot say that 'm' is a category: refused, not guessed
    with pytest.raises(InvalidInputError, match="row is a Series"):
        minimal_breaking_example(model, X.iloc[i], bounds={"amount": (0, 100)}, **kw)
    X_nan = X.copy()
    X_nan.loc[3, "amount"] = np.nan
    with pytest.raises(InvalidInputError, match="X_ref column 'amount' has 1 missing"):
        minimal_breaking_example(model, X.iloc[[i]], X_ref=X_nan, **kw)


def test_from_returns_names_unknown_keywords_and_describes_degenerate_returns():
    from edgecase.market import BlackSwanGenerator

    idx = pd.bdate_range("2010-01-01", periods=300)
    rng = np.random.default_rng(0)
    good = pd.Series(rng.standard_t(4, 300) * 0.01, index=idx, name="r")
    with pytest.raises(InvalidParameterError, match="'bogus'.*Did you mean") as info:
        BlackSwanGenerator.from_returns(good, regimez=False, bogus=1)
    assert "regimes" in str(info.value) and "'returns'" not in str(info.value)
    alternating = pd.Series(np.resize([0.01, -0.01], 300), index=idx, name="r")
    stale = pd.Series(np.r_[np.zeros(299), 0.05], index=idx, name="r")
    for r in (alternating, stale):
        with pytest.raises(InvalidInputError, match="returns column 'r' does not look like") as e:
            BlackSwanGenerator.from_returns(r)
        for internal in ("omega", "alpha", "beta", "gamma", "np.float64"):
            assert internal not in str(e.value)


def test_check_keywords_lists_what_the_target_accepts():
    def target(x, *, vol="a", shocks="b"):
        return x

    check_keywords({"vol": 1}, target, where="f", passed=("x",))
    with pytest.raises(InvalidParameterError, match=r"f got unknown keyword argument\(s\) 'x'"):
        check_keywords({"x": 1}, target, where="f", passed=("x",))


@pytest.mark.parametrize(
    "column, value, rule",
    [
        ("a", ["1", "x", "3"], "not numeric"),
        ("a", [True, False, True], "not numeric"),
        ("a", [1 + 1j, 2, 3], "not numeric"),
        ("t", ["2020-01-01", "soon", "x"], "not datetime"),
        ("t", [1, 2, 3], "not datetime"),
    ],
)
def test_repair_refuses_columns_of_the_wrong_dtype(column, value, rule):
    from edgecase.errors import SchemaViolationError
    from edgecase.schema import TableSchema

    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "t": pd.date_range("2020", periods=3)})
    schema = TableSchema.infer(df)
    bad = df.assign(**{column: value})
    before = bad.copy()
    with pytest.raises(SchemaViolationError, match=f"column {column!r} is {rule}"):
        schema.repair(bad)
    pd.testing.assert_frame_equal(bad, before)
    assert not schema.check(bad).ok


def test_column_refuses_categories_given_as_one_string():
    from edgecase.schema import Column

    with pytest.raises(InvalidParameterError, match="categories must be a list"):
        Column("x", kind="category", categories="abc")
    assert Column("x", kind="category", categories=("abc",)).categories == ("abc",)


def test_messages_never_show_numpy_scalar_reprs():
    assert plain_message("got np.float64(-63.1), np.int64(3), np.str_('a'), np.True_") == (
        "got -63.1, 3, 'a', True"
    )
    with pytest.raises(InvalidParameterError) as info:
        check_scalar(np.float64(-63.5), "omega", low=np.float64(-50.0))
    assert str(info.value) == "omega must be >= -50.0; got -63.5."
    assert "np." not in str(EdgecaseError(f"{np.int64(1)!r}"))


def _odd_frames() -> dict[str, tuple[pd.DataFrame, str]]:
    X, _ = _Xy()
    return {
        "int64 limit": (X.assign(c=np.iinfo(np.int64).max), "'c' has 80 integer"),
        "uint64 limit": (X.assign(c=np.full(N, np.iinfo(np.uint64).max)), "'c' has 80 integer"),
        "mixed object": (X.assign(c=pd.Series([1, "x"] * (N // 2), dtype=object)), "'c'"),
        "MultiIndex": (
            X.set_axis(pd.MultiIndex.from_tuples([("g", "a"), ("g", "b"), ("h", "c")]), axis=1),
            "MultiIndex columns",
        ),
        "duplicated": (X.set_axis(["a", "a", "c"], axis=1), "duplicated column names"),
    }


@pytest.mark.parametrize("kind", list(_odd_frames()))
def test_odd_frames_are_refused_by_every_fit(kind):
    X, expected = _odd_frames()[kind]
    _, y = _Xy()
    before = X.copy()
    for fit in _fits().values():
        with pytest.raises(InvalidInputError, match=expected):
            fit(X, y)
    pd.testing.assert_frame_equal(X, before)


def test_integers_up_to_2_53_and_single_sparse_columns_still_work():
    from edgecase.fraud import EdgeCaseOversampler

    X, y = _Xy()
    check_X_y(X.assign(c=2**53), y)
    Xs = X.assign(a=pd.arrays.SparseArray(X["a"].to_numpy()))
    Xr, _ = EdgeCaseOversampler(k_neighbors=2, random_state=0).fit_resample(Xs, y)
    Xd, _ = EdgeCaseOversampler(k_neighbors=2, random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(Xr["a"].to_numpy(dtype=float), Xd["a"].to_numpy(dtype=float))


def test_parallel_refuses_oversized_plans_and_uncallable_tasks():
    from edgecase import parallel

    with pytest.raises(InvalidParameterError, match=r"1,000,000,000,000,000 items.*GB"):
        parallel.chunk_ranges(10**15, 1000)
    with pytest.raises(InvalidParameterError, match="task must be a callable"):
        parallel.map_chunks(3, 10, chunk_size=1000, progress=False)
    with pytest.raises(InvalidParameterError, match="func must be a callable"):
        parallel.map_tasks("f", [1], progress=False)
    assert [(c.start, c.stop) for c in parallel.chunk_ranges(2500, 1000)][-1] == (2000, 2500)


def test_schema_refuses_non_column_entries_missing_names_and_repeated_levels():
    from edgecase.schema import Column, TableSchema

    with pytest.raises(InvalidParameterError, match="must be Column objects; got 'a'"):
        TableSchema(["a"])
    with pytest.raises(InvalidParameterError, match="column name must be a str"):
        Column(None)
    with pytest.raises(InvalidParameterError, match="categories must be distinct"):
        Column("x", kind="category", categories=("a", "a"))


@pytest.mark.parametrize("columns, expected", [(["x", "x"], "duplicated"), (None, "MultiIndex")])
def test_returns_with_nested_or_duplicated_columns_are_refused(columns, expected):
    from edgecase.market import fit_evt, stylized_facts

    r = pd.DataFrame(np.random.default_rng(0).normal(0, 0.01, (300, 2)))
    r.columns = columns or pd.MultiIndex.from_tuples([("p", "x"), ("p", "z")])
    for f in (stylized_facts, fit_evt):
        with pytest.raises(InvalidInputError, match=f"returns has {expected}"):
            f(r)


def test_log_returns_refuse_unsorted_dates_and_duplicated_columns():
    from edgecase.market import log_returns

    idx = pd.bdate_range("2020-01-01", periods=5)
    p = pd.Series([100.0, 101, 99, 102, 103], index=idx)
    assert len(log_returns(p)) == 4
    with pytest.raises(InvalidInputError, match="prices has a DatetimeIndex that is not in time"):
        log_returns(p.iloc[::-1])
    with pytest.raises(InvalidInputError, match="prices has duplicated column names"):
        log_returns(pd.concat([p, p], axis=1).set_axis(["x", "x"], axis=1))


def test_flags_are_true_or_false_and_huge_requests_are_refused_by_size():
    from edgecase.datasets import load_market
    from edgecase.fraud import FraudScenarioGenerator, simulate_transactions, transaction_schema
    from edgecase.market.calibrate import calibrate

    with pytest.raises(InvalidParameterError, match="features_only must be True or False"):
        transaction_schema(features_only="yes")
    r = load_market("sp500")["log_return"]
    with pytest.raises(InvalidParameterError, match="regimes must be True or False"):
        calibrate(r, regimes="yes")
    with pytest.raises(InvalidParameterError, match="regime_window must be >= 5"):
        calibrate(r, regime_window=0)
    with pytest.raises(InvalidParameterError, match=r"simulate_transactions\(.*GB of memory"):
        simulate_transactions(10**13)
    X, y = _Xy()
    gen = FraudScenarioGenerator(k_neighbors=2, random_state=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match=r"generate\(.*GB of memory"):
        gen.generate(10**13)


def test_find_slices_refuses_a_probability_cut_on_scores_of_another_scale():
    from edgecase.stress import find_slices

    X, y = _Xy()
    scores = 10.0 * X["a"].to_numpy()  # a decision function, not a probability
    with pytest.raises(InvalidInputError, match=r"scores range over .*score_threshold"):
        find_slices(X, y, scores, on="positives")
    out = find_slices(X, y, scores, on="positives", alert_rate=0.2, min_support=5)
    assert out.attrs["n_population"] == int(y.sum())  # alert_rate takes any scale
