"""Labels as a bank sees them: episodes, declines, blocked cards, late confirmations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.errors import InvalidInputError
from edgecase.fraud import TYPOLOGIES, simulate_transactions, split_features
from edgecase.fraud.typologies import get_typology


@pytest.fixture(scope="module")
def table():
    return simulate_transactions(200_000, fraud_rate=0.002, random_state=3, progress=False)


def test_typology_weights_are_row_shares_and_every_typology_is_present(table):
    fraud = table[table["is_fraud"]]
    assert len(fraud) == 400
    assert set(fraud["typology"].astype(str)) == set(TYPOLOGIES)
    weights = {"card_testing": 3.0, "bust_out": 1.0}
    df = simulate_transactions(
        40_000, fraud_rate=0.01, typologies=weights, random_state=0, progress=False
    )
    counts = df.loc[df["is_fraud"], "typology"].value_counts()
    # 400 fraud rows in one block of 1,000 accounts: exactly 3:1 by rows
    assert counts["card_testing"] == 300 and counts["bust_out"] == 100


def test_event_ids_are_victim_episodes(table):
    fraud = table[table["is_fraud"]]
    assert (table.loc[~table["is_fraud"], "event_id"] == -1).all()
    assert (fraud["event_id"] >= 0).all()
    per_event = fraud.groupby("event_id").agg(
        accounts=("account_id", "nunique"), typologies=("typology", "nunique")
    )
    assert (per_event["accounts"] == 1).all() and (per_event["typologies"] == 1).all()
    # multi-row episodes exist, and merchant compromise gives every victim its own episode
    assert per_event.shape[0] < len(fraud)
    mc = fraud[fraud["typology"] == "merchant_compromise"]
    assert mc["event_id"].is_unique


def test_event_ids_survive_chunking():
    a = simulate_transactions(6_000, 3_000, fraud_rate=0.02, random_state=1, chunk_size=1_000,
                              progress=False)  # fmt: skip
    b = simulate_transactions(6_000, 3_000, fraud_rate=0.02, random_state=1, chunk_size=2_000,
                              progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(a, b)
    f = a[a["is_fraud"]]
    assert f.groupby("event_id")["account_id"].nunique().max() == 1


def test_card_testing_triggers_declines(table):
    share = table.groupby("typology", observed=True)["status"].apply(
        lambda s: (s == "declined").mean()
    )
    assert share["card_testing"] > 0.3
    assert 0.005 < share["legit"] < 0.05
    assert set(table["status"].cat.categories) == {"approved", "declined"}


def test_no_row_on_a_card_after_its_block(table):
    fraud = table[table["is_fraud"]]
    # a card is blocked when a fraud episode on it is confirmed
    blocks = fraud.groupby("event_id").agg(card=("card_id", "first"), at=("label_time", "first"))
    last_use = table.groupby("card_id")["timestamp"].max()
    assert (last_use.loc[blocks["card"]].to_numpy() < blocks["at"].to_numpy()).all()
    # the holder gets a new card: later rows exist on the account's next card
    reissued = table[table["card_id"] % 64 > 0]
    assert len(reissued) > 0
    assert (table["card_id"] // 64 == table["account_id"]).all()


def test_label_delay_is_days_to_weeks_and_typology_dependent(table):
    fraud = table[table["is_fraud"]]
    assert table.loc[~table["is_fraud"], "label_time"].isna().all()
    delay = (fraud["label_time"] - fraud["timestamp"]).dt.total_seconds() / 86_400
    assert (delay > 0).all()
    med = delay.groupby(fraud["typology"], observed=True).median()
    assert 1 < med.min() and med.max() < 90
    assert med["bust_out"] > 3 * med["cash_out"]
    # large-sample check against the declared median delay (lognormal, from the event's end)
    typ = get_typology("bust_out")
    d = typ.label_delays(np.random.default_rng(0), 20_000) / 86_400
    assert np.median(d) == pytest.approx(typ.label_delay_days, rel=0.03)


def test_split_features_with_labels_known_by_a_cutoff(table):
    cut = table["timestamp"].quantile(0.6)
    part = table[table["timestamp"] <= cut]
    X, y = split_features(part, known_by=cut)
    X_all, y_all = split_features(part)
    assert X.equals(X_all)
    known = part["is_fraud"] & (part["label_time"] <= cut)
    assert (y.to_numpy() == known.to_numpy()).all()
    assert 0 < y.sum() < y_all.sum()  # recent fraud is not confirmed yet
    with pytest.raises(InvalidInputError, match="known_by"):
        split_features(table, known_by=cut)
