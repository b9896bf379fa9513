"""The physics a variation must keep: bounds, integer and bool types, orders and identities.

Found on the real training rows: each numeric column's observed range, integer
columns, pairs that are ordered in every row (``txn_count_1h <= txn_count_24h``)
and exact identities between columns (``Area = Height x Length`` on page-blocks;
a product, a ratio or a sum of two others in at least 99% of rows), plus declared
per-row proportional columns (``amount_to_median`` scales with ``amount``).
:func:`repair` restores them after a move; :func:`violations` counts rows that
break them and :func:`detection_auc` how well a classifier tells generated rows
from real ones (the quality checks of the generated rows). Shared by the fraud
generator and :func:`edgecase.train.harden`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

from edgecase._validate import float_matrix

__all__ = ["Relations", "detection_auc", "find_relations", "repair", "violations"]

# An identity must hold in this share of real rows to count (the rest are recording noise).
_IDENTITY_SHARE = 0.99
_RTOL = 1e-6
# Identity search is cubic in the number of numeric columns; wider tables skip it.
_MAX_IDENTITY_COLUMNS = 40
_PROBE_ROWS = 2_000
_DETECT_ROWS = 1_000
# An identity needs this many rows where none of its three columns is zero.
_MIN_INFORMATIVE = 20
_OPS = {
    "product": lambda a, b: a * b,
    "ratio": lambda a, b: np.divide(a, b, out=np.full_like(a, np.nan), where=b != 0),
    "sum": lambda a, b: a + b,
}


@dataclass
class Relations:
    """What :func:`find_relations` found; every entry names real columns of X."""

    low: dict[str, float]
    high: dict[str, float]
    integer: list[str]
    boolean: list[str]
    orders: list[tuple[str, str]] = field(default_factory=list)  # (a, b): a <= b
    identities: list[tuple[str, str, str, str]] = field(default_factory=list)  # (c, op, a, b)
    proportional: dict[str, str] = field(default_factory=dict)  # c -> a: c / a fixed per row
    movable: list[str] = field(default_factory=list)  # an order never moves the other columns

    @property
    def derived(self) -> set[str]:
        """Columns computed from others: never moved on their own."""
        return {c for c, *_ in self.identities} | set(self.proportional)


def _close(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.isclose(x, y, rtol=_RTOL, atol=1e-9)


def _holds(a: np.ndarray, b: np.ndarray, c: np.ndarray, f) -> bool:
    """``c = f(a, b)`` in 99% of all rows and of the informative rows (no zero among a, b, c).

    Sparse columns (mostly zero) satisfy ``0 = 0 x b`` or ``c = c + 0`` trivially; an
    identity must also hold where all three columns carry a value, on enough rows.
    """
    if _close(f(a, b), c).mean() < _IDENTITY_SHARE:
        return False
    inf = (a != 0) & (b != 0) & (c != 0)
    if inf.sum() < max(_MIN_INFORMATIVE, 0.05 * len(c)):
        return False
    return bool(_close(f(a[inf], b[inf]), c[inf]).mean() >= _IDENTITY_SHARE)


def _identities(num: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    cols = [c for c in num.columns if num[c].nunique() > 1]
    if len(cols) < 3 or len(cols) > _MAX_IDENTITY_COLUMNS:
        return []
    probe = num[cols].iloc[: min(len(num), _PROBE_ROWS)].to_numpy(float)
    full = num[cols].to_numpy(float)
    found: list[tuple[str, str, str, str]] = []
    taken: set[str] = set()  # derived columns
    sources: set[str] = set()  # columns others derive from: they stay free
    for (i, a), (j, b) in itertools.permutations(enumerate(cols), 2):
        if a in taken or b in taken:
            continue
        for op, f in _OPS.items():
            if op != "ratio" and i > j:
                continue  # products and sums are symmetric: one order is enough
            value = f(probe[:, i], probe[:, j])
            for k, c in enumerate(cols):
                if k in (i, j) or c in taken or c in sources:
                    continue
                if _close(value, probe[:, k]).mean() < _IDENTITY_SHARE:
                    continue
                if _holds(full[:, i], full[:, j], full[:, k], f):
                    found.append((c, op, a, b))
                    taken.add(c)
                    sources.update((a, b))
    return found


def _orders(num: pd.DataFrame, movable: list[str]) -> list[tuple[str, str]]:
    values = {c: num[c].to_numpy(float) for c in num.columns}
    out = []
    for a, b in itertools.permutations(num.columns, 2):
        if a not in movable and b not in movable:
            continue
        va, vb = values[a], values[b]
        if np.all(va <= vb) and np.any(va < vb):
            out.append((a, b))
    return out


def find_relations(
    X: pd.DataFrame,
    movable: list[str],
    declared: dict[str, tuple[str, str]],
    whole: list[str] = (),
) -> Relations:
    """Bounds, types, orders and identities of the numeric and bool columns of ``X``.

    ``whole`` names float columns that must stay whole numbers too (a schema's
    integer columns), besides the integer dtypes.
    """
    kinds = {c: X[c].dtype for c in X.columns}
    boolean = [c for c, d in kinds.items() if pd.api.types.is_bool_dtype(d)]
    numeric = [c for c, d in kinds.items() if pd.api.types.is_numeric_dtype(d) and c not in boolean]
    num = X[numeric].astype(float)
    integer = [c for c in numeric if pd.api.types.is_integer_dtype(kinds[c]) or c in whole]
    proportional = {
        c: src
        for c, (rel, src) in declared.items()
        if rel == "ratio" and c in numeric and src in numeric
    }
    # a whole-number column cannot be recomputed from fractional sources and stay whole
    identities = [
        (c, op, a, b)
        for c, op, a, b in _identities(num)
        if c not in proportional and (c not in integer or {a, b} <= set(integer))
    ]
    derived = {c for c, *_ in identities} | set(proportional)
    # a derived column follows its sources: its own range and orders are not constraints
    free = num.drop(columns=sorted(derived))
    return Relations(
        low=free.min().to_dict(),
        high=free.max().to_dict(),
        integer=integer,
        boolean=boolean,
        orders=_orders(free, [c for c in movable if c in free.columns]),
        identities=identities,
        proportional=proportional,
        movable=list(movable),
    )


def repair(moved: pd.DataFrame, source: pd.DataFrame, rel: Relations) -> pd.DataFrame:
    """Bring moved rows back inside the real rows' physics; ``source`` are the rows before the move.

    ``moved`` holds float values for the moved numeric and bool columns; the
    result has the dtypes of ``source``.
    """
    out = moved.copy()
    for c in rel.low:
        if c in out.columns:
            out[c] = out[c].astype(float).clip(rel.low[c], rel.high[c])
    for c in rel.integer:
        out[c] = np.round(out[c].to_numpy(float))
    whole = set(rel.integer)
    for a, b in rel.orders:
        b_moved = not np.array_equal(source[b].to_numpy(float), out[b].to_numpy(float))
        if (b_moved or a not in rel.movable) and (b in rel.movable or a not in rel.movable):
            v = np.maximum(out[b].to_numpy(float), out[a].to_numpy(float))
            out[b] = np.ceil(v) if b in whole else v  # a whole column rises to a whole value
        else:
            v = np.minimum(out[a].to_numpy(float), out[b].to_numpy(float))
            out[a] = np.floor(v) if a in whole else v
    for c, src in rel.proportional.items():
        old = source[src].to_numpy(float)
        factor = np.divide(out[src].to_numpy(float), old, out=np.ones_like(old), where=old != 0)
        out[c] = source[c].to_numpy(float) * factor
    for c, op, a, b in rel.identities:
        out[c] = _OPS[op](out[a].to_numpy(float), out[b].to_numpy(float))
    for c in rel.boolean:
        out[c] = out[c].to_numpy(float) >= 0.5
    for c in source.columns:
        out[c] = out[c].astype(source[c].dtype)
    return out


def violations(rows: pd.DataFrame, rel: Relations) -> np.ndarray:
    """True for each row that breaks a bound, an integer type, an order or an identity."""
    bad = np.zeros(len(rows), dtype=bool)
    for c in rel.low:
        v = rows[c].to_numpy(float)
        span = max(rel.high[c] - rel.low[c], 1.0)
        bad |= (v < rel.low[c] - 1e-9 * span) | (v > rel.high[c] + 1e-9 * span)
    for c in rel.integer:
        v = rows[c].to_numpy(float)
        bad |= v != np.round(v)
    for a, b in rel.orders:
        bad |= rows[a].to_numpy(float) > rows[b].to_numpy(float)
    for c, op, a, b in rel.identities:
        want = _OPS[op](rows[a].to_numpy(float), rows[b].to_numpy(float))
        bad |= ~_close(want, rows[c].to_numpy(float))
    return bad


def detection_auc(generated: pd.DataFrame, real: pd.DataFrame, rng: np.random.Generator) -> float:
    """ROC-AUC of a classifier telling generated rows from real ones (0.5: indistinguishable).

    Three-fold cross-validated random forest on at most 1,000 rows per side.
    """
    n = min(len(generated), len(real), _DETECT_ROWS)
    if n < 10:
        return float("nan")
    g = generated.iloc[rng.choice(len(generated), n, replace=False)]
    r = real.iloc[rng.choice(len(real), n, replace=False)]
    Z = float_matrix(pd.concat([g, r[g.columns]], ignore_index=True))
    lab = np.r_[np.ones(n), np.zeros(n)]
    clf = RandomForestClassifier(n_estimators=60, max_depth=8, n_jobs=1, random_state=0)
    return float(cross_val_score(clf, Z, lab, cv=3, scoring="roc_auc").mean())
