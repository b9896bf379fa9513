"""Shared input checks used by every public entry point.

Each check either returns a cleaned value or raises an
:class:`~edgecase.errors.EdgecaseError` whose message names the column or
parameter and what was expected. Nothing here drops, clips or fills values.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import InvalidParameterError as _SklearnParamError

from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError

__all__ = [
    "as_frame",
    "float_matrix",
    "check_X_y",
    "check_declared_params",
    "check_finite",
    "check_finite_column",
    "zero_one",
    "MAX_ABS_VALUE",
    "MAX_EXACT_INT",
    "check_not_empty",
    "check_flat_columns",
    "check_binary_target",
    "check_consistent_length",
    "check_aligned",
    "check_labels01",
    "check_score_threshold",
    "plain_value",
    "check_memory",
    "check_min_class_count",
    "check_numeric_columns",
    "check_scalar",
    "check_choice",
    "check_severity",
    "check_returns",
    "check_time_order",
    "closest_names",
    "check_keywords",
]


def check_declared_params(validate: Callable[[], None]) -> None:
    """Run scikit-learn's declarative check of ``_parameter_constraints`` (``validate``,
    usually ``super()._validate_params``) and raise its error as edgecase's
    :class:`~edgecase.errors.InvalidParameterError`, with the same message naming the
    parameter, so that every bad parameter is an ``EdgecaseError``."""
    try:
        validate()
    except InvalidParameterError:
        raise
    except _SklearnParamError as exc:
        raise InvalidParameterError(str(exc)) from None


def as_frame(X: Any, *, name: str = "X", allow_empty: bool = False) -> pd.DataFrame:
    """Return ``X`` as a DataFrame (numpy arrays get columns ``x0, x1, ...``).

    A DataFrame is returned as is (no copy); 1-D arrays are refused because a
    single feature must be an explicit column.
    """
    if isinstance(X, pd.DataFrame):
        df = X
    elif isinstance(X, pd.Series):
        raise InvalidInputError(
            f"{name} must be 2-D (a DataFrame or an array of shape (n, p)); got a Series."
        )
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # noqa: BLE001 - any conversion failure is a bad input
            raise InvalidInputError(f"{name} could not be read as a 2-D array: {exc}") from None
        if arr.ndim != 2:
            raise InvalidInputError(
                f"{name} must be 2-D with shape (n_rows, n_columns); got {arr.ndim} dimension(s)."
            )
        df = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    if not allow_empty:
        check_not_empty(df, name=name)
    check_flat_columns(df, name=name)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise InvalidInputError(
            f"{name} has duplicated column names {dup}; column names must be unique."
        )
    return df


def float_matrix(df: pd.DataFrame) -> np.ndarray:
    """``df``'s columns as one float64 matrix: categories as their codes, bools as 0/1,
    for estimators that read numbers only (detectors, distance-based checks)."""
    return np.column_stack(
        [
            df[c].cat.codes.to_numpy(float)
            if isinstance(df[c].dtype, pd.CategoricalDtype)
            else df[c].to_numpy(float)
            for c in df.columns
        ]
    )


def check_flat_columns(df: pd.DataFrame, *, name: str = "X") -> None:
    """Refuse MultiIndex (nested) column names: features are addressed by one name each,
    and a tuple name is silently read as a path into the nesting by pandas."""
    if isinstance(df.columns, pd.MultiIndex):
        raise InvalidInputError(
            f"{name} has MultiIndex columns (levels {list(df.columns.names)}); flatten them "
            f"first, e.g. {name}.columns = ['_'.join(map(str, c)) for c in {name}.columns]."
        )


def check_not_empty(X: pd.DataFrame | np.ndarray | pd.Series, *, name: str = "X") -> None:
    """Refuse inputs with no rows (or, for 2-D inputs, no columns)."""
    shape = getattr(X, "shape", (len(X),))
    if shape[0] == 0:
        raise InvalidInputError(f"{name} is empty: it has no rows.")
    if len(shape) > 1 and shape[1] == 0:
        raise InvalidInputError(f"{name} has no columns.")


def check_numeric_columns(
    df: pd.DataFrame, *, name: str = "X", allow: Iterable[str] = ("category", "bool")
) -> None:
    """Refuse columns that are neither real numeric nor one of the ``allow`` kinds.

    ``allow`` may hold ``"category"``, ``"bool"``, ``"datetime"`` (time-zone-naive) and
    ``"text"`` (str/object columns, for callers that treat them as categories). Complex
    columns are refused: every computation downstream would drop the imaginary part.
    """
    allow = set(allow)
    for col in df.columns:
        dt = df[col].dtype
        # Categories first: pandas calls a category of True/False levels a bool dtype.
        if isinstance(dt, pd.CategoricalDtype):
            if "category" in allow:
                _check_category_levels(dt, name=name, col=col)
                continue
        elif pd.api.types.is_bool_dtype(dt):
            if "bool" in allow:
                continue
        elif pd.api.types.is_datetime64_any_dtype(dt):
            if "datetime" in allow and not isinstance(dt, pd.DatetimeTZDtype):
                continue
        elif pd.api.types.is_complex_dtype(dt):
            pass
        elif pd.api.types.is_string_dtype(dt) or dt == np.dtype(object):
            if "text" in allow and _all_text(df[col], name=name, col=col):
                continue
        elif pd.api.types.is_numeric_dtype(dt):
            continue
        kinds = ", ".join(["numeric", *sorted(allow)])
        raise InvalidInputError(
            f"{name} column {col!r} has dtype {dt}; expected one of: {kinds}. {_dtype_hint(dt, allow)}"
        )


def _all_text(s: pd.Series, *, name: str, col: Any) -> bool:
    """A text column holds only strings: an object column mixing numbers and text would be
    read as categories whose levels mix types, and its numbers never compared as numbers."""
    other = s[~s.map(lambda v: isinstance(v, str))]
    if len(other) and not other.isna().all():
        v = other[other.notna()].iloc[0]
        raise InvalidInputError(
            f"{name} column {col!r} mixes text with {type(v).__name__} values (e.g. "
            f"{plain_value(v)!r}); a column holds one kind of value: convert it to numbers "
            f"(pd.to_numeric) or to text ({name}[{col!r}].astype(str))."
        )
    return True


def _check_category_levels(dt: pd.CategoricalDtype, *, name: str, col: Any) -> None:
    """Category levels must all be text or all be integers: tree libraries encode levels
    by their text or integer value, and fail on bool, float or mixed-type levels."""
    levels = list(dt.categories)
    kinds = {
        "bool"
        if isinstance(v, (bool, np.bool_))
        else "text"
        if isinstance(v, str)
        else "integer"
        if isinstance(v, numbers.Integral)
        else "float"
        if isinstance(v, numbers.Real)
        else type(v).__name__
        for v in levels
    }
    if kinds <= {"text"} or kinds <= {"integer"}:
        return
    shown = ", ".join(repr(plain_value(v)) for v in levels[:4])
    fix = (
        f"for True/False use a bool column ({name}[{col!r}].astype(bool))"
        if kinds == {"bool"}
        else "pass it as a numeric column if it is a quantity"
    )
    raise InvalidInputError(
        f"{name} column {col!r} is a category with {' and '.join(sorted(kinds))} levels "
        f"({shown}); category levels must be all text or all integers: {fix}, otherwise "
        f"relabel them ({name}[{col!r}].cat.rename_categories(str))."
    )


def _dtype_hint(dt: Any, allow: set[str]) -> str:
    """How to fix a refused column dtype, never contradicting the dtype it has."""
    if pd.api.types.is_complex_dtype(dt):
        return "Complex data not supported: pass the real part or the magnitude as columns."
    if isinstance(dt, pd.DatetimeTZDtype):
        return "Time-zone-aware datetimes are not supported: convert with .dt.tz_convert(None)."
    if isinstance(dt, pd.CategoricalDtype):
        return "Encode the categories as numbers (e.g. .cat.codes) first."
    if isinstance(dt, pd.PeriodDtype):
        return "Convert periods to timestamps (.dt.to_timestamp()) or numbers first."
    if pd.api.types.is_datetime64_any_dtype(dt) or pd.api.types.is_timedelta64_dtype(dt):
        return "Convert times to numbers (e.g. seconds) first."
    if "category" in allow:
        return "Convert text columns to pandas 'category' first."
    return "Convert the column to numbers first."


#: The largest magnitude a numeric value may have. Tree libraries (XGBoost, LightGBM)
#: and scikit-learn's neighbour searches compute in float32, whose largest value is
#: 3.4e38: a bigger value becomes inf there, and a sum of a few values near it
#: overflows, so values beyond this bound are refused as if they were infinite.
MAX_ABS_VALUE = 1e30


def check_finite(df: pd.DataFrame | np.ndarray, *, name: str = "X") -> None:
    """Refuse NaN, missing values, +-inf and magnitudes above :data:`MAX_ABS_VALUE`,
    naming the first offending column."""
    if isinstance(df, np.ndarray):
        df = as_frame(df, name=name, allow_empty=True)
    for col, s in df.items():
        check_finite_column(s, name=name, col=col)


def check_finite_column(s: pd.Series, *, name: str, col: Any) -> None:
    """:func:`check_finite` of one column ``s`` (named ``col`` in the errors). The
    counts in the errors are of ``s``'s values, so checking only some of a column's
    values gives the whole column's errors when the others have passed."""
    n_missing = int(s.isna().sum())
    if n_missing:
        raise InvalidInputError(
            f"{name} column {col!r} has {n_missing} missing value(s) (NaN/None/NaT); "
            "edgecase never imputes silently: fill or drop them first."
        )
    if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        _check_exact_integers(s, name=name, col=col)
    if pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_complex_dtype(s.dtype):
        n_inf = int(np.isinf(s.to_numpy(dtype=float, na_value=np.nan)).sum())
        if n_inf:
            raise InvalidInputError(
                f"{name} column {col!r} has {n_inf} infinite value(s); expected finite numbers."
            )
        _check_magnitude(s, name=name, col=col)


