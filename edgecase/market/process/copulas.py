"""Copulas tying several assets together, with an optional stress correlation.

Each follows :class:`~edgecase.market.process.base.Copula`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from edgecase.errors import InvalidParameterError
from edgecase.market.process._checks import as_float_array, real
from edgecase.market.process.base import Copula

__all__ = ["GaussianCopula", "StudentTCopula", "check_correlation"]


def check_correlation(corr: Any, name: str = "corr") -> np.ndarray:
    """A symmetric, unit-diagonal, positive semi-definite correlation matrix, or an error.

    Examples
    --------
    >>> check_correlation([[1, 0.5], [0.5, 1]]).shape
    (2, 2)
    """
    C = as_float_array(corr, name, ndim=2)
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


def _pushed(
    rng: np.random.Generator,
    z: np.ndarray,
    size: tuple[int, ...],
    push: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Mix normals ``z`` toward ``target`` correlation, then toward one common factor."""
    zt = rng.standard_normal(z.shape) @ _psd_sqrt(target).T
    common = rng.standard_normal((*size, 1))
    p = np.asarray(push, dtype=float)[..., None]
    a, q = np.clip(p, 0.0, 1.0), np.clip(p - 1.0, 0.0, 1.0)
    return np.sqrt(1.0 - q) * (np.sqrt(1.0 - a) * z + np.sqrt(a) * zt) + np.sqrt(q) * common


def push_latent(
    rng: np.random.Generator, z: np.ndarray, push: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """:func:`_pushed` for the rows ``z`` (m, d) of the path-steps with ``push`` (m,) > 0.

    The mixing normals come from ``rng`` (a scenario's own stream) and only for these
    rows, so the base draws, and every path-step outside the push, stay those of the
    base process.
    """
    size = push.shape
    return _pushed(rng, z, size, push, target)


class GaussianCopula(Copula):
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
        push: np.ndarray | None = None,
        target: np.ndarray | None = None,
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
        if push is not None:
            z = _pushed(rng, z, size, push, target if target is not None else np.ones((d, d)))
        return z

    def uniforms(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None = None,
        stress: np.ndarray | None = None,
        *,
        push: np.ndarray | None = None,
        target: np.ndarray | None = None,
    ) -> np.ndarray:
        """Uniforms of shape (*size, n_assets) with this copula's dependence.

        ``push`` (shape ``size``, in [0, 2]) moves each path-step's correlation ``B``
        (calm, or stressed by ``w``) toward ``target``: ``(1 - p) B + p target`` for
        ``p <= 1``, then ``(1 - q) target + q`` (perfect correlation) with ``q = p - 1``.
        With ``target >= B`` entrywise every correlation rises monotonically in ``p``.
        """
        return self.latent_cdf(self.latent(rng, size, w, stress, push=push, target=target))

    def latent(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None = None,
        stress: np.ndarray | None = None,
        *,
        push: np.ndarray | None = None,
        target: np.ndarray | None = None,
    ) -> np.ndarray:
        """The latent variables whose :meth:`latent_cdf` are :meth:`uniforms` (same draws)."""
        return self._normals(rng, size, w, stress, push, target)

    def latent_parts(
        self,
        rng: np.random.Generator,
        size: tuple[int, ...],
        w: np.ndarray | None = None,
        stress: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``(z, scale)``: correlated normals and the divisor making them latent (None: 1).

        The same draws as :meth:`latent` without a push, which is ``z / scale``.
        """
        return self._normals(rng, size, w, stress), None

    #: Identifies the latent marginal (tables of ``ppf(latent_cdf(x))`` are shared by it).
    latent_key: tuple = ("normal",)

    def latent_cdf(self, x: np.ndarray) -> np.ndarray:
        """The marginal cdf of every latent variable."""
        return special.ndtr(x)

    def latent_ppf(self, u: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`latent_cdf`."""
        return special.ndtri(u)

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
        self.nu = real(nu, "nu", low=2.0, low_inclusive=False, high=1e6)

    def latent(self, rng, size, w=None, stress=None, *, push=None, target=None):
        z = self._normals(rng, size, w, stress, push, target)
        g = rng.standard_gamma(self.nu / 2.0, size)[..., None] / (self.nu / 2.0)
        return z / np.sqrt(g)

    def latent_parts(self, rng, size, w=None, stress=None):
        z = self._normals(rng, size, w, stress)
        g = rng.standard_gamma(self.nu / 2.0, size)[..., None] / (self.nu / 2.0)
        return z, np.sqrt(g)

    @property
    def latent_key(self) -> tuple:
        return ("t", self.nu)

    def latent_cdf(self, x: np.ndarray) -> np.ndarray:
        return special.stdtr(self.nu, x)

    def latent_ppf(self, u: np.ndarray) -> np.ndarray:
        return special.stdtrit(self.nu, u)

    def __repr__(self) -> str:
        return f"StudentTCopula(n_assets={self.n_assets}, nu={self.nu:g})"
