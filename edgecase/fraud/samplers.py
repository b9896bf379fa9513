"""Constraint-aware oversampling of rare rows: :class:`EdgeCaseOversampler`.

The synthesis core (shared with :class:`~edgecase.fraud.FraudScenarioGenerator`)
makes each synthetic row from a real minority *base* row:

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._param_validation import InvalidParameterError as _SkInvalidParameterError
from sklearn.utils.multiclass import check_classification_targets
from threadpoolctl import threadpool_limits

from edgecase._random import BLOCK_SIZE, as_seed_sequence, block_rngs
from edgecase._validate import check_finite
from edgecase.errors import (
    EdgecaseError,
    InvalidInputError,
    InvalidParameterError,
    SchemaViolationError,
)
from edgecase.schema import TableSchema

__all__ = ["EdgeCaseOversampler"]

_T_DOF = 5.0
_JITTER = 0.15
_CHUNK_BLOCKS = 8
_MAX_OTHER = 10_000
_FLOOR = 0.25  # base-row weight added to safety: noisy rows still seed a few rows
_SAFE_GAP = True  # shorten interpolation toward less safe neighbours
_SAFE_JITTER = False  # measured: shrinking jitter with danger did not help on KEEL


# --------------------------------------------------------------------------- table codec
@dataclass
class _Codec:
    """Split a table into a float matrix of numeric columns and int codes of discrete ones."""

    columns: list  # original column labels (None for ndarray input)
    num_idx: np.ndarray  # positions of numeric (interpolated) columns
    cat_idx: np.ndarray  # positions of categorical columns (codes)
    dtypes: list  # original dtypes (DataFrame) or the array dtype
    cat_dtypes: dict  # position -> CategoricalDtype for rebuilding
    forced_discrete: np.ndarray  # numeric columns to copy, not interpolate (ndarray categories)

    @classmethod
    def from_data(cls, X: Any, categorical: Any) -> _Codec:
        if isinstance(X, pd.DataFrame):
            cols = list(X.columns)
            if isinstance(categorical, str) and categorical == "auto":
                is_cat = np.array(
                    [
                        isinstance(d, pd.CategoricalDtype)
                        or pd.api.types.is_string_dtype(d)
                        or d == np.dtype(object)
                        for d in X.dtypes
                    ]
                )
            else:
                is_cat = _cat_mask(categorical, cols)
            dtypes = list(X.dtypes)
        else:
            p = X.shape[1]
            if isinstance(categorical, str) and categorical == "auto":
                forced = np.zeros(p, dtype=bool)
            else:
                forced = _cat_mask(categorical, list(range(p)))
            # array categories are numeric codes: copied whole, never interpolated
            return cls(None, np.arange(p), np.arange(0), [X.dtype] * p, {}, forced)
        cat_dtypes = {}
        if cols is not None:
            for i in np.flatnonzero(is_cat):
                s = X.iloc[:, i]
                cat_dtypes[i] = (
                    s.dtype
                    if isinstance(s.dtype, pd.CategoricalDtype)
                    else pd.CategoricalDtype(pd.unique(s))
                )
        n_num = int((~is_cat).sum())
        return cls(
            cols,
            np.flatnonzero(~is_cat),
            np.flatnonzero(is_cat),
            dtypes,
            cat_dtypes,
            np.zeros(n_num, dtype=bool),
        )

    def numeric(self, X: Any) -> np.ndarray:
        if self.columns is None:
            return X
        out = np.empty((len(X), self.num_idx.size), dtype=np.float64)
        for j, i in enumerate(self.num_idx):
            s = X.iloc[:, i]
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[:, j] = s.to_numpy().astype("datetime64[ns]").astype(np.int64)
            else:
                out[:, j] = s.to_numpy(dtype=np.float64)
        return out

    def codes(self, X: Any) -> np.ndarray:
        out = np.empty((len(X), self.cat_idx.size), dtype=np.int32)
        for j, i in enumerate(self.cat_idx):
            out[:, j] = pd.Categorical(X.iloc[:, i], dtype=self.cat_dtypes[i]).codes
        return out

    def integer_mask(self, num: np.ndarray) -> np.ndarray:
        """Numeric columns that must stay whole (integer/bool dtype)."""
        out = np.zeros(self.num_idx.size, dtype=bool)
        for j, i in enumerate(self.num_idx):
            d = self.dtypes[i]
            out[j] = (
                pd.api.types.is_integer_dtype(d)
                or pd.api.types.is_bool_dtype(d)
                or pd.api.types.is_datetime64_any_dtype(d)
            )
        return out

    def rebuild(self, X: Any, num_new: np.ndarray, codes_new: np.ndarray) -> pd.DataFrame:
        """Original rows followed by the new ones, every column in its original dtype."""
        data = {}
        for j, i in enumerate(self.num_idx):
            s = X.iloc[:, i]
            v = num_new[:, j]
            d = self.dtypes[i]
            if pd.api.types.is_datetime64_any_dtype(d):
                new = pd.Series(v.astype(np.int64).astype("datetime64[ns]")).astype(d)
            elif pd.api.types.is_bool_dtype(d):
                new = pd.Series(v > 0.5).astype(d)
            else:
                new = pd.Series(v).astype(d)
            data[i] = pd.concat([s.reset_index(drop=True), new], ignore_index=True)
        for j, i in enumerate(self.cat_idx):
            s = X.iloc[:, i]
            dt = self.cat_dtypes[i]
            new = pd.Series(pd.Categorical.from_codes(codes_new[:, j], dtype=dt))
            if not isinstance(s.dtype, pd.CategoricalDtype):
                new = new.astype(s.dtype)
            data[i] = pd.concat([s.reset_index(drop=True), new], ignore_index=True)
        out = pd.DataFrame({k: data[k] for k in range(len(self.columns))})
        out.columns = self.columns
        return out


def _cat_mask(categorical: Any, cols: list) -> np.ndarray:
    p = len(cols)
    if categorical is None:
        return np.zeros(p, dtype=bool)
    arr = np.asarray(categorical)
    if arr.dtype == bool:
        if arr.shape != (p,):
            raise InvalidParameterError(
                f"categorical_features as a boolean mask must have {p} entries; got {arr.shape}."
            )
        return arr.copy()
    mask = np.zeros(p, dtype=bool)
    for c in arr.tolist():
        if c in cols:
            mask[cols.index(c)] = True
        elif isinstance(c, numbers.Integral) and 0 <= c < p:
            mask[int(c)] = True
        else:
            raise InvalidParameterError(
                f"categorical_features entry {c!r} is neither a column name nor a position < {p}."
            )
    return mask


# --------------------------------------------------------------------------- synthesis core
@dataclass
class _ClassModel:
    """Neighbourhood structure of one class, ready to synthesise from."""

    rows: np.ndarray  # positions of the class rows in the input
    num: np.ndarray  # (m, p_num) class numeric values
    codes: np.ndarray  # (m, p_cat)
    nn: np.ndarray  # (m, k) neighbour positions within the class
    radius: np.ndarray  # (m,) distance to the k-th neighbour (standardised units)
    safety: np.ndarray  # (m,) 1 - danger
    other_num: np.ndarray  # (m, p_num) nearest other-class row of each class row
    other_codes: np.ndarray  # (m, p_cat)


def _fit_class(
    num: np.ndarray,
    codes: np.ndarray,
    in_class: np.ndarray,
    k: int,
    scale: np.ndarray,
    rng: np.random.Generator,
    *,
    max_other: int = _MAX_OTHER,
) -> _ClassModel:
    rows = np.flatnonzero(in_class)
    other = np.flatnonzero(~in_class)
    if other.size > max_other:
        # distances only need a faithful sample of the other class; counts are scaled back
        other = np.sort(rng.choice(other, size=max_other, replace=False))
    n_other_total = int((~in_class).sum())

    def embed(idx: np.ndarray) -> np.ndarray:
        parts = [num[idx] / scale]
        if codes.shape[1]:
            # a category mismatch costs about one standard deviation (as SMOTENC's median std)
            parts.append(_one_hot(codes[idx], codes) * np.sqrt(0.5))
        return (np.hstack(parts) if len(parts) > 1 else parts[0]).astype(np.float32)

    Zc = embed(rows)
    m = rows.size
    # The queries are small (minority rows x a capped sample): thread start-up costs more than
    # it saves, and on a busy machine OpenMP spin-waiting doubles the time.
    with threadpool_limits(1):
        nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(Zc)
        d_in, i_in = nn.kneighbors(Zc)
    # drop self (duplicates may put another row first: remove the row's own index wherever it is)
    self_pos = np.where(i_in == np.arange(m)[:, None], True, False)
    has_self = self_pos.any(axis=1)
    drop = np.where(has_self, self_pos.argmax(axis=1), k)
    keep = np.ones_like(i_in, dtype=bool)
    keep[np.arange(m), drop] = False
    i_in = i_in[keep].reshape(m, k)
    d_in = d_in[keep].reshape(m, k)
    radius = d_in[:, -1]
    if other.size:
        Zo = embed(other)
        k_o = min(k, other.size)
        with threadpool_limits(1):
            nn_o = NearestNeighbors(n_neighbors=k_o, algorithm="brute").fit(Zo)
            d_o, i_o = nn_o.kneighbors(Zc)
        inside = (d_o <= radius[:, None] + 1e-12).sum(axis=1) * (n_other_total / other.size)
        danger = inside / (inside + k)
        nearest_other = other[i_o[:, 0]]
    else:
        danger = np.zeros(m)
        nearest_other = rows
    return _ClassModel(
        rows=rows,
        num=num[rows],
        codes=codes[rows],
        nn=i_in,
        radius=radius,
        safety=1.0 - danger,
        other_num=num[nearest_other],
        other_codes=codes[nearest_other],
    )


def _one_hot(c: np.ndarray, ref: np.ndarray) -> np.ndarray:
    widths = ref.max(axis=0) + 1
    offsets = np.r_[0, np.cumsum(widths)[:-1]]
    out = np.zeros((c.shape[0], int(widths.sum())))
    out[np.repeat(np.arange(c.shape[0]), c.shape[1]), (c + offsets).ravel()] = 1.0
    return out


def _synthesise(
    model: _ClassModel,
    n_new: int,
    seed: np.random.SeedSequence,
    *,
    scale: np.ndarray,
    discrete: np.ndarray,
    integer: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    severity: float,
    out_num: np.ndarray,
    out_codes: np.ndarray,
    parents: np.ndarray,
    first_block: int = 0,
) -> None:
    """Write ``n_new`` synthetic rows into ``out_num`` / ``out_codes`` / ``parents`` in place.

    The rows are rows ``first_block * BLOCK_SIZE ..`` of a longer job seeded by ``seed``
    (``edgecase.parallel`` generates a job in chunks; each chunk passes its first block).
    """
    m, k = model.nn.shape
    p = model.num.shape[1]
    weight = model.safety + _FLOOR
    cum = np.cumsum(weight)
    cum /= cum[-1]
    # per-feature jitter scale: the row's neighbourhood radius spread over the features
    p_dist = max(p + model.codes.shape[1], 1)
    row_scale = _JITTER * model.radius / np.sqrt(p_dist)
    if _SAFE_JITTER:
        row_scale = row_scale * model.safety
    move = severity / (1.0 + severity)
    n_blocks = -(-n_new // BLOCK_SIZE)
    buf = BLOCK_SIZE * _CHUNK_BLOCKS
    any_disc = bool(discrete.any())
    # noise per column: zero on discrete columns (they are copied, never perturbed)
    col_scale = np.where(discrete, 0.0, scale).astype(np.float32)
    u = np.empty((buf, 5))  # base pick, neighbour pick, gap, discrete pick, severity flip
    chi = np.empty(buf)
    # float32 normals: half the memory traffic; jitter needs no more precision
    z = np.empty((buf, p), dtype=np.float32)
    work = np.empty((buf, p), dtype=out_num.dtype)
    for c0 in range(0, n_blocks, _CHUNK_BLOCKS):
        nb_blocks = min(_CHUNK_BLOCKS, n_blocks - c0)
        start = c0 * BLOCK_SIZE
        stop = min(n_new, (c0 + nb_blocks) * BLOCK_SIZE)
        size = stop - start
        for j, rng in enumerate(block_rngs(seed, first_block + c0, nb_blocks)):
            a = j * BLOCK_SIZE
            b = min(a + BLOCK_SIZE, size)
            rng.random(out=u[a:b])
            chi[a:b] = rng.chisquare(_T_DOF, b - a)
            rng.standard_normal(dtype=np.float32, out=z[a:b])
        u_base, u_nb, gap, u_pick, u_flip = (u[:size, i] for i in range(5))
        base = np.minimum(np.searchsorted(cum, u_base, side="right"), m - 1)
        nbr = model.nn[base, np.minimum((u_nb * k).astype(np.intp), k - 1)]
        g = gap
        if _SAFE_GAP:
            g = g * np.minimum(1.0, model.safety[nbr] / np.maximum(model.safety[base], 1e-9))
        xb = model.num[base]
        res = out_num[start:stop]
        # res = xb + g * (xn - xb) + t-noise, computed in place
        np.subtract(model.num[nbr], xb, out=res)
        res *= g[:, None]
        res += xb
        zz = z[:size]
        zz *= (row_scale[base] / np.sqrt(chi[:size] / _T_DOF)).astype(np.float32)[:, None]
        zz *= col_scale
        res += zz
        pick = u_pick < g
        if any_disc:
            res[:, discrete] = np.where(pick[:, None], model.num[nbr][:, discrete], xb[:, discrete])
        if out_codes.shape[1]:
            out_codes[start:stop] = np.where(pick[:, None], model.codes[nbr], model.codes[base])
        if move > 0:
            o = model.other_num[base]
            w = work[:size]
            np.subtract(o, res, out=w)
            w *= move
            if any_disc:
                w[:, discrete] = 0.0
            res += w
            flip = u_flip < move
            if any_disc:
                res[:, discrete] = np.where(flip[:, None], o[:, discrete], res[:, discrete])
            if out_codes.shape[1]:
                out_codes[start:stop] = np.where(
                    flip[:, None], model.other_codes[base], out_codes[start:stop]
                )
        np.clip(res, low, high, out=res)
        if integer.any():
            res[:, integer] = np.round(res[:, integer])
        parents[start:stop, 0] = model.rows[base]
        parents[start:stop, 1] = model.rows[nbr]


def _column_stats(num: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust per-column scale and a discrete mask (<= 2 distinct values) from a row sample."""
    S = num[sample]
    scale = S.std(axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    lo = S.min(axis=0)
    hi = S.max(axis=0)
    mid_hit = ((S != lo) & (S != hi)).any(axis=0)
    return scale, ~mid_hit


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
    random_state : None, int or Generator

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
        try:
            super()._validate_params()
        except _SkInvalidParameterError as exc:
            raise InvalidParameterError(str(exc)) from None
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

        try:
            check_classification_targets(y)
            y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        except ValueError as exc:
            raise InvalidInputError(f"y: {exc}") from None
        if isinstance(X, pd.DataFrame) and any(isinstance(d, pd.SparseDtype) for d in X.dtypes):
            X = X.sparse.to_dense()
        try:
            if isinstance(X, pd.DataFrame):
                validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
                y = np.asarray(y)
                if len(X) != len(y):
                    raise InvalidInputError(f"X has {len(X)} rows but y has {len(y)}.")
                if len(X) == 0 or X.shape[1] == 0:
                    raise InvalidInputError("X is empty (no rows or no columns).")
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
            _check_categories(X, self.schema)
        codec = _Codec.from_data(X, self.categorical_features)
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
            if n_c < k + 1:
                raise InvalidInputError(
                    f"class {c!r} has {n_c} row(s) but k_neighbors={k} needs at least {k + 1}; "
                    f"lower k_neighbors to at most {max(n_c - 1, 1)}, or use RandomOverSampler "
                    "for classes with a single row."
                    if n_c > 1
                    else f"class {c!r} has a single row: nothing to interpolate with; "
                    "drop it, collect more rows or use RandomOverSampler."
                )
        n = num.shape[0]
        sample = _stat_sample(y, root_rng)
        scale, discrete = _column_stats(num, sample)
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
        low, high = _bounds(codec, num, self.schema, integer, observed)
        out_codes = np.empty((total, codes.shape[1]), dtype=np.int32)
        parents = np.empty((total, 2), dtype=np.int64)
        y_new = np.empty(total, dtype=y.dtype)
        self.danger_ = {}
        offset = 0
        for ci, (c, n_new) in enumerate(sorted(targets.items(), key=lambda kv: str(kv[0]))):
            model = _fit_class(num, codes, y == c, k, scale, root_rng)
            self.danger_[c] = 1.0 - model.safety
            cls_seed = np.random.SeedSequence(
                entropy=seed.entropy, spawn_key=(*seed.spawn_key, 1 + ci)
            )
            sl = slice(offset, offset + n_new)
            _synthesise(
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
    step = 1 << 14
    for a in range(0, src.shape[0], step):
        chunk = src[a : a + step]
        dst[a : a + step] = chunk
        np.minimum(low, chunk.min(axis=0), out=low)
        np.maximum(high, chunk.max(axis=0), out=high)
    return low, high


def _bounds(
    codec: _Codec,
    num: np.ndarray,
    schema: TableSchema | None,
    integer: np.ndarray,
    observed: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per numeric column (low, high): the schema's bounds, else the observed range.

    Updates ``integer`` in place with the schema's integer columns.
    """
    if observed is None:
        observed = (num.min(axis=0), num.max(axis=0))
    low, high = observed[0].astype(np.float64), observed[1].astype(np.float64)
    if schema is None or codec.columns is None:
        return low, high
    for j, i in enumerate(codec.num_idx):
        col = codec.columns[i]
        if col in schema.columns:
            spec = schema[col]
            low[j] = -np.inf if spec.low is None else spec.low
            high[j] = np.inf if spec.high is None else spec.high
            integer[j] |= spec.kind == "integer"
    return low, high


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


def _stat_sample(y: np.ndarray, rng: np.random.Generator, size: int = 20_000) -> np.ndarray:
    """All rows of small classes plus a uniform sample of the rest (for column statistics)."""
    n = y.shape[0]
    if n <= size:
        return np.arange(n)
    counts = pd.Series(y).value_counts()  # hashing: no sort of the whole label vector
    small = np.flatnonzero(np.isin(y, counts.index[counts < size].to_numpy()))
    return np.unique(np.r_[rng.choice(n, size=size, replace=False), small])
