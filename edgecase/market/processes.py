"""Vectorised return processes composed from swappable parts, like arch's models.

A :class:`Process` is built from injected parts, the way arch composes a mean
model with a volatility process and a distribution (``HARX.simulate`` asks the
distribution for a ``size -> draws`` callable and hands it to the volatility
recursion):

* **dynamics**: :class:`ConstantVolatility` (GBM), :class:`GARCH` (GARCH(1,1),
  and GJR-GARCH through ``gamma``, also :class:`GJRGARCH`), :class:`EGARCH`,
  :class:`Heston`;
* **shocks**: :class:`Normal`, :class:`StudentT`, :class:`SkewT` (Hansen),
  :class:`Bootstrap` (standardised residuals: filtered historical simulation);
* **jumps**: ``None``, :class:`MertonJumps`, :class:`KouJumps`;
* **regimes**: ``None`` or :class:`MarkovSwitching` (k >= 2 states that scale
  the variance and shift the mean);
* **copula** for several assets: :class:`GaussianCopula` or
  :class:`StudentTCopula`, each with an optional stress correlation used in the
  most volatile regime (a correlation jump in stress).

All units are per step (one trading day): returns are daily log returns, not
percent. :func:`make_process` is a string factory on top of these objects.

Every process simulates paths vectorised over paths, looping over time steps
only. Random numbers are drawn per block of ``BLOCK_SIZE`` paths from
:func:`edgecase._random.block_rngs`, so the same seed gives the same bytes
whatever the chunk size.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from edgecase._random import BLOCK_SIZE, RandomStateLike, as_seed_sequence, block_rngs
from edgecase._validate import check_choice, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.market.paths import Paths

__all__ = [
    "Normal",
    "StudentT",
    "SkewT",
    "Bootstrap",
    "ConstantVolatility",
    "GARCH",
    "GJRGARCH",
    "EGARCH",
    "Heston",
    "MertonJumps",
    "KouJumps",
    "MarkovSwitching",
    "GaussianCopula",
    "StudentTCopula",
    "Overlay",
    "Process",
    "make_process",
    "check_correlation",
]

Sampler = Callable[[tuple[int, ...]], np.ndarray]

# Paths per vectorised time loop: big enough that numpy's per-call overhead is
# amortised, small enough that the chunk's buffers stay ~10 MB each at 252 steps
# (10,000 was 5% faster but 20 MB more peak memory at 100k paths).
_CHUNK_PATHS = 5 * BLOCK_SIZE
# Spawn-key offset of the scenario streams: scenarios draw from their own streams so
# that severity 0 reproduces the base process bit for bit.
_SCENARIO_KEY = 0x5CE7
_N_THREADS = min(2, os.cpu_count() or 1)
_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_PID: int | None = None


def _executor() -> ThreadPoolExecutor:
    # A forked child (multiprocessing, Dask process workers) inherits the executor object
    # but not its threads; work submitted there would never run, so make a fresh one.
    global _EXECUTOR, _EXECUTOR_PID
    if _EXECUTOR is None or _EXECUTOR_PID != os.getpid():
        _EXECUTOR = ThreadPoolExecutor(max_workers=_N_THREADS, thread_name_prefix="edgecase-draw")
        _EXECUTOR_PID = os.getpid()
    return _EXECUTOR


def _real(value: Any, name: str, **kw: Any) -> float:
    return float(check_scalar(value, name, kind=numbers.Real, **kw))


# --------------------------------------------------------------------------- shocks
class Normal:
    """Standard normal shocks.

    Examples
    --------
    >>> import numpy as np
    >>> Normal().sampler(np.random.default_rng(0))((2,)).shape
    (2,)
    """

    name = "normal"

    def sampler(self, rng: np.random.Generator) -> Sampler:
        return lambda size: rng.standard_normal(size)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return special.ndtri(u)

    def __repr__(self) -> str:
        return "Normal()"


class StudentT:
    """Student-t shocks scaled to unit variance (``nu > 2``).

    Examples
    --------
    >>> import numpy as np
    >>> z = StudentT(nu=5).sampler(np.random.default_rng(0))((200_000,))
    >>> round(float(z.std()), 1)
    1.0
    """

    name = "t"

    def __init__(self, nu: float = 8.0) -> None:
        self.nu = _real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        scale = np.sqrt((self.nu - 2.0) / self.nu)

        def draw(size: tuple[int, ...]) -> np.ndarray:
            x = rng.standard_t(self.nu, size)
            x *= scale
            return x

        return draw

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return special.stdtrit(self.nu, u) * np.sqrt((self.nu - 2.0) / self.nu)

    def __repr__(self) -> str:
        return f"StudentT(nu={self.nu:g})"


class SkewT:
    """Hansen's (1994) skewed Student-t with zero mean and unit variance.

    ``nu > 2`` is the tail parameter (arch's ``eta``), ``lam`` in (-1, 1) the skew
    (negative: a longer left tail). Drawn as a two-piece scaled t, which is
    exact and much cheaper than inverting the cdf.

    Examples
    --------
    >>> import numpy as np
    >>> z = SkewT(nu=6, lam=-0.2).sampler(np.random.default_rng(0))((400_000,))
    >>> round(float(z.mean()), 2), round(float(z.std()), 1)
    (0.0, 1.0)
    """

    name = "skewt"

    def __init__(self, nu: float = 8.0, lam: float = 0.0) -> None:
        self.nu = _real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)
        self.lam = _real(lam, "lam", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False)
        nu, lam = self.nu, self.lam
        c = np.exp(special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)) / np.sqrt(
            np.pi * (nu - 2)
        )
        self._a = 4 * lam * c * (nu - 2) / (nu - 1)
        self._b = np.sqrt(1 + 3 * lam**2 - self._a**2)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        scale = np.sqrt((self.nu - 2.0) / self.nu)
        lam, a, b = self.lam, self._a, self._b

        def draw(size: tuple[int, ...]) -> np.ndarray:
            t = np.abs(rng.standard_t(self.nu, size)) * scale
            left = rng.random(size) < (1.0 - lam) / 2.0
            y = np.where(left, -(1.0 - lam) * t, (1.0 + lam) * t)
            return (y - a) / b

        return draw

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        lam, scale = self.lam, np.sqrt((self.nu - 2.0) / self.nu)
        cut = (1.0 - lam) / 2.0
        q_left = (1 - lam) * special.stdtrit(self.nu, np.minimum(u, cut) / (1 - lam))
        q_right = (1 + lam) * special.stdtrit(self.nu, (np.maximum(u, cut) - cut) / (1 + lam) + 0.5)
        y = np.where(u < cut, q_left, q_right) * scale
        return (y - self._a) / self._b

    def __repr__(self) -> str:
        return f"SkewT(nu={self.nu:g}, lam={self.lam:g})"


class Bootstrap:
    """Resampled standardised residuals: filtered historical simulation.

    The residuals are demeaned and scaled to unit variance once, so the
    dynamics keep the calibrated variance while the shape of the shocks
    (fat tails, skew) is the empirical one.

    Examples
    --------
    >>> import numpy as np
    >>> b = Bootstrap(np.random.default_rng(0).standard_t(4, 1000))
    >>> round(float(b.residuals.std()), 6)
    1.0
    """

    name = "bootstrap"

    def __init__(self, residuals: Any) -> None:
        try:
            r = np.asarray(residuals, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InvalidInputError("residuals must be numeric.") from None
        if r.size < 20:
            raise InvalidInputError(
                f"residuals has {r.size} values; at least 20 are needed to bootstrap."
            )
        if not np.isfinite(r).all():
            raise InvalidInputError("residuals has NaN/inf values; expected finite numbers.")
        sd = r.std()
        if not sd > 0:
            raise InvalidInputError("residuals are constant; they cannot be standardised.")
        self.residuals = (r - r.mean()) / sd
        self._sorted = np.sort(self.residuals)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        res = self.residuals
        return lambda size: res[rng.integers(0, res.size, size)]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        idx = np.minimum(
            (np.asarray(u) * self._sorted.size).astype(np.int64), self._sorted.size - 1
        )
        return self._sorted[idx]

    def __repr__(self) -> str:
        return f"Bootstrap(n={self.residuals.size})"


# ------------------------------------------------------------------------- dynamics
class ConstantVolatility:
    """Constant volatility ``sigma`` per step: with normal shocks, a GBM in log prices.

    Examples
    --------
    >>> p = Process(dynamics=ConstantVolatility(0.01))
    >>> p.simulate(3, 5, random_state=0).returns.shape
    (3, 5, 1)
    """

    n_extra = 0

    def __init__(self, sigma: float = 0.01) -> None:
        self.sigma = _real(sigma, "sigma", low=0.0, high=1.0, low_inclusive=False)

    def start(self, n: int) -> np.ndarray:
        return np.full(n, self.sigma**2)

    def variance(self, state: np.ndarray) -> np.ndarray:
        return state

    def drift(self, s2: np.ndarray, state: Any = None) -> float | np.ndarray:
        return 0.0

    def update(self, state, eps, z, extra):
        return state

    @property
    def unconditional_variance(self) -> float:
        return self.sigma**2

    def __repr__(self) -> str:
        return f"ConstantVolatility(sigma={self.sigma:g})"


class GARCH:
    """GARCH(1,1) / GJR-GARCH(1,1,1) variance recursion.

    ``s2_t = omega + (alpha + gamma * 1[eps_{t-1} < 0]) * eps_{t-1}**2 + beta * s2_{t-1}``

    Parameters are per step in return units (arch fits in percent: divide its
    omega by 1e4). Persistence ``alpha + gamma / 2 + beta`` must be < 1 unless
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
    ) -> None:
        self.omega = _real(omega, "omega", low=0.0, low_inclusive=False, high=1.0)
        self.alpha = _real(alpha, "alpha", low=0.0, high=1.0)
        self.beta = _real(beta, "beta", low=0.0, high=1.0)
        self.gamma = _real(gamma, "gamma", low=-self.alpha, high=1.0)
        self.allow_nonstationary = bool(allow_nonstationary)
        self.persistence = self.alpha + self.gamma / 2.0 + self.beta
        if initial_variance is not None:
            initial_variance = _real(
                initial_variance, "initial_variance", low=0.0, high=1.0, low_inclusive=False
            )
        self.initial_variance = initial_variance
        if self.persistence >= 1.0:
            if not self.allow_nonstationary:
                raise InvalidParameterError(
                    f"alpha + gamma/2 + beta = {self.persistence:.6g} >= 1: the variance is not "
                    "stationary; lower them or pass allow_nonstationary=True with initial_variance."
                )
            if initial_variance is None:
                raise InvalidParameterError(
                    "a non-stationary GARCH (alpha + gamma/2 + beta >= 1) needs initial_variance."
                )
            if self.persistence > 1.05:
                raise InvalidParameterError(
                    f"alpha + gamma/2 + beta = {self.persistence:.6g} > 1.05 explodes within a few "
                    "hundred steps; at most 1.05 is allowed even with allow_nonstationary=True."
                )

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

    def drift(self, s2: np.ndarray, state: Any = None) -> float | np.ndarray:
        return 0.0

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
    >>> GJRGARCH(omega=2e-6, alpha=0.02, gamma=0.12, beta=0.9).persistence
    0.98
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


