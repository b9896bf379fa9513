"""Seeding: one :class:`numpy.random.SeedSequence` per call, independent streams per block.

Every random draw in edgecase starts from :func:`as_seed_sequence`. Work that is
split into pieces (chunks of rows, batches of paths, bootstrap replicates, Dask
tasks) takes one stream per fixed-size *block* of items from :func:`block_rngs`.
Because a block's stream depends only on the root seed and the block's index,
the same seed gives the same bytes whatever the chunk size or executor, as long
as chunks are made of whole blocks.
"""

from __future__ import annotations

import numbers

import numpy as np

from edgecase.errors import InvalidParameterError

__all__ = [
    "BLOCK_SIZE",
    "RandomStateLike",
    "as_seed_sequence",
    "as_generator",
    "block_rngs",
    "spawn",
]

#: Items (rows, paths, accounts...) per random stream. Chunk sizes must be multiples of it
#: for results to be independent of chunking; 1,000 keeps the per-block overhead tiny.
BLOCK_SIZE = 1_000

RandomStateLike = None | int | np.integer | np.random.Generator | np.random.SeedSequence


def as_seed_sequence(
    random_state: RandomStateLike = None, *, name: str = "random_state"
) -> np.random.SeedSequence:
    """Turn ``None``, an int, a Generator or a SeedSequence into a SeedSequence.

    A Generator is advanced (entropy is drawn from it), so passing the same
    Generator twice gives two different, reproducible results, as users of
    numpy Generators expect. ``None`` takes fresh OS entropy.

    Examples
    --------
    >>> as_seed_sequence(7).entropy
    7
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(
            random_state.integers(0, 2**63 - 1, size=4, dtype=np.int64).tolist()
        )
    if isinstance(random_state, np.random.RandomState):
        # scikit-learn's check_random_state hands these around; accept them for interoperability.
        return np.random.SeedSequence(random_state.randint(0, 2**31 - 1, size=4).tolist())
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise InvalidParameterError(
                f"{name} must be a non-negative integer, got {random_state}."
            )
        return np.random.SeedSequence(int(random_state))
    raise InvalidParameterError(
        f"{name} must be None, a non-negative int, a numpy Generator or a SeedSequence; "
        f"got {type(random_state).__name__}."
    )


def as_generator(
    random_state: RandomStateLike = None, *, name: str = "random_state"
) -> np.random.Generator:
    """A numpy Generator (PCG64) seeded from ``random_state``.

    Examples
    --------
    >>> float(as_generator(0).random()) == float(as_generator(0).random())
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.Generator(np.random.PCG64(as_seed_sequence(random_state, name=name)))


def spawn(random_state: RandomStateLike, n: int) -> list[np.random.Generator]:
    """``n`` independent Generators from one seed (one per task, scenario, replicate...)."""
    return [
        np.random.Generator(np.random.PCG64(s)) for s in as_seed_sequence(random_state).spawn(n)
    ]


def block_rngs(
    seed_seq: np.random.SeedSequence, first_block: int, n_blocks: int
) -> list[np.random.Generator]:
    """Generators for blocks ``first_block .. first_block + n_blocks - 1`` of a job.

    The child for block ``b`` is the SeedSequence that ``seed_seq.spawn`` would
    give as its ``b``-th child, built directly from its index so that any worker
    can derive it without coordination.

    Examples
    --------
    >>> ss = as_seed_sequence(3)
    >>> a = block_rngs(ss, 0, 3)[2].random()
    >>> b = block_rngs(ss, 2, 1)[0].random()
    >>> bool(a == b)
    True
    """
    if first_block < 0 or n_blocks < 0:
        raise InvalidParameterError(
            f"block indices must be >= 0, got first_block={first_block}, n_blocks={n_blocks}."
        )
    return [
        np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(
                    entropy=seed_seq.entropy,
                    spawn_key=(*seed_seq.spawn_key, b),
                    pool_size=seed_seq.pool_size,
                )
            )
        )
        for b in range(first_block, first_block + n_blocks)
    ]
