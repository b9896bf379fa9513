"""The synthesis core shared by :class:`~edgecase.fraud.EdgeCaseOversampler` and
:class:`~edgecase.fraud.FraudScenarioGenerator`: a table codec, the per-class
neighbourhood model and the vectorised, block-seeded row synthesis.

The algorithm (safe-level weighting, interpolation, tail-aware jitter, severity,
constraints) is described in :mod:`edgecase.fraud.samplers`.
"""

from __future__ import annotations

import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from edgecase._random import BLOCK_SIZE, block_rngs
from edgecase.errors import InvalidParameterError
from edgecase.schema import TableSchema

__all__ = [
    "ClassModel",
    "Codec",
    "bounds",
    "column_stats",
    "fit_class",
    "stat_sample",
    "synthesise",
]

_T_DOF = 5.0
_JITTER = 0.15
_CHUNK_BLOCKS = 8
#: Threads synthesising chunks of blocks; 1 means the calling thread does it all.
N_THREADS = min(2, os.cpu_count() or 1)
_MAX_OTHER = 10_000
_FLOOR = 0.25  # base-row weight added to safety: noisy rows still seed a few rows
_SAFE_GAP = True  # shorten interpolation toward less safe neighbours
_SAFE_JITTER = False  # measured: shrinking jitter with danger did not help on KEEL


# --------------------------------------------------------------------------- table codec
@dataclass
class Codec:
    """Split a table into a float matrix of numeric columns and int codes of discrete ones."""

    columns: list  # original column labels (None for ndarray input)
    num_idx: np.ndarray  # positions of numeric (interpolated) columns
    cat_idx: np.ndarray  # positions of categorical columns (codes)
    dtypes: list  # original dtypes (DataFrame) or the array dtype
    cat_dtypes: dict  # position -> CategoricalDtype for rebuilding
    forced_discrete: np.ndarray  # numeric columns to copy, not interpolate (ndarray categories)

    @classmethod
    def from_data(cls, X: Any, categorical: Any) -> Codec:
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
class ClassModel:
    """Neighbourhood structure of one class, ready to synthesise from."""

    rows: np.ndarray  # positions of the class rows in the input
    num: np.ndarray  # (m, p_num) class numeric values
    codes: np.ndarray  # (m, p_cat)
    nn: np.ndarray  # (m, k) neighbour positions within the class
    radius: np.ndarray  # (m,) distance to the k-th neighbour (standardised units)
    safety: np.ndarray  # (m,) 1 - danger
    other_num: np.ndarray  # (m, p_num) nearest other-class row of each class row
    other_codes: np.ndarray  # (m, p_cat)


