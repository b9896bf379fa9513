"""Leak-free training on rare events: resampling inside folds, threshold policies, honest baselines.

:class:`Trainer` cross-validates a classifier (by default an XGBoost model with
imbalance-aware settings), resampling **only the training part of each fold**
(imbalanced-learn ``Pipeline`` semantics: oversampling never sees a test row),
picks the decision threshold on the out-of-fold scores with a policy such as
``"alert_rate=0.01"`` or ``"precision>=0.8"``, then refits on all rows.
:func:`compare` runs the same folds for several samplers and reports whether
any of them beats the plain model or ``scale_pos_weight`` by more than noise
(Nadeau-Bengio corrected resampled t-test).

Examples
--------
>>> from xgboost import XGBClassifier
>>> from edgecase.datasets import load_keel
>>> X, y = load_keel("yeast4")
>>> small = XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1)
>>> tr = Trainer(estimator=small, sampler="smote", cv=3, threshold="alert_rate=0.05",
...              random_state=0, progress=False).fit(X, y)
>>> round(float(tr.cv_report_.loc["alert_rate", "oof"]), 2)
0.05
>>> tr.predict(X.head(3)).tolist()
[0, 0, 0]
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import numbers
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from tqdm.auto import tqdm

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._thresholds import parse_policy, select_threshold
from edgecase._train_samplers import (
    DEFAULT_COMPARE,
    SAMPLER_NAMES,
    categorical_columns,
    check_sampler_fits_data,
    is_weighting,
    make_sampler,
    sampler_name,
)
from edgecase._validate import as_frame, check_finite, check_numeric_columns, check_X_y
from edgecase.errors import (
    EdgecaseError,
    InvalidInputError,
    InvalidParameterError,
    NotFittedError,
)

__all__ = [
    "Trainer",
    "compare",
    "ComparisonResult",
    "default_estimator",
    "nadeau_bengio",
    "SAMPLER_NAMES",
    "DEFAULT_COMPARE",
]

_FORMAT = "edgecase.trainer/1"
_MODEL_FILE = "model.json"
_META_FILE = "metadata.json"
_REPORT_METRICS = ("pr_auc", "roc_auc", "precision", "recall", "f1", "alert_rate", "brier")


def default_estimator(random_state: int | None = None) -> Any:
    """The default model: gradient-boosted trees tuned for rare positives.

    ``max_delta_step=1`` caps each leaf's log-odds update, which XGBoost's docs
    recommend for logistic loss on very unbalanced classes; shallow trees with
    row/column subsampling keep variance low when positives number in the tens.
    ``enable_categorical`` lets pandas ``category`` columns in as they are.
    Class weighting is deliberately *not* on by default: it is one of the
    choices :func:`compare` measures (``"scale_pos_weight"``).

    Examples
    --------
    >>> default_estimator(0).get_params()["tree_method"]
    'hist'
    """
    from xgboost import XGBClassifier

    return XGBClassifier(
        n_estimators=200,
        learning_rate=0.1,
        max_depth=4,
        min_child_weight=1.0,
        subsample=0.8,
        colsample_bytree=0.8,
        max_delta_step=1.0,
        tree_method="hist",
        enable_categorical=True,
        max_cat_to_onehot=8,
        eval_metric="aucpr",
        n_jobs=2,
        random_state=random_state,
    )


# ---------------------------------------------------------------- parameters and splits


def _check_calibrate(calibrate: Any) -> str | None:
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


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise InvalidParameterError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)


def _seed_ints(ss: np.random.SeedSequence, n: int) -> list[int]:
    """n independent 31-bit seeds for libraries that take an int (XGBoost, imblearn)."""
    return [int(s.generate_state(1, dtype=np.uint32)[0] >> 1) for s in ss.spawn(n)]


def _make_splits(
    cv: Any, X: pd.DataFrame, y: np.ndarray, groups: Any, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    n_pos = int(y.sum())
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        k = _check_int(cv, "cv", 2)
        if n_pos < k or len(y) - n_pos < k:
            raise InvalidInputError(
                f"cv={k} needs at least {k} rows of each class, but y has {n_pos} positive and "
                f"{len(y) - n_pos} negative row(s): some fold's test part would hold a single "
                "class; lower cv."
            )
        if groups is not None:
            splitter: Any = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        else:
            splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            # sklearn only warns about folds too thin for stratification; we refuse them.
            warnings.filterwarnings("error", category=UserWarning)
            try:
                return list(splitter.split(X, y, groups))
            except (UserWarning, ValueError) as exc:
                raise InvalidInputError(f"cv={k} cannot split these rows: {exc}") from None
    if hasattr(cv, "split") and not isinstance(cv, (str, bytes)):
        try:
            return [(np.asarray(a), np.asarray(b)) for a, b in cv.split(X, y, groups)]
        except ValueError as exc:
            raise InvalidInputError(f"cv={cv!r} could not split X: {exc}") from None
    if isinstance(cv, (list, tuple)) and cv:
        try:
            return [(np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)) for a, b in cv]
        except (TypeError, ValueError):
            pass
    raise InvalidParameterError(
        "cv must be an integer >= 2, a splitter with .split(X, y, groups) or a list of "
        f"(train_indices, test_indices) pairs; got {cv!r}."
    )


def _check_splits(splits: list[tuple[np.ndarray, np.ndarray]], y: np.ndarray) -> np.ndarray:
    """Every fold must train and test on both classes; a row is tested at most once.

    Returns the fold number of each row (-1 for rows no fold tests).
    """
    n = len(y)
    fold_of = np.full(n, -1, dtype=np.int64)
    if len(splits) < 2:
        raise InvalidParameterError(f"cv must give at least 2 folds; got {len(splits)}.")
    for k, (tr, te) in enumerate(splits):
        where = f"fold {k} (of {len(splits)})"
        for part, idx in (("training", tr), ("test", te)):
            if idx.ndim != 1 or len(idx) == 0:
                raise InvalidInputError(f"{where}: the {part} part is empty.")
            if idx.min() < 0 or idx.max() >= n:
                raise InvalidInputError(f"{where}: {part} indices fall outside 0..{n - 1}.")
            classes = np.unique(y[idx])
            if len(classes) < 2:
                raise InvalidInputError(
                    f"{where}: the {part} part has only class {int(classes[0])} "
                    f"({len(idx)} rows); each fold needs positive and negative rows "
                    "(use fewer folds or stratified splits)."
                )
        if np.intersect1d(tr, te).size:
            raise InvalidInputError(f"{where}: some rows are in both its training and test part.")
        if (fold_of[te] >= 0).any():
            raise InvalidInputError(
                f"{where} tests rows an earlier fold already tested; each row may be out-of-fold "
                "once (for repeated splits use compare(..., repeats=...))."
            )
        fold_of[te] = k
    return fold_of


# ---------------------------------------------------------------- one fit


def _fit_one(
    estimator: Any,
    sampler: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    categorical: list[str],
    seeds: tuple[int, int],
    where: str,
) -> tuple[Any, int]:
    """Resample (X, y) if asked, fit a fresh estimator; return it and the rows it saw."""
    est = default_estimator(seeds[0]) if estimator is None else clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=seeds[0])
    fit_kw: dict[str, Any] = {}
    n_pos = int(y.sum())
    if is_weighting(sampler):
        # The weight comes from this training fold only, never from the whole data set.
        weight = (len(y) - n_pos) / n_pos
        if "scale_pos_weight" in est.get_params():
            est.set_params(scale_pos_weight=weight)
        else:
            fit_kw["sample_weight"] = np.where(y == 1, weight, 1.0)
        Xr, yr = X, y
    else:
        obj = make_sampler(sampler, categorical, seeds[1])
        if obj is None:
            Xr, yr = X, y
        else:
            try:
                Xr, yr = obj.fit_resample(X, y)
            except EdgecaseError:
                raise
            except (ValueError, RuntimeError, TypeError) as exc:
                raise InvalidInputError(
                    f"sampler {sampler_name(sampler)!r} failed on {where} "
                    f"({n_pos} positive of {len(y)} rows): {exc}"
                ) from exc
            yr = np.asarray(yr)
    try:
        est.fit(Xr, yr, **fit_kw)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            f"estimator {type(est).__name__} could not be fitted on {where}: {exc}"
        ) from exc
    return est, len(yr)


def _positive_scores(est: Any, X: pd.DataFrame) -> np.ndarray:
    proba = np.asarray(est.predict_proba(X), dtype=float)
    return proba[:, 1]


# ---------------------------------------------------------------- calibration


def _fit_calibration(kind: str | None, scores: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    """A monotone map from raw scores to probabilities, fitted on out-of-fold scores.

    This is ``CalibratedClassifierCV(ensemble=False)`` without a second round of
    cross-validation: the folds we already ran provide the held-out scores. The
    map is stored as plain numbers so that it round-trips through JSON.
    """
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


_ISO_TIEBREAK = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _apply_calibration(cal: dict[str, Any] | None, scores: np.ndarray) -> np.ndarray:
    if cal is None:
        return scores
    if cal["kind"] == "isotonic":
        iso = np.interp(scores, np.asarray(cal["x"]), np.asarray(cal["y"]))
        # Isotonic maps are flat in places, which would tie rows the raw scores tell apart
        # and make rank budgets ("alert_rate=0.01") unreachable. A 1e-6 share of the raw
        # score keeps the raw ranking; probabilities move by at most 1e-6.
        return (1.0 - _ISO_TIEBREAK) * iso + _ISO_TIEBREAK * scores
    return 1.0 / (1.0 + np.exp(-(cal["a"] * _logit(scores) + cal["b"])))


# ---------------------------------------------------------------- metrics


def _metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, float]:
    flag = s >= threshold
    tp = int(np.sum(flag & (y == 1)))
    n_flag = int(flag.sum())
    n_pos = int(y.sum())
    precision = tp / n_flag if n_flag else math.nan  # undefined, not 0: nothing was flagged
    recall = tp / n_pos
    f1 = 2 * tp / (n_flag + n_pos)
    return {
        "pr_auc": float(average_precision_score(y, s)),
        "roc_auc": float(roc_auc_score(y, s)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "alert_rate": n_flag / len(y),
        "brier": float(brier_score_loss(y, s)),
    }


# ---------------------------------------------------------------- schema of the features


def _column_spec(s: pd.Series) -> dict[str, Any]:
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


def _prepare_fit_X(X: Any, y: Any, groups: Any) -> tuple[pd.DataFrame, np.ndarray]:
    Xdf, yv = check_X_y(X, y)
    if any(not isinstance(c, str) for c in Xdf.columns):
        # XGBoost and the saved metadata need text names; integer names become "0", "1", ...
        Xdf = Xdf.set_axis([str(c) for c in Xdf.columns], axis=1)
        if Xdf.columns.duplicated().any():
            raise InvalidInputError("X column names must stay unique as text.")
    # Positional indexing below (and in samplers) must not depend on the caller's index.
    Xdf = Xdf.reset_index(drop=True)
    if groups is not None:
        g = pd.Series(np.asarray(groups).ravel() if np.ndim(groups) else [groups])
        if np.ndim(groups) != 1 or len(g) != len(yv):
            raise InvalidInputError(
                f"groups must be 1-D with one label per row of X ({len(yv)}); "
                f"got shape {np.shape(groups)}."
            )
        if g.isna().any():
            raise InvalidInputError(f"groups has {int(g.isna().sum())} missing label(s).")
    return Xdf, yv


# ---------------------------------------------------------------- the trainer


class Trainer(ClassifierMixin, BaseEstimator):
    """Cross-validated, leak-free training with a threshold chosen on out-of-fold scores.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, optional
        Cloned for every fold and for the final refit. Default
        :func:`default_estimator` (XGBoost, ``hist``, categorical support).
    sampler : str or imblearn sampler, optional
        One of ``"none"``, ``"scale_pos_weight"`` (reweight positives by the
        training fold's negative/positive ratio), ``"random"``, ``"smote"``,
        ``"borderline"``, ``"adasyn"``, ``"smotenc"``, ``"edgecase"``
        (:class:`edgecase.fraud.EdgeCaseOversampler`), or any object with
        ``fit_resample``. Resampling runs on training folds only.
    cv : int, splitter or list of (train, test) index pairs, default 5
        An int gives stratified shuffled folds (grouped when ``fit`` gets ``groups``).
    threshold : str, dict or float, default "f1"
        Policy applied to the out-of-fold scores: ``"f1"``, ``"fbeta=B"``,
        ``"precision>=P"``, ``"recall>=R"``, ``"alert_rate=A"``, ``"cost=FN:FP"``
        (or ``{"fn": ..., "fp": ...}``), or a fixed threshold in (0, 1).
    calibrate : bool or {"isotonic", "sigmoid"}, default False
        Map scores to probabilities with a monotone map fitted on out-of-fold scores.
    random_state : None, int or numpy Generator
        Seeds the folds, the samplers and the estimator.
    progress : bool, default True
        Show a tqdm bar over folds.

    Attributes
    ----------
    estimator_ : the model refitted on all rows.
    threshold_ : float, rows with ``predict_proba(X)[:, 1] >= threshold_`` are flagged.
    cv_report_ : DataFrame, metrics (PR-AUC, ROC-AUC, precision, recall, F1, alert rate,
        Brier) at ``threshold_``: pooled out-of-fold (``oof``) and fold mean/sd/min/max.
    cv_folds_ : DataFrame, the same metrics per fold.
    oof_scores_ : ndarray, out-of-fold score of each training row (NaN if no fold tested it).
    oof_fold_ : ndarray, the fold that tested each row (-1 if none).
    feature_names_in_, n_features_in_, classes_, sampler_name_, threshold_policy_.

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("abalone19")  # the 'Sex' column is a pandas category
    >>> tr = Trainer(estimator=XGBClassifier(n_estimators=20, enable_categorical=True, n_jobs=1),
    ...              sampler="scale_pos_weight", cv=3, threshold="recall>=0.5",
    ...              random_state=0, progress=False).fit(X, y)
    >>> bool(tr.cv_report_.loc["recall", "oof"] >= 0.5)
    True
    """

    def __init__(
        self,
        *,
        estimator: Any = None,
        sampler: Any = None,
        cv: Any = 5,
        threshold: Any = "f1",
        calibrate: bool | str = False,
        random_state: RandomStateLike = None,
        progress: bool = True,
    ) -> None:
        self.estimator = estimator
        self.sampler = sampler
        self.cv = cv
        self.threshold = threshold
        self.calibrate = calibrate
        self.random_state = random_state
        self.progress = progress

    # -- fitting

    def fit(self, X: Any, y: Any, *, groups: Any = None) -> Trainer:
        """Cross-validate, choose the threshold on out-of-fold scores, refit on all rows.

        ``groups`` (e.g. account ids) keeps each group in one fold, so rows of one
        account never sit on both sides of a split.
        """
        policy = parse_policy(self.threshold)
        name = sampler_name(self.sampler)
        cal_kind = _check_calibrate(self.calibrate)
        if not isinstance(self.progress, bool):
            raise InvalidParameterError(f"progress must be True or False; got {self.progress!r}.")
        if self.estimator is not None and not hasattr(self.estimator, "predict_proba"):
            raise InvalidParameterError(
                f"estimator must have predict_proba; {type(self.estimator).__name__} has not."
            )
        Xdf, yv = _prepare_fit_X(X, y, groups)
        categorical = categorical_columns(Xdf)
        check_sampler_fits_data(self.sampler, categorical)
        specs = [_column_spec(Xdf[c]) for c in Xdf.columns]

        split_ss, fold_ss, final_ss = as_seed_sequence(self.random_state).spawn(3)
        splits = _make_splits(self.cv, Xdf, yv, groups, _seed_ints(split_ss, 1)[0])
        fold_of = _check_splits(splits, yv)
        seeds = _seed_ints(fold_ss, 2 * len(splits))

        oof = np.full(len(yv), np.nan)
        for k, (tr, te) in enumerate(
            tqdm(splits, desc=f"Trainer[{name}] folds", disable=not self.progress, leave=False)
        ):
            est, _ = _fit_one(
                self.estimator,
                self.sampler,
                Xdf.iloc[tr],
                yv[tr],
                categorical,
                (seeds[2 * k], seeds[2 * k + 1]),
                f"fold {k} (of {len(splits)})",
            )
            oof[te] = _positive_scores(est, Xdf.iloc[te])

        tested = fold_of >= 0
        calibration = _fit_calibration(cal_kind, oof[tested], yv[tested])
        scores = np.where(tested, _apply_calibration(calibration, np.nan_to_num(oof)), np.nan)
        threshold = select_threshold(policy, yv[tested], scores[tested])

        folds = pd.DataFrame(
            [_metrics(yv[te], scores[te], threshold) for _, te in splits],
            index=pd.RangeIndex(len(splits), name="fold"),
        )
        pooled = _metrics(yv[tested], scores[tested], threshold)
        report = pd.DataFrame(
            {
                "oof": pd.Series(pooled),
                "mean": folds.mean(),
                "sd": folds.std(ddof=1),
                "min": folds.min(),
                "max": folds.max(),
            }
        ).loc[list(_REPORT_METRICS)]
        report.index.name = "metric"

        final_seeds = _seed_ints(final_ss, 2)
        self.estimator_, _ = _fit_one(
            self.estimator,
            self.sampler,
            Xdf,
            yv,
            categorical,
            (final_seeds[0], final_seeds[1]),
            "all rows (final refit)",
        )
        self.threshold_ = float(threshold)
        self.threshold_policy_ = policy.text
        self.cv_report_ = report
        self.cv_folds_ = folds
        self.oof_scores_ = scores
        self.oof_fold_ = fold_of
        self._oof_y = yv
        self.calibration_ = calibration
        self.sampler_name_ = name
        self.feature_names_in_ = np.asarray(Xdf.columns, dtype=object)
        self.n_features_in_ = Xdf.shape[1]
        self._specs = specs
        self.classes_ = np.array([0, 1])
        return self

    def set_threshold(self, threshold: Any) -> Trainer:
        """Re-pick ``threshold_`` with another policy on the stored out-of-fold scores (no refit).

        Examples
        --------
        >>> from xgboost import XGBClassifier
        >>> from edgecase.datasets import load_keel
        >>> X, y = load_keel("yeast4")
        >>> tr = Trainer(estimator=XGBClassifier(n_estimators=10, n_jobs=1), cv=3,
        ...              random_state=1, progress=False).fit(X, y)
        >>> tr.set_threshold("alert_rate=0.1").threshold_policy_
        'alert_rate=0.1'
        """
        self._check_fitted()
        policy = parse_policy(threshold)
        if getattr(self, "_oof_y", None) is None:
            if policy.kind != "fixed":
                raise NotFittedError(
                    "this Trainer was loaded from disk without its out-of-fold scores; only a "
                    "fixed threshold (a float) can be set; refit to use a policy."
                )
            self.threshold_ = float(policy.a)
        else:
            tested = ~np.isnan(self.oof_scores_)
            self.threshold_ = select_threshold(
                policy, self._oof_y[tested], self.oof_scores_[tested]
            )
        self.threshold = threshold
        self.threshold_policy_ = policy.text
        return self

    # -- prediction

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError("this Trainer is not fitted yet; call fit(X, y) first.")

    def _prepare_X(self, X: Any) -> pd.DataFrame:
        names = list(self.feature_names_in_)
        if isinstance(X, pd.DataFrame):
            Xdf = as_frame(X)
            Xdf = Xdf.set_axis([str(c) for c in Xdf.columns], axis=1)
            missing = [c for c in names if c not in Xdf.columns]
            extra = [c for c in Xdf.columns if c not in names]
            if missing or extra:
                raise InvalidInputError(
                    f"X columns do not match the fitted features: missing {missing}, "
                    f"unexpected {extra}."
                )
            Xdf = Xdf[names]
        else:
            Xdf = as_frame(X)
            if Xdf.shape[1] != len(names):
                raise InvalidInputError(
                    f"X has {Xdf.shape[1]} columns; the model was fitted on {len(names)}: {names}."
                )
            Xdf = Xdf.set_axis(names, axis=1)
        Xdf = Xdf.reset_index(drop=True)
        cats = {s["name"]: s for s in self._specs if s["dtype"] == "category"}
        check_numeric_columns(Xdf.drop(columns=list(cats)), name="X")
        check_finite(Xdf, name="X")
        fixed = {}
        for col, spec in cats.items():
            s = Xdf[col]
            if not (
                isinstance(s.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(s.dtype)
                or pd.api.types.is_object_dtype(s.dtype)
                or pd.api.types.is_integer_dtype(s.dtype)
            ):
                raise InvalidInputError(
                    f"X column {col!r} has dtype {s.dtype}; it was a category at fit time."
                )
            values = s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
            unseen = pd.unique(values[~values.isin(spec["categories"])])
            if len(unseen):
                raise InvalidInputError(
                    f"X column {col!r} has level(s) {list(unseen)[:5]} not seen at fit time "
                    f"(known: {spec['categories']}); the model cannot score them."
                )
            fixed[col] = pd.Categorical(
                values, categories=spec["categories"], ordered=spec["ordered"]
            )
        if fixed:
            Xdf = Xdf.assign(**fixed)
        return Xdf

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of classes 0 and 1, shape (n, 2) (calibrated if ``calibrate``)."""
        self._check_fitted()
        s = _apply_calibration(
            self.calibration_, _positive_scores(self.estimator_, self._prepare_X(X))
        )
        return np.column_stack([1.0 - s, s])

    def decision_function(self, X: Any) -> np.ndarray:
        """The positive-class score compared with ``threshold_``."""
        return self.predict_proba(X)[:, 1]

    def predict(self, X: Any) -> np.ndarray:
        """0/1 labels: 1 where the positive score is at least ``threshold_``."""
        return (self.predict_proba(X)[:, 1] >= self.threshold_).astype(np.int8)

    # -- persistence

    def save(self, path: str | Path) -> Path:
        """Write ``model.json`` (XGBoost's JSON format) and ``metadata.json`` into ``path``.

        No pickle: the model and everything needed to check and score new rows
        (feature names, dtypes, category levels, threshold, calibration map,
        versions) are plain JSON.
        """
        self._check_fitted()
        try:
            from xgboost import XGBModel
        except ImportError:  # pragma: no cover - xgboost is a dependency
            XGBModel = ()  # noqa: N806
        if not isinstance(self.estimator_, XGBModel):
            raise InvalidParameterError(
                f"save() writes XGBoost's JSON model format; the estimator is "
                f"{type(self.estimator_).__name__}. edgecase does not pickle models."
            )
        from edgecase.report import dumps

        out = Path(path)
        if out.exists() and not out.is_dir():
            raise InvalidParameterError(f"path={str(out)!r} exists and is not a directory.")
        out.mkdir(parents=True, exist_ok=True)
        self.estimator_.save_model(out / _MODEL_FILE)
        params = self.estimator_.get_params()
        meta = {
            "format": _FORMAT,
            "threshold": self.threshold_,
            "threshold_policy": self.threshold_policy_,
            "sampler": self.sampler_name_,
            "calibration": self.calibration_,
            "features": self._specs,
            "estimator": {
                "class": f"{type(self.estimator_).__module__}.{type(self.estimator_).__name__}",
                "params": {
                    k: v
                    for k, v in params.items()
                    if v is None
                    or isinstance(v, (str, bool, int))
                    or (isinstance(v, float) and math.isfinite(v))
                },
                "default": self.estimator is None,
            },
            "trainer": {
                "cv": self.cv if isinstance(self.cv, int) else repr(self.cv),
                "calibrate": self.calibrate,
                "random_state": self.random_state if isinstance(self.random_state, int) else None,
            },
            "cv_report": self.cv_report_.reset_index().to_dict(orient="records"),
            "versions": _versions(),
        }
        (out / _META_FILE).write_text(dumps(meta, indent=2))
        return out

    @classmethod
    def load(cls, path: str | Path) -> Trainer:
        """Load a Trainer written by :meth:`save`; predictions are identical.

        Examples
        --------
        >>> import tempfile
        >>> from xgboost import XGBClassifier
        >>> from edgecase.datasets import load_keel
        >>> X, y = load_keel("yeast4")
        >>> tr = Trainer(estimator=XGBClassifier(n_estimators=10, n_jobs=1), cv=3,
        ...              random_state=0, progress=False).fit(X, y)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     back = Trainer.load(tr.save(d))
        >>> bool((back.predict_proba(X) == tr.predict_proba(X)).all())
        True
        """
        from xgboost import XGBClassifier

        src = Path(path)
        meta_file, model_file = src / _META_FILE, src / _MODEL_FILE
        if not meta_file.is_file() or not model_file.is_file():
            raise InvalidInputError(
                f"{str(src)!r} is not a saved Trainer: expected {_META_FILE} and {_MODEL_FILE} in it."
            )
        try:
            meta = json.loads(meta_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{str(meta_file)!r} is not valid JSON: {exc}") from None
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise InvalidInputError(
                f"{str(meta_file)!r} has format {meta.get('format') if isinstance(meta, dict) else None!r}; "
                f"expected {_FORMAT!r}."
            )
        saved_xgb = meta.get("versions", {}).get("xgboost", "")
        now_xgb = _versions().get("xgboost", "")
        if saved_xgb.split(".")[:1] != now_xgb.split(".")[:1]:
            warnings.warn(
                f"model saved with xgboost {saved_xgb}, loading with {now_xgb}.", stacklevel=2
            )
        est = XGBClassifier()
        try:
            est.load_model(model_file)
        except Exception as exc:  # noqa: BLE001 - xgboost raises its own error types
            raise InvalidInputError(f"{str(model_file)!r} could not be read: {exc}") from None
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


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("edgecase", "xgboost", "scikit-learn", "imbalanced-learn", "numpy", "pandas"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


# ---------------------------------------------------------------- comparison


class ComparisonResult(pd.DataFrame):
    """:func:`compare`'s table (one row per sampler, best PR-AUC first) plus the raw scores.

    Columns: ``rank``, ``pr_auc_mean``, ``pr_auc_sd``, ``roc_auc_mean``, ``brier_mean``,
    ``seconds_mean``, ``train_rows_mean`` and for each baseline ``B`` in
    ``none``/``scale_pos_weight``: ``diff_vs_B`` (mean paired PR-AUC difference over
    the same folds), ``ci_low_vs_B``/``ci_high_vs_B`` (95% interval of the
    Nadeau-Bengio corrected resampled t-test), ``p_vs_B`` and ``within_noise_vs_B``
    (the interval covers 0). ``.scores`` holds one row per sampler, repeat and
    fold; ``.settings`` the call's parameters. Derived frames are plain DataFrames.

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("yeast4")
    >>> res = compare(X, y, samplers=["none", "smote"], cv=2, repeats=1, random_state=0,
    ...               estimator=XGBClassifier(n_estimators=5, n_jobs=1), progress=False)
    >>> len(res.scores), type(res.plot()).__name__
    (4, 'Figure')
    """

    _metadata = ["scores", "settings"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def plot(self, ax: Any = None) -> Any:  # type: ignore[override]
        """PR-AUC per sampler and paired differences against the baselines (a Figure)."""
        from edgecase._train_plots import plot_comparison

        return plot_comparison(self, ax=ax)

    def to_json(self, **kwargs: Any) -> str:  # type: ignore[override]
        """The table, the per-fold scores and the settings as JSON (no NaN)."""
        from edgecase.report import dumps

        return dumps(
            {
                "table": pd.DataFrame(self).reset_index().to_dict(orient="records"),
                "scores": self.scores.to_dict(orient="records"),
                "settings": self.settings,
            },
            **kwargs,
        )


def nadeau_bengio(d: np.ndarray, n_train: float, n_test: float) -> tuple[float, float, float]:
    """Corrected resampled t-test of paired fold differences ``d`` (Nadeau and Bengio, 2003).

    Folds share training rows, so their scores are correlated and the naive
    standard error is too small; the correction inflates the variance by
    ``n_test / n_train``. Returns (ci_low, ci_high, p_value) for the mean difference.

    Examples
    --------
    >>> lo, hi, p = nadeau_bengio(np.array([0.01, 0.02, -0.01, 0.03, 0.0, 0.01]), 800, 200)
    >>> bool(lo < 0 < hi), round(p, 2)
    (True, 0.32)
    """
    d = np.asarray(d, dtype=float)
    j = len(d)
    mean = float(d.mean())
    var = float(d.var(ddof=1)) if j > 1 else 0.0
    se = math.sqrt((1.0 / j + n_test / n_train) * var)
    if se == 0.0:
        return mean, mean, (1.0 if mean == 0.0 else 0.0)
    t = mean / se
    q = float(stats.t.ppf(0.975, j - 1))
    return mean - q * se, mean + q * se, float(2 * stats.t.sf(abs(t), j - 1))


def _labels(samplers: list[Any]) -> list[str]:
    out: list[str] = []
    for s in samplers:
        base = sampler_name(s)
        label, i = base, 2
        while label in out:
            label, i = f"{base}#{i}", i + 1
        out.append(label)
    return out


def compare(
    X: Any,
    y: Any,
    *,
    samplers: list[Any] | None = None,
    cv: int = 5,
    repeats: int = 2,
    estimator: Any = None,
    groups: Any = None,
    random_state: RandomStateLike = None,
    progress: bool = True,
) -> ComparisonResult:
    """Compare samplers on identical repeated stratified folds, ranked by PR-AUC.

    Every sampler sees the same ``repeats x cv`` splits and the same estimator
    seed per split, so the per-fold PR-AUC differences are paired. A difference
    is flagged ``within_noise`` when the 95% interval of the Nadeau-Bengio
    corrected t-test covers zero: with strong learners most oversamplers land
    there once the threshold is tuned.

    Parameters
    ----------
    samplers : list of names or imblearn samplers, optional
        Default ``DEFAULT_COMPARE`` (none, scale_pos_weight, random, smote,
        borderline, adasyn, edgecase). With categorical columns in X the default
        list swaps ``smote`` for ``smotenc`` and leaves out ``borderline`` and
        ``adasyn`` (with a warning), which cannot interpolate categories.
    cv, repeats : int
        Folds per repeat (>= 2) and number of reshuffled repeats (>= 1).
    estimator : classifier, optional
        Default :func:`default_estimator`.
    groups : array-like, optional
        Group labels (e.g. account ids): each group stays in one fold.

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("yeast4")
    >>> res = compare(X, y, samplers=["none", "scale_pos_weight", "random"], cv=3, repeats=1,
    ...               estimator=XGBClassifier(n_estimators=10, n_jobs=1), random_state=0,
    ...               progress=False)
    >>> sorted(res.index) == ["none", "random", "scale_pos_weight"]
    True
    >>> bool(res.loc["none", "within_noise_vs_none"])
    True
    """
    if not isinstance(progress, bool):
        raise InvalidParameterError(f"progress must be True or False; got {progress!r}.")
    k = _check_int(cv, "cv", 2)
    n_rep = _check_int(repeats, "repeats", 1)
    if samplers is not None and (
        isinstance(samplers, (str, bytes)) or not hasattr(samplers, "__iter__")
    ):
        raise InvalidParameterError(
            f"samplers must be a list of sampler names or objects; got {samplers!r}."
        )
    sampler_list = list(DEFAULT_COMPARE) if samplers is None else list(samplers)
    if not sampler_list:
        raise InvalidParameterError("samplers is empty; give at least one sampler.")
    labels = _labels(sampler_list)  # validates names (did-you-mean) before any work
    Xdf, yv = _prepare_fit_X(X, y, groups)
    categorical = categorical_columns(Xdf)
    if samplers is None and categorical:
        dropped = [s for s in sampler_list if s in ("borderline", "adasyn")]
        sampler_list = ["smotenc" if s == "smote" else s for s in sampler_list if s not in dropped]
        labels = _labels(sampler_list)
        warnings.warn(
            f"X has categorical column(s) {categorical}: comparing smotenc instead of smote and "
            f"leaving out {dropped}, which interpolate every column as a number.",
            stacklevel=2,
        )
    for s in sampler_list:
        check_sampler_fits_data(s, categorical)

    root = as_seed_sequence(random_state)
    rep_ss = root.spawn(n_rep)
    rows = []
    bar = tqdm(
        total=n_rep * k * len(sampler_list), desc="compare", disable=not progress, leave=False
    )
    sizes = []
    for r in range(n_rep):
        split_ss, fit_ss = rep_ss[r].spawn(2)
        splits = _make_splits(k, Xdf, yv, groups, _seed_ints(split_ss, 1)[0])
        _check_splits(splits, yv)
        fold_seeds = _seed_ints(fit_ss, 2 * k)
        for f, (tr, te) in enumerate(splits):
            sizes.append((len(tr), len(te)))
            for label, s in zip(labels, sampler_list, strict=True):
                t0 = time.perf_counter()
                est, n_rows = _fit_one(
                    estimator,
                    s,
                    Xdf.iloc[tr],
                    yv[tr],
                    categorical,
                    (fold_seeds[2 * f], fold_seeds[2 * f + 1]),
                    f"repeat {r}, fold {f} (of {k})",
                )
                p = _positive_scores(est, Xdf.iloc[te])
                rows.append(
                    {
                        "sampler": label,
                        "repeat": r,
                        "fold": f,
                        "pr_auc": float(average_precision_score(yv[te], p)),
                        "roc_auc": float(roc_auc_score(yv[te], p)),
                        "brier": float(brier_score_loss(yv[te], p)),
                        "seconds": time.perf_counter() - t0,
                        "train_rows": n_rows,
                    }
                )
                bar.update(1)
    bar.close()
    scores = pd.DataFrame(rows)
    n_train = float(np.mean([a for a, _ in sizes]))
    n_test = float(np.mean([b for _, b in sizes]))
    wide = scores.pivot_table(index=["repeat", "fold"], columns="sampler", values="pr_auc")
    g = scores.groupby("sampler", sort=False)
    table = pd.DataFrame(
        {
            "pr_auc_mean": g["pr_auc"].mean(),
            "pr_auc_sd": g["pr_auc"].std(ddof=1),
            "roc_auc_mean": g["roc_auc"].mean(),
            "brier_mean": g["brier"].mean(),
            "seconds_mean": g["seconds"].mean(),
            "train_rows_mean": g["train_rows"].mean(),
        }
    )
    for base in ("none", "scale_pos_weight"):
        if base not in wide.columns:
            continue
        cols: dict[str, list[Any]] = {k_: [] for k_ in ("diff", "ci_low", "ci_high", "p")}
        for label in table.index:
            d = (wide[label] - wide[base]).to_numpy()
            lo, hi, p = nadeau_bengio(d, n_train, n_test)
            cols["diff"].append(float(d.mean()))
            cols["ci_low"].append(lo)
            cols["ci_high"].append(hi)
            cols["p"].append(p)
        for key, vals in cols.items():
            table[f"{key}_vs_{base}"] = vals
        table[f"within_noise_vs_{base}"] = (table[f"ci_low_vs_{base}"] <= 0) & (
            table[f"ci_high_vs_{base}"] >= 0
        )
    table = table.sort_values("pr_auc_mean", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.index.name = "sampler"
    result = ComparisonResult(table)
    result.scores = scores
    result.settings = {
        "cv": k,
        "repeats": n_rep,
        "samplers": labels,
        "estimator": "default_estimator" if estimator is None else repr(estimator),
        "random_state": random_state if isinstance(random_state, int) else None,
        "n_rows": len(yv),
        "n_positive": int(yv.sum()),
        "test": "Nadeau-Bengio corrected resampled t-test, 95% two-sided",
    }
    return result
