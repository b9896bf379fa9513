"""Detection and utility: can a classifier tell synthetic from real, and does it help?

* detection: a cross-validated XGBoost classifier separates real rows from
  synthetic rows; its out-of-fold ROC AUC is 0.5 when they are
  indistinguishable and 1.0 when every synthetic row gives itself away;
* utility: train-on-synthetic-test-on-real (TSTR) and
  train-on-real-test-on-real (TRTR), plus real + synthetic rows together
  (augmented), all scored by PR-AUC (average precision) on the same real test
  rows, which no training set contains.

Both models come from the small factories :func:`detection_model` and
:func:`utility_model`, so the classifier can be swapped in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score
from xgboost import XGBClassifier

from edgecase.quality._prep import Prepared

__all__ = [
    "detection_model",
    "utility_model",
    "model_frame",
    "group_folds",
    "detection_auc",
    "utility_scores",
]

#: Fixed parameters of both classifiers (documented so numbers can be reproduced).
#: One thread per model: on a shared 2-core machine xgboost's OpenMP threads contend and
#: n_jobs=2 measured 4-8x slower than n_jobs=1 (benchmarks/RESULTS.md, quality block).
XGB_PARAMS = {
    "n_estimators": 100,
    "max_depth": 4,
    "learning_rate": 0.1,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 1.0,
    "tree_method": "hist",
    "enable_categorical": True,
    "max_cat_to_onehot": 8,
    "max_bin": 64,
    "n_jobs": 1,
    "verbosity": 0,
}


def detection_model(seed: int) -> XGBClassifier:
    """The real-vs-synthetic classifier: ``XGBClassifier(**XGB_PARAMS, random_state=seed)``."""
    return XGBClassifier(**XGB_PARAMS, random_state=seed)


def utility_model(seed: int) -> XGBClassifier:
    """The downstream classifier for TSTR/TRTR: the default trainer's model.

    :func:`edgecase.train.default_estimator`, on one thread (threads that wait on a
    busy machine cost more than they save at these sizes). PR-AUC needs no
    threshold, so the trainer's out-of-fold threshold search is not needed here.
    """
    from edgecase.train import default_estimator

    return default_estimator(seed).set_params(n_jobs=1)


def model_frame(
    prep: Prepared, side: str, idx: np.ndarray | None = None, *, with_target: bool = False
) -> pd.DataFrame:
    """Model input: numeric columns as float, bool/category as pandas category over both sides' levels."""
    num = prep.num_real if side == "real" else prep.num_synthetic
    cat = prep.cat_real if side == "real" else prep.cat_synthetic
    sel = slice(None) if idx is None else idx
    cols = {}
    for c in prep.features:
        if c in num:
            cols[c] = num[c][sel]
        else:
            cols[c] = pd.Categorical.from_codes(cat[c][sel], categories=pd.Index(prep.vocab[c]))
    if with_target and prep.target is not None:
        y = prep.y_real if side == "real" else prep.y_synthetic
        cols[prep.target] = y[sel].astype(float)
    return pd.DataFrame(cols)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def group_folds(
    labels: np.ndarray, groups: np.ndarray, n_folds: int, rng: np.random.Generator
) -> np.ndarray:
    """Fold number per row: rows of one group share a fold, folds roughly stratified.

    Groups are exact-duplicate rows. Holding a real row and its synthetic copy
    out together stops the classifier from scoring a copy by recalling its
    twin with the opposite label (which pushes the AUC of copied data far
    below 0.5 instead of to 0.5).
    """
    uniq, inv = np.unique(groups, return_inverse=True)
    g_label = np.zeros(len(uniq), dtype=int)
    np.maximum.at(g_label, inv, labels)
    fold_of = np.empty(len(uniq), dtype=int)
    for cls in (0, 1):
        members = np.flatnonzero(g_label == cls)
        fold_of[rng.permutation(members)] = np.arange(len(members)) % n_folds
    return fold_of[inv]


