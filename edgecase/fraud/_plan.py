"""The fraud plan of a simulation: every fraud event of the table and the block it goes to.

Planned once for the whole table, from a stream of its own, so that every chunk of a
chunked run computes the same plan: each typology's row budget is filled with whole
events and the events are dealt to blocks of accounts, so episodes keep their size at
any fraud rate (at low rates most blocks hold no fraud, the others whole episodes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgecase._random import BLOCK_SIZE
from edgecase.errors import InvalidParameterError
from edgecase.fraud.typologies import Typology

__all__ = ["plan_blocks", "largest_remainder"]

#: Spawn key of the fraud plan's stream (blocks use 0, 1, 2, ...; never this many).
_PLAN_STREAM = 2**32 - 1
#: Draws of a typology's event sequence before its last event is cut to fit the budget.
_EXACT_TRIES = 200


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total``, proportional to ``weights`` (deterministic)."""
    if total == 0 or weights.shape[0] == 0:
        return np.zeros(weights.shape[0], dtype=np.int64)
    share = total * weights / weights.sum()
    base = np.floor(share).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(share - base), kind="stable")
        base[order[:rest]] += 1
    return base


def _events(rng, typ: Typology, n_rows: int, n_acc: int) -> np.ndarray:
    """Event sizes of one typology summing to exactly ``n_rows``, all whole when possible.

    Sequences of whole events are drawn until one lands exactly on ``n_rows`` (about one
    in "mean event size" does); cutting the last event instead would bias small budgets
    towards short episodes. Only after ``_EXACT_TRIES`` misses (or when ``n_rows`` is
    below the smallest event) is the last event cut to fit.
    """
    for _ in range(_EXACT_TRIES):
        sz = _event_sequence(rng, typ, n_rows, n_acc)
        if int(sz.sum()) == n_rows:
            return sz
    sz[-1] -= int(sz.sum() - n_rows)
    return sz


def _event_sequence(rng, typ: Typology, n_rows: int, n_acc: int) -> np.ndarray:
    """Whole event sizes, just enough to reach ``n_rows`` rows (the sum may pass it)."""
    sizes, total = [], 0
    while total < n_rows:
        sz = typ.event_sizes(rng, max(4, n_rows // 4))
        sz = np.minimum(sz, n_acc) if typ.multi_victim else sz
        sizes.append(sz)
        total += int(sz.sum())
    sz = np.concatenate(sizes)
    return sz[: int(np.searchsorted(np.cumsum(sz), n_rows) + 1)].copy()


def plan_blocks(
    n_transactions: int,
    n_accounts: int,
    fraud_rate: float,
    seed: np.random.SeedSequence,
    typologies: list[Typology],
    p: np.ndarray,
) -> dict[str, Any]:
    """Accounts, rows and fraud events per block: fixed by the arguments, never by chunking.

    Fraud is planned for the whole table, from its own stream: each typology's row budget
    (largest remainder of ``n_fraud * p``) is filled with whole events (only its last one
    cut to fit), and the events, shuffled, are dealt to the blocks in proportion to their
    rows. At low rates most blocks then hold no fraud and the others whole episodes.
    """
    n_fraud = int(round(n_transactions * float(fraud_rate)))
    n_blocks = -(-n_accounts // BLOCK_SIZE)
    acc_per_block = np.full(n_blocks, BLOCK_SIZE, dtype=np.int64)
    acc_per_block[-1] = n_accounts - BLOCK_SIZE * (n_blocks - 1)
    rows_per_block = largest_remainder(n_transactions, acc_per_block.astype(float))
    rng = np.random.Generator(
        np.random.PCG64(
            np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, _PLAN_STREAM))
        )
    )
    typ, size = _plan_events(rng, n_fraud, typologies, p, int(acc_per_block.max()))
    multi = np.array([t.multi_victim for t in typologies], dtype=bool)[typ]
    block = _deal_events(size, multi, rows_per_block, acc_per_block, n_fraud)
    order = np.lexsort((np.arange(typ.shape[0]), typ, block))
    return {
        "n_blocks": n_blocks,
        "acc_per_block": acc_per_block,
        "rows_per_block": rows_per_block,
        "fraud_per_block": np.bincount(block, weights=size, minlength=n_blocks).astype(np.int64),
        "event_typology": typ[order],
        "event_size": size[order],
        "event_offsets": np.searchsorted(block[order], np.arange(n_blocks + 1)),
    }


def _plan_events(
    rng: np.random.Generator, n_fraud: int, typologies: list[Typology], p: np.ndarray, max_acc: int
) -> tuple[np.ndarray, np.ndarray]:
    """Typology index and size of every fraud event of the table, in random order."""
    typ, size = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for j, budget in enumerate(largest_remainder(n_fraud, p)):
        if budget:
            sz = _events(rng, typologies[j], int(budget), max_acc).astype(np.int64)
            typ.append(np.full(sz.shape[0], j, dtype=np.int64))
            size.append(sz)
    perm = rng.permutation(sum(s.shape[0] for s in size))
    return np.concatenate(typ)[perm], np.concatenate(size)[perm]


def _deal_events(
    size: np.ndarray,
    multi: np.ndarray,
    rows_per_block: np.ndarray,
    acc_per_block: np.ndarray,
    n_fraud: int,
) -> np.ndarray:
    """The block of each event: where the event's middle row falls when the events are laid
    end to end over the blocks' shares of the fraud rows (largest remainder by rows)."""
    share = np.cumsum(largest_remainder(n_fraud, rows_per_block.astype(float)))
    block = np.searchsorted(share, np.cumsum(size) - size / 2.0, side="right")
    load = np.bincount(block, weights=size, minlength=rows_per_block.shape[0])
    if (load <= rows_per_block).all() and (size[multi] <= acc_per_block[block[multi]]).all():
        return block
    # tiny blocks only: move what does not fit to the nearest block with room for it
    load = np.zeros(rows_per_block.shape[0], dtype=np.int64)
    dist = np.abs(np.arange(rows_per_block.shape[0])[None, :] - block[:, None])
    for i in range(size.shape[0]):
        fits = (load + size[i] <= rows_per_block) & (~multi[i] | (size[i] <= acc_per_block))
        if not fits.any():
            raise InvalidParameterError(
                f"fraud_rate is too high for the blocks' rows: an event of {size[i]} rows "
                "fits in no block of 1,000 accounts; lower fraud_rate or add rows."
            )
        block[i] = int(np.argmin(np.where(fits, dist[i], np.iinfo(np.int64).max)))
        load[block[i]] += size[i]
    return block
