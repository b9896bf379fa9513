"""Built-in stress scenarios: severity 0 is the data, bounds hold, derived columns stay consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgecase.errors import EdgecaseError, InvalidInputError
from edgecase.stress import (
    AccountTakeoverMix,
    AmountEvasion,
    FeatureShift,
    LegitDrift,
    NewMerchantCategories,
    Perturb,
    TimeShift,
    VelocityEvasion,
    fraud_scenarios,
    get_scenario,
)

from .conftest import fraud_frame


@pytest.fixture(scope="module")
def frame():
    return fraud_frame()


ALL = [
    *fraud_scenarios(),
    FeatureShift(shift={"amount": -0.5}, bounds={"amount": (0.01, 1e6)}),
    Perturb(noise=0.3),
]


def check_constraints(X0: pd.DataFrame, X: pd.DataFrame) -> None:
    assert list(X.columns) == list(X0.columns)
    assert (X.dtypes == X0.dtypes).all()
    a = X["amount"].to_numpy()
    assert (a >= 0.01).all() and np.allclose(a, np.round(a, 2))
    for c in ("account_age_days", "hour", "txn_count_1h", "txn_count_24h"):
        assert (X[c] >= 0).all()
    assert X["hour"].between(0, 23).all()
    assert (X["txn_count_1h"] <= X["txn_count_24h"]).all()
    assert (X["amount_to_median"] > 0).all()
    assert not X.isna().any().any()


@pytest.mark.parametrize("scenario", ALL, ids=[s.name for s in ALL])
def test_severity_zero_is_the_data_and_seed_is_deterministic(frame, scenario):
    X, y = frame
    X0, y0 = scenario.apply(X, y, 0.0, random_state=1)
    pd.testing.assert_frame_equal(X0, X)
    pd.testing.assert_series_equal(y0, y)
    a, ya = scenario.apply(X, y, 1.5, random_state=3)
    b, yb = scenario.apply(X, y, 1.5, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(ya, yb)
    assert not a.equals(X), "severity 1.5 changed nothing"
    assert X.equals(fraud_frame()[0]), "apply modified its input"


@settings(max_examples=15, deadline=None)
@given(
    severity=st.floats(0, 6, allow_nan=False),
    seed=st.integers(0, 2**32 - 1),
    which=st.sampled_from(range(len(ALL))),
)
def test_constraints_hold_at_any_severity(severity, seed, which):
    X, y = fraud_frame(n=600, seed=1000 + seed % 7)
    sc = ALL[which]
    if sc.name == "perturb":
        sc = Perturb(
            columns=["amount", "distance_from_home_km"],
            bounds={"amount": (0.01, 1e6), "distance_from_home_km": (0.0, 2e4)},
        )
    Xs, ys = sc.apply(X, y, severity, random_state=seed)
    if sc.name in ("perturb", "feature_shift"):  # generic scenarios do not know about cents
        Xs = Xs.assign(amount=Xs["amount"].round(2))
    check_constraints(X, Xs)
    assert len(Xs) == len(ys) == len(X)
    assert int(ys.sum()) == int(y.sum())


def test_amount_evasion_cuts_fraud_amounts_and_keeps_median_ratio(frame):
    X, y = frame
    f = y.to_numpy() == 1
    lo, _ = AmountEvasion().apply(X, y, 1.0, random_state=0)
    hi, _ = AmountEvasion().apply(X, y, 3.0, random_state=0)
    pd.testing.assert_frame_equal(lo[~f], X[~f])
    ratio = np.median(lo["amount"][f] / X["amount"][f])
    assert 0.4 < ratio < 0.6  # halved on average at severity 1
    assert (hi["amount"][f] <= lo["amount"][f]).all()  # common random numbers: monotone
    # amount / amount_to_median is the account's median: unchanged up to cent rounding
    med0 = X["amount"] / X["amount_to_median"]
    med1 = hi["amount"] / hi["amount_to_median"]
    assert np.allclose(med0, med1, rtol=1e-9)


def test_velocity_evasion_thins_both_counts_monotonically(frame):
    X, y = frame
    f = y.to_numpy() == 1
    a, _ = VelocityEvasion().apply(X, y, 1.0, random_state=0)
    b, _ = VelocityEvasion().apply(X, y, 2.0, random_state=0)
    assert (b["txn_count_24h"] <= a["txn_count_24h"]).all()
    assert (a["txn_count_24h"] <= X["txn_count_24h"]).all()
    kept = a["txn_count_24h"][f].sum() / X["txn_count_24h"][f].sum()
    assert 0.42 < kept < 0.58
    pd.testing.assert_frame_equal(a[~f], X[~f])


def test_categories_and_hours_move_toward_legit(frame):
    X, y = frame
    f = y.to_numpy() == 1
    legit_share = (X["merchant_category"][~f] == "grocery").mean()
    Xs, _ = NewMerchantCategories().apply(X, y, 3.0, random_state=0)
    before = (X["merchant_category"][f] == "grocery").mean()
    after = (Xs["merchant_category"][f] == "grocery").mean()
    assert before < after < legit_share + 0.05
    Xt, _ = TimeShift().apply(X, y, 2.0, random_state=0)
    night = lambda h: ((h <= 5) | (h >= 23)).mean()  # noqa: E731
    assert night(Xt["hour"][f]) < night(X["hour"][f]) - 0.2


def test_account_takeover_mix_raises_ato_share(frame):
    X, y = frame
    f = y.to_numpy() == 1

    def share(df):
        return (df["is_new_device"] & (df["account_age_days"] >= 90))[f].mean()

    Xs, ys = AccountTakeoverMix().apply(X, y, 1.0, random_state=0)
    Xb, _ = AccountTakeoverMix().apply(X, y, 3.0, random_state=0)
    assert share(X) < share(Xs) < share(Xb)
    pd.testing.assert_frame_equal(Xs[~f], X[~f])
    assert ys.equals(y)


def test_legit_drift_moves_only_legit_rows(frame):
    X, y = frame
    f = y.to_numpy() == 1
    Xs, _ = LegitDrift().apply(X, y, 1.0, random_state=0)
    pd.testing.assert_frame_equal(Xs[f], X[f])
    assert Xs["amount"][~f].median() > 1.15 * X["amount"][~f].median()
    assert Xs["txn_count_24h"][~f].mean() > X["txn_count_24h"][~f].mean() + 1
    assert (Xs["channel"][~f] == "online").mean() > (X["channel"][~f] == "online").mean()


def test_missing_column_is_named(frame):
    X, y = frame
    with pytest.raises(InvalidInputError, match="txn_count_24h"):
        VelocityEvasion().apply(X.drop(columns="txn_count_24h"), y, 1.0)
    with pytest.raises(EdgecaseError, match="nope"):
        FeatureShift(shift={"nope": 1.0}).apply(X, y, 1.0)
    with pytest.raises(EdgecaseError, match="merchant_category"):
        NewMerchantCategories().apply(X.astype({"merchant_category": str}), y, 1.0)
    with pytest.raises(EdgecaseError, match="severity"):
        AmountEvasion().apply(X, y, -1.0)
    with pytest.raises(EdgecaseError, match="amount_evasion"):
        get_scenario("amount_evasions")


def test_feature_shift_integer_columns_and_bounds():
    X = pd.DataFrame({"k": np.arange(10, dtype=np.int64), "v": np.linspace(0, 1, 10)})
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    sc = FeatureShift(shift={"k": -2.0}, scale={"v": 3.0}, bounds={"k": (0, 100)})
    Xs, ys = sc.apply(X, y, 1.0, random_state=0)
    assert Xs["k"].dtype == np.int64 and (Xs["k"] >= 0).all()
    assert Xs["k"][:5].tolist() == list(range(5))
    assert np.allclose(Xs["v"][5:], 3 * X["v"][5:])
    assert isinstance(ys, np.ndarray) and ys.dtype == y.dtype


def test_fast_poisson_inverse_matches_scipy():
    from scipy.stats import poisson

    from edgecase.stress.fraud_scenarios import _poisson_ppf

    u = np.random.default_rng(0).random(20000)
    for mu in (0.0, 0.3, 1.5, 4.5, 30.0):
        assert np.array_equal(_poisson_ppf(u, mu), poisson.ppf(u, mu).astype(np.int64))


@pytest.mark.parametrize("sc", ALL, ids=lambda s: s.name)
@pytest.mark.parametrize("severity", [0.0, 1.5])
def test_apply_with_changes_is_apply_and_its_column_changes(frame, sc, severity):
    # the harness reuses the changes a built-in scenario computed to check its output:
    # they must be column_changes of (X, apply(X)), and the input must stay untouched
    # (the stressed copy shares untouched columns with it under copy-on-write)
    from edgecase.stress._changes import column_changes

    X, y = frame
    X0, y0 = X.copy(), y.copy()
    X_a, y_a = sc.apply(X, y, severity, random_state=4)
    X_c, y_c, changes = sc.apply_with_changes(X, y, severity, random_state=4, X_checked=True)
    pd.testing.assert_frame_equal(X_a, X_c)
    pd.testing.assert_series_equal(pd.Series(y_a), pd.Series(y_c))
    want = column_changes(X, X_a)
    assert changes.keys() == want.keys()
    for col in want:
        np.testing.assert_array_equal(changes[col], want[col], err_msg=str(col))
    assert any(d.any() for d in changes.values()) == (severity > 0)
    pd.testing.assert_frame_equal(X, X0)
    pd.testing.assert_series_equal(y, y0)
