"""Groups and amounts beside the rows: what the bootstrap clusters on and what the
operational metrics (event_recall, value_recall) count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress import _bootstrap, _metrics
from edgecase.stress._metrics import Metric


def column_or_array(X: pd.DataFrame, value: Any, what: str) -> np.ndarray:
    if isinstance(value, str):
        if value not in X.columns:
            raise InvalidParameterError(f"{what}={value!r} is not a column of X.")
        return X[value].to_numpy()
    arr = value.to_numpy() if isinstance(value, pd.Series | pd.Index) else np.asarray(value)
    if arr.ndim != 1 or len(arr) != len(X):
        raise InvalidInputError(
            f"{what} must give one value per row of X ({len(X)}); got shape {arr.shape}."
        )
    return arr


def side_columns(metric: Metric, X: pd.DataFrame, groups: Any, amount: Any) -> dict[str, Any]:
    """Group codes and amounts of the test set (and the column names to read from
    simulated rows), checked; the operational metrics refuse to run without them."""
    need = _metrics.NEEDS.get(metric.name)
    if need == "groups" and groups is None:
        raise InvalidParameterError(
            "metric='event_recall' needs groups= in run(): the event, account or merchant id of each row."
        )
    if need == "amount" and amount is None:
        raise InvalidParameterError(
            "metric='value_recall' needs amount= in run(): the amount of each row or its column name."
        )
    side: dict[str, Any] = {"codes": None, "amount": None, "groups_col": None, "amount_col": None}
    if groups is not None:
        side["codes"] = _bootstrap.group_codes(column_or_array(X, groups, "groups"), len(X))
        side["groups_col"] = groups if isinstance(groups, str) else None
    if amount is not None:
        amt = column_or_array(X, amount, "amount")
        try:
            amt = amt.astype(float)
        except (TypeError, ValueError):
            raise InvalidInputError("amount must be numeric.") from None
        if not np.isfinite(amt).all() or (amt < 0).any():
            raise InvalidInputError("amount must be finite and >= 0 on every row.")
        side["amount"] = amt
        side["amount_col"] = amount if isinstance(amount, str) else None
    return side


def point(metric: Metric, y: np.ndarray, scores: np.ndarray, thr: float, side: dict) -> float:
    """The metric on the full sample (every row, or group, once)."""
    if metric.name in _metrics.NEEDS:
        ones = _bootstrap.Ones(y, side["codes"])
        return float(_bootstrap.weighted_draws(metric, y, scores, thr, ones, side)[0, 0])
    return _metrics.point_value(metric, y, scores, thr)


#: ``X_s.attrs`` key under which a scenario that simulates rows may give each row's event
#: id (missing for rows it did not simulate), so the bootstrap resamples whole events.
#: Numeric ids (NaN where missing) are cheapest: pandas deep-copies ``attrs`` on every
#: operation on the frame, and an object array costs a Python call per element.
GROUPS_ATTR = "edgecase_groups"


def _own_codes(X_s: pd.DataFrame, X: pd.DataFrame, side: dict[str, Any]) -> np.ndarray:
    """Group codes of a scenario's rows: the ``groups`` column if the rows carry it; else
    the test set's groups for the test set's rows (when the scenario kept them first),
    the scenario's own event ids (``attrs``) for rows it simulated, one group per other row."""
    n, m = len(X), len(X_s)
    if side["groups_col"] is not None and side["groups_col"] in X_s.columns:
        return _bootstrap.group_codes(X_s[side["groups_col"]], m)
    codes = np.arange(m, dtype=np.int64)
    offset = m
    if side["codes"] is not None and m >= n and X_s.index[:n].equals(X.index):
        codes[:n] = offset + side["codes"]
        offset += int(side["codes"].max()) + 1
    sim = X_s.attrs.get(GROUPS_ATTR)
    if sim is not None:
        sim = pd.Series(np.asarray(sim, dtype=object))
        if len(sim) != m:
            raise InvalidInputError(
                f"X_s.attrs[{GROUPS_ATTR!r}] must give one event id per row ({m}); got {len(sim)}."
            )
        has = sim.notna().to_numpy()
        codes[has] = offset + pd.factorize(sim[has])[0]
    return pd.factorize(codes)[0].astype(np.int64)


def own_side(X_s: pd.DataFrame, X: pd.DataFrame, side: dict[str, Any], name: str) -> dict[str, Any]:
    """Groups and amounts of the rows of a scenario that did not keep the test set's rows
    (see :func:`_own_codes`); amounts from the column that ``amount`` named."""
    out = {"codes": _own_codes(X_s, X, side), "amount": None}
    if side["amount"] is not None:
        if side["amount_col"] is None or side["amount_col"] not in X_s.columns:
            raise InvalidInputError(
                f"scenario {name!r} simulates its own rows; value_recall needs amount= as a "
                "column name present in those rows."
            )
        out["amount"] = X_s[side["amount_col"]].to_numpy(dtype=float)
    return out
