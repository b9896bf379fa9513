"""What the minimal-breaking-example search needs to know about one mutable feature.

Each kind of feature (float, integer, bool, category) is a small object with the
same four parts:

* ``strategy()``: the hypothesis strategy of the values an attacker can move it to
  (None when it cannot move at all);
* ``distance(v)``: how far ``v`` is from the original value, in the feature's scale
  (1 for a changed flag or category);
* ``refine(cand, name, evades)``: the value closest to the original, on the way from
  the original to ``cand[name]``, that still evades (bisection; a flag or category
  has nothing between the two values);
* ``encode(v)``: ``v`` as a one-row column of the row's own dtype, for the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from edgecase._validate import check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = ["FeatureKind", "feature_kind", "DIRECTIONS"]

#: Accepted ``directions`` values and the sign of the move they allow (0: either way).
DIRECTIONS = {"increase": 1, "decrease": -1, "both": 0, 1: 1, -1: -1, 0: 0}

Evades = Callable[[Mapping[str, Any]], bool]


class FeatureKind(Protocol):
    """The interface every kind of mutable feature follows (see the module docstring)."""

    v0: Any
    dtype: Any

    def strategy(self) -> Any: ...

    def distance(self, v: Any) -> float: ...

    def delta(self, v: Any) -> float: ...

    def sign(self, v: Any) -> float: ...

    def refine(self, cand: Mapping[str, Any], name: str, evades: Evades) -> Any: ...

    def encode(self, v: Any) -> Any: ...


@dataclass
class _Kind:
    """Defaults shared by the kinds: a discrete change costs 1 and cannot be bisected."""

    v0: Any
    dtype: Any

    def distance(self, v: Any) -> float:
        return float(v != self.v0)

    def delta(self, v: Any) -> float:
        return np.nan

    def sign(self, v: Any) -> float:
        return 1

    def refine(self, cand: Mapping[str, Any], name: str, evades: Evades) -> Any:
        return cand[name]

    def encode(self, v: Any) -> Any:
        return np.asarray([v]).astype(self.dtype)

    def _or_unchanged(self, other: Any) -> Any:
        from hypothesis import strategies as st

        # Unchanged first: hypothesis shrinks toward the first branch, i.e. toward
        # leaving a feature alone.
        return st.one_of(st.just(self.v0), other)


@dataclass
class _Float(_Kind):
    """A continuous feature in ``[lo, hi]``, measured in units of ``scale``."""

    lo: float = 0.0
    hi: float = 0.0
    scale: float = 1.0

    def _fixed(self) -> bool:
        return self.lo > self.hi or self.lo == self.hi == self.v0

    def strategy(self) -> Any:
        from hypothesis import strategies as st

        if self._fixed():
            return None
        return self._or_unchanged(
            st.floats(self.lo, self.hi, allow_nan=False, allow_infinity=False)
        )

    def distance(self, v: Any) -> float:
        return abs(float(v) - self.v0) / self.scale

    def delta(self, v: Any) -> float:
        return float(v) - self.v0

    def sign(self, v: Any) -> float:
        return np.sign(float(v) - self.v0)

    def refine(self, cand: Mapping[str, Any], name: str, evades: Evades) -> Any:
        # bisection on the share t of the move from v0 to v1
        v0, v1 = self.v0, float(cand[name])
        lo_t, hi_t = 0.0, 1.0
        while (hi_t - lo_t) * abs(v1 - v0) > 1e-6 * self.scale:
            mid = 0.5 * (lo_t + hi_t)
            if evades({**cand, name: v0 + mid * (v1 - v0)}):
                hi_t = mid
            else:
                lo_t = mid
        return v0 + hi_t * (v1 - v0)


@dataclass
class _Integer(_Float):
    """A feature that only takes integer values (``lo``/``hi`` already rounded inward)."""

    def strategy(self) -> Any:
        from hypothesis import strategies as st

        if self._fixed():
            return None
        return self._or_unchanged(st.integers(int(self.lo), int(self.hi)))

    def refine(self, cand: Mapping[str, Any], name: str, evades: Evades) -> Any:
        # bisection on the number of integer steps from v0
        v0, v1 = self.v0, float(cand[name])
        lo_k, hi_k = 0, int(round(abs(v1 - v0)))
        step = 1 if v1 > v0 else -1
        while hi_k - lo_k > 1:
            mid = (lo_k + hi_k) // 2
            if evades({**cand, name: int(v0) + step * mid}):
                hi_k = mid
            else:
                lo_k = mid
        return int(v0) + step * hi_k


@dataclass
class _Flag(_Kind):
    """A bool feature; ``direction`` 1 allows only False -> True, -1 only True -> False."""

    direction: int = 0

    def strategy(self) -> Any:
        from hypothesis import strategies as st

        flip = not self.v0
        if (self.direction == 1 and flip is False) or (self.direction == -1 and flip is True):
            return None
        return self._or_unchanged(st.just(flip))


@dataclass
class _Category(_Kind):
    """A categorical feature that can move to any other level of its dtype."""

    levels: Sequence[Any] = ()

    def strategy(self) -> Any:
        from hypothesis import strategies as st

        others = [v for v in self.levels if v != self.v0]
        return self._or_unchanged(st.sampled_from(others)) if others else None

    def encode(self, v: Any) -> Any:
        return pd.Categorical([v], dtype=self.dtype)


def _dtype_kind(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "other"


def _bounds(
    c: str, v0: float, bounds: Mapping[str, Any], X_ref: pd.DataFrame | None
) -> tuple[float, float]:
    """The allowed range of numeric feature ``c``: ``bounds[c]``, else its range in X_ref."""
    if c in bounds:
        b = bounds[c]
        if not (isinstance(b, Sequence) and len(b) == 2):
            raise InvalidParameterError(f"bounds[{c!r}] must be (low, high); got {b!r}.")
        lo, hi = (float(check_scalar(v, f"bounds[{c!r}]")) for v in b)
    elif X_ref is not None:
        ref = X_ref[c].to_numpy(dtype=float)
        lo, hi = float(np.min(ref)), float(np.max(ref))
    else:
        raise InvalidParameterError(
            f"numeric mutable feature {c!r} needs bounds (or pass X_ref to take its range)."
        )
    if not lo <= v0 <= hi:
        raise InvalidInputError(f"row feature {c!r}={v0} is outside its bounds ({lo}, {hi}).")
    return lo, hi


def _numeric(
    c: str,
    value: Any,
    dtype: Any,
    direction: int,
    is_int: bool,
    bounds: Mapping[str, Any],
    X_ref: pd.DataFrame | None,
) -> _Float:
    v0 = float(value)
    if not math.isfinite(v0):
        raise InvalidInputError(f"row feature {c!r} is not finite ({v0}).")
    lo, hi = _bounds(c, v0, bounds, X_ref)
    # the attacker's direction cuts the range at the original value
    if direction == 1:
        lo = v0
    elif direction == -1:
        hi = v0
    if is_int:
        lo, hi = math.ceil(lo), math.floor(hi)
    scale = float(np.std(X_ref[c].to_numpy(dtype=float))) if X_ref is not None else 0.0
    if not scale > 0:
        scale = (hi - lo) if hi > lo else 1.0
    cls = _Integer if is_int else _Float
    return cls(v0=v0, dtype=dtype, lo=lo, hi=hi, scale=scale)


def feature_kind(
    c: str,
    column: pd.Series,
    value: Any,
    *,
    direction: Any,
    integer: bool,
    bounds: Mapping[str, Any],
    X_ref: pd.DataFrame | None,
) -> FeatureKind:
    """The search object of mutable feature ``c`` (its one-row ``column``, original ``value``)."""
    kind = _dtype_kind(column.dtype)
    if direction not in DIRECTIONS:
        raise InvalidParameterError(
            f"directions[{c!r}] must be 'increase', 'decrease' or 'both'; got {direction!r}."
        )
    d = DIRECTIONS[direction]
    if kind == "other":
        raise InvalidInputError(
            f"mutable feature {c!r} has dtype {column.dtype}; expected numeric, bool or category."
        )
    if kind == "bool":
        return _Flag(v0=bool(value), dtype=column.dtype, direction=d)
    if kind == "category":
        return _Category(v0=value, dtype=column.dtype, levels=list(column.cat.categories))
    return _numeric(c, value, column.dtype, d, kind == "int" or integer, bounds, X_ref)
