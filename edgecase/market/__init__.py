"""Black-swan market paths: vectorised processes, calibrated scenarios, crisis replay, realism."""

from __future__ import annotations

from edgecase.market.calibrate import MarketCalibration, calibrate, fit_evt, fit_regimes
from edgecase.market.facts import Scorecard, realism_scorecard, stylized_facts
from edgecase.market.paths import Paths, log_returns
from edgecase.market.portfolio import Portfolio, PortfolioStress
from edgecase.market.process import (
    EGARCH,
    GARCH,
    GJRGARCH,
    Bootstrap,
    ConstantVolatility,
    GaussianCopula,
    Heston,
    KouJumps,
    MarkovSwitching,
    MertonJumps,
    Normal,
    Process,
    SkewT,
    StudentT,
    StudentTCopula,
    make_process,
)
from edgecase.market.regime_fit import RegimeFit, fit_regimes_mle
from edgecase.market.scenarios import CRISES, SCENARIOS, BlackSwanGenerator

__all__ = [
    "stylized_facts",
    "realism_scorecard",
    "Scorecard",
    "BlackSwanGenerator",
    "Portfolio",
    "PortfolioStress",
    "SCENARIOS",
    "CRISES",
    "MarketCalibration",
    "calibrate",
    "fit_evt",
    "fit_regimes",
    "fit_regimes_mle",
    "RegimeFit",
    "Paths",
    "log_returns",
    "Process",
    "make_process",
    "ConstantVolatility",
    "GARCH",
    "GJRGARCH",
    "EGARCH",
    "Heston",
    "Normal",
    "StudentT",
    "SkewT",
    "Bootstrap",
    "MertonJumps",
    "KouJumps",
    "MarkovSwitching",
    "GaussianCopula",
    "StudentTCopula",
]
