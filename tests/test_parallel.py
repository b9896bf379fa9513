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


@pytest.mark.parametrize("address", ["0:0", ".:0", ";:0"])
def test_addresses_no_socket_can_reach_name_the_client(address):
    # "0:0" is refused by the kernel; ".:0" and ";:0" fail in the idna codec (UnicodeError)
    with pytest.raises(ClusterError, match=r"^client: cannot reach"):
        parallel.resolve_client(address)


@pytest.fixture
def garbage_port():
    """A local port whose service answers every connection with bytes distributed reads
    as a frame length of 3.5e18 (it then asks numpy for 3 EiB): not a scheduler."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))

    def answer_garbage():
        for _ in range(4):  # the probe, then the client's attempts
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"1" * 64)

    threading.Thread(target=answer_garbage, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def test_a_port_that_is_not_a_scheduler_is_refused_by_name(garbage_port):
    """distributed fails there in its own way (MemoryError, closed comm); the user gets a
    ClusterError naming the client and the address."""
    with pytest.raises(ClusterError, match=rf"^client: .*127\.0\.0\.1:{garbage_port}"):
        parallel.resolve_client(f"127.0.0.1:{garbage_port}")


# --------------------------------------------------------------------------- edgecase's own jobs


def test_simulator_chunks_identical_and_equal_to_one_shot(client):
    from edgecase.fraud import simulate_transactions

    runs = [
        simulate_transactions(
            30_000, n_accounts=3_000, fraud_rate=0.01, random_state=4, chunk_size=cs, progress=False
        )
        for cs in (1_000, 2_000, 100_000)
    ]
    remote = simulate_transactions(
        30_000,
        n_accounts=3_000,
        fraud_rate=0.01,
        random_state=4,
        chunk_size=1_000,
        client=client,
        progress=False,
    )
    for other in [*runs[1:], remote]:
        pd.testing.assert_frame_equal(runs[0], other, check_exact=True)
    assert runs[0]["transaction_id"].is_unique and len(runs[0]) == 30_000
    # Same rows as the in-memory simulator; only the row order (and so the ids) differ.
    one_shot = simulate_transactions(
        30_000, n_accounts=3_000, fraud_rate=0.01, random_state=4, progress=False
    )
    key = ["timestamp", "account_id"]
    a = runs[0].sort_values(key).drop(columns="transaction_id").reset_index(drop=True)
    b = one_shot.sort_values(key).drop(columns="transaction_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_market_paths_chunks_dask_and_parquet(client, tmp_path):
    from edgecase.datasets import load_market
    from edgecase.market import BlackSwanGenerator

    gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
    direct = gen.generate(3_000, 40, scenario="crash", severity=1.0, random_state=9)
    for cs, c in [(1_000, None), (2_000, client)]:
        got = gen.generate(
            3_000,
            40,
            scenario="crash",
            severity=1.0,
            random_state=9,
            chunk_paths=cs,
            client=c if c is not None else False,
            progress=False,
        )
        assert np.array_equal(got.returns, direct.returns)
    # the bare process: the base scenario's bytes, chunked as tasks or not
    base = gen.generate(3_000, 40, scenario="base", random_state=9, start="long_run")
    got = gen.process.simulate(
        3_000, 40, random_state=9, chunk_paths=1_000, client=client, progress=False
    )
    assert np.array_equal(got.returns, base.returns)
    out = gen.generate(
        3_000, 40, scenario="crash", severity=1.0, random_state=9, chunk_paths=1_000, client=client,
        out=tmp_path / "paths", progress=False,
    )  # fmt: skip
    assert out.n_rows == 3_000 * 40 and len(out.files) == 3
    frame = out.read()
    assert list(frame.columns[:2]) == ["path", "step"]
    np.testing.assert_array_equal(
        frame.iloc[:, 2].to_numpy().reshape(3_000, 40), direct.returns[:, :, 0]
    )


def test_stress_sweep_on_dask_equals_local(client):
    from sklearn.linear_model import LogisticRegression

    from edgecase.datasets import load_keel
    from edgecase.stress import FeatureShift, Perturb, StressHarness

    X, y = load_keel("yeast4")
    model = LogisticRegression(max_iter=500).fit(X, y)
    harness = StressHarness(
        model,
        [FeatureShift(shift={"Mcg": -0.3}), Perturb(columns=["Gvh", "Alm"], noise=0.2)],
        alert_rate=0.05,
        severities=[0.0, 1.0, 2.0],
        n_boot=100,
        random_state=5,
        progress=False,
    )
    local = harness.run(X, y)
    remote = harness.run(X, y, client=client)
    assert local.to_json() == remote.to_json()


def test_fraud_variations_chunks_dask_and_typologies(client, tmp_path):
    from edgecase.fraud import FraudScenarioGenerator, simulate_transactions, split_features

    X, y = split_features(
        simulate_transactions(20_000, fraud_rate=0.01, random_state=2, progress=False)
    )
    gen = FraudScenarioGenerator().fit(X, y)
    direct = gen.generate(12_000, severity=1.5, random_state=8)
    for cs, c in [(1_000, None), (10_000, None), (100_000, None), (2_000, client)]:
        got = gen.generate(
            12_000, severity=1.5, random_state=8, chunk_size=cs, client=c, progress=False
        )
        pd.testing.assert_frame_equal(got, direct, check_exact=True)
    typ = gen.generate(2_500, typology="card_testing", severity=1.0, random_state=3)
    got = gen.generate(
        2_500,
        typology="card_testing",
        severity=1.0,
        random_state=3,
        chunk_size=1_000,
        client=client,
        progress=False,
    )
    pd.testing.assert_frame_equal(got, typ, check_exact=True)
    out = gen.generate(
        12_000,
        severity=1.5,
        random_state=8,
        chunk_size=5_000,
        out=tmp_path / "f",
        progress=False,
    )
    pd.testing.assert_frame_equal(out.read(), direct, check_exact=True)


def test_a_failed_connection_leaves_no_default_client_behind(garbage_port):
    """After a refused address, a call without a client still works (locally, or on a
    running default client another test made): no half-built 'connecting' client is left
    as distributed's default, which would make every later call fail."""
    with pytest.raises(ClusterError):
        parallel.resolve_client(f"127.0.0.1:{garbage_port}")
    current = parallel.resolve_client(None)  # raised "the Dask client is 'connecting'" before
    assert current is None or current.status == "running"
