"""Chunked execution: local by default, Dask distributed when given a client.

This module is infrastructure only: chunk plans, :func:`map_chunks` /
:func:`map_tasks`, client resolution and the atomic Parquet sink. It knows no
stage; the stages' entry points take ``client=`` and ``out=`` themselves
(:func:`edgecase.fraud.simulate_transactions`,
``FraudScenarioGenerator.generate``, ``Process.simulate``,
``BlackSwanGenerator.generate``, ``StressHarness.run``) and hand their chunk
task to :func:`run_chunks` or :func:`map_tasks`.

Large jobs (millions of fraud variations, a million market paths, big stress
sweeps) are cut into *chunks* of whole seeding blocks (see
:mod:`edgecase._random`). A chunk's random streams depend only on the root seed
and the indices of its blocks, so the same seed gives the same bytes whether
the job runs in this process or on a cluster, in chunks of 1,000 or 100,000.

The local executor needs no Dask. With a :class:`distributed.Client` (passed as
``client=``, or the current client of a ``with Client(...):`` block) the same
calls run on the cluster. Dask re-runs the tasks of a worker that dies, and
every task is a pure function of its chunk, so a lost worker changes nothing
in the output.

Outputs that do not fit in memory stream to Parquet: each task writes its own
part file (atomically: write to a temporary name, then rename), so no process
ever holds more than one chunk.

Examples
--------
>>> import numpy as np
>>> from edgecase.parallel import map_chunks
>>> def normals(seed_seq, start, stop):
...     from edgecase._random import BLOCK_SIZE, block_rngs
...     rngs = block_rngs(seed_seq, start // BLOCK_SIZE, -(-(stop - start) // BLOCK_SIZE))
...     return np.concatenate([g.normal(size=BLOCK_SIZE) for g in rngs])[: stop - start]
>>> a = np.concatenate(map_chunks(normals, 5_000, chunk_size=1_000, random_state=1, progress=False))
>>> b = np.concatenate(map_chunks(normals, 5_000, chunk_size=3_000, random_state=1, progress=False))
>>> bool(np.array_equal(a, b))
True
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from edgecase._random import BLOCK_SIZE, RandomStateLike, as_seed_sequence
from edgecase._validate import check_memory
from edgecase.errors import ClusterError, InvalidParameterError, optional_import

__all__ = [
    "Chunk",
    "ParquetOutput",
    "chunk_ranges",
    "resolve_client",
    "map_chunks",
    "map_tasks",
    "run_chunks",
    "write_parquet",
    "read_parquet",
]

#: Default rows/paths per task: big enough that task overhead is negligible,
#: small enough that one chunk of fraud rows or market paths stays far below 1 GB.
DEFAULT_CHUNK_SIZE = 100_000

ChunkTask = Callable[..., Any]


@dataclass(frozen=True)
class Chunk:
    """Items ``[start, stop)`` of a job; ``index`` orders the chunks."""

    index: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def chunk_ranges(n_items: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[Chunk]:
    """Cut ``n_items`` into chunks of ``chunk_size`` (the last may be shorter).

    ``chunk_size`` must be a positive multiple of ``BLOCK_SIZE`` (1,000), the
    seeding granularity: that is what makes output independent of chunking.

    Examples
    --------
    >>> [(c.start, c.stop) for c in chunk_ranges(2_500, 1_000)]
    [(0, 1000), (1000, 2000), (2000, 2500)]
    """
    if isinstance(n_items, bool) or not isinstance(n_items, int | np.integer) or n_items < 0:
        raise InvalidParameterError(f"n_items must be an integer >= 0; got {n_items!r}.")
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int | np.integer)
        or chunk_size <= 0
    ):
        raise InvalidParameterError(f"chunk_size must be a positive integer; got {chunk_size!r}.")
    if chunk_size % BLOCK_SIZE:
        lower = max(BLOCK_SIZE, chunk_size // BLOCK_SIZE * BLOCK_SIZE)
        raise InvalidParameterError(
            f"chunk_size must be a multiple of {BLOCK_SIZE} (the seeding block) so results do not "
            f"depend on chunking; got {chunk_size}, use e.g. {lower}."
        )
    # A plan entry costs about 200 bytes: refuse a plan that cannot be held, with the number.
    check_memory(
        (-(-int(n_items) // int(chunk_size)),),
        what=f"a plan of {n_items:,} items in chunks of {chunk_size:,}",
        hint="use a larger chunk_size or fewer items.",
        itemsize=200,
    )
    return [
        Chunk(i, start, min(start + int(chunk_size), int(n_items)))
        for i, start in enumerate(range(0, int(n_items), int(chunk_size)))
    ]


def resolve_client(client: Any = None) -> Any:
    """The Dask client to use, or ``None`` for local execution.

    ``client`` may be a :class:`distributed.Client`, a scheduler address
    (``"tcp://host:8786"``), ``None`` (use the current client of a
    ``with Client(...)`` block if there is one, else run locally) or ``False``
    (always local).
    """
    if client is False:
        return None
    if client is None:
        if "distributed" not in sys.modules:  # no Dask in use: stay local, do not import it
            return None
        from distributed import default_client

        try:
            client = default_client()
        except ValueError:  # no current client
            return None
    if isinstance(client, str):
        client = _connect(client)
    status = getattr(client, "status", None)
    if status is None or not hasattr(client, "map"):
        raise ClusterError(
            f"client must be a distributed.Client or a scheduler address; got {type(client).__name__}."
        )
    if status != "running":
        raise ClusterError(f"the Dask client is {status!r}, not running; create a new Client.")
    return client


_ADDRESS = re.compile(
    r"^(?:(?P<proto>tcp|tls|inproc|ucx|ws|wss)://)?(?P<host>[^:/\s]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$"
)


def _connect(address: str) -> Any:
    """A Client for a scheduler address, failing fast and clearly when it cannot work."""
    m = _ADDRESS.match(address.strip())
    if m is None:
        raise ClusterError(f"client {address!r} is not a scheduler address like 'tcp://host:8786'.")
    Client = optional_import(
        "distributed", install="pip install 'edgecase[dask]'", needed_for="a scheduler address"
    ).Client
    if m.group("proto") in (None, "tcp"):
        # Probe the port first: Client() on a dead address waits for its whole timeout
        # and leaves a half-built client behind that complains when garbage-collected.
        try:
            socket.create_connection(
                (m.group("host").strip("[]"), int(m.group("port"))), timeout=3
            ).close()
        except (OSError, ValueError) as exc:  # ValueError: a host name idna cannot encode
            raise ClusterError(
                f"client: cannot reach the Dask scheduler at {address!r}: {exc}"
            ) from None
    try:
        # Not the default client: distributed registers a default before it connects, so a
        # failed connection would leave a half-built 'connecting' client for every later
        # call (and its dask.config scheduler set); edgecase only needs this one client.
        return Client(address, timeout="10s", set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever answers on a port that is not a
        # scheduler makes distributed fail in its own way (a garbage frame length once
        # asked numpy for 3 EiB); the user needs to know the address is wrong
        raise ClusterError(
            f"client: cannot connect to a Dask scheduler at {address!r} "
            f"({type(exc).__name__}: {exc})"
        ) from None


def _run_chunk(
    chunk: Chunk, *, task: ChunkTask, seed_seq: np.random.SeedSequence, kwargs: dict[str, Any]
) -> Any:
    return task(seed_seq, chunk.start, chunk.stop, **kwargs)


def map_tasks(
    func: Callable[..., Any],
    items: Sequence[Any],
    *,
    client: Any = None,
    progress: bool = True,
    desc: str = "tasks",
    **kwargs: Any,
) -> list[Any]:
    """``[func(item, **kwargs) for item in items]``, locally or on Dask, in order.

    The building block for work that is split by something other than rows
    (stress scenarios, bootstrap batches). ``func`` must be deterministic given
    its item, so a task re-run after a worker failure gives the same result.
    """
    _check_callable(func, "func")
    if isinstance(items, str | bytes) or not hasattr(items, "__iter__"):
        raise InvalidParameterError(
            f"items must be a sequence of tasks; got {type(items).__name__}."
        )
    dask_client = resolve_client(client)
    if dask_client is None:
        return [func(item, **kwargs) for item in tqdm(items, desc=desc, disable=not progress)]
    # Ship shared arguments (a fitted generator, the test set, a model) to the workers once
    # instead of embedding a copy in every task; wrapped in a list because scatter() would
    # split a dict or list into its items.
    simple = str | int | float | bool | type(None)
    shared = {
        k: v if isinstance(v, simple) else dask_client.scatter([v], broadcast=True, hash=False)[0]
        for k, v in kwargs.items()
    }
    # pure=False: identical arguments may legitimately be submitted twice (two jobs), never merged.
    futures = dask_client.map(func, list(items), pure=False, **shared)
    if progress:
        from distributed import as_completed

        for _ in tqdm(as_completed(futures), total=len(futures), desc=desc):
            pass
    return dask_client.gather(futures)


def map_chunks(
    task: ChunkTask,
    n_items: int,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    random_state: RandomStateLike = None,
    client: Any = None,
    progress: bool = True,
    desc: str = "chunks",
    **kwargs: Any,
) -> list[Any]:
    """Run ``task(seed_seq, start, stop, **kwargs)`` on every chunk; results in chunk order.

    ``task`` draws its randomness with ``block_rngs(seed_seq, start // BLOCK_SIZE, ...)``,
    so concatenating the results gives the same bytes for any ``chunk_size`` and executor.
    """
    _check_callable(task, "task")
    seed_seq = as_seed_sequence(random_state)
    chunks = chunk_ranges(n_items, chunk_size)

    return map_tasks(
        _run_chunk,
        chunks,
        client=client,
        progress=progress,
        desc=desc,
        task=task,
        seed_seq=seed_seq,
        kwargs=kwargs,
    )


@dataclass(frozen=True)
class ParquetOutput:
    """A folder of Parquet part files written by :func:`write_parquet`."""

    path: Path
    files: tuple[Path, ...]
    n_rows: int

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Load everything back (only sensible when it fits in memory)."""
        return read_parquet(self.path, columns=columns)


def _write_chunk(
    chunk: Chunk,
    *,
    task: ChunkTask,
    seed_seq: np.random.SeedSequence,
    kwargs: dict[str, Any],
    out_dir: str,
    to_frame: Callable[[Any, Chunk], pd.DataFrame] | None,
) -> tuple[str, int]:
    pa = optional_import("pyarrow", install="pip install pyarrow", needed_for="Parquet output")
    import pyarrow.parquet as pq

    result = _run_chunk(chunk, task=task, seed_seq=seed_seq, kwargs=kwargs)
    frame = to_frame(result, chunk) if to_frame is not None else result
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(
            f"write_parquet needs DataFrames; the task returned {type(frame).__name__}: pass to_frame=."
        )
    final = Path(out_dir) / f"part-{chunk.index:06d}.parquet"
    # A re-run of this task (after a worker died) rewrites the same bytes; the rename
    # makes sure a half-written file is never visible under the final name.
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    os.replace(tmp, final)
    return str(final), len(frame)


def write_parquet(
    task: ChunkTask,
    n_items: int,
    path: str | os.PathLike[str],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    random_state: RandomStateLike = None,
    client: Any = None,
    overwrite: bool = False,
    to_frame: Callable[[Any, Chunk], pd.DataFrame] | None = None,
    progress: bool = True,
    **kwargs: Any,
) -> ParquetOutput:
    """Run a chunked job and stream each chunk to ``path/part-NNNNNN.parquet``.

    The folder must be new or empty unless ``overwrite=True`` (then it is
    emptied first). On a cluster every worker must see ``path`` (a shared
    file system or a mounted bucket).
    """
    # fail here, in the caller, rather than in every worker
    optional_import("pyarrow", install="pip install pyarrow", needed_for="write_parquet")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"path {str(out)!r} exists and is not a folder.")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise InvalidParameterError(
                f"output folder {str(out)!r} is not empty; pass overwrite=True to replace its contents."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_callable(task, "task")
    seed_seq = as_seed_sequence(random_state)
    chunks = chunk_ranges(n_items, chunk_size)
    written = map_tasks(
        _write_chunk,
        chunks,
        client=client,
        progress=progress,
        desc="parquet parts",
        task=task,
        seed_seq=seed_seq,
        kwargs=kwargs,
        out_dir=str(out),
        to_frame=to_frame,
    )
    return ParquetOutput(out, tuple(Path(f) for f, _ in written), int(sum(n for _, n in written)))


def read_parquet(path: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """Read the part files of :func:`write_parquet` back, in chunk order."""
    optional_import("pyarrow", install="pip install pyarrow", needed_for="read_parquet")
    import pyarrow.parquet as pq

    files = sorted(Path(path).glob("part-*.parquet"))
    if not files:
        raise InvalidParameterError(f"no part-*.parquet files in {str(path)!r}.")
    return pd.concat(
        [pq.read_table(f, columns=columns).to_pandas() for f in files], ignore_index=True
    )


def run_chunks(
    task: ChunkTask,
    n_items: int,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    random_state: RandomStateLike = None,
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    to_frame: Callable[[Any, Chunk], pd.DataFrame] | None = None,
    **kwargs: Any,
) -> list[Any] | ParquetOutput:
    """:func:`map_chunks`, or with ``out=`` :func:`write_parquet`: what a stage's ``out=`` means.

    The stages' own entry points (``simulate_transactions``,
    ``FraudScenarioGenerator.generate``, ``Process.simulate``,
    ``BlackSwanGenerator.generate``) call this with their chunk task when given
    ``client=`` or ``out=``.

    Examples
    --------
    >>> def rows(seed_seq, start, stop):
    ...     return pd.DataFrame({"i": np.arange(start, stop)})
    >>> parts = run_chunks(rows, 2_500, chunk_size=1_000, progress=False)
    >>> [len(p) for p in parts]
    [1000, 1000, 500]
    """
    if out is not None:
        return write_parquet(
            task, n_items, out, chunk_size=chunk_size, random_state=random_state, client=client,
            overwrite=overwrite, to_frame=to_frame, progress=progress, **kwargs,
        )  # fmt: skip
    return map_chunks(
        task, n_items, chunk_size=chunk_size, random_state=random_state, client=client,
        progress=progress, **kwargs,
    )  # fmt: skip


def _check_callable(func: Any, name: str) -> None:
    """A task must be callable; found here, before any worker runs it."""
    if not callable(func):
        raise InvalidParameterError(
            f"{name} must be a callable; got {func!r} ({type(func).__name__})."
        )
