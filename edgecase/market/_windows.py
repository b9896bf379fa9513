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


def _shifted_table(table: np.ndarray, shift: np.ndarray, n_steps: int) -> np.ndarray:
    """(n_steps, n): ``table[max(t - shift[i], 0)]``, a per-day table started per path.

    Built a few rows at a time so the index rows stay in cache (one (n_steps, n) index
    array was written, then read back, from fresh memory). ``table`` must be longer than
    ``n_steps - min(shift)``.
    """
    n = shift.shape[0]
    out = np.empty((n_steps, n))
    rows = max(32768 // max(n, 1), 1)
    for r0 in range(0, n_steps, rows):
        pos = np.arange(r0, min(r0 + rows, n_steps))[:, None] - shift[None, :]
        # in range by construction (0 <= pos < len(table)), so "clip" never clips
        table.take(np.maximum(pos, 0, out=pos), out=out[r0 : r0 + rows], mode="clip")
    return out
