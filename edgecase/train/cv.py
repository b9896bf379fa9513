"""The out-of-fold loop: splits, one fit per fold, scores on the fold's test rows.

Both :class:`~edgecase.train.Trainer` and :func:`~edgecase.train.compare` run
their folds through :func:`out_of_fold`, so resampling, seeding and error
messages are the same in both. Resampling touches the training part of a fold
only (imbalanced-learn ``Pipeline`` semantics): oversampling never sees a test row.
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, TimeSeriesSplit

from edgecase._validate import check_X_y
from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError
from edgecase.train.priors import downsample_negatives, prior_ratio
from edgecase.train.samplers import is_weighting, make_sampler, sampler_name

__all__ = [
    "default_estimator",
    "FoldFit",
    "out_of_fold",
    "make_splits",
    "time_splits",
    "describe_split",
    "check_splits",
    "fit_one",
    "positive_scores",
    "prepare_fit_X",
    "seed_ints",
    "check_int",
]


def default_estimator(random_state: int | None = None) -> Any:
    """The default model: gradient-boosted trees tuned for rare positives.

    ``max_delta_step=1`` caps each leaf's log-odds update, which XGBoost's docs
    recommend for logistic loss on very unbalanced classes; shallow trees with
    row/column subsampling keep variance low when positives number in the tens.
    ``enable_categorical`` lets pandas ``category`` columns in as they are.
    Class weighting is deliberately *not* on by default: it is one of the
    choices :func:`~edgecase.train.compare` measures (``"scale_pos_weight"``).

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


def check_int(value: Any, name: str, low: int) -> int:
    """An integer (not a bool) >= ``low``, else InvalidParameterError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise InvalidParameterError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)


def seed_ints(ss: np.random.SeedSequence, n: int) -> list[int]:
    """n independent 31-bit seeds for libraries that take an int (XGBoost, imblearn)."""
    return [int(s.generate_state(1, dtype=np.uint32)[0] >> 1) for s in ss.spawn(n)]


def _stratified_splits(
    k: int, X: pd.DataFrame, y: np.ndarray, groups: Any, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    n_pos = int(y.sum())
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


def time_splits(k: int, time: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forward chaining: ``k`` folds, each trained on all rows before its test block.

    Rows are ordered by ``time`` (stable); the order is cut into ``k + 1``
    consecutive blocks of equal size and fold ``i`` tests block ``i + 1`` after
    training on blocks ``0..i``. Rows at the same instant never straddle a cut:
    each cut moves forward past ties, so no training row is later than a test row.

    Examples
    --------
    >>> t = pd.Series(pd.date_range("2024-01-01", periods=8, freq="D"))
    >>> [(tr.tolist(), te.tolist()) for tr, te in time_splits(3, t[::-1].reset_index(drop=True))]
    [([6, 7], [4, 5]), ([4, 5, 6, 7], [2, 3]), ([2, 3, 4, 5, 6, 7], [0, 1])]
    """
    tv = pd.Series(np.asarray(time)).reset_index(drop=True)
    order = np.argsort(tv.to_numpy(), kind="stable")
    sorted_t = tv.to_numpy()[order]
    starts = [te[0] for _, te in TimeSeriesSplit(n_splits=k).split(order)]
    # each cut moves back to the first row at its instant, so blocks never split a tie
    cuts = np.unique(np.searchsorted(sorted_t, sorted_t[starts], side="left"))
    cuts = cuts[cuts > 0]
    bounds = np.r_[cuts, len(order)]
    return [
        (np.sort(order[: bounds[i]]), np.sort(order[bounds[i] : bounds[i + 1]]))
        for i in range(len(cuts))
    ]


def describe_split(cv: Any, groups: Any, time: Any) -> str:
    """The words ``cv_report_`` uses for the split ``make_splits`` makes."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if time is not None:
            return f"forward-chaining in time, {int(cv)} folds (train on the past, test on the next block)"
        if groups is not None:
            return f"stratified group k-fold, {int(cv)} folds (each group in one fold)"
        return f"stratified shuffled k-fold, {int(cv)} folds"
    if isinstance(cv, (list, tuple)):
        return f"the {len(cv)} (train, test) pairs given"
    return f"the splitter given ({type(cv).__name__})"


def make_splits(
    cv: Any, X: pd.DataFrame, y: np.ndarray, groups: Any, seed: int, time: Any = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs from an int, a splitter or a list of pairs.

    An int gives forward-chaining folds when ``time`` is given, else stratified
    (grouped when ``groups`` are given) shuffled folds.
    """
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if time is not None:
            return time_splits(check_int(cv, "cv", 2), time)
        return _stratified_splits(check_int(cv, "cv", 2), X, y, groups, seed)
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


def _check_part(where: str, part: str, idx: np.ndarray, y: np.ndarray) -> None:
    n = len(y)
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


