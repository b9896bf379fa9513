"""Market regimes: a k-state Markov chain shared by all assets.

:class:`MarkovSwitching` follows :class:`~edgecase.market.process.base.RegimeProcess`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgecase.errors import InvalidParameterError
from edgecase.market.process._checks import as_float_array
from edgecase.market.process._scratch import PIECE, piece
from edgecase.market.process.base import RegimeProcess

__all__ = ["MarkovSwitching", "ParameterDrawChain"]


class MarkovSwitching(RegimeProcess):
    """A k-state Markov chain (k >= 2) that scales the variance and shifts the mean per state.

    Parameters
    ----------
    transition : array (k, k)
        Row-stochastic: ``transition[i, j] = P(s_{t+1} = j | s_t = i)``.
    multipliers : array (k,)
        Variance multiplier per state (> 0). The state with the largest one is
        the *stress* state, where a copula's stress correlation applies.
    means : array (k,), optional
        Extra mean log return per state (default 0).
    initial : array (k,), optional
        Start distribution (default the stationary distribution).

    Examples
    --------
    >>> import numpy as np
    >>> ms = MarkovSwitching([[0.99, 0.01], [0.03, 0.97]], multipliers=[0.6, 3.0])
    >>> ms.stationary.round(2)
    array([0.75, 0.25])
    """

    def __init__(
        self,
        transition: Any,
        multipliers: Any,
        means: Any = None,
        initial: Any = None,
    ) -> None:
        P = as_float_array(transition, "transition", ndim=2)
        k = P.shape[0]
        if P.shape != (k, k) or k < 2:
            raise InvalidParameterError(
                f"transition must be a square (k, k) matrix with k >= 2; got shape {P.shape}."
            )
        if (P < 0).any() or not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
            raise InvalidParameterError(
                "transition must have non-negative rows that each sum to 1 (row-stochastic)."
            )
        m = as_float_array(multipliers, "multipliers", ndim=1)
        if m.shape != (k,) or (m <= 0).any() or (m > 1e4).any():
            raise InvalidParameterError(
                f"multipliers must be {k} positive variance multipliers (<= 1e4); got {m.tolist()}."
            )
        mu = np.zeros(k) if means is None else as_float_array(means, "means", ndim=1)
        if mu.shape != (k,) or (np.abs(mu) > 1).any():
            raise InvalidParameterError(f"means must be {k} numbers in [-1, 1]; got {mu.tolist()}.")
        self.transition = P / P.sum(axis=1, keepdims=True)
        self.multipliers = m
        self.means = mu
        self.k = k
        vals, vecs = np.linalg.eig(self.transition.T)
        pi = np.abs(np.real(vecs[:, np.argmin(np.abs(vals - 1.0))]))
        self.stationary = pi / pi.sum()
        if initial is None:
            self.initial = self.stationary
        else:
            init = as_float_array(initial, "initial", ndim=1)
            if init.shape != (k,) or (init < 0).any() or not np.isclose(init.sum(), 1.0):
                raise InvalidParameterError(f"initial must be {k} probabilities summing to 1.")
            self.initial = init
        self.stress_state = int(np.argmax(m))
        self._cum = np.cumsum(self.transition, axis=1)
        self._cum[:, -1] = 1.0
        # The next state is the count of a row's cumulative probabilities <= u (the last
        # column, 1.0, never counts: u < 1). Between two consecutive cut points of all
        # rows that count is constant, so it is tabulated per (state, interval): one
        # searchsorted for a whole block and one gather per step give the same states
        # as the comparisons, exactly (7 compares per step for 8 states cost 4x more).
        self._cuts = np.unique(self._cum[:, :-1])
        self._cut_table = _CutCounter(self._cuts)
        low_ends = np.concatenate([[-np.inf], self._cuts])
        nxt = (self._cum[None, :, :-1] <= low_ends[:, None, None]).sum(axis=2)
        # flat over (interval, state); int8 like the states, so a step writes them directly
        self._next = np.ascontiguousarray(nxt, dtype=np.int8).ravel()

    def simulate_states(self, rng: np.random.Generator, n_steps: int, n: int) -> np.ndarray:
        """States (n_steps, n) as int8; two uniforms per path and step, vectorised over paths."""
        u0 = rng.random(n)
        cum0 = np.cumsum(self.initial)
        cum0[-1] = 1.0
        states = np.empty((n_steps, n), dtype=np.int8)
        states[0] = np.searchsorted(cum0, u0, side="right")
        # The (n_steps, n) uniforms are drawn a few rows at a time into this thread's
        # buffers (the same stream as one rng.random((n_steps, n))): they and the
        # interval offsets stay in cache instead of page-faulting fresh arrays.
        rows = max(PIECE // n, 1)
        idx = np.empty(n, dtype=np.intp)
        for r0 in range(0, n_steps, rows):
            r1 = min(r0 + rows, n_steps)
            size = (r1 - r0) * n
            u = piece("regime_u", size=size).reshape(r1 - r0, n)
            rng.random(out=u)
            # row offsets of each step's interval in the (interval, state) table
            offset = self._cut_table.count(u, out=piece("regime_offset", np.intp, size))
            offset *= self.k
            for t in range(r0 + 1, min(r1 + 1, n_steps)):
                np.add(offset[t - 1 - r0], states[t - 1], out=idx)
                # mode="clip" (indices are in range): "raise" would buffer the output
                self._next.take(idx, out=states[t], mode="clip")
        return states

    def with_initial(self, initial: Any) -> MarkovSwitching:
        """The same chain started from the distribution ``initial``."""
        return MarkovSwitching(self.transition, self.multipliers, self.means, initial)

    def __repr__(self) -> str:
        return f"MarkovSwitching(k={self.k}, multipliers={np.round(self.multipliers, 3).tolist()})"


class ParameterDrawChain(RegimeProcess):
    """A k-state variance chain whose parameters differ per path (parameter uncertainty).

    Each path draws one of ``n_draws`` parameter sets (rows of ``transitions`` and
    ``multipliers``, themselves draws from the estimates' distribution) and runs that
    chain. A state is coded ``draw * k + regime``, so ``multipliers`` is the flat
    ``(n_draws * k,)`` table the process indexes.

    Parameters
    ----------
    transitions : array (n_draws, k, k)
        Row-stochastic transition matrix per draw.
    multipliers : array (n_draws, k)
        Variance multiplier per draw and regime (> 0).
    initial : array (k,), optional
        Start distribution of the regime, shared by all draws (default: each draw's
        stationary distribution).
    """

    def __init__(self, transitions: Any, multipliers: Any, initial: Any = None) -> None:
        P = as_float_array(transitions, "transitions", ndim=3)
        n_draws, k = P.shape[0], P.shape[1]
        if P.shape != (n_draws, k, k) or k < 2 or n_draws < 1:
            raise InvalidParameterError(
                f"transitions must have shape (n_draws, k, k) with k >= 2; got {P.shape}."
            )
        if (P < 0).any() or not np.allclose(P.sum(axis=2), 1.0, atol=1e-8):
            raise InvalidParameterError("transitions must be row-stochastic in every draw.")
        m = as_float_array(multipliers, "multipliers", ndim=2)
        if m.shape != (n_draws, k) or (m <= 0).any() or (m > 1e4).any():
            raise InvalidParameterError(
                f"multipliers must have shape {(n_draws, k)} with values in (0, 1e4]."
            )
        self.chains = [MarkovSwitching(P[g], m[g]) for g in range(n_draws)]
        if initial is not None:
            self.chains = [c.with_initial(initial) for c in self.chains]
        self.k, self.n_draws = k, n_draws
        self.multipliers = m.reshape(-1)
        self.means = np.zeros(n_draws * k)
        self._stress = np.zeros(n_draws * k, dtype=bool)
        self._stress[np.arange(n_draws) * k + np.argmax(m, axis=1)] = True
        #: The regime with the largest multiplier in most draws (for reporting only;
        #: :meth:`stress_mask` is per draw).
        self.stress_state = int(np.bincount(np.argmax(m, axis=1), minlength=k).argmax())
        self._cum = np.cumsum(P, axis=2)
        self._cum[:, :, -1] = 1.0
        self._cum0 = np.cumsum(np.stack([c.initial for c in self.chains]), axis=1)
        self._cum0[:, -1] = 1.0
        self._initial = initial

    def with_initial(self, initial: Any) -> ParameterDrawChain:
        """The same draws started from the regime distribution ``initial``."""
        P = np.stack([c.transition for c in self.chains])
        return ParameterDrawChain(P, self.multipliers.reshape(self.n_draws, self.k), initial)

    def stress_mask(self, states: np.ndarray) -> np.ndarray:
        """True where a path is in its own draw's highest-variance regime."""
        return self._stress[states]

    def simulate_states(self, rng: np.random.Generator, n_steps: int, n: int) -> np.ndarray:
        """Coded states ``draw * k + regime``, shape (n_steps, n), int32."""
        g = rng.integers(self.n_draws, size=n)
        u0 = rng.random(n)
        u = rng.random((n_steps, n))
        s = (u0[:, None] >= self._cum0[g]).sum(axis=1)
        states = np.empty((n_steps, n), dtype=np.int32)
        base = g * self.k
        for t in range(n_steps):
            states[t] = base + s
            s = (u[t][:, None] >= self._cum[g, s]).sum(axis=1)
        return states

    def __repr__(self) -> str:
        return f"ParameterDrawChain(k={self.k}, n_draws={self.n_draws})"


class _CutCounter:
    """``np.searchsorted(cuts, u, side="right")`` for uniforms ``u`` in [0, 1), by a table.

    The count of cuts <= u is constant over each bucket [b/G, (b + 1)/G) that holds no cut
    inside it: one gather gives it. The few u in buckets with a cut inside go through
    searchsorted, so the counts are the same, exactly (3x cheaper than searchsorted for all).
    """

    #: buckets; the tables (~40 kB) stay in cache
    G = 4096

    def __init__(self, cuts: np.ndarray) -> None:
        self.cuts = cuts
        lo = np.arange(self.G) / self.G
        self.base = np.searchsorted(cuts, lo, side="right")  # cuts <= b/G
        top = np.searchsorted(cuts, lo + 1.0 / self.G, side="left")  # cuts < (b+1)/G
        self.mixed = top > self.base

    def count(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The counts, shape of ``u``; with ``out`` (intp, ``u.size`` long) written there."""
        if out is None:
            b = np.multiply(u, self.G).astype(np.intp)  # exact: G is a power of 2
            out = self.base.take(b)
        else:
            # the same steps in this thread's buffers: the cast to intp is astype's
            scaled = np.multiply(u, self.G, out=piece("cut_scaled", size=u.size).reshape(u.shape))
            b = piece("cut_bucket", np.intp, u.size).reshape(u.shape)
            np.copyto(b, scaled, casting="unsafe")
            out = self.base.take(b, out=out.reshape(u.shape), mode="clip")
        hit = np.flatnonzero(self.mixed.take(b))
        if hit.size:
            out.ravel()[hit] = np.searchsorted(self.cuts, u.ravel()[hit], side="right")
        return out
