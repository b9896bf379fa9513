"""Tabular rare-event generation: a transaction simulator, fraud typologies,
constraint-aware oversamplers and a scenario generator for any labelled table."""

from edgecase.fraud.generator import FraudScenarioGenerator
from edgecase.fraud.plots import plot_synthetic, plot_typologies
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
    "TYPOLOGIES",
    "Typology",
    "get_typology",
    "plot_synthetic",
    "plot_typologies",
    "simulate_transactions",
    "split_features",
    "transaction_schema",
]
