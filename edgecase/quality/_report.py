"""``evaluate`` and the :class:`QualityReport` it returns."""

from __future__ import annotations

import numbers
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from edgecase._io import Section, dumps, write_html
from edgecase._random import RandomStateLike, spawn
from edgecase._validate import check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.quality import _constraints
from edgecase.quality._prep import Prepared, prepare, subsample
from edgecase.quality.fidelity import association_matrix, column_fidelity, tail_quantiles
from edgecase.quality.privacy import privacy_metrics, row_hashes
from edgecase.quality.utility import XGB_PARAMS, detection_auc, model_frame, utility_scores

__all__ = ["QualityReport", "evaluate", "THRESHOLDS"]

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


@dataclass
class QualityReport:
    """Fidelity, detection, privacy, utility and constraint results of one synthetic table.

    Produced by :func:`evaluate`; read :meth:`summary` first. Tables are pandas
    DataFrames; ``*_minority`` fields are None without a target.
    """

    fidelity: pd.DataFrame
    tails: pd.DataFrame
    association_real: pd.DataFrame
    association_synthetic: pd.DataFrame
    association_diff: pd.DataFrame
    detection: dict[str, dict[str, float]]
    privacy: dict[str, float]
    constraints: pd.DataFrame
    constraint_shares: dict[str, float]
    fidelity_minority: pd.DataFrame | None = None
    tails_minority: pd.DataFrame | None = None
    association_diff_minority: pd.DataFrame | None = None
    utility: pd.DataFrame | None = None
    schema_check: dict[str, str] = field(default_factory=dict)
    schema_violations: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    sampling: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    privacy_samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ summary
    def _numeric_mask(self, diff: pd.DataFrame) -> np.ndarray:
        num = np.array([self.meta["kinds"][c] == "numeric" for c in diff.columns])
        return np.outer(num, num)

    def summary(self) -> pd.DataFrame:
        """One table: area, metric, value, what is ideal, and whether it is flagged."""
        t = THRESHOLDS
        rows: list[tuple[str, str, float, str, bool]] = []

        def add(area: str, metric: str, value: float, ideal: str, flag: bool = False) -> None:
            rows.append((area, metric, float(value), ideal, bool(flag and np.isfinite(value))))

        def fid(
            area: str,
            table: pd.DataFrame | None,
            tails: pd.DataFrame | None,
            diff: pd.DataFrame | None,
        ) -> None:
            if table is None:
                return
            score = float(table["score"].mean()) if len(table) else float("nan")
            add(area, "column score (mean of 1-KS / 1-TV)", score, "1", score < t["fidelity_score"])
            add(
                area,
                "worst column score",
                float(table["score"].min()) if len(table) else np.nan,
                "1",
            )
            if diff is not None and len(diff):
                m = self._numeric_mask(diff)
                add(
                    area,
                    "correlation |diff| (numeric pairs)",
                    _nanmean_abs(diff, m),
                    "0",
                    _nanmean_abs(diff, m) > t["association_mae"],
                )
                add(
                    area,
                    "association |diff| (pairs with a categorical)",
                    _nanmean_abs(diff, ~m),
                    "0",
                    _nanmean_abs(diff, ~m) > t["association_mae"],
                )
            if tails is not None and len(tails):
                err = float(np.nanmean(np.abs(tails["error_sd"])))
                add(
                    area,
                    "tail quantile |error| (sd, 1/99/99.9%)",
                    err,
                    "0",
                    err > t["tail_error_sd"],
                )

        fid("fidelity", self.fidelity, self.tails, self.association_diff)
        fid(
            "fidelity (minority)",
            self.fidelity_minority,
            self.tails_minority,
            self.association_diff_minority,
        )
        if self.meta.get("target") is not None:
            add("fidelity", "positive share real", self.meta["positive_share_real"], "-")
            add("fidelity", "positive share synthetic", self.meta["positive_share_synthetic"], "-")
        for name, d in self.detection.items():
            add(
                "detection",
                f"real-vs-synthetic AUC ({name})",
                d["auc"],
                "0.5",
                d["auc"] > t["detection_auc"],
            )
        p = self.privacy
        copy_limit = max(t["exact_copy_min"], 2 * p["real_duplicate_share"])
        add(
            "privacy",
            "exact copies of real rows (share)",
            p["exact_copy_share"],
            f"<= {p['real_duplicate_share']:.3g} (real holdout)",
            p["exact_copy_share"] > copy_limit,
        )
        add("privacy", "real rows copied (share)", p["real_rows_copied_share"], "0")
        add(
            "privacy",
            "closer than holdout 5% DCR (share)",
            p["share_closer_than_holdout_p5"],
            "0.05",
            p["share_closer_than_holdout_p5"] > t["closer_than_holdout_p5"],
        )
        add("privacy", "median DCR synthetic / holdout", p["dcr_ratio_median"], ">= 1")
        add(
            "privacy",
            "median NNDR synthetic",
            p["nndr_synthetic_median"],
            f"~{p['nndr_holdout_median']:.3g} (holdout)",
        )
        add(
            "privacy",
            "membership-inference AUC",
            p["membership_auc"],
            "0.5",
            p["membership_auc"] > t["membership_auc"],
        )
        if "minority_exact_copy_share" in p:
            add(
                "privacy",
                "exact copies of real rows (minority, share)",
                p["minority_exact_copy_share"],
                "0",
                p["minority_exact_copy_share"] > t["exact_copy_min"],
            )
        if "minority_share_closer_than_holdout_p5" in p:
            add(
                "privacy",
                "closer than holdout 5% DCR (minority, share)",
                p["minority_share_closer_than_holdout_p5"],
                "0.05",
                p["minority_share_closer_than_holdout_p5"] > t["closer_than_holdout_p5"],
            )
        if self.utility is not None:
            u = self.utility.set_index("setting")["pr_auc"]
            trtr, tstr, aug = (
                u.get("TRTR (real)"),
                u.get("TSTR (synthetic)"),
                u.get("augmented (real + synthetic)"),
            )
            add("utility", "PR-AUC TRTR", trtr, "-")
            add("utility", "PR-AUC TSTR", tstr, "~TRTR")
            ratio = tstr / trtr if trtr and np.isfinite(tstr) else float("nan")
            add("utility", "TSTR / TRTR", ratio, "1", ratio < t["utility_ratio"])
            add("utility", "PR-AUC augmented", aug, ">= TRTR")
            add(
                "utility",
                "PR-AUC no-skill (test positive share)",
                float(self.utility["test_positive_share"].iloc[0]),
                "-",
            )
        add(
            "constraints",
            "rows breaking a hard rule (share)",
            self.constraint_shares["violation_share"],
            "0",
            self.constraint_shares["violation_share"] > 0,
        )
        add(
            "constraints",
            "rows outside the observed range (share)",
            self.constraint_shares["outside_range_share"],
            "-",
        )
        if self.schema_violations is not None:
            n_bad = float(self.schema_violations.get("n_rows", pd.Series(dtype=float)).sum())
            add("constraints", "schema violations (row x rule)", n_bad, "0", n_bad > 0)
        return pd.DataFrame(rows, columns=["area", "metric", "value", "ideal", "flag"])

    @property
    def flags(self) -> list[str]:
        """``"area: metric"`` of every flagged summary row (see :data:`THRESHOLDS`)."""
        s = self.summary()
        return [f"{a}: {m}" for a, m in s.loc[s["flag"], ["area", "metric"]].itertuples(False)]

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """Everything except the raw distance samples, JSON-ready via edgecase.report."""
        return {
            "summary": self.summary(),
            "flags": self.flags,
            "fidelity": self.fidelity,
            "fidelity_minority": self.fidelity_minority,
            "tails": self.tails,
            "tails_minority": self.tails_minority,
            "association_diff": _matrix_records(self.association_diff),
            "association_diff_minority": _matrix_records(self.association_diff_minority),
            "detection": self.detection,
            "privacy": self.privacy,
            "utility": self.utility,
            "constraints": self.constraints,
            "constraint_shares": self.constraint_shares,
            "schema_check": self.schema_check,
            "schema_violations": self.schema_violations,
            "notes": self.notes,
            "sampling": self.sampling,
            "meta": {k: v for k, v in self.meta.items() if k not in ("kinds", "seconds")},
        }

    def to_json(self) -> str:
        """The report as JSON text (NaN becomes null)."""
        return dumps(self.to_dict())

    def plot(self) -> Any:
        """Figure with column scores, tail errors, association differences, DCR, AUCs, utility."""
        from edgecase.quality.plots import plot_quality

        return plot_quality(self)

    def to_html(self, path: str | Path) -> Path:
        """Write a self-contained HTML report (tables + the :meth:`plot` figure)."""
        sections = [
            Section(
                "Summary",
                "Flagged: "
                + (", ".join(self.flags) or "nothing")
                + "\n\n"
                + "\n\n".join(self.notes),
                [self.summary()],
                [self.plot()],
            ),
            Section(
                "Fidelity per column",
                "KS for numeric, total variation for categorical.",
                [t for t in (self.fidelity, self.fidelity_minority) if t is not None],
            ),
            Section(
                "Tail quantiles",
                "Error in units of the real column's sd.",
                [t for t in (self.tails, self.tails_minority) if t is not None],
            ),
            Section(
                "Association matrix difference (synthetic - real)",
                "",
                [self.association_diff.round(4)],
            ),
            Section("Detection", "", [pd.DataFrame(self.detection).T]),
            Section("Privacy", "", [pd.Series(self.privacy, name="value").to_frame()]),
        ]
        if self.utility is not None:
            sections.append(Section("Utility", f"XGBoost {XGB_PARAMS}", [self.utility]))
        sections.append(
            Section(
                "Constraints",
                "\n\n".join(f"{k}: {v}" for k, v in self.schema_check.items()),
                [t for t in (self.constraints, self.schema_violations) if t is not None],
            )
        )
        sections.append(Section("Sampling", "\n\n".join(self.sampling) or "No subsampling."))
        meta = {k: v for k, v in self.meta.items() if k in ("n_real", "n_synthetic", "target")}
        return write_html(path, "Synthetic data quality", sections, meta=meta)


