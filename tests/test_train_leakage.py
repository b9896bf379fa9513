"""Proof that augmentation never sees a test row.

Canary minority rows (real positives shifted far outside the data, so any
interpolation toward them would stand out) are planted in fold 0's test part.
A recording wrapper around the sampler keeps what every fit_resample call was
given and returned. For each fold we then check that

1. no row of that fold's test part (canaries included) was handed to the sampler;
2. the sampler returned its input first, unchanged, then only minority rows;
3. every synthetic row has two parents among the minority rows it was given:
   read from ``parents_`` when the sampler publishes it (EdgeCaseOversampler's
   contract), otherwise found geometrically: the row lies on a segment between
   two of those rows (SMOTE-family interpolation, or a copy for random
   oversampling);
4. every synthetic row is closer to its parents' segment than to any canary.

Two negative controls show the check fails on the classic mistake (SMOTE on all
rows before splitting) and on a sampler that moves toward hidden rows.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.train import Trainer

N_CANARIES = 6


class SharedLog(list):
    """Survives sklearn.clone (which deep-copies parameters), so records reach the test."""

    def __deepcopy__(self, memo):
        return self


class RecordingSampler(BaseEstimator):
    """Wraps any sampler; logs each call's input, output and (if any) ``parents_``."""

    def __init__(self, sampler=None, log=None):
        self.sampler = sampler
        self.log = log

    def fit_resample(self, X, y):
        inner = clone(self.sampler)
        Xr, yr = inner.fit_resample(X, y)
        parents = getattr(inner, "parents_", None)
        self.log.append(
            {
                "X_in": X.copy(),
                "y_in": np.asarray(y).copy(),
                "X_out": Xr.copy(),
                "y_out": np.asarray(yr).copy(),
                "parents": None if parents is None else np.asarray(parents).copy(),
            }
        )
        if parents is not None:
            self.parents_ = parents
        return Xr, yr


class MidpointOversampler(BaseEstimator):
    """Test double of the ``parents_`` contract: random minority pairs, a point between them."""

    def __init__(self, n_new=50, random_state=None, toward=None):
        self.n_new = n_new
        self.random_state = random_state
        self.toward = toward  # hidden rows to drift toward: the deliberately leaky variant

    def fit_resample(self, X, y):
        rng = np.random.default_rng(self.random_state)
        y = np.asarray(y)
        pos = np.flatnonzero(y == 1)
        parents = rng.choice(pos, size=(self.n_new, 2))
        a = X.to_numpy(dtype=float)[parents[:, 0]]
        b = X.to_numpy(dtype=float)[parents[:, 1]]
        new = a + rng.uniform(0, 1, (self.n_new, 1)) * (b - a)
        if self.toward is not None:
            hidden = self.toward.to_numpy(dtype=float)
            new = new + 0.9 * (hidden[rng.integers(0, len(hidden), self.n_new)] - new)
        self.parents_ = parents
        X_new = pd.DataFrame(new, columns=X.columns)
        return (
            pd.concat([X, X_new], ignore_index=True),
            np.r_[y, np.ones(self.n_new, dtype=y.dtype)],
        )


def segment_residual(S, A, B):
    """Distance of each row of S to the segment [A_i, B_i] (row-wise)."""
    V = B - A
    vv = np.einsum("ij,ij->i", V, V)
    lam = np.where(vv > 0, np.einsum("ij,ij->i", S - A, V) / np.where(vv > 0, vv, 1), 0.0)
    lam = np.clip(lam, 0.0, 1.0)
    return np.linalg.norm(S - A - lam[:, None] * V, axis=1)


