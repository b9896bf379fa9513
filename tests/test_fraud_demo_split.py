"""The demo's fraud data: enough test fraud to read recall from, every typology in training.

The full demo's split is built at full size (a few seconds of simulation, no training),
so its counts are checked without running the demo.
"""

from __future__ import annotations

import pytest

from edgecase.demo import FULL, QUICK, demo_data
from edgecase.fraud import TYPOLOGIES


@pytest.fixture(scope="module")
def full():
    return demo_data(FULL, seed=0)


def test_full_demo_test_set_holds_2000_fraud_rows_from_300_events(full):
    y_te = full["y_test"]
    assert int(y_te.sum()) >= 2000
    assert full["test_events"] >= 300
    # the split is by time and the sizes are as the parameters say
    assert len(y_te) == pytest.approx(FULL["test_share"] * FULL["n_transactions"], rel=0.01)
    n_fraud = int(full["y_train"].sum() + y_te.sum())
    assert n_fraud == round(FULL["n_transactions"] * FULL["fraud_rate"])


@pytest.mark.parametrize("size", ["full", "quick"])
def test_every_typology_is_in_training(full, size):
    data = full if size == "full" else demo_data(QUICK, seed=0)
    assert data["train_typologies"] == sorted(TYPOLOGIES)
    assert data["y_train"].sum() > 0 and data["y_test"].sum() > 0


def test_train_part_is_before_the_test_part():
    from edgecase.fraud import simulate_transactions

    d = demo_data(QUICK, seed=1)
    df = simulate_transactions(
        QUICK["n_transactions"], fraud_rate=QUICK["fraud_rate"], random_state=1, progress=False
    )
    # same rows, same order: the first rows (in time) train, the rest test
    n_tr = len(d["y_train"])
    assert df["is_fraud"].iloc[:n_tr].astype(int).tolist() == d["y_train"].astype(int).tolist()
    assert df["timestamp"].iloc[:n_tr].max() <= df["timestamp"].iloc[n_tr:].min()
