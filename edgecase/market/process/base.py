"""The interface of each part of a :class:`~edgecase.market.Process`.

A process is composed the way arch composes a mean model, a volatility process
and a distribution: each part is an object with a few methods, and
:class:`~edgecase.market.Process` only calls those methods. The built-in parts
subclass these abstract base classes; a part of your own may subclass them too
(then Python refuses to build it until every abstract method is written), or
simply provide the abstract methods (duck typing): :func:`implements` is the
check :class:`~edgecase.market.Process` applies.

Units and shapes
----------------
One step is one trading day. Returns are daily **log returns** (0.01 is 1%),
variances are per step in squared log-return units (1e-4 is a 1% daily
volatility). ``n`` is the number of paths of the block being simulated,
``n_steps`` the number of steps and ``d`` the number of assets. Every array a
part receives or returns is a float64 numpy array unless said otherwise.

Randomness
----------
A part draws only from the :class:`numpy.random.Generator` it is handed, in a
fixed order, so the same seed gives the same bytes. It must not keep a
generator of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Sampler",
    "ShockDistribution",
    "Dynamics",
    "JumpProcess",
    "RegimeProcess",
    "Copula",
    "Overlay",
    "implements",
]

#: ``size -> draws``: a callable returning an array of shape ``size``.
Sampler = Callable[[tuple[int, ...]], np.ndarray]


def implements(obj: Any, interface: type) -> bool:
    """Whether ``obj`` can serve as ``interface``: an instance, or duck-typed.

    Duck-typed means every abstract method of ``interface`` is a callable
    attribute of ``obj``. Optional hooks (``drift``, ``prepare``, ``ppf``, ...)
    are not required; :class:`~edgecase.market.Process` uses a default when they
    are missing.

    Examples
    --------
    >>> class MyShocks:
    ...     def sampler(self, rng):
    ...         return rng.standard_normal
    >>> implements(MyShocks(), ShockDistribution), implements(object(), ShockDistribution)
    (True, False)
    """
    if isinstance(obj, interface):
        return True
    required = getattr(interface, "__abstractmethods__", frozenset())
    return bool(required) and all(callable(getattr(obj, m, None)) for m in required)


class ShockDistribution(ABC):
    """Standardised shocks ``z``: zero mean and unit variance.

    The dynamics scale them, ``eps = sqrt(s2) * z``, so a distribution that is
    not standardised changes the variance the dynamics promise.
    """

    #: Short name used in reprs and by :func:`~edgecase.market.make_process`.
    name: str = "custom"

    @abstractmethod
    def sampler(self, rng: np.random.Generator) -> Sampler:
        """A callable ``size -> z`` drawing shocks of shape ``size`` from ``rng``.

        ``size`` is ``(n_steps, n)`` for a single asset. The callable is used
        once per block.
        """

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: shocks of the same shape as the uniforms ``u`` in (0, 1).

        Needed only with several assets, where a copula supplies the uniforms.
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no ppf(u); a copula (several assets) needs one."
        )

    def left_second_moment(self) -> float:
        """``E[z**2 1(z < 0)]``: the share of the unit variance in the left half.

        GJR-GARCH's persistence is ``alpha + gamma * E[z**2 1(z < 0)] + beta``; it
        is 1/2 only for symmetric shocks. The default integrates ``ppf`` on a fine
        midpoint grid; distributions with a closed form or a density override it.
        """
        n = 200_000
        z = np.asarray(self.ppf((np.arange(n) + 0.5) / n), dtype=float)
        return float(np.mean(np.where(z < 0.0, z * z, 0.0)))


class Dynamics(ABC):
    """The conditional variance recursion (GARCH, Heston, ...), vectorised over paths.

    Per step ``t`` :class:`~edgecase.market.Process` calls, for ``n`` paths::

        state = dynamics.prepare(state, extra)      # optional hook
        s2 = dynamics.variance(state)               # (n,) variance of step t
        eps = sqrt(s2) * z_t                        # z_t from the shocks
        r_t = mu + dynamics.drift(s2, state) + eps (+ jumps, regimes, ...)
        state = dynamics.update(state, eps, z_t, extra)

    ``state`` is whatever array the dynamics need (its last axis is the paths);
    the process never looks inside it.
    """

    #: Extra standard normals per path and step the dynamics need (``extra``);
    #: 0 means ``extra`` is None. Heston uses 1 (the variance's own noise).
    n_extra: int = 0

    @abstractmethod
    def start(self, n: int) -> np.ndarray:
        """The state of ``n`` paths before the first step (last axis of length ``n``)."""

    @abstractmethod
    def variance(self, state: np.ndarray) -> np.ndarray:
        """The conditional variance of the next step, shape ``(n,)``, per step (return units)."""

    @abstractmethod
    def update(
        self, state: np.ndarray, eps: np.ndarray, z: np.ndarray, extra: np.ndarray | None
    ) -> np.ndarray:
        """The state after a step.

        ``eps`` (n,) is the innovation fed back (``sqrt(s2) * z`` plus any scenario
        shock), ``z`` (n,) the standardised shock, ``extra`` (n,) the extra normal
        (None when ``n_extra == 0``).
        """

    def drift(self, s2: np.ndarray, state: Any = None) -> float | np.ndarray:
        """Mean correction of the step (a float or ``(n,)``), e.g. ``-s2 / 2``; default 0."""
        return 0.0

    def prepare(self, state: np.ndarray, extra: np.ndarray | None) -> np.ndarray:
        """Hook run before :meth:`variance` on every step; default returns ``state``."""
        return state


class JumpProcess(ABC):
    """Jumps added to the log return of each step."""

    @abstractmethod
    def draw(self, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        """The total log jump of each path-step, shape ``size`` (0 where none happens)."""


class RegimeProcess(ABC):
    """A market-wide regime chain shared by all assets.

    Attributes
    ----------
    multipliers : array (k,)
        Variance multiplier per state (> 0); the return's noise is scaled by
        ``sqrt(multipliers[state])``.
    means : array (k,)
        Mean log return added per state.
    stress_state : int
        The state in which a copula's stress correlation applies.
    """

    multipliers: np.ndarray
    means: np.ndarray
    stress_state: int

    @abstractmethod
    def simulate_states(self, rng: np.random.Generator, n_steps: int, n: int) -> np.ndarray:
        """Integer states of shape ``(n_steps, n)``, indexing ``multipliers`` and ``means``."""


class Copula(ABC):
    """The dependence between ``n_assets`` assets, as uniforms fed to each shock's ``ppf``.

    Attributes
    ----------
    n_assets : int
    stress_corr : array (n_assets, n_assets) or None
        Correlation used in the stress regime (None: no regime-driven change).
    """

    n_assets: int
    stress_corr: np.ndarray | None = None

    @abstractmethod
    def uniforms(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None = None,
        stress: np.ndarray | None = None,
    ) -> np.ndarray:
        """Uniforms of shape ``(*size, n_assets)``.

        ``w`` (shape ``size``, in [0, 1]) is the per path-step weight of the stress
        correlation ``stress`` (default :attr:`stress_corr`): 0 calm, 1 stressed.
        """


@dataclass
class Overlay:
    """Per-block scenario arrays applied inside the time loop (all optional).

    A scenario (see :mod:`edgecase.market.scenarios`) returns one from
    ``overlay(rng, n, n_steps, n_assets)``. Shapes are (n_steps, n) or
    (n_steps, n, n_assets).

    - ``additive``: log return added on each step; it is fed into the variance
      recursion, so a crash raises the volatility that follows (aftershocks).
    - ``vol_mult``: multiplies the conditional standard deviation of the output
      (values above 1 are not fed back, so the recursion cannot explode).
    - ``ar``: coefficient on the previous step's return (serial-correlation stress).
    - ``freeze``: True on no-trade steps; their returns accumulate and are
      released as one gap on the next trading step.
    - ``corr_weight`` / ``stress_corr``: copula push level in [0, 2] and its target
      matrix (see :meth:`~edgecase.market.GaussianCopula.uniforms`).
    """

    additive: np.ndarray | None = None
    vol_mult: np.ndarray | None = None
    ar: np.ndarray | None = None
    freeze: np.ndarray | None = None
    corr_weight: np.ndarray | None = None
    stress_corr: np.ndarray | None = None
    info: dict = field(default_factory=dict)
