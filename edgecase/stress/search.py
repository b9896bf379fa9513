"""Reverse stress: the smallest severity that breaks a model, the smallest change that flips it.

* :func:`breaking_severity` bisects a scenario's severity for the point where a
  metric crosses the breaking threshold (a coarse grid first, so the first
  crossing is bracketed even when the curve is not monotone over the whole range).
* :func:`minimal_breaking_example` finds the smallest change to a caught fraud row
  that lets it through, changing only the features an attacker controls, in the
  directions they can move, within bounds. Hypothesis searches the space (and
  shrinks unchanged features back to their original value); each changed feature
  is then bisected toward its original value, because hypothesis shrinks toward
  "simple" numbers (0.25 where the boundary was 0.0245), not toward the smallest change.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator, as_seed_sequence
from edgecase._validate import (
    as_frame,
    check_finite,
    check_scalar,
    check_score_threshold,
)
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress import _metrics
from edgecase.stress._feature_kinds import FeatureKind, feature_kind
from edgecase.stress.harness import (
    DEPRECATED,
    StressHarness,
    check_breaking_threshold,
    check_model,
    check_threshold_options,
    check_X_labels,
    for_input,
    predict_scores,
    renamed_threshold,
    resolve_metric,
    resolve_scenarios,
    resolve_threshold,
)

__all__ = [
    "bisect_crossing",
    "breaking_severity",
    "SeverityBreak",
    "minimal_breaking_example",
    "BreakingExample",
]


def bisect_crossing(
    f: Callable[[float], float],
    target: float,
    low: float,
    high: float,
    *,
    decreasing: bool = True,
    tol: float = 1e-3,
    max_iter: int = 60,
) -> tuple[float, float, int]:
    """Bracket the crossing of ``f(x) = target`` on ``[low, high]`` by bisection.

    ``f(low)`` must be on the safe side and ``f(high)`` on the broken side
    (below ``target`` when ``decreasing``). Returns ``(lo, hi, n_calls)`` with
    ``hi - lo <= tol``; ``hi`` is the first point known to be broken.

    Examples
    --------
    >>> lo, hi, n = bisect_crossing(lambda x: 1 - x, 0.3, 0.0, 1.0, tol=1e-6)
    >>> round(hi, 5)
    0.7
    """
    sign = 1.0 if decreasing else -1.0
    n = 0
    while high - low > tol and n < max_iter:
        mid = 0.5 * (low + high)
        n += 1
        if sign * (f(mid) - target) < 0:
            high = mid
        else:
            low = mid
    return low, high, n


@dataclass
class SeverityBreak:
    """Result of :func:`breaking_severity`.

    ``severity`` is the smallest severity found broken (``inf`` if none in range),
    ``bracket`` the last safe and first broken severities, ``evaluations`` every
    (severity, value) computed.
    """

    scenario: str
    severity: float
    bracket: tuple[float, float]
    metric: str
    breaking_threshold: float
    baseline: float
    broken: bool
    reason: str
    evaluations: pd.DataFrame = field(repr=False)


def breaking_severity(
    model: Any,
    scenario: Any,
    X: Any,
    y: Any,
    *,
    breaking_threshold: float,
    metric: Any = "recall",
    alert_rate: float | None = None,
    score_threshold: float | None = None,
    low: float = 0.0,
    high: float = 3.0,
    n_grid: int = 7,
    tol: float = 1e-3,
    random_state: RandomStateLike = None,
    threshold: float | None | str = DEPRECATED,
) -> SeverityBreak:
    """The smallest severity at which ``metric`` crosses ``breaking_threshold``.

    The metric (point estimate) is evaluated on a grid of ``n_grid`` severities in
    ``[low, high]``; the first grid interval whose end is broken is then bisected
    to ``tol``. The scenario gets the same random stream at every severity, so the
    curve is a deterministic function of severity and bisection is meaningful
    where it is monotone. The alert threshold (``score_threshold``, else the
    ``alert_rate`` quantile, else ``model.threshold_``, else 0.5) is fixed on the
    unstressed data as in :class:`~edgecase.stress.StressHarness`; ``threshold`` is the
    deprecated old name of ``score_threshold``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from edgecase.stress import FeatureShift
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=3000)})
    >>> y = (X["a"] + 0.5 * rng.normal(size=3000) > 1.5).astype(int)
    >>> model = LogisticRegression().fit(X, y)
    >>> res = breaking_severity(model, FeatureShift(shift={"a": -0.5}), X, y,
    ...     breaking_threshold=0.5, score_threshold=0.5, random_state=0)
    >>> res.broken, round(res.severity, 2)
    (True, 0.22)
    """
    model = check_model(model)
    m = resolve_metric(metric)
    ((name, sc),) = resolve_scenarios([scenario])
    check_breaking_threshold(m, breaking_threshold)
    check_scalar(low, "low", low=0.0)
    check_scalar(high, "high", low=low, low_inclusive=False)
    check_scalar(n_grid, "n_grid", kind=numbers.Integral, low=2)
    check_scalar(tol, "tol", low=0.0, low_inclusive=False)
    score_threshold = renamed_threshold(score_threshold, threshold, "breaking_severity")
    check_threshold_options(alert_rate, score_threshold)
    model = for_input(model, X)
    X, y_arr, y_in = check_X_labels(X, y)
    base = predict_scores(model, X)
    thr = resolve_threshold(model, base, alert_rate, score_threshold)
    seed = as_seed_sequence(random_state)
    evals: dict[float, float] = {}

    def value(s: float) -> float:
        if s not in evals:
            rng = np.random.Generator(np.random.PCG64(seed))
            X_s, y_s = StressHarness._apply(sc, name, X, y_in, float(s), rng)
            evals[s] = _metrics.point_value(m, y_s, predict_scores(model, X_s), thr)
        return evals[s]

    sign = 1.0 if m.greater_is_better else -1.0

    def broken(s: float) -> bool:
        return sign * (value(s) - breaking_threshold) < 0

    baseline = _metrics.point_value(m, y_arr, base, thr)
    grid = np.linspace(low, high, int(n_grid))
    first = next((i for i, s in enumerate(grid) if broken(float(s))), None)
    if first is None:
        sev, bracket, is_broken = math.inf, (float(high), math.inf), False
        reason = (
            f"{m.name} stays on the safe side of {breaking_threshold:.4g} up to severity {high:g}"
        )
    elif first == 0:
        sev, bracket, is_broken = float(low), (float(low), float(low)), True
        reason = f"already broken at severity {low:g}"
    else:
        a, b, _ = bisect_crossing(
            value,
            breaking_threshold,
            float(grid[first - 1]),
            float(grid[first]),
            decreasing=m.greater_is_better,
            tol=tol,
        )
        sev, bracket, is_broken, reason = b, (a, b), True, ""
    ev = pd.DataFrame(sorted(evals.items()), columns=["severity", "value"])
    return SeverityBreak(
        scenario=name,
        severity=float(sev),
        bracket=bracket,
        metric=m.name,
        breaking_threshold=float(breaking_threshold),
        baseline=float(baseline),
        broken=is_broken,
        reason=reason,
        evaluations=ev,
    )


@dataclass
class BreakingExample:
    """The smallest change found that lets a caught row through.

    Attributes
    ----------
    found : bool
    original, example : Series
        The row before and after (``example`` is None when nothing was found).
    changes : DataFrame
        One row per changed feature: ``feature, original, new, delta, scaled_delta``
        (``delta / scale``; 1 for a changed category or flag).
    score_before, score_after, threshold : float
    distance : float
        Sum of ``|scaled_delta|`` over changed features.
    n_evaluations : int
        Model calls used.
    search_distance : float
        Distance of the example hypothesis found before the bisection refinement
        (``distance <= search_distance``).
    """

    found: bool
    original: pd.Series
    example: pd.Series | None
    changes: pd.DataFrame
    score_before: float
    score_after: float
    threshold: float
    distance: float
    n_evaluations: int
    search_distance: float = math.inf
    reason: str = ""
    dtypes: pd.Series | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame | None:
        """The example as a one-row DataFrame with the original row's dtypes (None if not found)."""
        if self.example is None:
            return None
        return pd.DataFrame([self.example.to_dict()], index=[self.example.name]).astype(
            self.dtypes.to_dict()
        )


