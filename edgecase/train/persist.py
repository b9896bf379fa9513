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

from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError
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
        # dropped at predict time too, so a frame laid out like the training one scores
        "dropped_columns": dict(getattr(trainer, "dropped_columns_", {}) or {}),
        "estimator": {
            "class": f"{type(est).__module__}.{type(est).__name__}",
            "params": _json_params(est.get_params()),
            "default": trainer.estimator is None,
        },
        "trainer": {
            "cv": trainer.cv if isinstance(trainer.cv, int) else repr(trainer.cv),
            "calibrate": trainer.calibrate,
            "leakage": trainer.leakage,
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
    versions = meta.get("versions", {})
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        raise _bad(meta_file, "versions", "an object of version strings", versions)
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


def _bad(meta_file: Path, field: str, expected: str, got: Any) -> InvalidInputError:
    shown = repr(got) if len(repr(got)) < 80 else repr(got)[:77] + "..."
    return InvalidInputError(
        f"{str(meta_file)!r}: field {field!r} must be {expected}; got {shown}. "
        "The file was changed or damaged after save(); save the Trainer again."
    )


def _need(meta: Any, key: str, kind: type | tuple[type, ...], where: str, f: Path) -> Any:
    if not isinstance(meta, dict) or key not in meta:
        raise _bad(f, where, "present", "nothing")
    v = meta[key]
    if not isinstance(v, kind) or (isinstance(v, bool) and bool not in np.atleast_1d(kind)):
        names = " or ".join(k.__name__ for k in np.atleast_1d(kind))
        raise _bad(f, where, f"of type {names}", v)
    return v


def _check_features(meta: dict[str, Any], f: Path) -> list[dict[str, Any]]:
    feats = _need(meta, "features", list, "features", f)
    if not feats:
        raise _bad(f, "features", "a non-empty list", feats)
    for i, spec in enumerate(feats):
        where = f"features[{i}]"
        _need(spec, "name", str, f"{where}.name", f)
        dtype = _need(spec, "dtype", str, f"{where}.dtype", f)
        if dtype == "category":
            cats = _need(spec, "categories", list, f"{where}.categories", f)
            if not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in cats):
                raise _bad(f, f"{where}.categories", "a list of text or integer levels", cats)
            if len(set(cats)) != len(cats):
                raise _bad(f, f"{where}.categories", "a list of distinct levels", cats)
            _need(spec, "ordered", bool, f"{where}.ordered", f)
        else:
            try:
                ok = pd.api.types.is_numeric_dtype(pd.api.types.pandas_dtype(dtype))
            except TypeError:
                ok = False
            if not ok:
                raise _bad(f, f"{where}.dtype", "'category' or a numeric dtype", dtype)
    names = [s["name"] for s in feats]
    if len(set(names)) != len(names):
        raise _bad(f, "features", "a list of distinctly named columns", names)
    return feats


def _check_dropped(meta: dict[str, Any], names: list[str], f: Path) -> dict[str, str]:
    """The leakage guard's dropped columns: text name -> text reason, none a feature.
    Files written before the guard have none."""
    dropped = meta.get("dropped_columns", {})
    if not isinstance(dropped, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in dropped.items()
    ):
        raise _bad(f, "dropped_columns", "an object of column name -> reason text", dropped)
    both = sorted(set(dropped) & set(names))
    if both:
        raise _bad(
            f, "dropped_columns", f"columns that are not features (also features: {both})", dropped
        )
    return dropped


def _check_scalars(meta: dict[str, Any], f: Path) -> None:
    thr = _need(meta, "threshold", (int, float), "threshold", f)
    if not (math.isfinite(thr) and 0.0 <= thr <= 1.0):
        raise _bad(f, "threshold", "a finite score in [0, 1]", thr)
    _need(meta, "threshold_policy", (str, int, float), "threshold_policy", f)
    sampler = meta.get("sampler")
    if sampler is not None and not isinstance(sampler, str):
        raise _bad(f, "sampler", "a sampler name or null", sampler)
    cal = meta.get("calibration")
    if cal is not None:
        kind = _need(cal, "kind", str, "calibration.kind", f)
        # "prior": the prior correction alone (its ratio is checked below)
        keys = {"isotonic": ("x", "y"), "sigmoid": ("a", "b"), "prior": ()}.get(kind)
        if keys is None:
            raise _bad(f, "calibration.kind", "'isotonic', 'sigmoid' or 'prior'", kind)
        ratio = cal.get("prior_ratio")
        if ratio is not None and not (
            isinstance(ratio, (int, float)) and not isinstance(ratio, bool)
            and math.isfinite(ratio) and ratio > 0
        ):  # fmt: skip
            raise _bad(f, "calibration.prior_ratio", "a finite number > 0", ratio)
        if kind == "prior" and ratio is None:
            raise _bad(f, "calibration.prior_ratio", "a finite number > 0", ratio)
        for k in keys:
            v = np.asarray(cal.get(k), dtype=object)
            try:
                ok = v.size > 0 and np.isfinite(v.astype(float)).all()
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise _bad(f, f"calibration.{k}", "finite numbers", cal.get(k))
    report = _need(meta, "cv_report", list, "cv_report", f)
    if not all(isinstance(r, dict) and isinstance(r.get("metric"), str) for r in report):
        raise _bad(f, "cv_report", "a list of rows each with a 'metric' name", report)
    trainer = meta.get("trainer", {})
    if not isinstance(trainer, dict):
        raise _bad(f, "trainer", "an object", trainer)
    rs = trainer.get("random_state")
    if rs is not None and (not isinstance(rs, int) or isinstance(rs, bool) or rs < 0):
        raise _bad(f, "trainer.random_state", "a non-negative integer or null", rs)


