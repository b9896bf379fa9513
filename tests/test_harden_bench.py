"""The hardening benchmark's bookkeeping: resuming, the oracle's populations, the intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmarks import bench_harden as bh


class _Const:
    """A stand-in model: the score is a row's amount (no fitting)."""

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        s = X["amount"].to_numpy(dtype=float)
        s = (s - s.min()) / (np.ptp(s) or 1.0)
        return np.column_stack([1 - s, s])


def test_oracle_trains_on_fresh_populations_of_the_held_out_typology(monkeypatch):
    calls = []
    real = bh._sim

    def spy(n, typologies, severity, seed, rate=bh.FRAUD_RATE):
        calls.append((n, tuple(typologies), severity, seed, rate))
        return real(2_000, typologies, severity, seed, max(rate, 0.02))

    monkeypatch.setattr(bh, "_sim", spy)
    monkeypatch.setattr(bh, "_trainer", lambda seed, sampler=None: _Const())
    rows = bh._loto_one(1, "cash_out", ["oracle"])
    tests = [c for c in calls if c[0] == bh.N_TEST]
    train = [c for c in calls if c[0] == bh.N_TRAIN]
    assert {c[3] for c in tests} == {901}
    # one population per severity: the held-out typology alone, at that severity, at the
    # training sets' size and fraud rate, on a seed no test population uses
    assert [(c[1], c[2], c[4]) for c in train] == [
        (("cash_out",), s, bh.FRAUD_RATE) for s in bh.SEVERITIES
    ]
    test_seeds = {900 + s for s in (*bh.SEEDS, bh.TUNE_SEED)}
    assert len({c[3] for c in train}) == len(bh.SEVERITIES)
    assert not {c[3] for c in train} & test_seeds
    assert [(r["recipe"], r["severity"]) for r in rows] == [("oracle", s) for s in bh.SEVERITIES]


def test_sim_half_runs_only_the_units_not_saved(monkeypatch, tmp_path):
    path = tmp_path / "loto.csv"
    old = [
        {"seed": s, "held_out": t, "recipe": r, "severity": 1.0, "recall@1%": 0.5, "pr_auc": 0.1}
        for t in bh.TYPOLOGIES
        for s in bh.SEEDS
        for r in bh.SIM_RECIPES
        if r != "oracle" and not (t == "bust_out" and s == 2 and r == "harden")
    ]
    pd.DataFrame(old).to_csv(path, index=False)
    ran = []

    def fake(seed, held, recipes):
        ran.append((seed, held, tuple(recipes)))
        return [{**old[0], "seed": seed, "held_out": held, "recipe": r} for r in recipes]

    monkeypatch.setattr(bh, "_LOTO_CSV", str(path))
    monkeypatch.setattr(bh, "_loto_one", fake)
    assert bh._run_sim() == ["harden", "oracle"]
    assert len(ran) == len(bh.TYPOLOGIES) * len(bh.SEEDS)
    assert ran.count((2, "bust_out", ("harden", "oracle"))) == 1
    assert all(r[2] == ("oracle",) for r in ran if r[:2] != (2, "bust_out"))
    saved = pd.read_csv(path)
    pd.testing.assert_frame_equal(saved.iloc[: len(old)], pd.DataFrame(old))
    assert len(saved) == len(old) + len(ran) + 1
    ran.clear()
    bh._run_sim()  # everything saved: nothing runs again
    assert ran == []


def test_paired_interval_is_the_paired_t_interval():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.3, 0.05, 5), rng.normal(0.1, 0.05, 5)
    df = pd.DataFrame(
        {"recipe": ["oracle"] * 5 + ["none"] * 5, "seed": [*range(5)] * 2, "k": 1.0}
    ).assign(m=np.r_[a, b])
    r = bh._paired(df, ["k"], "m").set_index("recipe").loc["oracle"]
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert r["diff"] == pytest.approx(np.mean(a - b))
    assert (r["lo"], r["hi"]) == pytest.approx((ci.low, ci.high))


@pytest.mark.parametrize(
    ("lo", "diff", "hi", "word"),
    [
        (0.2, 0.3, 0.4, "**below** the headroom (beyond"),
        (-0.1, 0.05, 0.08, "**above** the headroom (beyond"),
        (-0.1, 0.25, 0.6, "below the headroom's mean but inside"),
        (0.0, 0.05, 0.2, "above the headroom's mean but inside"),
    ],
)
def test_target_is_placed_against_the_headroom_interval(lo, diff, hi, word):
    assert word in bh._vs_target(pd.Series({"lo": lo, "diff": diff, "hi": hi}))
