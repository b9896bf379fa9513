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
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator
from edgecase._validate import (
    as_frame,
    check_binary_target,
    check_choice,
    check_consistent_length,
    check_scalar,
    check_severity,
)
from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError

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


@runtime_checkable
class Scenario(Protocol):
    """What the stress harness needs from a scenario."""

    name: str

    def apply(
        self, X: pd.DataFrame, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, Any]: ...


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
        severity = check_severity(severity)
        df = as_frame(X)
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
            return df.copy(), y
        X_s, y_s = self._apply(df.copy(), y_arr.copy(), severity, rng)
        if isinstance(y, pd.Series):
            if len(y_s) == len(y) and np.array_equal(y_s, y_arr):
                y_out = y.copy()
            else:
                y_out = pd.Series(y_s.astype(y.dtype), name=y.name, index=X_s.index)
        else:
            y_out = np.asarray(y_s).astype(np.asarray(y).dtype)
        return X_s, y_out

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


def _set_amount(X: pd.DataFrame, rows: np.ndarray, new_amount: np.ndarray) -> None:
    """Write new amounts (cents, >= 0.01) and rescale amount_to_median by the same ratio.

    amount_to_median is amount / (median of the account's earlier amounts); the
    history is untouched, so the ratio moves exactly like the amount.
    """
    old = X["amount"].to_numpy(dtype=float)[rows]
    new = np.maximum(np.round(new_amount, 2), 0.01)
    amount = X["amount"].to_numpy(dtype=float, copy=True)
    amount[rows] = new
    X["amount"] = amount.astype(X["amount"].dtype)
    if "amount_to_median" in X.columns:
        atm = X["amount_to_median"].to_numpy(dtype=float, copy=True)
        atm[rows] = atm[rows] * new / old
        X["amount_to_median"] = atm.astype(X["amount_to_median"].dtype)


class AmountEvasion(BaseScenario):
    """Fraudsters cut amounts to slip under amount rules.

    Each fraud row's amount is multiplied by ``keep ** (severity * u)`` with
    ``u ~ Uniform(0.5, 1.5)`` per row (fraudsters do not all cut alike):
    at severity 1 amounts are halved on average (``keep=0.5``), at 3 cut about
    eightfold. Amounts stay in cents and >= 0.01; ``amount_to_median`` is scaled by
    the same ratio.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"amount": [100.0, 80.0], "amount_to_median": [4.0, 1.0]})
    >>> Xs, _ = AmountEvasion().apply(X, [1, 0], severity=1.0, random_state=0)
    >>> bool(Xs["amount"][0] < 100.0), float(Xs["amount"][1])
    (True, 80.0)
    """

    name = "amount_evasion"
    required = ("amount",)

    def __init__(self, *, keep: float = 0.5) -> None:
        self.keep = keep

    def _check_columns(self, df: pd.DataFrame) -> None:
        check_scalar(self.keep, "keep", low=0.0, high=1.0, low_inclusive=False)
        _need_numeric(df, [c for c in ("amount", "amount_to_median") if c in df], self.name)

    def _apply(self, X, y, severity, rng):
        rows = np.flatnonzero(y == 1)
        u = rng.uniform(0.5, 1.5, size=len(y))[rows]
        old = X["amount"].to_numpy(dtype=float)[rows]
        _set_amount(X, rows, old * self.keep ** (severity * u))
        return X, y