class EGARCH:
    """EGARCH(1,1,1) of Nelson (1991) in arch's parametrisation, per step in return units.

    ``log s2_t = omega + alpha (|e_{t-1}| - sqrt(2/pi)) + gamma e_{t-1} + beta log s2_{t-1}``
    with ``e`` the standardised shock. ``gamma < 0`` is the leverage effect; it acts on
    ``e`` linearly, so it gives a strong return/volatility asymmetry without the heavy
    tails a large GJR ``gamma`` brings. Stationary for ``|beta| < 1``. arch fits in
    percent: convert its omega with ``omega + (1 - beta) * log(1e-4)``.

    The standardised news fed back is capped at +-8 (a daily move beyond 8 sd is not
    seen in skew-t draws; it only bounds injected scenario crashes, which would
    otherwise push the log-variance up by orders of magnitude in one step).

    Examples
    --------
    >>> e = EGARCH(omega=-0.2, alpha=0.13, gamma=-0.15, beta=0.978)
    >>> round(float(e.unconditional_variance) ** 0.5, 4)
    0.0106
    """

    n_extra = 0
    _EZ = float(np.sqrt(2.0 / np.pi))

    def __init__(
        self,
        omega: float = -0.2,
        alpha: float = 0.13,
        gamma: float = -0.15,
        beta: float = 0.978,
    ) -> None:
        self.omega = _real(omega, "omega", low=-50.0, high=50.0)
        self.alpha = _real(alpha, "alpha", low=-1.0, high=2.0)
        self.gamma = _real(gamma, "gamma", low=-2.0, high=2.0)
        self.beta = _real(
            beta, "beta", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False
        )
        self.persistence = self.beta
        self._log_v0 = self.omega / (1.0 - self.beta)
        if not -30.0 < self._log_v0 < 0.0:
            raise InvalidParameterError(
                f"omega / (1 - beta) = {self._log_v0:.3g} is the long-run log variance per step; "
                "it must lie in (-30, 0) (a daily volatility between 3e-7 and 1)."
            )

    @property
    def unconditional_variance(self) -> float:
        return float(np.exp(self._log_v0))

    def start(self, n: int) -> np.ndarray:
        return np.full(n, self._log_v0)

    def variance(self, state: np.ndarray) -> np.ndarray:
        return np.exp(state)

    def drift(self, s2: np.ndarray, state: Any = None) -> float | np.ndarray:
        return 0.0

    def update(self, state, eps, z, extra):
        e = np.clip(eps / np.sqrt(np.exp(state)), -8.0, 8.0)
        new = self.omega + self.alpha * (np.abs(e) - self._EZ) + self.gamma * e + self.beta * state
        # Bound the log-variance to daily vol in [1e-6, 1]: keeps paths finite for any valid params.
        return np.clip(new, -27.6, 0.0)

    def __repr__(self) -> str:
        return (
            f"EGARCH(omega={self.omega:g}, alpha={self.alpha:g}, gamma={self.gamma:g}, "
            f"beta={self.beta:g})"
        )


