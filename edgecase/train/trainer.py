"""The Trainer: cross-validated, leak-free training with a threshold chosen out of fold.

:class:`Trainer` cross-validates a classifier (by default an XGBoost model with
imbalance-aware settings), resampling **only the training part of each fold**
(:func:`edgecase.train.cv.out_of_fold`), picks the decision threshold on the
out-of-fold scores with a policy such as ``"alert_rate=0.01"`` or
``"precision>=0.8"`` (:mod:`edgecase.train.thresholds`), then refits on all rows.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from tqdm.auto import tqdm

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import as_frame, check_declared_params, check_finite, check_numeric_columns
from edgecase.errors import InvalidInputError, InvalidParameterError, NotFittedError
from edgecase.train import persist
from edgecase.train.calibration import apply_calibration, check_calibrate, fit_calibration
from edgecase.train.cv import (
    check_splits,
    fit_one,
    make_splits,
    out_of_fold,
    positive_scores,
    prepare_fit_X,
    seed_ints,
)
from edgecase.train.samplers import categorical_columns, check_sampler_fits_data, sampler_name
from edgecase.train.thresholds import ThresholdPolicy, parse_policy, select_threshold

__all__ = ["Trainer"]

_REPORT_METRICS = ("pr_auc", "roc_auc", "precision", "recall", "f1", "alert_rate", "brier")


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


def _report(
    y: np.ndarray, scores: np.ndarray, splits: list, tested: np.ndarray, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics at ``threshold``: per fold, and pooled out-of-fold with the folds' spread."""
    folds = pd.DataFrame(
        [_metrics(y[te], scores[te], threshold) for _, te in splits],
        index=pd.RangeIndex(len(splits), name="fold"),
    )
    pooled = _metrics(y[tested], scores[tested], threshold)
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
    return report, folds


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

    # Types and ranges, checked first in fit; the policy text, sampler names and the
    # data-dependent rules are checked after, with their own messages.
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "sampler": [str, HasMethods(["fit_resample"]), None],
        "cv": [
            Interval(numbers.Integral, 2, None, closed="left"),
            HasMethods(["split"]),
            list,
            tuple,
        ],
        "threshold": [str, dict, ThresholdPolicy, Interval(numbers.Real, 0, 1, closed="neither")],
        "calibrate": ["boolean", StrOptions({"isotonic", "sigmoid"}), None],
        "random_state": [
            Interval(numbers.Integral, 0, None, closed="left"),
            np.random.Generator,
            np.random.SeedSequence,
            np.random.RandomState,
            None,
        ],
        "progress": ["boolean"],
    }

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

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # Rare-event detection is a two-class problem; labels must be 0/1 (or two values).
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        return tags

    # -- fitting

    def fit(self, X: Any, y: Any, *, groups: Any = None) -> Trainer:
        """Cross-validate, choose the threshold on out-of-fold scores, refit on all rows.

        ``groups`` (e.g. account ids) keeps each group in one fold, so rows of one
        account never sit on both sides of a split.
        """
        policy, cal_kind = self._check_params()
        Xdf, yv = prepare_fit_X(X, y, groups)
        categorical = categorical_columns(Xdf)
        check_sampler_fits_data(self.sampler, categorical)
        specs = [persist.column_spec(Xdf[c]) for c in Xdf.columns]

        split_ss, fold_ss, final_ss = as_seed_sequence(self.random_state).spawn(3)
        splits = make_splits(self.cv, Xdf, yv, groups, seed_ints(split_ss, 1)[0])
        fold_of = check_splits(splits, yv)

        oof = np.full(len(yv), np.nan)
        folds = out_of_fold(self.estimator, [self.sampler], Xdf, yv, splits, categorical, fold_ss)
        desc = f"Trainer[{sampler_name(self.sampler)}] folds"
        for fit in tqdm(
            folds, total=len(splits), desc=desc, disable=not self.progress, leave=False
        ):
            oof[fit.test] = fit.scores

        tested = fold_of >= 0
        calibration = fit_calibration(cal_kind, oof[tested], yv[tested])
        scores = np.where(tested, apply_calibration(calibration, np.nan_to_num(oof)), np.nan)
        threshold = select_threshold(policy, yv[tested], scores[tested])
        report, per_fold = _report(yv, scores, splits, tested, threshold)

        final_seeds = seed_ints(final_ss, 2)
        self.estimator_, _ = fit_one(
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
        self.cv_folds_ = per_fold
        self.oof_scores_ = scores
        self.oof_fold_ = fold_of
        self._oof_y = yv
        self.calibration_ = calibration
        self.sampler_name_ = sampler_name(self.sampler)
        self.feature_names_in_ = np.asarray(Xdf.columns, dtype=object)
        self.n_features_in_ = Xdf.shape[1]
        self._specs = specs
        self.classes_ = np.array([0, 1])
        return self

    def _validate_params(self) -> None:
        check_declared_params(super()._validate_params)

    def _check_params(self) -> tuple[ThresholdPolicy, str | None]:
        """Declared constraints first, then the policy, sampler and estimator rules."""
        self._validate_params()
        policy = parse_policy(self.threshold)
        sampler_name(self.sampler)
        cal_kind = check_calibrate(self.calibrate)
        if not isinstance(self.progress, bool):
            raise InvalidParameterError(f"progress must be True or False; got {self.progress!r}.")
        if self.estimator is not None and not hasattr(self.estimator, "predict_proba"):
            raise InvalidParameterError(
                f"estimator must have predict_proba; {type(self.estimator).__name__} has not."
            )
        return policy, cal_kind

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
        s = apply_calibration(
            self.calibration_, positive_scores(self.estimator_, self._prepare_X(X))
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
        versions) are plain JSON (:func:`edgecase.train.persist.save`).
        """
        return persist.save(self, path)

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
        return persist.load(cls, path)
