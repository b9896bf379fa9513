"""Every bad input ends here.

All exceptions raised on purpose by edgecase derive from :class:`EdgecaseError`,
which is a :class:`ValueError`, so ``except ValueError`` in user code keeps
working. Messages name the column or parameter and what was expected.

Some classes also derive from the scikit-learn exception that plays the same
role, so scikit-learn's own machinery (``check_is_fitted``, the common estimator
checks on parameter validation) recognises them.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils._param_validation import InvalidParameterError as _SklearnInvalidParameterError

__all__ = [
    "EdgecaseError",
    "InvalidInputError",
    "InvalidParameterError",
    "SchemaViolationError",
    "NotFittedError",
    "UnknownNameError",
    "UnknownDatasetError",
    "ClusterError",
]


class EdgecaseError(ValueError):
    """Base class of every error edgecase raises on purpose."""


class InvalidInputError(EdgecaseError):
    """The data passed in is unusable: NaN/inf, empty, wrong dtype, one class, bad shape."""


class InvalidParameterError(EdgecaseError, _SklearnInvalidParameterError):
    """A parameter is outside its allowed range or of the wrong type."""


class SchemaViolationError(EdgecaseError):
    """Rows break the declared or inferred table schema (bounds, categories, time order)."""


class NotFittedError(EdgecaseError, _SklearnNotFittedError):
    """A method needs ``fit`` (or another call) to have run first."""


class UnknownNameError(EdgecaseError):
    """A name (sampler, scenario, process, metric...) is not one edgecase knows."""


class UnknownDatasetError(UnknownNameError):
    """A dataset name is not shipped with edgecase."""


class ClusterError(EdgecaseError):
    """A Dask client is closed, unreachable or otherwise unusable."""
