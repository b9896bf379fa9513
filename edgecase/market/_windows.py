"""When a scenario's stress hits a path: onset and window helpers shared by the scenarios."""

from __future__ import annotations

import numpy as np


def _onset(rng: np.random.Generator, n: int, n_steps: int, length: np.ndarray) -> np.ndarray:
    """A start step per path in the first ~60% of the path that leaves room for ``length``."""
    hi = np.maximum(np.minimum(int(0.6 * n_steps), n_steps - length), 1)
    lo = np.minimum(int(0.1 * n_steps), hi - 1)
    return lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)


def _window(n_steps: int, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Boolean (n_steps, n): step t is in [start, start + length)."""
    t = np.arange(n_steps)[:, None]
    return (t >= start[None, :]) & (t < (start + length)[None, :])
