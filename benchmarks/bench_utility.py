"""Does oversampling help XGBoost? PR-AUC on 12 KEEL sets, resampling inside training folds only.

Protocol: repeated stratified CV (5 folds x 2 repeats, fixed seeds); in each
fold the sampler sees only the training rows; XGBoost with fixed parameters
(2 threads); PR-AUC (average precision) on the untouched test fold. Every
method ends with the same model input (one-hot categories + numeric columns):
SMOTE, BorderlineSMOTE and ADASYN resample the one-hot matrix (they cannot read
categories), the others resample the native table.

Run: ``.venv/bin/python -m benchmarks.bench_utility`` (``--sets a,b``, ``--no-record``).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler
from sklearn.metrics import average_precision_score
from sklearn.model_selection import RepeatedStratifiedKFold
from xgboost import XGBClassifier

from benchmarks._results import peak_rss_mb, record
from edgecase.datasets import load_keel
from edgecase.fraud import EdgeCaseOversampler

FAILURES: list[str] = []

SETS = [
    "yeast4",
    "yeast5",
    "page-blocks0",
    "shuttle-c0-vs-c4",
    "glass5",
    "vowel0",
    "segment0",
    "abalone9-18",
    "kr-vs-k-zero_vs_eight",
    "winequality-white-3_vs_7",
    "kddcup-buffer_overflow_vs_back",
    "poker-8_vs_6",
]
METHODS = [
    "none",
    "scale_pos_weight",
    "RandomOverSampler",
    "SMOTE",
    "BorderlineSMOTE",
    "ADASYN",
    "SMOTENC",
    "EdgeCaseOversampler",
]
XGB_PARAMS = dict(
    n_estimators=200,
    max_depth=4,
    learning_rate=0.1,
    subsample=0.8,
    colsample_bytree=0.8,
    tree_method="hist",
    n_jobs=2,
    random_state=0,
)
N_SPLITS, N_REPEATS, K = 5, 2, 5


def _one_hot(X: pd.DataFrame) -> pd.DataFrame:
    cats = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return X.astype(np.float64)
    # fixed category lists give the same columns in every fold
    return pd.get_dummies(X, columns=cats, dtype=np.float64).astype(np.float64)


def _fold(method: str, X_tr, y_tr, X_te, seed: int) -> np.ndarray | None:
    mixed = any(isinstance(d, pd.CategoricalDtype) for d in X_tr.dtypes)
    all_cat = all(isinstance(d, pd.CategoricalDtype) for d in X_tr.dtypes)
    params = dict(XGB_PARAMS)
    if method == "none":
        Xr, yr = X_tr, y_tr
    elif method == "scale_pos_weight":
        Xr, yr = X_tr, y_tr
        params["scale_pos_weight"] = float((y_tr == 0).sum() / max((y_tr == 1).sum(), 1))
    elif method == "RandomOverSampler":
        Xr, yr = RandomOverSampler(random_state=seed).fit_resample(X_tr, y_tr)
    elif method in ("SMOTE", "BorderlineSMOTE", "ADASYN"):
        cls = {"SMOTE": SMOTE, "BorderlineSMOTE": BorderlineSMOTE, "ADASYN": ADASYN}[method]
        kw = {"n_neighbors": K} if method == "ADASYN" else {"k_neighbors": K}
        Xr, yr = cls(random_state=seed, **kw).fit_resample(_one_hot(X_tr), y_tr)
        model = XGBClassifier(**params).fit(Xr.to_numpy(), np.asarray(yr))
        return model.predict_proba(_one_hot(X_te).to_numpy())[:, 1]
    elif method == "SMOTENC":
        if not mixed or all_cat:
            return None
        Xr, yr = SMOTENC(
            categorical_features="auto", k_neighbors=K, random_state=seed
        ).fit_resample(X_tr, y_tr)
    elif method == "EdgeCaseOversampler":
        Xr, yr = EdgeCaseOversampler(k_neighbors=K, random_state=seed).fit_resample(X_tr, y_tr)
    else:
        raise ValueError(method)
    model = XGBClassifier(**params).fit(_one_hot(Xr).to_numpy(), np.asarray(yr))
    return model.predict_proba(_one_hot(X_te).to_numpy())[:, 1]


def evaluate(name: str) -> dict[str, list[float]]:
    X, y = load_keel(name)
    y = y.astype(int)
    cv = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=N_REPEATS, random_state=0)
    scores: dict[str, list[float]] = {m: [] for m in METHODS}
    for f, (tr, te) in enumerate(cv.split(X, y)):
        X_tr, X_te = X.iloc[tr].reset_index(drop=True), X.iloc[te].reset_index(drop=True)
        y_tr, y_te = y.iloc[tr].reset_index(drop=True), y.iloc[te].to_numpy()
        for m in METHODS:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    p = _fold(m, X_tr, y_tr, X_te, seed=f)
            except (ValueError, RuntimeError) as exc:  # e.g. ADASYN finding no hard rows
                print(f"  {name} fold {f} {m} failed: {exc}", flush=True)
                FAILURES.append(f"{m} on {name} fold {f} ({str(exc).split('.')[0]})")
                p = None
            if p is not None:
                scores[m].append(average_precision_score(y_te, p))
    return scores


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args(argv)
    sets = args.sets.split(",")
    t0 = time.perf_counter()
    rows = {}
    for name in sets:
        ts = time.perf_counter()
        s = evaluate(name)
        rows[name] = {
            m: (np.mean(v), np.std(v, ddof=1), len(v)) if v else None for m, v in s.items()
        }
        line = "  ".join(f"{m[:10]}={r[0]:.3f}" for m, r in rows[name].items() if r is not None)
        print(f"{name} ({time.perf_counter() - ts:.0f}s): {line}", flush=True)
    means = pd.DataFrame(
        {n: {m: (r[0] if r else np.nan) for m, r in rs.items()} for n, rs in rows.items()}
    ).T[METHODS]
    ranks = means.rank(axis=1, ascending=False)  # NaN (not applicable) stays unranked
    mean_rank = ranks.mean()
    header = "| set | " + " | ".join(METHODS) + " |\n|---|" + "---|" * len(METHODS) + "\n"
    lines = []
    for n, rs in rows.items():
        cells = []
        for m in METHODS:
            r = rs[m]
            cells.append("n/a" if r is None else f"{r[0]:.3f} ± {r[1]:.3f}")
        best = means.loc[n].idxmax()
        cells = [f"**{c}**" if m == best else c for c, m in zip(cells, METHODS, strict=True)]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines.append(
        "| **mean rank** (1 = best) | " + " | ".join(f"{mean_rank[m]:.2f}" for m in METHODS) + " |"
    )
    ours, none = means["EdgeCaseOversampler"], means["none"]
    sd_none = pd.Series({n: rows[n]["none"][1] for n in rows})
    below = [n for n in rows if ours[n] < none[n] - sd_none[n]]
    losses = [n for n in rows if ours[n] < means.loc[n].drop("EdgeCaseOversampler").max()]
    best_rank = mean_rank.idxmin()
    summary = (
        f"PR-AUC (average precision) mean ± sd over {N_SPLITS}-fold x {N_REPEATS} repeated "
        f"stratified CV; XGBoost {XGB_PARAMS}; k_neighbors={K} for every neighbour method; "
        "SMOTENC only on mixed numeric/categorical sets (n/a otherwise); SMOTE, "
        "BorderlineSMOTE and ADASYN run on one-hot encoded categories.\n\n"
        f"Best mean rank: **{best_rank}** ({mean_rank[best_rank]:.2f}); EdgeCaseOversampler "
        f"{mean_rank['EdgeCaseOversampler']:.2f}. Sets where EdgeCaseOversampler is more than one "
        f"sd below `none`: {below or 'none'}. Sets where some other column beats it: "
        f"{losses or 'none'}. Mean ranks average ties; SMOTENC is ranked only on the sets "
        f"where it applies. Failed folds (left out of that column's mean): "
        f"{FAILURES or 'none'}.\n\nTotal time {time.perf_counter() - t0:.0f} s, peak RSS "
        f"{peak_rss_mb():.0f} MB. The machine was shared with other jobs while this ran.\n\n"
    )
    body = summary + header + "\n".join(lines)
    print(body)
    if not args.no_record:
        record(
            "utility",
            "Oversampling utility for XGBoost on 12 KEEL sets (PR-AUC)",
            ".venv/bin/python -m benchmarks.bench_utility",
            body,
        )


if __name__ == "__main__":
    main()