def minimal_breaking_example(
    model: Any,
    row: Any,
    *,
    mutable: Sequence[str] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    directions: Mapping[str, str | int] | None = None,
    integer: Sequence[str] | None = None,
    score_threshold: float | None = None,
    X_ref: Any = None,
    max_examples: int = 300,
    random_state: RandomStateLike = None,
    threshold: float | None | str = DEPRECATED,
) -> BreakingExample:
    """The smallest change to a caught row (score >= score_threshold) that drops it below.

    Parameters
    ----------
    model : object with ``predict_proba``
    row : one-row DataFrame or Series (feature name -> value)
    mutable : list of str, optional
        Features the attacker can change (default: every column). Numeric, bool and
        category columns are supported.
    bounds : dict feature -> (low, high), optional
        Allowed range of each numeric mutable feature. Defaults to the feature's
        range in ``X_ref``; without ``X_ref`` every numeric mutable feature needs bounds.
    directions : dict feature -> "increase" | "decrease" | "both", optional
        How the attacker can move each feature (default "both"); for a bool feature
        "increase" means False -> True only.
    integer : list of str, optional
        Features that only take integer values (default: integer-dtype columns).
    score_threshold : float, optional
        Alert threshold on the score (default ``model.threshold_`` if present, else 0.5).
    X_ref : DataFrame, optional
        Reference data: default bounds and the scale of each feature (its standard
        deviation), so that distances compare features in comparable units.
    max_examples : int
        Hypothesis examples in the search phase.
    random_state : None, int or Generator
    threshold : float, optional
        Deprecated old name of ``score_threshold`` (FutureWarning).

    Returns
    -------
    BreakingExample

    Notes
    -----
    The search runs ``hypothesis.find``; called from inside a user's own
    ``@given`` test it trips hypothesis' nested-given health check, which has to be
    suppressed on the outer test (``HealthCheck.nested_given``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"amount": rng.uniform(0, 100, 2000), "n": rng.integers(0, 10, 2000)})
    >>> y = (X["amount"] > 60).astype(int)
    >>> model = LogisticRegression(C=100, max_iter=1000).fit(X, y)
    >>> ex = minimal_breaking_example(model, X.iloc[[int(np.argmax(X["amount"]))]],
    ...     mutable=["amount"], directions={"amount": "decrease"}, X_ref=X, random_state=0)
    >>> ex.found, ex.changes["feature"].tolist(), bool(55 < ex.example["amount"] < 65)
    (True, ['amount'], True)
    """
    model = check_model(model)
    row = _one_row(row, X_ref)
    cols = list(row.columns)
    mutable, X_ref, integer = _check_search_options(
        cols, mutable, bounds, directions, integer, X_ref, max_examples
    )
    # object dtype keeps each feature's own type (an int stays an int next to floats)
    x0 = pd.Series({c: row[c].iloc[0] for c in cols}, dtype=object, name=row.index[0])
    bounds, directions = dict(bounds or {}), dict(directions or {})
    kinds = {
        c: feature_kind(
            c,
            row[c],
            x0[c],
            direction=directions.get(c, "both"),
            integer=c in integer,
            bounds=bounds,
            X_ref=X_ref,
        )
        for c in mutable
    }
    thr = renamed_threshold(score_threshold, threshold, "minimal_breaking_example")
    if thr is None:
        thr = float(getattr(model, "threshold_", 0.5))
    thr = check_score_threshold(thr)
    search = _Search(model, row, kinds, thr)
    s0 = search.score({})
    if s0 < thr:
        raise InvalidInputError(
            f"row is not caught: its score {s0:.4g} is below the threshold {thr:.4g}; "
            "a minimal breaking example starts from a caught row."
        )
    cand = search.find(int(max_examples), random_state)
    if cand is None:
        return BreakingExample(
            found=False,
            original=x0,
            example=None,
            changes=pd.DataFrame(columns=["feature", "original", "new", "delta", "scaled_delta"]),
            score_before=s0,
            score_after=s0,
            threshold=thr,
            distance=math.inf,
            n_evaluations=search.n_calls,
            reason=f"no change within bounds/directions brought the score below {thr:.4g} "
            f"in {max_examples} examples",
        )
    cand = {c: v for c, v in cand.items() if v != kinds[c].v0}
    search_distance = search.distance(cand)
    cand = search.refine(cand)
    s1 = search.score(cand)
    example = x0.copy()
    for c, v in cand.items():
        example[c] = v
    return BreakingExample(
        found=True,
        original=x0,
        example=example,
        changes=search.changes(cand),
        score_before=s0,
        score_after=s1,
        threshold=thr,
        distance=search.distance(cand),
        n_evaluations=search.n_calls,
        search_distance=search_distance,
        dtypes=row.dtypes,
    )


