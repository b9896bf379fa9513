"""Compare samplers on identical repeated folds, with the Nadeau-Bengio corrected t-test.

:func:`compare` runs the same folds for several samplers and reports whether
any of them beats the plain model or ``scale_pos_weight`` by more than noise.
Its folds go through :func:`edgecase.train.cv.out_of_fold`, the loop
:class:`~edgecase.train.Trainer` uses.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from tqdm.auto import tqdm

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import check_bool, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.train import samplers as _samplers
from edgecase.train.cv import (
    check_int,
    check_splits,
    make_splits,
    out_of_fold,
    prepare_fit_X,
    seed_ints,
)
from edgecase.train.samplers import categorical_columns, check_sampler_fits_data, sampler_name

__all__ = ["compare", "ComparisonResult", "nadeau_bengio"]

_BASELINES = ("none", "scale_pos_weight")


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
        from edgecase.train.plots import plot_comparison

        return plot_comparison(self, ax=ax)

    def to_json(self, **kwargs: Any) -> str:  # type: ignore[override]
        """The table, the per-fold scores and the settings as JSON (no NaN)."""
        from edgecase._io import dumps

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
    try:
        d = np.asarray(d, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InvalidInputError("d must be numbers (paired fold differences).") from None
    if len(d) == 0 or not np.isfinite(d).all():
        raise InvalidInputError("d must be a non-empty array of finite fold differences.")
    check_scalar(n_train, "n_train", low=0.0, low_inclusive=False)
    check_scalar(n_test, "n_test", low=0.0, low_inclusive=False)
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


def _sampler_list(samplers: Any) -> list[Any]:
    if samplers is not None and (
        isinstance(samplers, (str, bytes)) or not hasattr(samplers, "__iter__")
    ):
        raise InvalidParameterError(
            f"samplers must be a list of sampler names or objects; got {samplers!r}."
        )
    # Read at call time, so that the default list is the samplers module's current one.
    out = list(_samplers.DEFAULT_COMPARE) if samplers is None else list(samplers)
    if not out:
        raise InvalidParameterError("samplers is empty; give at least one sampler.")
    return out


def _adapt_default(sampler_list: list[Any], categorical: list[str]) -> list[Any]:
    """The default list with smotenc for smote and without borderline/adasyn (categories)."""
    dropped = [s for s in sampler_list if s in ("borderline", "adasyn")]
    warnings.warn(
        f"X has categorical column(s) {categorical}: comparing smotenc instead of smote and "
        f"leaving out {dropped}, which interpolate every column as a number.",
        stacklevel=3,
    )
    return ["smotenc" if s == "smote" else s for s in sampler_list if s not in dropped]


def _fold_row(label: str, r: int, fit: Any, y_test: np.ndarray) -> dict[str, Any]:
    p = fit.scores
    return {
        "sampler": label,
        "repeat": r,
        "fold": fit.fold,
        "pr_auc": float(average_precision_score(y_test, p)),
        "roc_auc": float(roc_auc_score(y_test, p)),
        "brier": float(brier_score_loss(y_test, p)),
        "seconds": fit.seconds,
        "train_rows": fit.train_rows,
    }


def _vs_baseline(table: pd.DataFrame, wide: pd.DataFrame, base: str, sizes: Any) -> None:
    n_train, n_test = sizes
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


def _table(scores: pd.DataFrame, sizes: list[tuple[int, int]]) -> pd.DataFrame:
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
    for base in _BASELINES:
        if base in wide.columns:
            _vs_baseline(table, wide, base, (n_train, n_test))
    table = table.sort_values("pr_auc_mean", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.index.name = "sampler"
    return table


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
        Default :func:`~edgecase.train.default_estimator`.
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
    check_bool(progress, "progress")
    k = check_int(cv, "cv", 2)
    n_rep = check_int(repeats, "repeats", 1)
    sampler_list = _sampler_list(samplers)
    labels = _labels(sampler_list)  # validates names (did-you-mean) before any work
    Xdf, yv = prepare_fit_X(X, y, groups)
    categorical = categorical_columns(Xdf)
    if samplers is None and categorical:
        sampler_list = _adapt_default(sampler_list, categorical)
        labels = _labels(sampler_list)
    for s in sampler_list:
        check_sampler_fits_data(s, categorical)

    rows = []
    sizes: list[tuple[int, int]] = []
    bar = tqdm(
        total=n_rep * k * len(sampler_list), desc="compare", disable=not progress, leave=False
    )
    for r, rep_ss in enumerate(as_seed_sequence(random_state).spawn(n_rep)):
        split_ss, fit_ss = rep_ss.spawn(2)
        splits = make_splits(k, Xdf, yv, groups, seed_ints(split_ss, 1)[0])
        check_splits(splits, yv)
        sizes.extend((len(tr), len(te)) for tr, te in splits)
        for fit in out_of_fold(
            estimator, sampler_list, Xdf, yv, splits, categorical, fit_ss, where=f"repeat {r}, "
        ):
            rows.append(_fold_row(labels[fit.sampler], r, fit, yv[fit.test]))
            bar.update(1)
    bar.close()
    scores = pd.DataFrame(rows)
    result = ComparisonResult(_table(scores, sizes))
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