def _check_estimator(meta: dict[str, Any], f: Path) -> Any:
    """The saved estimator parameters, checked by XGBoost itself on a 4-row fit (with one
    tree), so a tampered value fails here, by name, not at the next refit."""
    from xgboost import XGBClassifier

    spec = _need(meta, "estimator", dict, "estimator", f)
    params = _need(spec, "params", dict, "estimator.params", f)
    _need(spec, "default", bool, "estimator.default", f)
    known = set(XGBClassifier().get_params())
    unknown = sorted(set(params) - known)
    if unknown:
        raise _bad(f, "estimator.params", f"XGBClassifier parameters (unknown: {unknown})", params)
    try:
        est = XGBClassifier(**params)
        probe = est.get_params() | {"n_estimators": 1, "n_jobs": 1, "early_stopping_rounds": None}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            XGBClassifier(**probe).fit(np.array([[0.0], [1.0], [0.0], [1.0]]), [0, 1, 0, 1])
    except Exception as exc:  # noqa: BLE001 - xgboost raises its own error types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _bad(
            f, "estimator.params", f"valid XGBClassifier parameters ({first})", params
        ) from None
    return est


def check_metadata(meta: dict[str, Any], meta_file: Path, model: Any) -> dict[str, Any]:
    """Every field :func:`load` reads, checked before it is trusted: a tampered or damaged
    ``metadata.json`` raises an InvalidInputError naming the field, never a raw error or
    a Trainer that silently flags nothing."""
    _check_scalars(meta, meta_file)
    feats = _check_features(meta, meta_file)
    # The parameters are checked even for the default estimator: a refit would use them.
    est = _check_estimator(meta, meta_file)
    if meta["estimator"]["default"]:
        est = None
    saved = model.get_booster().feature_names
    names = [s["name"] for s in feats]
    if saved is not None and list(saved) != names:
        raise _bad(meta_file, "features", f"the model's columns {list(saved)[:10]}", names)
    if saved is None and model.get_booster().num_features() != len(names):
        raise _bad(
            meta_file, "features", f"{model.get_booster().num_features()} columns", len(names)
        )
    return {"estimator": est, "dropped_columns": _check_dropped(meta, names, meta_file)}


def load(cls: type, path: str | Path) -> Any:
    """A ``cls`` (a Trainer) rebuilt from a folder written by :func:`save`."""
    src = Path(path)
    meta = _read_metadata(src)
    est = _read_model(src / MODEL_FILE, meta)
    checked = check_metadata(meta, src / META_FILE, est)
    trainer_meta = meta.get("trainer", {})
    sampler = meta["sampler"] if meta["sampler"] in SAMPLER_NAMES else None
    obj = cls(
        estimator=checked["estimator"],
        sampler=sampler,
        cv=trainer_meta.get("cv", 5) if isinstance(trainer_meta.get("cv"), int) else 5,
        threshold=meta["threshold_policy"],
        calibrate=trainer_meta.get("calibrate", False),
        leakage=trainer_meta.get("leakage", "drop"),
        random_state=trainer_meta.get("random_state"),
        progress=False,
    )
    try:
        obj._check_params()
    except EdgecaseError as exc:
        raise InvalidInputError(
            f"{str(src / META_FILE)!r}: the saved Trainer settings are invalid ({exc}). "
            "The file was changed or damaged after save(); save the Trainer again."
        ) from None
    obj.estimator_ = est
    obj.threshold_ = float(meta["threshold"])
    obj.threshold_policy_ = meta["threshold_policy"]
    obj.sampler_name_ = meta["sampler"]
    obj.calibration_ = meta["calibration"]
    obj._specs = meta["features"]
    obj.dropped_columns_ = checked["dropped_columns"]
    obj.feature_names_in_ = np.asarray([s["name"] for s in meta["features"]], dtype=object)
    obj.n_features_in_ = len(meta["features"])
    obj.classes_ = np.array([0, 1])
    try:
        obj.cv_report_ = pd.DataFrame(meta["cv_report"]).set_index("metric").astype(float)
    except (KeyError, ValueError, TypeError) as exc:
        raise _bad(src / META_FILE, "cv_report", "rows of numbers", str(exc)) from None
    obj._oof_y = None
    return obj
