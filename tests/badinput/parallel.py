"""Scale-out entry points: chunk sizes, clients, output folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from edgecase import parallel

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
    ),
    Case(
        "edgecase.parallel.map_chunks(client)",
        st.one_of(
            st.integers(),
            st.text(max_size=5).filter(lambda s: not s.startswith("tcp")),
            st.just(object()),
        ),
        lambda c: parallel.map_chunks(_noop, 1_000, chunk_size=1_000, client=c, progress=False),
    ),
    Case(
        "edgecase.parallel.write_parquet(non-empty folder)",
        st.text(alphabet="abcdefgh", min_size=1, max_size=8),
        lambda name: parallel.write_parquet(
            _noop, 1_000, _non_empty_folder(name), chunk_size=1_000, progress=False
        ),
    ),
]

CASES += [
    Case(
        "edgecase.parallel.simulate_paths(source)",
        st.one_of(WRONG_TYPES, st.integers(), st.floats()),
        lambda src: parallel.simulate_paths(src, 1_000, 10, progress=False),
    ),
    Case(
        "edgecase.parallel.generate_fraud(generator)",
        st.one_of(WRONG_TYPES, st.integers(), st.just("FraudScenarioGenerator")),
        lambda g: parallel.generate_fraud(g, 1_000, progress=False),
    ),
    Case(
        "edgecase.parallel.simulate_transactions(n_transactions)",
        st.one_of(WRONG_TYPES, st.integers(max_value=0), st.floats()),
        lambda n: parallel.simulate_transactions(n, progress=False),
    ),
]
