"""The five areas of :func:`~edgecase.quality.evaluate`, one function and one result each.

Each ``*_area`` function measures one area on the prepared tables and returns a small
dataclass: its tables, its own notes and sampling remarks, and ``summary_rows()``, the
rows it contributes to :meth:`QualityReport.summary` (``area, metric, value, ideal, flag``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from edgecase.quality import _constraints
from edgecase.quality._prep import Prepared, subsample
from edgecase.quality.fidelity import association_matrix, column_fidelity, tail_quantiles
from edgecase.quality.privacy import privacy_metrics, row_hashes
from edgecase.quality.utility import detection_auc, model_frame, utility_scores

__all__ = [
    "THRESHOLDS",
    "Fidelity",
    "Detection",
    "Privacy",
    "Utility",
    "Constraints",
    "fidelity_area",
    "detection_area",
    "privacy_area",
    "utility_area",
    "constraints_area",
]

#: Where a summary metric gets flagged (documented, not tuned to any data set).
THRESHOLDS = {
    "fidelity_score": 0.8,  # flag below: mean over columns of 1 - KS / 1 - TV
    "association_mae": 0.1,  # flag above: mean |synthetic - real| of the association matrix
    "tail_error_sd": 0.5,  # flag above: mean |quantile error| in real sd at 1%, 99%, 99.9%
    "detection_auc": 0.9,  # flag above: a classifier separates synthetic from real
    "exact_copy_min": 0.01,  # flag above max(this, 2 x the real holdout's own duplicate share)
    "closer_than_holdout_p5": 0.10,  # flag above; 0.05 is what fresh real rows give
    "membership_auc": 0.6,  # flag above; 0.5 = nothing leaks
    "utility_ratio": 0.8,  # flag below: TSTR PR-AUC / TRTR PR-AUC
}

Row = tuple[str, str, float, str, bool]


def _row(area: str, metric: str, value: float, ideal: str, flag: bool = False) -> Row:
    return (area, metric, float(value), ideal, bool(flag and np.isfinite(value)))


def _nanmean_abs(df: pd.DataFrame | None, mask: np.ndarray | None = None) -> float:
    if df is None or df.empty:
        return float("nan")
    vals = df.to_numpy(dtype=float)
    off = ~np.eye(len(df), dtype=bool)
    if mask is not None:
        off &= mask
    v = np.abs(vals[off])
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else float("nan")


# ---------------------------------------------------------------------- fidelity
@dataclass
class Fidelity:
    """Per-column scores, tail quantiles and association matrices (whole table and minority)."""

    columns: pd.DataFrame
    tails: pd.DataFrame
    association_real: pd.DataFrame
    association_synthetic: pd.DataFrame
    association_diff: pd.DataFrame
    kinds: dict[str, str]
    columns_minority: pd.DataFrame | None = None
    tails_minority: pd.DataFrame | None = None
    association_diff_minority: pd.DataFrame | None = None
    positive_share_real: float | None = None
    positive_share_synthetic: float | None = None
    notes: list[str] = field(default_factory=list)

    def _numeric_mask(self, diff: pd.DataFrame) -> np.ndarray:
        num = np.array([self.kinds[c] == "numeric" for c in diff.columns])
        return np.outer(num, num)

    def _rows(self, area, table, tails, diff) -> list[Row]:
        t = THRESHOLDS
        if table is None:
            return []
        score = float(table["score"].mean()) if len(table) else float("nan")
        rows = [
            _row(
                area, "column score (mean of 1-KS / 1-TV)", score, "1", score < t["fidelity_score"]
            ),
            _row(
                area,
                "worst column score",
                float(table["score"].min()) if len(table) else np.nan,
                "1",
            ),
        ]
        if diff is not None and len(diff):
            m = self._numeric_mask(diff)
            for label, mask in (
                ("correlation |diff| (numeric pairs)", m),
                ("association |diff| (pairs with a categorical)", ~m),
            ):
                mae = _nanmean_abs(diff, mask)
                rows.append(_row(area, label, mae, "0", mae > t["association_mae"]))
        if tails is not None and len(tails):
            err = float(np.nanmean(np.abs(tails["error_sd"])))
            rows.append(
                _row(
                    area,
                    "tail quantile |error| (sd, 1/99/99.9%)",
                    err,
                    "0",
                    err > t["tail_error_sd"],
                )
            )
        return rows

    def summary_rows(self) -> list[Row]:
        rows = self._rows("fidelity", self.columns, self.tails, self.association_diff)
        rows += self._rows(
            "fidelity (minority)",
            self.columns_minority,
            self.tails_minority,
            self.association_diff_minority,
        )
        if self.positive_share_real is not None:
            rows.append(_row("fidelity", "positive share real", self.positive_share_real, "-"))
            rows.append(
                _row("fidelity", "positive share synthetic", self.positive_share_synthetic, "-")
            )
        return rows


def _minority(prep: Prepared, m_r: np.ndarray, m_s: np.ndarray) -> dict[str, Any]:
    feats = prep.features
    sub_r = (
        {c: v[m_r] for c, v in prep.num_real.items()},
        {c: v[m_r] for c, v in prep.cat_real.items()},
    )
    sub_s = (
        {c: v[m_s] for c, v in prep.num_synthetic.items()},
        {c: v[m_s] for c, v in prep.cat_synthetic.items()},
    )
    return {
        "columns_minority": column_fidelity(prep, m_r, m_s),
        "tails_minority": tail_quantiles(prep, m_r, m_s),
        "association_diff_minority": association_matrix(*sub_s, feats)
        - association_matrix(*sub_r, feats),
    }


def fidelity_area(prep: Prepared, own: np.ndarray) -> Fidelity:
    """Fidelity of the synthetic rows to the ``own`` real rows, and of the minority classes."""
    feats = prep.features
    own_num = {c: v[own] for c, v in prep.num_real.items()}
    own_cat = {c: v[own] for c, v in prep.cat_real.items()}
    a_real = association_matrix(own_num, own_cat, feats)
    a_syn = association_matrix(prep.num_synthetic, prep.cat_synthetic, feats)
    result = Fidelity(
        columns=column_fidelity(prep, own),
        tails=tail_quantiles(prep, own),
        association_real=a_real,
        association_synthetic=a_syn,
        association_diff=a_syn - a_real,
        kinds=prep.kinds,
    )
    if prep.y_real is None:
        return result
    m_r, m_s = (prep.y_real == 1) & ~prep.holdout_mask, prep.y_synthetic == 1
    result.positive_share_real = float(prep.y_real[~prep.holdout_mask].mean())
    result.positive_share_synthetic = float(m_s.mean())
    if m_s.any():
        for k, v in _minority(prep, m_r, m_s).items():
            setattr(result, k, v)
    else:
        result.notes.append(
            "the synthetic rows hold no minority (positive) rows: minority metrics are empty."
        )
    return result


# ---------------------------------------------------------------------- detection
@dataclass
class Detection:
    """Real-vs-synthetic classifier AUCs: ``aucs[name] = {"auc": ..., ...}``."""

    aucs: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)
    sampling: list[str] = field(default_factory=list)

    def summary_rows(self) -> list[Row]:
        cut = THRESHOLDS["detection_auc"]
        return [
            _row("detection", f"real-vs-synthetic AUC ({name})", d["auc"], "0.5", d["auc"] > cut)
            for name, d in self.aucs.items()
        ]


def detection_area(
    prep: Prepared, own: np.ndarray, max_rows: int, n_folds: int, rng: np.random.Generator
) -> Detection:
    """How well a classifier tells synthetic from the ``own`` real rows (and minority rows)."""
    seed = int(rng.integers(2**31 - 1))
    half = max_rows // 2
    own_idx = np.flatnonzero(own)
    r_idx = own_idx[subsample(len(own_idx), half, rng)]
    s_idx = subsample(len(prep.synthetic), half, rng)
    all_cols = list(prep.real.columns)
    h_real, h_syn = row_hashes(prep, "real", all_cols), row_hashes(prep, "synthetic", all_cols)
    result = Detection(
        aucs={
            "all rows": detection_auc(
                model_frame(prep, "real", r_idx, with_target=True),
                model_frame(prep, "synthetic", s_idx, with_target=True),
                n_folds=n_folds,
                seed=seed,
                groups=np.r_[h_real[r_idx], h_syn[s_idx]],
            )
        }
    )
    if len(r_idx) < len(own_idx) or len(s_idx) < len(prep.synthetic):
        result.sampling.append(
            f"detection: {len(r_idx):,} real and {len(s_idx):,} synthetic rows (random subsample)."
        )
    if prep.y_real is None or not prep.y_synthetic.any():
        return result
    feats = prep.features
    mr = np.flatnonzero((prep.y_real == 1) & own)
    ms = np.flatnonzero(prep.y_synthetic == 1)
    mr, ms = mr[subsample(len(mr), half, rng)], ms[subsample(len(ms), half, rng)]
    hf_real, hf_syn = row_hashes(prep, "real", feats), row_hashes(prep, "synthetic", feats)
    result.aucs["minority"] = detection_auc(
        model_frame(prep, "real", mr),
        model_frame(prep, "synthetic", ms),
        n_folds=n_folds,
        seed=seed,
        groups=np.r_[hf_real[mr], hf_syn[ms]],
    )
    if min(len(mr), len(ms)) < 30:
        result.notes.append(
            f"minority detection AUC rests on {len(mr)} real and {len(ms)} synthetic rows: noisy."
        )
    return result


# ---------------------------------------------------------------------- privacy
@dataclass
class Privacy:
    """Exact copies, distances to the closest record, NNDR and membership inference."""

    metrics: dict[str, float]
    samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    sampling: list[str] = field(default_factory=list)

    def summary_rows(self) -> list[Row]:
        t, p = THRESHOLDS, self.metrics
        copy_limit = max(t["exact_copy_min"], 2 * p["real_duplicate_share"])
        closer = t["closer_than_holdout_p5"]
        rows = [
            _row(
                "privacy",
                "exact copies of real rows (share)",
                p["exact_copy_share"],
                f"<= {p['real_duplicate_share']:.3g} (real holdout)",
                p["exact_copy_share"] > copy_limit,
            ),
            _row("privacy", "real rows copied (share)", p["real_rows_copied_share"], "0"),
            _row(
                "privacy",
                "closer than holdout 5% DCR (share)",
                p["share_closer_than_holdout_p5"],
                "0.05",
                p["share_closer_than_holdout_p5"] > closer,
            ),
            _row("privacy", "median DCR synthetic / holdout", p["dcr_ratio_median"], ">= 1"),
            _row(
                "privacy",
                "median NNDR synthetic",
                p["nndr_synthetic_median"],
                f"~{p['nndr_holdout_median']:.3g} (holdout)",
            ),
            _row(
                "privacy",
                "membership-inference AUC",
                p["membership_auc"],
                "0.5",
                p["membership_auc"] > t["membership_auc"],
            ),
        ]
        if "minority_exact_copy_share" in p:
            rows.append(
                _row(
                    "privacy",
                    "exact copies of real rows (minority, share)",
                    p["minority_exact_copy_share"],
                    "0",
                    p["minority_exact_copy_share"] > t["exact_copy_min"],
                )
            )
        if "minority_share_closer_than_holdout_p5" in p:
            rows.append(
                _row(
                    "privacy",
                    "closer than holdout 5% DCR (minority, share)",
                    p["minority_share_closer_than_holdout_p5"],
                    "0.05",
                    p["minority_share_closer_than_holdout_p5"] > closer,
                )
            )
        return rows


def privacy_area(
    prep: Prepared,
    ref_idx: np.ndarray,
    hold_idx: np.ndarray,
    n_queries: int,
    rng: np.random.Generator,
) -> Privacy:
    """Privacy of the synthetic rows against the reference rows, the holdout as yardstick."""
    metrics, samples, notes = privacy_metrics(prep, ref_idx, hold_idx, n_queries=n_queries, rng=rng)
    return Privacy(metrics=metrics, samples=samples, sampling=list(notes))


# ---------------------------------------------------------------------- utility
@dataclass
class Utility:
    """PR-AUC of models trained on real, synthetic and both, tested on the real holdout
    (``table`` is None without a target or when the holdout holds one class)."""

    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    sampling: list[str] = field(default_factory=list)

    def summary_rows(self) -> list[Row]:
        if self.table is None:
            return []
        u = self.table.set_index("setting")["pr_auc"]
        trtr, tstr, aug = (
            u.get("TRTR (real)"),
            u.get("TSTR (synthetic)"),
            u.get("augmented (real + synthetic)"),
        )
        ratio = tstr / trtr if trtr and np.isfinite(tstr) else float("nan")
        return [
            _row("utility", "PR-AUC TRTR", trtr, "-"),
            _row("utility", "PR-AUC TSTR", tstr, "~TRTR"),
            _row("utility", "TSTR / TRTR", ratio, "1", ratio < THRESHOLDS["utility_ratio"]),
            _row("utility", "PR-AUC augmented", aug, ">= TRTR"),
            _row(
                "utility",
                "PR-AUC no-skill (test positive share)",
                float(self.table["test_positive_share"].iloc[0]),
                "-",
            ),
        ]


def _stratified_cap(idx: np.ndarray, y: np.ndarray | None, size: int, rng) -> np.ndarray:
    if len(idx) <= size:
        return idx
    if y is None:
        return idx[subsample(len(idx), size, rng)]
    out = []
    for cls in (0, 1):
        part = idx[y[idx] == cls]
        k = max(1, int(round(size * len(part) / len(idx)))) if len(part) else 0
        out.append(part[subsample(len(part), k, rng)])
    return np.sort(np.concatenate(out))


def utility_area(
    prep: Prepared,
    ref_idx: np.ndarray,
    hold_idx: np.ndarray,
    max_rows: int,
    rng: np.random.Generator,
) -> Utility:
    """Train on real reference rows / synthetic rows / both, test on the holdout."""
    seed = int(rng.integers(2**31 - 1))
    result = Utility()
    if prep.y_real is None:
        return result
    if len(np.unique(prep.y_real[hold_idx])) < 2:
        result.notes.append(
            "utility skipped: the holdout rows hold one class, PR-AUC is undefined."
        )
        return result
    tr = _stratified_cap(ref_idx, prep.y_real, max_rows, rng)
    sy = _stratified_cap(
        np.arange(len(prep.synthetic)),
        prep.y_synthetic if len(np.unique(prep.y_synthetic)) == 2 else None,
        max_rows,
        rng,
    )
    if len(tr) < len(ref_idx) or len(sy) < len(prep.synthetic):
        result.sampling.append(
            f"utility: trained on {len(tr):,} of {len(ref_idx):,} real reference rows and "
            f"{len(sy):,} of {len(prep.synthetic):,} synthetic rows (stratified subsample); "
            f"tested on all {len(hold_idx):,} holdout rows."
        )
    result.table, u_notes = utility_scores(prep, tr, hold_idx, sy, seed=seed)
    result.notes.extend(u_notes)
    return result


# ---------------------------------------------------------------------- constraints
@dataclass
class Constraints:
    """Inferred hard rules per column, their shares, and the edgecase schema check."""

    table: pd.DataFrame
    shares: dict[str, float]
    schema_check: dict[str, str] = field(default_factory=dict)
    schema_violations: pd.DataFrame | None = None

    def summary_rows(self) -> list[Row]:
        s = self.shares
        rows = [
            _row(
                "constraints",
                "rows breaking a hard rule (share)",
                s["violation_share"],
                "0",
                s["violation_share"] > 0,
            ),
            _row(
                "constraints",
                "rows outside the observed range (share)",
                s["outside_range_share"],
                "-",
            ),
        ]
        if self.schema_violations is not None:
            n_bad = float(self.schema_violations.get("n_rows", pd.Series(dtype=float)).sum())
            rows.append(
                _row("constraints", "schema violations (row x rule)", n_bad, "0", n_bad > 0)
            )
        return rows


def constraints_area(prep: Prepared, schema: Any) -> Constraints:
    """Inferred rules, and ``schema`` (declared, or inferred from the real rows) checked."""
    table, shares = _constraints.inferred_constraints(prep)
    result = Constraints(
        table=table,
        shares=shares,
        schema_check={"inferred rules": "integer, >= 0 and known levels as in the real rows"},
    )
    origin = "declared"
    if schema is None:
        real_rows = prep.real.iloc[np.flatnonzero(~prep.holdout_mask)]
        schema, origin = _constraints.infer_schema(real_rows)
    if schema is None:
        result.schema_check["edgecase schema"] = origin
        return result
    status, msg, result.schema_violations = _constraints.check_schema(schema, prep.synthetic)
    result.schema_check["edgecase schema"] = f"{origin}: {status}: {msg}"
    return result
