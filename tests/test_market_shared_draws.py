"""Shared base draws: a sweep with one seed gives the bytes of separate calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.market import BlackSwanGenerator


@pytest.fixture(scope="module")
def gen():
    fr = pd.DataFrame({n: load_market(n)["log_return"] for n in ["sp500", "wti"]}).dropna()
    return BlackSwanGenerator.from_returns(fr.iloc[-1500:])


CASES = [("base", 0.0), ("crash", 1.0), ("correlation_breakdown", 1.0), ("flash_crash", 0.5),
         ("liquidity_gap", 1.0), ("vol_spike", 1.5)]  # fmt: skip


def test_shared_sweep_has_the_bytes_of_separate_calls(gen, monkeypatch):
    # severity 1 is sized once here, so the comparison below runs nothing else
    gen.scenario("crash").total_depth, gen.scenario("vol_spike").multiplier
    alone = [gen.generate(2500, 30, s, v, 7).returns for s, v in CASES]
    proc = gen.process_at("last")
    calls = []
    draw = proc._base_draws
    monkeypatch.setattr(proc, "_base_draws", lambda *a: calls.append(1) or draw(*a))
    with gen.shared_draws():
        shared = [gen.generate(2500, 30, s, v, 7).returns for s, v in CASES]
        again = gen.generate(2500, 30, "crash", 1.0, 8).returns  # another seed: fresh draws
    for a, b in zip(alone, shared, strict=True):
        assert a.tobytes() == b.tobytes()
    # 3 blocks drawn once for all six scenarios (the correlation breakdown's push draws
    # from its own stream on top of them), 3 for the other seed
    assert len(calls) == 6
    assert proc._shared is None  # released on leaving
    assert not np.array_equal(again, shared[1])


def test_correlation_breakdown_leaves_the_steps_before_its_window_alone(gen):
    base = gen.generate(1000, 252, "base", 0.0, 3).returns
    hit = gen.generate(1000, 252, "correlation_breakdown", 2.0, 3).returns
    # on 252 days windows open at day 25 at the earliest: the days before are the base's
    assert np.array_equal(hit[:, :25], base[:, :25])
    # and each path agrees until its window opens, then parts (a different stress)
    same = (hit == base).all(axis=2).mean(axis=0)
    assert same[25] > 0.9 and same[-1] < 0.05