#: The largest integer magnitude accepted: beyond 2**53 float64 (in which every model and
#: sampler computes) no longer holds each integer exactly, and a value near the int64 limit
#: wraps around to the other sign when cast back.
MAX_EXACT_INT = 2**53


def _check_exact_integers(s: pd.Series, *, name: str, col: Any) -> None:
    v = s.to_numpy()
    if v.dtype == object:  # nullable Int64 with no missing values left
        v = s.to_numpy(dtype=np.int64) if s.dtype.kind == "i" else s.to_numpy(dtype=np.uint64)
    big = (v > MAX_EXACT_INT) | ((v < -MAX_EXACT_INT) if v.dtype.kind == "i" else False)
    if big.any():
        raise InvalidInputError(
            f"{name} column {col!r} has {int(big.sum())} integer(s) larger than 2**53 in "
            f"magnitude (e.g. {plain_value(v[big][0])}); float64 computations would change them: "
            "pass ids as a category, nanosecond times as datetime64, or rescale the column."
        )


def _check_magnitude(s: pd.Series, *, name: str, col: Any) -> None:
    """Refuse finite values too large to compute with (see :data:`MAX_ABS_VALUE`)."""
    v = np.abs(s.to_numpy(dtype=float, na_value=np.nan))
    n_big = int((v > MAX_ABS_VALUE).sum())
    if n_big:
        raise InvalidInputError(
            f"{name} column {col!r} has {n_big} value(s) larger than {MAX_ABS_VALUE:g} in "
            f"magnitude (largest {float(v.max()):g}); values this large overflow float32 "
            "computations: rescale the column (e.g. to other units or a log scale)."
        )