def geometric_parents(S, M, tol=1e-9):
    """For each synthetic row (S), the pair of rows of M whose segment passes through it.

    Exhaustive over all ordered pairs: the squared distance to every segment comes
    from matrix products (fast, slightly rounded); the best pair's distance is then
    recomputed exactly. Fails the test if a synthetic row lies on no segment.
    """
    centre = M.mean(axis=0)
    S, M = S - centre, M - centre
    q = len(M)
    ii, jj = np.meshgrid(np.arange(q), np.arange(q), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    A, V = M[ii], M[jj] - M[ii]
    vv = np.einsum("ij,ij->i", V, V)
    aa, av = np.einsum("ij,ij->i", A, A), np.einsum("ij,ij->i", A, V)
    out = np.empty((len(S), 2), dtype=np.intp)
    for start in range(0, len(S), 512):
        s = S[start : start + 512]
        dd = (s * s).sum(1)[:, None] - 2 * s @ A.T + aa[None]  # |s - a|^2
        dv = s @ V.T - av[None]  # (s - a) . v
        lam = np.clip(np.where(vv > 0, dv / np.where(vv > 0, vv, 1), 0.0), 0.0, 1.0)
        best = (dd - 2 * lam * dv + lam**2 * vv[None]).argmin(axis=1)
        exact = segment_residual(s, A[best], A[best] + V[best])
        assert exact.max() <= tol, (
            f"a synthetic row lies on no segment of in-fold minority rows ({exact.max():.3g})"
        )
        out[start : start + len(s)] = np.c_[ii[best], jj[best]]
    return out


def assert_resampled_without_leak(rec, test_positions, hidden, scale, canaries):
    """Checks 1-4 of the module docstring on one recorded fit_resample call.

    ``hidden`` are the fold's test rows that no training row duplicates (the
    canaries among them for fold 0): none may be given to the sampler. A
    synthetic row found on its parents' segment must be nearer to it than to any
    hidden row; a sampler that reports ``parents_`` may jitter rows off the
    segment (EdgeCaseOversampler's severity), so its rows are held to the
    distant canaries only.
    """
    X_in, y_in, X_out, y_out = rec["X_in"], rec["y_in"], rec["X_out"], rec["y_out"]
    num = [c for c in X_in.columns if pd.api.types.is_numeric_dtype(X_in[c].dtype)]
    cat = [c for c in X_in.columns if c not in num]
    # 1. No test row reached the sampler: by position (the trainer keeps row labels) and by value.
    assert not set(X_in.index) & set(test_positions)
    hidden_keys = set(map(tuple, hidden[num].round(9).to_numpy()))
    assert not hidden_keys & set(map(tuple, X_in[num].round(9).to_numpy()))
    # 2. Originals first and unchanged, then only minority rows.
    n_in = len(X_in)
    pd.testing.assert_frame_equal(
        X_out.iloc[:n_in].reset_index(drop=True), X_in.reset_index(drop=True), check_dtype=False
    )
    np.testing.assert_array_equal(y_out[:n_in], y_in)
    syn = X_out.iloc[n_in:].reset_index(drop=True)
    assert len(syn) > 0 and (y_out[n_in:] == 1).all()
    # 3. Every synthetic row has two minority parents among the rows given to the sampler.
    Z_in = X_in[num].to_numpy(dtype=float) / scale
    Z_syn = syn[num].to_numpy(dtype=float) / scale
    pos = np.flatnonzero(y_in == 1)
    if rec["parents"] is not None:
        parents = rec["parents"]
        assert parents.shape == (len(syn), 2)
        assert parents.min() >= 0 and parents.max() < n_in
    else:
        parents = pos[geometric_parents(Z_syn, Z_in[pos])]
    assert (y_in[parents] == 1).all()
    for c in cat:  # a synthetic category is one its parents' neighbourhood had
        assert set(syn[c].astype(object)) <= set(X_in.loc[y_in == 1, c].astype(object))
    # 4. Closer to its own parents than to any hidden row: nothing drifted toward test rows.
    own = segment_residual(Z_syn, Z_in[parents[:, 0]], Z_in[parents[:, 1]])
    if rec["parents"] is not None:
        keys = set(map(tuple, canaries[num].round(9).to_numpy()))
        in_hidden = [tuple(r) in keys for r in hidden[num].round(9).to_numpy()]
        hidden = hidden[np.asarray(in_hidden, dtype=bool)]
    if len(hidden):
        Z_hid = hidden[num].to_numpy(dtype=float) / scale
        to_hidden = np.linalg.norm(Z_syn[:, None, :] - Z_hid[None], axis=2).min(axis=1)
        assert (own < to_hidden).all(), "a synthetic row is nearer to a test row than its parents"
    return parents


def held_out_rows(X_all, te, X_in):
    """Test rows whose values no training row repeats (KEEL sets contain duplicate rows)."""
    num = [c for c in X_all.columns if pd.api.types.is_numeric_dtype(X_all[c].dtype)]
    seen = set(map(tuple, X_in[num].round(9).to_numpy()))
    rows = X_all.iloc[te]
    keep = [tuple(r) not in seen for r in rows[num].round(9).to_numpy()]
    return rows[np.asarray(keep, dtype=bool)]


def plant_canaries(X, y, seed=0):
    """Real positives moved 5 column ranges away: a tight, distant cluster of test-only rows."""
    rng = np.random.default_rng(seed)
    src = X[y.to_numpy() == 1].sample(N_CANARIES, random_state=seed)
    num = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c].dtype)]
    span = (X[num].max() - X[num].min()).to_numpy()
    canaries = src.copy()
    canaries[num] = src[num].to_numpy() + 5 * span + rng.normal(0, 0.01, (N_CANARIES, len(num)))
    X_all = pd.concat([X, canaries], ignore_index=True)
    y_all = pd.concat([y, pd.Series(np.ones(N_CANARIES, dtype=y.dtype), name=y.name)])
    y_all = y_all.reset_index(drop=True)
    can_pos = np.arange(len(X), len(X_all))
    # Folds of the real rows; the canaries join fold 0's test part (and the others' training).
    base = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))
    splits = [
        (tr, np.r_[te, can_pos]) if k == 0 else (np.r_[tr, can_pos], te)
        for k, (tr, te) in enumerate(base)
    ]
    return X_all, y_all, canaries, splits, span


