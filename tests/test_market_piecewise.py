"""The piece-by-piece draws (cache-sized buffers) give exactly the whole-array results."""

from __future__ import annotations

import numpy as np
import pytest

from edgecase.market import MarkovSwitching, SkewT
from edgecase.market.process._polar_t import standard_t
from edgecase.market.process._scratch import PIECE


def _direct_chain(ms: MarkovSwitching, rng: np.random.Generator, n_steps: int, n: int):
    """The chain by its definition: the next state counts the row's cut points <= u."""
    u0 = rng.random(n)
    u = rng.random((n_steps, n))
    cum0 = np.cumsum(ms.initial)
    cum0[-1] = 1.0
    s = np.empty((n_steps, n), dtype=np.int8)
    s[0] = np.searchsorted(cum0, u0, side="right")
    for t in range(1, n_steps):
        s[t] = (ms._cum[s[t - 1]][:, :-1] <= u[t - 1][:, None]).sum(axis=1)
    return s


@pytest.mark.parametrize(("n_steps", "n"), [(1, 5), (77, 7), (40, 1000), (3, PIECE + 3)])
def test_regime_states_are_the_direct_chain(n_steps, n):
    p = np.array(
        [[0.9, 0.05, 0.05, 0.0], [0.1, 0.8, 0.05, 0.05], [0.2, 0.2, 0.5, 0.1], [0.0, 0.3, 0.3, 0.4]]
    )
    ms = MarkovSwitching(p, [0.5, 1.0, 2.0, 4.0], initial=[0.1, 0.2, 0.3, 0.4])
    got = ms.simulate_states(np.random.default_rng(3), n_steps, n)
    want = _direct_chain(ms, np.random.default_rng(3), n_steps, n)
    assert got.dtype == np.int8 and np.array_equal(got, want)


@pytest.mark.parametrize("size", [(3,), (252, 1000), (PIECE + 5,)])
def test_skew_t_draw_is_its_two_piece_formula(size):
    nu, lam = 6.5, -0.2
    sk = SkewT(nu, lam)
    got = sk.sampler(np.random.default_rng(8))(size)
    rng = np.random.default_rng(8)
    scale = np.sqrt((nu - 2.0) / nu)
    t = standard_t(rng, nu, size, scale / sk._b)
    left = rng.random(size) < (1.0 - lam) / 2.0
    want = np.where(left, -(1.0 - lam), 1.0 + lam) * np.abs(t) - sk._a / sk._b
    assert got.shape == size and np.array_equal(got, want)