def detection_auc(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    n_folds: int,
    seed: int,
    groups: np.ndarray | None = None,
) -> dict[str, float]:
    """Out-of-fold ROC AUC (and per-fold sd) of telling ``synthetic`` rows from ``real`` ones.

    ``groups`` (one id per real row, then per synthetic row) keeps exact
    duplicates in one fold, see :func:`group_folds`.
    """
    n_r, n_s = len(real), len(synthetic)
    folds = min(n_folds, n_r, n_s)
    if folds < 2:
        return {"auc": float("nan"), "auc_sd": float("nan"), "n_real": n_r, "n_synthetic": n_s}
    X = _concat([real, synthetic])
    lab = np.r_[np.zeros(n_r, dtype=int), np.ones(n_s, dtype=int)]
    if groups is None:
        groups = np.arange(len(X))
    fold = group_folds(lab, groups, folds, np.random.default_rng(seed))
    oof = np.full(len(X), np.nan)
    fold_auc = []
    for k in range(folds):
        te = fold == k
        tr = ~te
        if not te.any() or len(np.unique(lab[tr])) < 2:
            continue
        model = detection_model(seed + k)
        model.fit(X[tr], lab[tr])
        oof[te] = model.predict_proba(X[te])[:, 1]
        if len(np.unique(lab[te])) == 2:
            fold_auc.append(roc_auc_score(lab[te], oof[te]))
    ok = np.isfinite(oof)
    auc = roc_auc_score(lab[ok], oof[ok]) if len(np.unique(lab[ok])) == 2 else float("nan")
    return {
        "auc": float(auc),
        "auc_sd": float(np.std(fold_auc)) if fold_auc else float("nan"),
        "n_real": n_r,
        "n_synthetic": n_s,
    }


def _fit_score(
    X_tr: pd.DataFrame, y_tr: np.ndarray, X_te: pd.DataFrame, y_te: np.ndarray, seed: int
) -> tuple[float, float]:
    model = utility_model(seed)
    model.fit(X_tr, y_tr)
    p = np.asarray(model.predict_proba(X_te))[:, 1]
    return float(average_precision_score(y_te, p)), float(roc_auc_score(y_te, p))


def utility_scores(
    prep: Prepared,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    syn_idx: np.ndarray,
    *,
    seed: int,
) -> tuple[pd.DataFrame, list[str]]:
    """TRTR, TSTR and augmented PR-AUC / ROC AUC on the real test rows."""
    notes: list[str] = []
    X_te, y_te = model_frame(prep, "real", test_idx), prep.y_real[test_idx]
    X_tr, y_tr = model_frame(prep, "real", train_idx), prep.y_real[train_idx]
    X_syn, y_syn = model_frame(prep, "synthetic", syn_idx), prep.y_synthetic[syn_idx]
    rows = []
    base = float(y_te.mean())

    def add(setting: str, Xa: pd.DataFrame | None, ya: np.ndarray | None, why: str = "") -> None:
        if Xa is None:
            rows.append(
                {
                    "setting": setting,
                    "train_rows": 0,
                    "train_positives": 0,
                    "pr_auc": np.nan,
                    "roc_auc": np.nan,
                }
            )
            notes.append(f"utility {setting}: {why}")
            return
        pr, roc = _fit_score(Xa, ya, X_te, y_te, seed)
        rows.append(
            {
                "setting": setting,
                "train_rows": len(ya),
                "train_positives": int(ya.sum()),
                "pr_auc": pr,
                "roc_auc": roc,
            }
        )

    add("TRTR (real)", X_tr, y_tr)
    if len(np.unique(y_syn)) == 2:
        add("TSTR (synthetic)", X_syn, y_syn)
    else:
        add(
            "TSTR (synthetic)",
            None,
            None,
            "the synthetic rows hold one class only, so a model cannot be trained on them alone; "
            "read the augmented row instead.",
        )
    add("augmented (real + synthetic)", _concat([X_tr, X_syn]), np.r_[y_tr, y_syn])
    table = pd.DataFrame(rows)
    table["test_rows"] = len(y_te)
    table["test_positive_share"] = base
    return table, notes
