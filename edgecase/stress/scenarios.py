"""Stress scenarios: data transformations with a ``severity`` knob.

A scenario is any object with a ``name`` and
``apply(X, y, severity, random_state) -> (X_stressed, y_stressed)``.
``severity=0`` returns the data unchanged; ``severity=1`` is a calibrated,
historically plausible stress; larger values go beyond history. Scenarios are
deterministic given ``random_state``, and the same ``random_state`` at two
severities uses the same random draws (common random numbers), so a sweep over
severity changes the data smoothly rather than re-rolling it at every step.

The fraud scenarios operate on the simulator's feature columns
(``edgecase.fraud.FEATURE_COLUMNS``) with ``y = is_fraud`` and keep derived
columns consistent (cutting ``amount`` also scales ``amount_to_median``; thinning
``txn_count_1h`` also thins ``txn_count_24h``). :class:`FeatureShift` and
:class:`Perturb` work on any numeric table.

Examples
--------
>>> import numpy as np, pandas as pd
>>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0, 1, 0, 1]})
>>> y = pd.Series([0, 1, 0, 1], name="label")
>>> Xs, ys = FeatureShift(shift={"a": -1.0}).apply(X, y, severity=2.0, random_state=0)
>>> Xs["a"].round(3).tolist()
[1.0, -0.236, 3.0, 1.764]
>>> FeatureShift(shift={"a": -1.0}).apply(X, y, severity=0.0, random_state=0)[0].equals(X)
True
"""

from __future__ import annotations

import numbers
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import (
    check_choice,
    check_scalar,
)
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress.fraud_scenarios import (
    FRAUD_SCENARIOS,
    AccountTakeoverMix,
    AmountEvasion,
    LegitDrift,
    NewMerchantCategories,
    TimeShift,
    VelocityEvasion,
    fraud_scenarios,
    get_scenario,
)
from edgecase.stress.scenario_base import BaseScenario, Scenario, _need_numeric

__all__ = [
    "Scenario",
    "BaseScenario",
    "AmountEvasion",
    "VelocityEvasion",
    "NewMerchantCategories",
    "TimeShift",
    "AccountTakeoverMix",
    "LegitDrift",
    "FeatureShift",
    "Perturb",
    "FRAUD_SCENARIOS",
    "fraud_scenarios",
    "get_scenario",
]


_ROWS = ("positives", "negatives", "all")


def _row_mask(rows: str, y: np.ndarray) -> np.ndarray:
    if rows == "positives":
        return y == 1
    if rows == "negatives":
        return y == 0
    return np.ones(len(y), dtype=bool)


def _check_mapping(value: Any, name: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            f"{name} must be a dict column -> number; got {type(value).__name__}."
        )
    for k, v in value.items():
        check_scalar(v, f"{name}[{k!r}]")
    return dict(value)


class _NumericScenario(BaseScenario):
    """Shared parts of FeatureShift and Perturb: row selection, bounds, integer columns."""

    @abstractmethod
    def _columns(self) -> list[str]:
        """The numeric columns this scenario changes."""

    def _check_columns(self, df):
        check_choice(self.rows, "rows", _ROWS, error=InvalidParameterError)
        bounds = self.bounds or {}
        if not isinstance(bounds, Mapping):
            raise InvalidParameterError("bounds must be a dict column -> (low, high).")
        cols = self._columns()
        if not cols:
            raise InvalidParameterError(f"scenario {self.name!r} has no columns to change.")
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise InvalidInputError(
                f"scenario {self.name!r} needs column(s) {missing} in X; "
                f"X has {list(df.columns)[:20]}."
            )
        _need_numeric(df, cols, self.name)
        for c, b in bounds.items():
            if c not in cols:
                raise InvalidParameterError(
                    f"bounds given for column {c!r}, which this scenario does not change ({cols})."
                )
            if not (isinstance(b, Sequence) and len(b) == 2) or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in b
            ):
                raise InvalidParameterError(
                    f"bounds[{c!r}] must be a (low, high) pair of numbers; got {b!r}."
                )
            if not b[0] < b[1]:
                raise InvalidParameterError(f"bounds[{c!r}] needs low < high; got {b!r}.")

    def _write(self, X: pd.DataFrame, col: str, mask: np.ndarray, new: np.ndarray) -> None:
        """Write new values for the masked rows, rounding integer columns and applying bounds.

        Bounds are the user's declared physical limits (an amount cannot go below
        0.01), so values pushed past them sit on the limit by design.
        """
        dtype = X[col].dtype
        if pd.api.types.is_integer_dtype(dtype):
            new = np.round(new)
        if col in (self.bounds or {}):
            lo, hi = self.bounds[col]
            new = np.clip(new, lo, hi)
        v = X[col].to_numpy(dtype=float, copy=True)
        v[mask] = new[mask]
        if pd.api.types.is_integer_dtype(dtype):
            info = np.iinfo(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype)
            if (v < info.min).any() or (v > info.max).any():
                raise InvalidInputError(
                    f"scenario {self.name!r} pushed integer column {col!r} past its dtype range; "
                    "give bounds for it."
                )
        X[col] = v.astype(dtype)


