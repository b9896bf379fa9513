"""Typology scenarios: the test set's fraud rows replaced by one typology at a severity.

Each fraud typology of :mod:`edgecase.fraud.typologies` has its own severity
knob (0 as typically observed, 1 calibrated evasive). A
:class:`TypologyScenario` sweeps that knob: at severity ``s`` every positive row
of ``X`` is replaced by a fresh fraud row of the typology at ``s``, simulated
with full account histories by :func:`edgecase.fraud.simulate_transactions`.
Legit rows are untouched, so the alert budget stays comparable across severities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator
from edgecase._validate import (
    as_frame,
    check_binary_target,
    check_choice,
    check_consistent_length,
    check_finite,
    check_severity,
)
from edgecase.errors import InvalidInputError, UnknownNameError

__all__ = ["TypologyScenario", "typology_scenarios"]

# Share of fraud in the side population the replacement rows come from; high enough
# to keep the simulation small, low enough that accounts keep legit histories.
_SIDE_FRAUD_RATE = 0.05


class TypologyScenario:
    """Replace the positives of simulator-feature data by one typology at a severity.

    Parameters
    ----------
    typology : str
        One of :data:`edgecase.fraud.TYPOLOGIES`.

    Examples
    --------
    >>> from edgecase.fraud import simulate_transactions, split_features
    >>> X, y = split_features(simulate_transactions(4_000, fraud_rate=0.01, random_state=0, progress=False))
    >>> Xs, ys = TypologyScenario("card_testing").apply(X, y, 1.0, random_state=0)
    >>> Xs.shape == X.shape, int(ys.sum()) == int(y.sum())
    (True, True)
    """

    #: The harness measures this scenario against its own lowest severity (its rows are simulated).
    own_baseline = True

    def __init__(self, typology: str) -> None:
        self.typology = typology

    @property
    def name(self) -> str:
        return f"typology_{self.typology}"

    def apply(
        self, X: Any, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, Any]:
        from edgecase.fraud import (
            FEATURE_COLUMNS,
            TYPOLOGIES,
            simulate_transactions,
            split_features,
        )

        severity = check_severity(severity)
        check_choice(self.typology, "typology", list(TYPOLOGIES), error=UnknownNameError)
        df = as_frame(X)
        check_finite(df)
        check_consistent_length(df, y if hasattr(y, "__len__") else [y])
        y_arr = check_binary_target(y)
        missing = [c for c in FEATURE_COLUMNS if c not in df.columns]
        if missing:
            raise InvalidInputError(
                f"scenario {self.name!r} needs the simulator's feature columns; X lacks {missing}. "
                "Build X with edgecase.fraud.split_features(simulate_transactions(...))."
            )
        rng = as_generator(random_state)
        pos = np.flatnonzero(y_arr == 1)
        n_side = int(np.ceil(len(pos) / _SIDE_FRAUD_RATE)) + 40
        side = simulate_transactions(
            n_side,
            fraud_rate=_SIDE_FRAUD_RATE,
            typologies=self.typology,
            severity=severity,
            random_state=rng,
            progress=False,
        )
        side_X, side_y = split_features(side)
        fraud_rows = side_X[side_y.to_numpy() == 1]
        take = rng.choice(len(fraud_rows), size=len(pos), replace=len(fraud_rows) < len(pos))
        out = df.copy()
        new = fraud_rows.iloc[take]
        for col in FEATURE_COLUMNS:
            values = new[col].to_numpy()
            if isinstance(out[col].dtype, pd.CategoricalDtype):
                values = pd.Categorical(new[col].astype(object), dtype=out[col].dtype)
                if pd.isna(values).any():
                    raise InvalidInputError(
                        f"scenario {self.name!r}: column {col!r} of X lacks categories the simulator uses."
                    )
            out.iloc[pos, out.columns.get_loc(col)] = values
        return out, y


def typology_scenarios() -> list[TypologyScenario]:
    """One :class:`TypologyScenario` per built-in typology."""
    from edgecase.fraud import TYPOLOGIES

    return [TypologyScenario(t) for t in TYPOLOGIES]
