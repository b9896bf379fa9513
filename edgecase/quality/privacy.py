"""Privacy: does the synthetic table give away real rows?

* exact copies: share of synthetic rows equal to a real row (all rows, by hash),
  next to the share of real holdout rows that equal a reference row (real data
  has its own duplicates; that is the baseline);
* distance to closest record (DCR): distance from a synthetic row to its
  nearest real reference row, compared with the same distance for real holdout
  rows. A generator as private as a fresh sample of real data puts about 5% of
  its rows closer than the holdout's 5% quantile;
* nearest-neighbour distance ratio (NNDR): nearest / second-nearest real
  distance; near 0 means a synthetic row sits on one particular real record;
* membership inference: an attacker scores each real row by its distance to
  the closest synthetic row; the AUC of telling reference rows (seen by the
  generator) from holdout rows (not seen) is 0.5 when nothing leaks.

Distances are Euclidean on numeric columns standardised by the real sd plus
one-hot levels (see :class:`~edgecase.quality._prep.Encoder`). Nearest-neighbour
searches run on a sample of query rows against the *full* reference or
synthetic table (exact brute force, :mod:`edgecase.quality._nearest`), so a copy
of any real row is found; only the number of query rows is capped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from edgecase.quality._nearest import knn_distances
from edgecase.quality._prep import MAX_ONE_HOT, Encoder, Prepared, subsample

__all__ = ["row_hashes", "exact_copy_share", "privacy_metrics"]


def row_hashes(prep: Prepared, side: str, columns: list[str]) -> np.ndarray:
    """uint64 hash per row of the prepared values (ints and floats of equal value hash equal)."""
    num = prep.num_real if side == "real" else prep.num_synthetic
    cat = prep.cat_real if side == "real" else prep.cat_synthetic
    data: dict[str, Any] = {}
    for c in columns:
        if c == prep.target:
            data[c] = prep.y_real if side == "real" else prep.y_synthetic
        else:
            data[c] = num[c] if c in num else cat[c]
    frame = pd.DataFrame({c: data[c] for c in columns})
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def exact_copy_share(query: np.ndarray, reference: np.ndarray) -> float:
    """Share of ``query`` row hashes found among ``reference`` row hashes."""
    if len(query) == 0:
        return float("nan")
    return float(np.isin(query, reference).mean())


def _knn(index: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    return knn_distances(index, query, k)


def _nndr(dist: np.ndarray) -> np.ndarray:
    if dist.shape[1] < 2:
        return np.full(len(dist), np.nan)
    d1, d2 = dist[:, 0], dist[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        # d2 == 0 implies d1 == 0: the row sits on (duplicated) real records, the riskiest case
        return np.where(d2 > 0, d1 / d2, 0.0)


def _dcr(
    enc: Encoder,
    prep: Prepared,
    ref_idx: np.ndarray,
    hold_idx: np.ndarray,
    syn_idx: np.ndarray,
    n_queries: int,
    rng: np.random.Generator,
) -> tuple[dict[str, float], dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """DCR and NNDR of (sampled) synthetic and holdout rows against all reference rows."""
    X_ref = enc.real(prep, ref_idx)
    q_syn = syn_idx[subsample(len(syn_idx), n_queries, rng)]
    q_hold = hold_idx[subsample(len(hold_idx), n_queries, rng)]
    d_syn = _knn(X_ref, enc.synthetic(prep, q_syn), 2)
    d_hold = _knn(X_ref, enc.real(prep, q_hold), 2)
    dcr_syn, dcr_hold = d_syn[:, 0], d_hold[:, 0]
    p5 = float(np.quantile(dcr_hold, 0.05))
    med_hold = float(np.median(dcr_hold))
    stats = {
        "dcr_synthetic_p5": float(np.quantile(dcr_syn, 0.05)),
        "dcr_synthetic_median": float(np.median(dcr_syn)),
        "dcr_holdout_p5": p5,
        "dcr_holdout_median": med_hold,
        "dcr_ratio_median": float(np.median(dcr_syn)) / med_hold if med_hold > 0 else float("nan"),
        # with duplicated real rows the holdout's 5% quantile can be 0: count exact hits then
        "share_closer_than_holdout_p5": float(np.mean(dcr_syn < p5))
        if p5 > 0
        else float(np.mean(dcr_syn <= 0)),
        "nndr_synthetic_median": float(np.nanmedian(_nndr(d_syn))),
        "nndr_holdout_median": float(np.nanmedian(_nndr(d_hold))),
    }
    return stats, {"dcr_synthetic": dcr_syn, "dcr_holdout": dcr_hold}, q_syn, q_hold


def privacy_metrics(
    prep: Prepared,
    ref_idx: np.ndarray,
    hold_idx: np.ndarray,
    *,
    n_queries: int,
    rng: np.random.Generator,
) -> tuple[dict[str, float], dict[str, np.ndarray], list[str]]:
    """Scalars, the distance samples behind them (for plots) and sampling notes."""
    cols = list(prep.real.columns)
    h_real = row_hashes(prep, "real", cols)
    h_syn = row_hashes(prep, "synthetic", cols)
    out: dict[str, float] = {
        "exact_copy_share": exact_copy_share(h_syn, h_real),
        "real_duplicate_share": exact_copy_share(h_real[hold_idx], h_real[ref_idx]),
        # of the rows passed as `real` (a user's holdout was never shown to the generator)
        "real_rows_copied_share": exact_copy_share(h_real[~prep.holdout_mask], h_syn),
    }
    notes = []
    enc = Encoder(prep)
    if enc.truncated:
        notes.append(
            f"one-hot of {enc.truncated} kept the {MAX_ONE_HOT - 1} most frequent levels; "
            "rarer levels share one 'other' column in distances."
        )
    stats, samples, q_syn, q_hold = _dcr(
        enc, prep, ref_idx, hold_idx, np.arange(len(prep.synthetic)), n_queries, rng
    )
    out.update(stats)
    if prep.y_real is not None:
        # the rare class is where one real person's row is easiest to give away
        pos = prep.y_real == 1
        syn_pos = np.flatnonzero(prep.y_synthetic == 1)
        r_pos, h_pos = ref_idx[pos[ref_idx]], hold_idx[pos[hold_idx]]
        out["minority_exact_copy_share"] = exact_copy_share(h_syn[syn_pos], h_real[pos])
        if len(r_pos) >= 2 and len(h_pos) >= 1 and len(syn_pos) >= 1:
            m_stats, _, _, _ = _dcr(enc, prep, r_pos, h_pos, syn_pos, n_queries, rng)
            out.update({f"minority_{k}": v for k, v in m_stats.items()})
    # membership inference: equal numbers of members (reference) and non-members (holdout)
    n_m = min(len(ref_idx), len(hold_idx), n_queries)
    members = ref_idx[subsample(len(ref_idx), n_m, rng)]
    nonmembers = hold_idx[subsample(len(hold_idx), n_m, rng)]
    X_syn = enc.synthetic(prep)
    d_m = _knn(X_syn, enc.real(prep, members), 1)[:, 0]
    d_n = _knn(X_syn, enc.real(prep, nonmembers), 1)[:, 0]
    labels = np.r_[np.ones(n_m), np.zeros(n_m)]
    out["membership_auc"] = float(roc_auc_score(labels, -np.r_[d_m, d_n])) if n_m else float("nan")
    out["n_dcr_queries"] = float(len(q_syn))
    out["n_membership_queries"] = float(2 * n_m)
    if len(q_syn) < len(prep.synthetic) or len(q_hold) < len(hold_idx):
        notes.append(
            f"DCR/NNDR: {len(q_syn):,} of {len(prep.synthetic):,} synthetic and {len(q_hold):,} of "
            f"{len(hold_idx):,} holdout rows queried against all {len(ref_idx):,} reference rows."
        )
    if n_m < max(len(ref_idx), len(hold_idx)):
        notes.append(
            f"membership inference: {n_m:,} reference and {n_m:,} holdout rows queried against all "
            f"{len(prep.synthetic):,} synthetic rows."
        )
    return out, samples, notes
