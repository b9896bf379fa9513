"""Calibrate the base process, the tails (EVT) and the dependence to real daily returns.

The base model is a slow Markov volatility regime times a fast EGARCH(1,1,1)
with Hansen skew-t shocks (GJR-GARCH on request), per asset, tied together by a
Student-t copula when there are several assets:

1. **Slow regime** (two-step estimator): the 126-day centred root mean square of
   the (equal-weighted) returns is cut at its octiles into 8 volatility levels,
   the states of a Markov chain; transition probabilities are the observed
   transition frequencies and the variance multipliers the mean squared return
   per state. A daily GARCH-type recursion alone makes the autocorrelation of
   ``|r|`` decay too fast (it misses lags 50-100 on the S&P 500); the slow,
   persistent chain supplies that long memory. The levels use a centred window, so
   they see later data; ``regime_method="likelihood"`` instead fits a two-state
   switching-variance chain by maximum likelihood (:mod:`edgecase.market.regime_fit`)
   whose predicted and filtered probabilities use past data only.
2. **Fast volatility**: arch's maximum likelihood (``arch_model(..., vol="EGARCH",
   o=1, dist="skewt")``) on the returns divided by the regime's volatility.
   EGARCH's leverage term acts on the standardised shock linearly, which gives
   the S&P 500's leverage (-0.12 at lag 1) without the excess kurtosis a large
   GJR ``gamma`` brings.
3. **Tails**: a generalised Pareto fit (``scipy.stats.genpareto``) to the losses
   beyond the 95% quantile, used for return levels and return periods.
4. **Dependence**: a Student-t copula on the ranks of the standardised residuals
   (correlation from Kendall's tau, ``nu`` by profile likelihood) and a stress
   correlation from the turbulent days (variance multiplier above 1).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from edgecase._validate import check_bool, check_choice, check_returns, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.market.loadings import crisis_loadings
from edgecase.market.process import (
    EGARCH,
    GJRGARCH,
    Bootstrap,
    MarkovSwitching,
    Process,
    SkewT,
    StudentT,
    StudentTCopula,
    check_correlation,
)
from edgecase.market.regime_fit import RegimeFit, fit_regimes_mle

__all__ = [
    "MIN_OBS",
    "EVTFit",
    "MarketCalibration",
    "arch_params",
    "calibrate",
    "filtered_next_variance",
    "fit_evt",
    "fit_regimes",
]

#: Fewest daily observations accepted for calibration (a year of data: the slow
#: regime uses a 252-day window and arch's MLE needs a few hundred points).
MIN_OBS = 252


@dataclass
class EVTFit:
    """Generalised Pareto fit to losses (``-r``) above ``threshold``.

    ``xi`` is the shape (> 0: a power-law tail with index ``1 / xi``), ``scale``
    the GPD scale, ``p_exceed`` the share of days beyond the threshold.
    """

    threshold: float
    xi: float
    scale: float
    p_exceed: float
    n_exceed: int

    def return_level(self, n_days: float) -> float:
        """The daily loss exceeded once every ``n_days`` days on average (a log loss, > 0)."""
        p = 1.0 / float(n_days)
        if p >= self.p_exceed:
            raise InvalidInputError(
                f"n_days={n_days} is inside the body of the distribution; "
                f"use n_days > {1 / self.p_exceed:.0f}."
            )
        return float(
            self.threshold + stats.genpareto.ppf(1.0 - p / self.p_exceed, self.xi, scale=self.scale)
        )

    def return_period(self, loss: float) -> float:
        """Average number of days between daily log losses of at least ``loss`` (> threshold)."""
        if loss <= self.threshold:
            return 1.0 / self.p_exceed
        sf = stats.genpareto.sf(loss - self.threshold, self.xi, scale=self.scale)
        return float(np.inf if sf <= 0 else 1.0 / (self.p_exceed * sf))


def fit_evt(returns: Any, *, tail: float = 0.05) -> EVTFit:
    """Peaks-over-threshold GPD fit to the loss tail of daily log returns.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> evt = fit_evt(load_market("sp500")["log_return"])
    >>> 0.0 < evt.xi < 0.5, round(evt.return_period(0.0947) / 252)  # 2008-10-15, in years
    (True, 18)
    """
    tail = float(check_scalar(tail, "tail", low=0.005, high=0.5))
    df = check_returns(returns, min_obs=MIN_OBS)
    losses = -df.to_numpy(dtype=float).mean(axis=1)
    u = float(np.quantile(losses, 1.0 - tail))
    exc = losses[losses > u] - u
    if exc.size < 10:
        raise InvalidInputError(
            f"returns has {exc.size} losses beyond the {1 - tail:.0%} quantile; at least 10 are "
            "needed for a tail fit."
        )
    xi, _, scale = stats.genpareto.fit(exc, floc=0.0)
    return EVTFit(
        threshold=u,
        xi=float(xi),
        scale=float(scale),
        p_exceed=exc.size / losses.size,
        n_exceed=int(exc.size),
    )


def fit_regimes(
    returns: Any, *, window: int = 126, n_states: int = 8
) -> tuple[MarkovSwitching, np.ndarray]:
    """Slow volatility-level Markov chain: (chain, state per day).

    The centred ``window``-day root mean square of the returns is cut at its
    quantiles into ``n_states`` equally frequent levels (a discretised slow
    volatility, like a Tauchen grid but with the empirical marginal); the chain's
    transition probabilities are the observed day-to-day frequencies (so the
    expected time at each level is the observed one) and the multipliers the
    mean squared return per state, normalised to average 1. Several levels
    matter: two states capture too little of the slow variation and the ACF of
    ``|r|`` at lags 50-100 falls short.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> ms, states = fit_regimes(load_market("sp500")["log_return"], n_states=2)
    >>> ms.multipliers.round(2), round(float(states.mean()), 2)
    (array([0.33, 1.67]), 0.5)
    """
    window = int(check_scalar(window, "window", kind=numbers.Integral, low=5))
    k = int(check_scalar(n_states, "n_states", kind=numbers.Integral, low=2, high=50))
    df = check_returns(returns, min_obs=max(MIN_OBS, window, 10 * k))
    r = df.to_numpy(dtype=float).mean(axis=1)
    rms = np.sqrt(
        pd.Series(r * r).rolling(window, center=True, min_periods=max(window // 4, 2)).mean()
    ).to_numpy()
    cuts = np.quantile(rms, np.linspace(0.0, 1.0, k + 1)[1:-1])
    states = np.searchsorted(cuts, rms, side="right").astype(np.int8)
    m = np.array(
        [np.mean(r[states == j] ** 2) if (states == j).any() else np.nan for j in range(k)]
    )
    m = np.where(np.isfinite(m) & (m > 0), m, np.nanmean(m))
    weights = np.bincount(states, minlength=k) / states.size
    m = m / (weights @ m)
    P = np.zeros((k, k))
    np.add.at(P, (states[:-1], states[1:]), 1.0)
    # Half a pseudo-transition to each neighbouring level keeps the chain irreducible
    # on short samples without changing the observed durations materially.
    idx = np.arange(k - 1)
    P[idx, idx + 1] += 0.5
    P[idx + 1, idx] += 0.5
    P /= P.sum(axis=1, keepdims=True)
    return MarkovSwitching(P, m), states


def _degenerate(x: np.ndarray, asset: Any, vol: str) -> InvalidInputError:
    """The error for returns whose fitted volatility model is outside its valid range:
    it describes the returns, not the model's internal parameters."""
    return InvalidInputError(
        f"returns column {asset!r} does not look like daily log returns of a traded asset: "
        f"the {vol.upper()} volatility model fitted to it leaves its valid range. It has "
        f"{len(np.unique(x))} distinct value(s), {int(np.sum(x == 0))} of {len(x)} exactly 0, "
        f"and standard deviation {float(np.std(x)):.3g}; stale, repeated or rounded prices, "
        "or a series that alternates between a few values, do this. Pass returns that vary "
        "day to day (a longer or more liquid sample)."
    )


