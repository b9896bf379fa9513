"""The embedded transaction simulator: contract columns, constraints, behaviour, seeding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase._random import as_seed_sequence
from edgecase.errors import InvalidParameterError, UnknownNameError
from edgecase.fraud import (
    COLUMNS,
    FEATURE_COLUMNS,
    TYPOLOGIES,
    simulate_transactions,
    split_features,
    transaction_schema,
)
from edgecase.fraud.simulate import _largest_remainder, _mix, _simulate_block


@pytest.fixture(scope="module")
def table():
    return simulate_transactions(30_000, fraud_rate=0.01, random_state=7, progress=False)


def test_contract_columns_and_dtypes(table):
    assert list(table.columns) == COLUMNS
    expected = {
        "transaction_id": "int64",
        "account_id": "int64",
        "timestamp": "datetime64[ns]",
        "amount": "float64",
        "merchant_id": "int64",
        "merchant_category": "category",
        "channel": "category",
        "country": "category",
        "device_id": "int64",
        "account_age_days": "int64",
        "hour": "int64",
        "txn_count_1h": "int64",
        "txn_count_24h": "int64",
        "amount_to_median": "float64",
        "is_new_device": "bool",
        "is_new_country": "bool",
        "is_new_merchant": "bool",
        "distance_from_home_km": "float64",
        "status": "category",
        "card_id": "int64",
        "event_id": "int64",
        "label_time": "datetime64[ns]",
        "is_fraud": "bool",
        "typology": "category",
    }
    assert {c: str(d) for c, d in table.dtypes.items()} == expected
    assert (table["transaction_id"].to_numpy() == np.arange(len(table))).all()
    assert table["timestamp"].is_monotonic_increasing
    assert set(table["channel"].cat.categories) == {"card_present", "online", "atm"}
    assert transaction_schema().check(table).ok


def test_history_features_match_a_direct_computation(table):
    acc = table.groupby("account_id").size().idxmax()
    h = table[table["account_id"] == acc].reset_index(drop=True)
    ts = h["timestamp"]
    amounts = h["amount"].to_numpy()
    for i in range(len(h)):
        earlier = ts.iloc[:i]
        assert h["txn_count_1h"][i] == int((earlier >= ts[i] - pd.Timedelta("1h")).sum())
        assert h["txn_count_24h"][i] == int((earlier >= ts[i] - pd.Timedelta("24h")).sum())
        want = 1.0 if i == 0 else amounts[i] / np.median(amounts[:i])
        assert h["amount_to_median"][i] == pytest.approx(want)
    assert (np.round(table["amount"], 2) == table["amount"]).all()
    assert (table["amount"] >= 0.01).all()
    assert (table["hour"] == table["timestamp"].dt.hour).all()


def test_exact_fraud_count_and_labels(table):
    assert int(table["is_fraud"].sum()) == 300
    assert ((table["typology"] == "legit") == ~table["is_fraud"]).all()
    assert set(table.loc[table["is_fraud"], "typology"].unique()) <= set(TYPOLOGIES)


def test_legit_behaviour_is_per_account_not_noise(table):
    legit = table[~table["is_fraud"]]
    # recurring merchants: most legit spend is at merchants the account has used before
    assert legit["is_new_merchant"].mean() < 0.5
    # a home country: abroad is rare for legit rows, common for fraud
    assert legit["is_new_country"].mean() < 0.05
    # spending level differs between accounts far more than chance
    by_acc = legit.groupby("account_id")["amount"].median()
    assert by_acc.quantile(0.9) / by_acc.quantile(0.1) > 2.0
    # a diurnal pattern: night hours are quiet
    share = legit["hour"].value_counts(normalize=True)
    assert share.loc[[2, 3, 4]].sum() < share.loc[[12, 13, 14]].sum() / 3


def test_fraud_stands_out_at_severity_0_and_hides_at_1():
    def gap(sev):
        df = simulate_transactions(
            20_000,
            fraud_rate=0.02,
            random_state=3,
            severity=sev,
            typologies=["card_testing", "high_value_outlier"],
            progress=False,
        )
        # distance from the account's usual ticket, either way (tiny test charges, huge outliers)
        dev = np.abs(np.log(df["amount_to_median"]))
        return dev[df["is_fraud"]].median() - dev[~df["is_fraud"]].median()

    assert gap(1.0) < gap(0.0) / 2


def test_same_seed_same_bytes_and_tiny_rates():
    a = simulate_transactions(3_000, fraud_rate=0.001, random_state=11, progress=False)
    b = simulate_transactions(3_000, fraud_rate=0.001, random_state=11, progress=False)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_transactions(3_000, fraud_rate=0.001, random_state=12, progress=False)
    assert not a["amount"].equals(c["amount"])
    low = simulate_transactions(20_000, fraud_rate=0.0001, random_state=0, progress=False)
    assert int(low["is_fraud"].sum()) == 2


def test_blocks_are_independent_of_the_rest_of_the_run():
    """Block b depends only on the root seed and b: a chunked run reproduces it."""
    from edgecase._random import block_rngs

    seed = as_seed_sequence(5)
    typs, _ = _mix(None, 0.0)
    events = (np.array([0, 0, 2, 5]), np.array([9, 14, 6, 20]))
    whole = [
        _simulate_block(r, i * 1000, 1000, 40_000, events, typs, 90)[0]
        for i, r in enumerate(block_rngs(seed, 0, 3))
    ]
    part = _simulate_block(block_rngs(seed, 2, 1)[0], 2000, 1000, 40_000, events, typs, 90)[0]
    for k in part:
        np.testing.assert_array_equal(part[k], whole[2][k])


def test_largest_remainder_is_exact():
    w = np.random.default_rng(0).lognormal(size=37)
    counts = _largest_remainder(1001, w)
    assert counts.sum() == 1001 and (counts >= 0).all()


def test_split_features(table):
    X, y = split_features(table)
    assert list(X.columns) == FEATURE_COLUMNS
    assert y.name == "is_fraud" and y.dtype == np.int8
    X.iloc[0, 0] = -1.0
    assert table["amount"].iloc[0] != -1.0  # a copy


def test_parameter_errors():
    with pytest.raises(InvalidParameterError, match="fraud_rate"):
        simulate_transactions(100, fraud_rate=0.9, progress=False)
    with pytest.raises(InvalidParameterError, match="n_accounts"):
        simulate_transactions(100, n_accounts=0, progress=False)
    with pytest.raises(UnknownNameError, match="card_testing"):
        simulate_transactions(100, typologies=["card_testin"], progress=False)


def test_amount_to_median_matches_a_direct_computation_on_consecutive_accounts(table):
    # 200 accounts in a row (and so 199 boundaries between their windows)
    first = table["account_id"].drop_duplicates().sort_values().iloc[:200]
    for _, h in table[table["account_id"].isin(first)].groupby("account_id"):
        a = h["amount"].to_numpy()
        want = np.r_[1.0, [a[i] / np.median(a[:i]) for i in range(1, len(a))]]
        np.testing.assert_allclose(h["amount_to_median"].to_numpy(), want, rtol=1e-12)


def test_first_seen_flags_match_a_direct_computation():
    from edgecase.fraud.simulate import _first_seen

    rng = np.random.default_rng(4)
    acct = np.sort(rng.integers(0, 40, 2_000))
    v = rng.integers(0, 12, 2_000)
    ka, kv = rng.integers(0, 40, 60), rng.integers(0, 12, 60)
    seen = set(zip(ka.tolist(), kv.tolist(), strict=True))
    want = []
    for pair in zip(acct.tolist(), v.tolist(), strict=True):
        want.append(pair not in seen)
        seen.add(pair)
    np.testing.assert_array_equal(_first_seen(acct, v, ka, kv), np.array(want))