def make_inner(name):
    from imblearn.over_sampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler

    if name == "edgecase":
        fraud = pytest.importorskip("edgecase.fraud", reason="EdgeCaseOversampler not merged yet")
        return fraud.EdgeCaseOversampler(random_state=0)
    return {
        "smote": SMOTE(random_state=0),
        "borderline": BorderlineSMOTE(random_state=0),
        "adasyn": ADASYN(random_state=0),
        "random": RandomOverSampler(random_state=0),
        "smotenc": SMOTENC(categorical_features=["Sex"], random_state=0),
        "midpoint": MidpointOversampler(random_state=0),
    }[name]


def _edgecase_available():
    try:
        return hasattr(importlib.import_module("edgecase.fraud"), "EdgeCaseOversampler")
    except ImportError:
        return False


@pytest.mark.parametrize(
    ("dataset", "name"),
    [
        ("yeast4", "smote"),
        ("yeast4", "borderline"),
        ("yeast4", "adasyn"),
        ("yeast4", "random"),
        ("yeast4", "midpoint"),
        ("abalone19", "smotenc"),
        pytest.param(
            "yeast4",
            "edgecase",
            marks=pytest.mark.skipif(
                not _edgecase_available(), reason="EdgeCaseOversampler not merged yet"
            ),
        ),
    ],
)
def test_canaries_in_a_test_fold_never_reach_its_training_data(dataset, name):
    X, y = load_keel(dataset)
    X_all, y_all, canaries, splits, span = plant_canaries(X, y)
    log = SharedLog()
    est = XGBClassifier(n_estimators=10, max_depth=3, n_jobs=1, enable_categorical=True)
    tr = Trainer(
        estimator=est,
        sampler=RecordingSampler(sampler=make_inner(name), log=log),
        cv=splits,
        random_state=0,
        progress=False,
    ).fit(X_all, y_all)
    assert len(log) == 4  # three folds, then the final refit on all rows
    for k, (_, te) in enumerate(splits):
        hidden = held_out_rows(X_all, te, log[k]["X_in"])
        if k == 0:
            assert len(hidden) >= N_CANARIES  # the canaries are always test-only rows
        parents = assert_resampled_without_leak(log[k], te, hidden, span, canaries)
        assert len(parents) > 0
    # The canaries were scored out-of-fold by fold 0, which never trained on them.
    assert (tr.oof_fold_[-N_CANARIES:] == 0).all()
    # The final refit legitimately uses every row, canaries included.
    assert len(log[3]["X_in"]) == len(X_all)


def test_check_catches_smote_before_the_split():
    """The classic notebook mistake: oversample everything, then split. The check must fail."""
    from imblearn.over_sampling import SMOTE

    X, y = load_keel("yeast4")
    X_all, y_all, canaries, splits, span = plant_canaries(X, y)
    tr_idx, te_idx = splits[0]
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_all, y_all)
    syn = X_res.iloc[len(X_all) :]
    # What a leaky pipeline trains fold 0 on: its training rows plus all synthetic rows.
    rec = {
        "X_in": X_all.iloc[tr_idx],
        "y_in": y_all.to_numpy()[tr_idx],
        "X_out": pd.concat([X_all.iloc[tr_idx], syn]),
        "y_out": np.r_[y_all.to_numpy()[tr_idx], np.ones(len(syn), dtype=np.int8)],
        "parents": None,
    }
    with pytest.raises(AssertionError, match="no segment"):
        assert_resampled_without_leak(rec, te_idx, canaries, span, canaries)


def test_check_catches_a_sampler_that_drifts_toward_hidden_rows():
    X, y = load_keel("yeast4")
    X_all, y_all, canaries, splits, span = plant_canaries(X, y)
    tr_idx, te_idx = splits[0]
    log = SharedLog()
    leaky = RecordingSampler(sampler=MidpointOversampler(random_state=0, toward=canaries), log=log)
    leaky.fit_resample(X_all.iloc[tr_idx], y_all.to_numpy()[tr_idx])
    with pytest.raises(AssertionError):
        assert_resampled_without_leak(log[0], te_idx, canaries, span, canaries)
    # The honest version of the same sampler passes.
    log.clear()
    RecordingSampler(sampler=MidpointOversampler(random_state=0), log=log).fit_resample(
        X_all.iloc[tr_idx], y_all.to_numpy()[tr_idx]
    )
    assert_resampled_without_leak(log[0], te_idx, canaries, span, canaries)