def _fit_arch(x: np.ndarray, vol: str) -> dict[str, float]:
    spec = "EGARCH" if vol == "egarch" else "GARCH"
    model = _arch_model(x, vol)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp="off", show_warning=False)
    except Exception as exc:  # noqa: BLE001 - arch/scipy failures mean the data cannot be fitted
        raise InvalidInputError(f"arch could not fit {spec}-skew-t to the returns: {exc}") from None
    p = res.params
    phi = float(p["y[1]"])
    out = {
        "mu": float(p["Const"]) / (1.0 - phi) / 100.0,
        "ar": phi,
        "alpha": float(p["alpha[1]"]),
        "gamma": float(p["gamma[1]"]),
        "beta": float(p["beta[1]"]),
        "nu": float(p["eta"]),
        "lam": float(p["lambda"]),
    }
    if vol == "egarch":
        # arch works in percent: log(100^2 s2) = log s2 + log(1e4).
        out["omega"] = float(p["omega"]) - (1.0 - out["beta"]) * np.log(1e4)
    else:
        out["omega"] = float(p["omega"]) / 1e4
    out["loglik"] = float(res.loglikelihood)
    # arch's AR model has no lag for the first observation (NaN there): use its neighbour.
    resid = np.asarray(res.resid, dtype=float) / np.asarray(res.conditional_volatility, dtype=float)
    cv = np.asarray(res.conditional_volatility, dtype=float) / 100.0
    for v in (resid, cv):
        if not np.isfinite(v[0]):
            v[0] = v[1]
    out["_resid"] = resid
    out["_cond_vol"] = cv
    return out


