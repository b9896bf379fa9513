"""Hypothesis strategies for valid market process parameters and small path sets.

Used by edgecase's property tests and offered to users for their own tests
(the lead re-exports them from :mod:`edgecase.strategies`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from edgecase.market.paths import Paths
from edgecase.market.process import (
    GaussianCopula,
    MarkovSwitching,
    Process,
    StudentTCopula,
    make_process,
)

__all__ = ["process_params", "processes", "market_paths"]


@st.composite
def process_params(
    draw: Any,
    vol: str | None = None,
    dist: str | None = None,
    jumps: str | None | bool = False,
) -> dict[str, Any]:
    """Keyword arguments for :func:`~edgecase.market.make_process` that are always valid.

    ``vol``/``dist``/``jumps`` fix a part; ``jumps=False`` (default) draws it too.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from edgecase.market import make_process
    >>> @settings(max_examples=5, database=None)
    ... @given(process_params())
    ... def check(kw):
    ...     assert make_process(**kw).simulate(2, 5, random_state=0).returns.shape == (2, 5, 1)
    >>> check()
    """
    vol = vol or draw(st.sampled_from(["constant", "garch", "gjr", "egarch", "heston"]))
    dist = dist or draw(st.sampled_from(["normal", "t", "skewt", "bootstrap"]))
    if jumps is False:
        jumps = draw(st.sampled_from([None, "merton", "kou"]))
    kw: dict[str, Any] = {"vol": vol, "dist": dist, "jumps": jumps}
    kw["mu"] = draw(st.floats(-0.002, 0.002))
    if vol == "constant":
        kw["sigma"] = draw(st.floats(1e-4, 0.08))
    elif vol in ("garch", "gjr"):
        alpha = draw(st.floats(0.0, 0.3))
        gamma = draw(st.floats(0.0, 0.3)) if vol == "gjr" else 0.0
        # E[z^2 1(z<0)] <= E[z^2] = 1 whatever the shocks: stationary for any skew.
        room = 0.999 - alpha - gamma
        beta = draw(st.floats(0.0, max(room, 0.0)))
        kw.update(omega=draw(st.floats(1e-7, 1e-4)), alpha=alpha, beta=beta)
        if vol == "gjr":
            kw["gamma"] = gamma
    elif vol == "egarch":
        beta = draw(st.floats(0.0, 0.995))
        logv = draw(st.floats(-13.0, -5.0))
        kw.update(
            omega=logv * (1 - beta),
            alpha=draw(st.floats(0.0, 0.3)),
            gamma=draw(st.floats(-0.3, 0.1)),
            beta=beta,
        )
    else:
        kw.update(
            scheme=draw(st.sampled_from(["euler", "qe"])),
            kappa=draw(st.floats(0.1, 10.0)),
            theta=draw(st.floats(0.005, 0.5)),
            xi=draw(st.floats(0.0, 1.5)),
            rho=draw(st.floats(-0.95, 0.5)),
        )
    if dist in ("t", "skewt"):
        kw["nu"] = draw(st.floats(2.1, 50.0))
    if dist == "skewt":
        kw["lam"] = draw(st.floats(-0.9, 0.9))
    if dist == "bootstrap":
        seed = draw(st.integers(0, 2**32 - 1))
        kw["residuals"] = np.random.default_rng(seed).standard_t(4, 200)
    if jumps == "merton":
        kw.update(
            intensity=draw(st.floats(0.0, 0.2)),
            jump_mean=draw(st.floats(-0.1, 0.05)),
            jump_std=draw(st.floats(0.0, 0.1)),
        )
    elif jumps == "kou":
        kw.update(
            intensity=draw(st.floats(0.0, 0.2)),
            p_up=draw(st.floats(0.0, 1.0)),
            eta_up=draw(st.floats(5.0, 100.0)),
            eta_down=draw(st.floats(5.0, 100.0)),
        )
    return kw


@st.composite
def processes(draw: Any, n_assets: int | None = None) -> Process:
    """Valid :class:`Process` objects: one asset, or several tied by a copula, with or without
    a Markov regime."""
    d = n_assets or draw(st.integers(1, 3))
    regimes = None
    if draw(st.booleans()):
        p, q = draw(st.floats(0.5, 0.999)), draw(st.floats(0.5, 0.999))
        regimes = MarkovSwitching(
            [[p, 1 - p], [1 - q, q]],
            multipliers=[draw(st.floats(0.2, 1.0)), draw(st.floats(1.0, 6.0))],
        )
    if d == 1:
        kw = draw(process_params())
        return make_process(regimes=regimes, **kw)
    parts = [make_process(**draw(process_params())) for _ in range(d)]
    A = np.asarray(draw(st.lists(st.floats(-1, 1), min_size=d * d, max_size=d * d))).reshape(d, d)
    C = A @ A.T + np.eye(d) * 0.1
    s = 1 / np.sqrt(np.diag(C))
    C = C * s[:, None] * s[None, :]
    np.fill_diagonal(C, 1.0)
    stress = 0.2 * C + 0.8 * np.ones((d, d))
    cop = (
        GaussianCopula(C, stress_corr=stress)
        if draw(st.booleans())
        else StudentTCopula(C, nu=draw(st.floats(2.5, 30.0)), stress_corr=stress)
    )
    legs = [p.asset_parts[0] for p in parts]
    return Process(
        dynamics=[leg.dynamics for leg in legs],
        shocks=[leg.shocks for leg in legs],
        jumps=[leg.jumps for leg in legs],
        mu=[leg.mu for leg in legs],
        regimes=regimes,
        copula=cop,
    )


@st.composite
def market_paths(
    draw: Any,
    n_paths: int | tuple[int, int] = (1, 20),
    n_steps: int | tuple[int, int] = (2, 60),
    n_assets: int | tuple[int, int] = 1,
) -> Paths:
    """Small :class:`Paths` simulated from a random valid process (ints fix a size, tuples
    give a range).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3, database=None)
    ... @given(market_paths(n_paths=4, n_steps=10))
    ... def check(p):
    ...     assert p.returns.shape == (4, 10, 1)
    >>> check()
    """

    def size(v):
        return v if isinstance(v, int) else draw(st.integers(*v))

    proc = draw(processes(n_assets=size(n_assets)))
    return proc.simulate(size(n_paths), size(n_steps), random_state=draw(st.integers(0, 2**32 - 1)))
