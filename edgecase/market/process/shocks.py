"""Shock distributions: standardised (zero-mean, unit-variance) innovations.

Each follows :class:`~edgecase.market.process.base.ShockDistribution`: a
``sampler(rng)`` for one asset and a ``ppf(u)`` for copulas (several assets).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import integrate, special

from edgecase.errors import InvalidInputError
from edgecase.market.process._checks import real
from edgecase.market.process._polar_t import standard_t
from edgecase.market.process._scratch import PIECE, piece
from edgecase.market.process.base import Sampler, ShockDistribution

__all__ = ["Normal", "StudentT", "SkewT", "Bootstrap"]


class Normal(ShockDistribution):
    """Standard normal shocks.

    Examples
    --------
    >>> import numpy as np
    >>> Normal().sampler(np.random.default_rng(0))((2,)).shape
    (2,)
    """

    name = "normal"
    #: ppf is smooth: a tabulated map of it may be interpolated (see .margins)
    smooth_ppf = True

    def sampler(self, rng: np.random.Generator) -> Sampler:
        return lambda size: rng.standard_normal(size)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return special.ndtri(u)

    def left_second_moment(self) -> float:
        return 0.5

    def __repr__(self) -> str:
        return "Normal()"


class StudentT(ShockDistribution):
    """Student-t shocks scaled to unit variance (``nu > 2``).

    Examples
    --------
    >>> import numpy as np
    >>> z = StudentT(nu=5).sampler(np.random.default_rng(0))((200_000,))
    >>> round(float(z.std()), 1)
    1.0
    """

    name = "t"
    #: ppf is smooth: a tabulated map of it may be interpolated (see .margins)
    smooth_ppf = True

    def __init__(self, nu: float = 8.0) -> None:
        self.nu = real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        scale = np.sqrt((self.nu - 2.0) / self.nu)

        # Bailey's polar method (see ._polar_t): exact and cheaper than rng.standard_t,
        # whose stream it does not reproduce
        return lambda size: standard_t(rng, self.nu, size, scale)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return special.stdtrit(self.nu, u) * np.sqrt((self.nu - 2.0) / self.nu)

    def left_second_moment(self) -> float:
        return 0.5  # symmetric

    def __repr__(self) -> str:
        return f"StudentT(nu={self.nu:g})"


class SkewT(ShockDistribution):
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
    #: ppf is smooth: a tabulated map of it may be interpolated (see .margins)
    smooth_ppf = True

    def __init__(self, nu: float = 8.0, lam: float = 0.0) -> None:
        self.nu = real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)
        self.lam = real(lam, "lam", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False)
        nu, lam = self.nu, self.lam
        c = np.exp(special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)) / np.sqrt(
            np.pi * (nu - 2)
        )
        self._a = 4 * lam * c * (nu - 2) / (nu - 1)
        self._b = np.sqrt(1 + 3 * lam**2 - self._a**2)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        scale = np.sqrt((self.nu - 2.0) / self.nu)
        lam, a, b = self.lam, self._a, self._b
        side = np.array([1.0 + lam, -(1.0 - lam)])  # [right, left]

        def draw(size: tuple[int, ...]) -> np.ndarray:
            # (where(left, -(1 - lam), 1 + lam) * |t| * scale - a) / b, with 1 / b folded
            # into the t's scale
            t = standard_t(rng, self.nu, size, scale / b)
            _skew(rng, t.reshape(-1), side, (1.0 - lam) / 2.0, a / b)
            return t

        return draw

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        lam, scale = self.lam, np.sqrt((self.nu - 2.0) / self.nu)
        cut = (1.0 - lam) / 2.0
        q_left = (1 - lam) * special.stdtrit(self.nu, np.minimum(u, cut) / (1 - lam))
        q_right = (1 + lam) * special.stdtrit(self.nu, (np.maximum(u, cut) - cut) / (1 + lam) + 0.5)
        y = np.where(u < cut, q_left, q_right) * scale
        return (y - self._a) / self._b

    def pdf(self, z: np.ndarray) -> np.ndarray:
        """Hansen's density of the standardised skew-t."""
        z = np.asarray(z, dtype=float)
        nu, lam, a, b = self.nu, self.lam, self._a, self._b
        c = np.exp(special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)) / np.sqrt(
            np.pi * (nu - 2)
        )
        side = np.where(z < -a / b, 1.0 - lam, 1.0 + lam)
        return b * c * (1.0 + ((b * z + a) / side) ** 2 / (nu - 2)) ** (-(nu + 1) / 2)

    def left_second_moment(self) -> float:
        """``E[z**2 1(z < 0)]`` by quadrature of the density (split at its kink)."""
        kink = -self._a / self._b
        f = lambda x: x * x * float(self.pdf(x))  # noqa: E731
        if kink < 0.0:
            parts = [(-np.inf, kink), (kink, 0.0)]
        else:
            parts = [(-np.inf, 0.0)]
        return float(sum(integrate.quad(f, lo, hi, limit=200)[0] for lo, hi in parts))

    def __repr__(self) -> str:
        return f"SkewT(nu={self.nu:g}, lam={self.lam:g})"


def _skew(
    rng: np.random.Generator, t: np.ndarray, side: np.ndarray, p_left: float, shift: float
) -> None:
    """``t = side[u < p_left] * |t| - shift`` in place, one uniform ``u`` per value.

    Piece by piece in cache-resident buffers; the uniforms are drawn in order, so they
    are the stream's ``rng.random(t.size)``. The factor is a gather from the two sides,
    its index a bool cast to intp in a reused buffer (a fresh index array of the whole
    size page-faults and cost 4x the gather).
    """
    u, left, idx, f = (piece(n, d, min(t.size, PIECE)) for n, d in _SKEW_BUFS)
    for s in range(0, t.size, PIECE):
        x = t[s : s + PIECE]
        m = x.size
        np.abs(x, out=x)
        rng.random(out=u[:m])
        np.less(u[:m], p_left, out=left[:m])
        np.copyto(idx[:m], left[:m], casting="unsafe")
        side.take(idx[:m], out=f[:m])
        x *= f[:m]
        x -= shift


_SKEW_BUFS = (
    ("skew_u", np.float64),
    ("skew_left", np.bool_),
    ("skew_idx", np.intp),
    ("skew_f", np.float64),
)


class Bootstrap(ShockDistribution):
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

    def left_second_moment(self) -> float:
        r = self.residuals
        return float(np.mean(np.where(r < 0.0, r * r, 0.0)))

    def __repr__(self) -> str:
        return f"Bootstrap(n={self.residuals.size})"
