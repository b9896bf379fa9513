"""Constraint-aware oversampling of rare rows: :class:`EdgeCaseOversampler`.

The synthesis core (:mod:`edgecase.fraud._synthesis`, shared with
:class:`~edgecase.fraud.FraudScenarioGenerator`) makes each synthetic row from a
real minority *base* row:

1. **Safe-level weighting.** Every minority row gets a danger score: the
   estimated share of other-class rows inside the ball reaching its k-th
   minority neighbour (other rows are subsampled on large tables and their
   count scaled back). Base rows are drawn with weight ``safety + 0.25`` so
   isolated rows sitting inside the other class (label noise, overlap) seed
   few synthetic rows, and interpolation toward a *less* safe neighbour is
   shortened in proportion (safe-level SMOTE).
2. **Neighbourhood interpolation** toward one of its k nearest minority
   neighbours for continuous columns; discrete columns (binary / one-hot
   indicators, pandas categories, bools) are copied as a whole from the base
   or the neighbour, so one-hot groups and category combinations stay real.
3. **Tail-aware jitter.** Student-t (5 d.o.f.) noise scaled by the row's own
   neighbourhood radius: wide where the class is sparse (its tails), tight in
   dense cores. Interpolation alone only fills the convex hull of the seen
   rows; boosted trees then put split points exactly on the seen values.
4. **Severity** moves rows a share ``severity / (1 + severity)`` of the way
   toward their nearest other-class row: 0 keeps them in the minority region,
   1 halfway to the legit region (harder, evasive cases).
5. **Constraints.** Values are clipped to the schema's (or the observed)
   bounds and integer columns rounded, so nothing leaves the table's domain.

Everything is vectorised and written in place into a preallocated output;
random numbers are drawn per block of ``BLOCK_SIZE`` synthetic rows.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from edgecase._random import as_seed_sequence
from edgecase._validate import (
    as_frame,
    check_aligned,
    check_declared_params,
    check_finite,
    check_numeric_columns,
    plain_value,
)
from edgecase.errors import (
    EdgecaseError,
    InvalidInputError,
    InvalidParameterError,
    SchemaViolationError,
)
from edgecase.fraud._synthesis import (
    Codec,
    bounds,
    column_stats,
    fit_class,
    stat_sample,
    synthesise,
)
from edgecase.schema import TableSchema

__all__ = ["EdgeCaseOversampler"]


# --------------------------------------------------------------------------- the sampler
class EdgeCaseOversampler(BaseOverSampler):
    """Oversample rare classes with safe-level, tail-aware neighbourhood synthesis.

    An imbalanced-learn sampler: use ``fit_resample(X, y)`` or put it in an
    :class:`imblearn.pipeline.Pipeline`. Mixed tables work (pandas
    ``category``/text columns are detected with ``categorical_features="auto"``),
    dtypes are preserved and values stay inside the schema (or observed) bounds.
    See the module docstring for the algorithm.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default "auto"
        As in imbalanced-learn (exact counts per class).
    k_neighbors : int, default 5
        Minority neighbours used for interpolation and danger scores.
    severity : float, default 0.0
        0 keeps synthetic rows in the minority region; larger values move them
        toward the nearest other-class row (harder, evasive cases).
    categorical_features : "auto", array-like or None, default "auto"
        Columns copied (not interpolated): "auto" takes pandas categorical and
        text columns; otherwise names, positions or a boolean mask.
    schema : TableSchema or None
        Bounds and integer constraints of numeric columns; default: the
        observed range of each column and its dtype.
    random_state : None, int, Generator or SeedSequence
        A Generator is advanced: the same Generator state gives the same rows.

    Attributes
    ----------
    sampling_strategy_ : dict
        Rows generated per class.
    parents_ : ndarray of shape (n_synthetic, 2)
        Positions (in the X given to ``fit_resample``) of each synthetic row's
        base row and the neighbour it moved toward.
    danger_ : dict
        Per oversampled class, the danger score of each of its rows.

    Examples
    --------
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("yeast4")
    >>> Xr, yr = EdgeCaseOversampler(random_state=0).fit_resample(X, y)
    >>> int(yr.sum()) == int((y == 0).sum()), list(Xr.dtypes) == list(X.dtypes)
    (True, True)
    >>> EdgeCaseOversampler(random_state=0).fit_resample(X, y)[0].equals(Xr)
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "severity": [Interval(numbers.Real, 0, None, closed="left")],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "schema": [HasMethods(["check", "repair"]), None],
        # numpy Generators and SeedSequences too, as every edgecase random_state
        "random_state": ["random_state", np.random.Generator, np.random.SeedSequence],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        k_neighbors: int = 5,
        severity: float = 0.0,
        categorical_features="auto",
        schema: TableSchema | None = None,
        random_state=None,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.k_neighbors = k_neighbors
        self.severity = severity
        self.categorical_features = categorical_features
        self.schema = schema
        self.random_state = random_state

    def _validate_params(self) -> None:
        check_declared_params(super()._validate_params)
        if isinstance(self.severity, numbers.Real) and not np.isfinite(self.severity):
            raise InvalidParameterError(
                f"The 'severity' parameter of {type(self).__name__} must be finite. "
                f"Got {self.severity!r} instead."
            )

    def fit_resample(self, X, y, **params):
        """Resample ``X, y``: original rows first, then the synthetic rows.

        Generation happens in ``_fit_resample``; this wrapper only turns the
        plain ``ValueError`` imbalanced-learn raises before it (NaN or
        continuous labels) into :class:`~edgecase.errors.InvalidInputError`.
        """
        # Pairing by position when both carry indexes that disagree would scramble labels.
        check_aligned(X, y)
        try:
            return super().fit_resample(X, y, **params)
        except EdgecaseError:
            raise
        except ValueError as exc:
            raise InvalidInputError(f"X/y: {exc}") from exc

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        from imblearn.utils import check_target_type
        from sklearn.utils.validation import validate_data

        # imbalanced-learn's fit_resample has already run check_classification_targets(y)
        try:
            y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        except ValueError as exc:
            raise InvalidInputError(f"y: {exc}") from None
        if isinstance(X, pd.DataFrame) and any(isinstance(d, pd.SparseDtype) for d in X.dtypes):
            X = X.apply(lambda s: s.sparse.to_dense() if isinstance(s.dtype, pd.SparseDtype) else s)
        try:
            if isinstance(X, pd.DataFrame):
                as_frame(X, name="X", allow_empty=True)  # nested or duplicated names, by name
                validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
                y = np.asarray(y)
                if len(X) != len(y):
                    raise InvalidInputError(f"X has {len(X)} rows but y has {len(y)}.")
                if len(X) == 0 or X.shape[1] == 0:
                    raise InvalidInputError("X is empty (no rows or no columns).")
                check_numeric_columns(X, name="X", allow=("category", "bool", "datetime", "text"))
                check_finite(X, name="X")
            else:
                X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=False)
        except InvalidInputError:
            raise
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"X/y: {exc}") from None
        if y.shape[0] == 0 or not (y != y[0]).any():
            raise InvalidInputError(
                "y has a single class; oversampling needs at least two classes "
                "(the target 'y' needs to have more than 1 class)."
            )
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        if self.schema is not None and isinstance(X, pd.DataFrame):
            _check_schema(X, self.schema)
        codec = Codec.from_data(X, self.categorical_features)
        num = codec.numeric(X)
        codes = codec.codes(X)
        if not isinstance(X, pd.DataFrame) and not np.issubdtype(num.dtype, np.floating):
            num = num.astype(np.float64)
        seed = as_seed_sequence(self.random_state)
        root_rng = np.random.Generator(np.random.PCG64(seed.spawn(1)[0]))
        k = int(self.k_neighbors)
        targets = {c: int(n) for c, n in self.sampling_strategy_.items() if n > 0}
        for c in targets:
            n_c = int(np.sum(y == c))
            label = plain_value(c)
            if n_c < k + 1:
                raise InvalidInputError(
                    f"y class {label!r} has {n_c} row(s) but k_neighbors={k} needs at least "
                    f"{k + 1}; lower k_neighbors to at most {max(n_c - 1, 1)}, or use "
                    "RandomOverSampler for classes with a single row."
                    if n_c > 1
                    else f"y class {label!r} has a single row: nothing to interpolate with "
                    f"(k_neighbors={k} needs at least {k + 1}); drop it, collect more rows or "
                    "use RandomOverSampler."
                )
        n = num.shape[0]
        sample = stat_sample(y, root_rng)
        scale, discrete = column_stats(num, sample)
        discrete = discrete | codec.forced_discrete
        integer = codec.integer_mask(num)
        if not isinstance(X, pd.DataFrame):
            integer = integer | np.all(num[sample] == np.round(num[sample]), axis=0)
        total = sum(targets.values())
        if isinstance(X, pd.DataFrame):
            out_num = np.empty((total, num.shape[1]), dtype=np.float64)
            syn_num = out_num
            observed = None
        else:
            out_num = np.empty((n + total, num.shape[1]), dtype=num.dtype)
            observed = _copy_with_range(num, out_num[:n])
            syn_num = out_num[n:]
        low, high = bounds(codec, num, self.schema, integer, observed)
        out_codes = np.empty((total, codes.shape[1]), dtype=np.int32)
        parents = np.empty((total, 2), dtype=np.int64)
        y_new = np.empty(total, dtype=y.dtype)
        self.danger_ = {}
        offset = 0
        for ci, (c, n_new) in enumerate(sorted(targets.items(), key=lambda kv: str(kv[0]))):
            model = fit_class(num, codes, y == c, k, scale, root_rng)
            self.danger_[c] = 1.0 - model.safety
            cls_seed = np.random.SeedSequence(
                entropy=seed.entropy, spawn_key=(*seed.spawn_key, 1 + ci)
            )
            sl = slice(offset, offset + n_new)
            synthesise(
                model,
                n_new,
                cls_seed,
                scale=scale,
                discrete=discrete,
                integer=integer,
                low=low,
                high=high,
                severity=float(self.severity),
                out_num=syn_num[sl],
                out_codes=out_codes[sl],
                parents=parents[sl],
            )
            y_new[sl] = c
            offset += n_new
        self.parents_ = parents
        y_res = np.concatenate([y, y_new])
        if isinstance(X, pd.DataFrame):
            return codec.rebuild(X, out_num, out_codes), y_res
        return out_num, y_res


