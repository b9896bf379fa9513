"""VaR and ES backtests: Kupiec, Christoffersen, Basel traffic light, Acerbi-Szekely, McNeil-Frey.

Conventions: ``returns`` are daily (log) returns, ``var`` and ``es`` are *positive*
loss numbers forecast for the same day (``var = 0.023`` is a 2.3% VaR), and an
exception is a day with ``return < -var``. ``alpha`` is the VaR confidence level
(0.99 for a 99% VaR), so the expected exception rate is ``p = 1 - alpha``.

References: Kupiec (1995) proportion of failures; Christoffersen (1998)
independence and conditional coverage; Basel Committee (1996) supervisory
framework for backtesting (traffic light: cumulative binomial probability
below 95% green, below 99.99% yellow, else red; 0-4 / 5-9 / 10+ exceptions in
250 days at 99%); Acerbi & Szekely (2014) ES test Z2, its traffic-light cut-offs
(5% and 0.01% significance) and p-value sized by simulation for the backtest's own
level and length; McNeil & Frey (2000) exceedance residuals over the conditional
sigma with a bootstrap test of zero mean.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import xlogy

from edgecase._random import RandomStateLike, as_generator
from edgecase._validate import check_returns, check_scalar
from edgecase.errors import InvalidInputError

__all__ = [
    "var_backtest",
    "VarBacktest",
    "kupiec_pof",
    "christoffersen",
    "basel_zone",
    "zone_starts",
    "acerbi_szekely_z2",
    "z2_null",
    "z2_critical_values",
    "z2_p_value",
    "mcneil_frey",
]

#: Acerbi & Szekely's (2014) published critical values of Z2 (5% and 0.01%), valid for
#: their 97.5%, 250-day setting only; :func:`z2_critical_values` sizes them for any other.
Z2_YELLOW, Z2_RED = -0.70, -1.8


def kupiec_pof(n_exceptions: int, n: int, p: float) -> tuple[float, float]:
    """Kupiec's proportion-of-failures likelihood ratio and its chi-square(1) p-value.

    Examples
    --------
    >>> lr, pval = kupiec_pof(2, 250, 0.01)
    >>> round(lr, 4), round(pval, 4)
    (0.1084, 0.7419)
    """
    x, n = int(n_exceptions), int(n)
    phat = x / n
    ll0 = xlogy(n - x, 1 - p) + xlogy(x, p)
    ll1 = xlogy(n - x, 1 - phat) + xlogy(x, phat)
    lr = float(max(-2 * (ll0 - ll1), 0.0))
    return lr, float(stats.chi2.sf(lr, 1))


def christoffersen(exceptions: np.ndarray, p: float | None = None) -> dict[str, float]:
    """Christoffersen's independence (and, given ``p``, conditional coverage) test.

    Returns the transition counts ``n00, n01, n10, n11`` (``nij``: day t-1 in state
    i, day t in state j), ``lr_ind`` and its chi-square(1) ``p_ind``; with the
    expected exception rate ``p`` also ``lr_cc`` (H0: ``pi01 = pi11 = p``, the
    likelihood ratio computed jointly from the transition counts) and its
    chi-square(2) ``p_cc``.

    Examples
    --------
    >>> out = christoffersen([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
    >>> [out[k] for k in ("n00", "n01", "n10", "n11")], round(out["lr_ind"], 4)
    ([5, 1, 2, 1], 0.3089)
    """
    e = np.asarray(exceptions, dtype=np.int64)
    prev, cur = e[:-1], e[1:]
    n00 = int(((prev == 0) & (cur == 0)).sum())
    n01 = int(((prev == 0) & (cur == 1)).sum())
    n10 = int(((prev == 1) & (cur == 0)).sum())
    n11 = int(((prev == 1) & (cur == 1)).sum())
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    tot = n00 + n01 + n10 + n11
    pi = (n01 + n11) / tot if tot else 0.0
    ll0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    ll1 = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
    lr = float(max(-2 * (ll0 - ll1), 0.0))
    out = {
        "n00": n00,
        "n01": n01,
        "n10": n10,
        "n11": n11,
        "lr_ind": lr,
        "p_ind": float(stats.chi2.sf(lr, 1)),
    }
    if p is not None:
        # Conditional coverage, jointly on the same transitions: H0 pi01 = pi11 = p against
        # the Markov alternative. Summing Kupiec's POF (on all T days) and lr_ind (on T-1
        # transitions) differs from it whenever day 1 is an exception.
        llp = xlogy(n00 + n10, 1 - p) + xlogy(n01 + n11, p)
        lr_cc = float(max(-2 * (llp - ll1), 0.0))
        out.update(lr_cc=lr_cc, p_cc=float(stats.chi2.sf(lr_cc, 2)))
    return out


def basel_zone(n_exceptions: Any, window: int = 250, alpha: float = 0.99) -> np.ndarray:
    """Basel traffic-light zone for exception counts in a window.

    Green while the cumulative binomial probability of that many exceptions or
    fewer is below 95%, yellow below 99.99%, red from there: 0-4 green, 5-9 yellow,
    10+ red for 250 days at 99%.

    Examples
    --------
    >>> basel_zone([0, 4, 5, 9, 10]).tolist()
    ['green', 'green', 'yellow', 'yellow', 'red']
    """
    x = np.asarray(n_exceptions)
    cdf = stats.binom.cdf(x, int(window), 1 - alpha)
    return np.where(cdf < 0.95, "green", np.where(cdf < 0.9999, "yellow", "red")).astype(object)


def zone_starts(window: int = 250, alpha: float = 0.99) -> dict[str, int | None]:
    """The smallest exception count in the yellow and in the red Basel zone.

    None stands for a zone that no count in the window reaches.

    Examples
    --------
    >>> zone_starts()
    {'yellow': 5, 'red': 10}
    """
    counts = np.arange(int(window) + 1)
    zone = basel_zone(counts, window, alpha)
    return {
        z: int(counts[zone == z].min()) if (zone == z).any() else None for z in ("yellow", "red")
    }


def acerbi_szekely_z2(returns: np.ndarray, var: np.ndarray, es: np.ndarray, alpha: float) -> float:
    """Acerbi-Szekely ``Z2 = sum(X_t I_t / (T p ES_t)) + 1``: 0 under a correct ES,
    negative when the tail losses exceed the forecast ES.

    Examples
    --------
    >>> round(acerbi_szekely_z2([-0.05, 0.01, -0.03, 0.02, 0.0], [0.02] * 5, [0.03] * 5, 0.9), 4)
    -4.3333
    """
    x = np.asarray(returns, dtype=float)
    exc = x < -np.asarray(var, dtype=float)
    p = 1 - alpha
    return float(np.sum(x * exc / (len(x) * p * np.asarray(es, dtype=float))) + 1)


def _z2_tail_table(alpha: float, nu: float, n_grid: int = 100_000) -> np.ndarray:
    """``X / ES`` on a fine midpoint grid of the ``1 - alpha`` tail of a Student-t (normal for
    ``nu = inf``): the standardised exceedances of a correct forecast."""
    p = 1.0 - alpha
    u = (np.arange(n_grid) + 0.5) / n_grid * p
    if np.isinf(nu):
        x = stats.norm.ppf(u)
        es = stats.norm.pdf(stats.norm.ppf(p)) / p
    else:
        x = stats.t.ppf(u, nu)
        q = stats.t.ppf(p, nu)
        es = (nu + q * q) / (nu - 1) * stats.t.pdf(q, nu) / p
    return x / es


@functools.lru_cache(maxsize=32)
def z2_null(
    alpha: float, n: int, *, nu: float = 5.0, n_sim: int = 400_000, seed: int = 0
) -> np.ndarray:
    """Sorted draws of Z2 under correct VaR/ES forecasts, for level ``alpha`` and ``n`` days.

    Z2 - 1 is ``sum X_t I_t / (n p ES_t)``: the number of exceptions is Binomial(n, p) and
    each standardised exceedance ``X / ES`` is drawn from the tail of a standardised
    Student-t with ``nu`` degrees of freedom (``inf``: normal). Acerbi & Szekely (2014)
    find the quantiles of Z2 stable across such tails; ``nu = 5`` is a daily-return tail.
    Cached, so repeated backtests at the same setting cost nothing.

    Examples
    --------
    >>> z = z2_null(0.975, 250)
    >>> round(float(np.mean(z)), 2)
    0.0
    """
    p = 1.0 - float(alpha)
    table = _z2_tail_table(float(alpha), float(nu))
    rng = np.random.default_rng(seed)
    k = rng.binomial(int(n), p, int(n_sim))
    idx = rng.integers(0, table.size, int(k.sum()))
    sums = np.bincount(np.repeat(np.arange(int(n_sim)), k), weights=table[idx], minlength=n_sim)
    return np.sort(sums / (int(n) * p) + 1.0)


def z2_critical_values(
    alpha: float, n: int, *, levels: tuple[float, float] = (0.05, 1e-4), **kw: Any
) -> tuple[float, float]:
    """Z2's yellow and red cut-offs (the ``levels`` quantiles under H0) for ``alpha`` and ``n``.

    Examples
    --------
    >>> y, r = z2_critical_values(0.975, 250)
    >>> -0.8 < y < -0.6, -2.2 < r < -1.5  # near the paper's -0.70 and -1.8
    (True, True)
    """
    z = z2_null(float(alpha), int(n), **kw)
    return float(np.quantile(z, levels[0])), float(np.quantile(z, levels[1]))


def z2_p_value(z2: float, alpha: float, n: int, **kw: Any) -> float:
    """One-sided p-value ``P(Z2 <= z2)`` under correct forecasts (small: ES too low).

    Examples
    --------
    >>> round(z2_p_value(0.0, 0.99, 250), 1)
    0.5
    """
    z = z2_null(float(alpha), int(n), **kw)
    return float((np.searchsorted(z, z2, side="right") + 1) / (z.size + 1))


def mcneil_frey(
    returns: np.ndarray,
    var: np.ndarray,
    es: np.ndarray,
    *,
    sigma: np.ndarray | None = None,
    n_boot: int = 2000,
    random_state: RandomStateLike = None,
) -> dict[str, float]:
    """McNeil-Frey test on exceedance residuals ``(loss - ES) / sigma`` on exception days.

    ``sigma`` is the forecast's conditional standard deviation (McNeil & Frey 2000);
    without it the residuals are scaled by ES instead (the same test when ES / sigma
    is constant, as for a location-scale forecast of fixed shape; ``"scaled_by"``
    says which). H0: mean zero; one-sided alternative: positive mean (losses beyond
    VaR exceed the forecast ES). The p-value is from the bootstrap of the centred
    residuals' t-statistic; NaN with fewer than 2 exceptions.

    Examples
    --------
    >>> r = [-0.05, 0.01, -0.03, 0.02, -0.045, 0.0]
    >>> out = mcneil_frey(r, [0.02] * 6, [0.03] * 6, random_state=0)
    >>> out["n"], round(out["mean_residual"], 3)
    (3, 0.389)
    """
    x = np.asarray(returns, dtype=float)
    v = np.asarray(var, dtype=float)
    e = np.asarray(es, dtype=float)
    exc = x < -v
    scale = e if sigma is None else np.asarray(sigma, dtype=float)
    if sigma is not None and (scale.shape != x.shape or not (scale > 0).all()):
        raise InvalidInputError(
            f"sigma must hold one positive conditional sd per return ({x.size}); got shape "
            f"{scale.shape}, minimum {float(np.min(scale)) if scale.size else 'n/a'}."
        )
    r = (-x[exc] - e[exc]) / scale[exc]
    k = len(r)
    by = "es" if sigma is None else "sigma"
    if k < 2 or np.std(r, ddof=1) == 0:
        mean = float(r.mean()) if k else np.nan
        return {"n": k, "mean_residual": mean, "t": np.nan, "p": np.nan, "scaled_by": by}
    t = r.mean() / (r.std(ddof=1) / np.sqrt(k))
    rng = as_generator(random_state)
    c = r - r.mean()
    b = c[rng.integers(0, k, size=(int(n_boot), k))]
    sd = b.std(axis=1, ddof=1)
    tb = np.divide(b.mean(axis=1), sd / np.sqrt(k), out=np.zeros(len(b)), where=sd > 0)
    return {
        "n": k,
        "mean_residual": float(r.mean()),
        "t": float(t),
        "p": float((1 + (tb >= t).sum()) / (1 + len(tb))),
        "scaled_by": by,
    }


@dataclass
class VarBacktest:
    """Result of :func:`var_backtest`.

    ``zones`` has one row per day from the ``window``-th on: the exceptions in the
    trailing window and the Basel zone. ``zone_starts`` gives the smallest exception
    count of the yellow and the red zone for this window and level (None when no
    count reaches the zone). ``tests`` is a tidy table of every test.
    """

    alpha: float
    window: int
    n: int
    n_exceptions: int
    expected_exceptions: float
    kupiec_lr: float
    kupiec_p: float
    christoffersen_lr_ind: float
    christoffersen_p_ind: float
    lr_cc: float
    p_cc: float
    transitions: dict[str, int]
    zone: str | None
    worst_zone: str | None
    es_z2: float | None = None
    es_z2_zone: str | None = None
    mcneil_frey_t: float | None = None
    mcneil_frey_p: float | None = None
    es_z2_p: float | None = None
    es_z2_cutoffs: tuple[float, float] | None = None
    mcneil_frey_scaled_by: str | None = None
    exceptions: pd.Series = field(default=None, repr=False)
    zones: pd.DataFrame = field(default=None, repr=False)
    zone_starts: dict[str, int | None] = field(default_factory=dict, repr=False)

    @property
    def tests(self) -> pd.DataFrame:
        rows = [
            ("Kupiec POF", self.kupiec_lr, self.kupiec_p),
            ("Christoffersen independence", self.christoffersen_lr_ind, self.christoffersen_p_ind),
            ("Christoffersen conditional coverage", self.lr_cc, self.p_cc),
        ]
        if self.es_z2 is not None:
            rows.append(("Acerbi-Szekely Z2", self.es_z2, self.es_z2_p))
            rows.append(("McNeil-Frey", self.mcneil_frey_t, self.mcneil_frey_p))
        return pd.DataFrame(rows, columns=["test", "statistic", "p_value"])

    def to_json(self) -> str:
        from edgecase._io import dumps

        d = {k: v for k, v in vars(self).items() if k not in ("exceptions", "zones", "zone_starts")}
        d["tests"] = self.tests
        d["zone_days"] = (
            self.zones["zone"].value_counts().to_dict() if self.zones is not None else {}
        )
        return dumps(d)

    def plot(self):
        """Exceptions per trailing window with the Basel zone bands; returns the Figure."""
        from edgecase.stress.plots import plot_var_backtest

        return plot_var_backtest(self).figure


def var_backtest(
    returns: Any,
    var: Any,
    alpha: float = 0.99,
    *,
    es: Any = None,
    sigma: Any = None,
    window: int = 250,
    n_boot: int = 2000,
    random_state: RandomStateLike = None,
) -> VarBacktest:
    """Backtest a VaR (and optionally ES) forecast series against realised returns.

    Parameters
    ----------
    returns : Series or 1-D array
        Realised daily returns.
    var : Series or 1-D array
        VaR forecasts for the same days as positive losses (made with data up to
        the day before). Series must share ``returns``' index.
    alpha : float in (0.5, 1)
        VaR confidence level.
    es : Series or 1-D array, optional
        ES forecasts (positive losses) for the ES tests.
    sigma : Series or 1-D array, optional
        Conditional standard deviation of the forecasts, for McNeil-Frey's residuals
        (without it they are scaled by ES; see :func:`mcneil_frey`).
    window : int
        Days per Basel traffic-light window; ``returns`` needs at least that many days.
    n_boot : int
        Bootstrap draws of the McNeil-Frey test.
    random_state : None, int or Generator
        For the McNeil-Frey bootstrap.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([-0.03, 0.01, -0.025, 0.0, 0.02, -0.01, 0.005, -0.004, 0.012, -0.001])
    >>> bt = var_backtest(r, np.full(10, 0.02), alpha=0.95, window=5)
    >>> bt.n_exceptions, round(bt.kupiec_lr, 3), bt.zones["exceptions"].tolist()
    (2, 2.796, [2, 1, 1, 0, 0, 0])
    """
    alpha = float(
        check_scalar(alpha, "alpha", low=0.5, high=1.0, low_inclusive=False, high_inclusive=False)
    )
    window = int(check_scalar(window, "window", kind=numbers.Integral, low=2))
    # a backtest needs at least one full traffic-light window
    r = check_returns(returns, name="returns", min_obs=window)
    if r.shape[1] != 1:
        raise InvalidInputError(f"returns must be a single series; got {r.shape[1]} columns.")
    index = r.index
    x = r.iloc[:, 0].to_numpy(dtype=float)
    v = _aligned(var, "var", index, returns)
    if (v <= 0).all():
        raise InvalidInputError(
            "var must hold positive losses (0.023 for a 2.3% VaR); every value is <= 0. "
            "If you have return quantiles, pass var=-quantile."
        )
    if (v <= 0).any():
        raise InvalidInputError(
            f"var must hold positive losses on every day; {int((v <= 0).sum())} of {len(v)} "
            "value(s) are <= 0 (a mix of signs: some days may be return quantiles)."
        )
    e = None if es is None else _aligned(es, "es", index, returns)
    sig = None if sigma is None else _aligned(sigma, "sigma", index, returns)
    if e is not None and (e <= 0).any():
        raise InvalidInputError("es must hold positive losses; found values <= 0.")
    if e is not None and (e < v).any():
        raise InvalidInputError(
            f"es must be >= var on every day (the expected loss beyond the VaR is at least "
            f"the VaR); es < var on {int((e < v).sum())} day(s)."
        )
    check_scalar(n_boot, "n_boot", kind=numbers.Integral, low=10)
    p = 1 - alpha
    exc = x < -v
    n, k = len(x), int(exc.sum())
    lr_pof, p_pof = kupiec_pof(k, n, p)
    ind = christoffersen(exc, p)
    exc_s = pd.Series(exc, index=index, name="exception")
    counts = exc_s.astype(int).rolling(window).sum().iloc[window - 1 :].astype(int)
    zones = pd.DataFrame(
        {"exceptions": counts, "zone": basel_zone(counts.to_numpy(), window, alpha)}
    )
    order = {"green": 0, "yellow": 1, "red": 2}
    worst = max(zones["zone"], key=order.get) if len(zones) else None
    out = VarBacktest(
        alpha=alpha,
        window=window,
        n=n,
        n_exceptions=k,
        expected_exceptions=n * p,
        kupiec_lr=lr_pof,
        kupiec_p=p_pof,
        christoffersen_lr_ind=ind["lr_ind"],
        christoffersen_p_ind=ind["p_ind"],
        lr_cc=ind["lr_cc"],
        p_cc=ind["p_cc"],
        transitions={key: ind[key] for key in ("n00", "n01", "n10", "n11")},
        zone=zones["zone"].iloc[-1] if len(zones) else None,
        worst_zone=worst,
        exceptions=exc_s,
        zones=zones,
        zone_starts=zone_starts(window, alpha),
    )
    if e is not None:
        _es_tests(out, x, v, e, sig, alpha, int(n_boot), random_state)
    return out


def _es_tests(out, x, v, e, sig, alpha, n_boot, random_state) -> None:
    """Fill ``out``'s ES tests: Z2 with simulated cut-offs and p-value, then McNeil-Frey."""
    z2 = acerbi_szekely_z2(x, v, e, alpha)
    yellow, red = z2_critical_values(alpha, len(x))
    out.es_z2 = z2
    out.es_z2_cutoffs = (yellow, red)
    out.es_z2_p = z2_p_value(z2, alpha, len(x))
    out.es_z2_zone = "green" if z2 > yellow else ("yellow" if z2 > red else "red")
    mf = mcneil_frey(x, v, e, sigma=sig, n_boot=n_boot, random_state=random_state)
    out.mcneil_frey_t = mf["t"]
    out.mcneil_frey_p = mf["p"]
    out.mcneil_frey_scaled_by = mf["scaled_by"]


def _aligned(values: Any, name: str, index: pd.Index, returns: Any) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InvalidInputError(
                f"{name} must be a single series; got {values.shape[1]} columns."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series) and isinstance(returns, pd.Series | pd.DataFrame):
        if not values.index.equals(returns.index):
            raise InvalidInputError(
                f"{name} and returns must share the same index (align them first, e.g. "
                f"{name} = {name}.reindex(returns.index) after checking for gaps)."
            )
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a 1-D series of numbers.") from None
    if arr.ndim != 1 or len(arr) != len(index):
        raise InvalidInputError(
            f"{name} must be 1-D with one value per return ({len(index)}); got shape {arr.shape}."
        )
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{name} has {int((~np.isfinite(arr)).sum())} non-finite value(s).")
    return arr
