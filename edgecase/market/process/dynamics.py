"""Variance dynamics: constant volatility, GARCH / GJR-GARCH, EGARCH, Heston.

Each follows :class:`~edgecase.market.process.base.Dynamics`. Parameters are per
step (one trading day) in return units, except Heston's, which are annualised
with its step ``dt``.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from scipy import special

from edgecase._validate import check_choice
from edgecase.errors import InvalidParameterError
from edgecase.market.process._checks import real
from edgecase.market.process.base import Dynamics

__all__ = ["ConstantVolatility", "GARCH", "GJRGARCH", "EGARCH", "Heston"]


class ConstantVolatility(Dynamics):
    """Constant volatility ``sigma`` per step: with normal shocks, a GBM in log prices.

    Examples
    --------
    >>> from edgecase.market import Process
    >>> p = Process(dynamics=ConstantVolatility(0.01))
    >>> p.simulate(3, 5, random_state=0).returns.shape
    (3, 5, 1)
    """

    n_extra = 0

    def __init__(self, sigma: float = 0.01) -> None:
        self.sigma = real(sigma, "sigma", low=0.0, high=1.0, low_inclusive=False)

    def start(self, n: int) -> np.ndarray:
        return np.full(n, self.sigma**2)

    def variance(self, state: np.ndarray) -> np.ndarray:
        return state

    def update(self, state, eps, z, extra):
        return state

    @property
    def unconditional_variance(self) -> float:
        return self.sigma**2

    def __repr__(self) -> str:
        return f"ConstantVolatility(sigma={self.sigma:g})"


class GARCH(Dynamics):
    """GARCH(1,1) / GJR-GARCH(1,1,1) variance recursion.

    ``s2_t = omega + (alpha + gamma * 1[eps_{t-1} < 0]) * eps_{t-1}**2 + beta * s2_{t-1}``

    Parameters are per step in return units (arch fits in percent: divide its
    omega by 1e4). The persistence is ``alpha + gamma * E[z**2 1(z < 0)] + beta``,
    with the left-half second moment taken from ``shocks`` (1/2 for symmetric
    shocks; a left-skewed skew-t puts more of the variance there). A
    :class:`~edgecase.market.Process` binds its own shocks, so the check below
    uses the distribution that is simulated. It must be < 1 unless
    ``allow_nonstationary=True`` (then ``initial_variance`` is required).

    Examples
    --------
    >>> g = GARCH(omega=2e-6, alpha=0.08, beta=0.9)
    >>> round(g.unconditional_variance, 8)
    0.0001
    """

    n_extra = 0

    def __init__(
        self,
        omega: float = 2e-6,
        alpha: float = 0.08,
        beta: float = 0.9,
        gamma: float = 0.0,
        *,
        allow_nonstationary: bool = False,
        initial_variance: float | None = None,
        shocks: Any = None,
    ) -> None:
        self.omega = real(omega, "omega", low=0.0, low_inclusive=False, high=1.0)
        self.alpha = real(alpha, "alpha", low=0.0, high=1.0)
        self.beta = real(beta, "beta", low=0.0, high=1.0)
        self.gamma = real(gamma, "gamma", low=-self.alpha, high=1.0)
        self.allow_nonstationary = bool(allow_nonstationary)
        if initial_variance is not None:
            initial_variance = real(
                initial_variance, "initial_variance", low=0.0, high=1.0, low_inclusive=False
            )
        self.initial_variance = initial_variance
        self._bind(shocks)

    def _bind(self, shocks: Any) -> None:
        self.shocks = shocks
        self.left_share = 0.5 if shocks is None else float(shocks.left_second_moment())
        self.persistence = self.alpha + self.gamma * self.left_share + self.beta
        if self.persistence < 1.0:
            return
        what = f"alpha + gamma * {self.left_share:.4g} + beta = {self.persistence:.6g}"
        if not self.allow_nonstationary:
            raise InvalidParameterError(
                f"{what} >= 1 (E[z^2 1(z<0)] = {self.left_share:.4g} for {shocks!r}): the "
                "variance is not stationary; lower them or pass allow_nonstationary=True "
                "with initial_variance."
            )
        if self.initial_variance is None:
            raise InvalidParameterError(
                f"a non-stationary GARCH ({what} >= 1) needs initial_variance."
            )
        if self.persistence > 1.05:
            raise InvalidParameterError(
                f"{what} > 1.05 explodes within a few hundred steps; at most 1.05 is allowed "
                "even with allow_nonstationary=True."
            )

    def with_shocks(self, shocks: Any) -> GARCH:
        """A copy whose persistence and unconditional variance use ``shocks``."""
        new = copy.copy(self)
        new._bind(shocks)
        return new

    def with_initial(self, variance: float) -> GARCH:
        """A copy whose paths start from ``variance`` (e.g. a filtered conditional variance)."""
        new = copy.copy(self)
        new.initial_variance = real(
            variance, "initial_variance", low=0.0, high=1.0, low_inclusive=False
        )
        return new

    @property
    def unconditional_variance(self) -> float:
        if self.persistence >= 1.0:
            return float(self.initial_variance)
        return self.omega / (1.0 - self.persistence)

    def start(self, n: int) -> np.ndarray:
        v0 = (
            self.initial_variance
            if self.initial_variance is not None
            else self.unconditional_variance
        )
        return np.full(n, v0)

    def variance(self, state: np.ndarray) -> np.ndarray:
        return state

    def update(self, state, eps, z, extra):
        e2 = eps * eps
        new = self.omega + self.alpha * e2 + self.beta * state
        if self.gamma != 0.0:
            new += self.gamma * np.where(eps < 0.0, e2, 0.0)
        return new

    def __repr__(self) -> str:
        g = f", gamma={self.gamma:g}" if self.gamma else ""
        return f"GARCH(omega={self.omega:g}, alpha={self.alpha:g}{g}, beta={self.beta:g})"


class GJRGARCH(GARCH):
    """GJR-GARCH(1,1,1): :class:`GARCH` with a leverage term ``gamma`` (bad news raises vol more).

    Examples
    --------
    >>> from edgecase.market import SkewT
    >>> GJRGARCH(omega=2e-6, alpha=0.02, gamma=0.12, beta=0.9).persistence
    0.98
    >>> round(GJRGARCH(1e-6, 0.0, 0.2, 0.85, shocks=SkewT(8, -0.2)).persistence, 4)
    0.9627
    """

    def __init__(
        self,
        omega: float = 2e-6,
        alpha: float = 0.02,
        gamma: float = 0.12,
        beta: float = 0.9,
        **kwargs: Any,
    ) -> None:
        super().__init__(omega=omega, alpha=alpha, beta=beta, gamma=gamma, **kwargs)


def _normal_log_mgf(c: np.ndarray, alpha: float, gamma: float) -> np.ndarray:
    """``log E[exp(c g(z))]`` for standard normal ``z``, ``g = alpha (|z| - E|z|) + gamma z``."""
    a, b = c * (alpha + gamma), c * (alpha - gamma)
    # E[exp(a z) 1(z>0)] = exp(a^2/2) Phi(a); log_ndtr keeps it finite for large |a|.
    return -c * alpha * EGARCH._EZ + np.logaddexp(
        a * a / 2 + special.log_ndtr(a), b * b / 2 + special.log_ndtr(b)
    )


def _shock_log_mgf(c: np.ndarray, alpha: float, gamma: float, shocks: Any) -> np.ndarray:
    """``log E[exp(c g(clip(z, -8, 8)))]`` for any shocks: on a fine grid of their quantiles."""
    res = getattr(shocks, "residuals", None)
    if res is not None:
        z = np.asarray(res, dtype=float)
    else:
        n = 20_000
        z = np.asarray(shocks.ppf((np.arange(n) + 0.5) / n), dtype=float)
    z = np.clip(z, -8.0, 8.0)
    g = alpha * (np.abs(z) - EGARCH._EZ) + gamma * z
    x = np.outer(c, g)
    top = x.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.exp(x - top).mean(axis=1))


class EGARCH(Dynamics):
    """EGARCH(1,1,1) of Nelson (1991) in arch's parametrisation, per step in return units.

    ``log s2_t = omega + alpha (|e_{t-1}| - sqrt(2/pi)) + gamma e_{t-1} + beta log s2_{t-1}``
    with ``e`` the standardised shock. ``gamma < 0`` is the leverage effect; it acts on
    ``e`` linearly, so it gives a strong return/volatility asymmetry without the heavy
    tails a large GJR ``gamma`` brings. Stationary for ``|beta| < 1``. arch fits in
    percent: convert its omega with ``omega + (1 - beta) * log(1e-4)``.

    The standardised news fed back is capped at +-8 (a daily move beyond 8 sd is not
    seen in skew-t draws; it only bounds injected scenario crashes, which would
    otherwise push the log-variance up by orders of magnitude in one step).

    ``unconditional_variance`` is ``E[s2] = exp(omega / (1 - beta)) prod_i E[exp(beta^i
    g(e))]`` (Nelson 1991, theorem 2.1), with the expectations under ``shocks``
    (normal unless given; a :class:`~edgecase.market.Process` binds its own).

    Examples
    --------
    >>> e = EGARCH(omega=-0.2, alpha=0.13, gamma=-0.15, beta=0.978)
    >>> round(float(e.unconditional_variance) ** 0.5, 4)
    0.0126
    """

    n_extra = 0
    _EZ = float(np.sqrt(2.0 / np.pi))

    def __init__(
        self,
        omega: float = -0.2,
        alpha: float = 0.13,
        gamma: float = -0.15,
        beta: float = 0.978,
        *,
        shocks: Any = None,
    ) -> None:
        self.omega = real(omega, "omega", low=-50.0, high=50.0)
        self.alpha = real(alpha, "alpha", low=-1.0, high=2.0)
        self.gamma = real(gamma, "gamma", low=-2.0, high=2.0)
        self.beta = real(
            beta, "beta", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False
        )
        self.persistence = self.beta
        self._log_v0 = self.omega / (1.0 - self.beta)
        if not -30.0 < self._log_v0 < 0.0:
            raise InvalidParameterError(
                f"omega / (1 - beta) = {self._log_v0:.3g} is the long-run log variance per step; "
                "it must lie in (-30, 0) (a daily volatility between 3e-7 and 1)."
            )
        self.shocks = shocks
        self._jensen: float | None = None
        self.initial_variance: float | None = None

    def with_shocks(self, shocks: Any) -> EGARCH:
        """A copy whose unconditional variance uses ``shocks``."""
        new = copy.copy(self)
        new.shocks, new._jensen = shocks, None
        return new

    def with_initial(self, variance: float) -> EGARCH:
        """A copy whose paths start from ``variance`` (e.g. a filtered conditional variance)."""
        new = copy.copy(self)
        new.initial_variance = real(
            variance, "initial_variance", low=0.0, high=1.0, low_inclusive=False
        )
        return new

    @property
    def log_jensen(self) -> float:
        """``log E[s2] - E[log s2] = sum_i log E[exp(beta^i g(e))]``."""
        if self._jensen is None:
            n_terms = max(int(np.ceil(np.log(1e-12) / np.log(abs(self.beta) + 1e-300))), 1)
            c = self.beta ** np.arange(min(n_terms, 20_000))
            if self.shocks is None or self.shocks.__class__.__name__ == "Normal":
                terms = _normal_log_mgf(c, self.alpha, self.gamma)
            else:
                # The log-mgf is smooth in c: interpolate it from Chebyshev nodes.
                nodes = np.cos(np.pi * (np.arange(65) + 0.5) / 65)
                vals = _shock_log_mgf(nodes, self.alpha, self.gamma, self.shocks)
                terms = np.polynomial.chebyshev.Chebyshev.fit(nodes, vals, 40)(c)
            self._jensen = float(terms.sum())
        return self._jensen

    @property
    def unconditional_variance(self) -> float:
        return float(np.exp(self._log_v0 + self.log_jensen))

    def start(self, n: int) -> np.ndarray:
        if self.initial_variance is not None:
            return np.full(n, np.log(self.initial_variance))
        return np.full(n, self._log_v0)

    def variance(self, state: np.ndarray) -> np.ndarray:
        return np.exp(state)

    def update(self, state, eps, z, extra):
        e = np.exp(state)
        return self.update_sd(state, eps, z, extra, np.sqrt(e, out=e))

    def update_sd(self, state, eps, z, extra, sd):
        """:meth:`update` given ``sd = sqrt(variance(state))`` (the process computed it)."""
        # In place, in the order of omega + alpha (|e| - E|z|) + gamma e + beta state;
        # max then min is np.clip's result without its per-call overhead.
        e = np.divide(eps, sd)
        np.minimum(np.maximum(e, -8.0, out=e), 8.0, out=e)
        new = np.abs(e)
        new -= self._EZ
        new *= self.alpha
        new += self.omega
        e *= self.gamma
        new += e
        e = np.multiply(self.beta, state, out=e)
        new += e
        # Bound the log-variance to daily vol in [1e-6, 1]: keeps paths finite for any valid params.
        return np.minimum(np.maximum(new, -27.6, out=new), 0.0, out=new)

    def __repr__(self) -> str:
        return (
            f"EGARCH(omega={self.omega:g}, alpha={self.alpha:g}, gamma={self.gamma:g}, "
            f"beta={self.beta:g})"
        )


class Heston(Dynamics):
    """Heston stochastic variance: full-truncation Euler or Andersen's QE scheme.

    Annualised parameters with step ``dt`` (default one trading day):
    ``dv = kappa (theta - v) dt + xi sqrt(v) dW2``, ``d log S = -v/2 dt + sqrt(v) dW1``,
    ``corr(dW1, dW2) = rho``. The Feller condition is not required.

    ``scheme="euler"``: full truncation (Lord, Koekkoek & van Dijk 2010), the
    variance may dip below zero but only ``max(v, 0)`` is used.
    ``scheme="qe"``: quadratic-exponential variance step and the matching
    log-price step with ``gamma1 = gamma2 = 1/2`` (Andersen 2008); the variance
    stays >= 0 and the bias at daily steps is negligible.

    Examples
    --------
    >>> from edgecase.market import Process
    >>> h = Heston(kappa=3.0, theta=0.04, xi=0.5, rho=-0.7)
    >>> Process(dynamics=h).simulate(4, 10, random_state=1).returns.shape
    (4, 10, 1)
    """

    n_extra = 1

    def __init__(
        self,
        kappa: float = 3.0,
        theta: float = 0.04,
        xi: float = 0.5,
        rho: float = -0.7,
        v0: float | None = None,
        dt: float = 1.0 / 252.0,
        scheme: str = "euler",
    ) -> None:
        self.kappa = real(kappa, "kappa", low=0.0, low_inclusive=False, high=1e3)
        self.theta = real(theta, "theta", low=0.0, low_inclusive=False, high=25.0)
        self.xi = real(xi, "xi", low=0.0, high=25.0)
        self.rho = real(rho, "rho", low=-1.0, high=1.0)
        self.v0 = self.theta if v0 is None else real(v0, "v0", low=0.0, high=25.0)
        self.dt = real(dt, "dt", low=0.0, low_inclusive=False, high=1.0)
        self._rho_perp = np.sqrt(1.0 - self.rho**2)
        self.scheme = check_choice(scheme, "scheme", ("euler", "qe"))
        if self.scheme == "qe" and self.xi < 1e-6:
            # QE divides by xi; with (almost) deterministic variance both schemes coincide.
            self.scheme = "euler"
        if self.scheme == "qe":
            k, th, xi, rho, dt = self.kappa, self.theta, self.xi, self.rho, self.dt
            self._e = float(np.exp(-k * dt))
            self._K = (
                -rho * k * th * dt / xi,
                0.5 * dt * (k * rho / xi - 0.5) - rho / xi,
                0.5 * dt * (k * rho / xi - 0.5) + rho / xi,
                0.5 * dt * (1 - rho**2),
                0.5 * dt * (1 - rho**2),
            )

    @property
    def unconditional_variance(self) -> float:
        return self.theta * self.dt

    def start(self, n: int) -> np.ndarray:
        if self.scheme == "qe":
            return np.full((2, n), self.v0)  # (v_t, v_{t+1}); v_{t+1} is set by prepare()
        return np.full(n, self.v0)

    def prepare(self, state: np.ndarray, extra: np.ndarray) -> np.ndarray:
        """QE: draw v_{t+1} from v_t first, since the log-price step uses both."""
        if self.scheme != "qe":
            return state
        v = state[0]
        e, k, th, xi = self._e, self.kappa, self.theta, self.xi
        m = th + (v - th) * e
        s2 = v * xi**2 * e * (1 - e) / k + th * xi**2 * (1 - e) ** 2 / (2 * k)
        psi = s2 / (m * m)
        quad = psi <= 1.5
        ps = np.where(quad, np.maximum(psi, 1e-12), 1.0)
        inv = 2.0 / ps
        b2 = inv - 1 + np.sqrt(inv * (inv - 1))
        nxt = m / (1 + b2) * (np.sqrt(b2) + extra) ** 2
        # The exponential branch (psi > 1.5) is rare at daily steps: evaluate only there.
        idx = np.flatnonzero(~quad)
        if idx.size:
            pe, zi, mi = psi[idx], extra[idx], m[idx]
            p = (pe - 1) / (pe + 1)
            beta = (1 - p) / mi
            # 1 - U = Phi(-Z): log_ndtr keeps the far tail exact (no log(0)).
            nxt[idx] = np.where(
                special.ndtr(zi) <= p, 0.0, (np.log1p(-p) - special.log_ndtr(-zi)) / beta
            )
        return np.stack([v, np.minimum(nxt, 1e3)])

    def variance(self, state: np.ndarray) -> np.ndarray:
        if self.scheme == "qe":
            return self._K[3] * state[0] + self._K[4] * state[1]
        return np.maximum(state, 0.0) * self.dt

    def drift(self, s2: np.ndarray, state: Any = None) -> np.ndarray:
        if self.scheme == "qe":
            return self._K[0] + self._K[1] * state[0] + self._K[2] * state[1]
        return -0.5 * s2

    def update(self, state, eps, z, extra):
        if self.scheme == "qe":
            return np.stack([state[1], state[1]])
        vp = np.maximum(state, 0.0)
        w2 = self.rho * z + self._rho_perp * extra
        # Cap the raw (untruncated) variance: full truncation leaves negative excursions
        # harmless, but with xi up to 25 a run of large shocks could overflow otherwise.
        new = (
            state + self.kappa * (self.theta - vp) * self.dt + self.xi * np.sqrt(vp * self.dt) * w2
        )
        return np.clip(new, -1e3, 1e3)

    def __repr__(self) -> str:
        return (
            f"Heston(kappa={self.kappa:g}, theta={self.theta:g}, xi={self.xi:g}, rho={self.rho:g}"
            + (", scheme='qe')" if self.scheme == "qe" else ")")
        )