def _one_row(row: Any, X_ref: Any) -> pd.DataFrame:
    """``row`` as a one-row frame. A Series (``X.iloc[i]``) carries no column dtypes, so
    they come from ``X_ref``; without it a Series holding text (a lost category) is
    refused rather than handed to the model as strings."""
    if isinstance(row, pd.Series):
        ref = as_frame(X_ref, name="X_ref") if X_ref is not None else None
        frame = row.to_frame().T
        if ref is not None:
            known = {c: ref[c].dtype for c in frame.columns if c in ref.columns}
            try:
                row = frame.astype(known)
            except (ValueError, TypeError) as exc:
                raise InvalidInputError(
                    f"row does not fit the column dtypes of X_ref: {exc}"
                ) from None
        elif any(isinstance(v, str) for v in row.to_numpy()):
            raise InvalidInputError(
                "row is a Series, which cannot carry column dtypes (a category becomes plain "
                "text): pass a one-row DataFrame (X.iloc[[i]]) or X_ref."
            )
        else:
            row = frame.astype({c: type(v) for c, v in row.items()}, errors="ignore")
    row = as_frame(row, name="row")
    if len(row) != 1:
        raise InvalidInputError(f"row must be a single row; got {len(row)} rows.")
    return row


def _check_search_options(
    cols: list[str],
    mutable: Any,
    bounds: Mapping[str, Any] | None,
    directions: Mapping[str, Any] | None,
    integer: Any,
    X_ref: Any,
    max_examples: Any,
) -> tuple[Sequence[str], pd.DataFrame | None, set[str]]:
    """``(mutable, X_ref as a frame or None, integer as a set)``, each checked against the row."""
    mutable = cols if mutable is None else mutable
    if isinstance(mutable, str) or not isinstance(mutable, Sequence) or not len(mutable):
        raise InvalidParameterError("mutable must be a non-empty list of feature names.")
    unknown = [c for c in mutable if c not in cols]
    if unknown:
        raise InvalidParameterError(f"mutable feature(s) {unknown} are not columns of row {cols}.")
    for c in [*(bounds or {}), *(directions or {})]:
        if c not in mutable:
            raise InvalidParameterError(
                f"bounds/directions given for {c!r}, which is not in mutable={list(mutable)}."
            )
    if X_ref is not None:
        X_ref = as_frame(X_ref, name="X_ref")
        missing = [c for c in mutable if c not in X_ref.columns]
        if missing:
            raise InvalidInputError(f"X_ref lacks mutable feature(s) {missing}.")
        check_finite(X_ref[list(mutable)], name="X_ref")
    check_scalar(max_examples, "max_examples", kind=numbers.Integral, low=1)
    integer = set(integer or [])
    bad_int = integer - set(mutable)
    if bad_int:
        raise InvalidParameterError(f"integer feature(s) {sorted(bad_int)} are not mutable.")
    return mutable, X_ref, integer


