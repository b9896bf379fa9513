"""Which simulator feature columns a fraudster controls, and which way evasion moves them.

:data:`MUTABLE_COLUMNS` maps a column of :data:`~edgecase.fraud.FEATURE_COLUMNS`
to the direction a fraudster can push it to look legitimate: ``"down"`` (smaller
amounts, fewer transactions per hour, a known device), ``"up"`` or ``"both"``
(the hour of day is chosen freely). Columns not listed are out of the fraudster's
hands: the account's age, the merchant category, channel and country the
attack needs. :data:`DERIVED_COLUMNS` names columns computed from another one:
``amount_to_median`` is the amount over the account's running median, so it
scales with ``amount`` and is never moved on its own.

Examples
--------
>>> MUTABLE_COLUMNS["amount"], MUTABLE_COLUMNS["hour"]
('down', 'both')
>>> DERIVED_COLUMNS["amount_to_median"]
('ratio', 'amount')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = ["MUTABLE_COLUMNS", "DERIVED_COLUMNS", "DIRECTIONS", "check_mutable"]

#: The allowed values of a direction.
DIRECTIONS = ("up", "down", "both")

MUTABLE_COLUMNS: dict[str, str] = {
    "amount": "down",
    "hour": "both",
    "txn_count_1h": "down",
    "txn_count_24h": "down",
    "distance_from_home_km": "down",
    "is_new_device": "down",
    "is_new_country": "down",
    "is_new_merchant": "down",
}

#: column -> (relation, source): ``("ratio", "amount")`` means the column is
#: ``amount / k`` with a per-row constant ``k`` (the account's median), so moving
#: the amount by a factor moves the column by the same factor.
DERIVED_COLUMNS: dict[str, tuple[str, str]] = {"amount_to_median": ("ratio", "amount")}


def check_mutable(X: pd.DataFrame, mutable: Any, directions: Any) -> dict[str, str]:
    """``mutable`` and ``directions`` as column -> direction, checked against ``X``.

    ``mutable``: None (every numeric non-bool column, ``"both"``), a list of
    columns or a dict column -> direction; ``directions`` overrides ``"both"``.
    Every named column must exist and be numeric or bool.
    """
    if mutable is None:
        cols = [
            c
            for c in X.columns
            if pd.api.types.is_numeric_dtype(X[c].dtype) and not pd.api.types.is_bool_dtype(X[c])
        ]
        given: dict[str, str] = dict.fromkeys(cols, "both")
    elif isinstance(mutable, dict):
        given = dict(mutable)
    elif isinstance(mutable, str) or not hasattr(mutable, "__iter__"):
        raise InvalidParameterError(
            f"mutable must be a list of column names or a dict column -> direction; got {mutable!r}."
        )
    else:
        given = dict.fromkeys(list(mutable), "both")
    for c in given:
        if c not in X.columns:
            raise InvalidInputError(f"mutable column {c!r} is not a column of X {list(X.columns)}.")
        if not pd.api.types.is_numeric_dtype(X[c].dtype):
            raise InvalidInputError(
                f"mutable column {c!r} has dtype {X[c].dtype}; only numeric or bool columns "
                "can be moved (categories stay as they are)."
            )
    out = _merge_directions(given, directions)
    if not out:
        raise InvalidInputError("there is no numeric column to move: pass mutable=[...].")
    return out


def _merge_directions(given: dict[str, str], directions: Any) -> dict[str, str]:
    if directions is None:
        directions = {}
    if not isinstance(directions, dict):
        raise InvalidParameterError(
            f"directions must be a dict column -> one of {DIRECTIONS}; got {directions!r}."
        )
    for c, d in directions.items():
        if c not in given:
            raise InvalidParameterError(
                f"directions names {c!r}, which is not in mutable {list(given)}."
            )
        if given[c] != "both" and d != given[c]:
            raise InvalidParameterError(
                f"directions[{c!r}] = {d!r} contradicts mutable[{c!r}] = {given[c]!r}."
            )
    out = {**given, **directions}
    for c, d in out.items():
        if d not in DIRECTIONS:
            raise InvalidParameterError(
                f"the direction of {c!r} in mutable or directions must be one of {DIRECTIONS}; "
                f"got {d!r}."
            )
    return out
