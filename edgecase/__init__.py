"""edgecase: rare events and edge cases.

Generate realistic variations of rare fraud rows and black-swan market paths,
train on them without leaking test rows, and measure where a model breaks.

Submodules load on first use (``edgecase.fraud``, ``edgecase.market``,
``edgecase.stress`` ...), so ``import edgecase`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from edgecase import errors
from edgecase.errors import EdgecaseError

__version__ = "0.1.0"

_SUBMODULES = {
    "datasets",
    "errors",
    "schema",
    "fraud",
    "market",
    "train",
    "stress",
    "quality",
    "strategies",
    "parallel",
    "plot",
    "report",
    "cli",
    "demo",
}

__all__ = ["EdgecaseError", "errors", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"edgecase.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'edgecase' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