def zero_one(arr: np.ndarray) -> bool:
    """Whether every value of ``arr`` is 0 or 1; int8 labels (the checked form) in one
    pass instead of ``np.isin``'s sort."""
    if arr.dtype == np.int8:
        return bool((arr.view(np.uint8) <= 1).all())  # -1 views as 255
    return bool(np.isin(arr, (0, 1)).all())


def _int8_labels(y: Any) -> np.ndarray | None:
    """A copy of ``y`` if it is already what :func:`check_binary_target` returns (1-D
    int8 0/1 with both classes: labels checked once and passed on), else None. Such
    labels are common (every stress scenario gets the checked test labels) and the
    general checks cost a hundred times more."""
    arr = y.to_numpy() if isinstance(y, pd.Series) else y
    if not (isinstance(arr, np.ndarray) and arr.dtype == np.int8 and arr.ndim == 1):
        return None
    if not zero_one(arr):
        return None  # values other than 0/1: the general path names them
    if not 0 < np.count_nonzero(arr) < len(arr):
        return None  # a single class (or none): the general path says which
    return arr.copy()


def check_binary_target(y: Any, *, name: str = "y", positive: Any = None) -> np.ndarray:
    """Return ``y`` as an int8 array of 0/1, with 1 for the positive (minority) class.

    Accepts bool, 0/1, or any two labels; with two arbitrary labels ``positive``
    says which is 1, otherwise the rarer label is taken as positive.
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise InvalidInputError(
                f"{name} must be one column of labels; got {y.shape[1]} columns."
            )
        y = y.iloc[:, 0]
    fast = _int8_labels(y)
    if fast is not None:
        return fast
    s = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
    if np.ndim(y) > 1 and not (np.ndim(y) == 2 and np.shape(y)[1] == 1):
        raise InvalidInputError(f"{name} must be 1-D; got shape {np.shape(y)}.")
    if len(s) == 0:
        raise InvalidInputError(f"{name} is empty: it has no labels.")
    if s.isna().any():
        raise InvalidInputError(
            f"{name} has {int(s.isna().sum())} missing label(s); expected 0/1 labels."
        )
    labels = pd.unique(s)
    if len(labels) == 1:
        raise InvalidInputError(
            f"{name} has a single class ({plain_value(labels[0])!r}); at least one positive and one negative row are needed."
        )
    if len(labels) > 2:
        shown = ", ".join(repr(plain_value(v)) for v in list(labels)[:6])
        raise InvalidInputError(
            f"{name} must be binary; found {len(labels)} classes ({shown}, ...)."
        )
    values = set(labels.tolist())
    fractional = [
        v for v in values if isinstance(v, float) and not isinstance(v, bool) and not v.is_integer()
    ]
    if fractional:
        raise InvalidInputError(
            f"{name} has fractional label(s) {sorted(fractional)[:3]}; labels must be 0/1, "
            "bool or two class names, never scores."
        )
    if values <= {0, 1} or values <= {False, True}:
        out = s.astype(int).to_numpy()
    else:
        if positive is None:
            counts = s.value_counts()
            positive = counts.idxmin()
        elif positive not in values:
            raise InvalidParameterError(
                f"positive={positive!r} is not one of the labels in {name}: {sorted(map(repr, values))}."
            )
        out = (s == positive).to_numpy().astype(int)
    return out.astype(np.int8)


def check_consistent_length(X: Any, y: Any, *, names: tuple[str, str] = ("X", "y")) -> None:
    """Refuse X and y with different numbers of rows, or with pandas indexes that disagree
    (see :func:`check_aligned`)."""
    if len(X) != len(y):
        raise InvalidInputError(
            f"{names[0]} has {len(X)} rows but {names[1]} has {len(y)}; they must match."
        )
    check_aligned(X, y, names=names)


def check_aligned(X: Any, y: Any, *, names: tuple[str, str] = ("X", "y")) -> None:
    """Refuse two pandas objects whose indexes are not equal.

    edgecase pairs rows by position. When both inputs carry an index and the
    indexes differ (a shuffled ``y``, a filtered ``X``), pairing by position would
    silently scramble the labels, and guessing an alignment could silently drop rows,
    so the mismatch is refused. Arrays and lists carry no index and pair by position.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 11])
    >>> check_aligned(X, pd.Series([0, 1], index=[10, 11]))
    >>> check_aligned(X, pd.Series([0, 1], index=[11, 10]))
    Traceback (most recent call last):
    ...
    edgecase.errors.InvalidInputError: X and y have different pandas indexes ...
    """
    ix = getattr(X, "index", None)
    iy = getattr(y, "index", None)
    if not (isinstance(ix, pd.Index) and isinstance(iy, pd.Index)) or ix.equals(iy):
        return
    where = np.flatnonzero(ix != iy) if len(ix) == len(iy) else np.array([0])
    at = int(where[0]) if len(where) else 0
    raise InvalidInputError(
        f"{names[0]} and {names[1]} have different pandas indexes (first difference at "
        f"position {at}: {names[0]} has {plain_value(ix[at])}, {names[1]} has {plain_value(iy[at])}); "
        f"rows are paired by position, so align them first "
        f"({names[1]} = {names[1]}.reindex({names[0]}.index)) or pass {names[1]}.to_numpy()."
    )


def plain_value(v: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages show ``1``, not ``np.int64(1)``."""
    return v.item() if isinstance(v, np.generic) else v