class VelocityEvasion(BaseScenario):
    """Fraudsters slow their bursts down: fewer earlier transactions in the last 1h/24h.

    Each earlier transaction counted in a fraud row survives with probability
    ``slowdown ** -severity`` (binomial thinning), so severity 1 halves the
    velocity counts (``slowdown=2``). The 1h transactions are a subset of the
    24h ones and are thinned together, so ``txn_count_1h <= txn_count_24h`` holds.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"txn_count_1h": [6, 6], "txn_count_24h": [20, 20]})
    >>> Xs, _ = VelocityEvasion().apply(X, [1, 0], severity=2.0, random_state=0)
    >>> Xs.values.tolist()
    [[2, 3], [6, 20]]
    """

    name = "velocity_evasion"
    required = ("txn_count_1h", "txn_count_24h")

    def __init__(self, *, slowdown: float = 2.0) -> None:
        self.slowdown = slowdown

    def _check_columns(self, df):
        check_scalar(self.slowdown, "slowdown", low=1.0)
        _need_numeric(df, self.required, self.name)

    def _apply(self, X, y, severity, rng):
        p = float(self.slowdown) ** -severity
        c1 = X["txn_count_1h"].to_numpy()
        c24 = X["txn_count_24h"].to_numpy()
        if (c1 < 0).any() or (c24 < 0).any() or (c1 != np.round(c1)).any():
            raise InvalidInputError(
                f"scenario {self.name!r}: txn_count_1h/txn_count_24h must be integers >= 0."
            )
        # Draw for every row (not only fraud rows) so the draws do not depend on y.
        u1 = rng.random(len(y))
        u2 = rng.random(len(y))
        c1i = c1.astype(np.int64)
        rest = np.maximum(c24.astype(np.int64) - c1i, 0)
        # Binomial thinning by inverse CDF of common uniforms: monotone in p, so a
        # higher severity never keeps more transactions than a lower one.
        from scipy.stats import binom

        fraud = np.flatnonzero(y == 1)
        new1 = c1i.copy()
        new24 = c24.astype(np.int64)
        # ppf(0) is -1 in scipy; u == 0.0 is possible (once in 2**53 draws)
        keep1 = np.maximum(binom.ppf(u1[fraud], c1i[fraud], p), 0).astype(np.int64)
        new1[fraud] = keep1
        new24[fraud] = keep1 + np.maximum(binom.ppf(u2[fraud], rest[fraud], p), 0).astype(np.int64)
        X["txn_count_1h"] = new1.astype(X["txn_count_1h"].dtype)
        X["txn_count_24h"] = new24.astype(X["txn_count_24h"].dtype)
        return X, y


class NewMerchantCategories(BaseScenario):
    """Fraud moves to merchant categories where it was rare.

    A fraction ``1 - (1 - at_one) ** severity`` of fraud rows (30% at severity 1)
    gets a merchant category drawn from the legitimate rows' category mix, so
    fraud stops concentrating in the categories the model learnt. Only categories
    already in the dtype are used (a model cannot score unseen levels).

    Examples
    --------
    >>> import pandas as pd
    >>> cats = pd.Categorical(["gift_cards"] * 50 + ["grocery"] * 50)
    >>> X, y = pd.DataFrame({"merchant_category": cats}), [1] * 50 + [0] * 50
    >>> Xs, _ = NewMerchantCategories().apply(X, y, severity=3.0, random_state=0)
    >>> int((Xs["merchant_category"][:50] == "grocery").sum())
    32
    """

    name = "new_merchant_categories"
    required = ("merchant_category",)

    def __init__(self, *, at_one: float = 0.3) -> None:
        self.at_one = at_one

    def _check_columns(self, df):
        check_scalar(self.at_one, "at_one", low=0.0, high=1.0, high_inclusive=False)
        _need_category(df, self.required, self.name)

    def _apply(self, X, y, severity, rng):
        col = X["merchant_category"]
        codes = col.cat.codes.to_numpy()
        n_levels = len(col.cat.categories)
        legit_counts = np.bincount(codes[y == 0], minlength=n_levels).astype(float)
        if legit_counts.sum() == 0:
            return X, y
        frac = _keep_fraction(severity, self.at_one)
        u = rng.random(len(y))
        draw = rng.choice(n_levels, size=len(y), p=legit_counts / legit_counts.sum())
        move = (y == 1) & (u < frac)
        new_codes = np.where(move, draw, codes)
        X["merchant_category"] = pd.Categorical.from_codes(new_codes, dtype=col.dtype)
        return X, y