def _arch_model(x: np.ndarray, vol: str) -> Any:
    from arch import arch_model

    spec = "EGARCH" if vol == "egarch" else "GARCH"
    return arch_model(
        100.0 * x, mean="AR", lags=1, vol=spec, p=1, o=1, q=1, dist="skewt", rescale=False
    )


def arch_params(f: dict, vol: str) -> np.ndarray:
    """The fitted (variance-targeted) parameters of one asset in arch's percent units, in the
    order of ``arch_model(mean="AR", lags=1, vol=..., p=1, o=1, q=1, dist="skewt")``."""
    omega = f["omega"] + (1.0 - f["beta"]) * np.log(1e4) if vol == "egarch" else f["omega"] * 1e4
    const = 100.0 * f["mu"] * (1.0 - f["ar"])
    return np.array(
        [const, f["ar"], omega, f["alpha"], f["gamma"], f["beta"], f["nu"], f["lam"]], dtype=float
    )


def filtered_next_variance(x: np.ndarray, f: dict, vol: str) -> np.ndarray:
    """Per day ``t``: the variance of day ``t + 1`` given the returns up to ``t`` (arch's filter
    with the calibrated parameters, in return units), the start of a path from that day."""
    res = _arch_model(x, vol).fix(arch_params(f, vol))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = res.forecast(horizon=1, start=1, reindex=True)
    v = fc.variance.to_numpy(dtype=float)[:, 0] / 1e4
    v[0] = v[1]  # no AR lag on day 0
    return v


