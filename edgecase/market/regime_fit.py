"""Volatility regimes fitted by likelihood (Hamilton filter), without look-ahead.

statsmodels' ``MarkovRegression`` (a common mean, one variance per regime) fits the
chain by EM and quasi-Newton maximum likelihood; statsmodels cannot simulate it, so
:class:`RegimeFit` turns the estimates into a :class:`MarkovSwitching` chain that
edgecase simulates, keeps the standard errors, and draws whole parameter sets from
the estimates' asymptotic normal distribution on an unconstrained scale (softmax
transition rows, log variances), so every draw is a valid chain.

The states are ordered by variance (regime 0 the calmest). Only the *filtered*
(``P(s_t | r_1..t)``) and *predicted* (``P(s_t | r_1..t-1)``) probabilities are kept:
the smoothed ones use later data.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import check_returns, check_scalar
from edgecase.errors import InvalidInputError
from edgecase.market.process import MarkovSwitching, ParameterDrawChain

__all__ = ["RegimeFit", "fit_regimes_mle"]

# The fit works in percent (variances near 1) for the optimiser's sake.
_PCT = 100.0


@dataclass
class RegimeFit:
    """A k-state switching-variance model fitted by maximum likelihood.

    Attributes
    ----------
    chain : MarkovSwitching
        The fitted chain; ``multipliers`` are the regime variances over their
        stationary mean (average 1), ``transition`` the estimated matrix.
    params : Series
        Estimates in return units: ``p[i->j]`` (statsmodels' free transition
        probabilities), ``const`` (daily mean), ``sigma2[j]`` (daily variance).
    std_errors : Series
        Their standard errors (statsmodels' numerical Hessian), same index.
    filtered, predicted : ndarray (n_obs, k)
        ``P(s_t | r_1..t)`` and ``P(s_t | r_1..t-1)``.
    loglik : float
    """

    chain: MarkovSwitching
    params: pd.Series
    std_errors: pd.Series
    filtered: np.ndarray
    predicted: np.ndarray
    loglik: float
    _u_hat: np.ndarray
    _cov_u: np.ndarray

    @property
    def k(self) -> int:
        return self.chain.k

    def summary(self) -> pd.DataFrame:
        """Estimate, standard error and z per parameter (return units)."""
        est, se = self.params, self.std_errors
        return pd.DataFrame({"estimate": est, "std_error": se, "z": est / se})

    def next_probs(self, pos: int) -> np.ndarray:
        """The regime distribution of day ``pos + 1`` given the returns up to ``pos``."""
        return self.filtered[pos] @ self.chain.transition

    def draw_chain(self, n_draws: int, rng: np.random.Generator) -> ParameterDrawChain:
        """``n_draws`` parameter sets from the estimates' distribution, as one chain.

        Multipliers are scaled by the point estimate's stationary mean variance, so the
        uncertainty of the overall variance level carries into the paths.
        """
        n_draws = int(check_scalar(n_draws, "n_draws", kind=numbers.Integral, low=1))
        L = np.linalg.cholesky(self._cov_u + 1e-12 * np.eye(self._u_hat.size))
        u = self._u_hat + rng.standard_normal((n_draws, self._u_hat.size)) @ L.T
        P, s2 = _from_unconstrained(u, self.k)
        norm = float(self.chain.stationary @ _variances(self.params, self.k))
        return ParameterDrawChain(P, s2 / (norm * _PCT**2))


def _variances(params: pd.Series, k: int) -> np.ndarray:
    return np.array([params[f"sigma2[{j}]"] for j in range(k)])


def _from_unconstrained(u: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(transition (m, k, k), variances in percent^2 (m, k)) from rows of unconstrained
    parameters: per row i, logits of moving to j != i (staying has logit 0); the common
    mean; log variances."""
    u = np.atleast_2d(u)
    m = u.shape[0]
    logits = np.zeros((m, k, k))
    off = ~np.eye(k, dtype=bool)
    logits[:, off] = u[:, : k * (k - 1)]
    e = np.exp(logits - logits.max(axis=2, keepdims=True))
    P = e / e.sum(axis=2, keepdims=True)
    s2 = np.exp(u[:, k * (k - 1) + 1 :])
    return P, s2


def _to_statsmodels(u: np.ndarray, k: int) -> np.ndarray:
    """statsmodels' constrained vector: p[i->j] for j < k-1 (j-major), const, sigma2."""
    P, s2 = _from_unconstrained(u, k)
    trans = [P[0, i, j] for j in range(k - 1) for i in range(k)]
    return np.array([*trans, u[k * (k - 1)], *s2[0]])


def _unconstrained(P: np.ndarray, const: float, s2: np.ndarray) -> np.ndarray:
    k = P.shape[0]
    Pc = np.clip(P, 1e-10, 1.0)
    logits = np.log(Pc) - np.log(np.diag(Pc))[:, None]
    return np.array([*logits[~np.eye(k, dtype=bool)], const, *np.log(s2)])


def _full_transition(p: np.ndarray, k: int) -> np.ndarray:
    P = np.zeros((k, k))
    for j in range(k - 1):
        P[:, j] = p[j * k : (j + 1) * k]
    P[:, -1] = 1.0 - P[:, :-1].sum(axis=1)
    return np.clip(P, 0.0, 1.0) / np.clip(P, 0.0, 1.0).sum(axis=1, keepdims=True)


def _fit(model: Any, start: np.ndarray | None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return model.fit(start_params=start, disp=False)
        except Exception as exc:  # noqa: BLE001 - a failed optimisation means an unfittable series
            raise InvalidInputError(
                f"statsmodels could not fit the regime model to the returns: {exc}"
            ) from None


def fit_regimes_mle(returns: Any, *, n_states: int = 2) -> RegimeFit:
    """Fit a switching-variance Markov chain by maximum likelihood.

    Parameters
    ----------
    returns : Series or DataFrame
        Daily log returns; several columns are averaged (an equal-weighted index,
        the market-wide regime).
    n_states : {2, 3}
        Regimes (three take ~10x longer to fit).

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> fit = fit_regimes_mle(load_market("sp500")["log_return"])
    >>> fit.chain.transition.diagonal().round(3), fit.summary().shape
    (array([0.988, 0.979]), (5, 3))
    """
    from statsmodels.tools.numdiff import approx_hess
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    k = int(check_scalar(n_states, "n_states", kind=numbers.Integral, low=2, high=3))
    df = check_returns(returns, min_obs=100 * k)
    r = _PCT * df.to_numpy(dtype=float).mean(axis=1)
    model = MarkovRegression(r, k_regimes=k, trend="c", switching_trend=False,
                             switching_variance=True)  # fmt: skip
    res = _fit(model, None)
    p = np.asarray(res.params, dtype=float)
    s2 = p[-k:]
    order = np.argsort(s2)
    if np.any(order != np.arange(k)):
        # Label switching: refit from the permuted optimum so regime 0 is the calmest
        # (the likelihood is the same, the standard errors come out in this order).
        P = _full_transition(p[: k * (k - 1)], k)[np.ix_(order, order)]
        start = _to_statsmodels(_unconstrained(P, p[k * (k - 1)], s2[order]), k)
        res = _fit(model, start)
        p = np.asarray(res.params, dtype=float)
    P = _full_transition(p[: k * (k - 1)], k)
    s2 = p[-k:]
    u_hat = _unconstrained(P, p[k * (k - 1)], s2)
    hess = approx_hess(u_hat, lambda u: model.loglike(_to_statsmodels(u, k)))
    cov_u = _inverse_information(hess)
    names = list(model.param_names)
    unit = np.array([1.0] * (k * (k - 1)) + [1.0 / _PCT] + [1.0 / _PCT**2] * k)
    bse = np.asarray(res.bse, dtype=float)
    stationary = MarkovSwitching(P, s2).stationary
    chain = MarkovSwitching(P, s2 / float(stationary @ s2))
    return RegimeFit(
        chain=chain,
        params=pd.Series(p * unit, index=names),
        std_errors=pd.Series(bse * unit, index=names),
        filtered=np.asarray(res.filtered_marginal_probabilities, dtype=float),
        predicted=np.asarray(res.predicted_marginal_probabilities, dtype=float),
        loglik=float(res.llf),
        _u_hat=u_hat,
        _cov_u=cov_u,
    )


def _inverse_information(hess: np.ndarray) -> np.ndarray:
    """Covariance from the log-likelihood's Hessian; a non-negative-definite repair keeps
    draws possible when a parameter sits on its boundary."""
    cov = np.linalg.pinv(-(hess + hess.T) / 2.0)
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2.0)
    return (vecs * np.clip(vals, 0.0, None)) @ vecs.T
