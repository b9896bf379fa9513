import numpy as np
import pandas as pd
import pytest

from edgecase import datasets
from edgecase.errors import EdgecaseError, UnknownDatasetError


def test_catalogue_has_all_103_sets():
    names = datasets.list_keel()
    assert len(names) == 103
    assert {
        "sylva",
        "ada",
        "hiva",
        "yeast4",
        "abalone19",
        "page-blocks0",
        "kddcup-buffer_overflow_vs_back",
    } <= set(names)


@pytest.mark.parametrize("name", datasets.list_keel())
def test_every_set_loads_with_two_classes_and_no_nan(name):
    X, y = datasets.load_keel(name)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert len(X) == len(y) > 0
    assert set(np.unique(y)) == {0, 1}
    # positives are the minority class in every set
    assert y.mean() <= 0.5
    assert not X.isna().any().any()
    for col in X.columns:
        assert isinstance(X[col].dtype, pd.CategoricalDtype) or pd.api.types.is_numeric_dtype(
            X[col]
        )


def test_known_shapes_and_counts():
    X, y = datasets.load_keel("yeast6")
    assert X.shape == (1484, 8) and int(y.sum()) == 35
    X, y = datasets.load_keel("abalone19")
    assert X.shape == (4174, 8) and int(y.sum()) == 32
    assert list(X["Sex"].cat.categories) == ["M", "F", "I"]
    X, y = datasets.load_keel("sylva")
    assert X.shape == (13086, 216) and int(y.sum()) == 805


def test_header_names_and_integer_columns():
    X, _ = datasets.load_keel("page-blocks0")
    assert "Height" in X.columns and X["Height"].dtype == np.int64


def test_load_returns_a_copy():
    X, y = datasets.load_keel("yeast4")
    X.iloc[0, 0] = -99.0
    X2, _ = datasets.load_keel("yeast4")
    assert X2.iloc[0, 0] != -99.0


def test_unknown_name_lists_closest():
    with pytest.raises(UnknownDatasetError, match="yeast"):
        datasets.load_keel("yeast7")
    with pytest.raises(EdgecaseError):
        datasets.load_keel(None)


@pytest.mark.parametrize("name", ["sp500", "nasdaq", "vix", "wti"])
def test_market_series(name):
    df = datasets.load_market(name)
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.is_monotonic_increasing
    assert list(df.columns) == ["close", "log_return"]
    assert np.isfinite(df.to_numpy()).all()
    np.testing.assert_allclose(
        np.exp(df["log_return"].iloc[1:].to_numpy()),
        (df["close"] / df["close"].shift()).iloc[1:].to_numpy(),
    )


def test_sp500_covers_2008_and_flash_crash():
    df = datasets.load_market("sp500")
    assert len(df) == 5030
    assert df.loc["2008-10-15", "log_return"] == pytest.approx(-0.0947, abs=1e-4)
    assert "2010-05-06" in df.index.strftime("%Y-%m-%d")
    assert datasets.load_market("vix").attrs["missing_days_removed"] == 46


def test_unknown_market_name():
    with pytest.raises(UnknownDatasetError, match="sp500"):
        datasets.load_market("sp5000")
