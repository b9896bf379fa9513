"""harden's outlier exposure (OUTLIERS > 0): rows from the legitimate training rows' marginals."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from edgecase.errors import InvalidParameterError
from edgecase.fraud import MUTABLE_COLUMNS, simulate_transactions, split_features
from edgecase.fraud.mutable import DERIVED_COLUMNS
from edgecase.fraud.relations import find_relations, violations
from edgecase.train import harden
from edgecase.train._harden_steps import marginal_rows

from .conftest import small_trainer

harden_module = importlib.import_module("edgecase.train.harden")


@pytest.fixture(scope="module")
def sim():
    X, y = split_features(
        simulate_transactions(5_000, fraud_rate=0.03, random_state=4, progress=False)
    )
    return X, y.to_numpy()


def test_marginal_rows_take_legit_values_per_column_keep_types_and_relations(sim):
    X, y = sim
    rel = find_relations(X, list(MUTABLE_COLUMNS), DERIVED_COLUMNS)
    out = marginal_rows(X, y == 0, 20_000, rel, np.random.default_rng(0))
    assert len(out) == 20_000 and list(out.columns) == list(X.columns)
    assert out.dtypes.to_dict() == X.dtypes.to_dict()
    assert not violations(out, rel).any()
    legit, fraud_only = X[y == 0], X[y == 1]
    for c in X.columns:
        if c in rel.derived:
            continue
        values = set(out[c])
        assert values <= set(legit[c]), c
        # fraud's own amounts (values no legitimate row has) never appear
        assert not values & (set(fraud_only[c]) - set(legit[c])), c
    # the derived ratio follows its source with a legitimate donor's ratio
    src = rel.proportional["amount_to_median"]
    implied = out[src] / out["amount_to_median"]
    legit_ratio = set(np.round(legit[src] / legit["amount_to_median"], 6))
    assert np.isin(np.round(implied[out[src] > 0], 6), list(legit_ratio)).mean() > 0.99


def test_marginal_rows_break_the_joint_profile():
    # known truth: columns drawn independently have correlation 0 (sd about 0.007 at
    # 20,000 rows) and, being continuous, form a real row's pair only when both draws hit
    # the same row: 20,000 / 2,000 = 10 expected (a row copier would give 20,000)
    rng = np.random.default_rng(1)
    a = rng.normal(size=3_000)
    X = pd.DataFrame({"a": a, "b": a + 0.1 * rng.normal(size=3_000)})
    legit = np.arange(3_000) < 2_000
    out = marginal_rows(X, legit, 20_000, find_relations(X, [], {}), np.random.default_rng(0))
    assert np.corrcoef(X["a"], X["b"])[0, 1] > 0.99
    assert abs(np.corrcoef(out["a"], out["b"])[0, 1]) < 0.03
    real = set(map(tuple, X[legit].to_numpy()))
    hits = sum(tuple(p) in real for p in out.to_numpy())
    assert 1 <= hits <= 30
    assert set(out["a"]) <= set(X["a"][legit])


def test_marginal_rows_are_seeded_and_empty_without_legit_rows(sim):
    X, y = sim
    rel = find_relations(X, list(MUTABLE_COLUMNS), DERIVED_COLUMNS)
    one = marginal_rows(X, y == 0, 50, rel, np.random.default_rng(3))
    pd.testing.assert_frame_equal(one, marginal_rows(X, y == 0, 50, rel, np.random.default_rng(3)))
    assert len(marginal_rows(X, np.zeros(len(y), bool), 50, rel, np.random.default_rng(3))) == 0


@pytest.fixture(scope="module")
def outlier_run(sim):
    X, y = sim
    seen = []
    mp = pytest.MonkeyPatch()
    mp.setattr(harden_module, "OUTLIERS", 1.0)
    real_quality = harden_module._quality
    mp.setattr(
        harden_module,
        "_quality",
        lambda new, d, rng: seen.append(len(new)) or real_quality(new, d, rng),
    )
    try:
        res = harden(
            small_trainer(), X, y, mutable=MUTABLE_COLUMNS, rounds=2, guard=False,
            random_state=0, progress=False,
        )  # fmt: skip
    finally:
        mp.undo()
    return X, y, res, seen


def test_outlier_rows_come_from_legit_training_rows_only(outlier_run):
    X, y, res, _ = outlier_run
    v = res.variations
    out = v[v["origin"] == "outlier"]
    assert len(out) > 0 and (out["source"] == -1).all()
    train_legit = X.iloc[res.train_index][y[res.train_index] == 0]
    valid_only = set(X.iloc[res.valid_index]["distance_from_home_km"]) - set(
        X.iloc[res.train_index]["distance_from_home_km"]
    )
    assert valid_only  # continuous: most validation values exist nowhere else
    for c in ["amount", "distance_from_home_km", "hour", "merchant_category"]:
        assert set(out[c]) <= set(train_legit[c]), c
    assert not set(out["distance_from_home_km"]) & valid_only


def test_outliers_per_round_history_and_quality_reads_variations_only(outlier_run):
    _, _, res, seen = outlier_run
    v, h = res.variations, res.history.set_index("round")
    for r in (1, 2):
        part = v[v["round"] == r]
        n_adv = int((part["origin"] == "adversarial").sum())
        n_out = int((part["origin"] == "outlier").sum())
        assert n_out == n_adv > 0  # OUTLIERS = 1: one per adversarial variation
        assert h.loc[r, "n_outlier"] == n_out
        assert h.loc[r, "outlier_share"] == pytest.approx(n_out / len(part))
        assert seen[r - 1] == len(part) - n_out  # the quality check never saw the outliers


def test_no_outliers_by_default_and_zero_changes_nothing(sim):
    X, y = sim
    assert harden_module.OUTLIERS == 0
    kw = dict(mutable=MUTABLE_COLUMNS, rounds=1, guard=False, random_state=0, progress=False)
    res = harden(small_trainer(), X, y, **kw)
    assert (res.variations["origin"] != "outlier").all()
    assert res.history["n_outlier"].iloc[1] == 0


@pytest.mark.parametrize("bad", [-1.0, "1", True, float("nan")])
def test_bad_outliers_setting_names_it(sim, bad, monkeypatch):
    X, y = sim
    monkeypatch.setattr(harden_module, "OUTLIERS", bad)
    with pytest.raises(InvalidParameterError, match="OUTLIERS"):
        harden(
            small_trainer(), X, y, mutable=MUTABLE_COLUMNS, rounds=1, random_state=0, progress=False
        )
