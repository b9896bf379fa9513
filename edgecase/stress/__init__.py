"""Where the model breaks: severity sweeps, breaking points, reverse stress, slices, backtests.

* :class:`StressHarness` / :class:`StressReport`: scenarios x severities x bootstrap.
* scenarios: the built-in fraud scenarios, :class:`FeatureShift` and :class:`Perturb`;
  :class:`TypologyScenario` (each fraud typology's severity) and :class:`MarketScenario`
  (black-swan paths through ``market.features``).
* :func:`breaking_severity`, :func:`minimal_breaking_example`: reverse stress.
* :func:`find_slices`: slices where recall (positives) or precision (alerts) collapses.
* :func:`var_backtest`: Kupiec, Christoffersen, Basel traffic light, ES tests.
"""

from __future__ import annotations

from edgecase.stress._metrics import Metric
from edgecase.stress._report import PrecisionWarning
from edgecase.stress.backtest import VarBacktest, var_backtest
from edgecase.stress.harness import StressHarness, StressReport
from edgecase.stress.market import MarketScenario, market_scenarios
from edgecase.stress.scenarios import (
    FRAUD_SCENARIOS,
    AccountTakeoverMix,
    AmountEvasion,
    BaseScenario,
    FeatureShift,
    LegitDrift,
    NewMerchantCategories,
    Perturb,
    Scenario,
    TimeShift,
    VelocityEvasion,
    fraud_scenarios,
    get_scenario,
)
from edgecase.stress.search import (
    BreakingExample,
    SeverityBreak,
    breaking_severity,
    minimal_breaking_example,
)
from edgecase.stress.slices import find_slices
from edgecase.stress.typology import TypologyScenario, typology_scenarios

__all__ = [
    "MarketScenario",
    "market_scenarios",
    "TypologyScenario",
    "typology_scenarios",
    "StressHarness",
    "StressReport",
    "PrecisionWarning",
    "Metric",
    "Scenario",
    "BaseScenario",
    "AmountEvasion",
    "VelocityEvasion",
    "NewMerchantCategories",
    "TimeShift",
    "AccountTakeoverMix",
    "LegitDrift",
    "FeatureShift",
    "Perturb",
    "FRAUD_SCENARIOS",
    "fraud_scenarios",
    "get_scenario",
    "breaking_severity",
    "SeverityBreak",
    "minimal_breaking_example",
    "BreakingExample",
    "find_slices",
    "var_backtest",
    "VarBacktest",
]
