"""The regime's per-step noise scale and mean for the time loop of :class:`~.process.Process`."""

from __future__ import annotations

import numpy as np

__all__ = ["RegimeRows"]


class RegimeRows:
    """Per step, the regime's noise scale and mean of every path, gathered row by row.

    One row's gather into reused buffers: gathering the whole (n_steps, n) table at once
    cast the int8 states to a fresh index array and wrote a fresh table, both larger than
    the cache (the values are the same: ``table.take(states)[t] == table.take(states[t])``).
    """

    def __init__(self, states: np.ndarray, sd: np.ndarray, means: np.ndarray) -> None:
        self.states, self.sd = states, sd
        self.means = means if np.any(means) else None
        n = states.shape[1]
        self._idx, self._sd_row, self._mu_row = np.empty(n, np.intp), np.empty(n), np.empty(n)
        self._t = -1

    def _load(self, t: int) -> None:
        if self._t != t:
            # same_kind: integer states of any width, never floats cut to integers
            np.copyto(self._idx, self.states[t], casting="same_kind")
            self.sd.take(self._idx, out=self._sd_row)  # an out-of-range state raises
            if self.means is not None:
                self.means.take(self._idx, out=self._mu_row)
            self._t = t

    def sd_row(self, t: int) -> np.ndarray:
        self._load(t)
        return self._sd_row

    def mu_row(self, t: int) -> np.ndarray | None:
        if self.means is None:
            return None
        self._load(t)
        return self._mu_row
