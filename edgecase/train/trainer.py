"""The Trainer: cross-validated, leak-free training with a threshold chosen out of fold.

:class:`Trainer` cross-validates a classifier (by default an XGBoost model with
imbalance-aware settings), resampling **only the training part of each fold**
(:func:`edgecase.train.cv.out_of_fold`), picks the decision threshold on the
out-of-fold scores with a policy such as ``"alert_rate=0.01"`` or
``"precision>=0.8"`` (:mod:`edgecase.train.thresholds`), then refits on all rows.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from tqdm.auto import tqdm

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import (
    as_frame,
    check_bool,
    check_declared_params,
    check_finite,
    check_numeric_columns,
)
from edgecase.errors import InvalidInputError, InvalidParameterError, NotFittedError
from edgecase.train import persist
from edgecase.train.calibration import apply_calibration, check_calibrate, fit_calibration
from edgecase.train.cv import (
    check_splits,
    describe_split,
    fit_one,
    make_splits,
    out_of_fold,
    positive_scores,
    prepare_fit_X,
    seed_ints,
)
from edgecase.train.leakage import LABEL_DERIVATIVES, find_leaks
from edgecase.train.priors import correct_prior
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


def _per_row(values: Any, name: str, n: int) -> np.ndarray | None:
    if values is None:
        return None
    v = np.asarray(values).ravel()
    if v.shape[0] != n:
        raise InvalidInputError(f"{name} must give one value per row of X ({n}); got {v.shape[0]}.")
    return v


def _known_labels(
    splits: list, y: np.ndarray, time: np.ndarray | None, label_time: np.ndarray | None
) -> list[np.ndarray] | None:
    """Each fold's training labels as known when its test block starts (None: y as given)."""
    if label_time is None:
        return None
    if time is None:
        raise InvalidInputError(
            "label_time needs the rows' time (a datetime column of X, or time=) to know "
            "when each fold's test block starts."
        )
    lt = pd.to_datetime(pd.Series(label_time)).to_numpy()
    tv = pd.to_datetime(pd.Series(time)).to_numpy()
    out = []
    for k, (tr, te) in enumerate(splits):
        known = (y[tr] == 1) & ~np.isnat(lt[tr]) & (lt[tr] <= tv[te].min())
        if not known.any():
            raise InvalidInputError(
                f"fold {k} (of {len(splits)}): no positive training label is confirmed by the "
                "start of its test block; use fewer folds or more history."
            )
        out.append(known.astype(y.dtype))
    return out


def _seed_streams(random_state: RandomStateLike) -> list[np.random.SeedSequence]:
    """The split, fold and final-refit streams of one fit, in that order (part of the
    seeding contract: a change here changes every fitted model)."""
    return as_seed_sequence(random_state).spawn(3)