class TimeShift(BaseScenario):
    """Fraud shifts to the hours when legitimate customers shop.

    A fraction ``1 - (1 - at_one) ** severity`` of fraud rows (40% at severity 1)
    gets an hour drawn from the legitimate rows' hour-of-day distribution, which
    defeats models that learnt "fraud happens at night".

    Examples
    --------
    >>> import pandas as pd
    >>> X, y = pd.DataFrame({"hour": [2] * 50 + [14] * 50}), [1] * 50 + [0] * 50
    >>> Xs, _ = TimeShift().apply(X, y, severity=1.0, random_state=0)
    >>> int((Xs["hour"][:50] == 14).sum())
    19
    """

    name = "time_shift"
    required = ("hour",)

    def __init__(self, *, at_one: float = 0.4) -> None:
        self.at_one = at_one

    def _check_columns(self, df):
        check_scalar(self.at_one, "at_one", low=0.0, high=1.0, high_inclusive=False)
        _need_numeric(df, self.required, self.name)
        h = df["hour"].to_numpy()
        if (h < 0).any() or (h > 23).any() or (h != np.round(h)).any():
            raise InvalidInputError(
                f"scenario {self.name!r}: column 'hour' must hold integers 0..23."
            )

    def _apply(self, X, y, severity, rng):
        hours = X["hour"].to_numpy().astype(np.int64)
        legit = np.bincount(hours[y == 0], minlength=24).astype(float)
        if legit.sum() == 0:
            return X, y
        frac = _keep_fraction(severity, self.at_one)
        u = rng.random(len(y))
        draw = rng.choice(24, size=len(y), p=legit / legit.sum())
        new = np.where((y == 1) & (u < frac), draw, hours)
        X["hour"] = new.astype(X["hour"].dtype)
        return X, y


def _ato_like(X: pd.DataFrame, min_age: float) -> np.ndarray:
    """Rows that look like an account takeover: an established account on a new device."""
    return X["is_new_device"].to_numpy(dtype=bool) & (
        X["account_age_days"].to_numpy(dtype=float) >= min_age
    )


class AccountTakeoverMix(BaseScenario):
    """The fraud mix tilts toward account takeover.

    Account-takeover-like fraud rows (``is_new_device`` on an account at least
    ``min_age_days`` old) are the observed ATO signature in the feature columns.
    The positives are resampled with replacement (same count) so that the ATO
    share moves from its observed value ``r0`` to
    ``r0 + (1 - r0) * (1 - (1 - at_one) ** severity)``. Legitimate rows are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"is_new_device": [True, False, False, False, False],
    ...                   "account_age_days": [400, 10, 20, 30, 40]})
    >>> Xs, _ = AccountTakeoverMix().apply(X, [1, 1, 1, 1, 0], severity=2.0, random_state=0)
    >>> int(Xs["is_new_device"][:4].sum())
    3
    """

    name = "account_takeover_mix"
    required = ("is_new_device", "account_age_days")

    def __init__(self, *, at_one: float = 0.5, min_age_days: float = 90.0) -> None:
        self.at_one = at_one
        self.min_age_days = min_age_days

    def _check_columns(self, df):
        check_scalar(self.at_one, "at_one", low=0.0, high=1.0, high_inclusive=False)
        check_scalar(self.min_age_days, "min_age_days", low=0.0)
        _need_numeric(df, ["account_age_days"], self.name)

    def _apply(self, X, y, severity, rng):
        pos = np.flatnonzero(y == 1)
        ato = _ato_like(X, self.min_age_days)[pos]
        if not ato.any():
            raise InvalidInputError(
                f"scenario {self.name!r} found no account-takeover-like positives "
                f"(is_new_device and account_age_days >= {self.min_age_days}); it cannot "
                "raise their share."
            )
        r0 = ato.mean()
        share = r0 + (1 - r0) * _keep_fraction(severity, self.at_one)
        n_ato = int(round(share * len(pos)))
        others = pos[~ato] if (~ato).any() else pos[ato]
        # Draws of fixed size from each pool, whatever the severity (common random numbers).
        take_ato = rng.choice(pos[ato], size=len(pos), replace=True)
        take_other = rng.choice(others, size=len(pos), replace=True)
        new_pos = np.concatenate([take_ato[:n_ato], take_other[: len(pos) - n_ato]])
        src = np.arange(len(y))
        src[pos] = np.sort(new_pos)
        X = X.iloc[src].set_axis(X.index)
        return X, y


def _poisson_ppf(u: np.ndarray, mu: float) -> np.ndarray:
    """Poisson(mu) inverse CDF at uniforms ``u`` (common random numbers: monotone in mu).

    scipy's ``poisson.ppf`` iterates per element (~0.3 s per 100k rows); with one
    ``mu`` the CDF table is tiny and a ``searchsorted`` inverts it exactly.
    """
    from scipy.stats import poisson

    k_max = int(poisson.isf(1e-15, mu)) + 2
    cdf = poisson.cdf(np.arange(k_max + 1), mu)
    return np.minimum(np.searchsorted(cdf, u, side="left"), k_max).astype(np.int64)