def check_labels01(y: Any, *, name: str = "y") -> np.ndarray:
    """Return labels that must already be 0/1 (or bool) as an int8 array; refuse,
    never cast, anything else (256, 0.7, 2, NaN, "yes").

    Examples
    --------
    >>> check_labels01([0, 1, 1.0]).tolist()
    [0, 1, 1]
    """
    s = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y, dtype=object).ravel())
    if s.isna().any():
        raise InvalidInputError(
            f"{name} has {int(s.isna().sum())} missing label(s); expected 0/1 labels."
        )
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy().astype(np.int8)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_complex_dtype(s.dtype):
        v = s.to_numpy(dtype=float)
        ok = (v == 0) | (v == 1)
    else:
        ok = s.map(
            lambda v: isinstance(v, (bool, np.bool_, numbers.Real)) and v in (0, 1)
        ).to_numpy(dtype=bool)
    if not ok.all():
        bad = pd.unique(s[~ok])[:5]
        raise InvalidInputError(
            f"{name} must hold 0/1 labels; found {', '.join(repr(plain_value(v)) for v in bad)}."
        )
    return s.to_numpy().astype(float).astype(np.int8)


def check_score_threshold(value: Any, name: str = "score_threshold") -> float:
    """A score threshold is a finite real in [0, 1] (scores are probabilities)."""
    return float(check_scalar(value, name, low=0.0, high=1.0))


