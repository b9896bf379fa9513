"""Scale-out entry points: chunk sizes, clients, output folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from edgecase import parallel
from edgecase.fraud import simulate_transactions
from edgecase.market import make_process

from . import Case
from ._strategies import WRONG_TYPES


def _noop(seed_seq, start, stop):  # never reached: the bad argument is refused first
    raise AssertionError("task ran on malformed input")


def _non_empty_folder(name: str) -> str:
    d = Path(tempfile.mkdtemp(prefix="edgecase-bad-")) / "out"
    d.mkdir()
    (d / (name or "x")).write_text("existing")
    return str(d)


CASES = [
    Case(
        "edgecase.parallel.map_chunks(chunk_size)",
        st.one_of(
            st.integers(max_value=0), st.integers(1, 10**6).filter(lambda v: v % 1000), WRONG_TYPES
        ),
        lambda cs: parallel.map_chunks(_noop, 5_000, chunk_size=cs, progress=False),
        names=["chunk_size"],
        covers=(parallel.map_chunks,),
    ),
    Case(
        "edgecase.parallel.map_chunks(client)",
        st.one_of(
            st.integers(),
            st.text(max_size=5).filter(lambda s: not s.startswith("tcp")),
            st.just(object()),
        ),
        lambda c: parallel.map_chunks(_noop, 1_000, chunk_size=1_000, client=c, progress=False),
        names=["client"],
        covers=(parallel.resolve_client,),
    ),
    Case(
        "edgecase.parallel.write_parquet(non-empty folder)",
        st.text(alphabet="abcdefgh", min_size=1, max_size=8),
        lambda name: parallel.write_parquet(
            _noop, 1_000, _non_empty_folder(name), chunk_size=1_000, progress=False
        ),
        names=["out", "folder", "directory"],
        covers=(parallel.write_parquet,),
    ),
]

CASES += [
    Case(
        "edgecase.market.Process.simulate(client)",
        st.one_of(
            st.integers(),
            st.text(max_size=5).filter(lambda s: not s.startswith("tcp")),
            st.just(object()),
        ),
        lambda c: make_process("constant").simulate(1_000, 10, client=c, progress=False),
        names=["client"],
    ),
    Case(
        "edgecase.market.Process.simulate(out: non-empty folder)",
        st.text(alphabet="abcdefgh", min_size=1, max_size=8),
        lambda name: make_process("constant").simulate(
            1_000, 10, out=_non_empty_folder(name), progress=False
        ),
        names=["out", "folder", "directory"],
    ),
    Case(
        "edgecase.fraud.simulate_transactions(chunk_size)",
        st.one_of(
            st.integers(max_value=0),
            st.integers(1, 10**6).filter(lambda v: v % 1000),
            WRONG_TYPES.filter(lambda v: v is not None),  # None means one shot
        ),
        lambda cs: simulate_transactions(2_000, chunk_size=cs, progress=False),
        names=["chunk_size"],
    ),
]
