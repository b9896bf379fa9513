"""Vectorised return processes composed from swappable parts, like arch's models.

A :class:`Process` is built from injected parts, the way arch composes a mean
model with a volatility process and a distribution. The interface of each kind
of part is written in :mod:`edgecase.market.process.base`; the built-ins are:

* **dynamics** (:mod:`~edgecase.market.process.dynamics`): :class:`ConstantVolatility`
  (GBM), :class:`GARCH` (GARCH(1,1), and GJR-GARCH through ``gamma``, also
  :class:`GJRGARCH`), :class:`EGARCH`, :class:`Heston`;
* **shocks** (:mod:`~edgecase.market.process.shocks`): :class:`Normal`,
  :class:`StudentT`, :class:`SkewT` (Hansen), :class:`Bootstrap` (standardised
  residuals: filtered historical simulation);
* **jumps** (:mod:`~edgecase.market.process.jumps`): ``None``, :class:`MertonJumps`,
  :class:`KouJumps`;
* **regimes** (:mod:`~edgecase.market.process.regimes`): ``None`` or
  :class:`MarkovSwitching` (k >= 2 states that scale the variance and shift the mean);
* **copula** (:mod:`~edgecase.market.process.copulas`) for several assets:
  :class:`GaussianCopula` or :class:`StudentTCopula`, each with an optional stress
  correlation used in the most volatile regime (a correlation jump in stress).

Parts of your own plug in the same way: subclass the base class, or provide its
abstract methods. All units are per step (one trading day): returns are daily log
returns, not percent. :func:`make_process` (:mod:`~edgecase.market.process.factory`)
is a string factory on top of these objects.

Every process simulates paths vectorised over paths, looping over time steps
only. Random numbers are drawn per block of ``BLOCK_SIZE`` paths from
:func:`edgecase._random.block_rngs`, so the same seed gives the same bytes
whatever the chunk size.
"""

from __future__ import annotations

from edgecase.market.process.base import (
    Copula,
    Dynamics,
    JumpProcess,
    Overlay,
    RegimeProcess,
    ShockDistribution,
    implements,
)
from edgecase.market.process.copulas import GaussianCopula, StudentTCopula, check_correlation
from edgecase.market.process.dynamics import EGARCH, GARCH, GJRGARCH, ConstantVolatility, Heston
from edgecase.market.process.factory import make_process
from edgecase.market.process.jumps import KouJumps, MertonJumps
from edgecase.market.process.process import CHUNK_PATHS, AssetParts, Draws, Process
from edgecase.market.process.regimes import MarkovSwitching, ParameterDrawChain
from edgecase.market.process.shocks import Bootstrap, Normal, SkewT, StudentT

__all__ = [
    "Dynamics",
    "ShockDistribution",
    "JumpProcess",
    "RegimeProcess",
    "Copula",
    "Overlay",
    "implements",
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
    "ParameterDrawChain",
    "GaussianCopula",
    "StudentTCopula",
    "check_correlation",
    "Process",
    "AssetParts",
    "CHUNK_PATHS",
    "Draws",
    "make_process",
]
