"""FraudScenarioGenerator's severity moves only what a fraudster controls and keeps the data's
exact relations (page-blocks' Area = Height x Length, the simulator's amount_to_median)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_keel
from edgecase.errors import InvalidInputError
from edgecase.fraud import (
    MUTABLE_COLUMNS,
    FraudScenarioGenerator,
    simulate_transactions,
    split_features,
)


@pytest.fixture(scope="module")
def sim():
    return split_features(
        simulate_transactions(6_000, fraud_rate=0.05, random_state=4, progress=False)
    )


@pytest.fixture(scope="module")
def sim_gen(sim):
    return FraudScenarioGenerator().fit(*sim)


def test_page_blocks_area_identity_holds_in_generated_rows():
    X, y = load_keel("page-blocks0")
    assert np.isclose(X["Height"] * X["Lenght"], X["Area"]).mean() > 0.99  # the data's truth
    gen = FraudScenarioGenerator().fit(X, y)
    assert ("Area", "product", "Height", "Lenght") in gen.relations_.identities
    assert "Area" not in gen.mutable_  # derived: recomputed, never moved on its own
    for sev in (0.0, 1.0, 3.0):
        out = gen.generate(1_000, severity=sev, random_state=1)
        assert np.isclose(out["Height"] * out["Lenght"], out["Area"]).mean() >= 0.99
        assert gen.schema_.check(out).ok


def test_simulator_amount_to_median_keeps_its_base_rows_median(sim, sim_gen):
    X, _ = sim
    out = sim_gen.generate(1_000, severity=1.0, random_state=2)
    base = X.iloc[sim_gen.parents_[:, 0]].reset_index(drop=True)
    median_base = base["amount"] / base["amount_to_median"]
    median_new = out["amount"] / out["amount_to_median"]
    assert np.isclose(median_new, median_base, rtol=1e-6).mean() >= 0.99
    assert (out["txn_count_1h"] <= out["txn_count_24h"]).all()


def test_severity_moves_only_mutable_columns_in_their_directions(sim, sim_gen):
    # the same seed draws the same interpolation; severity only adds the fraudster's move
    g0 = sim_gen.generate(800, severity=0.0, random_state=3)
    g1 = sim_gen.generate(800, severity=1.0, random_state=3)
    assert sim_gen.mutable_ == MUTABLE_COLUMNS
    fixed = [c for c in g0.columns if c not in MUTABLE_COLUMNS and c != "amount_to_median"]
    pd.testing.assert_frame_equal(g0[fixed], g1[fixed])
    for c, d in MUTABLE_COLUMNS.items():
        if d == "down":
            assert (g1[c].astype(float) <= g0[c].astype(float) + 1e-9).all(), c
    moved = (g1["amount"] < g0["amount"]).mean()
    assert moved > 0.3  # it does move toward the legit rows


def test_declared_mutable_columns_and_errors():
    X, y = load_keel("page-blocks0")
    gen = FraudScenarioGenerator(mutable={"Height": "down"}).fit(X, y)
    g0 = gen.generate(500, severity=0.0, random_state=0)
    g1 = gen.generate(500, severity=2.0, random_state=0)
    rest = [c for c in X.columns if c not in ("Height", "Area")]
    # a row whose recomputed Area leaves Area's range keeps its base row's related columns
    same = (g0[rest] == g1[rest]).all(axis=1)
    assert same.mean() >= 0.98
    assert (g1.loc[same, "Height"] <= g0.loc[same, "Height"]).all()
    assert (g1["Height"] < g0["Height"]).mean() > 0.2
    with pytest.raises(InvalidInputError, match="nope"):
        FraudScenarioGenerator(mutable=["nope"]).fit(X, y)


def test_detection_auc_tells_legit_from_fraud_but_less_so_held_out_fraud():
    X, y = load_keel("page-blocks0")
    rng = np.random.default_rng(0)
    hold = rng.random(len(y)) < 0.3
    gen = FraudScenarioGenerator().fit(X[~hold], y[~hold])
    auc_legit = gen.detection_auc(X[hold & (y == 0)], severity=0.0)
    auc_fraud = gen.detection_auc(X[hold & (y == 1)], severity=0.0)
    assert auc_legit > 0.95  # page-blocks' positives are far from its negatives
    assert auc_fraud < auc_legit - 0.05
    with pytest.raises(InvalidInputError, match="columns"):
        gen.detection_auc(X[hold].iloc[:, :3])
