"""harden's full-evasion variations (MOVES = "legit"): legitimate training rows' values only."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from edgecase.errors import InvalidParameterError
from edgecase.fraud import MUTABLE_COLUMNS, simulate_transactions, split_features
from edgecase.train import harden

from .conftest import small_trainer

harden_module = importlib.import_module("edgecase.train.harden")


@pytest.fixture(scope="module")
def legit_run():
    X, y = split_features(
        simulate_transactions(5_000, fraud_rate=0.03, random_state=4, progress=False)
    )
    mp = pytest.MonkeyPatch()
    mp.setattr(harden_module, "MOVES", "legit")
    mp.setattr(harden_module, "PER_ROW", 2)
    try:
        res = harden(
            small_trainer(), X, y, mutable=MUTABLE_COLUMNS, rounds=1, guard=False,
            random_state=0, progress=False,
        )  # fmt: skip
    finally:
        mp.undo()
    return X, y.to_numpy(), res


def test_moved_values_come_from_legitimate_training_rows_only(legit_run):
    X, y, res = legit_run
    v = res.variations
    assert len(v) > 0 and (v["origin"] == "adversarial").all()
    src = X.iloc[v["source"].to_numpy()].reset_index(drop=True)
    assert (y[v["source"].to_numpy()] == 1).all()
    feats = v[X.columns].reset_index(drop=True)
    train_legit = X.iloc[res.train_index][y[res.train_index] == 0]
    moved = feats["amount"].to_numpy() != src["amount"].to_numpy()
    assert moved.mean() > 0.3  # fraud amounts are mostly above a legitimate row's
    assert set(feats.loc[moved, "amount"]) <= set(train_legit["amount"])
    # one donor row per copy, from the training part: a moved (hour, distance) pair is a
    # legitimate training row's pair (distance is continuous, so a chance match is rare)
    pair = ["hour", "distance_from_home_km"]
    both = (feats[pair] != src[pair]).all(axis=1).to_numpy()
    assert both.sum() > 20
    got = set(map(tuple, feats.loc[both, pair].to_numpy()))
    assert got <= set(map(tuple, train_legit[pair].to_numpy()))
    # the hour is free in both directions: it takes the donor's hour whenever it differs
    assert (feats["hour"] != src["hour"]).mean() > 0.8
    assert set(feats["hour"]) <= set(train_legit["hour"]) | set(src["hour"])


def test_full_evasion_keeps_directions_types_and_relations(legit_run):
    X, _, res = legit_run
    v = res.variations
    src = X.iloc[v["source"].to_numpy()].reset_index(drop=True)
    feats = v[X.columns].reset_index(drop=True)
    assert (feats.dtypes == X.dtypes).all()
    for c in X.columns:
        if c not in MUTABLE_COLUMNS and c != "amount_to_median":
            assert feats[c].equals(src[c]), c
    for c, d in MUTABLE_COLUMNS.items():
        delta = feats[c].astype(float) - src[c].astype(float)
        if d == "down":
            assert (delta <= 1e-12).all(), c
        elif d == "up":
            assert (delta >= -1e-12).all(), c
    assert (feats["txn_count_1h"] <= feats["txn_count_24h"]).all()
    np.testing.assert_allclose(
        src["amount"] / src["amount_to_median"],
        feats["amount"] / feats["amount_to_median"],
        rtol=1e-9,
    )
    # PER_ROW copies of every caught row, each from its own donor
    counts = v["source"].value_counts()
    assert (counts == 2).all()


def test_unknown_moves_setting_is_refused(monkeypatch):
    X, y = split_features(
        simulate_transactions(2_000, fraud_rate=0.05, random_state=1, progress=False)
    )
    monkeypatch.setattr(harden_module, "MOVES", "teleport")
    with pytest.raises(InvalidParameterError, match="MOVES"):
        harden(small_trainer(), X, y, rounds=1, random_state=0, progress=False)