@dataclass
class MarketCalibration:
    """Everything :class:`~edgecase.market.BlackSwanGenerator` needs, fitted to real returns.

    Attributes
    ----------
    returns : DataFrame
        The calibration sample (daily log returns, one column per asset).
    process : Process
        The calibrated base process (severity 0).
    garch : list of dict
        arch's MLE per asset (mu, ar, omega, alpha, gamma, beta, nu, lam, loglik); the model
        is AR(1)-EGARCH(1,1,1)-skew-t (``arch_model(mean="AR", lags=1, ...)``).
    regimes : MarkovSwitching or None
    copula : StudentTCopula or None
    evt : EVTFit
        Loss tail of the (equal-weighted) returns.
    worst_1d, worst_20d : float
        Historic worst daily and 20-day log return of the (equal-weighted) returns.
    peak_vol_ratio : float
        Highest fitted conditional volatility over its median (the historic vol spike).
    betas : ndarray
        Each asset's beta to the equal-weighted portfolio (crash depth per asset when
        the data do not cover 2008; see :attr:`crash_loadings`).
    stress_corr : ndarray or None
        Correlation of the standardised residuals on turbulent-regime days.
    residuals : ndarray
        Standardised residuals (n_obs, n_assets), for filtered historical simulation.
    """

    returns: pd.DataFrame
    process: Process
    garch: list[dict]
    regimes: MarkovSwitching | None
    copula: StudentTCopula | None
    evt: EVTFit
    worst_1d: float
    worst_20d: float
    peak_vol_ratio: float
    betas: np.ndarray
    stress_corr: np.ndarray | None
    residuals: np.ndarray
    info: dict = field(default_factory=dict)
    #: Per day and asset, the filtered variance of the next day (of the de-regimed
    #: dynamics); :meth:`start_state` reads it.
    next_variance: pd.DataFrame | None = None
    #: The likelihood fit of the regimes (``regime_method="likelihood"``): standard
    #: errors in ``regime_fit.summary()``, filtered probabilities per day.
    regime_fit: RegimeFit | None = None

    def start_state(self, at: Any = "last") -> dict:
        """The state paths start from: ``"last"`` (the day after the sample), ``"long_run"``
        (the unconditional one) or a date in the sample (the day after it).

        Returns a dict with ``variance`` (per asset, the dynamics' next-day variance;
        None for long-run), ``regime_probs`` (next-day regime distribution; None without
        regimes or for long-run) and ``date``.
        """
        if isinstance(at, str) and at == "long_run":
            return {"variance": None, "regime_probs": None, "date": None}
        if self.next_variance is None:
            raise InvalidInputError(
                "this calibration has no filtered variances; use start='long_run'."
            )
        idx = self.returns.index
        if isinstance(at, str) and at == "last":
            pos = len(idx) - 1
        else:
            try:
                when = pd.Timestamp(at)
            except (TypeError, ValueError):
                raise InvalidInputError(
                    f"start must be 'last', 'long_run' or a date; got {at!r}."
                ) from None
            if not isinstance(idx, pd.DatetimeIndex) or not idx[0] <= when <= idx[-1]:
                raise InvalidInputError(
                    f"start={at!r} is outside the calibration sample "
                    f"({idx[0]} .. {idx[-1]}); pick a date inside it."
                )
            pos = int(idx.searchsorted(when, side="right")) - 1
        probs = None
        if self.regime_fit is not None:
            probs = self.regime_fit.next_probs(pos)
        elif self.regimes is not None:
            probs = self.regimes.transition[int(self.info["regime_path"][pos])]
        return {
            "variance": self.next_variance.iloc[pos].to_numpy(dtype=float),
            "regime_probs": probs,
            "date": idx[pos],
        }

    @property
    def assets(self) -> list[str]:
        return [str(c) for c in self.returns.columns]

    @property
    def crash_loadings(self) -> np.ndarray:
        """Each asset's fall in a market-wide crash over the equal-weighted book's (mean 1):
        its own 2008 behaviour where the data cover it, else its beta (see
        :mod:`edgecase.market.loadings`; the source is ``info["crash_loadings_source"]``)."""
        if "crash_loadings" not in self.info:
            load, source = crisis_loadings(self.returns, self.betas)
            self.info["crash_loadings"], self.info["crash_loadings_source"] = load, source
        return self.info["crash_loadings"]