def _matrix_records(m: pd.DataFrame | None) -> Any:
    if m is None:
        return None
    return {str(r): {str(c): m.loc[r, c] for c in m.columns} for r in m.index}


def _split(
    prep: Prepared, test_size: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Reference (generator's side) and holdout rows of the real table."""
    if prep.holdout_mask is not None and prep.holdout_mask.any():
        return np.flatnonzero(~prep.holdout_mask), np.flatnonzero(prep.holdout_mask)
    n = len(prep.real)
    if n < 4:
        raise InvalidInputError(
            f"real has {n} row(s); at least 4 are needed to split it into reference and holdout parts."
        )
    if prep.y_real is None:
        perm = rng.permutation(n)
        n_hold = max(1, int(round(test_size * n)))
        return np.sort(perm[n_hold:]), np.sort(perm[:n_hold])
    ref, hold = [], []
    for cls in (0, 1):
        idx = np.flatnonzero(prep.y_real == cls)
        if len(idx) < 2:
            raise InvalidInputError(
                f"real[{prep.target!r}] has {len(idx)} row(s) of class {cls}; at least 2 are needed "
                "for a stratified reference/holdout split (or pass holdout=)."
            )
        idx = rng.permutation(idx)
        k = min(max(1, int(round(test_size * len(idx)))), len(idx) - 1)
        hold.append(idx[:k])
        ref.append(idx[k:])
    return np.sort(np.concatenate(ref)), np.sort(np.concatenate(hold))


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


def evaluate(
    real: Any,
    synthetic: Any,
    target: Hashable | None = None,
    random_state: RandomStateLike = None,
    *,
    holdout: Any = None,
    schema: Any = None,
    max_rows: int = 20_000,
    n_queries: int = 2_000,
    test_size: float = 0.25,
    n_folds: int = 3,
    progress: bool = True,
) -> QualityReport:
    """Fidelity, detection, privacy, utility and constraints of synthetic rows.

    Parameters
    ----------
    real : DataFrame
        The real rows the generator learned from. Numeric, bool, category and
        datetime columns (text must be ``category``); no NaN.
    synthetic : DataFrame
        Synthetic rows with the same columns and column kinds (any generator's
        output or a user's own table).
    target : column label, optional
        Binary label column present in both tables. Enables the minority-class
        fidelity, minority detection and utility. The synthetic table may hold
        one class only (e.g. minority variations).
    random_state : None, int or Generator
        Seeds the reference/holdout split, subsamples and the classifiers.
    holdout : DataFrame, optional
        Real rows the generator never saw. Without it, ``real`` is split
        (stratified by ``target``) into a reference part and a ``test_size``
        holdout; membership inference and TSTR are then only honest if the
        generator was fitted on the reference part alone (noted in the report).
    schema : object with ``check(df)``, optional
        A declared edgecase TableSchema; rules inferred from ``real`` are always checked too.
    max_rows : int
        Rows per side for the classifiers (detection and utility training sets).
    n_queries : int
        Query rows per nearest-neighbour search in the privacy metrics.
    test_size : float
        Holdout share when ``holdout`` is not given.
    n_folds : int
        Cross-validation folds of the detection classifier.
    progress : bool
        Show a tqdm bar over the five parts.

    Returns
    -------
    QualityReport

    Examples
    --------
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("yeast4")
    >>> real = X.assign(y=y)
    >>> rep = evaluate(real, real.copy(), target="y", random_state=0, progress=False)
    >>> rep.fidelity["score"].min(), rep.privacy["exact_copy_share"]
    (np.float64(1.0), 1.0)
    >>> "privacy: exact copies of real rows (share)" in rep.flags
    True
    """
    prep = prepare(real, synthetic, target, holdout)
    max_rows = check_scalar(max_rows, "max_rows", kind=numbers.Integral, low=20)
    n_queries = check_scalar(n_queries, "n_queries", kind=numbers.Integral, low=10)
    test_size = check_scalar(
        test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
    )
    n_folds = check_scalar(n_folds, "n_folds", kind=numbers.Integral, low=2)
    if schema is not None and not callable(getattr(schema, "check", None)):
        raise InvalidParameterError(
            f"schema must have a check(df) method (an edgecase TableSchema); "
            f"got {type(schema).__name__}."
        )
    g_split, g_priv, g_det, g_util = spawn(random_state, 4)
    seed_det = int(g_det.integers(2**31 - 1))
    seed_util = int(g_util.integers(2**31 - 1))
    notes: list[str] = []
    sampling: list[str] = ["fidelity, tails, associations and exact copies use all rows."]
    bar = tqdm(total=5, desc="quality", disable=not progress, leave=False)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def done(part: str) -> None:
        now = time.perf_counter()
        timings[part] = round(now - clock[0], 3)
        clock[0] = now
        bar.update()

    ref_idx, hold_idx = _split(prep, test_size, g_split)
    if prep.holdout_mask is None or not prep.holdout_mask.any():
        notes.append(
            f"no holdout given: real was split into {len(ref_idx):,} reference and {len(hold_idx):,} "
            "holdout rows. Membership inference and TSTR are honest only if the generator was "
            "fitted on the reference rows alone; pass holdout= for rows it never saw."
        )

    # fidelity: against the rows passed as `real` (a user's holdout only serves privacy/utility)
    feats = prep.features
    own = ~prep.holdout_mask
    if prep.y_real is not None and len(np.unique(prep.y_synthetic)) == 1:
        # minority-variation generators make one class: compare like with like, or every
        # whole-table metric would only measure the class balance
        cls = int(prep.y_synthetic[0])
        own = own & (prep.y_real == cls)
        notes.append(
            f"the synthetic rows are all class {cls}: whole-table fidelity and detection compare "
            f"them with the {int(own.sum()):,} real class-{cls} rows."
        )
    own_num = {c: v[own] for c, v in prep.num_real.items()}
    own_cat = {c: v[own] for c, v in prep.cat_real.items()}
    fid = column_fidelity(prep, own)
    tails = tail_quantiles(prep, own)
    a_real = association_matrix(own_num, own_cat, feats)
    a_syn = association_matrix(prep.num_synthetic, prep.cat_synthetic, feats)
    fid_min = tails_min = diff_min = None
    meta: dict[str, Any] = {
        "n_real": int((~prep.holdout_mask).sum()),
        "n_holdout_given": int(prep.holdout_mask.sum()),
        "n_synthetic": len(prep.synthetic),
        "target": target,
        "kinds": prep.kinds,
        "random_state": random_state if isinstance(random_state, int | None) else "Generator",
        "reference_rows": len(ref_idx),
        "holdout_rows": len(hold_idx),
        "seconds": timings,  # filled part by part below
    }
    if prep.y_real is not None:
        m_r, m_s = (prep.y_real == 1) & ~prep.holdout_mask, prep.y_synthetic == 1
        meta["positive_share_real"] = float(prep.y_real[~prep.holdout_mask].mean())
        meta["positive_share_synthetic"] = float(m_s.mean())
        if m_s.any():
            fid_min = column_fidelity(prep, m_r, m_s)
            tails_min = tail_quantiles(prep, m_r, m_s)
            sub_r = (
                {c: v[m_r] for c, v in prep.num_real.items()},
                {c: v[m_r] for c, v in prep.cat_real.items()},
            )
            sub_s = (
                {c: v[m_s] for c, v in prep.num_synthetic.items()},
                {c: v[m_s] for c, v in prep.cat_synthetic.items()},
            )
            diff_min = association_matrix(*sub_s, feats) - association_matrix(*sub_r, feats)
        else:
            notes.append(
                "the synthetic rows hold no minority (positive) rows: minority metrics are empty."
            )
    done("fidelity")

    # detection -------------------------------------------------------------
    half = max_rows // 2
    own_idx = np.flatnonzero(own)
    r_idx = own_idx[subsample(len(own_idx), half, g_det)]
    s_idx = subsample(len(prep.synthetic), half, g_det)
    all_cols = list(prep.real.columns)
    h_real, h_syn = row_hashes(prep, "real", all_cols), row_hashes(prep, "synthetic", all_cols)
    detection = {
        "all rows": detection_auc(
            model_frame(prep, "real", r_idx, with_target=True),
            model_frame(prep, "synthetic", s_idx, with_target=True),
            n_folds=n_folds,
            seed=seed_det,
            groups=np.r_[h_real[r_idx], h_syn[s_idx]],
        )
    }
    if len(r_idx) < len(own_idx) or len(s_idx) < len(prep.synthetic):
        sampling.append(
            f"detection: {len(r_idx):,} real and {len(s_idx):,} synthetic rows (random subsample)."
        )
    if prep.y_real is not None and prep.y_synthetic.any():
        mr = np.flatnonzero((prep.y_real == 1) & own)
        ms = np.flatnonzero(prep.y_synthetic == 1)
        mr, ms = mr[subsample(len(mr), half, g_det)], ms[subsample(len(ms), half, g_det)]
        hf_real, hf_syn = row_hashes(prep, "real", feats), row_hashes(prep, "synthetic", feats)
        detection["minority"] = detection_auc(
            model_frame(prep, "real", mr),
            model_frame(prep, "synthetic", ms),
            n_folds=n_folds,
            seed=seed_det,
            groups=np.r_[hf_real[mr], hf_syn[ms]],
        )
        if min(len(mr), len(ms)) < 30:
            notes.append(
                f"minority detection AUC rests on {len(mr)} real and {len(ms)} synthetic rows: noisy."
            )
    done("detection")

    # privacy -------------------------------------------------------------
    privacy, samples, priv_notes = privacy_metrics(
        prep, ref_idx, hold_idx, n_queries=n_queries, rng=g_priv
    )
    sampling.extend(priv_notes)
    done("privacy")

    # utility -------------------------------------------------------------
    util = None
    if prep.y_real is not None:
        if len(np.unique(prep.y_real[hold_idx])) < 2:
            notes.append("utility skipped: the holdout rows hold one class, PR-AUC is undefined.")
        else:
            tr = _stratified_cap(ref_idx, prep.y_real, max_rows, g_util)
            sy = _stratified_cap(
                np.arange(len(prep.synthetic)),
                prep.y_synthetic if len(np.unique(prep.y_synthetic)) == 2 else None,
                max_rows,
                g_util,
            )
            if len(tr) < len(ref_idx) or len(sy) < len(prep.synthetic):
                sampling.append(
                    f"utility: trained on {len(tr):,} of {len(ref_idx):,} real reference rows and "
                    f"{len(sy):,} of {len(prep.synthetic):,} synthetic rows (stratified subsample); "
                    f"tested on all {len(hold_idx):,} holdout rows."
                )
            util, u_notes = utility_scores(prep, tr, hold_idx, sy, seed=seed_util)
            notes.extend(u_notes)
    done("utility")

    # constraints -----------------------------------------------------------
    cons, shares = _constraints.inferred_constraints(prep)
    schema_check = {"inferred rules": "integer, >= 0 and known levels as in the real rows"}
    schema_table = None
    origin = "declared"
    if schema is None:
        real_rows = prep.real.iloc[np.flatnonzero(~prep.holdout_mask)]
        schema, origin = _constraints.infer_schema(real_rows)
    if schema is not None:
        status, msg, schema_table = _constraints.check_schema(schema, prep.synthetic)
        schema_check["edgecase schema"] = f"{origin}: {status}: {msg}"
    else:
        schema_check["edgecase schema"] = origin
    done("constraints")
    bar.close()

    return QualityReport(
        fidelity=fid,
        tails=tails,
        association_real=a_real,
        association_synthetic=a_syn,
        association_diff=a_syn - a_real,
        detection=detection,
        privacy=privacy,
        constraints=cons,
        constraint_shares=shares,
        fidelity_minority=fid_min,
        tails_minority=tails_min,
        association_diff_minority=diff_min,
        utility=util,
        schema_check=schema_check,
        schema_violations=schema_table,
        notes=notes,
        sampling=sampling,
        meta=meta,
        privacy_samples=samples,
    )
