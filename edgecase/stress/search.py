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
    check_scalar,
)
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.stress import _metrics
from edgecase.stress.harness import (
    StressHarness,
    check_breaking_threshold,
    check_model,
    check_threshold_options,
    check_X_labels,
    for_input,
    predict_scores,
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
    threshold: float | None = None,
    low: float = 0.0,
    high: float = 3.0,
    n_grid: int = 7,
    tol: float = 1e-3,
    random_state: RandomStateLike = None,
) -> SeverityBreak:
    """The smallest severity at which ``metric`` crosses ``breaking_threshold``.

    The metric (point estimate) is evaluated on a grid of ``n_grid`` severities in
    ``[low, high]``; the first grid interval whose end is broken is then bisected
    to ``tol``. The scenario gets the same random stream at every severity, so the
    curve is a deterministic function of severity and bisection is meaningful
    where it is monotone. The alert threshold is fixed on the unstressed data as
    in :class:`~edgecase.stress.StressHarness`.

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
    ...     breaking_threshold=0.5, threshold=0.5, random_state=0)
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
    check_threshold_options(alert_rate, threshold)
    model = for_input(model, X)
    X, y_arr, y_in = check_X_labels(X, y)
    base = predict_scores(model, X)
    thr = resolve_threshold(model, base, alert_rate, threshold)
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


_DIRECTIONS = {"increase": 1, "decrease": -1, "both": 0, 1: 1, -1: -1, 0: 0}


def _kind(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "other"


def minimal_breaking_example(
    model: Any,
    row: Any,
    *,
    mutable: Sequence[str] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    directions: Mapping[str, str | int] | None = None,
    integer: Sequence[str] | None = None,
    threshold: float | None = None,
    X_ref: Any = None,
    max_examples: int = 300,
    random_state: RandomStateLike = None,
) -> BreakingExample:
    """The smallest change to a caught row (score >= threshold) that drops it below the threshold.

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
    threshold : float, optional
        Alert threshold (default ``model.threshold_`` if present, else 0.5).
    X_ref : DataFrame, optional
        Reference data: default bounds and the scale of each feature (its standard
        deviation), so that distances compare features in comparable units.
    max_examples : int
        Hypothesis examples in the search phase.
    random_state : None, int or Generator

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
    if isinstance(row, pd.Series):
        row = row.to_frame().T.astype({c: type(v) for c, v in row.items()}, errors="ignore")
    row = as_frame(row, name="row")
    if len(row) != 1:
        raise InvalidInputError(f"row must be a single row; got {len(row)} rows.")
    cols = list(row.columns)
    mutable = cols if mutable is None else mutable
    if isinstance(mutable, str) or not isinstance(mutable, Sequence) or not len(mutable):
        raise InvalidParameterError("mutable must be a non-empty list of feature names.")
    unknown = [c for c in mutable if c not in cols]
    if unknown:
        raise InvalidParameterError(f"mutable feature(s) {unknown} are not columns of row {cols}.")
    bounds = dict(bounds or {})
    directions = dict(directions or {})
    for c in [*bounds, *directions]:
        if c not in mutable:
            raise InvalidParameterError(
                f"bounds/directions given for {c!r}, which is not in mutable={list(mutable)}."
            )
    if X_ref is not None:
        X_ref = as_frame(X_ref, name="X_ref")
        missing = [c for c in mutable if c not in X_ref.columns]
        if missing:
            raise InvalidInputError(f"X_ref lacks mutable feature(s) {missing}.")
    check_scalar(max_examples, "max_examples", kind=numbers.Integral, low=1)
    integer = set(integer or [])
    bad_int = integer - set(mutable)
    if bad_int:
        raise InvalidParameterError(f"integer feature(s) {sorted(bad_int)} are not mutable.")

    # object dtype keeps each feature's own type (an int stays an int next to floats)
    x0 = pd.Series({c: row[c].iloc[0] for c in cols}, dtype=object, name=row.index[0])
    specs: dict[str, dict[str, Any]] = {}
    for c in mutable:
        kind = _kind(row[c].dtype)
        d = directions.get(c, "both")
        if d not in _DIRECTIONS:
            raise InvalidParameterError(
                f"directions[{c!r}] must be 'increase', 'decrease' or 'both'; got {d!r}."
            )
        d = _DIRECTIONS[d]
        if kind == "other":
            raise InvalidInputError(
                f"mutable feature {c!r} has dtype {row[c].dtype}; expected numeric, bool or category."
            )
        spec: dict[str, Any] = {"kind": kind, "dir": d}
        if kind in ("int", "float"):
            v0 = float(x0[c])
            if not math.isfinite(v0):
                raise InvalidInputError(f"row feature {c!r} is not finite ({v0}).")
            if c in bounds:
                b = bounds[c]
                if not (isinstance(b, Sequence) and len(b) == 2):
                    raise InvalidParameterError(f"bounds[{c!r}] must be (low, high); got {b!r}.")
                lo, hi = (float(check_scalar(v, f"bounds[{c!r}]")) for v in b)
            elif X_ref is not None:
                ref = X_ref[c].to_numpy(dtype=float)
                lo, hi = float(np.min(ref)), float(np.max(ref))
            else:
                raise InvalidParameterError(
                    f"numeric mutable feature {c!r} needs bounds (or pass X_ref to take its range)."
                )
            if not lo <= v0 <= hi:
                raise InvalidInputError(
                    f"row feature {c!r}={v0} is outside its bounds ({lo}, {hi})."
                )
            if d == 1:
                lo = v0
            elif d == -1:
                hi = v0
            is_int = kind == "int" or c in integer
            if is_int:
                lo, hi = math.ceil(lo), math.floor(hi)
            scale = float(np.std(X_ref[c].to_numpy(dtype=float))) if X_ref is not None else 0.0
            if not scale > 0:
                scale = (hi - lo) if hi > lo else 1.0
            spec.update(v0=v0, lo=lo, hi=hi, int=is_int, scale=scale)
        elif kind == "bool":
            spec.update(v0=bool(x0[c]))
        else:
            spec.update(v0=x0[c], levels=list(row[c].cat.categories))
        specs[c] = spec

    thr = threshold
    if thr is None:
        thr = float(getattr(model, "threshold_", 0.5))
    thr = float(check_scalar(thr, "threshold"))
    n_calls = 0

    def score(cand: Mapping[str, Any]) -> float:
        nonlocal n_calls
        n_calls += 1
        r = row.copy()
        for c, v in cand.items():
            if specs[c]["kind"] == "category":
                r[c] = pd.Categorical([v], dtype=row[c].dtype)
            else:
                r[c] = np.asarray([v]).astype(row[c].dtype)
        return float(predict_scores(model, r, what="the candidate row")[0])

    s0 = score({})
    if s0 < thr:
        raise InvalidInputError(
            f"row is not caught: its score {s0:.4g} is below the threshold {thr:.4g}; "
            "a minimal breaking example starts from a caught row."
        )

    from hypothesis import HealthCheck, Phase, Verbosity, find, settings, target
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    parts = {}
    for c, sp in specs.items():
        if sp["kind"] in ("int", "float"):
            if sp["lo"] > sp["hi"] or sp["lo"] == sp["hi"] == sp["v0"]:
                continue
            other = (
                st.integers(int(sp["lo"]), int(sp["hi"]))
                if sp["int"]
                else st.floats(sp["lo"], sp["hi"], allow_nan=False, allow_infinity=False)
            )
        elif sp["kind"] == "bool":
            flip = not sp["v0"]
            if (sp["dir"] == 1 and flip is False) or (sp["dir"] == -1 and flip is True):
                continue
            other = st.just(flip)
        else:
            levels = [v for v in sp["levels"] if v != sp["v0"]]
            if not levels:
                continue
            other = st.sampled_from(levels)
        # Unchanged first: hypothesis shrinks toward the first branch, i.e. toward
        # leaving a feature alone.
        parts[c] = st.one_of(st.just(sp["v0"]), other)

    def distance(cand: Mapping[str, Any]) -> float:
        d = 0.0
        for c, v in cand.items():
            sp = specs[c]
            if sp["kind"] in ("int", "float"):
                d += abs(float(v) - sp["v0"]) / sp["scale"]
            else:
                d += float(v != sp["v0"])
        return d

    def evades(cand: Mapping[str, Any]) -> bool:
        s = score(cand)
        # Guide generation toward low scores; has no effect while shrinking.
        target(-s, label="score")
        return s < thr

    rnd = random.Random(int(as_generator(random_state).integers(0, 2**63 - 1)))
    cand = None
    if parts:
        try:
            cand = find(
                st.fixed_dictionaries(parts),
                evades,
                settings=settings(
                    max_examples=int(max_examples),
                    database=None,
                    deadline=None,
                    verbosity=Verbosity.quiet,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.generate, Phase.target, Phase.shrink],
                ),
                random=rnd,
            )
        except NoSuchExample:
            cand = None
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
            n_evaluations=n_calls,
            reason=f"no change within bounds/directions brought the score below {thr:.4g} "
            f"in {max_examples} examples",
        )

    def ok(c: Mapping[str, Any]) -> bool:
        return score(c) < thr

    cand = {c: v for c, v in cand.items() if v != specs[c]["v0"]}
    search_distance = distance(cand)
    # Revert whole features, the costliest first, while the row still evades.
    for c in sorted(cand, key=lambda k: -distance({k: cand[k]})):
        trial = {k: v for k, v in cand.items() if k != c}
        if ok(trial):
            cand = trial
    # Bisect each numeric change toward the original value (coordinate passes until stable).
    for _ in range(3):
        before = distance(cand)
        for c in list(cand):
            sp = specs[c]
            if sp["kind"] not in ("int", "float"):
                continue
            v0, v1 = sp["v0"], float(cand[c])
            if sp["int"]:
                # integer bisection on the number of steps from v0
                lo_k, hi_k = 0, int(round(abs(v1 - v0)))
                step = 1 if v1 > v0 else -1
                while hi_k - lo_k > 1:
                    mid = (lo_k + hi_k) // 2
                    if ok({**cand, c: int(v0) + step * mid}):
                        hi_k = mid
                    else:
                        lo_k = mid
                cand[c] = int(v0) + step * hi_k
            else:
                lo_t, hi_t = 0.0, 1.0
                while (hi_t - lo_t) * abs(v1 - v0) > 1e-6 * sp["scale"]:
                    mid = 0.5 * (lo_t + hi_t)
                    if ok({**cand, c: v0 + mid * (v1 - v0)}):
                        hi_t = mid
                    else:
                        lo_t = mid
                cand[c] = v0 + hi_t * (v1 - v0)
        if distance(cand) >= before - 1e-12:
            break
    s1 = score(cand)
    example = x0.copy()
    for c, v in cand.items():
        example[c] = v
    changes = pd.DataFrame(
        [
            {
                "feature": c,
                "original": specs[c]["v0"],
                "new": v,
                "delta": (float(v) - specs[c]["v0"])
                if specs[c]["kind"] in ("int", "float")
                else np.nan,
                "scaled_delta": distance({c: v})
                * (
                    np.sign(float(v) - specs[c]["v0"])
                    if specs[c]["kind"] in ("int", "float")
                    else 1
                ),
            }
            for c, v in cand.items()
        ]
    )
    return BreakingExample(
        found=True,
        original=x0,
        example=example,
        changes=changes,
        score_before=s0,
        score_after=s1,
        threshold=thr,
        distance=distance(cand),
        n_evaluations=n_calls,
        search_distance=search_distance,
        dtypes=row.dtypes,
    )
