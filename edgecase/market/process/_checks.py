"""Parameter checks shared by the parts of a process."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from edgecase._validate import check_scalar
from edgecase.errors import InvalidParameterError


def real(value: Any, name: str, **kw: Any) -> float:
    """``value`` as a float after :func:`edgecase._validate.check_scalar` (bounds in ``kw``)."""
    return float(check_scalar(value, name, kind=numbers.Real, **kw))


def as_float_array(value: Any, name: str, ndim: int) -> np.ndarray:
    """A finite float array with ``ndim`` dimensions, or an error naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a numeric array.") from None
    if arr.ndim != ndim:
        raise InvalidParameterError(f"{name} must be {ndim}-D; got {arr.ndim}-D.")
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite.")
    return arr