def _fit_t_copula(u: np.ndarray, corr: np.ndarray) -> float:
    """Profile-likelihood ``nu`` of a t copula with correlation ``corr`` on uniforms ``u``."""
    best, best_ll = 30.0, -np.inf
    for nu in (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0):
        x = stats.t.ppf(u, nu)
        ll = stats.multivariate_t(shape=corr, df=nu).logpdf(x).sum() - stats.t.logpdf(x, nu).sum()
        if ll > best_ll:
            best, best_ll = nu, ll
    return best


def _targeted_dynamics(f: dict, vol: str, shocks: Any, target: float, name: Any) -> Any:
    """The fitted dynamics with the intercept set by variance targeting (Engle & Mezrich 1996).

    The unconditional variance must equal the sample variance of the (de-regimed)
    returns under the fitted shocks; ``f["omega"]`` is overwritten.
    """
    if vol == "egarch":
        # E[s2] = exp(E log s2) * prod_i E[exp(beta^i g(z))] > exp(E log s2): the
        # Jensen term under the fitted shocks sets the intercept.
        e = EGARCH(f["omega"], f["alpha"], f["gamma"], f["beta"], shocks=shocks)
        f["omega"] = (1.0 - f["beta"]) * (np.log(target) - e.log_jensen)
        return EGARCH(f["omega"], f["alpha"], f["gamma"], f["beta"], shocks=shocks)
    # The persistence uses the left-half second moment of the fitted shocks: with a
    # left-skewed skew-t gamma acts on more than half of the variance.
    left = shocks.left_second_moment()
    f["omega"] = target * (1.0 - f["alpha"] - f["gamma"] * left - f["beta"])
    if f["omega"] <= 0:
        raise InvalidInputError(
            f"the GJR fit of {name!r} has persistence alpha + gamma * {left:.3g} + beta >= 1 "
            "under its fitted skewed shocks (not stationary); use vol='egarch'."
        )
    return GJRGARCH(f["omega"], f["alpha"], f["gamma"], f["beta"], shocks=shocks)


