"""Market regimes: a k-state Markov chain shared by all assets.

:class:`MarkovSwitching` follows :class:`~edgecase.market.process.base.RegimeProcess`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgecase.errors import InvalidParameterError
from edgecase.market.process._checks import as_float_array
from edgecase.market.process.base import RegimeProcess

__all__ = ["MarkovSwitching"]


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

    def simulate_states(self, rng: np.random.Generator, n_steps: int, n: int) -> np.ndarray:
        """States (n_steps, n) as int8; two uniforms per path and step, vectorised over paths."""
        u0 = rng.random(n)
        u = rng.random((n_steps, n))
        cum0 = np.cumsum(self.initial)
        cum0[-1] = 1.0
        states = np.empty((n_steps, n), dtype=np.int8)
        s = np.searchsorted(cum0, u0, side="right").astype(np.intp)
        # The next state is the count of cumulative transition probabilities <= u, taken
        # one column at a time (a (n, k) gather and row sums cost 3x more); the last
        # column is 1.0 and u < 1, so it never counts.
        cols = [np.ascontiguousarray(self._cum[:, j]) for j in range(self.k - 1)]
        hit = np.empty(n, dtype=bool)
        for t in range(n_steps):
            states[t] = s
            nxt = np.zeros(n, dtype=np.intp)
            for c in cols:
                np.greater_equal(u[t], c[s], out=hit)
                nxt += hit
            s = nxt
        return states

    def __repr__(self) -> str:
        return f"MarkovSwitching(k={self.k}, multipliers={np.round(self.multipliers, 3).tolist()})"
