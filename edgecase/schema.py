"""Column roles and constraints of a table: infer or declare, check, repair.

A :class:`TableSchema` holds one :class:`Column` per column: its kind (numeric,
integer, bool, category, datetime), its role (feature, id, time, entity, label)
and its constraints (bounds, known categories). One column may be the *entity*
(e.g. ``account_id``) and one the *time* (e.g. ``timestamp``); then time must not
decrease within an entity, in row order.

``check(df)`` lists every violation; ``repair(df)`` projects rows back into the
schema (clip to bounds, round integers, unknown categories to the most frequent
known one, time made non-decreasing per entity). Generators call ``repair`` on
what they produce and ``check`` in tests.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"amount": [1.5, 20.0, 3.25], "n": [0, 2, 5]})
>>> schema = TableSchema.infer(df)
>>> schema["n"].kind, schema["amount"].low
('integer', 1.5)
>>> bad = pd.DataFrame({"amount": [0.5, 30.0], "n": [1, -1]})
>>> schema.check(bad).n_violations
3
>>> schema.repair(bad).to_dict("list")
{'amount': [1.5, 20.0], 'n': [1, 0]}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from edgecase._validate import as_frame, check_choice
from edgecase.errors import InvalidParameterError, SchemaViolationError

__all__ = ["Column", "TableSchema", "SchemaReport", "KINDS", "ROLES"]

KINDS = ("numeric", "integer", "bool", "category", "datetime")
ROLES = ("feature", "id", "time", "entity", "label")


@dataclass(frozen=True)
class Column:
    """One column's kind, role and constraints.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"numeric", "integer", "bool", "category", "datetime"}
        ``integer`` means whole values whatever the storage dtype.
    role : {"feature", "id", "time", "entity", "label"}
        What the column is for; generators only vary ``feature`` columns.
    low, high : float or None
        Inclusive bounds of numeric/integer columns (``None``: unbounded).
    categories : tuple or None
        Allowed values of a category column.
    dtype : str or None
        The pandas dtype rows are cast back to by :meth:`TableSchema.repair`.
    mode : object
        Most frequent category, used by ``repair`` for unknown categories.
    """

    name: str
    kind: str = "numeric"
    role: str = "feature"
    low: float | None = None
    high: float | None = None
    categories: tuple | None = None
    dtype: str | None = None
    mode: Any = None

    def __post_init__(self) -> None:
        check_choice(self.kind, f"kind of column {self.name!r}", KINDS, error=InvalidParameterError)
        check_choice(self.role, f"role of column {self.name!r}", ROLES, error=InvalidParameterError)
        for bound in ("low", "high"):
            v = getattr(self, bound)
            # NaN compares False with everything: it would switch the bound off silently.
            if v is not None and (
                isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v)
            ):
                raise InvalidParameterError(
                    f"column {self.name!r}: {bound} must be a finite number or None; got {v!r}."
                )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InvalidParameterError(
                f"column {self.name!r}: low={self.low} is greater than high={self.high}."
            )
        if self.categories is not None and (
            isinstance(self.categories, (str, bytes)) or not isinstance(self.categories, Iterable)
        ):
            # a string would be read as its characters
            raise InvalidParameterError(
                f"column {self.name!r}: categories must be a list of levels; "
                f"got {self.categories!r} ({type(self.categories).__name__})."
            )
        if not isinstance(self.name, (str, numbers.Integral)) or isinstance(self.name, bool):
            raise InvalidParameterError(
                f"a column name must be a str (or an int); got {self.name!r}."
            )
        if self.categories is not None and len(set(self.categories)) != len(list(self.categories)):
            raise InvalidParameterError(
                f"column {self.name!r}: categories must be distinct; got {list(self.categories)}."
            )
        if self.kind == "category" and not self.categories:
            raise InvalidParameterError(
                f"column {self.name!r} is a category column; declare its categories."
            )


@dataclass
class SchemaReport:
    """Violations found by :meth:`TableSchema.check`.

    ``violations`` has one row per (column, rule) with the number of offending
    rows and up to five example row positions.
    """

    violations: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["column", "rule", "n_rows", "examples"])
    )

    @property
    def ok(self) -> bool:
        return len(self.violations) == 0

    @property
    def n_violations(self) -> int:
        """Total offending (row, rule) pairs."""
        return int(self.violations["n_rows"].sum()) if len(self.violations) else 0

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return "schema check: no violations"
        lines = [
            f"{r.column!r}: {r.rule} ({r.n_rows} row(s), e.g. rows {list(r.examples)})"
            for r in self.violations.itertuples()
        ]
        return "schema check: " + "; ".join(lines)


def _kind_of(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if (
        isinstance(dt, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dt)
        or dt == np.dtype(object)
    ):
        return "category"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    if pd.api.types.is_integer_dtype(dt):
        return "integer"
    if pd.api.types.is_numeric_dtype(dt):
        return "numeric"
    raise InvalidParameterError(f"column {s.name!r} has dtype {dt}; it has no schema kind.")


class TableSchema:
    """Column roles and constraints of a table.

    Parameters
    ----------
    columns : iterable of Column
        The columns, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> s = TableSchema([Column("hour", "integer", low=0, high=23)])
    >>> s.check(pd.DataFrame({"hour": [3, 24]})).ok
    False
    """

    def __init__(self, columns: Iterable[Column]) -> None:
        cols = list(columns)
        wrong = [c for c in cols if not isinstance(c, Column)]
        if wrong:
            raise InvalidParameterError(
                f"schema columns must be Column objects; got {wrong[0]!r} "
                f"({type(wrong[0]).__name__}): use Column({wrong[0]!r}, kind=...)."
            )
        names = [c.name for c in cols]
        if len(set(names)) != len(names):
            raise InvalidParameterError(f"schema columns must be unique; got {names}.")
        for role in ("time", "entity", "label"):
            with_role = [c.name for c in cols if c.role == role]
            if len(with_role) > 1:
                raise InvalidParameterError(
                    f"at most one column may have role {role!r}; got {with_role}."
                )
        self.columns: dict[str, Column] = {c.name: c for c in cols}

    # ------------------------------------------------------------------ access
    def __getitem__(self, name: str) -> Column:
        try:
            return self.columns[name]
        except KeyError:
            check_choice(name, "column", list(self.columns), error=InvalidParameterError)
            raise

    def __iter__(self):
        return iter(self.columns.values())

    def __len__(self) -> int:
        return len(self.columns)

    def __repr__(self) -> str:
        return f"TableSchema({list(self.columns.values())!r})"

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def _role(self, role: str) -> str | None:
        return next((c.name for c in self if c.role == role), None)

    @property
    def time(self) -> str | None:
        """Name of the time column, if any."""
        return self._role("time")

    @property
    def entity(self) -> str | None:
        """Name of the entity column (e.g. the account), if any."""
        return self._role("entity")

    @property
    def label(self) -> str | None:
        return self._role("label")

    def features(self) -> list[str]:
        """Names of the columns with role ``feature``."""
        return [c.name for c in self if c.role == "feature"]

    def with_column(self, column: Column) -> TableSchema:
        """A copy with ``column`` replaced (or appended)."""
        cols = dict(self.columns)
        cols[column.name] = column
        return TableSchema(cols.values())

    # ------------------------------------------------------------------ infer
    @classmethod
    def infer(
        cls,
        df: pd.DataFrame,
        *,
        roles: Mapping[str, str] | None = None,
        bounds: Literal["observed", "sign"] = "observed",
    ) -> TableSchema:
        """Infer a schema from a DataFrame.

        Parameters
        ----------
        df : DataFrame
            The reference table (e.g. the training rows).
        roles : mapping, optional
            ``{column: role}`` for non-feature columns. Without it, a single
            datetime column becomes the ``time`` column.
        bounds : {"observed", "sign"}
            ``observed``: numeric bounds are the observed min and max.
            ``sign``: only a non-negative column gets ``low=0`` (no upper bound),
            for tables whose future values may exceed the past.

        Examples
        --------
        >>> import pandas as pd
        >>> t = TableSchema.infer(pd.DataFrame({"x": [-1.0, 2.0]}), bounds="sign")
        >>> (t["x"].low, t["x"].high)
        (None, None)
        """
        df = as_frame(df, name="df")
        check_choice(bounds, "bounds", ("observed", "sign"), error=InvalidParameterError)
        roles = dict(roles or {})
        for name in roles:
            if name not in df.columns:
                check_choice(
                    name, "roles key", [str(c) for c in df.columns], error=InvalidParameterError
                )
        if "time" not in roles.values():
            dts = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype)]
            if len(dts) == 1:
                roles[dts[0]] = "time"
        cols = []
        for name in df.columns:
            s = df[name]
            kind = _kind_of(s)
            low = high = None
            cats = mode = None
            if kind in ("numeric", "integer"):
                vals = s.to_numpy(dtype=float, na_value=np.nan)
                if np.isfinite(vals).any():
                    lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
                    if bounds == "observed":
                        low, high = lo, hi
                    elif lo >= 0:
                        low = 0.0
                if kind == "numeric" and np.isfinite(vals).all() and (vals == np.round(vals)).all():
                    # float storage of whole numbers (counts read from CSV) stays whole
                    kind = "integer"
            elif kind == "category":
                if isinstance(s.dtype, pd.CategoricalDtype):
                    cats = tuple(s.cat.categories.tolist())
                else:
                    cats = tuple(pd.unique(s.dropna()).tolist())
                counts = s.value_counts()
                mode = counts.index[0] if len(counts) else (cats[0] if cats else None)
                if not cats:
                    raise InvalidParameterError(f"column {name!r} has no categories to infer.")
            cols.append(
                Column(
                    name,
                    kind,
                    roles.get(name, "feature"),
                    low,
                    high,
                    cats,
                    str(s.dtype),
                    mode,
                )
            )
        return cls(cols)

    # ------------------------------------------------------------------ check
    def check(
        self, df: pd.DataFrame, *, errors: Literal["report", "raise"] = "report"
    ) -> SchemaReport:
        """Report every violation of the schema in ``df``.

        Rules: ``missing column``, ``missing value``, ``below low``, ``above high``,
        ``not integer``, ``not finite``, ``unknown category``, ``time order``.

        Parameters
        ----------
        errors : {"report", "raise"}
            ``raise``: raise :class:`SchemaViolationError` when anything is wrong.
        """
        check_choice(errors, "errors", ("report", "raise"), error=InvalidParameterError)
        df = as_frame(df, name="df", allow_empty=True)
        rows: list[tuple[str, str, int, list[int]]] = []
        for name, c in self.columns.items():
            if name not in df.columns:
                rows.append((name, "missing column", len(df), []))
                continue
            rows.extend(_column_violations(name, c, df[name]))
        add_time = self._time_order_mask(df)
        if add_time is not None:
            rows.extend(_violations(self.time, [("time order", add_time)]))
        report = SchemaReport(pd.DataFrame(rows, columns=["column", "rule", "n_rows", "examples"]))
        if errors == "raise" and not report.ok:
            raise SchemaViolationError(str(report))
        return report

    def _time_order_mask(self, df: pd.DataFrame) -> np.ndarray | None:
        """Rows whose time is earlier than the previous row of the same entity."""
        t = self.time
        if t is None or t not in df.columns or len(df) < 2:
            return None
        if not pd.api.types.is_datetime64_any_dtype(
            df[t].dtype
        ) and not pd.api.types.is_numeric_dtype(df[t].dtype):
            return None
        tv = df[t]
        e = self.entity
        if e is not None and e in df.columns:
            prev = tv.groupby(df[e].to_numpy(), sort=False).shift(1)
        else:
            prev = tv.shift(1)
        return (tv < prev).fillna(False).to_numpy(dtype=bool)

    # ------------------------------------------------------------------ repair
    def repair(self, df: pd.DataFrame) -> pd.DataFrame:
        """Project rows back into the schema; returns a new DataFrame.

        Numeric values are clipped to the bounds, integer columns rounded,
        unknown categories replaced by the column's most frequent category and
        time made non-decreasing within each entity. Missing columns, missing
        values and non-finite numbers cannot be projected and raise
        :class:`SchemaViolationError`.
        """
        df = as_frame(df, name="df", allow_empty=True).copy()
        for name, c in self.columns.items():
            if name not in df.columns:
                raise SchemaViolationError(f"column {name!r} is missing; repair cannot invent it.")
            s = df[name]
            if s.isna().any():
                raise SchemaViolationError(
                    f"column {name!r} has {int(s.isna().sum())} missing value(s); "
                    "repair does not impute: fill or drop them first."
                )
            wrong = _wrong_dtype(c, s)
            if wrong:
                raise SchemaViolationError(
                    f"column {name!r} is {wrong}, but the schema says {c.kind}; repair "
                    "projects values, it does not convert types: convert the column first."
                )
            if c.kind in ("numeric", "integer"):
                v = s.to_numpy(dtype=float)
                if not np.isfinite(v).all():
                    raise SchemaViolationError(
                        f"column {name!r} has non-finite values; repair cannot project them."
                    )
                if c.kind == "integer":
                    v = np.round(v)
                lo = -np.inf if c.low is None else c.low
                hi = np.inf if c.high is None else c.high
                if c.kind == "integer":
                    lo, hi = np.ceil(lo), np.floor(hi)
                v = np.clip(v, lo, hi)
                df[name] = pd.Series(v, index=df.index).astype(s.dtype)
            elif c.kind == "category":
                known = list(c.categories or ())
                bad = ~s.isin(known)
                if bad.any():
                    fill = c.mode if c.mode is not None else known[0]
                    if isinstance(s.dtype, pd.CategoricalDtype):
                        df[name] = (
                            s.where(~bad, fill)
                            if fill in s.cat.categories
                            else (s.cat.add_categories([fill]).where(~bad, fill))
                        )
                    else:
                        df[name] = s.where(~bad, fill)
        t, e = self.time, self.entity
        if t is not None and len(df) > 1:
            tv = df[t]
            if e is not None:
                fixed = tv.groupby(df[e].to_numpy(), sort=False).cummax()
            else:
                fixed = tv.cummax()
            df[t] = fixed.astype(tv.dtype)
        return df

    # ------------------------------------------------------------------ misc
    def bounded(self, **bounds: tuple[float | None, float | None]) -> TableSchema:
        """A copy with new ``(low, high)`` bounds for the named columns.

        Examples
        --------
        >>> s = TableSchema([Column("x")]).bounded(x=(0, None))
        >>> s["x"].low
        0
        """
        out = self
        for name, (low, high) in bounds.items():
            out = out.with_column(replace(self[name], low=low, high=high))
        return out


def _violations(
    name: str, masks: list[tuple[str, np.ndarray]]
) -> list[tuple[str, str, int, list[int]]]:
    """Report rows ``(column, rule, n_rows, first five row positions)`` of the rules that fail."""
    out = []
    for rule, mask in masks:
        n = int(mask.sum())
        if n:
            out.append((name, rule, n, np.flatnonzero(mask)[:5].tolist()))
    return out


def _numeric_violations(c: Column, s: pd.Series) -> list[tuple[str, np.ndarray]]:
    v = s.to_numpy(dtype=float, na_value=np.nan)
    fin = np.isfinite(v)
    masks = [("not finite", ~fin & ~np.isnan(v))]
    with np.errstate(invalid="ignore"):
        if c.low is not None:
            masks.append(("below low", fin & (v < c.low)))
        if c.high is not None:
            masks.append(("above high", fin & (v > c.high)))
        if c.kind == "integer":
            masks.append(("not integer", fin & (v != np.round(v))))
    return masks


def _column_violations(name: str, c: Column, s: pd.Series) -> list[tuple[str, str, int, list[int]]]:
    """Every rule of column ``c`` that ``s`` breaks, in the order :meth:`TableSchema.check` reports."""
    n = len(s)
    masks = [("missing value", s.isna().to_numpy())]
    wrong = _wrong_dtype(c, s)
    if wrong:
        return [*_violations(name, masks), (name, wrong, n, [])]
    if c.kind in ("numeric", "integer"):
        masks += _numeric_violations(c, s)
    elif c.kind == "category":
        known = pd.Index(list(c.categories or ()))
        masks.append(("unknown category", (~s.isin(known) & s.notna()).to_numpy()))
    elif c.kind == "bool":
        if not pd.api.types.is_bool_dtype(s.dtype):
            masks.append(("not bool", ~s.isin([True, False, 0, 1]).to_numpy()))
    return _violations(name, masks)


def _wrong_dtype(c: Column, s: pd.Series) -> str | None:
    """The rule a column of the wrong dtype breaks as a whole (text in a numeric column,
    numbers in a datetime column), or None. Bool and complex are not numeric here: a bool
    clipped to numeric bounds, or a complex number's real part, would be a silent change."""
    dt = s.dtype
    if c.kind in ("numeric", "integer") and (
        not pd.api.types.is_numeric_dtype(dt)
        or pd.api.types.is_bool_dtype(dt)
        or pd.api.types.is_complex_dtype(dt)
    ):
        return f"not numeric (dtype {dt})"
    if c.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(dt):
        return f"not datetime (dtype {dt})"
    return None
