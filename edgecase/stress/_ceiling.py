"""The detectability ceiling: what a model fitted on the stressed population itself reaches.

A falling curve can mean two things: the model cracks (another model, fitted on the
stressed rows, would still separate fraud from legit), or the scenario erased the
signal (no model could). The ceiling tells them apart: at each severity a reference
model is cross-fitted on the stressed population (2 folds; each row is scored by the
model fitted on the other fold, so no row is scored by a model that saw it) and the
metric is measured on those out-of-fold scores.

* Folds split whole groups when the run has ``groups`` (one event's rows never sit
  on both sides, which would leak the event into its own score), stratified by
  whether a group holds a positive, with the same seed at every severity.
* Threshold metrics (recall, precision, event and value recall, ...) are measured at
  an alert budget applied to the reference's *own* scores: the share of rows the model
  alerts on in the scenario's unstressed population (for a scenario that keeps the test
  rows, the run's ``alert_rate`` or the model's severity-0 alert share; for one that
  appends simulated fraud, the larger share the model flags there). The user's
  threshold belongs to the user's score scale; the question is what the same staffing
  could catch.
* Each fold's reference is fitted on every positive of the other fold and at most
  ``NEG_RATIO`` times as many of its negatives (a random subset); its probabilities
  are then put back on the population's base rate by the prior correction
  ``p f / (p f + 1 - p)``, ``f`` the share of negatives kept, so Brier and ECE are
  measured on the population's scale (rankings, hence recall and PR-AUC, do not move).
* The default reference is a small XGBoost (40 trees, depth 4, one thread): a fold
  costs about 0.1 s of CPU on a 100,000-row test set at 1% fraud, most of it scoring
  the held-out fold. Its two folds are fitted at once, one thread each (XGBoost releases
  the GIL), which halves the wall time of the fits and not their CPU. A reference given
  by the user is cloned per fold and fitted the same way, one fold after the other.
* A population of at least ``EVAL_MIN_NEG`` negatives that keeps the test set's rows
  is measured on a sample (:func:`eval_sample`): every positive, every negative in the
  top ``EVAL_TOP_SHARE`` of the model's unstressed scores (where the alerts and the
  ranking near the top are decided) and a random ``EVAL_NEG_SHARE`` of the other
  negatives, each weighted by the number of negatives it stands for; the metric and the
  alert budget are their weighted versions (Horvitz-Thompson). The folds and fits are
  those of every row; only about a quarter of the held-out rows are scored. The sample is the
  same at every severity. On simulator populations of 60,000 to 100,000 rows its own
  noise is 0.1 to 0.5 times the test set's sampling noise (a bootstrap over accounts)
  and its bias under a third of it (tests/test_stress_ceiling_sample.py). A custom
  metric (no weights) or a population that is not the test set's rows is measured on
  every row.

The ceiling is a point estimate of a lower bound on what is achievable: a reference
fitted on half the test set is usually weaker than a model trained on a full training
set, so a ceiling that is below the breaking threshold already at the lowest severity
says nothing about the signal (``breaking_point`` then does not use it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError
from edgecase.stress import _bootstrap
from edgecase.stress._metrics import NEEDS, Metric
from edgecase.stress._scores import predict_scores
from edgecase.train.thresholds import alert_threshold

__all__ = ["Ceiling", "resolve_ceiling", "default_reference", "cross_fit_scores", "NEG_RATIO"]

#: Negatives kept per positive in each training fold (weighted back to their share).
NEG_RATIO = 10
N_FOLDS = 2
#: From this many negatives on, the ceiling is measured on every positive and this share
#: of the negatives, weighted back (see the module docstring).
EVAL_MIN_NEG = 40_000
EVAL_NEG_SHARE = 0.2
EVAL_TOP_SHARE = 0.05


def default_reference(random_state: int = 0) -> Any:
    """The documented default reference: a small, single-threaded XGBoost."""
    from xgboost import XGBClassifier

    return XGBClassifier(
        n_estimators=40, max_depth=4, learning_rate=0.3, max_bin=64, tree_method="hist",
        enable_categorical=True, n_jobs=1, random_state=random_state,
    )  # fmt: skip


class _BoosterFit:
    """The default reference, grown round by round (as ``xgboost.train`` does) on a ``DMatrix``.

    ``XGBClassifier.fit`` with ``tree_method="hist"`` first builds a ``QuantileDMatrix``,
    which costs twice the 40 trees themselves on a fold of a few thousand rows; a
    ``DMatrix`` with the classifier's own parameters grows the same trees (the same
    scores, bit for bit: tests/test_stress_ceiling.py) at a third of the cost.

    It takes a frame, or the float32 matrix of :func:`_matrix` with its column
    ``types``: a population is converted once for both folds' fits and predictions
    (XGBoost's pandas conversion costs as much as a fold's 40 trees), and XGBoost reads
    a categorical column as its codes either way, so the trees are the same.
    """

    def __init__(self, est: Any, types: list[str] | None = None) -> None:
        self.est, self.types = est, types

    def fit(self, X: pd.DataFrame | np.ndarray, y: np.ndarray) -> _BoosterFit:
        import xgboost as xgb

        params = {k: v for k, v in self.est.get_xgb_params().items() if v is not None}
        # a matrix goes without column names: the booster checks the names of its
        # training data at every round, a Python cost as large as a small tree's
        info = {} if isinstance(X, pd.DataFrame) else {"feature_types": self.types}
        data = xgb.DMatrix(X, y, enable_categorical=True, nthread=params.get("n_jobs"), **info)
        # xgb.train's loop without its callbacks: the same rounds, the same trees
        self.booster_ = xgb.Booster(params, [data])
        for i in range(self.est.n_estimators):
            self.booster_.update(data, i)
        return self

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        p = self.booster_.inplace_predict(X)
        return np.column_stack([1 - p, p])


def _matrix(X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """``X`` (after :func:`_prepare`) as XGBoost reads it: a float32 matrix with
    categories as their codes (missing: NaN), and XGBoost's type of each column (as its
    pandas conversion names them)."""
    A = np.empty(X.shape, dtype=np.float32, order="F")
    types = []
    for j, col in enumerate(X.columns):
        v = X[col]
        if isinstance(v.dtype, pd.CategoricalDtype):
            codes = v.cat.codes.to_numpy()
            A[:, j] = np.where(codes < 0, np.nan, codes)
            types.append("c")
        else:
            A[:, j] = v.to_numpy(dtype=np.float32, na_value=np.nan)
            types.append("i" if v.dtype.kind == "b" else "int" if v.dtype.kind in "iu" else "float")
    return np.ascontiguousarray(A), types


def resolve_ceiling(value: Any) -> Any:
    """``None`` (no ceiling), ``"default"`` (:func:`default_reference`) or the user's
    reference estimator, checked."""
    if isinstance(value, bool | np.bool_):
        return "default" if value else None
    if value is None:
        return None
    if isinstance(value, type) or not (
        callable(getattr(value, "fit", None)) and callable(getattr(value, "predict_proba", None))
    ):
        raise InvalidParameterError(
            "ceiling must be True (the default reference), False, or an unfitted classifier "
            f"with fit and predict_proba to cross-fit on each stressed population; got {value!r}."
        )
    return value


def _folds(y: np.ndarray, codes: np.ndarray | None, seed: np.random.SeedSequence) -> np.ndarray:
    """A fold per row: whole groups, alternately assigned in random order within the
    groups that hold a positive and within the legit-only groups."""
    codes = np.arange(len(y)) if codes is None else codes
    G = int(codes.max()) + 1
    has_pos = np.bincount(codes, weights=y, minlength=G) > 0
    rng = np.random.Generator(np.random.PCG64(seed))
    fold_of_group = np.empty(G, dtype=np.int64)
    for stratum in (has_pos, ~has_pos):
        idx = np.flatnonzero(stratum)
        fold_of_group[rng.permutation(idx)] = np.arange(len(idx)) % N_FOLDS
    return fold_of_group[codes]


def _prepare(X: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categories, which XGBoost and most tree models take."""
    # the dtype, not the column: pandas calls a categorical of strings a string column
    obj = [
        c
        for c, t in X.dtypes.items()
        if pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t)
    ]
    if not obj:
        return X
    return X.assign(**{c: X[c].astype("category") for c in obj})