class FeatureShift(_NumericScenario):
    """Shift and/or scale named numeric columns of selected rows, for any table.

    At severity ``s`` a value ``v`` of column ``c`` becomes
    ``v * scale[c] ** s + s * shift[c] * sd[c]``, where ``sd[c]`` is the column's
    standard deviation in the data given to ``apply`` (so ``shift`` is in standard
    deviations per unit severity). ``rows`` picks which rows move ("positives" by
    default: the rare class adapts). Integer columns are rounded; ``bounds`` are
    the columns' physical limits, which stressed values never cross.

    Parameters
    ----------
    shift : dict column -> float, optional
        Additive shift in standard deviations per unit severity.
    scale : dict column -> float, optional
        Multiplicative factor per unit severity (``> 0``).
    rows : {"positives", "negatives", "all"}
    bounds : dict column -> (low, high), optional
    name : str, optional
        Scenario name in reports (default ``"feature_shift"``).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [10.0, 20.0]})
    >>> FeatureShift(scale={"a": 0.5}).apply(X, [1, 0], 1.0, 0)[0]["a"].tolist()
    [5.0, 20.0]
    """

    def __init__(
        self,
        *,
        shift: Mapping[str, float] | None = None,
        scale: Mapping[str, float] | None = None,
        rows: str = "positives",
        bounds: Mapping[str, tuple[float, float]] | None = None,
        name: str = "feature_shift",
    ) -> None:
        self.shift = shift
        self.scale = scale
        self.rows = rows
        self.bounds = bounds
        self.name = name

    def _columns(self):
        shift = _check_mapping(self.shift, "shift")
        scale = _check_mapping(self.scale, "scale")
        for c, f in scale.items():
            if f <= 0:
                raise InvalidParameterError(f"scale[{c!r}] must be > 0; got {f!r}.")
        return list(dict.fromkeys([*shift, *scale]))

    def _apply(self, X, y, severity, rng):
        mask = _row_mask(self.rows, y)
        shift = self.shift or {}
        scale = self.scale or {}
        for col in self._columns():
            v = X[col].to_numpy(dtype=float)
            sd = float(np.std(v)) if len(v) > 1 else 0.0
            new = v * float(scale.get(col, 1.0)) ** severity + severity * float(
                shift.get(col, 0.0)
            ) * (sd if sd > 0 else 1.0)
            self._write(X, col, mask, new)
        return X, y


class Perturb(_NumericScenario):
    """Add Gaussian noise to numeric columns of selected rows: measurement error or jitter.

    At severity ``s`` each value gets ``N(0, (s * noise * sd[c])^2)`` noise, where
    ``sd[c]`` is the column's standard deviation. The same ``random_state`` gives
    the same standard normal draws at every severity, so the noise grows linearly.

    Parameters
    ----------
    columns : list of str, optional
        Columns to perturb (default: every numeric, non-bool column).
    noise : float
        Noise standard deviation per unit severity, in column standard deviations.
    rows : {"all", "positives", "negatives"}
    bounds : dict column -> (low, high), optional

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "k": [1, 2, 3]})
    >>> Xs, _ = Perturb(noise=0.5).apply(X, [0, 1, 0], severity=1.0, random_state=0)
    >>> Xs["k"].dtype, bool((Xs["a"] != X["a"]).all())
    (dtype('int64'), True)
    """

    def __init__(
        self,
        *,
        columns: Sequence[str] | None = None,
        noise: float = 0.25,
        rows: str = "all",
        bounds: Mapping[str, tuple[float, float]] | None = None,
        name: str = "perturb",
    ) -> None:
        self.columns = columns
        self.noise = noise
        self.rows = rows
        self.bounds = bounds
        self.name = name

    def _columns(self):
        check_scalar(self.noise, "noise", low=0.0)
        if self.columns is None:
            return list(self._default_cols)
        if isinstance(self.columns, str) or not isinstance(self.columns, Sequence):
            raise InvalidParameterError("columns must be a list of column names.")
        return list(self.columns)

    def _check_columns(self, df):
        self._default_cols = [
            c
            for c in df.columns
            if pd.api.types.is_numeric_dtype(df[c].dtype)
            and not pd.api.types.is_bool_dtype(df[c].dtype)
        ]
        super()._check_columns(df)

    def _apply(self, X, y, severity, rng):
        mask = _row_mask(self.rows, y)
        cols = self._columns()
        z = rng.standard_normal((len(y), len(cols)))
        for j, col in enumerate(cols):
            v = X[col].to_numpy(dtype=float)
            sd = float(np.std(v)) if len(v) > 1 else 0.0
            new = v + severity * float(self.noise) * (sd if sd > 0 else 1.0) * z[:, j]
            self._write(X, col, mask, new)
        return X, y
