"""Every bad input ends here.

All exceptions raised on purpose by edgecase derive from :class:`EdgecaseError`,
which is a :class:`ValueError`, so ``except ValueError`` in user code keeps
working. Messages name the column or parameter and what was expected.

Some classes also derive from the scikit-learn exception that plays the same
role, so scikit-learn's own machinery (``check_is_fitted``, the common estimator
checks on parameter validation) recognises them.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

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
    "MissingDependencyError",
    "optional_import",
]


# numpy >= 2 shows scalars as ``np.float64(1.5)``; a message shows the value, ``1.5``.
_NUMPY_REPR = re.compile(
    r"\bnp\.(?:float|int|uint|bool|complex|str_|bytes_|datetime64|timedelta64)\w*\(([^()]*)\)"
)
_NUMPY_BOOL = re.compile(r"\bnp\.(True|False)_")


def plain_message(message: str) -> str:
    """``message`` with numpy scalar reprs replaced by the values they hold.

    Examples
    --------
    >>> plain_message("got np.float64(-63.1) and np.int64(3), np.str_('a'), np.True_")
    "got -63.1 and 3, 'a', True"
    """
    return _NUMPY_BOOL.sub(r"\1", _NUMPY_REPR.sub(r"\1", message))


class EdgecaseError(ValueError):
    """Base class of every error edgecase raises on purpose.

    A message is cleaned of numpy scalar reprs (:func:`plain_message`) wherever it was
    formatted, so ``np.int64(1)`` never reaches the user.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (plain_message(args[0]), *args[1:])
        super().__init__(*args)


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


class MissingDependencyError(EdgecaseError, ImportError):
    """An optional dependency is not installed; the message says what to install.

    Also an :class:`ImportError`, so ``except ImportError`` around an optional
    feature keeps working.
    """


def optional_import(module: str, *, install: str, needed_for: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` saying how to install it.

    Examples
    --------
    >>> optional_import("json", install="(standard library)", needed_for="JSON").__name__
    'json'
    >>> optional_import("no_such_module_xyz", install="pip install xyz", needed_for="a demo")
    Traceback (most recent call last):
    ...
    edgecase.errors.MissingDependencyError: a demo needs 'no_such_module_xyz', which is not installed: pip install xyz
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{needed_for} needs {module!r}, which is not installed: {install}"
        ) from exc