class LegitDrift(BaseScenario):
    """Legitimate behaviour drifts, as in a holiday season.

    For legitimate rows at severity ``s``: amounts grow by ``amount_growth ** s`` on
    average (lognormal spread; ``amount_to_median`` moves with them), velocity
    counts gain ``Poisson(0.3 s)`` transactions in the last hour and ``Poisson(1.5 s)``
    more in the day, a fraction ``1 - 0.8 ** s`` of purchases are at a new merchant,
    and the same fraction of card-present purchases move online. Fraud rows are unchanged;
    the drift raises false positives and shifts the alert threshold's meaning.
    Columns missing from X are skipped, but ``amount`` is required.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"amount": [50.0] * 4, "txn_count_1h": [0] * 4, "txn_count_24h": [1] * 4})
    >>> Xs, _ = LegitDrift().apply(X, [1, 0, 0, 0], severity=1.0, random_state=0)
    >>> float(Xs["amount"][0]), bool((Xs["amount"][1:] != 50.0).all())
    (50.0, True)
    """

    name = "legit_drift"
    required = ("amount",)

    def __init__(self, *, amount_growth: float = 1.3) -> None:
        self.amount_growth = amount_growth

    def _check_columns(self, df):
        check_scalar(self.amount_growth, "amount_growth", low=1.0)
        _need_numeric(df, ["amount"], self.name)

    def _apply(self, X, y, severity, rng):
        n = len(y)
        legit = y == 0
        rows = np.flatnonzero(legit)
        z = rng.standard_normal(n)
        factor = float(self.amount_growth) ** (severity * np.exp(0.5 * z - 0.125))
        old = X["amount"].to_numpy(dtype=float)
        _set_amount(X, rows, old[rows] * factor[rows])
        u_h, u_d, u_m, u_c = (rng.random(n) for _ in range(4))
        if "txn_count_1h" in X and "txn_count_24h" in X:
            add1 = _poisson_ppf(u_h, 0.3 * severity)
            add24 = add1 + _poisson_ppf(u_d, 1.5 * severity)
            for col, add in (("txn_count_1h", add1), ("txn_count_24h", add24)):
                v = X[col].to_numpy().astype(np.int64)
                X[col] = np.where(legit, v + add, v).astype(X[col].dtype)
        frac = _keep_fraction(severity, 0.2)
        if "is_new_merchant" in X:
            v = X["is_new_merchant"].to_numpy(dtype=bool)
            X["is_new_merchant"] = (v | (legit & (u_m < frac))).astype(X["is_new_merchant"].dtype)
        if "channel" in X and isinstance(X["channel"].dtype, pd.CategoricalDtype):
            cats = list(X["channel"].cat.categories)
            if "online" in cats and "card_present" in cats:
                codes = X["channel"].cat.codes.to_numpy()
                move = legit & (codes == cats.index("card_present")) & (u_c < frac)
                codes = np.where(move, cats.index("online"), codes)
                X["channel"] = pd.Categorical.from_codes(codes, dtype=X["channel"].dtype)
        return X, y


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


#: The built-in fraud scenarios, by name.
FRAUD_SCENARIOS: dict[str, type[BaseScenario]] = {
    cls.name: cls
    for cls in (
        AmountEvasion,
        VelocityEvasion,
        NewMerchantCategories,
        TimeShift,
        AccountTakeoverMix,
        LegitDrift,
    )
}


def get_scenario(name: str, **params: Any) -> BaseScenario:
    """A built-in fraud scenario by name.

    Examples
    --------
    >>> get_scenario("amount_evasion", keep=0.4)
    AmountEvasion(keep=0.4)
    """
    check_choice(name, "scenario", list(FRAUD_SCENARIOS), error=UnknownNameError)
    return FRAUD_SCENARIOS[name](**params)


def fraud_scenarios() -> list[BaseScenario]:
    """One instance of every built-in fraud scenario with default parameters.

    Examples
    --------
    >>> [s.name for s in fraud_scenarios()][:2]
    ['amount_evasion', 'velocity_evasion']
    """
    return [cls() for cls in FRAUD_SCENARIOS.values()]
