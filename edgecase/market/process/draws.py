"""What a block (or, merged, a chunk) of paths draws: the :class:`Draws` record and its merge.

A block draws from its own stream (:func:`edgecase._random.block_rngs`); a chunk's
time loop runs over its blocks' draws merged into chunk-wide buffers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from edgecase._random import BLOCK_SIZE

__all__ = ["Draws"]


@dataclass
class Draws:
    """Everything random of a block (or, merged, of a chunk) of ``n`` paths.

    Time-major: ``(n_steps, n, d)`` arrays, ``(n_steps, n)`` for the per path-step
    fields shared by all assets. ``None`` where the part or scenario is absent.
    """

    #: standardised shocks (n_steps, n, d)
    z: np.ndarray
    #: extra normals of dynamics with ``n_extra`` (n_steps, n, d)
    extra: np.ndarray | None = None
    #: log jumps (n_steps, n, d)
    jumps: np.ndarray | None = None
    #: regime states (n_steps, n), int8
    states: np.ndarray | None = None
    #: scenario overlay, broadcast to (n_steps, n, d); see :class:`Overlay`
    additive: np.ndarray | None = None
    vol_mult: np.ndarray | None = None
    ar: np.ndarray | None = None
    #: no-trade steps (n_steps, n), bool
    freeze: np.ndarray | None = None


def reuse_buffer(scratch: dict | None, name: str, shape: tuple, dtype: Any) -> np.ndarray:
    """``scratch[name]`` if it has this shape and dtype, else a new array kept there.

    Its values are stale: the caller overwrites all of it. ``scratch=None``: always new.
    """
    buf = scratch.get(name) if scratch is not None else None
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = np.empty(shape, dtype=dtype)
        if scratch is not None:
            scratch[name] = buf
    return buf


def _merge(blocks: Any, n_chunk: int, scratch: dict | None = None) -> Draws:
    """Copy each block's draws into chunk-wide buffers, dropping each block once copied.

    ``scratch``: buffers of the previous chunk of this thread, reused when they fit (every
    block writes its own columns, so the whole buffer is overwritten).
    """
    # Only the buffers and the blocks in flight are alive at once (peak memory).
    merged: dict[str, np.ndarray | None] = {}
    wide: dict[str, int] = {}  # fields broadcast over the assets: merged once, not d times
    for b, block in enumerate(blocks):
        lo = b * BLOCK_SIZE
        for f in fields(Draws):
            val = getattr(block, f.name)
            if val is None:
                merged.setdefault(f.name, None)
                continue
            if val.ndim == 3 and val.shape[2] > 1 and val.strides[2] == 0:
                wide[f.name] = val.shape[2]
                val = val[..., :1]
            buf = merged.get(f.name)
            if buf is None:
                shape = (val.shape[0], n_chunk, *val.shape[2:])
                buf = reuse_buffer(scratch, "merged_" + f.name, shape, val.dtype)
                merged[f.name] = buf
            buf[:, lo : lo + val.shape[1]] = val
    for name, d in wide.items():
        merged[name] = np.broadcast_to(merged[name], (*merged[name].shape[:2], d))
    return Draws(**merged)


def _as_3d(x: Any, size: tuple[int, int], d: int) -> np.ndarray | None:
    if x is None:
        return None
    x = np.asarray(x, dtype=float)
    return np.broadcast_to(x[..., None] if x.ndim == 2 else x, (*size, d))