def check_min_class_count(
    y: np.ndarray, minimum: int, *, param: str = "k_neighbors", needed: int | None = None
) -> None:
    """Refuse a minority class too small for a neighbourhood method.

    ``needed`` rows are required (default ``minimum + 1``: a row and its ``k`` neighbours).
    """
    needed = minimum + 1 if needed is None else needed
    n_pos = int(np.sum(np.asarray(y) == 1))
    if n_pos < needed:
        raise InvalidInputError(
            f"the minority class has {n_pos} row(s) but {param}={minimum} needs at least {needed}; "
            f"lower {param} to at most {max(n_pos - 1, 0)} or provide more minority rows."
        )


def check_scalar(
    value: Any,
    name: str,
    *,
    kind: type | tuple[type, ...] = numbers.Real,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Any:
    """Check a scalar parameter's type and range; return it unchanged.

    Examples
    --------
    >>> check_scalar(0.5, "severity", low=0)
    0.5
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    shown = plain_value(value)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise InvalidParameterError(
            f"{name} must be {expected}; got {shown!r} ({type(value).__name__})."
        )
    if (
        not isinstance(value, numbers.Integral)
        and isinstance(value, numbers.Real)
        and not math.isfinite(value)
    ):
        raise InvalidParameterError(f"{name} must be finite; got {shown!r}.")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise InvalidParameterError(f"{name} must be {op} {plain_value(low)}; got {shown!r}.")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        op = "<=" if high_inclusive else "<"
        raise InvalidParameterError(f"{name} must be {op} {plain_value(high)}; got {shown!r}.")
    return value


def check_bool(value: Any, name: str) -> bool:
    """Refuse anything but True or False (a string "yes" or 1 would be truthy); return it.

    Examples
    --------
    >>> check_bool(False, "progress")
    False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(
            f"{name} must be True or False; got {plain_value(value)!r} ({type(value).__name__})."
        )
    return bool(value)


def closest_names(name: str, choices: Sequence[str], n: int = 5) -> list[str]:
    """The ``n`` known names closest to ``name`` (for "did you mean" messages)."""
    return difflib.get_close_matches(str(name), list(choices), n=n, cutoff=0.3)


def check_keywords(
    kwargs: Mapping[str, Any], target: Callable[..., Any], *, where: str, passed: Sequence[str] = ()
) -> None:
    """Refuse keyword arguments that ``where`` would pass on to ``target`` but that
    ``target`` does not take, naming them and the accepted ones (a raw TypeError
    from deep inside would name neither). ``passed`` names the parameters ``where``
    already passes itself."""
    accepted = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in passed
    ]
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        close = closest_names(unknown[0], accepted)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InvalidParameterError(
            f"{where} got unknown keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"it accepts {accepted}.{hint}"
        )


