"""The regime chain's table count of cut points is searchsorted's, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from edgecase.market import MarkovSwitching
from edgecase.market.process.regimes import _CutCounter


def _adversarial(cuts: np.ndarray, g: int) -> np.ndarray:
    edges = np.arange(g + 1) / g
    x = np.concatenate(
        [cuts, np.nextafter(cuts, 0), np.nextafter(cuts, 1), edges, np.nextafter(edges, 0)]
    )
    return x[(x >= 0) & (x < 1)]


@pytest.mark.parametrize(
    "cuts",
    [
        np.array([0.3]),
        np.array([1e-9, 0.25, 0.25 + 1e-12, 0.5, 0.999999]),  # several cuts in one bucket
        np.arange(1, _CutCounter.G) / _CutCounter.G,  # a cut on every bucket edge
        np.sort(np.random.default_rng(0).random(60)),
        np.array([0.1, 1.0]),  # a row ending in zeros: a cut at 1
    ],
)
def test_cut_counter_is_searchsorted(cuts):
    cc = _CutCounter(cuts)
    u = np.random.default_rng(1).random((50, 40))
    for x in (u, _adversarial(cuts, cc.G)):
        want = np.searchsorted(cuts, x, side="right")
        got = cc.count(x)
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_chain_states_follow_the_transition_matrix():
    p = np.array([[0.9, 0.1, 0.0], [0.05, 0.9, 0.05], [0.0, 0.2, 0.8]])
    ms = MarkovSwitching(p, [0.5, 1.0, 3.0])
    s = ms.simulate_states(np.random.default_rng(2), 400, 2000).astype(int)
    counts = np.zeros((3, 3))
    np.add.at(counts, (s[:-1].ravel(), s[1:].ravel()), 1)
    est = counts / counts.sum(axis=1, keepdims=True)
    se = np.sqrt(p * (1 - p) / counts.sum(axis=1, keepdims=True))
    assert (np.abs(est - p) <= 5 * se + 1e-12).all()
