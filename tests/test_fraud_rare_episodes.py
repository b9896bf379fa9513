"""Fraud episodes keep their typology's size at any fraud rate (the plan deals whole events).

Known truth: a typology's own event-size distribution (``Typology.event_sizes``, drawn in
bulk). At one fraud row in 10,000 a block of 1,000 accounts holds ~4 fraud rows, fewer
than one card-testing burst, so a per-block budget would cut every episode to a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from edgecase._random import as_seed_sequence
from edgecase.errors import InvalidParameterError
from edgecase.fraud import simulate_transactions
from edgecase.fraud.simulate import _largest_remainder, _mix, _plan
from edgecase.fraud.typologies import CardTesting

TYPS, P = _mix(None, 0.0)
# 2M rows, 40 per account: 50 blocks; 200 fraud rows at 1e-4 (4 per block on average)
N, N_ACC = 2_000_000, 50_000


def _planned_sizes(rate: float, seeds: range) -> pd.DataFrame:
    parts = []
    for s in seeds:
        plan = _plan(N, N_ACC, rate, as_seed_sequence(s), TYPS, P)
        parts.append(pd.DataFrame({"typ": plan["event_typology"], "size": plan["event_size"]}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def sizes():
    return {"rare": _planned_sizes(1e-4, range(100)), "default": _planned_sizes(0.002, range(20))}


@pytest.mark.parametrize("j", range(len(TYPS)))
def test_event_sizes_at_1e4_match_the_default_rate_and_the_typology(sizes, j):
    typ = TYPS[j]
    truth = typ.event_sizes(np.random.default_rng(0), 200_000)
    truth = np.minimum(truth, 1_000) if typ.multi_victim else truth
    rare = sizes["rare"].loc[lambda d: d["typ"] == j, "size"].to_numpy()
    default = sizes["default"].loc[lambda d: d["typ"] == j, "size"].to_numpy()
    assert rare.shape[0] >= 150 and default.shape[0] >= 150
    for got in (rare, default):
        # within 12% of the typology's own mean and median (whole events, not rows)
        assert abs(got.mean() / truth.mean() - 1) < 0.12, (typ.name, got.mean(), truth.mean())
        assert abs(np.median(got) - np.median(truth)) <= max(1.0, 0.12 * np.median(truth)), typ.name
    budget = _largest_remainder(round(N * 1e-4), P)[j]
    if truth.min() < truth.max() and budget >= 3 * truth.mean():
        # a budget of ~2 events (velocity bursts: 30 rows of 6..25) can only be met exactly
        # by the pairs and triples that sum to it, which shifts the sizes ~10% down
        assert stats.mannwhitneyu(rare, default).pvalue > 1e-3, typ.name
    if truth.min() < truth.max():
        # nearly no cut events: sizes stay in the typology's support
        assert np.mean(rare < truth.min()) < 0.02, typ.name


def test_simulated_episodes_are_the_planned_whole_events():
    """End to end at 1e-4 over 40 blocks: rows per episode are the plan's event sizes."""
    n, n_acc, rate, seed = 400_000, 40_000, 1e-4, 3
    df = simulate_transactions(n, n_acc, fraud_rate=rate, random_state=seed, progress=False)
    plan = _plan(n, n_acc, rate, as_seed_sequence(seed), TYPS, P)
    fraud = df[df["is_fraud"]]
    assert len(fraud) == round(n * rate) == int(plan["event_size"].sum())
    got = fraud.groupby("event_id").agg(typ=("typology", "first"), rows=("amount", "size"))
    for j, typ in enumerate(TYPS):
        planned = plan["event_size"][plan["event_typology"] == j]
        mine = got.loc[got["typ"] == typ.name, "rows"].to_numpy()
        if typ.multi_victim:  # one episode (one row) per victim account
            assert mine.sum() == planned.sum() and (mine == 1).all()
        else:
            assert sorted(mine) == sorted(planned), typ.name
    # the old per-block plan gave card testing one-row episodes here
    assert got.loc[got["typ"] == "card_testing", "rows"].min() > 1


@pytest.mark.parametrize(
    ("n", "n_acc", "rate"),
    [(2_000_000, 50_000, 1e-4), (123_457, 4_321, 0.0123), (30_000, 3_000, 1e-5), (5_000, 999, 0.5)],
)
def test_total_and_typology_rows_are_exact(n, n_acc, rate):
    plan = _plan(n, n_acc, rate, as_seed_sequence(1), TYPS, P)
    n_fraud = round(n * rate)
    assert plan["fraud_per_block"].sum() == n_fraud
    per_typ = np.bincount(plan["event_typology"], plan["event_size"], minlength=len(TYPS))
    np.testing.assert_array_equal(per_typ, _largest_remainder(n_fraud, P))
    assert (plan["fraud_per_block"] <= plan["rows_per_block"]).all()
    off = plan["event_offsets"]
    assert off[0] == 0 and off[-1] == plan["event_size"].shape[0]


def test_tiny_last_block_gets_only_what_fits():
    """1,003 accounts: the last block has 3 accounts and 3 rows; events move off it."""
    plan = _plan(1_003, 1_003, 0.4, as_seed_sequence(0), TYPS, P)
    assert plan["fraud_per_block"].sum() == 401
    assert (plan["fraud_per_block"] <= plan["rows_per_block"]).all()
    last = slice(plan["event_offsets"][1], plan["event_offsets"][2])
    multi = np.array([t.multi_victim for t in TYPS])[plan["event_typology"][last]]
    assert (plan["event_size"][last][multi] <= 3).all()


class _HugeEvents(CardTesting):
    def event_sizes(self, rng, n_events):
        return np.full(n_events, 2_000)


def test_no_block_with_room_is_a_clear_error():
    """Events of 2,000 rows, blocks of 1,000 rows: no block can hold an event."""
    with pytest.raises(InvalidParameterError, match="fraud_rate"):
        _plan(20_000, 20_000, 0.5, as_seed_sequence(0), [_HugeEvents()], np.array([1.0]))


def test_rare_plan_is_chunk_invariant():
    kw = {"n_accounts": 5_000, "fraud_rate": 1e-3, "random_state": 8, "progress": False}
    a = simulate_transactions(50_000, chunk_size=1_000, **kw)
    b = simulate_transactions(50_000, chunk_size=3_000, **kw)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    one = simulate_transactions(50_000, **kw)
    key = ["timestamp", "account_id"]
    a = a.sort_values(key).drop(columns="transaction_id").reset_index(drop=True)
    one = one.sort_values(key).drop(columns="transaction_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, one, check_exact=True)
    # 50 fraud rows, ~1 per block: fewer blocks hold fraud, each whole episodes
    per_block = a[a["is_fraud"]].groupby(a["account_id"] // 1_000).size()
    assert per_block.sum() == 50 and len(per_block) <= 5
