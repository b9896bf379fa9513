"""The one thread pool that draws a chunk's blocks in parallel.

numpy's Generator releases the GIL while filling arrays, so the blocks of a
chunk draw in parallel threads; each block owns its stream, so the bytes do not
depend on the threads. The pool is made on first use, never at import.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

#: Threads drawing blocks; 1 means the blocks are drawn in the calling thread.
N_THREADS = min(2, os.cpu_count() or 1)

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def block_pool() -> ThreadPoolExecutor:
    """The process-wide pool of :data:`N_THREADS` threads, created lazily."""
    # A forked child (multiprocessing, Dask process workers) inherits the pool object
    # but not its threads; work submitted there would never run, so make a fresh one.
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=N_THREADS, thread_name_prefix="edgecase-draw")
        _pool_pid = os.getpid()
    return _pool