def _rows(X: pd.DataFrame | np.ndarray, idx: np.ndarray) -> pd.DataFrame | np.ndarray:
    return X.iloc[idx] if isinstance(X, pd.DataFrame) else X[idx]


def _train_rows(
    y: np.ndarray, train: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """A fold's training rows (every positive, at most ``NEG_RATIO`` negatives per
    positive, a random subset) and the share ``f`` of its negatives kept."""
    pos, neg = train[y[train] == 1], train[y[train] == 0]
    if len(pos) == 0 or len(neg) == 0:
        raise InvalidInputError(
            "ceiling: a cross-fitting fold has no "
            f"{'positive' if len(pos) == 0 else 'negative'} row (only {int(y.sum())} positive "
            "row(s) in the stressed population); pass ceiling=False or use more positives."
        )
    if len(neg) <= NEG_RATIO * len(pos):
        return train, 1.0
    keep = np.sort(rng.choice(neg, NEG_RATIO * len(pos), replace=False))
    return np.sort(np.r_[pos, keep]), len(keep) / len(neg)


def _fit_predict(
    est: Any, X: pd.DataFrame | np.ndarray, y: np.ndarray, train: np.ndarray, f: float,
    test: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Held-out scores of ``est`` fitted on ``train``, put back on the population's base
    rate (``f``: the share of negatives kept in ``train``)."""
    try:
        est.fit(_rows(X, train), y[train])
    except EdgecaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a reference failing on the data is a bad input
        raise InvalidInputError(
            f"ceiling: the reference model failed on the stressed rows: {type(exc).__name__}: {exc}"
        ) from exc
    p = predict_scores(est, _rows(X, test), what="the ceiling reference's held-out fold")
    return p * f / (p * f + 1 - p)


def cross_fit_scores(
    reference: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    codes: np.ndarray | None,
    seed: np.random.SeedSequence,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold scores of ``reference`` (``"default"`` or an estimator) on ``(X, y)``:
    of every row, or of the rows at the sorted positions ``rows`` only (the folds and
    the fits are the same either way; only the held-out predictions are skipped)."""
    fold_seed, sub_seed = seed.spawn(2)
    folds = _folds(np.asarray(y), codes, fold_seed)
    rng = np.random.Generator(np.random.PCG64(sub_seed))
    X = _prepare(X)
    default, types = isinstance(reference, str), None
    if default:
        X, types = _matrix(X)
    scored = np.ones(len(y), dtype=bool)
    if rows is not None:
        scored[:] = False
        scored[rows] = True
    # the subsamples are drawn in fold order before any fit, so the folds' fits may run
    # in any order (or at once) and give the same scores
    plans = [(k, *_train_rows(y, np.flatnonzero(folds != k), rng)) for k in range(N_FOLDS)]

    def fold(plan: tuple[int, np.ndarray, float]) -> tuple[np.ndarray, np.ndarray]:
        k, train, f = plan
        est = _BoosterFit(default_reference(k), types) if default else clone(reference)
        test = np.flatnonzero((folds == k) & scored)
        return test, _fit_predict(est, X, y, train, f, test)

    out = np.full(len(y), np.nan)
    for test, scores in _map_folds(fold, plans, threads=default):
        out[test] = scores
    return out if rows is None else out[rows]


def _map_folds(fold: Any, plans: list, *, threads: bool) -> list:
    """``[fold(p) for p in plans]``; with ``threads``, the folds at once, one thread each.

    The default reference is single-threaded and XGBoost releases the GIL while it grows
    and scores trees, so two folds in two threads take the wall time of one. A user's
    reference is fitted in turn: it may run threads of its own, or not be thread-safe.
    """
    if not threads:
        return [fold(p) for p in plans]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(plans)) as pool:
        return list(pool.map(fold, plans))


def eval_sample(
    y: np.ndarray, prior: np.ndarray, seed: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(rows, weights)``: the rows whose out-of-fold scores the ceiling measures and the
    number of rows each stands for; None (every row, weight 1) below ``EVAL_MIN_NEG``
    negatives. ``prior``: a score per row fixed before the fit (the model's unstressed
    scores). Every positive is measured, and every negative in the top
    ``EVAL_TOP_SHARE`` of ``prior``, where the alerts and the ranking near the top are
    decided; of the other negatives a random ``EVAL_NEG_SHARE`` is measured, each
    standing for ``1 / EVAL_NEG_SHARE`` of them."""
    neg = np.flatnonzero(y == 0)
    if len(neg) < EVAL_MIN_NEG:
        return None
    top = prior[neg] >= np.quantile(prior[neg], 1 - EVAL_TOP_SHARE)
    rest = neg[~top]
    m = int(round(EVAL_NEG_SHARE * len(rest)))
    rng = np.random.Generator(np.random.PCG64(seed))
    picked = np.zeros(len(y), dtype=bool)
    picked[rng.choice(rest, m, replace=False)] = True
    keep = (y == 1) | picked
    keep[neg[top]] = True
    rows = np.flatnonzero(keep)
    return rows, np.where(picked[rows], len(rest) / m, 1.0)


class _RowWeights(_bootstrap.Draws):
    """One "draw" weighting each row (every row its own group): the weighted metric."""

    def __init__(self, y: np.ndarray, weights: np.ndarray) -> None:
        super().__init__(y, None, 1, np.random.SeedSequence(0))
        self.weights = np.asarray(weights, dtype=np.float32)

    def counts(self, k: int) -> np.ndarray:
        return self.weights[self.y == (1 if k == 0 else 0)][None, :]


def _restrict(side: dict, rows: np.ndarray) -> dict:
    """The run's side columns (groups, amounts) of the rows at ``rows``."""
    out = dict(side)
    if side.get("codes") is not None:
        out["codes"] = np.unique(side["codes"][rows], return_inverse=True)[1].astype(np.int64)
    if side.get("amount") is not None:
        out["amount"] = np.asarray(side["amount"])[rows]
    return out


def weighted_value(
    metric: Metric, y: np.ndarray, scores: np.ndarray, w: np.ndarray, share: float, side, point
) -> float:
    """The metric of the rows of :func:`eval_sample` (``y``, ``scores``, weights ``w``),
    at the alert budget ``share`` of the weighted rows. A metric that reads only the
    positives (event and value recall) needs no weights once the threshold is set."""
    thr = alert_threshold(scores, share, weights=w) if metric.uses_threshold else 0.5
    if metric.name in NEEDS:
        return float(point(metric, y, scores, thr, side))
    return float(_bootstrap.weighted_draws(metric, y, scores, thr, _RowWeights(y, w))[0, 0])


class Ceiling:
    """The ceiling of one run: a reference, an alert budget and a seed for the folds."""

    def __init__(self, reference: Any, budget: float, seed: np.random.SeedSequence) -> None:
        self.reference = reference
        self.budget = budget
        self.seed = seed
        # the unstressed population's value, shared by every scenario that leaves the
        # test set as it is at a severity (all of them at 0): the same rows, folds and
        # budget give the same value, so it is fitted once
        self._unstressed: dict[tuple[Metric, float], float] = {}
        self._eval: tuple | None = None

    def _sample(self, y: np.ndarray, prior: np.ndarray, seed) -> tuple | None:
        """:func:`eval_sample`, drawn once for the labels and prior of the test set's
        rows (the same at every severity of a scenario that keeps them, and in every
        such scenario: the seed is the same)."""
        hit = self._eval
        if hit is not None and hit[1] is prior and np.array_equal(hit[0], y):
            return hit[2]
        # the seed's third child: cross_fit_scores spawns the first two
        eval_seed = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 2))
        self._eval = (y.copy(), prior, eval_sample(y, prior, eval_seed))
        return self._eval[2]

    def value(
        self, metric: Metric, X: pd.DataFrame, y: np.ndarray, side: dict, point,
        budget: float | None = None, unstressed: bool = False, prior: np.ndarray | None = None,
    ) -> float:  # fmt: skip
        """The metric of the cross-fitted reference on one stressed population; ``point``
        is the harness's ``point(metric, y, scores, threshold, side)``.

        ``budget``: the share of rows the reference may alert on, the share the model
        alerted on in this scenario's unstressed population (a scenario that appends
        simulated fraud makes the model alert on far more than the run's budget, and a
        reference held to the run's budget could not catch more than that budget holds).
        None or 0: the run's budget. ``unstressed``: ``(X, y)`` is the run's test set as
        it is (same rows, values and groups); its value is computed once per run.
        ``prior``: the model's unstressed score of each row (rows the test set's, in its
        order), which lets a large population be measured on a sample of its negatives
        (:func:`eval_sample`); None: on every row."""
        share = self.budget if not budget else budget
        if unstressed and (metric, share) in self._unstressed:
            return self._unstressed[(metric, share)]
        # a fresh copy of the seed: the same folds, fits and measured rows at every severity
        seed = np.random.SeedSequence(self.seed.entropy, spawn_key=self.seed.spawn_key)
        sample = None
        if prior is not None and metric.func is None:  # a user's metric takes no weights
            sample = self._sample(np.asarray(y), np.asarray(prior), seed)
        codes = side.get("codes")
        if sample is None:
            scores = cross_fit_scores(self.reference, X, y, codes, seed)
            thr = alert_threshold(scores, share) if metric.uses_threshold else 0.5
            value = float(point(metric, y, scores, thr, side))
        else:
            rows, w = sample
            scores = cross_fit_scores(self.reference, X, y, codes, seed, rows)
            value = weighted_value(metric, y[rows], scores, w, share, _restrict(side, rows), point)
        if unstressed:
            self._unstressed[(metric, share)] = value
        return value