def check_choice(
    value: Any, name: str, choices: Sequence[str], *, error: type[Exception] = UnknownNameError
) -> str:
    """Refuse a string not in ``choices``, listing the closest valid names."""
    if not isinstance(value, str) or value not in choices:
        close = closest_names(str(value), choices)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise error(f"{name}={value!r} is not known; expected one of {sorted(choices)}.{hint}")
    return value


def check_severity(severity: Any, name: str = "severity") -> float:
    """A severity is a finite real number >= 0 (0 = base case, 1 = historic worst)."""
    return float(check_scalar(severity, name, kind=numbers.Real, low=0.0))


def check_returns(returns: Any, *, name: str = "returns", min_obs: int = 2) -> pd.DataFrame:
    """Check a return series/panel: numeric, finite, at least ``min_obs`` rows.

    Returns a DataFrame (a Series becomes one column) without copying data.
    """
    if isinstance(returns, pd.Series):
        df = returns.to_frame(name=returns.name if returns.name is not None else "asset")
    elif isinstance(returns, pd.DataFrame):
        df = returns
    else:
        arr = np.asarray(returns)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise InvalidInputError(
                f"{name} must be 1-D or 2-D (time x assets); got {arr.ndim} dimensions."
            )
        df = pd.DataFrame(arr, columns=[f"asset{i}" for i in range(arr.shape[1])])
    check_not_empty(df, name=name)
    check_flat_columns(df, name=name)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise InvalidInputError(f"{name} has duplicated column names {dup}; name each asset once.")
    check_numeric_columns(df, name=name, allow=())
    check_finite(df, name=name)
    if len(df) < min_obs:
        raise InvalidInputError(
            f"{name} has {len(df)} observation(s); at least {min_obs} are needed."
        )
    check_time_order(df.index, name=name)
    return df


def check_time_order(index: pd.Index, *, name: str = "returns") -> None:
    """Refuse a DatetimeIndex that is not strictly increasing (newest-first or with
    repeated dates): a model fitted to it would learn the series backwards."""
    if not isinstance(index, pd.DatetimeIndex):
        return
    if not index.is_monotonic_increasing:
        raise InvalidInputError(
            f"{name} has a DatetimeIndex that is not in time order (oldest first); "
            f"sort it first ({name}.sort_index())."
        )
    if index.has_duplicates:
        raise InvalidInputError(
            f"{name} has repeated dates in its DatetimeIndex (first {index[index.duplicated()][0]}); "
            "one observation per date is expected."
        )


def check_X_y(
    X: Any,
    y: Any,
    *,
    allow: Iterable[str] = ("category", "bool"),
    names: tuple[str, str] = ("X", "y"),
) -> tuple[pd.DataFrame, np.ndarray]:
    """The standard check at the top of every ``fit``: a non-empty frame of
    numeric/allowed columns with finite values, and matching binary labels.

    Returns ``(X as DataFrame, y as int8 0/1 array)``.
    """
    df = as_frame(X, name=names[0])
    check_numeric_columns(df, name=names[0], allow=allow)
    check_finite(df, name=names[0])
    if y is None:
        raise InvalidInputError(f"{names[1]} is required: pass the 0/1 labels.")
    check_consistent_length(df, y if hasattr(y, "__len__") else [y], names=names)
    return df, check_binary_target(y, name=names[1])


def _available_bytes() -> int:
    """Memory available to this process (MemAvailable on Linux, else physical memory)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def check_memory(shape: Sequence[int], *, what: str, hint: str, itemsize: int = 8) -> None:
    """Refuse a request whose result array of ``shape`` would not fit in memory, with the
    number, instead of a MemoryError (or swapping) halfway through."""
    n_bytes = math.prod(int(v) for v in shape) * itemsize
    available = _available_bytes()
    if n_bytes > available:
        dims = " x ".join(f"{int(v):,}" for v in shape)
        raise InvalidParameterError(
            f"{what} needs {dims} values = {n_bytes / 1e9:,.1f} GB of memory, but "
            f"{available / 1e9:,.1f} GB is available; {hint}"
        )
