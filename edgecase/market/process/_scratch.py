"""Per-thread work buffers of one cache-sized piece, reused from call to call.

A fresh array of a block's size (252 x 1,000 float64 is 2 MB) comes from new pages and
page-faults as it is first written; on this kind of machine that costs more than the
arithmetic on it. Temporaries that are only needed piece by piece therefore live in
these buffers (a few pieces per thread, each :data:`PIECE` elements), which stay in the
core's cache. A buffer is only ever used by the thread that owns it.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["PIECE", "piece"]

#: elements per piece (256 kB as float64)
PIECE = 32768

_local = threading.local()


def piece(name: str, dtype: type | str = np.float64, size: int = PIECE) -> np.ndarray:
    """This thread's buffer ``name`` of ``size`` <= :data:`PIECE` elements of ``dtype``.

    A ``size`` above :data:`PIECE` gets a fresh array (never kept).
    """
    if size > PIECE:
        return np.empty(size, dtype=dtype)
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    key = (name, np.dtype(dtype).str)
    buf = bufs.get(key)
    if buf is None:
        buf = bufs[key] = np.empty(PIECE, dtype=dtype)
    return buf[:size]