def check_splits(splits: list[tuple[np.ndarray, np.ndarray]], y: np.ndarray) -> np.ndarray:
    """Every fold must train and test on both classes; a row is tested at most once.

    Returns the fold number of each row (-1 for rows no fold tests).
    """
    fold_of = np.full(len(y), -1, dtype=np.int64)
    if len(splits) < 2:
        raise InvalidParameterError(f"cv must give at least 2 folds; got {len(splits)}.")
    for k, (tr, te) in enumerate(splits):
        where = f"fold {k} (of {len(splits)})"
        _check_part(where, "training", tr, y)
        _check_part(where, "test", te, y)
        if np.intersect1d(tr, te).size:
            raise InvalidInputError(f"{where}: some rows are in both its training and test part.")
        if (fold_of[te] >= 0).any():
            raise InvalidInputError(
                f"{where} tests rows an earlier fold already tested; each row may be out-of-fold "
                "once (for repeated splits use compare(..., repeats=...))."
            )
        fold_of[te] = k
    return fold_of


def prepare_fit_X(X: Any, y: Any, groups: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """Checked X (text column names, positional index) and 0/1 labels; groups checked too."""
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


# ---------------------------------------------------------------- one fit


def _resample(
    sampler: Any, X: pd.DataFrame, y: np.ndarray, categorical: list[str], seed: int, where: str
) -> tuple[pd.DataFrame, np.ndarray]:
    obj = make_sampler(sampler, categorical, seed)
    if obj is None:
        return X, y
    try:
        Xr, yr = obj.fit_resample(X, y)
    except EdgecaseError:
        raise
    except (ValueError, RuntimeError, TypeError) as exc:
        raise InvalidInputError(
            f"sampler {sampler_name(sampler)!r} failed on {where} "
            f"({int(y.sum())} positive of {len(y)} rows): {exc}"
        ) from exc
    return Xr, np.asarray(yr)


def fit_one(
    estimator: Any,
    sampler: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    categorical: list[str],
    seeds: tuple[int, int],
    where: str,
    negative_rate: float | None = None,
) -> tuple[Any, int, float]:
    """Downsample negatives and resample (X, y) if asked, fit a fresh estimator.

    Returns the estimator, the rows it saw and the prior ratio
    ``odds(y) / odds(what it was fitted on)`` (1.0 when the balance is unchanged),
    which :func:`edgecase.train.priors.correct_prior` applies to its scores.
    """
    est = default_estimator(seeds[0]) if estimator is None else clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=seeds[0])
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if negative_rate is not None and negative_rate < 1.0:
        # its own stream, so the sampler's draws stay the same with or without downsampling
        rng = np.random.default_rng([seeds[1], 1])
        X, y, _ = downsample_negatives(X, y, negative_rate, rng, where)
    fit_kw: dict[str, Any] = {}
    if is_weighting(sampler):
        # The weight comes from this training fold only, never from the whole data set.
        weight = (len(y) - int(y.sum())) / int(y.sum())
        if "scale_pos_weight" in est.get_params():
            est.set_params(scale_pos_weight=weight)
        else:
            fit_kw["sample_weight"] = np.where(y == 1, weight, 1.0)
        Xr, yr = X, y
        fit_pos = weight * int(y.sum())
    else:
        Xr, yr = _resample(sampler, X, y, categorical, seeds[1], where)
        fit_pos = int(np.sum(yr))
    ratio = prior_ratio(n_pos, n_neg, fit_pos, len(yr) - int(np.sum(yr)))
    try:
        est.fit(Xr, yr, **fit_kw)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            f"estimator {type(est).__name__} could not be fitted on {where}: {exc}"
        ) from exc
    return est, len(yr), ratio


def positive_scores(est: Any, X: pd.DataFrame) -> np.ndarray:
    """The positive-class column of ``est.predict_proba(X)``."""
    proba = np.asarray(est.predict_proba(X), dtype=float)
    return proba[:, 1]


# ---------------------------------------------------------------- the loop


@dataclass(frozen=True)
class FoldFit:
    """One sampler fitted on one fold's training part and scored on its test part."""

    fold: int
    sampler: int
    test: np.ndarray
    scores: np.ndarray
    train_rows: int
    seconds: float
    #: odds(training fold) / odds(rows the model was fitted on), for prior correction
    prior_ratio: float = 1.0


def out_of_fold(
    estimator: Any,
    samplers: Sequence[Any],
    X: pd.DataFrame,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    categorical: list[str],
    ss: np.random.SeedSequence,
    *,
    where: str = "",
    negative_rate: float | None = None,
    train_y: list[np.ndarray] | None = None,
) -> Iterator[FoldFit]:
    """Fit every sampler on every fold's training rows; yield its scores on the test rows.

    Folds run in order, the samplers of one fold in the order given. Every
    sampler of a fold gets the same two seeds (estimator, sampler), drawn from
    ``ss``, so differences between samplers are paired. ``where`` prefixes the
    fold in error messages (e.g. ``"repeat 1, "``). ``train_y`` replaces the
    training labels of each fold (labels known by the fold's cut-off date);
    ``negative_rate`` downsamples each training fold's negatives.
    """
    seeds = seed_ints(ss, 2 * len(splits))
    for k, (tr, te) in enumerate(splits):
        y_tr = y[tr] if train_y is None else train_y[k]
        for j, sampler in enumerate(samplers):
            t0 = time.perf_counter()
            est, n_rows, ratio = fit_one(
                estimator,
                sampler,
                X.iloc[tr],
                y_tr,
                categorical,
                (seeds[2 * k], seeds[2 * k + 1]),
                f"{where}fold {k} (of {len(splits)})",
                negative_rate,
            )
            scores = positive_scores(est, X.iloc[te])
            yield FoldFit(k, j, te, scores, n_rows, time.perf_counter() - t0, ratio)
