"""Scale-out: same seed, same bytes, locally or on a Dask LocalCluster, any chunk size."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from edgecase import parallel
from edgecase._random import BLOCK_SIZE, block_rngs
from edgecase.errors import ClusterError, InvalidParameterError

distributed = pytest.importorskip("distributed")

# Workers import edgecase but not the tests package: ship this module's tasks by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def heavy_tailed_rows(seed_seq, start, stop, delay=0.0):
    """A chunk task drawing per block, like every edgecase generator."""
    first, n_blocks = start // BLOCK_SIZE, -(-(stop - start) // BLOCK_SIZE)
    parts = [g.standard_t(4, size=(BLOCK_SIZE, 3)) for g in block_rngs(seed_seq, first, n_blocks)]
    if delay:
        time.sleep(delay)
    values = np.concatenate(parts)[: stop - start]
    return pd.DataFrame(
        {"row": np.arange(start, stop), "a": values[:, 0], "b": values[:, 1], "c": values[:, 2]}
    )


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _concat(parts):
    return pd.concat(parts, ignore_index=True)


def test_local_chunk_sizes_give_identical_bytes():
    runs = [
        _concat(
            parallel.map_chunks(
                heavy_tailed_rows, 120_000, chunk_size=cs, random_state=7, progress=False
            )
        )
        for cs in (1_000, 10_000, 100_000)
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], other, check_exact=True)
    assert runs[0]["row"].tolist() == list(range(120_000))


def test_different_seeds_differ():
    a = _concat(
        parallel.map_chunks(
            heavy_tailed_rows, 2_000, chunk_size=1_000, random_state=1, progress=False
        )
    )
    b = _concat(
        parallel.map_chunks(
            heavy_tailed_rows, 2_000, chunk_size=1_000, random_state=2, progress=False
        )
    )
    assert not np.array_equal(a["a"], b["a"])


def test_dask_equals_local(client):
    local = _concat(
        parallel.map_chunks(
            heavy_tailed_rows, 50_000, chunk_size=10_000, random_state=3, progress=False
        )
    )
    for cs in (1_000, 10_000):
        remote = _concat(
            parallel.map_chunks(
                heavy_tailed_rows,
                50_000,
                chunk_size=cs,
                random_state=3,
                client=client,
                progress=False,
            )
        )
        pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_current_client_context_is_used(client):
    with client.as_current():
        assert parallel.resolve_client(None) is client
    assert parallel.resolve_client(False) is None


def test_worker_killed_mid_job_changes_nothing(client, tmp_path):
    expected = _concat(
        parallel.map_chunks(
            heavy_tailed_rows, 40_000, chunk_size=2_000, random_state=11, progress=False
        )
    )
    pids = client.run(os.getpid)
    result = {}

    def job():
        result["out"] = parallel.write_parquet(
            heavy_tailed_rows,
            40_000,
            tmp_path / "out",
            chunk_size=2_000,
            random_state=11,
            client=client,
            progress=False,
            delay=0.25,
        )

    t = threading.Thread(target=job)
    t.start()
    time.sleep(1.0)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    t.join(timeout=120)
    assert not t.is_alive()
    out = result["out"]
    assert out.n_rows == 40_000 and len(out.files) == 20
    got = out.read()
    pd.testing.assert_frame_equal(expected, got, check_exact=True)
    # no stray temporary files from the killed attempt's writes
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"part-{i:06d}.parquet" for i in range(20)
    ]
    client.wait_for_workers(2, timeout=60)


def test_parquet_local_matches_memory_and_refuses_non_empty(tmp_path):
    out = parallel.write_parquet(
        heavy_tailed_rows, 5_500, tmp_path / "p", chunk_size=2_000, random_state=5, progress=False
    )
    assert out.n_rows == 5_500 and len(out.files) == 3
    mem = _concat(
        parallel.map_chunks(
            heavy_tailed_rows, 5_500, chunk_size=1_000, random_state=5, progress=False
        )
    )
    pd.testing.assert_frame_equal(out.read(), mem, check_exact=True)
    with pytest.raises(InvalidParameterError, match="not empty.*overwrite=True"):
        parallel.write_parquet(
            heavy_tailed_rows,
            1_000,
            tmp_path / "p",
            chunk_size=1_000,
            random_state=5,
            progress=False,
        )
    again = parallel.write_parquet(
        heavy_tailed_rows,
        1_000,
        tmp_path / "p",
        chunk_size=1_000,
        random_state=5,
        progress=False,
        overwrite=True,
    )
    assert again.n_rows == 1_000 and len(list((tmp_path / "p").iterdir())) == 1


def test_bad_chunk_sizes_and_clients():
    with pytest.raises(InvalidParameterError, match="chunk_size"):
        parallel.chunk_ranges(10, 0)
    with pytest.raises(InvalidParameterError, match="multiple of 1000"):
        parallel.chunk_ranges(10, 1500)
    with pytest.raises(ClusterError):
        parallel.resolve_client(object())


def test_closed_client_is_refused():
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    c = distributed.Client(cluster)
    c.close()
    cluster.close()
    with pytest.raises(ClusterError, match="not running"):
        parallel.map_chunks(heavy_tailed_rows, 1_000, chunk_size=1_000, client=c, progress=False)


def test_unreachable_scheduler_is_refused():
    with pytest.raises(ClusterError, match="cannot reach"):
        parallel.resolve_client("tcp://127.0.0.1:1")