def _with_prior(calibration: dict | None, prior_ratio: float) -> dict | None:
    """``calibration`` with the prior correction folded in: stored with the calibration
    map, so save/load keeps the same probabilities."""
    if prior_ratio == 1.0:
        return calibration
    return {"kind": "prior", **(calibration or {}), "prior_ratio": prior_ratio}


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
        An int gives forward-chaining folds in time when ``fit`` knows the rows'
        time (a datetime column of X, or ``time=``): train on the past, test on the
        next block, as the model will be used. Without time, stratified group
        folds when ``fit`` gets ``groups``, else stratified shuffled folds.
        ``cv_report_.attrs["split"]`` says which.
    threshold : str, dict or float, default "f1"
        Policy applied to the out-of-fold scores: ``"f1"``, ``"fbeta=B"``,
        ``"precision>=P"``, ``"recall>=R"``, ``"alert_rate=A"``, ``"cost=FN:FP"``
        (or ``{"fn": ..., "fp": ...}``), or a fixed threshold in (0, 1).
    calibrate : bool or {"isotonic", "sigmoid"}, default False
        Map scores to probabilities with a monotone map fitted on out-of-fold scores.
    prior_correction : bool, default True
        When resampling, reweighting or ``negative_rate`` changed the class balance a
        model was fitted on, multiply its odds by ``odds(true) / odds(fitted)``
        (:mod:`edgecase.train.priors`), so the mean prediction matches the true rate.
        Rankings are unchanged. ``cv_report_.attrs["probabilities"]`` says what was done.
    negative_rate : float in (0, 1], optional
        Negative downsampling: every training fit keeps all positives and each
        negative with this probability, then the prior correction (exact for this
        draw) restores the true rate. What fraud teams do at one fraud in 10,000.
    leakage : {"drop", "raise", "keep"}, default "drop"
        The leakage guard (:mod:`edgecase.train.leakage`): id-like columns, the
        label's derivatives (``typology``, ``label_time``...), raw timestamps and
        any column that alone predicts the label with out-of-fold ROC-AUC > 0.999
        are dropped with a warning naming them (``"raise"``: refused; ``"keep"``:
        trained on, on purpose). ``dropped_columns_`` lists them with the reason.
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
    cv_split_ : str, the split used (also ``cv_report_.attrs["split"]``).
    prior_ratio_ : float, the odds factor applied to the final model's scores (1: none).
    dropped_columns_ : dict, columns the leakage guard dropped, with the reason.
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
        "prior_correction": ["boolean"],
        "negative_rate": [Interval(numbers.Real, 0, 1, closed="right"), None],
        "leakage": [StrOptions({"drop", "raise", "keep"})],
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
        prior_correction: bool = True,
        negative_rate: float | None = None,
        leakage: str = "drop",
        random_state: RandomStateLike = None,
        progress: bool = True,
    ) -> None:
        self.estimator = estimator
        self.sampler = sampler
        self.cv = cv
        self.threshold = threshold
        self.calibrate = calibrate
        self.prior_correction = prior_correction
        self.negative_rate = negative_rate
        self.leakage = leakage
        self.random_state = random_state
        self.progress = progress

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # Rare-event detection is a two-class problem; labels must be 0/1 (or two values).
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        return tags

    # -- fitting

    def fit(
        self, X: Any, y: Any, *, groups: Any = None, time: Any = None, label_time: Any = None
    ) -> Trainer:
        """Cross-validate, choose the threshold on out-of-fold scores, refit on all rows.

        ``groups`` (e.g. account ids) keeps each group in one fold, so rows of one
        account never sit on both sides of a split. ``time`` (one datetime per row;
        default: X's datetime column, if it has exactly one) orders forward-chaining
        folds. ``label_time`` (when each positive was confirmed, NaT for negatives)
        trains each fold only on labels known when its test block starts; the
        final refit uses ``y`` as given.
        """
        policy, cal_kind = self._check_params()
        X, time, dropped = self._guard_time(X, time)
        Xdf, yv = prepare_fit_X(X, y, groups)
        Xdf, dropped = self._guard_columns(Xdf, yv, groups, dropped)
        categorical = categorical_columns(Xdf)
        check_sampler_fits_data(self.sampler, categorical)
        specs = [persist.column_spec(Xdf[c]) for c in Xdf.columns]

        split_ss, fold_ss, final_ss = _seed_streams(self.random_state)
        tv = _per_row(time, "time", len(yv))
        splits = make_splits(self.cv, Xdf, yv, groups, seed_ints(split_ss, 1)[0], time=tv)
        fold_of = check_splits(splits, yv)
        train_y = _known_labels(splits, yv, tv, _per_row(label_time, "label_time", len(yv)))

        oof = np.full(len(yv), np.nan)
        folds = out_of_fold(
            self.estimator, [self.sampler], Xdf, yv, splits, categorical, fold_ss,
            negative_rate=self.negative_rate, train_y=train_y,
        )  # fmt: skip
        desc = f"Trainer[{sampler_name(self.sampler)}] folds"
        for fit in tqdm(
            folds, total=len(splits), desc=desc, disable=not self.progress, leave=False
        ):
            ratio = fit.prior_ratio if self.prior_correction else 1.0
            oof[fit.test] = correct_prior(fit.scores, ratio)

        tested = fold_of >= 0
        calibration = fit_calibration(cal_kind, oof[tested], yv[tested])
        scores = np.where(tested, apply_calibration(calibration, np.nan_to_num(oof)), np.nan)
        threshold = select_threshold(policy, yv[tested], scores[tested])
        report, per_fold = _report(yv, scores, splits, tested, threshold)

        self.estimator_, ratio = self._final_refit(Xdf, yv, categorical, final_ss, self.sampler)
        self.prior_ratio_ = float(ratio) if self.prior_correction else 1.0
        calibration = _with_prior(calibration, self.prior_ratio_)
        self.cv_split_ = describe_split(self.cv, groups, tv)
        report.attrs["split"] = self.cv_split_
        report.attrs["probabilities"] = self._describe_probabilities(ratio, yv)
        self.dropped_columns_ = dropped
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

    def _describe_probabilities(self, ratio: float, y: np.ndarray) -> str:
        if ratio == 1.0:
            return "as fitted: the class balance was not changed"
        if not self.prior_correction:
            return (
                f"not prior-corrected (prior_correction=False): fitted on a changed class "
                f"balance, the odds are {1 / ratio:.3g} times the true ones"
            )
        return (
            f"prior-corrected: odds multiplied by {ratio:.4g} (odds of the true rate "
            f"{y.mean():.4%} over the fitted balance), so the mean prediction matches the true rate"
        )

    def _guard_time(self, X: Any, time: Any) -> tuple[Any, Any, dict[str, str]]:
        """Take raw timestamps out of X (they order the folds, they are not features)."""
        if not isinstance(X, pd.DataFrame):
            return X, time, {}
        X = as_frame(X)  # duplicated or nested column names fail here, by name
        dt_cols = [c for c in X.columns if pd.api.types.is_datetime64_any_dtype(X[c].dtype)]
        # a label's own date (label_time) is never the rows' time
        when = [c for c in dt_cols if str(c).lower() not in LABEL_DERIVATIVES]
        if time is None and len(when) == 1:
            time = X[when[0]].to_numpy()
        if not dt_cols or self.leakage == "keep":
            return X, time, {}
        dropped = {str(c): "a raw timestamp" for c in dt_cols}
        return X.drop(columns=dt_cols), time, dropped

    def _guard_columns(
        self, X: pd.DataFrame, y: np.ndarray, groups: Any, dropped: dict[str, str]
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        if self.leakage == "keep":
            return X, {}
        leaks = {**dropped, **find_leaks(X, y, groups)}
        if not leaks:
            return X, {}
        named = "; ".join(f"{c!r}: {why}" for c, why in leaks.items())
        if self.leakage == "raise":
            raise InvalidInputError(
                f"leakage guard: X has column(s) a model must not train on ({named}); drop "
                "them, or pass leakage='keep' to train on them on purpose."
            )
        warnings.warn(
            f"leakage guard dropped {len(leaks)} column(s): {named}. Pass leakage='keep' "
            "to train on them on purpose.",
            UserWarning,
            stacklevel=3,
        )
        if len(leaks) >= X.shape[1] + len(dropped):
            raise InvalidInputError(f"leakage guard: every column of X is suspect ({named}).")
        return X.drop(columns=[c for c in X.columns if str(c) in leaks]), leaks

    def _validate_params(self) -> None:
        check_declared_params(super()._validate_params)

    def _check_params(self) -> tuple[ThresholdPolicy, str | None]:
        """Declared constraints first, then the policy, sampler and estimator rules."""
        self._validate_params()
        policy = parse_policy(self.threshold)
        sampler_name(self.sampler)
        cal_kind = check_calibrate(self.calibrate)
        check_bool(self.progress, "progress")
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

    def _dropped(self) -> dict[str, str]:
        return getattr(self, "dropped_columns_", None) or {}

    def _without_dropped(self, Xdf: pd.DataFrame) -> pd.DataFrame:
        """X without the columns the leakage guard dropped at fit time: a frame laid out
        as the training one (ids, ``typology``, timestamps included) scores the same as
        one holding the features only."""
        names = set(self.feature_names_in_)
        present = [c for c in Xdf.columns if c in self._dropped() and c not in names]
        return Xdf.drop(columns=present) if present else Xdf

    def _final_refit(
        self, Xdf: pd.DataFrame, yv: np.ndarray, categorical: Any, final_ss: Any, sampler: Any
    ) -> tuple[Any, float]:
        """``fit``'s last step: the estimator fitted on all rows with ``sampler``, from the
        final-refit stream, and the prior ratio its resampling implies."""
        seeds = seed_ints(final_ss, 2)
        est, _, ratio = fit_one(
            self.estimator, sampler, Xdf, yv, categorical, (seeds[0], seeds[1]),
            "all rows (final refit)", self.negative_rate,
        )  # fmt: skip
        return est, ratio

    def _refit_final_only(self, X: Any, y: np.ndarray, sampler: Any) -> Trainer:
        """A copy of this fitted Trainer whose estimator is what ``fit(X, y)`` with
        ``sampler`` would refit on all rows (same seeds), without the cross-validation.

        Only for an integer ``random_state`` (the same streams again) and no calibration
        beyond the prior: the threshold and reports stay this fit's (``harden``'s cheap
        rounds choose their own threshold).
        """
        if self.calibrate not in (False, None) or not isinstance(
            self.random_state, numbers.Integral
        ):
            raise InvalidParameterError(
                "_refit_final_only needs an integer random_state and calibrate=False."
            )
        Xdf = self._prepare_X(X)
        est, ratio = self._final_refit(
            Xdf, np.asarray(y), categorical_columns(Xdf), _seed_streams(self.random_state)[2],
            sampler,
        )  # fmt: skip
        m = copy.copy(self)
        m.estimator_ = est
        m.prior_ratio_ = float(ratio) if self.prior_correction else 1.0
        m.calibration_ = _with_prior(None, m.prior_ratio_)
        return m

    def _prepare_X(self, X: Any) -> pd.DataFrame:
        names = list(self.feature_names_in_)
        if not isinstance(X, pd.DataFrame):
            arr = as_frame(X)
            # An array as wide as the fit-time one (x0, x1, ...) had the guard's columns too.
            if arr.shape[1] != len(names) and set(arr.columns) == set(names) | set(self._dropped()):
                X = arr
        if isinstance(X, pd.DataFrame):
            Xdf = as_frame(X)
            Xdf = self._without_dropped(Xdf.set_axis([str(c) for c in Xdf.columns], axis=1))
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
        _refuse_new_categories(Xdf, self._specs)
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
        s = self._positive_probability(self._prepare_X(X))
        return np.column_stack([1.0 - s, s])

    def _positive_probability(self, Xdf: pd.DataFrame) -> np.ndarray:
        """The positive class's probability of rows already checked by ``_prepare_X``."""
        return apply_calibration(self.calibration_, positive_scores(self.estimator_, Xdf))

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


def _refuse_new_categories(Xdf: pd.DataFrame, specs: list[dict[str, Any]]) -> None:
    """A column that was not a category at fit time must not arrive as one: the model
    split on its values, and XGBoost would read the category codes instead."""
    for spec in specs:
        name = spec["name"]
        if spec["dtype"] != "category" and isinstance(Xdf[name].dtype, pd.CategoricalDtype):
            raise InvalidInputError(
                f"X column {name!r} is a category, but it was {spec['dtype']} at fit time; "
                f"pass it with that dtype (X[{name!r}].astype({spec['dtype']!r}))."
            )