def fit_class(
    num: np.ndarray,
    codes: np.ndarray,
    in_class: np.ndarray,
    k: int,
    scale: np.ndarray,
    rng: np.random.Generator,
    *,
    max_other: int = _MAX_OTHER,
) -> ClassModel:
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
    return ClassModel(
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


def synthesise(
    model: ClassModel,
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
    move_sign: np.ndarray | None = None,
) -> None:
    """Write ``n_new`` synthetic rows into ``out_num`` / ``out_codes`` / ``parents`` in place.

    The rows are rows ``first_block * BLOCK_SIZE ..`` of a longer job seeded by ``seed``
    (``edgecase.parallel`` generates a job in chunks; each chunk passes its first block).
    Chunks of blocks run in :data:`N_THREADS` threads: every block owns its stream and
    every chunk writes its own rows, so the bytes do not depend on the threads.

    ``move_sign`` (one entry per numeric column) restricts the severity move, as a
    fraudster's would be: 0 the column never moves, 1 it may only rise, -1 only
    fall, 2 either way; categories then never flip. None: every column moves and
    categories flip toward the nearest other-class row (the oversampler's move).
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
    job = _Job(
        model=model,
        seed=seed,
        first_block=first_block,
        n_new=n_new,
        picker=_Picker(cum),
        row_scale=row_scale,
        # noise per column: zero on discrete columns (they are copied, never perturbed)
        col_scale=np.where(discrete, 0.0, scale).astype(np.float32),
        discrete=discrete if discrete.any() else None,
        discrete_mask=discrete,
        move_sign=move_sign,
        integer=integer if integer.any() else None,
        low=low,
        high=high,
        move=severity / (1.0 + severity),
        out_num=out_num,
        out_codes=out_codes,
        parents=parents,
    )
    starts = range(0, -(-n_new // BLOCK_SIZE), _CHUNK_BLOCKS)
    if N_THREADS > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
            for _ in pool.map(job.chunk, starts):
                pass
    else:
        for c0 in starts:
            job.chunk(c0)


class _Picker:
    """``min(searchsorted(cum, u, "right"), m - 1)`` with a lookup table, bit for bit.

    A binary search per draw costs ~100 ns on random keys; a table of ``2**b >= 2m``
    buckets narrows each draw to the few ``cum`` entries inside its bucket. Bucket edges
    ``g / 2**b`` and ``floor(u * 2**b)`` are exact in floating point, so every entry
    before the bucket is ``<= u`` and every entry after it ``> u``.
    """

    def __init__(self, cum: np.ndarray) -> None:
        self.cum = cum
        self.m = cum.size
        self.size = 1 << max(int(2 * cum.size - 1).bit_length(), 4)
        edges = np.arange(self.size + 1, dtype=np.float64) / self.size
        self.lut = np.searchsorted(cum, edges, side="right")
        self.passes = int(np.diff(self.lut).max())

    def __call__(self, u: np.ndarray) -> np.ndarray:
        if self.passes > 8:  # very uneven weights: the plain search is as good
            return np.minimum(np.searchsorted(self.cum, u, side="right"), self.m - 1)
        g = (u * self.size).astype(np.intp)
        idx = self.lut[g]
        hi = self.lut[g + 1]
        last = self.m - 1
        for _ in range(self.passes):
            idx += (idx < hi) & (self.cum[np.minimum(idx, last)] <= u)
        return np.minimum(idx, last)


class _Scratch:
    """Work buffers for chunks of up to ``rows`` rows x ``p`` columns.

    Reused from chunk to chunk: a fresh allocation per chunk costs page faults
    (kernel time) each time its memory goes back to the system.
    """

    def __init__(self, rows: int, p: int, dtype: np.dtype) -> None:
        h = (p + 1) // 2  # normal pairs per row
        self.u = np.empty((rows, 5))  # base pick, neighbour pick, gap, discrete pick, flip
        self.chi = np.empty(rows)
        self.rad = np.empty((rows, h), dtype=np.float32)
        self.ang = np.empty((rows, h), dtype=np.float32)
        self.pairs = np.empty((rows, h, 2), dtype=np.float32)
        self.work = np.empty((rows, p), dtype=dtype)

    def take(self, size: int) -> tuple[np.ndarray, ...]:
        """The first ``size`` rows of the uniforms, chi-square, radius, angle and work buffers."""
        return self.u[:size], self.chi[:size], self.rad[:size], self.ang[:size], self.work[:size]


def _gather(src: np.ndarray, idx: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = src[idx]`` without the temporary (``take``'s "clip" mode is unbuffered;
    the indices are in range by construction)."""
    if src.dtype == out.dtype:
        np.take(src, idx, axis=0, out=out, mode="clip")
    else:
        out[...] = src[idx]


#: float32 uniforms sit on a 2**-24 grid: a normal radius from them would stop at 5.8
#: sigma. Draws at or below this level are redrawn in float64 on (0, level].
_FINE = 2.0**-12


def _normal_radius(rng: np.random.Generator, out: np.ndarray) -> None:
    """Box-Muller radii ``sqrt(-2 ln W)``, ``W`` uniform on (0, 1], into float32 ``out``.

    ``W = 1 - U`` with ``U`` a float32 uniform; the ``W <= 2**-12`` (a share
    ``2**-12`` of draws, whose exact law given that event is uniform on
    (0, 2**-12]) are redrawn in float64 so the tail goes on past the float32 grid.
    """
    rng.random(dtype=np.float32, out=out)
    np.subtract(np.float32(1.0), out, out=out)
    small = out <= _FINE
    n_small = int(np.count_nonzero(small))
    np.log(out, out=out)
    if n_small:
        out[small] = np.log((1.0 - rng.random(n_small)) * _FINE)
    out *= np.float32(-2.0)
    np.sqrt(out, out=out)


@dataclass
class _Job:
    """One class's synthesis job: everything a chunk of blocks needs."""

    model: ClassModel
    seed: np.random.SeedSequence
    first_block: int
    n_new: int
    picker: _Picker
    row_scale: np.ndarray
    col_scale: np.ndarray
    discrete: np.ndarray | None
    discrete_mask: np.ndarray
    move_sign: np.ndarray | None
    integer: np.ndarray | None
    low: np.ndarray
    high: np.ndarray
    move: float
    out_num: np.ndarray
    out_codes: np.ndarray
    parents: np.ndarray
    local: threading.local = field(default_factory=threading.local)

    @property
    def num_disc(self) -> np.ndarray:
        """The class rows' discrete numeric columns (copied whole from base or neighbour)."""
        if not hasattr(self.local, "num_disc"):
            self.local.num_disc = self.model.num[:, self.discrete]
        return self.local.num_disc

    @property
    def scratch(self) -> _Scratch:
        """This thread's work buffers, made once and reused by its chunks."""
        if not hasattr(self.local, "scratch"):
            self.local.scratch = _Scratch(
                _CHUNK_BLOCKS * BLOCK_SIZE, self.model.num.shape[1], self.out_num.dtype
            )
        return self.local.scratch

    def chunk(self, c0: int) -> None:
        """Rows of blocks ``c0 .. c0 + _CHUNK_BLOCKS - 1`` (of this job), in place."""
        model = self.model
        m, k = model.nn.shape
        start = c0 * BLOCK_SIZE
        stop = min(self.n_new, (c0 + _CHUNK_BLOCKS) * BLOCK_SIZE)
        size = stop - start
        u, chi, rad, ang, work = self.scratch.take(size)
        for j, rng in enumerate(
            block_rngs(self.seed, self.first_block + c0, -(-size // BLOCK_SIZE))
        ):
            a = j * BLOCK_SIZE
            b = min(a + BLOCK_SIZE, size)
            rng.random(out=u[a:b])
            chi[a:b] = rng.chisquare(_T_DOF, b - a)
            _normal_radius(rng, rad[a:b])
            rng.random(dtype=np.float32, out=ang[a:b])
        base = self.picker(u[:, 0])
        j_nbr = np.minimum((u[:, 1] * k).astype(np.intp), k - 1)
        nbr = model.nn[base, j_nbr]
        g = u[:, 2]
        if _SAFE_GAP:
            g = g * np.minimum(1.0, model.safety[nbr] / np.maximum(model.safety[base], 1e-9))
        res = self.out_num[start:stop]
        # res = xb + g * (xn - xb) + t-noise, computed in place
        _gather(model.num, base, res)
        _gather(model.num, nbr, work)
        work -= res
        work *= g[:, None]
        res += work
        res += self._noise(rad, ang, (self.row_scale[base] / np.sqrt(chi / _T_DOF)))
        pick = u[:, 3] < g
        disc = self.discrete
        if disc is not None:
            res[:, disc] = np.where(pick[:, None], self.num_disc[nbr], self.num_disc[base])
        codes = self.out_codes[start:stop]
        if codes.shape[1]:
            codes[:] = np.where(pick[:, None], model.codes[nbr], model.codes[base])
        if self.move > 0:
            self._move(res, codes, base, u[:, 4], work)
        # max then min is np.clip's result, without its broadcasting slow path
        np.maximum(res, self.low, out=res)
        np.minimum(res, self.high, out=res)
        if self.integer is not None:
            res[:, self.integer] = np.round(res[:, self.integer])
        self.parents[start:stop, 0] = model.rows[base]
        self.parents[start:stop, 1] = model.rows[nbr]

    def _noise(self, rad: np.ndarray, ang: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Box-Muller pairs ``rad * (cos, sin)(2 pi ang)`` times the row and column scales.

        ``rad`` (a normal pair's radius) and ``ang`` are overwritten; the result is a
        view of ``ang``'s float32 pair buffer, valid until the thread's next chunk.
        """
        rad *= row.astype(np.float32)[:, None]
        ang *= np.float32(2.0 * np.pi)
        pairs = self.scratch.pairs[: rad.shape[0]]
        np.cos(ang, out=pairs[:, :, 0])
        np.sin(ang, out=pairs[:, :, 1])
        pairs *= rad[:, :, None]
        z = pairs.reshape(rad.shape[0], 2 * rad.shape[1])[:, : self.col_scale.size]
        z *= self.col_scale
        return z

    def _move(self, res, codes, base, u_flip, work) -> None:
        """Severity: move rows toward their base's nearest other-class row (in place)."""
        flip = u_flip < self.move
        _severity_move(
            self.model, base, res, work, flip, self.move, self.discrete_mask, self.move_sign
        )
        if self.move_sign is None and codes.shape[1]:
            codes[:] = np.where(flip[:, None], self.model.other_codes[base], codes)


def _allowed(step: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Where a move by ``step`` (rows x columns) goes in its column's allowed direction."""
    return (sign == 2) | ((sign == 1) & (step > 0)) | ((sign == -1) & (step < 0))


def _severity_move(model, base, res, w, flip, move, discrete, move_sign) -> None:
    """Move ``res`` in place a share ``move`` toward each base row's nearest other-class row.

    Continuous columns move by that share; discrete ones take the other row's value
    where ``flip``. With ``move_sign`` only allowed columns and directions move.
    """
    o = model.other_num[base]
    np.subtract(o, res, out=w)
    w *= move
    if move_sign is not None:
        w[~_allowed(w, move_sign[None, :])] = 0.0
    w[:, discrete] = 0.0
    res += w
    if not discrete.any():
        return
    take = np.broadcast_to(flip[:, None], (len(res), int(discrete.sum())))
    if move_sign is not None:
        take = take & _allowed(o[:, discrete] - res[:, discrete], move_sign[None, discrete])
    res[:, discrete] = np.where(take, o[:, discrete], res[:, discrete])


def column_stats(num: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust per-column scale and a discrete mask (<= 2 distinct values) from a row sample."""
    S = num[sample]
    scale = S.std(axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    lo = S.min(axis=0)
    hi = S.max(axis=0)
    mid_hit = ((S != lo) & (S != hi)).any(axis=0)
    return scale, ~mid_hit


def bounds(
    codec: Codec,
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


def stat_sample(y: np.ndarray, rng: np.random.Generator, size: int = 20_000) -> np.ndarray:
    """All rows of small classes plus a uniform sample of the rest (for column statistics)."""
    n = y.shape[0]
    if n <= size:
        return np.arange(n)
    counts = pd.Series(y).value_counts()  # hashing: no sort of the whole label vector
    small = np.flatnonzero(np.isin(y, counts.index[counts < size].to_numpy()))
    return np.unique(np.r_[rng.choice(n, size=size, replace=False), small])
