"""Jump processes: Merton (normal log sizes) and Kou (double exponential).

Each follows :class:`~edgecase.market.process.base.JumpProcess`: Poisson jump
counts per step, log sizes added to the step's return.
"""

from __future__ import annotations

import numpy as np

from edgecase.market.process._checks import real
from edgecase.market.process.base import JumpProcess

__all__ = ["MertonJumps", "KouJumps"]


class MertonJumps(JumpProcess):
    """Merton jumps: Poisson(``intensity``) jumps per step with N(``mean``, ``std``^2) log sizes.

    Examples
    --------
    >>> import numpy as np
    >>> j = MertonJumps(intensity=0.5, mean=-0.02, std=0.01)
    >>> round(float(j.draw(np.random.default_rng(0), (100_000,)).mean()), 3)
    -0.01
    """

    def __init__(self, intensity: float = 0.01, mean: float = -0.03, std: float = 0.03) -> None:
        self.intensity = real(intensity, "intensity", low=0.0, high=5.0)
        self.mean = real(mean, "mean", low=-1.0, high=1.0)
        self.std = real(std, "std", low=0.0, high=1.0)

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


class KouJumps(JumpProcess):
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
        self.intensity = real(intensity, "intensity", low=0.0, high=5.0)
        self.p_up = real(p_up, "p_up", low=0.0, high=1.0)
        self.eta_up = real(eta_up, "eta_up", low=1.0, low_inclusive=False, high=1e6)
        self.eta_down = real(eta_down, "eta_down", low=0.0, low_inclusive=False, high=1e6)

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