def _copy_with_range(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copy ``src`` into ``dst`` and return its column min/max, in one pass over memory.

    Reading a cache-sized chunk once for the copy and the range saves two full
    passes over the input on large tables.
    """
    low = np.full(src.shape[1], np.inf)
    high = np.full(src.shape[1], -np.inf)
    step, fold = 1 << 14, 32
    p = src.shape[1]
    for a in range(0, src.shape[0], step):
        chunk = src[a : a + step]
        dst[a : a + step] = chunk
        # A column reduction over (rows, p) runs a p-long inner loop per row; folding
        # 32 rows into one (rows / 32, 32 p) block gives the loop 32 p values at a time.
        r = chunk.shape[0] // fold * fold if chunk.flags.c_contiguous else 0
        for part in (chunk[:r].reshape(-1, fold * p), chunk[r:]):
            if part.shape[0]:
                np.minimum(low, part.min(axis=0).reshape(-1, p).min(axis=0), out=low)
                np.maximum(high, part.max(axis=0).reshape(-1, p).max(axis=0), out=high)
    return low, high


def _check_schema(X: pd.DataFrame, schema: TableSchema) -> None:
    """Refuse rows that break the schema, as FraudScenarioGenerator does: bounds the data
    already violates would pin the synthetic values at the bound."""
    _check_categories(X, schema)
    report = schema.check(X)
    if not report.ok:
        raise SchemaViolationError(f"X does not satisfy the schema: {report}.")


def _check_categories(X: pd.DataFrame, schema: TableSchema) -> None:
    """Refuse category values the schema does not know (they cannot be projected)."""
    for col in X.columns:
        if col in schema.columns and schema[col].kind == "category":
            known = set(schema[col].categories)
            unseen = sorted(set(pd.unique(X[col])) - known, key=str)
            if unseen:
                raise SchemaViolationError(
                    f"column {col!r} has categories {unseen[:5]} that the schema does not "
                    f"know (known: {sorted(known, key=str)[:10]}); extend the schema or "
                    "recode the column."
                )
