"""Save and load a fitted Trainer as plain JSON: XGBoost's model file plus metadata.

No pickle: the model and everything needed to check and score new rows
(feature names, dtypes, category levels, threshold, calibration map,
versions) are plain JSON. :meth:`Trainer.save <edgecase.train.Trainer.save>`
and :meth:`Trainer.load <edgecase.train.Trainer.load>` call :func:`save` and
:func:`load`.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import platform
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.train.samplers import SAMPLER_NAMES

__all__ = ["save", "load", "column_spec", "FORMAT", "MODEL_FILE", "META_FILE"]

FORMAT = "edgecase.trainer/1"
MODEL_FILE = "model.json"
META_FILE = "metadata.json"


def column_spec(s: pd.Series) -> dict[str, Any]:
    """The saved description of one feature column: name, dtype, category levels."""
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        levels = dt.categories
        if not all(isinstance(v, (str, int, np.integer)) for v in levels):
            raise InvalidInputError(
                f"X column {s.name!r} has category levels of type "
                f"{type(levels[0]).__name__}; only text or integer levels can be saved and checked."
            )
        return {
            "name": s.name,
            "dtype": "category",
            "categories": [v if isinstance(v, str) else int(v) for v in levels],
            "ordered": bool(dt.ordered),
        }
    return {"name": s.name, "dtype": str(dt)}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("edgecase", "xgboost", "scikit-learn", "imbalanced-learn", "numpy", "pandas"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in params.items()
        if v is None
        or isinstance(v, (str, bool, int))
        or (isinstance(v, float) and math.isfinite(v))
    }


def _metadata(trainer: Any) -> dict[str, Any]:
    est = trainer.estimator_
    return {
        "format": FORMAT,
        "threshold": trainer.threshold_,
        "threshold_policy": trainer.threshold_policy_,
        "sampler": trainer.sampler_name_,
        "calibration": trainer.calibration_,
        "features": trainer._specs,
        "estimator": {
            "class": f"{type(est).__module__}.{type(est).__name__}",
            "params": _json_params(est.get_params()),
            "default": trainer.estimator is None,
        },
        "trainer": {
            "cv": trainer.cv if isinstance(trainer.cv, int) else repr(trainer.cv),
            "calibrate": trainer.calibrate,
            "random_state": trainer.random_state if isinstance(trainer.random_state, int) else None,
        },
        "cv_report": trainer.cv_report_.reset_index().to_dict(orient="records"),
        "versions": _versions(),
    }


def save(trainer: Any, path: str | Path) -> Path:
    """Write ``model.json`` (XGBoost's JSON format) and ``metadata.json`` into ``path``."""
    trainer._check_fitted()
    try:
        from xgboost import XGBModel
    except ImportError:  # pragma: no cover - xgboost is a dependency
        XGBModel = ()  # noqa: N806
    if not isinstance(trainer.estimator_, XGBModel):
        raise InvalidParameterError(
            f"save() writes XGBoost's JSON model format; the estimator is "
            f"{type(trainer.estimator_).__name__}. edgecase does not pickle models."
        )
    from edgecase._io import dumps

    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"path={str(out)!r} exists and is not a directory.")
    out.mkdir(parents=True, exist_ok=True)
    trainer.estimator_.save_model(out / MODEL_FILE)
    (out / META_FILE).write_text(dumps(_metadata(trainer), indent=2))
    return out


def _read_metadata(src: Path) -> dict[str, Any]:
    meta_file, model_file = src / META_FILE, src / MODEL_FILE
    if not meta_file.is_file() or not model_file.is_file():
        raise InvalidInputError(
            f"{str(src)!r} is not a saved Trainer: expected {META_FILE} and {MODEL_FILE} in it."
        )
    try:
        meta = json.loads(meta_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{str(meta_file)!r} is not valid JSON: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise InvalidInputError(
            f"{str(meta_file)!r} has format {meta.get('format') if isinstance(meta, dict) else None!r}; "
            f"expected {FORMAT!r}."
        )
    return meta


def _read_model(model_file: Path, meta: dict[str, Any]) -> Any:
    from xgboost import XGBClassifier

    saved_xgb = meta.get("versions", {}).get("xgboost", "")
    now_xgb = _versions().get("xgboost", "")
    if saved_xgb.split(".")[:1] != now_xgb.split(".")[:1]:
        # stacklevel points at the caller of Trainer.load
        warnings.warn(
            f"model saved with xgboost {saved_xgb}, loading with {now_xgb}.", stacklevel=4
        )
    est = XGBClassifier()
    try:
        est.load_model(model_file)
    except Exception as exc:  # noqa: BLE001 - xgboost raises its own error types
        raise InvalidInputError(f"{str(model_file)!r} could not be read: {exc}") from None
    return est


def load(cls: type, path: str | Path) -> Any:
    """A ``cls`` (a Trainer) rebuilt from a folder written by :func:`save`."""
    from xgboost import XGBClassifier

    src = Path(path)
    meta = _read_metadata(src)
    est = _read_model(src / MODEL_FILE, meta)
    trainer_meta = meta.get("trainer", {})
    estimator = None
    if not meta["estimator"].get("default", False):
        estimator = XGBClassifier(**meta["estimator"]["params"])
    sampler = meta["sampler"] if meta["sampler"] in SAMPLER_NAMES else None
    obj = cls(
        estimator=estimator,
        sampler=sampler,
        cv=trainer_meta.get("cv", 5) if isinstance(trainer_meta.get("cv"), int) else 5,
        threshold=meta["threshold_policy"],
        calibrate=trainer_meta.get("calibrate", False),
        random_state=trainer_meta.get("random_state"),
        progress=False,
    )
    obj.estimator_ = est
    obj.threshold_ = float(meta["threshold"])
    obj.threshold_policy_ = meta["threshold_policy"]
    obj.sampler_name_ = meta["sampler"]
    obj.calibration_ = meta["calibration"]
    obj._specs = meta["features"]
    obj.feature_names_in_ = np.asarray([s["name"] for s in meta["features"]], dtype=object)
    obj.n_features_in_ = len(meta["features"])
    obj.classes_ = np.array([0, 1])
    obj.cv_report_ = pd.DataFrame(meta["cv_report"]).set_index("metric").astype(float)
    obj._oof_y = None
    return obj