class Heston:
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
        self.kappa = _real(kappa, "kappa", low=0.0, low_inclusive=False, high=1e3)
        self.theta = _real(theta, "theta", low=0.0, low_inclusive=False, high=25.0)
        self.xi = _real(xi, "xi", low=0.0, high=25.0)
        self.rho = _real(rho, "rho", low=-1.0, high=1.0)
        self.v0 = self.theta if v0 is None else _real(v0, "v0", low=0.0, high=25.0)
        self.dt = _real(dt, "dt", low=0.0, low_inclusive=False, high=1.0)
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


# ---------------------------------------------------------------------------- jumps
class MertonJumps:
    """Merton jumps: Poisson(``intensity``) jumps per step with N(``mean``, ``std``^2) log sizes.

    Examples
    --------
    >>> import numpy as np
    >>> j = MertonJumps(intensity=0.5, mean=-0.02, std=0.01)
    >>> round(float(j.draw(np.random.default_rng(0), (100_000,)).mean()), 3)
    -0.01
    """

    def __init__(self, intensity: float = 0.01, mean: float = -0.03, std: float = 0.03) -> None:
        self.intensity = _real(intensity, "intensity", low=0.0, high=5.0)
        self.mean = _real(mean, "mean", low=-1.0, high=1.0)
        self.std = _real(std, "std", low=0.0, high=1.0)

    def draw(self, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        n = rng.poisson(self.intensity, size)
        out = np.zeros(n.shape)
        # Jumps are rare: draw sizes only where one happens (a fraction of the work).
        hit = np.flatnonzero(n)
        k = n.ravel()[hit]
        out.ravel()[hit] = k * self.mean + np.sqrt(k) * self.std * rng.standard_normal(hit.size)
        return out

    @property
    def variance(self) -> float:
        return self.intensity * (self.std**2 + self.mean**2)

    def __repr__(self) -> str:
        return f"MertonJumps(intensity={self.intensity:g}, mean={self.mean:g}, std={self.std:g})"


class KouJumps:
    """Kou double-exponential jumps: up with probability ``p_up`` (mean size 1/eta_up), else down.

    ``eta_up > 1`` keeps ``E[exp(J)]`` finite.

    Examples
    --------
    >>> import numpy as np
    >>> j = KouJumps(intensity=1.0, p_up=0.0, eta_down=50.0)
    >>> round(float(j.draw(np.random.default_rng(0), (100_000,)).mean()), 3)
    -0.02
    """

    def __init__(
        self,
        intensity: float = 0.01,
        p_up: float = 0.3,
        eta_up: float = 40.0,
        eta_down: float = 25.0,
    ) -> None:
        self.intensity = _real(intensity, "intensity", low=0.0, high=5.0)
        self.p_up = _real(p_up, "p_up", low=0.0, high=1.0)
        self.eta_up = _real(eta_up, "eta_up", low=1.0, low_inclusive=False, high=1e6)
        self.eta_down = _real(eta_down, "eta_down", low=0.0, low_inclusive=False, high=1e6)

    def draw(self, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        n = rng.poisson(self.intensity, size)
        out = np.zeros(n.shape)
        hit = np.flatnonzero(n)
        k = n.ravel()[hit]
        k_up = rng.binomial(k, self.p_up)
        # A sum of k iid Exp(eta) is Gamma(k, 1/eta); shape 0 gives 0, so no jump, no size.
        up = rng.standard_gamma(k_up) / self.eta_up
        down = rng.standard_gamma(k - k_up) / self.eta_down
        out.ravel()[hit] = up - down
        return out

    @property
    def variance(self) -> float:
        m2 = self.p_up * 2 / self.eta_up**2 + (1 - self.p_up) * 2 / self.eta_down**2
        return self.intensity * m2

    def __repr__(self) -> str:
        return (
            f"KouJumps(intensity={self.intensity:g}, p_up={self.p_up:g}, "
            f"eta_up={self.eta_up:g}, eta_down={self.eta_down:g})"
        )


# -------------------------------------------------------------------------- regimes
class MarkovSwitching:
    """A k-state Markov chain (k >= 2) that scales the variance and shifts the mean per state.

    Parameters
    ----------
    transition : array (k, k)
        Row-stochastic: ``transition[i, j] = P(s_{t+1} = j | s_t = i)``.
    multipliers : array (k,)
        Variance multiplier per state (> 0). The state with the largest one is
        the *stress* state, where a copula's stress correlation applies.
    means : array (k,), optional
        Extra mean log return per state (default 0).
    initial : array (k,), optional
        Start distribution (default the stationary distribution).

    Examples
    --------
    >>> import numpy as np
    >>> ms = MarkovSwitching([[0.99, 0.01], [0.03, 0.97]], multipliers=[0.6, 3.0])
    >>> ms.stationary.round(2)
    array([0.75, 0.25])
    """

    def __init__(
        self,
        transition: Any,
        multipliers: Any,
        means: Any = None,
        initial: Any = None,
    ) -> None:
        P = _as_float_array(transition, "transition", ndim=2)
        k = P.shape[0]
        if P.shape != (k, k) or k < 2:
            raise InvalidParameterError(
                f"transition must be a square (k, k) matrix with k >= 2; got shape {P.shape}."
            )
        if (P < 0).any() or not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
            raise InvalidParameterError(
                "transition must have non-negative rows that each sum to 1 (row-stochastic)."
            )
        m = _as_float_array(multipliers, "multipliers", ndim=1)
        if m.shape != (k,) or (m <= 0).any() or (m > 1e4).any():
            raise InvalidParameterError(
                f"multipliers must be {k} positive variance multipliers (<= 1e4); got {m.tolist()}."
            )
        mu = np.zeros(k) if means is None else _as_float_array(means, "means", ndim=1)
        if mu.shape != (k,) or (np.abs(mu) > 1).any():
            raise InvalidParameterError(f"means must be {k} numbers in [-1, 1]; got {mu.tolist()}.")
        self.transition = P / P.sum(axis=1, keepdims=True)
        self.multipliers = m
        self.means = mu
        self.k = k
        vals, vecs = np.linalg.eig(self.transition.T)
        pi = np.abs(np.real(vecs[:, np.argmin(np.abs(vals - 1.0))]))
        self.stationary = pi / pi.sum()
        if initial is None:
            self.initial = self.stationary
        else:
            init = _as_float_array(initial, "initial", ndim=1)
            if init.shape != (k,) or (init < 0).any() or not np.isclose(init.sum(), 1.0):
                raise InvalidParameterError(f"initial must be {k} probabilities summing to 1.")
            self.initial = init
        self.stress_state = int(np.argmax(m))
        self._cum = np.cumsum(self.transition, axis=1)
        self._cum[:, -1] = 1.0

    def simulate_states(self, rng: np.random.Generator, n_steps: int, n: int) -> np.ndarray:
        """States (n_steps, n) as int8; two uniforms per path and step, vectorised over paths."""
        u0 = rng.random(n)
        u = rng.random((n_steps, n))
        cum0 = np.cumsum(self.initial)
        cum0[-1] = 1.0
        states = np.empty((n_steps, n), dtype=np.int8)
        s = np.searchsorted(cum0, u0, side="right").astype(np.int64)
        for t in range(n_steps):
            states[t] = s
            s = (u[t][:, None] >= self._cum[s]).sum(axis=1)
        return states

    def __repr__(self) -> str:
        return f"MarkovSwitching(k={self.k}, multipliers={np.round(self.multipliers, 3).tolist()})"


# ------------------------------------------------------------------------- copulas
def check_correlation(corr: Any, name: str = "corr") -> np.ndarray:
    """A symmetric, unit-diagonal, positive semi-definite correlation matrix, or an error.

    Examples
    --------
    >>> check_correlation([[1, 0.5], [0.5, 1]]).shape
    (2, 2)
    """
    C = _as_float_array(corr, name, ndim=2)
    d = C.shape[0]
    if C.shape != (d, d):
        raise InvalidParameterError(f"{name} must be square; got shape {C.shape}.")
    if not np.allclose(C, C.T, atol=1e-10):
        raise InvalidParameterError(f"{name} must be symmetric.")
    if not np.allclose(np.diag(C), 1.0, atol=1e-10):
        raise InvalidParameterError(f"{name} must have ones on the diagonal; got {np.diag(C)}.")
    if (np.abs(C) > 1 + 1e-12).any():
        raise InvalidParameterError(f"{name} entries must lie in [-1, 1].")
    eig = np.linalg.eigvalsh(C)
    if eig.min() < -1e-10:
        raise InvalidParameterError(
            f"{name} is not positive semi-definite (smallest eigenvalue {eig.min():.3g}); "
            "it is not a valid correlation matrix."
        )
    return (C + C.T) / 2.0


def _psd_sqrt(C: np.ndarray) -> np.ndarray:
    """A factor L with L @ L.T == C that also works for singular PSD matrices."""
    vals, vecs = np.linalg.eigh(C)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


class GaussianCopula:
    """Gaussian copula with correlation ``corr`` and optional ``stress_corr``.

    A path-step with stress weight ``w`` in [0, 1] gets correlation
    ``(1 - w) corr + w stress_corr`` exactly, as ``sqrt(1-w) L e1 + sqrt(w) L_s e2``
    with independent normals e1, e2.

    Examples
    --------
    >>> import numpy as np
    >>> c = GaussianCopula([[1, 0.6], [0.6, 1]])
    >>> u = c.uniforms(np.random.default_rng(0), (50_000,))
    >>> round(float(np.corrcoef(u[:, 0], u[:, 1])[0, 1]), 1)
    0.6
    """

    kind = "gaussian"

    def __init__(self, corr: Any, stress_corr: Any = None) -> None:
        self.corr = check_correlation(corr, "corr")
        self.stress_corr = (
            None if stress_corr is None else check_correlation(stress_corr, "stress_corr")
        )
        if self.stress_corr is not None and self.stress_corr.shape != self.corr.shape:
            raise InvalidParameterError("stress_corr must have the same shape as corr.")
        self.n_assets = self.corr.shape[0]
        self._L = _psd_sqrt(self.corr)

    def _normals(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None,
        stress: np.ndarray | None,
    ) -> np.ndarray:
        d = self.n_assets
        z = rng.standard_normal((*size, d)) @ self._L.T
        S = stress if stress is not None else self.stress_corr
        if S is not None:
            # Always drawn when a stress matrix exists, so w = 0 reproduces the calm paths exactly.
            zs = rng.standard_normal((*size, d)) @ _psd_sqrt(S).T
            if w is not None:
                w = np.clip(w, 0.0, 1.0)[..., None]
                z = np.sqrt(1.0 - w) * z + np.sqrt(w) * zs
        return z

    def uniforms(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None = None,
        stress: np.ndarray | None = None,
    ) -> np.ndarray:
        """Uniforms of shape (*size, n_assets) with this copula's dependence."""
        return special.ndtr(self._normals(rng, size, w, stress))

    def __repr__(self) -> str:
        return f"GaussianCopula(n_assets={self.n_assets})"


class StudentTCopula(GaussianCopula):
    """Student-t copula (tail dependence: assets crash together) with ``nu`` degrees of freedom.

    Examples
    --------
    >>> import numpy as np
    >>> c = StudentTCopula([[1, 0.5], [0.5, 1]], nu=4)
    >>> c.uniforms(np.random.default_rng(0), (10,)).shape
    (10, 2)
    """

    kind = "t"

    def __init__(self, corr: Any, nu: float = 5.0, stress_corr: Any = None) -> None:
        super().__init__(corr, stress_corr)
        self.nu = _real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)

    def uniforms(self, rng, size, w=None, stress=None):
        z = self._normals(rng, size, w, stress)
        g = rng.standard_gamma(self.nu / 2.0, size)[..., None] / (self.nu / 2.0)
        return special.stdtr(self.nu, z / np.sqrt(g))

    def __repr__(self) -> str:
        return f"StudentTCopula(n_assets={self.n_assets}, nu={self.nu:g})"


# -------------------------------------------------------------------------- overlay
@dataclass
class Overlay:
    """Per-block scenario arrays applied inside the time loop (all optional).

    Shapes are (n_steps, n) or (n_steps, n, n_assets).

    - ``additive``: log return added on each step; it is fed into the variance
      recursion, so a crash raises the volatility that follows (aftershocks).
    - ``vol_mult``: multiplies the conditional standard deviation of the output
      (values above 1 are not fed back, so the recursion cannot explode).
    - ``ar``: coefficient on the previous step's return (serial-correlation stress).
    - ``freeze``: True on no-trade steps; their returns accumulate and are
      released as one gap on the next trading step.
    - ``corr_weight`` / ``stress_corr``: copula stress weight and matrix.
    """

    additive: np.ndarray | None = None
    vol_mult: np.ndarray | None = None
    ar: np.ndarray | None = None
    freeze: np.ndarray | None = None
    corr_weight: np.ndarray | None = None
    stress_corr: np.ndarray | None = None
    info: dict = field(default_factory=dict)


# -------------------------------------------------------------------------- process
def _as_float_array(value: Any, name: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a numeric array.") from None
    if arr.ndim != ndim:
        raise InvalidParameterError(f"{name} must be {ndim}-D; got {arr.ndim}-D.")
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite.")
    return arr


def _per_asset(value: Any, d: int, name: str) -> list:
    if isinstance(value, list | tuple):
        if len(value) != d:
            raise InvalidParameterError(f"{name} has {len(value)} entries for {d} assets.")
        return list(value)
    return [value] * d


class Process:
    """A return process composed of dynamics x shocks x jumps x regimes (x copula).

    Parameters
    ----------
    dynamics : ConstantVolatility, GARCH, GJRGARCH or Heston, or a list (one per asset)
    shocks : Normal, StudentT, SkewT or Bootstrap, or a list (default Normal)
    jumps : MertonJumps, KouJumps, None, or a list
    regimes : MarkovSwitching, optional
        One chain shared by all assets (a market-wide regime).
    mu : float or list
        Mean log return per step.
    ar : float or list
        AR(1) coefficient of the mean, ``r_t = mu + ar (r_{t-1} - mu) + ...`` (|ar| < 1),
        like arch's ``mean="AR"``; daily index returns have a small negative one.
    copula : GaussianCopula or StudentTCopula, required with several assets.
    assets : list of str, optional

    Examples
    --------
    >>> p = Process(dynamics=GJRGARCH(), shocks=SkewT(7, -0.1), jumps=KouJumps())
    >>> paths = p.simulate(100, 252, random_state=0)
    >>> paths.returns.shape, bool(abs(paths.returns.std() - 0.01) < 0.003)
    ((100, 252, 1), True)
    """

    def __init__(
        self,
        *,
        dynamics: Any = None,
        shocks: Any = None,
        jumps: Any = None,
        regimes: MarkovSwitching | None = None,
        mu: Any = 0.0,
        ar: Any = 0.0,
        copula: GaussianCopula | None = None,
        assets: Sequence[str] | None = None,
    ) -> None:
        self.dynamics = dynamics
        self.shocks = shocks
        self.jumps = jumps
        self.regimes = regimes
        self.mu = mu
        self.ar = ar
        self.copula = copula
        self.assets = assets
        self._validate()

    def _validate(self) -> None:
        d = self.copula.n_assets if self.copula is not None else None
        if d is None:
            for v in (self.dynamics, self.shocks, self.jumps, self.mu):
                if isinstance(v, list | tuple):
                    d = len(v)
                    break
        d = d or 1
        if d > 1 and self.copula is None:
            raise InvalidParameterError(
                f"{d} assets need a copula (GaussianCopula or StudentTCopula) to tie them together."
            )
        if self.copula is not None and not isinstance(self.copula, GaussianCopula):
            raise InvalidParameterError("copula must be a GaussianCopula or StudentTCopula.")
        dyn = _per_asset(
            self.dynamics if self.dynamics is not None else ConstantVolatility(), d, "dynamics"
        )
        sh = _per_asset(self.shocks if self.shocks is not None else Normal(), d, "shocks")
        jp = _per_asset(self.jumps, d, "jumps")
        mu = [_real(m, "mu", low=-1.0, high=1.0) for m in _per_asset(self.mu, d, "mu")]
        self._ar = [
            _real(v, "ar", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False)
            for v in _per_asset(self.ar, d, "ar")
        ]
        for x in dyn:
            if not isinstance(x, ConstantVolatility | GARCH | EGARCH | Heston):
                raise InvalidParameterError(f"dynamics must be a dynamics object; got {x!r}.")
        for x in sh:
            if not isinstance(x, Normal | StudentT | SkewT | Bootstrap):
                raise InvalidParameterError(f"shocks must be a shock distribution; got {x!r}.")
        for x in jp:
            if x is not None and not isinstance(x, MertonJumps | KouJumps):
                raise InvalidParameterError(
                    f"jumps must be None, MertonJumps or KouJumps; got {x!r}."
                )
        if self.regimes is not None and not isinstance(self.regimes, MarkovSwitching):
            raise InvalidParameterError("regimes must be a MarkovSwitching or None.")
        assets = self.assets if self.assets is not None else [f"asset{i}" for i in range(d)]
        if len(assets) != d:
            raise InvalidParameterError(f"assets has {len(assets)} names for {d} assets.")
        self.n_assets = d
        self._dyn, self._shocks, self._jumps, self._mu = dyn, sh, jp, mu
        self._assets = [str(a) for a in assets]

    def __repr__(self) -> str:
        parts = [f"dynamics={self._dyn[0]!r}", f"shocks={self._shocks[0]!r}"]
        if self._jumps[0] is not None:
            parts.append(f"jumps={self._jumps[0]!r}")
        if self.regimes is not None:
            parts.append(f"regimes={self.regimes!r}")
        if self.copula is not None:
            parts.append(f"copula={self.copula!r}")
        return f"Process({', '.join(parts)}, n_assets={self.n_assets})"

    # -- public -------------------------------------------------------------------
    def simulate(
        self,
        n_paths: int,
        n_steps: int = 252,
        random_state: RandomStateLike = None,
        *,
        scenario: Any = None,
        chunk_paths: int = _CHUNK_PATHS,
    ) -> Paths:
        """Simulate ``n_paths`` paths of ``n_steps`` daily log returns.

        ``scenario`` is an object with ``overlay(rng, n, n_steps, n_assets) -> Overlay``
        (see :mod:`edgecase.market.scenarios`); it draws from its own streams, so
        a scenario at severity 0 gives exactly the base paths.
        """
        n_paths = int(check_scalar(n_paths, "n_paths", kind=numbers.Integral, low=1, high=10**8))
        n_steps = int(check_scalar(n_steps, "n_steps", kind=numbers.Integral, low=1, high=10**6))
        chunk_paths = int(
            check_scalar(chunk_paths, "chunk_paths", kind=numbers.Integral, low=BLOCK_SIZE)
        )
        if chunk_paths % BLOCK_SIZE:
            raise InvalidParameterError(
                f"chunk_paths must be a multiple of BLOCK_SIZE={BLOCK_SIZE}; got {chunk_paths}."
            )
        ss = as_seed_sequence(random_state)
        out = np.empty((n_paths, n_steps, self.n_assets))
        for start in range(0, n_paths, chunk_paths):
            stop = min(start + chunk_paths, n_paths)
            self.simulate_range(ss, start, stop, n_steps, scenario=scenario, out=out[start:stop])
        meta = {"process": repr(self)}
        if scenario is not None:
            meta.update(getattr(scenario, "meta", {}))
        return Paths(out, assets=self._assets, meta=meta)

    def simulate_range(
        self,
        seed_seq: np.random.SeedSequence,
        start: int,
        stop: int,
        n_steps: int,
        *,
        scenario: Any = None,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Paths ``[start, stop)`` of the job seeded by ``seed_seq``, shape (stop-start, n_steps, d).

        ``start`` must be a multiple of ``BLOCK_SIZE``: path ``i`` always takes its
        random numbers from block ``i // BLOCK_SIZE``, so any chunking of a job
        gives identical bytes.
        """
        if start % BLOCK_SIZE or stop <= start:
            raise InvalidParameterError(
                f"start must be a multiple of {BLOCK_SIZE} and stop > start; got [{start}, {stop})."
            )
        first = start // BLOCK_SIZE
        n_blocks = -(-(stop - start) // BLOCK_SIZE)
        rngs = block_rngs(seed_seq, first, n_blocks)
        scn_rngs = None
        if scenario is not None:
            scn_ss = np.random.SeedSequence(
                entropy=seed_seq.entropy,
                spawn_key=(*seed_seq.spawn_key, _SCENARIO_KEY),
                pool_size=seed_seq.pool_size,
            )
            scn_rngs = block_rngs(scn_ss, first, n_blocks)

        def one_block(b: int) -> dict[str, Any]:
            nb = min(BLOCK_SIZE, stop - start - b * BLOCK_SIZE)
            ov = None
            if scn_rngs is not None:
                ov = scenario.overlay(scn_rngs[b], nb, n_steps, self.n_assets)
            return self._draw_block(rngs[b], nb, n_steps, ov)

        # numpy's Generator releases the GIL while filling arrays, so blocks draw in
        # parallel threads; each block owns its stream, so the bytes do not depend on it.
        # Each finished block is copied into the chunk buffers and dropped at once, so
        # only the buffers and the blocks in flight are alive (peak memory).
        merged: dict[str, Any] = {}
        n_chunk = stop - start

        def place(b: int, block: dict[str, Any]) -> None:
            lo = b * BLOCK_SIZE
            for key, val in block.items():
                if val is None:
                    merged.setdefault(key, None)
                    continue
                buf = merged.get(key)
                if buf is None:
                    buf = np.empty((val.shape[0], n_chunk, *val.shape[2:]), dtype=val.dtype)
                    merged[key] = buf
                buf[:, lo : lo + val.shape[1]] = val

        if n_blocks > 1 and _N_THREADS > 1:
            for b, block in enumerate(_executor().map(one_block, range(n_blocks))):
                place(b, block)
        else:
            for b in range(n_blocks):
                place(b, one_block(b))
        if out is None:
            out = np.empty((stop - start, n_steps, self.n_assets))
        # The time loop writes a contiguous time-major buffer; one cache-blocked transpose
        # then fills the path-major output (per-step strided writes were 5x slower).
        buf = np.empty((n_steps, n_chunk, self.n_assets))
        self._recursion(merged, n_steps, buf)
        for j in range(0, n_chunk, 256):
            out[j : j + 256] = buf[:, j : j + 256].transpose(1, 0, 2)
        return out

    # -- internals ----------------------------------------------------------------
    def _draw_block(
        self, rng: np.random.Generator, n: int, n_steps: int, ov: Overlay | None
    ) -> dict[str, Any]:
        d = self.n_assets
        size = (n_steps, n)
        states = self.regimes.simulate_states(rng, n_steps, n) if self.regimes is not None else None
        if d == 1:
            z = self._shocks[0].sampler(rng)(size)[..., None]
        else:
            w = None
            if states is not None and self.copula.stress_corr is not None:
                w = (states == self.regimes.stress_state).astype(float)
            if ov is not None and ov.corr_weight is not None:
                w = ov.corr_weight if w is None else np.maximum(w, ov.corr_weight)
            stress = ov.stress_corr if ov is not None else None
            if stress is not None and self.copula.stress_corr is None and w is None:
                w = np.zeros(size)
            u = self.copula.uniforms(rng, size, w, stress)
            # Keep uniforms strictly inside (0, 1) so every ppf stays finite.
            u = np.clip(u, 1e-12, 1 - 1e-12)
            z = np.stack([self._shocks[a].ppf(u[..., a]) for a in range(d)], axis=-1)
        extra = None
        if any(dy.n_extra for dy in self._dyn):
            extra = rng.standard_normal((n_steps, n, d))
        jumps = None
        if any(j is not None for j in self._jumps):
            jumps = np.zeros((n_steps, n, d))
            for a, j in enumerate(self._jumps):
                if j is not None:
                    jumps[..., a] = j.draw(rng, size)

        def _3d(x):
            if x is None:
                return None
            x = np.asarray(x, dtype=float)
            return np.broadcast_to(x[..., None] if x.ndim == 2 else x, (n_steps, n, d))

        return {
            "z": z,
            "extra": extra,
            "jumps": jumps,
            "states": states,
            "additive": _3d(ov.additive) if ov is not None else None,
            "vol_mult": _3d(ov.vol_mult) if ov is not None else None,
            "ar": _3d(ov.ar) if ov is not None else None,
            "freeze": (
                ov.freeze.astype(bool) if ov is not None and ov.freeze is not None else None
            ),
        }

    def _recursion(self, a: dict[str, Any], n_steps: int, out: np.ndarray) -> None:
        z = a["z"]
        n = z.shape[1]
        reg_sd = reg_mu = None
        if a["states"] is not None:
            reg_sd = np.sqrt(self.regimes.multipliers)[a["states"]]
            reg_mu = self.regimes.means[a["states"]] if np.any(self.regimes.means) else None
        for k in range(self.n_assets):
            dyn, mu = self._dyn[k], self._mu[k]
            state = dyn.start(n)
            prev = np.full(n, mu)
            base_ar = self._ar[k]
            track = base_ar != 0.0 or a["ar"] is not None
            acc = np.zeros(n) if a["freeze"] is not None else None
            prepare = getattr(dyn, "prepare", None)
            for t in range(n_steps):
                extra = a["extra"][t, :, k] if a["extra"] is not None else None
                if prepare is not None:
                    state = prepare(state, extra)
                s2 = dyn.variance(state)
                zt = z[t, :, k]
                eps = np.sqrt(s2) * zt
                r = eps if reg_sd is None else eps * reg_sd[t]
                if a["vol_mult"] is not None:
                    r = r * a["vol_mult"][t, :, k]
                r = r + (mu + dyn.drift(s2, state))
                if reg_mu is not None:
                    r = r + reg_mu[t]
                if a["jumps"] is not None:
                    r = r + a["jumps"][t, :, k]
                fed = eps
                if a["vol_mult"] is not None:
                    # Damped noise (crisis replay) is fed as damped; amplified noise is not fed
                    # back, so a vol spike cannot make the recursion explode.
                    fed = eps * np.minimum(a["vol_mult"][t, :, k], 1.0)
                if a["additive"] is not None:
                    r = r + a["additive"][t, :, k]
                    fed = fed + a["additive"][t, :, k]
                if base_ar != 0.0:
                    r = r + base_ar * (prev - mu)
                if a["ar"] is not None:
                    r = r + a["ar"][t, :, k] * prev
                if track:
                    prev = r
                state = dyn.update(state, fed, zt, extra)
                if acc is not None:
                    acc = acc + r
                    frozen = a["freeze"][t]
                    r = np.where(frozen, 0.0, acc)
                    acc = np.where(frozen, acc, 0.0)
                out[t, :, k] = r


# -------------------------------------------------------------------------- factory
_VOLS = ("constant", "garch", "gjr", "egarch", "heston")
_DISTS = ("normal", "t", "skewt", "bootstrap")
_JUMPS = ("none", "merton", "kou")


def make_process(
    vol: str = "garch",
    dist: str = "normal",
    jumps: str | None = None,
    *,
    mu: float = 0.0,
    regimes: MarkovSwitching | None = None,
    **params: Any,
) -> Process:
    """Build a univariate :class:`Process` from names, like ``arch_model(vol=..., dist=...)``.

    ``params`` go to the part that owns them: ``sigma`` (constant); ``omega, alpha,
    gamma, beta, allow_nonstationary, initial_variance`` (garch/gjr; egarch takes the
    first four); ``kappa, theta,
    xi, rho, v0, dt, scheme`` (heston); ``nu, lam, residuals`` (shocks); ``intensity,
    jump_mean, jump_std`` (merton); ``intensity, p_up, eta_up, eta_down`` (kou).

    Examples
    --------
    >>> p = make_process("gjr", "t", "merton", nu=6, intensity=0.004)
    >>> p.simulate(10, 20, random_state=0).returns.shape
    (10, 20, 1)
    """
    vol = check_choice(vol, "vol", _VOLS)
    dist = check_choice(dist, "dist", _DISTS)
    jumps = check_choice("none" if jumps is None else jumps, "jumps", _JUMPS)

    def take(*names: str) -> dict[str, Any]:
        return {n: params.pop(n) for n in names if n in params}

    if vol == "constant":
        dyn = ConstantVolatility(**take("sigma"))
    elif vol == "garch":
        dyn = GARCH(**take("omega", "alpha", "beta", "allow_nonstationary", "initial_variance"))
    elif vol == "gjr":
        dyn = GJRGARCH(
            **take("omega", "alpha", "gamma", "beta", "allow_nonstationary", "initial_variance")
        )
    elif vol == "egarch":
        dyn = EGARCH(**take("omega", "alpha", "gamma", "beta"))
    else:
        dyn = Heston(**take("kappa", "theta", "xi", "rho", "v0", "dt", "scheme"))
    if dist == "normal":
        sh = Normal()
    elif dist == "t":
        sh = StudentT(**take("nu"))
    elif dist == "skewt":
        sh = SkewT(**take("nu", "lam"))
    else:
        if "residuals" not in params:
            raise InvalidParameterError(
                "dist='bootstrap' needs residuals=<standardised residuals>."
            )
        sh = Bootstrap(params.pop("residuals"))
    jp = None
    if jumps == "merton":
        kw = take("intensity")
        if "jump_mean" in params:
            kw["mean"] = params.pop("jump_mean")
        if "jump_std" in params:
            kw["std"] = params.pop("jump_std")
        jp = MertonJumps(**kw)
    elif jumps == "kou":
        jp = KouJumps(**take("intensity", "p_up", "eta_up", "eta_down"))
    if params:
        raise InvalidParameterError(
            f"unknown or unused parameter(s) {sorted(params)} for vol={vol!r}, dist={dist!r}, "
            f"jumps={jumps!r}."
        )
    return Process(dynamics=dyn, shocks=sh, jumps=jp, regimes=regimes, mu=mu)