def calibrate(
    returns: Any,
    *,
    vol: str = "egarch",
    shocks: str = "skewt",
    regimes: bool = True,
    regime_window: int = 126,
    regime_states: int | None = None,
    regime_method: str = "quantile",
    param_uncertainty: bool = False,
    n_param_draws: int = 1000,
    param_seed: int = 0,
) -> MarketCalibration:
    """Fit the base process, tails and dependence to daily log returns.

    Parameters
    ----------
    returns : Series or DataFrame
        Daily log returns (not percent), one column per asset, at least
        :data:`MIN_OBS` rows, finite.
    vol : {"egarch", "gjr"}
        Fast volatility dynamics fitted by arch's MLE.
    shocks : {"skewt", "t", "bootstrap"}
        Shock distribution: arch's fitted skew-t, a symmetric t with the fitted
        ``nu``, or the standardised residuals (filtered historical simulation).
    regimes : bool
        Add the slow two-state volatility regime (default True).
    regime_window : int
        Window of the quantile regime's volatility smoother, in days.
    regime_states : int, optional
        Number of volatility levels of the Markov chain (default 8 for
        ``"quantile"``, 2 for ``"likelihood"``).
    regime_method : {"quantile", "likelihood"}
        ``"quantile"``: levels of a centred rolling volatility (uses data on both
        sides of each day). ``"likelihood"``: a switching-variance chain fitted by
        maximum likelihood (:func:`~edgecase.market.regime_fit.fit_regimes_mle`); the
        returns are de-regimed with the *predicted* probabilities and paths start
        from the *filtered* ones, so no day sees later data.
    param_uncertainty : bool
        With ``"likelihood"``: each simulated path runs its own regime parameters,
        one of ``n_param_draws`` sets drawn (with ``param_seed``) from the
        estimates' asymptotic distribution.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> cal = calibrate(load_market("sp500")["log_return"])
    >>> round(cal.worst_1d, 4), cal.process.n_assets
    (-0.0947, 1)
    """
    vol = check_choice(vol, "vol", ("egarch", "gjr"))
    shocks = check_choice(shocks, "shocks", ("skewt", "t", "bootstrap"))
    if isinstance(returns, pd.DataFrame) and returns.columns.duplicated().any():
        dup = returns.columns[returns.columns.duplicated()].tolist()
        raise InvalidInputError(f"returns has duplicated column names {dup}; name each asset once.")
    df = check_returns(returns, min_obs=MIN_OBS)
    if isinstance(returns, pd.Series) and returns.name is None:
        df.columns = ["asset0"]
    R = df.to_numpy(dtype=float)
    n, d = R.shape
    if np.any(R.std(axis=0) == 0):
        raise InvalidInputError("returns has a constant column; its volatility cannot be fitted.")
    if np.abs(R).max() > 1.0:
        raise InvalidInputError(
            "returns has absolute values above 1 (a 170% daily move); pass daily log returns, "
            "not percent or prices."
        )
    port = R.mean(axis=1)
    chain, states, rfit, scale = _fit_chain(
        port, regimes, regime_method, regime_window, regime_states, param_uncertainty
    )
    fits, dyn, sh = [], [], []
    resid = np.empty((n, d))
    cond_vol = np.empty((n, d))
    next_var = np.empty((n, d))
    for a in range(d):
        try:
            f = _fit_arch(R[:, a] / scale, vol)
            resid[:, a] = f.pop("_resid")
            cond_vol[:, a] = f.pop("_cond_vol") * scale
            fits.append(f)
            if shocks == "skewt":
                sh.append(SkewT(f["nu"], f["lam"]))
            elif shocks == "t":
                sh.append(StudentT(f["nu"]))
            else:
                sh.append(Bootstrap(resid[:, a]))
            # Variance targeting (Engle & Mezrich 1996): set the intercept so the model's
            # unconditional variance equals the sample variance of the (de-regimed) returns.
            # For EGARCH E[s2] = exp(E log s2) * prod_i E[exp(beta^i g(z))] > exp(E log s2),
            # so the MLE intercept alone overstates the variance (by ~8% on the S&P 500).
            f["omega_mle"] = f["omega"]
            dyn.append(
                _targeted_dynamics(f, vol, sh[-1], float(np.var(R[:, a] / scale)), df.columns[a])
            )
            next_var[:, a] = filtered_next_variance(R[:, a] / scale, f, vol)
        except InvalidParameterError:
            # The fitted parameters are internal: say what is wrong with the returns.
            raise _degenerate(R[:, a], df.columns[a], vol) from None
    copula, stress_corr = None, None
    if d > 1:
        u = (stats.rankdata(resid, axis=0) - 0.5) / n
        tau = np.eye(d)
        for i in range(d):
            for j in range(i + 1, d):
                tau[i, j] = tau[j, i] = stats.kendalltau(resid[:, i], resid[:, j])[0]
        corr = np.sin(np.pi * tau / 2.0)
        np.fill_diagonal(corr, 1.0)
        corr = _nearest_correlation(corr)
        nu = _fit_t_copula(u, corr)
        turbulent = chain.multipliers[states] > 1.0 if regimes else np.zeros(n, dtype=bool)
        if turbulent.sum() > d + 2:
            stress_corr = _nearest_correlation(np.corrcoef(resid[turbulent].T))
        copula = StudentTCopula(corr, nu=nu, stress_corr=stress_corr)
    # Under the model E[r] = mu exactly; the skew-t MLE location is a robust centre, not the
    # mean of the log returns, so the sample mean is used (it sets the long-horizon drift).
    for a, f in enumerate(fits):
        f["mu_mle"] = f["mu"]
        f["mu"] = float(R[:, a].mean())
    sim_chain = chain
    if param_uncertainty:
        n_param_draws = int(check_scalar(n_param_draws, "n_param_draws", kind=numbers.Integral,
                                         low=1, high=100_000))  # fmt: skip
        sim_chain = rfit.draw_chain(n_param_draws, np.random.default_rng(param_seed))
    process = Process(
        dynamics=dyn if d > 1 else dyn[0],
        shocks=sh if d > 1 else sh[0],
        regimes=sim_chain,
        mu=[f["mu"] for f in fits] if d > 1 else fits[0]["mu"],
        ar=[f["ar"] for f in fits] if d > 1 else fits[0]["ar"],
        copula=copula,
        assets=[str(c) for c in df.columns],
    )
    cv_port = cond_vol.mean(axis=1)
    betas = np.array([np.cov(R[:, a], port)[0, 1] / port.var() for a in range(d)])
    return MarketCalibration(
        returns=df,
        process=process,
        garch=fits,
        regimes=chain,
        copula=copula,
        evt=fit_evt(port),
        worst_1d=float(port.min()),
        worst_20d=float(pd.Series(port).rolling(20).sum().min()),
        peak_vol_ratio=float(cv_port.max() / np.median(cv_port)),
        betas=betas,
        stress_corr=stress_corr,
        residuals=resid,
        info={
            "vol": vol,
            "shocks": shocks,
            "regime_window": regime_window,
            "regime_states": regime_states,
            "regime_method": regime_method,
            "param_uncertainty": bool(param_uncertainty),
            "regime_path": states,
        },
        next_variance=pd.DataFrame(next_var, index=df.index, columns=df.columns),
        regime_fit=rfit,
    )


