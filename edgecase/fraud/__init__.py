"""Tabular rare-event generation: a transaction simulator, fraud typologies,
constraint-aware oversamplers and a scenario generator for any labelled table.

The figures (``plot_synthetic``, ``plot_typologies``) load on first use, so that
importing the stage does not import matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from edgecase.fraud.generator import FraudScenarioGenerator
from edgecase.fraud.mutable import MUTABLE_COLUMNS
from edgecase.fraud.samplers import EdgeCaseOversampler
from edgecase.fraud.simulate import (
    COLUMNS,
    FEATURE_COLUMNS,
    simulate_transactions,
    split_features,
    transaction_schema,
)
from edgecase.fraud.typologies import TYPOLOGIES, Typology, get_typology

__all__ = [
    "COLUMNS",
    "EdgeCaseOversampler",
    "FEATURE_COLUMNS",
    "FraudScenarioGenerator",
    "MUTABLE_COLUMNS",
    "TYPOLOGIES",
    "Typology",
    "get_typology",
    "plot_synthetic",
    "plot_typologies",
    "simulate_transactions",
    "split_features",
    "transaction_schema",
]

_LAZY = {"plot_synthetic": "edgecase.fraud.plots", "plot_typologies": "edgecase.fraud.plots"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'edgecase.fraud' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
