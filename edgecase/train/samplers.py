"""Sampler names the trainer understands, resolved to fresh imblearn objects per fold.

``"none"`` and ``"scale_pos_weight"`` are not samplers: the first trains on the
fold as it is, the second reweights the positive class instead of adding rows.
``"edgecase"`` is imported lazily so that the trainer does not depend on the
fraud stage at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pandas as pd
from sklearn.base import clone

from edgecase._validate import check_choice
from edgecase.errors import InvalidParameterError, UnknownNameError

__all__ = [
    "SAMPLER_NAMES",
    "DEFAULT_COMPARE",
    "sampler_name",
    "make_sampler",
    "is_weighting",
    "categorical_columns",
    "check_sampler_fits_data",
]


def _imblearn(cls: str, **kw: Any) -> Callable[[list[str]], Any]:
    def build(categorical: list[str]) -> Any:
        module = importlib.import_module("imblearn.over_sampling")
        return getattr(module, cls)(**kw)

    return build


def _smotenc(categorical: list[str]) -> Any:
    from imblearn.over_sampling import SMOTENC

    if not categorical:
        raise InvalidParameterError(
            "sampler='smotenc' needs at least one categorical column in X "
            "(pandas 'category' dtype); use sampler='smote' for all-numeric data."
        )
    return SMOTENC(categorical_features=list(categorical))


def _edgecase_class() -> Any:
    try:
        return importlib.import_module("edgecase.fraud").EdgeCaseOversampler
    except (ImportError, AttributeError) as exc:
        raise UnknownNameError(
            "sampler='edgecase' needs edgecase.fraud.EdgeCaseOversampler, which could not be "
            f"imported ({exc}); pass another sampler name or an imblearn sampler object."
        ) from None


def _edgecase(categorical: list[str]) -> Any:
    return _edgecase_class()()


_FACTORIES: dict[str, Callable[[list[str]], Any] | None] = {
    "none": None,
    "scale_pos_weight": None,
    "random": _imblearn("RandomOverSampler"),
    "smote": _imblearn("SMOTE"),
    "borderline": _imblearn("BorderlineSMOTE"),
    "adasyn": _imblearn("ADASYN"),
    "smotenc": _smotenc,
    "edgecase": _edgecase,
}
#: Names accepted by ``Trainer(sampler=...)`` and ``compare(samplers=[...])``.
SAMPLER_NAMES: tuple[str, ...] = tuple(_FACTORIES)
#: ``compare``'s default list: the two baselines and the common oversamplers.
DEFAULT_COMPARE: tuple[str, ...] = (
    "none",
    "scale_pos_weight",
    "random",
    "smote",
    "borderline",
    "adasyn",
    "edgecase",
)
# These interpolate every column as a real number, so they cannot take category columns.
_NUMERIC_ONLY = {"smote", "borderline", "adasyn"}


def sampler_name(sampler: Any) -> str:
    """The registry name for a string, or the class name of a sampler object."""
    if sampler is None:
        return "none"
    if isinstance(sampler, str):
        return check_choice(sampler, "sampler", SAMPLER_NAMES)
    if not hasattr(sampler, "fit_resample"):
        raise InvalidParameterError(
            f"sampler must be None, one of {list(SAMPLER_NAMES)} or an object with "
            f"fit_resample(X, y) (an imbalanced-learn sampler); got {type(sampler).__name__}."
        )
    return type(sampler).__name__


def is_weighting(sampler: Any) -> bool:
    """True for ``"scale_pos_weight"``, which reweights positives instead of adding rows."""
    return isinstance(sampler, str) and sampler == "scale_pos_weight"


def categorical_columns(X: pd.DataFrame) -> list[str]:
    """Names of the pandas ``category`` columns of X, in column order."""
    return [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]


def check_sampler_fits_data(sampler: Any, categorical: list[str]) -> None:
    """Refuse, before any work, a sampler that cannot run on these columns or cannot load."""
    if not isinstance(sampler, str):
        return
    if sampler == "edgecase":
        _edgecase_class()
    if sampler == "smotenc":
        _smotenc(categorical)
    if sampler in _NUMERIC_ONLY and categorical:
        raise InvalidParameterError(
            f"sampler={sampler!r} interpolates every column as a number, but X has categorical "
            f"column(s) {categorical}; use sampler='smotenc', 'edgecase' or 'random', or encode "
            "the categories yourself."
        )


def make_sampler(sampler: Any, categorical: list[str], seed: int) -> Any | None:
    """A fresh sampler for one training fold (None when rows are not resampled)."""
    if sampler is None:
        return None
    if isinstance(sampler, str):
        factory = _FACTORIES[check_choice(sampler, "sampler", SAMPLER_NAMES)]
        if factory is None:
            return None
        obj = factory(categorical)
    else:
        obj = clone(sampler)
    if "random_state" in obj.get_params():
        obj.set_params(random_state=seed)
    return obj
