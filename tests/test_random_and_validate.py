import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from edgecase._random import as_generator, as_seed_sequence, block_rngs, spawn
from edgecase._validate import (
    check_binary_target,
    check_choice,
    check_min_class_count,
    check_scalar,
    check_X_y,
)
from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError


@given(st.integers(0, 2**63 - 1))
def test_same_seed_same_stream(seed):
    assert as_generator(seed).random() == as_generator(seed).random()


def test_generator_is_advanced_not_reused():
    g = np.random.default_rng(1)
    a, b = as_seed_sequence(g), as_seed_sequence(g)
    assert a.entropy != b.entropy
    g1, g2 = np.random.default_rng(1), np.random.default_rng(1)
    assert as_seed_sequence(g1).entropy == as_seed_sequence(g2).entropy


def test_none_is_fresh_entropy():
    assert as_seed_sequence(None).entropy != as_seed_sequence(None).entropy


def test_block_streams_do_not_depend_on_grouping():
    ss = as_seed_sequence(42)
    whole = np.concatenate([g.normal(size=1000) for g in block_rngs(ss, 0, 6)])
    parts = np.concatenate(
        [
            np.concatenate([g.normal(size=1000) for g in block_rngs(ss, start, n)])
            for start, n in [(0, 2), (2, 1), (3, 3)]
        ]
    )
    assert np.array_equal(whole, parts)
    # blocks are independent streams, not copies
    a, b = block_rngs(ss, 0, 2)
    assert a.random() != b.random()


def test_spawn_independent():
    g = spawn(3, 3)
    assert len({x.random() for x in g}) == 3


def test_binary_target_variants():
    assert check_binary_target([True, False]).tolist() == [1, 0]
    assert check_binary_target(pd.Series(["fraud", "ok", "ok"])).tolist() == [1, 0, 0]
    assert check_binary_target(["a", "b", "b"], positive="b").tolist() == [0, 1, 1]
    with pytest.raises(InvalidInputError, match="single class"):
        check_binary_target([1, 1, 1])
    with pytest.raises(InvalidInputError, match="binary"):
        check_binary_target([0, 1, 2])


def test_messages_name_the_column_and_parameter():
    X = pd.DataFrame({"amount": [1.0, np.nan], "n": [1, 2]})
    with pytest.raises(InvalidInputError, match="'amount'"):
        check_X_y(X, [0, 1])
    X = pd.DataFrame({"amount": [1.0, np.inf]})
    with pytest.raises(InvalidInputError, match="'amount'.*infinite"):
        check_X_y(X, [0, 1])
    X = pd.DataFrame({"city": ["a", "b"]})
    with pytest.raises(InvalidInputError, match="'city'.*category"):
        check_X_y(X, [0, 1])
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        check_scalar(-1, "k_neighbors", kind=int, low=1)
    with pytest.raises(InvalidInputError, match="k_neighbors=5 needs at least 6"):
        check_min_class_count(np.array([1, 1, 0, 0]), 5)
    with pytest.raises(UnknownNameError, match="Did you mean 'smote'"):
        check_choice("smot", "sampler", ["smote", "adasyn"])


def test_numpy_input_gets_column_names():
    X, y = check_X_y(np.zeros((3, 2)), [0, 1, 0])
    assert list(X.columns) == ["x0", "x1"] and y.dtype == np.int8


def test_checked_int8_labels_take_the_short_path_with_the_same_result_and_errors():
    y = np.array([0, 1, 0, 0, 1], dtype=np.int8)
    for labels in (y, pd.Series(y, index=[9, 8, 7, 6, 5])):
        out = check_binary_target(labels)
        assert out.dtype == np.int8 and out.tolist() == y.tolist()
        assert not np.shares_memory(out, y)  # a copy: the caller may write to it
    # int8 that is not 0/1 with both classes takes the general path and its errors
    for bad, msg in (([0, 0, 0], "single class"), ([1, 1], "single class"),
                     ([0, 1, 2], "must be binary"), ([0, -1, 1], "must be binary")):  # fmt: skip
        with pytest.raises(InvalidInputError, match=msg):
            check_binary_target(np.array(bad, dtype=np.int8))
    # two arbitrary int8 labels: the rarer one is the positive, as for any dtype
    assert check_binary_target(np.array([3, -1, -1], dtype=np.int8)).tolist() == [1, 0, 0]
