"""Monotone maps from raw scores to probabilities, fitted on out-of-fold scores.

This is ``CalibratedClassifierCV(ensemble=False)`` without a second round of
cross-validation: the folds the trainer already ran provide the held-out
scores. A map is stored as plain numbers so that it round-trips through JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgecase.errors import InvalidParameterError
from edgecase.train.priors import correct_prior

__all__ = ["check_calibrate", "fit_calibration", "apply_calibration"]

# Isotonic maps are flat in places, which would tie rows the raw scores tell apart
# and make rank budgets ("alert_rate=0.01") unreachable. A 1e-6 share of the raw
# score keeps the raw ranking; probabilities move by at most 1e-6.
_ISO_TIEBREAK = 1e-6


def check_calibrate(calibrate: Any) -> str | None:
    """``None`` (no map), ``"isotonic"`` or ``"sigmoid"`` from the ``calibrate`` parameter."""
    if calibrate is False or calibrate is None:
        return None
    if calibrate is True:
        return "isotonic"
    if isinstance(calibrate, str) and calibrate in ("isotonic", "sigmoid"):
        return calibrate
    raise InvalidParameterError(
        f"calibrate={calibrate!r} is not valid; expected False, True (isotonic), "
        "'isotonic' or 'sigmoid'."
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def fit_calibration(kind: str | None, scores: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    """Fit the ``kind`` map on (out-of-fold) ``scores``; ``None`` when ``kind`` is None."""
    if kind is None:
        return None
    if kind == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)
        return {
            "kind": "isotonic",
            "x": iso.X_thresholds_.tolist(),
            "y": iso.y_thresholds_.tolist(),
        }
    from sklearn.linear_model import LogisticRegression

    z = _logit(scores)[:, None]
    lr = LogisticRegression(C=1e6).fit(z, y)
    return {"kind": "sigmoid", "a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}


def apply_calibration(cal: dict[str, Any] | None, scores: np.ndarray) -> np.ndarray:
    """Map raw scores through a map from :func:`fit_calibration` (identity for ``None``).

    A ``prior_ratio`` entry (the Trainer's prior correction) is applied first;
    kind ``"prior"`` is that correction alone.
    """
    if cal is None:
        return scores
    if cal.get("prior_ratio") is not None:
        scores = correct_prior(scores, float(cal["prior_ratio"]))
    if cal["kind"] == "prior":
        return scores
    if cal["kind"] == "isotonic":
        iso = np.interp(scores, np.asarray(cal["x"]), np.asarray(cal["y"]))
        return (1.0 - _ISO_TIEBREAK) * iso + _ISO_TIEBREAK * scores
    return 1.0 / (1.0 + np.exp(-(cal["a"] * _logit(scores) + cal["b"])))
