"""Checking and encoding real/synthetic tables for the quality metrics.

Every metric reads the same three column kinds: ``numeric`` (ints, floats and
datetimes, the latter as days since the epoch), ``bool`` and ``category``.
Synthetic rows must have the real table's columns with the same kind; a
column kind that differs is refused rather than coerced, because a metric on a
silently converted column would measure the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import as_frame, check_finite, check_numeric_columns
from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = ["Prepared", "column_kind", "prepare", "Encoder"]

#: One-hot blocks wider than this keep their most frequent levels plus an "other" column,
#: so one high-cardinality column cannot dominate nearest-neighbour distances or memory.
MAX_ONE_HOT = 32


def column_kind(s: pd.Series) -> str:
    """``"numeric"``, ``"bool"`` or ``"category"`` (datetimes count as numeric)."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if isinstance(dt, pd.CategoricalDtype):
        return "category"
    return "numeric"


def _check_table(df: Any, name: str) -> pd.DataFrame:
    df = as_frame(df, name=name)
    check_numeric_columns(df, name=name, allow=("category", "bool", "datetime"))
    check_finite(df, name=name)
    return df


def _category_codes(
    s_real: pd.Series, s_syn: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes of a bool/category column over one vocabulary shared by both tables.

    Levels are matched by their text, so two tables whose category columns list
    levels in a different order (or list unused ones) still agree. Integer codes
    keep every later step (frequencies, hashing, one-hot) vectorised; sorting
    object arrays of strings was the slowest part of the report on 100k rows.
    """

    def split(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(s.dtype, pd.CategoricalDtype):
            return np.asarray(s.cat.categories.astype(str), dtype=object), s.cat.codes.to_numpy()
        return np.array(["False", "True"], dtype=object), s.to_numpy(dtype=bool).astype(np.int64)

    lv_r, c_r = split(s_real)
    lv_s, c_s = split(s_syn)
    vocab = pd.Index(lv_r).append(pd.Index(lv_s)).unique()
    map_r = vocab.get_indexer(pd.Index(lv_r))
    map_s = vocab.get_indexer(pd.Index(lv_s))
    return np.asarray(vocab, dtype=object), map_r[c_r], map_s[c_s]


def _numeric_values(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dtype, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        # days since the epoch: keeps differences in a unit where sd-scaling is meaningful
        return s.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 86_400e9
    return s.to_numpy(dtype=float)


@dataclass
class Prepared:
    """Checked real/synthetic tables plus the per-column values every metric reads."""

    real: pd.DataFrame
    synthetic: pd.DataFrame
    kinds: dict[str, str]
    target: str | None
    y_real: np.ndarray | None = None
    y_synthetic: np.ndarray | None = None
    positive_label: Any = None
    num_real: dict[str, np.ndarray] = field(default_factory=dict)
    num_synthetic: dict[str, np.ndarray] = field(default_factory=dict)
    cat_real: dict[str, np.ndarray] = field(default_factory=dict)
    cat_synthetic: dict[str, np.ndarray] = field(default_factory=dict)
    #: level text of each bool/category column; cat_real/cat_synthetic hold codes into it
    vocab: dict[str, np.ndarray] = field(default_factory=dict)
    #: True for rows the user passed as ``holdout`` (never shown to the generator)
    holdout_mask: np.ndarray | None = None

    @property
    def features(self) -> list[str]:
        return [c for c in self.real.columns if c != self.target]

    @property
    def numeric(self) -> list[str]:
        return [c for c in self.features if self.kinds[c] == "numeric"]

    @property
    def categorical(self) -> list[str]:
        return [c for c in self.features if self.kinds[c] != "numeric"]


def _binary_codes(
    s_real: pd.Series, s_syn: pd.Series, target: str
) -> tuple[np.ndarray, np.ndarray, Any]:
    """0/1 labels with 1 = the real table's minority label; synthetic rows may hold one class."""
    from edgecase._validate import check_binary_target

    y_real = check_binary_target(s_real, name=f"real[{target!r}]")
    labels = pd.unique(s_real)
    positive = s_real.to_numpy()[np.argmax(y_real == 1)]
    unknown = set(pd.unique(s_syn).tolist()) - set(labels.tolist())
    if unknown:
        shown = ", ".join(repr(v) for v in sorted(map(str, unknown))[:5])
        raise InvalidInputError(
            f"synthetic[{target!r}] holds label(s) {shown} that the real target does not; "
            f"expected labels among {sorted(map(str, labels.tolist()))}."
        )
    y_syn = (s_syn.to_numpy() == positive).astype(np.int8)
    return y_real, y_syn, positive


def _union_concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Stack two checked tables, keeping category columns categorical (union of levels)."""
    b = b[list(a.columns)]
    parts = []
    for frame in (a, b):
        frame = frame.copy()
        for c in a.columns:
            if isinstance(a[c].dtype, pd.CategoricalDtype):
                cats = pd.Index(a[c].cat.categories).union(
                    pd.Index(b[c].cat.categories), sort=False
                )
                frame[c] = frame[c].cat.set_categories(cats)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _check_pair(real: pd.DataFrame, other: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict]:
    missing = [c for c in real.columns if c not in other.columns]
    extra = [c for c in other.columns if c not in real.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing from {name}: {missing[:10]}")
        if extra:
            parts.append(f"not in real: {extra[:10]}")
        raise InvalidInputError(
            f"real and {name} must have the same columns; " + "; ".join(parts) + "."
        )
    other = other[list(real.columns)]
    kinds: dict[str, str] = {}
    for col in real.columns:
        k_real, k_other = column_kind(real[col]), column_kind(other[col])
        dt_real = pd.api.types.is_datetime64_any_dtype(real[col].dtype)
        dt_other = pd.api.types.is_datetime64_any_dtype(other[col].dtype)
        if k_real != k_other or dt_real != dt_other:
            raise InvalidInputError(
                f"column {col!r} has dtype {real[col].dtype} in real but "
                f"{other[col].dtype} in {name}; both must be "
                f"{'datetime' if dt_real else k_real} (cast {name}[{col!r}] first)."
            )
        kinds[col] = k_real
    return other, kinds


def _is_column(name: Any, df: pd.DataFrame) -> bool:
    """``name in df.columns`` for any value (an unhashable one is simply not a column)."""
    try:
        return name is not None and name in df.columns
    except TypeError:
        return False


def prepare(real: Any, synthetic: Any, target: Any = None, holdout: Any = None) -> Prepared:
    """Check that ``real`` and ``synthetic`` are comparable and extract column values.

    Raises
    ------
    InvalidInputError
        Empty frames, NaN/inf, text columns, columns missing on one side, or a
        column whose kind (numeric / bool / category) differs between the two.
        ``holdout`` is checked like ``synthetic`` and appended to ``real``
        (``holdout_mask`` marks its rows). With ``target``: a real target with one class or more than two, or
        synthetic labels the real target does not have.
    """
    real = _check_table(real, "real")
    synthetic = _check_table(synthetic, "synthetic")
    if _is_column(target, real) and not _is_column(target, synthetic):
        raise InvalidInputError(
            f"synthetic has no target column {target!r}; generators of minority variations "
            f"return features only: add it, e.g. synthetic[{target!r}] = 1."
        )
    synthetic, kinds = _check_pair(real, synthetic, "synthetic")
    n_holdout = 0
    if holdout is not None:
        holdout = _check_table(holdout, "holdout")
        holdout, _ = _check_pair(real, holdout, "holdout")
        n_holdout = len(holdout)
        real = _union_concat(real, holdout)
    if target is not None:
        if not _is_column(target, real):
            raise InvalidParameterError(
                f"target={target!r} is not a column of real; expected one of {list(real.columns)[:20]}."
            )
        if len(real.columns) < 2:
            raise InvalidInputError(
                f"real has only the target column {target!r}; at least one feature is needed."
            )
    prep = Prepared(real=real, synthetic=synthetic, kinds=kinds, target=target)
    prep.holdout_mask = np.zeros(len(real), dtype=bool)  # holdout rows sit at the end
    if n_holdout:
        prep.holdout_mask[len(real) - n_holdout :] = True
    if target is not None:
        prep.y_real, prep.y_synthetic, prep.positive_label = _binary_codes(
            real[target], synthetic[target], target
        )
    for col in prep.features:
        if kinds[col] == "numeric":
            prep.num_real[col] = _numeric_values(real[col])
            prep.num_synthetic[col] = _numeric_values(synthetic[col])
        else:
            prep.vocab[col], prep.cat_real[col], prep.cat_synthetic[col] = _category_codes(
                real[col], synthetic[col]
            )
    return prep


class Encoder:
    """Numeric matrix for nearest neighbours: standardised numeric columns plus one-hot levels.

    Scales come from the *real* rows only, so a synthetic table cannot move the
    yardstick it is measured with. One-hot columns are scaled by 1/sqrt(2) so a
    category mismatch adds exactly 1 to the squared distance, like a one-sd move.
    """

    def __init__(self, prep: Prepared, *, columns: list[str] | None = None) -> None:
        cols = prep.features if columns is None else columns
        self.numeric = [c for c in cols if prep.kinds[c] == "numeric"]
        self.categorical = [c for c in cols if prep.kinds[c] != "numeric"]
        self.center = {}
        self.scale = {}
        for c in self.numeric:
            v = prep.num_real[c]
            sd = float(np.std(v))
            self.center[c] = float(np.mean(v))
            # a constant real column: any synthetic deviation counts in original units
            self.scale[c] = sd if sd > 0 else 1.0
        self.levels: dict[str, np.ndarray] = {}
        self.truncated: list[str] = []
        for c in self.categorical:
            vals, counts = np.unique(prep.cat_real[c], return_counts=True)
            order = np.argsort(-counts, kind="stable")
            if len(vals) > MAX_ONE_HOT:
                self.truncated.append(c)
                order = order[: MAX_ONE_HOT - 1]
            self.levels[c] = vals[order]

    def transform(self, num: dict[str, np.ndarray], cat: dict[str, np.ndarray]) -> np.ndarray:
        blocks = [
            ((num[c] - self.center[c]) / self.scale[c]).astype(np.float32)[:, None]
            for c in self.numeric
        ]
        w = np.float32(1 / np.sqrt(2))
        for c in self.categorical:
            lv = self.levels[c]
            codes = pd.Index(lv).get_indexer(cat[c])  # -1 = unseen/other level
            width = len(lv) + 1  # the last column holds levels outside `lv`
            block = np.zeros((len(codes), width), dtype=np.float32)
            block[np.arange(len(codes)), np.where(codes < 0, width - 1, codes)] = w
            blocks.append(block)
        if not blocks:
            return np.zeros((0, 0), dtype=np.float32)
        return np.hstack(blocks)

    def real(self, prep: Prepared, idx: np.ndarray | None = None) -> np.ndarray:
        return self.transform(*_take(prep.num_real, prep.cat_real, idx))

    def synthetic(self, prep: Prepared, idx: np.ndarray | None = None) -> np.ndarray:
        return self.transform(*_take(prep.num_synthetic, prep.cat_synthetic, idx))


def _take(
    num: dict[str, np.ndarray], cat: dict[str, np.ndarray], idx: np.ndarray | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    if idx is None:
        return num, cat
    return {c: v[idx] for c, v in num.items()}, {c: v[idx] for c, v in cat.items()}


def subsample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of ``min(n, size)`` rows drawn without replacement."""
    if n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))
