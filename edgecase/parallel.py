"""Chunked execution: local by default, Dask distributed when given a client.

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
from edgecase.errors import ClusterError, InvalidParameterError

__all__ = [
    "Chunk",
    "ParquetOutput",
    "chunk_ranges",
    "resolve_client",
    "map_chunks",
    "map_tasks",
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
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - depends on the install
        raise ClusterError("a scheduler address needs Dask: pip install 'edgecase[dask]'") from None
    if m.group("proto") in (None, "tcp"):
        # Probe the port first: Client() on a dead address waits for its whole timeout
        # and leaves a half-built client behind that complains when garbage-collected.
        try:
            socket.create_connection(
                (m.group("host").strip("[]"), int(m.group("port"))), timeout=3
            ).close()
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot connect to the Dask scheduler at {address!r}: {exc}") from None


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
    import pyarrow as pa
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
    import pyarrow.parquet as pq

    files = sorted(Path(path).glob("part-*.parquet"))
    if not files:
        raise InvalidParameterError(f"no part-*.parquet files in {str(path)!r}.")
    return pd.concat(
        [pq.read_table(f, columns=columns).to_pandas() for f in files], ignore_index=True
    )


# ----------------------------------------------------------------------------- generators


def _chunk_output(
    task: ChunkTask,
    n_items: int,
    *,
    chunk_size: int,
    random_state: RandomStateLike,
    client: Any,
    out: str | os.PathLike[str] | None,
    overwrite: bool,
    progress: bool,
    to_frame: Callable[[Any, Chunk], pd.DataFrame] | None = None,
    **kwargs: Any,
) -> list[Any] | ParquetOutput:
    if out is not None:
        return write_parquet(
            task, n_items, out, chunk_size=chunk_size, random_state=random_state, client=client,
            overwrite=overwrite, to_frame=to_frame, progress=progress, **kwargs,
        )  # fmt: skip
    return map_chunks(
        task, n_items, chunk_size=chunk_size, random_state=random_state, client=client,
        progress=progress, **kwargs,
    )  # fmt: skip


def simulate_transactions(
    n_transactions: int = 200_000,
    n_accounts: int | None = None,
    fraud_rate: float = 0.002,
    typologies: Any = None,
    random_state: RandomStateLike = None,
    *,
    severity: float = 0.0,
    days: int = 90,
    chunk_size: int = 10_000,
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> pd.DataFrame | ParquetOutput:
    """:func:`edgecase.fraud.simulate_transactions` in chunks of ``chunk_size`` accounts.

    Returns one DataFrame, or with ``out=`` a :class:`ParquetOutput` folder with one
    part per chunk. Rows come by block of 1,000 accounts, in time order within each
    block (sort by ``timestamp`` for a global order); ``transaction_id`` is unique.
    The same seed gives identical rows for any ``chunk_size`` (a multiple of 1,000)
    and any executor.

    Examples
    --------
    >>> a = simulate_transactions(6_000, n_accounts=3_000, random_state=0, chunk_size=1_000, progress=False)
    >>> b = simulate_transactions(6_000, n_accounts=3_000, random_state=0, chunk_size=2_000, progress=False)
    >>> a.equals(b), len(a), a["transaction_id"].is_unique
    (True, 6000, True)
    """
    from edgecase.fraud import simulate as sim

    n_transactions, n_accounts, _, _ = sim._resolve_args(
        n_transactions, n_accounts, fraud_rate, typologies, severity, days
    )
    result = _chunk_output(
        sim.simulate_accounts_chunk, n_accounts, chunk_size=chunk_size, random_state=random_state,
        client=client, out=out, overwrite=overwrite, progress=progress,
        n_transactions=n_transactions, n_accounts=n_accounts, fraud_rate=fraud_rate,
        typologies=typologies, severity=severity, days=days,
    )  # fmt: skip
    return result if isinstance(result, ParquetOutput) else pd.concat(result, ignore_index=True)


def _paths_chunk(
    seed_seq: np.random.SeedSequence,
    start: int,
    stop: int,
    *,
    process: Any,
    n_steps: int,
    scenario: Any,
) -> np.ndarray:
    return process.simulate_range(seed_seq, start, stop, n_steps, scenario=scenario)


def _paths_frame(assets: list[str]) -> Callable[[np.ndarray, Chunk], pd.DataFrame]:
    def to_frame(returns: np.ndarray, chunk: Chunk) -> pd.DataFrame:
        n, n_steps, _ = returns.shape
        frame = pd.DataFrame(returns.reshape(-1, returns.shape[2]), columns=assets)
        frame.insert(0, "step", np.tile(np.arange(n_steps, dtype=np.int32), n))
        frame.insert(
            0, "path", np.repeat(np.arange(chunk.start, chunk.stop, dtype=np.int64), n_steps)
        )
        return frame

    return to_frame


def simulate_paths(
    source: Any,
    n_paths: int,
    n_steps: int = 252,
    *,
    scenario: str = "base",
    severity: float = 0.0,
    random_state: RandomStateLike = None,
    chunk_size: int = 10_000,
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Any:
    """Market paths in chunks of ``chunk_size`` paths, locally or on Dask.

    ``source`` is a process from :mod:`edgecase.market.processes` or a calibrated
    :class:`~edgecase.market.BlackSwanGenerator` (then ``scenario``/``severity``
    apply). Returns :class:`~edgecase.market.Paths`, or with ``out=`` a
    :class:`ParquetOutput` of long rows (path, step, one column per asset).
    Identical bytes to ``source.generate``/``source.simulate`` with the same seed,
    for any chunk size and executor.

    Examples
    --------
    >>> from edgecase.market import GARCH, StudentT, make_process
    >>> proc = make_process("garch", dist="t")
    >>> a = simulate_paths(proc, 3_000, 50, random_state=1, chunk_size=1_000, progress=False)
    >>> bool((a.returns == proc.simulate(3_000, 50, random_state=1).returns).all())
    True
    """
    from edgecase._validate import check_scalar

    if hasattr(source, "simulate_range"):
        process, scn = source, None
        if scenario != "base" or severity != 0.0:
            raise InvalidParameterError(
                "scenario/severity need a BlackSwanGenerator as source; a bare process has no scenarios."
            )
    elif hasattr(source, "process") and hasattr(source, "scenario"):
        process, scn = source.process, source.scenario(scenario, severity)
    else:
        raise InvalidParameterError(
            f"source must be a market process or a BlackSwanGenerator; got {type(source).__name__}."
        )
    n_paths = int(check_scalar(n_paths, "n_paths", kind=(int, np.integer), low=1))
    n_steps = int(check_scalar(n_steps, "n_steps", kind=(int, np.integer), low=1))
    assets = list(
        getattr(process, "_assets", None) or [f"asset{i}" for i in range(process.n_assets)]
    )
    result = _chunk_output(
        _paths_chunk, n_paths, chunk_size=chunk_size, random_state=random_state, client=client,
        out=out, overwrite=overwrite, progress=progress, to_frame=_paths_frame(assets),
        process=process, n_steps=n_steps, scenario=scn,
    )  # fmt: skip
    if isinstance(result, ParquetOutput):
        return result
    from edgecase.market import Paths

    meta = {"process": repr(process), "scenario": scenario, "severity": float(severity)}
    return Paths(np.concatenate(result), assets=assets, meta=meta)


def _fraud_chunk(
    seed_seq: np.random.SeedSequence,
    start: int,
    stop: int,
    *,
    generator: Any,
    typology: Any,
    severity: float,
) -> pd.DataFrame:
    return generator.generate_range(seed_seq, start, stop, typology=typology, severity=severity)


def generate_fraud(
    generator: Any,
    n: int,
    *,
    typology: str | None = None,
    severity: float = 1.0,
    random_state: RandomStateLike = None,
    chunk_size: int = 100_000,
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> pd.DataFrame | ParquetOutput:
    """``n`` fraud variations from a fitted :class:`~edgecase.fraud.FraudScenarioGenerator`, in chunks.

    Identical rows to ``generator.generate(n, ...)`` with the same seed, for any
    ``chunk_size`` and executor; with ``out=`` the rows stream to Parquet parts.

    Examples
    --------
    >>> from edgecase.datasets import load_keel
    >>> from edgecase.fraud import FraudScenarioGenerator
    >>> X, y = load_keel("yeast4")
    >>> gen = FraudScenarioGenerator().fit(X, y)
    >>> a = generate_fraud(gen, 5_000, random_state=0, chunk_size=1_000, progress=False)
    >>> a.equals(gen.generate(5_000, random_state=0))
    True
    """
    from edgecase._validate import check_scalar, check_severity
    from edgecase.errors import NotFittedError

    if not hasattr(generator, "generate_range"):
        raise InvalidParameterError(
            f"generator must be a FraudScenarioGenerator; got {type(generator).__name__}."
        )
    if not hasattr(generator, "_model"):
        raise NotFittedError("the FraudScenarioGenerator is not fitted yet; call fit(X, y) first.")
    n = int(check_scalar(n, "n", kind=(int, np.integer), low=1))
    severity = check_severity(severity)
    result = _chunk_output(
        _fraud_chunk, n, chunk_size=chunk_size, random_state=random_state, client=client, out=out,
        overwrite=overwrite, progress=progress, generator=generator, typology=typology, severity=severity,
    )  # fmt: skip
    return result if isinstance(result, ParquetOutput) else pd.concat(result, ignore_index=True)
