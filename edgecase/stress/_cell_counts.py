"""Row counts of every cell of every feature combination up to an order.

A combination's cells are the values of its mixed-radix code over the features' bin codes
(first feature most significant), so one ``np.bincount`` of that code counts them all.
On a large population that count is the whole cost of a slice search: one scattered
increment per row and combination (4,060 triples of 30 features over 200,000 rows are
about 800M increments), and ``np.bincount`` holds the GIL, so threads cannot share it.

Fewer passes over the rows give the same counts: consecutive features are packed into
*blocks* whose joint table stays small, one ``bincount`` over a union of ``max_order``
blocks counts their joint table, and every combination inside that union is a sum over
the table's other axes. Every combination of at most ``max_order`` features lies in some
union (its features touch at most ``max_order`` blocks), and the sums are exact integer
arithmetic, so the counts are the same as one ``bincount`` per combination. The joint
table is kept at most 1/8 of the rows, so summing it costs less than counting the rows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

# a joint table has at most n_rows / _ROWS_PER_CELL cells: summing one (reading every
# cell) then costs a small share of a bincount over the rows (one scattered write each)
_ROWS_PER_CELL = 8
# a union of blocks must save this many bincounts of combinations: with small tables its
# Python work (codes, sums, bookkeeping) costs about a bincount of a few thousand rows
_UNION_COST = 2


def narrow(codes: list[np.ndarray], size: int) -> list[np.ndarray]:
    """The bin codes in the smallest unsigned type that holds codes up to ``size``.

    Counting is memory-bound: 1- or 2-byte codes make the multiply-adds over the rows
    4-8x lighter than 8-byte ones (``bincount`` widens them once, as it must).
    """
    for dtype in (np.uint8, np.uint16, np.uint32):
        if size <= np.iinfo(dtype).max:
            return [c.astype(dtype, copy=False) for c in codes]
    return [c.astype(np.intp, copy=False) for c in codes]


def widest(k_levels: list[int], max_order: int) -> int:
    """The most cells of any combination of at most ``max_order`` features."""
    return math.prod(sorted(k_levels, reverse=True)[:max_order])


def mixed_radix(codes: list[np.ndarray], k_levels: list[int], feats: tuple[int, ...]) -> np.ndarray:
    """The code of ``feats``'s cells, first feature most significant, in the codes' type
    (which must hold the product of their levels: see :func:`narrow`)."""
    code = codes[feats[0]]
    for f in feats[1:]:
        code = code * code.dtype.type(k_levels[f])
        code += codes[f]
    return code


def combination_counts(
    codes: list[np.ndarray], k_levels: list[int], max_order: int
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """``(combination, row count of each of its cells)`` for every combination of 1 to
    ``max_order`` features, each once, in no fixed order."""
    n_rows = len(codes[0]) if codes else 0
    cap = max(n_rows // _ROWS_PER_CELL, 1)
    blocks = _blocks(k_levels, int(cap ** (1 / max_order)))
    block_levels = [_size(k_levels, b) for b in blocks]
    codes = narrow(codes, max(widest(k_levels, max_order), *block_levels))
    unions = math.comb(len(blocks), min(max_order, len(blocks)))
    if unions * _UNION_COST > math.comb(len(codes), min(max_order, len(codes))):
        # few rows (small joint tables, blocks of one feature): a union then saves too
        # few bincounts to pay for summing its table, so each combination is counted
        yield from _one_by_one(codes, k_levels, max_order)
        return
    block_codes = [mixed_radix(codes, k_levels, b) for b in blocks]
    done: set[tuple[int, ...]] = set()
    positions: dict[int, list[tuple[int, ...]]] = {}
    for feats, table in _tables(codes, k_levels, blocks, block_codes, block_levels, max_order, cap):
        if len(feats) not in positions:
            positions[len(feats)] = [
                pos
                for order in range(1, max_order + 1)
                for pos in itertools.combinations(range(len(feats)), order)
            ]
        margins = _Margins(table.reshape([k_levels[f] for f in feats]))
        for pos in positions[len(feats)]:
            axes = tuple(feats[p] for p in pos)
            combo = tuple(sorted(axes))
            if combo in done:
                continue
            done.add(combo)
            counts = margins.of(pos)
            if axes != combo:  # blocks need not be in feature order; the code is
                counts = counts.transpose(np.argsort(axes))
            yield combo, counts.ravel()


def _one_by_one(
    codes: list[np.ndarray], k_levels: list[int], max_order: int
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """One ``bincount`` per combination, in combinations() order."""
    # combinations() varies the last feature fastest: the code of a combination's prefix
    # is shared by its neighbours, so each order keeps the last prefix code it built
    cached: dict[int, tuple[tuple[int, ...], np.ndarray]] = {}

    def code_of(combo: tuple[int, ...]) -> np.ndarray:
        if len(combo) == 1:
            return codes[combo[0]]
        hit = cached.get(len(combo) - 1)
        if hit is None or hit[0] != combo[:-1]:
            hit = (combo[:-1], code_of(combo[:-1]))
            cached[len(combo) - 1] = hit
        code = hit[1] * codes[combo[-1]].dtype.type(k_levels[combo[-1]])
        code += codes[combo[-1]]
        return code

    for order in range(1, max_order + 1):
        cached.clear()
        for combo in itertools.combinations(range(len(codes)), order):
            yield combo, np.bincount(code_of(combo), minlength=_size(k_levels, combo))


class _Margins:
    """Marginal tables of one joint table, each summed from a memoised parent with one
    more axis: a one-axis sum of a small table is far cheaper than a many-axis sum of the
    joint one, and neighbouring combinations share their parents."""

    def __init__(self, joint: np.ndarray) -> None:
        self.memo = {tuple(range(joint.ndim)): joint}

    def of(self, pos: tuple[int, ...]) -> np.ndarray:
        table = self.memo.get(pos)
        if table is None:
            # add back the first missing axis: the chain from the joint table then drops
            # its last axes first, which are the cheapest (most contiguous) to sum
            q = next(p for p in range(len(pos) + 1) if p not in pos)
            parent = tuple(sorted((*pos, q)))
            table = self.of(parent).sum(axis=parent.index(q))
            self.memo[pos] = table
        return table


def _size(k_levels: list[int], feats: tuple[int, ...]) -> int:
    return math.prod(k_levels[f] for f in feats)


def _blocks(k_levels: list[int], most: int) -> list[tuple[int, ...]]:
    """Features packed into blocks whose joint levels stay within ``most``: first fit,
    features with the most levels first, so that small ones (bools) fill the gaps that
    large ones leave (with at most 29 levels: 8 x 2 rather than 8 alone)."""
    blocks: list[list[int]] = []
    sizes: list[int] = []
    for f in sorted(range(len(k_levels)), key=lambda f: -k_levels[f]):
        fit = next((i for i, size in enumerate(sizes) if size * k_levels[f] <= most), None)
        if fit is None:
            blocks.append([f])
            sizes.append(k_levels[f])
        else:
            blocks[fit].append(f)
            sizes[fit] *= k_levels[f]
    return sorted(tuple(sorted(b)) for b in blocks)


def _tables(codes, k_levels, blocks, block_codes, block_levels, max_order, cap):
    """``(features, counts of their joint cells)`` over unions of ``max_order`` blocks
    that cover every combination; a union whose table would exceed ``cap`` is counted
    as its combinations of ``max_order`` features instead."""
    dtype = narrow([np.zeros(0, np.uint8)], cap)[0].dtype.type
    # combinations() varies the last block fastest: the code of a union's first blocks is
    # shared by its neighbours, so the last prefix code built is kept
    prefix: tuple[tuple[int, ...], np.ndarray] | None = None
    for group in itertools.combinations(range(len(blocks)), min(max_order, len(blocks))):
        feats = tuple(f for b in group for f in blocks[b])
        size = math.prod(block_levels[b] for b in group)
        if size > cap:
            for sub in itertools.combinations(feats, min(max_order, len(feats))):
                sub_size = _size(k_levels, sub)
                yield sub, np.bincount(mixed_radix(codes, k_levels, sub), minlength=sub_size)
            continue
        if prefix is None or prefix[0] != group[:-1]:
            prefix = (group[:-1], np.zeros(len(block_codes[0]), dtype))
            for b in group[:-1]:
                prefix[1][...] *= dtype(block_levels[b])
                prefix[1][...] += block_codes[b]
        code = prefix[1] * dtype(block_levels[group[-1]])
        code += block_codes[group[-1]]
        yield feats, np.bincount(code, minlength=size)