class _Search:
    """The model's view of candidate changes to one row: scores (counted), distances,
    the hypothesis search and the refinement toward the original row."""

    def __init__(
        self, model: Any, row: pd.DataFrame, kinds: Mapping[str, FeatureKind], thr: float
    ) -> None:
        self.model, self.row, self.kinds, self.thr = model, row, kinds, thr
        self.n_calls = 0

    def score(self, cand: Mapping[str, Any]) -> float:
        self.n_calls += 1
        r = self.row.copy()
        for c, v in cand.items():
            r[c] = self.kinds[c].encode(v)
        return float(predict_scores(self.model, r, what="the candidate row")[0])

    def evades(self, cand: Mapping[str, Any]) -> bool:
        return self.score(cand) < self.thr

    def distance(self, cand: Mapping[str, Any]) -> float:
        d = 0.0
        for c, v in cand.items():
            d += self.kinds[c].distance(v)
        return d

    def find(self, max_examples: int, random_state: RandomStateLike) -> dict[str, Any] | None:
        """A candidate that evades, from hypothesis (None if none was found)."""
        from hypothesis import HealthCheck, Phase, Verbosity, find, settings, target
        from hypothesis import strategies as st
        from hypothesis.errors import NoSuchExample

        parts = {c: k.strategy() for c, k in self.kinds.items()}
        parts = {c: s for c, s in parts.items() if s is not None}

        def evades(cand: Mapping[str, Any]) -> bool:
            s = self.score(cand)
            # Guide generation toward low scores; has no effect while shrinking.
            target(-s, label="score")
            return s < self.thr

        rnd = random.Random(int(as_generator(random_state).integers(0, 2**63 - 1)))
        if not parts:
            return None
        try:
            return find(
                st.fixed_dictionaries(parts),
                evades,
                settings=settings(
                    max_examples=max_examples,
                    database=None,
                    deadline=None,
                    verbosity=Verbosity.quiet,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.generate, Phase.target, Phase.shrink],
                ),
                random=rnd,
            )
        except NoSuchExample:
            return None

    def refine(self, cand: dict[str, Any]) -> dict[str, Any]:
        """Drop changes that are not needed, then bisect the rest toward the original."""
        # Revert whole features, the costliest first, while the row still evades.
        for c in sorted(cand, key=lambda k: -self.kinds[k].distance(cand[k])):
            trial = {k: v for k, v in cand.items() if k != c}
            if self.evades(trial):
                cand = trial
        # Coordinate passes until stable: each feature moves back as far as it can.
        for _ in range(3):
            before = self.distance(cand)
            for c in list(cand):
                cand[c] = self.kinds[c].refine(cand, c, self.evades)
            if self.distance(cand) >= before - 1e-12:
                break
        return cand

    def changes(self, cand: Mapping[str, Any]) -> pd.DataFrame:
        rows = []
        for c, v in cand.items():
            k = self.kinds[c]
            rows.append(
                {
                    "feature": c,
                    "original": k.v0,
                    "new": v,
                    "delta": k.delta(v),
                    "scaled_delta": k.distance(v) * k.sign(v),
                }
            )
        return pd.DataFrame(rows)
