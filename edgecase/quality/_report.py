"""``evaluate`` and the :class:`QualityReport` it returns."""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from edgecase._io import Section, dumps, write_html
from edgecase._random import RandomStateLike, spawn
from edgecase._validate import check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.quality._areas import (
    THRESHOLDS,
    Constraints,
    Detection,
    Fidelity,
    Privacy,
    Utility,
    constraints_area,
    detection_area,
    fidelity_area,
    privacy_area,
    utility_area,
)
from edgecase.quality._prep import Prepared, prepare
from edgecase.quality.utility import XGB_PARAMS

__all__ = ["QualityReport", "evaluate", "THRESHOLDS"]


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
    def areas(self) -> tuple[Fidelity, Detection, Privacy, Utility, Constraints]:
        """The five area results this report was assembled from, in summary order."""
        target = self.meta.get("target") is not None
        fidelity = Fidelity(
            columns=self.fidelity,
            tails=self.tails,
            association_real=self.association_real,
            association_synthetic=self.association_synthetic,
            association_diff=self.association_diff,
            kinds=self.meta.get("kinds", {}),
            columns_minority=self.fidelity_minority,
            tails_minority=self.tails_minority,
            association_diff_minority=self.association_diff_minority,
            positive_share_real=self.meta["positive_share_real"] if target else None,
            positive_share_synthetic=self.meta["positive_share_synthetic"] if target else None,
        )
        return (
            fidelity,
            Detection(self.detection),
            Privacy(self.privacy, self.privacy_samples),
            Utility(self.utility),
            Constraints(
                self.constraints,
                self.constraint_shares,
                self.schema_check,
                self.schema_violations,
            ),
        )

    def summary(self) -> pd.DataFrame:
        """One table: area, metric, value, what is ideal, and whether it is flagged."""
        rows = [r for area in self.areas() for r in area.summary_rows()]
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
    n_jobs: int = 2,
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
    n_jobs : int, 1 or 2
        With 2, the privacy part (the nearest-neighbour searches, the costliest part)
        runs in a second thread beside the other four; with 1, the parts run one after
        another. Every part is single-threaded and has its own seed, so the report is
        the same either way, and so is the CPU time: only the wall time falls, on a
        machine with a free core.
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
    n_jobs = check_scalar(n_jobs, "n_jobs", kind=numbers.Integral, low=1, high=2)
    if schema is not None and not callable(getattr(schema, "check", None)):
        raise InvalidParameterError(
            f"schema must have a check(df) method (an edgecase TableSchema); "
            f"got {type(schema).__name__}."
        )
    g_split, g_priv, g_det, g_util = spawn(random_state, 4)
    ref_idx, hold_idx = _split(prep, test_size, g_split)
    notes: list[str] = []
    if prep.holdout_mask is None or not prep.holdout_mask.any():
        notes.append(
            f"no holdout given: real was split into {len(ref_idx):,} reference and {len(hold_idx):,} "
            "holdout rows. Membership inference and TSTR are honest only if the generator was "
            "fitted on the reference rows alone; pass holdout= for rows it never saw."
        )
    own, own_note = _own_rows(prep)
    notes.extend(own_note)

    jobs = {
        # fidelity: against the rows passed as `real` (a user's holdout only serves
        # privacy/utility)
        "fidelity": lambda: fidelity_area(prep, own),
        "detection": lambda: detection_area(prep, own, max_rows, n_folds, g_det),
        "privacy": lambda: privacy_area(prep, ref_idx, hold_idx, n_queries, g_priv),
        "utility": lambda: utility_area(prep, ref_idx, hold_idx, max_rows, g_util),
        "constraints": lambda: constraints_area(prep, schema),
    }
    parts, timings = _run_parts(jobs, "privacy" if n_jobs > 1 else None, progress)
    fidelity, detection, privacy = parts["fidelity"], parts["detection"], parts["privacy"]
    utility, constraints = parts["utility"], parts["constraints"]

    meta: dict[str, Any] = {
        "n_real": int((~prep.holdout_mask).sum()),
        "n_holdout_given": int(prep.holdout_mask.sum()),
        "n_synthetic": len(prep.synthetic),
        "target": target,
        "kinds": prep.kinds,
        "random_state": random_state if isinstance(random_state, int | None) else "Generator",
        "reference_rows": len(ref_idx),
        "holdout_rows": len(hold_idx),
        "seconds": timings,
    }
    if prep.y_real is not None:
        meta["positive_share_real"] = fidelity.positive_share_real
        meta["positive_share_synthetic"] = fidelity.positive_share_synthetic
    return QualityReport(
        fidelity=fidelity.columns,
        tails=fidelity.tails,
        association_real=fidelity.association_real,
        association_synthetic=fidelity.association_synthetic,
        association_diff=fidelity.association_diff,
        detection=detection.aucs,
        privacy=privacy.metrics,
        constraints=constraints.table,
        constraint_shares=constraints.shares,
        fidelity_minority=fidelity.columns_minority,
        tails_minority=fidelity.tails_minority,
        association_diff_minority=fidelity.association_diff_minority,
        utility=utility.table,
        schema_check=constraints.schema_check,
        schema_violations=constraints.schema_violations,
        notes=notes + fidelity.notes + detection.notes + utility.notes,
        sampling=[
            "fidelity, tails, associations and exact copies use all rows.",
            *detection.sampling,
            *privacy.sampling,
            *utility.sampling,
        ],
        meta=meta,
        privacy_samples=privacy.samples,
    )


def _own_rows(prep: Prepared) -> tuple[np.ndarray, list[str]]:
    """The real rows the synthetic ones are compared with, and a note when they are one class."""
    own = ~prep.holdout_mask
    if prep.y_real is None or len(np.unique(prep.y_synthetic)) != 1:
        return own, []
    # minority-variation generators make one class: compare like with like, or every
    # whole-table metric would only measure the class balance
    cls = int(prep.y_synthetic[0])
    own = own & (prep.y_real == cls)
    return own, [
        f"the synthetic rows are all class {cls}: whole-table fidelity and detection compare "
        f"them with the {int(own.sum()):,} real class-{cls} rows."
    ]


def _timed(job: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = job()
    return result, round(time.perf_counter() - start, 3)


def _run_parts(
    jobs: dict[str, Callable[[], Any]], background: str | None, progress: bool
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run the report's parts, each timed on its own, with a progress bar over them;
    ``background`` names one part that runs in a second thread meanwhile.

    The parts only read the prepared tables, each has its own seed and each runs on one
    thread, so the results do not depend on the overlap. BLAS is held at one thread
    around the whole run: the parts set that limit themselves, and threadpoolctl's limits
    are process-wide, so two threads leaving theirs in either order then both restore one
    thread instead of leaving the other's setting behind.
    """
    results: dict[str, tuple[Any, float]] = {}
    with (
        tqdm(total=len(jobs), desc="quality", disable=not progress, leave=False) as bar,
        threadpool_limits(1, user_api="blas"),
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        future = pool.submit(_timed, jobs[background]) if background else None
        for name, job in jobs.items():
            if name != background:
                results[name] = _timed(job)
                bar.update()
        if future is not None:
            results[background] = future.result()
            bar.update()
    return {k: results[k][0] for k in jobs}, {k: results[k][1] for k in jobs}
