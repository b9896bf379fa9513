"""A model's positive-class scores, checked: one place for every stress tool that scores rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from edgecase.errors import EdgecaseError, InvalidInputError


def predict_scores(model: Any, X: pd.DataFrame, *, what: str = "X") -> np.ndarray:
    """Positive-class scores ``model.predict_proba(X)[:, 1]``, checked for shape and NaN."""
    try:
        proba = model.predict_proba(X)
    except EdgecaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a model failing on the data is a bad input
        raise InvalidInputError(
            f"model.predict_proba failed on {what}: {type(exc).__name__}: {exc}"
        ) from exc
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(X), 2):
        raise InvalidInputError(
            f"model.predict_proba({what}) must return shape ({len(X)}, 2) for a binary "
            f"classifier; got {proba.shape}."
        )
    scores = proba[:, 1]
    if not np.isfinite(scores).all():
        raise InvalidInputError(
            f"model.predict_proba({what}) returned {int((~np.isfinite(scores)).sum())} "
            "non-finite score(s)."
        )
    return scores
