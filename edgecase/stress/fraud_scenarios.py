"""The built-in fraud scenarios: how fraudsters adapt, on the simulator's feature columns.

They take ``y = is_fraud`` and keep derived columns consistent (cutting ``amount``
also scales ``amount_to_median``; thinning ``txn_count_1h`` also thins
``txn_count_24h``).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import (
    check_choice,
    check_scalar,
)
from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError
from edgecase.stress.scenario_base import (
    BaseScenario,
    _keep_fraction,
    _need_category,
    _need_numeric,
)

__all__ = [
    "AmountEvasion",
    "VelocityEvasion",
    "NewMerchantCategories",
    "TimeShift",
    "AccountTakeoverMix",
    "LegitDrift",
    "FRAUD_SCENARIOS",
    "fraud_scenarios",
    "get_scenario",
]


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
    cls = FRAUD_SCENARIOS[name]
    known = [p for p in inspect.signature(cls).parameters if p != "self"]
    for key in params:
        check_choice(key, f"parameter of scenario {name!r}", known, error=InvalidParameterError)
    return cls(**params)


def fraud_scenarios() -> list[BaseScenario]:
    """One instance of every built-in fraud scenario with default parameters.

    Examples
    --------
    >>> [s.name for s in fraud_scenarios()][:2]
    ['amount_evasion', 'velocity_evasion']
    """
    return [cls() for cls in FRAUD_SCENARIOS.values()]
