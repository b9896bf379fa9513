"""Typology scenarios: the test set's fraud rows replaced by one typology at a severity.

Each fraud typology of :mod:`edgecase.fraud.typologies` has its own severity
knob (0 as typically observed, 1 calibrated evasive). A
:class:`TypologyScenario` sweeps that knob: at severity ``s`` every positive row
of ``X`` is replaced by a fresh fraud row of the typology at ``s``, simulated
with full account histories by :func:`edgecase.fraud.simulate_transactions`, and
further simulated fraud rows are appended until there are ``min_positives`` of them:
a test set's few dozen positives of one typology cannot resolve a 20% drop in recall.
Legit rows are untouched, so the alert budget stays comparable across severities.
Each simulated row carries its event id (the compromised merchant for
merchant_compromise, the victim's account otherwise) in ``X_s.attrs["edgecase_groups"]``,
so the harness resamples whole events.
"""

from __future__ import annotations

import numbers
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
    check_scalar,
    check_severity,
)
from edgecase.errors import InvalidInputError, UnknownNameError
from edgecase.stress._side import GROUPS_ATTR

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
    min_positives : int, default 2000
        Fraud rows simulated per severity, at least (never fewer than the positives of
        ``X``); the ones beyond ``X``'s positives are appended after ``X``'s rows. 0 only
        replaces ``X``'s positives.

    Examples
    --------
    >>> from edgecase.fraud import simulate_transactions, split_features
    >>> X, y = split_features(simulate_transactions(4_000, fraud_rate=0.01, random_state=0, progress=False))
    >>> Xs, ys = TypologyScenario("card_testing", min_positives=500).apply(X, y, 1.0, random_state=0)
    >>> Xs.shape[1] == X.shape[1], int(ys.sum()), len(ys) - int(ys.sum()) == int((y == 0).sum())
    (True, 500, True)
    """

    #: The harness measures this scenario against its own lowest severity (its rows are simulated).
    own_baseline = True

    def __init__(self, typology: str, *, min_positives: int = 2000) -> None:
        self.typology = typology
        self.min_positives = min_positives

    @property
    def name(self) -> str:
        return f"typology_{self.typology}"

    def apply(
        self, X: Any, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, Any]:
        from edgecase.fraud import FEATURE_COLUMNS, TYPOLOGIES

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
        check_scalar(self.min_positives, "min_positives", kind=numbers.Integral, low=0)
        rng = as_generator(random_state)
        pos = np.flatnonzero(y_arr == 1)
        n_fraud = max(len(pos), int(self.min_positives))
        fraud_rows, events = self._simulate(n_fraud, severity, rng)
        out = df.copy()
        new = _as_columns(fraud_rows.iloc[: len(pos)], out, self.name)
        for col in FEATURE_COLUMNS:
            out.iloc[pos, out.columns.get_loc(col)] = new[col].array
        extra = _as_columns(fraud_rows.iloc[len(pos) :], out, self.name)
        extra.index = _new_labels(out.index, len(extra))
        # numeric codes, NaN where a row is not simulated: pandas deep-copies ``attrs`` on
        # every operation, and a copy of an object array costs a Python call per element
        codes = pd.factorize(events)[0].astype(np.float64)
        groups = np.full(len(out), np.nan)
        groups[pos] = codes[: len(pos)]
        if len(extra):
            out = pd.concat([out, extra[out.columns]])
        out.attrs[GROUPS_ATTR] = np.r_[groups, codes[len(pos) :]]
        y_out = np.r_[y_arr, np.ones(len(extra), dtype=y_arr.dtype)]
        if isinstance(y, pd.Series):
            return out, pd.Series(y_out, index=out.index, name=y.name)
        return out, y_out

    def _simulate(self, n_fraud: int, severity: float, rng: np.random.Generator):
        """``n_fraud`` distinct fraud rows of the typology and their event ids."""
        from edgecase.fraud import simulate_transactions, split_features

        fraud_rows, events = [], []
        have = 0
        while have < n_fraud:  # the realised fraud count is random: top up if short
            side = simulate_transactions(
                int(np.ceil((n_fraud - have) / _SIDE_FRAUD_RATE * 1.1)) + 40,
                fraud_rate=_SIDE_FRAUD_RATE, typologies=self.typology, severity=severity,
                random_state=rng, progress=False,
            )  # fmt: skip
            side_X, side_y = split_features(side)
            is_f = side_y.to_numpy() == 1
            key = "merchant_id" if self.typology == "merchant_compromise" else "account_id"
            fraud_rows.append(side_X[is_f])
            # a batch's ids are its own: the same number in another batch is another event
            events.append([f"{len(events)}:{v}" for v in side.loc[is_f, key].to_numpy()])
            have += int(is_f.sum())
        rows = pd.concat(fraud_rows)
        ev = np.array([e for batch in events for e in batch], dtype=object)
        take = rng.permutation(len(rows))[:n_fraud]
        return rows.iloc[take], ev[take]


def _as_columns(new: pd.DataFrame, like: pd.DataFrame, name: str) -> pd.DataFrame:
    """The simulator's rows with the dtypes of ``like`` (its categories)."""
    from edgecase.fraud import FEATURE_COLUMNS

    out = {}
    for col in FEATURE_COLUMNS:
        values = new[col].to_numpy()
        if isinstance(like[col].dtype, pd.CategoricalDtype):
            values = pd.Categorical(new[col].astype(object), dtype=like[col].dtype)
            if pd.isna(values).any():
                raise InvalidInputError(
                    f"scenario {name!r}: column {col!r} of X lacks categories the simulator uses."
                )
        out[col] = values
    frame = pd.DataFrame(out, index=new.index)
    return frame.astype({c: like[c].dtype for c in FEATURE_COLUMNS})


def _new_labels(index: pd.Index, k: int) -> pd.Index:
    """Index labels for ``k`` appended rows: continuing an integer index, else strings."""
    if pd.api.types.is_integer_dtype(index.dtype):
        start = int(index.max()) + 1 if len(index) else 0
        return pd.RangeIndex(start, start + k)
    return pd.Index([f"simulated_{i}" for i in range(k)], dtype=object)


def typology_scenarios(*, min_positives: int = 2000) -> list[TypologyScenario]:
    """One :class:`TypologyScenario` per built-in typology."""
    from edgecase.fraud import TYPOLOGIES

    return [TypologyScenario(t, min_positives=min_positives) for t in TYPOLOGIES]