def _fit_chain(
    port: np.ndarray,
    regimes: bool,
    method: str,
    window: int,
    n_states: int | None,
    param_uncertainty: bool,
) -> tuple[MarkovSwitching | None, np.ndarray, RegimeFit | None, np.ndarray]:
    """(chain, a state per day, likelihood fit or None, the regime's sd per day)."""
    method = check_choice(method, "regime_method", ("quantile", "likelihood"))
    regimes = check_bool(regimes, "regimes")
    param_uncertainty = check_bool(param_uncertainty, "param_uncertainty")
    window = int(check_scalar(window, "regime_window", kind=numbers.Integral, low=5))
    if param_uncertainty and not (regimes and method == "likelihood"):
        raise InvalidInputError(
            "param_uncertainty=True needs regimes=True and regime_method='likelihood' "
            "(only the likelihood fit has standard errors)."
        )
    n = port.size
    if not regimes:
        return None, np.zeros(n, dtype=np.int8), None, np.ones(n)
    if method == "quantile":
        chain, states = fit_regimes(
            port, window=window, n_states=8 if n_states is None else n_states
        )
        return chain, states, None, np.sqrt(chain.multipliers[states])
    rfit = fit_regimes_mle(port, n_states=2 if n_states is None else n_states)
    # The predicted probabilities use returns up to the day before only.
    scale = np.sqrt(rfit.predicted @ rfit.chain.multipliers)
    states = np.argmax(rfit.filtered, axis=1).astype(np.int8)
    return rfit.chain, states, rfit, scale


def _nearest_correlation(C: np.ndarray) -> np.ndarray:
    """Clip negative eigenvalues and rescale to a unit diagonal (Kendall-tau matrices can be
    slightly indefinite); the result passes :func:`check_correlation`."""
    C = (C + C.T) / 2.0
    vals, vecs = np.linalg.eigh(C)
    C = (vecs * np.clip(vals, 1e-8, None)) @ vecs.T
    dinv = 1.0 / np.sqrt(np.diag(C))
    C = C * dinv[:, None] * dinv[None, :]
    np.fill_diagonal(C, 1.0)
    return check_correlation(C)
