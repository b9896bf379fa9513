"""Constraint checks of synthetic rows against rules inferred from the real rows.

Used when no declared schema is given (and while ``edgecase.schema`` may be
absent). Hard rules are ones no real row breaks and a generator should never
break: integer-valued columns stay integers, never-negative columns stay
non-negative, categorical columns use known levels. Leaving the observed
[min, max] range is reported separately and is *not* a violation: edgecase
generators go beyond history on purpose at severity > 1.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pandas as pd

from edgecase.errors import InvalidParameterError, SchemaViolationError
from edgecase.quality._prep import Prepared

__all__ = ["inferred_constraints", "check_schema"]


def inferred_constraints(prep: Prepared) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-column rule table and row-level shares for the synthetic rows."""
    rows = []
    n = len(prep.synthetic)
    hard_any = np.zeros(n, dtype=bool)
    range_any = np.zeros(n, dtype=bool)
    for c in prep.features:
        if prep.kinds[c] == "numeric":
            r, s = prep.num_real[c], prep.num_synthetic[c]
            lo, hi = float(r.min()), float(r.max())
            # datetimes (days since the epoch here) have no integer or sign rule
            is_dt = pd.api.types.is_datetime64_any_dtype(prep.real[c].dtype)
            integer = not is_dt and bool(
                pd.api.types.is_integer_dtype(prep.real[c].dtype) or np.all(np.mod(r, 1) == 0)
            )
            nonneg = not is_dt and lo >= 0
            bad_int = (np.mod(s, 1) != 0) if integer else np.zeros(n, dtype=bool)
            bad_neg = (s < 0) if nonneg else np.zeros(n, dtype=bool)
            out_range = (s < lo) | (s > hi)
            hard_any |= bad_int | bad_neg
            range_any |= out_range
            rule = ", ".join(
                [f"[{lo:.6g}, {hi:.6g}] observed"]
                + (["integer"] if integer else [])
                + ([">= 0"] if nonneg else [])
            )
            rows.append(
                {
                    "column": c,
                    "rule": rule,
                    "non_integer": int(bad_int.sum()),
                    "negative": int(bad_neg.sum()),
                    "unknown_level": 0,
                    "outside_observed_range": int(out_range.sum()),
                }
            )
        else:
            # known = declared in the real column's dtype (KEEL headers list them) or observed
            declared = prep.real[c]
            known = set(prep.vocab[c][np.unique(prep.cat_real[c])].tolist())
            if isinstance(declared.dtype, pd.CategoricalDtype):
                known |= {str(v) for v in declared.cat.categories}
            ok = np.isin(prep.vocab[c], np.array(sorted(known), dtype=object))
            bad = ~ok[prep.cat_synthetic[c]]
            allowed = known
            hard_any |= bad
            rows.append(
                {
                    "column": c,
                    "rule": f"{len(allowed)} known level(s)",
                    "non_integer": 0,
                    "negative": 0,
                    "unknown_level": int(bad.sum()),
                    "outside_observed_range": 0,
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "column",
            "rule",
            "non_integer",
            "negative",
            "unknown_level",
            "outside_observed_range",
        ],
    )
    shares = {
        "violation_share": float(hard_any.mean()) if n else float("nan"),
        "outside_range_share": float(range_any.mean()) if n else float("nan"),
    }
    return table, shares


def schema_available() -> bool:
    return importlib.util.find_spec("edgecase.schema") is not None


def infer_schema(real: pd.DataFrame) -> tuple[Any, str]:
    """An edgecase TableSchema inferred from the real rows, or (None, why not).

    ``bounds="sign"``: only never-negative columns get a lower bound of 0 and no
    column gets the observed maximum, because edgecase generators go beyond
    history on purpose.
    """
    if not schema_available():
        return (
            None,
            "edgecase.schema is not available in this build; only the rules above were checked",
        )
    from edgecase import schema as schema_module

    table_schema = getattr(schema_module, "TableSchema", None)
    if table_schema is None or not callable(getattr(table_schema, "infer", None)):
        return None, "edgecase.schema has no TableSchema.infer; only the rules above were checked"
    try:
        return table_schema.infer(real, bounds="sign"), "inferred (bounds='sign')"
    except TypeError:  # an infer() without the bounds option
        return table_schema.infer(real), "inferred"


def check_schema(schema: Any, synthetic: pd.DataFrame) -> tuple[str, str, pd.DataFrame | None]:
    """Run a schema's ``check`` on the synthetic rows: (status, message, violations table).

    ``schema`` is any object with a ``check(df)`` method that returns a report
    with ``ok`` (and a ``violations`` DataFrame), returns False, or raises
    :class:`~edgecase.errors.SchemaViolationError` (edgecase's TableSchema
    contract supports all three).
    """
    if not callable(getattr(schema, "check", None)):
        raise InvalidParameterError(
            f"schema must have a check(df) method (an edgecase TableSchema); got {type(schema).__name__}."
        )
    try:
        result = schema.check(synthetic)
    except SchemaViolationError as exc:
        return "violated", str(exc), None
    if hasattr(result, "ok"):
        table = getattr(result, "violations", None)
        table = table if isinstance(table, pd.DataFrame) else None
        return ("passed" if result.ok else "violated"), str(result), table
    if result is False:
        return "violated", "schema.check returned False", None
    return "passed", "every synthetic row satisfies the schema", None
