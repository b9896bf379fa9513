"""The scenario protocol and the template the built-in scenarios share.

A scenario is any object with a ``name`` and
``apply(X, y, severity, random_state) -> (X_stressed, y_stressed)``; see
:mod:`edgecase.stress.scenarios` for the built-in ones.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator
from edgecase._validate import (
    as_frame,
    check_binary_target,
    check_consistent_length,
    check_finite,
    check_severity,
)
from edgecase.errors import InvalidInputError
from edgecase.stress._changes import check_changed_finite

__all__ = ["Scenario", "BaseScenario"]


@runtime_checkable
class Scenario(Protocol):
    """What the stress harness needs from a scenario."""

    name: str

    def apply(
        self, X: pd.DataFrame, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, Any]: ...


def _copy_on_write() -> bool:
    """Whether pandas copies on write (always from pandas 3): then a shallow copy of the
    input is as safe to stress as a deep one (a write never reaches the input) and the
    columns a scenario does not touch stay shared, so comparing them is free."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True


def _keep_fraction(severity: float, at_one: float) -> float:
    """Fraction of rows affected at ``severity``: 0 at 0, ``at_one`` at 1, saturating toward 1.

    ``1 - (1 - at_one) ** severity`` keeps every severity meaningful (no clipping at 1).
    """
    return 1.0 - (1.0 - at_one) ** severity


class BaseScenario(ABC):
    """Shared validation for the built-in scenarios.

    Subclasses set ``name`` and ``required`` (columns they need) and implement
    ``_apply(X, y, severity, rng)`` on a copy of ``X`` and an int8 label array.
    ``apply`` returns ``y`` in the type it came in (a Series keeps its name and index).
    """

    name: str = "scenario"
    required: tuple[str, ...] = ()

    def apply(
        self, X: Any, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, Any]:
        """Return ``(X_stressed, y_stressed)`` at ``severity`` (0 = unchanged)."""
        X_s, y_out, _ = self.apply_with_changes(X, y, severity, random_state)
        return X_s, y_out

    def apply_with_changes(
        self,
        X: Any,
        y: Any,
        severity: float,
        random_state: RandomStateLike = None,
        *,
        X_checked: bool = False,
    ) -> tuple[pd.DataFrame, Any, dict[Any, np.ndarray]]:
        """:meth:`apply`, plus which cells it changed (``column_changes(X, X_stressed)``, a
        dict column -> boolean row mask; None when the rows are not comparable).

        ``X_checked``: ``X`` is a DataFrame that has passed ``check_finite`` (the caller
        checked it once for many calls), so it is not checked again.
        """
        severity = check_severity(severity)
        df = as_frame(X)
        if not X_checked:
            check_finite(df)
        check_consistent_length(df, y if hasattr(y, "__len__") else [y])
        y_arr = check_binary_target(y)
        missing = [c for c in self.required if c not in df.columns]
        if missing:
            raise InvalidInputError(
                f"scenario {self.name!r} needs column(s) {missing} in X; "
                f"X has {list(df.columns)[:20]}."
            )
        self._check_columns(df)
        rng = as_generator(random_state)
        if severity == 0.0:
            changes = {col: np.zeros(len(df), dtype=bool) for col in df.columns}
            return df.copy(deep=not _copy_on_write()), y, changes
        X_s, y_s = self._apply(df.copy(deep=not _copy_on_write()), y_arr.copy(), severity, rng)
        # An overflowing shift or a scenario bug must not hand NaN/inf to the model.
        # (the input passed check_finite: only the columns the scenario changed can fail)
        changes = check_changed_finite(
            df, X_s, name=f"scenario {self.name!r} output at severity {severity}"
        )
        if isinstance(y, pd.Series):
            if len(y_s) == len(y) and np.array_equal(y_s, y_arr):
                y_out = y.copy()
            else:
                y_out = pd.Series(y_s.astype(y.dtype), name=y.name, index=X_s.index)
        else:
            y_out = np.asarray(y_s).astype(np.asarray(y).dtype)
        return X_s, y_out, changes

    def _check_columns(self, df: pd.DataFrame) -> None:  # noqa: B027 - optional hook, default: nothing to check
        """Extra dtype checks of the required columns (override)."""

    @abstractmethod
    def _apply(
        self, X: pd.DataFrame, y: np.ndarray, severity: float, rng: np.random.Generator
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Stress a copy of ``X`` and the int8 labels at ``severity`` > 0."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


def _need_numeric(df: pd.DataFrame, cols: Sequence[str], scenario: str) -> None:
    for c in cols:
        dt = df[c].dtype
        if not pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt):
            raise InvalidInputError(
                f"scenario {scenario!r} needs a numeric column {c!r}; got dtype {dt}."
            )


def _need_category(df: pd.DataFrame, cols: Sequence[str], scenario: str) -> None:
    for c in cols:
        if not isinstance(df[c].dtype, pd.CategoricalDtype):
            raise InvalidInputError(
                f"scenario {scenario!r} needs column {c!r} of dtype 'category'; got {df[c].dtype}."
            )
