"""Severity sweeps with bootstrap confidence intervals and breaking points.

:class:`StressHarness` applies each scenario at each severity, predicts once per
(scenario, severity), bootstraps the scores stratified by class, and reports a
metric-versus-severity curve with its confidence band and the breaking point:
the severity where the conservative CI bound crosses the user's threshold.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import HasMethods, Hidden, Interval, StrOptions

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import (
    as_frame,
    check_binary_target,
    check_bool,
    check_choice,
    check_consistent_length,
    check_declared_params,
    check_finite,
    check_scalar,
    check_score_threshold,
    zero_one,
)
from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError
from edgecase.parallel import map_tasks
from edgecase.stress import _bootstrap, _metrics
from edgecase.stress._breaking import breaking_point, precision_warning
from edgecase.stress._ceiling import Ceiling, resolve_ceiling
from edgecase.stress._changes import changed_columns, check_changed_finite
from edgecase.stress._metrics import Metric, reads_positives_only
from edgecase.stress._report import CI_LEVEL, PrecisionWarning, StressReport
from edgecase.stress._scores import ScoreBatch, predict_scores
from edgecase.stress._side import own_side, point, side_columns
from edgecase.stress.scenario_base import BaseScenario
from edgecase.stress.scenarios import FRAUD_SCENARIOS
from edgecase.train.thresholds import alert_threshold as _alert_threshold

__all__ = ["StressHarness", "StressReport", "Metric", "predict_scores", "alert_threshold"]

#: Default sweep: 0 (data as is) to 3 (three times the historic worst) in steps of 0.25.
DEFAULT_SEVERITIES = np.linspace(0, 3, 13)
DEFAULT_SEVERITIES.flags.writeable = False
# The same grid as a tuple, for the signature: scikit-learn compares parameter defaults
# with ==, which an array cannot answer.
_DEFAULT_GRID = tuple(DEFAULT_SEVERITIES.tolist())


def _call_scenario(
    sc: Any, name: str, X: pd.DataFrame, y: Any, s: float, rng: Any, X_checked: bool = False
) -> tuple:
    """``(X_s, y_s, checked, changes)``: ``sc.apply(X, y, s, rng)``. A built-in scenario
    given a checked ``X`` checks its own output's changed columns for finiteness: then
    ``checked`` is True and ``changes`` the changes it found (else False and None)."""
    try:
        if X_checked and _reports_changes(sc):
            X_s, y_s, changes = sc.apply_with_changes(X, y, s, rng, X_checked=True)
            return X_s, y_s, True, changes
        out = sc.apply(X, y, s, rng)
    except EdgecaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user scenario failing is reported by name
        raise InvalidInputError(
            f"scenario {name!r} failed at severity {s}: {type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(out, tuple) and len(out) == 2):
        raise InvalidInputError(
            f"scenario {name!r} must return (X_stressed, y_stressed); got {type(out).__name__}."
        )
    return (*out, False, None)


def _reports_changes(sc: Any) -> bool:
    """Whether ``sc`` is a built-in scenario whose ``apply`` is the template's own (a
    subclass overriding ``apply`` is called through it)."""
    return (
        isinstance(sc, BaseScenario)
        and type(sc).apply is BaseScenario.apply
        and "apply" not in vars(sc)
    )


def _apply_checked(
    sc: Any, name: str, X: pd.DataFrame, y: Any, s: float, rng: Any, *, X_checked: bool = False
) -> tuple[pd.DataFrame, np.ndarray, dict[Any, np.ndarray] | None]:
    """``(X_s, y_s, changes)``: the scenario's output, checked, and which cells of ``X``
    it changed (:func:`~edgecase.stress._scores.column_changes`; None if not computed or
    the rows are not comparable). ``X_checked``: ``X`` has passed ``check_finite``, so
    cells equal to it are finite and only the changed columns are checked."""
    X_s, y_s, checked, changes = _call_scenario(sc, name, X, y, s, rng, X_checked)
    what = f"scenario {name!r} X at severity {s}"
    X_s = as_frame(X_s, name=what)
    if not checked and X_checked:
        changes = check_changed_finite(X, X_s, name=what)
    elif not checked:
        check_finite(X_s, name=what)
    if len(X_s) != len(y_s):
        raise InvalidInputError(
            f"scenario {name!r} at severity {s} returned {len(X_s)} rows of X but "
            f"{len(y_s)} labels; the row counts must match."
        )
    y_s = np.asarray(y_s)
    if not zero_one(y_s):
        raise InvalidInputError(f"scenario {name!r} at severity {s} returned non-0/1 labels.")
    y_s = y_s.astype(np.int8)
    n_pos = int(y_s.sum())
    if n_pos == 0 or n_pos == len(y_s):
        raise InvalidInputError(
            f"scenario {name!r} at severity {s} left {'no positive' if n_pos == 0 else 'no negative'} "
            "rows; both classes are needed to measure the metric."
        )
    return X_s, y_s, changes


class _ArrayModel:
    """Hands a model fitted on numpy arrays the arrays it knows (scenarios work on frames)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        if hasattr(model, "threshold_"):
            self.threshold_ = model.threshold_

    def predict_proba(self, X: pd.DataFrame) -> Any:
        return self.model.predict_proba(X.to_numpy())


def for_input(model: Any, X: Any) -> Any:
    """``model`` as it should be called on frames built from ``X``: a model given numpy
    input is called with numpy arrays, so it does not warn about feature names."""
    return model if isinstance(X, pd.DataFrame) else _ArrayModel(model)


def check_model(model: Any) -> Any:
    if not callable(getattr(model, "predict_proba", None)):
        raise InvalidParameterError(
            f"model must have a predict_proba(X) method returning (n, 2) probabilities; "
            f"got {type(model).__name__}."
        )
    return model


def alert_threshold(scores: np.ndarray, alert_rate: float) -> float:
    """The score threshold that alerts on the top ``alert_rate`` share of rows.

    The Trainer's ``alert_rate=`` policy, with its tie rule: see
    :func:`edgecase.train.thresholds.alert_threshold`.

    Examples
    --------
    >>> alert_threshold(np.array([0.1, 0.9, 0.5, 0.7]), 0.5)
    0.7
    """
    return _alert_threshold(scores, alert_rate)


#: Default of the old ``threshold=`` name of ``score_threshold=``: not passed.
DEPRECATED = "deprecated"


def renamed_threshold(score_threshold: Any, threshold: Any, owner: str) -> Any:
    """``score_threshold``, or the value passed under its old name ``threshold``
    (with a FutureWarning): in Trainer ``threshold`` is a policy, here it was a float."""
    if isinstance(threshold, str) and threshold == DEPRECATED:
        return score_threshold
    warnings.warn(
        f"{owner}: threshold= is renamed score_threshold= (a fixed score cut; Trainer's "
        "threshold= is a policy); the old name will be removed in a future release.",
        FutureWarning,
        stacklevel=3,
    )
    if score_threshold is not None:
        raise InvalidParameterError("give score_threshold or its old name threshold, not both.")
    return threshold


def check_threshold_options(alert_rate: Any, score_threshold: Any) -> None:
    """At most one of an alert budget (share of rows in (0, 1]) and a fixed score threshold."""
    if alert_rate is not None and score_threshold is not None:
        raise InvalidParameterError(
            "give either alert_rate (an alert budget) or score_threshold (a fixed score), not both."
        )
    if alert_rate is not None:
        check_scalar(alert_rate, "alert_rate", low=0.0, high=1.0, low_inclusive=False)
    if score_threshold is not None:
        check_score_threshold(score_threshold)


def resolve_threshold(
    model: Any, base: np.ndarray, alert_rate: float | None, score_threshold: float | None
) -> float:
    """The alert threshold, fixed on the unstressed scores ``base``: ``score_threshold`` if
    given, else the ``alert_rate`` quantile, else ``model.threshold_``, else 0.5."""
    if score_threshold is not None:
        return float(score_threshold)
    if alert_rate is not None:
        return alert_threshold(base, float(alert_rate))
    return float(getattr(model, "threshold_", 0.5))


def check_breaking_threshold(metric: Metric, value: Any) -> None:
    check_scalar(value, "breaking_threshold")
    lo, hi = metric.bounds
    if not lo <= value <= hi:
        raise InvalidParameterError(
            f"breaking_threshold={value!r} is outside the range of metric "
            f"{metric.name!r}, [{lo}, {hi}]."
        )


def check_X_labels(X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray, Any]:
    """``(X as DataFrame, y as int8 array, y as passed to scenarios)``: a Series stays a
    Series aligned on X's index."""
    X = as_frame(X)
    check_finite(X)
    check_consistent_length(X, y if hasattr(y, "__len__") else [y])
    y_arr = check_binary_target(y)
    if isinstance(y, pd.Series):
        return X, y_arr, pd.Series(y_arr, index=X.index, name=y.name)
    return X, y_arr, y_arr


def resolve_metric(metric: Any) -> Metric:
    if isinstance(metric, Metric):
        if metric.func is None and metric.name not in _metrics.BUILTIN:
            raise InvalidParameterError(
                f"Metric {metric.name!r} has no func and is not a built-in metric."
            )
        return metric
    if isinstance(metric, str):
        name = _metrics.ALIASES.get(metric, metric)
        check_choice(name, "metric", list(_metrics.BUILTIN))
        return _metrics.BUILTIN[name]
    if callable(metric):
        return Metric(getattr(metric, "__name__", "custom"), func=metric)
    raise InvalidParameterError(
        f"metric must be a name ({sorted(_metrics.BUILTIN)}), a Metric or a callable "
        f"(y_true, scores) -> float; got {type(metric).__name__}."
    )


def check_severities(severities: Any) -> np.ndarray:
    try:
        sev = np.asarray(severities, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"severities must be a 1-D sequence of numbers; got {severities!r}."
        ) from None
    if sev.ndim != 1 or sev.size == 0:
        raise InvalidParameterError(
            f"severities must be a non-empty 1-D sequence; got shape {sev.shape}."
        )
    if not np.isfinite(sev).all():
        raise InvalidParameterError("severities must be finite numbers.")
    if (sev < 0).any():
        raise InvalidParameterError(
            f"severities must be >= 0 (0 = the data as it is); got {sev[sev < 0][:3].tolist()}."
        )
    if (np.diff(sev) <= 0).any():
        raise InvalidParameterError(
            f"severities must be strictly increasing; got {sev.tolist()[:10]}."
        )
    return sev


def resolve_scenarios(scenarios: Any) -> list[Any]:
    if isinstance(scenarios, str) or hasattr(scenarios, "apply"):
        scenarios = [scenarios]
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    elif isinstance(scenarios, Sequence):
        items = [(None, s) for s in scenarios]
    else:
        raise InvalidParameterError(
            "scenarios must be a scenario, a list of scenarios/names or a dict name -> scenario; "
            f"got {type(scenarios).__name__}."
        )
    if not items:
        raise InvalidParameterError("scenarios is empty: give at least one scenario.")
    out = []
    for key, sc in items:
        if isinstance(sc, str):
            check_choice(sc, "scenario", list(FRAUD_SCENARIOS))
            sc = FRAUD_SCENARIOS[sc]()
        if not callable(getattr(sc, "apply", None)):
            raise InvalidParameterError(
                f"scenario {sc!r} has no apply(X, y, severity, random_state) method."
            )
        name = key if key is not None else getattr(sc, "name", None)
        if not isinstance(name, str) or not name:
            raise InvalidParameterError(f"scenario {sc!r} needs a non-empty string name.")
        out.append((name, sc))
    names = [n for n, _ in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidParameterError(f"scenario names must be unique; repeated: {dup}.")
    return out


_REAL = Interval(numbers.Real, None, None, closed="neither")


class StressHarness(BaseEstimator):
    """Sweep scenarios over severities and find where a model's metric breaks.

    Parameters
    ----------
    model : object with ``predict_proba(X) -> (n, 2)``
        A scikit-learn/XGBoost classifier or an ``edgecase.train.Trainer``. If it has
        ``threshold_`` that is the alert threshold when neither ``alert_rate`` nor
        ``score_threshold`` is given (else 0.5).
    scenarios : scenario, list of scenarios or built-in names, or dict name -> scenario
        Objects with ``name`` and ``apply(X, y, severity, random_state)``.
    metric : str, Metric or callable
        "recall" (at the fixed alert threshold), "precision", "fpr", "alert_rate",
        "pr_auc", "brier", "ece", a :class:`Metric`, or ``f(y_true, scores) -> float``
        (treated as higher-is-better).
    alert_rate : float in (0, 1), optional
        Alert budget: the threshold alerts on this share of the severity-0 rows and
        stays fixed as severity grows (the budget a fraud team staffs for).
    score_threshold : float, optional
        A fixed score threshold instead of an alert budget: rows with
        ``score >= score_threshold`` are alerted.
    threshold : float, optional
        Deprecated old name of ``score_threshold`` (FutureWarning); ``threshold`` means
        a policy in :class:`~edgecase.train.Trainer`.
    severities : 1-D array, strictly increasing, >= 0
        Default: 0 (the data as is) to 3 in steps of 0.25.
    n_boot : int
        Bootstrap draws; each draw is a whole curve over all severities.
    ci_level : float in (0, 1)
        Confidence level of every interval (curves and breaking points). Default 0.95.
    breaking_threshold : float, optional
        The metric value at which the model counts as broken. Default: a 20% relative
        degradation of the severity-0 value (x0.8 if higher is better, x1.25 otherwise).
        Scenarios with ``own_baseline = True`` (they simulate their own rows, e.g.
        :class:`~edgecase.stress.typology.TypologyScenario`) default to 20% below *their*
        lowest-severity value; ``breaking_points["breaking_threshold"]`` shows each one.
    ceiling : bool or classifier, default False
        The detectability ceiling: at every (scenario, severity) a reference model is
        cross-fitted (2 folds, out-of-fold scores, whole groups per fold) on the
        stressed population itself and measured with the same metric and alert budget;
        ``curves["ceiling"]`` holds it. A scenario whose ceiling falls below the breaking
        threshold at or before the model's breaking severity is ``signal_gone``, not
        ``broken``: the scenario erased the signal, no model could meet the bar. ``True``
        uses a small XGBoost (see :mod:`edgecase.stress._ceiling`); a classifier is cloned
        per fold. On a test set of 40,000 negatives or more it is measured on every
        positive and a weighted sample of the negatives (an estimate; its noise is a
        fraction of the test set's own). Off by default: it fits two models per
        (scenario, severity), about twice (PR-AUC, Brier) to four times (recall)
        the cost of a sweep (``benchmarks/RESULTS.md``).
    random_state : None, int or Generator
    progress : bool

    Notes
    -----
    Parameters are checked when :meth:`run` is called (``_parameter_constraints``, as
    in scikit-learn), so ``set_params`` and ``sklearn.base.clone`` work as on any
    estimator. ``clone`` keeps ``model`` itself (the harness stresses a fitted model;
    cloning it would unfit it) and copies the other parameters.

    Which bootstrap, and why: a breaking point is where a whole curve crosses a line,
    so each draw is a whole curve. The test set is resampled once per draw and the
    same resampled rows are measured at every severity (common random numbers);
    scenarios that simulate their own rows are resampled within each severity from
    the same seed stream. With ``groups=`` in :meth:`run` whole groups are resampled
    (a cluster bootstrap, stratified by whether a group holds a positive), because the
    fraud rows of one event move together and a row bootstrap would understate the
    noise. A breaking threshold relative to severity 0 is re-estimated in every draw.
    The intervals carry the sampling noise of a finite test set, not the randomness
    of the scenario itself (applied once per severity with the same random stream).
    The model is assumed to score rows independently (true of scikit-learn and
    XGBoost classifiers): rows a scenario leaves unchanged keep their severity-0
    score and only changed rows are predicted again, all severities' in one call; for
    recall, event and value recall, which read only the positives' scores at the fixed
    threshold, only the changed positives are (the report is the same, bit for bit).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from edgecase.stress import FeatureShift
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    >>> y = (X["a"] + 0.3 * rng.normal(size=2000) > 1.5).astype(int)
    >>> model = LogisticRegression().fit(X, y)
    >>> report = StressHarness(model, [FeatureShift(shift={"a": -0.5})], alert_rate=0.05,
    ...     severities=[0, 0.5, 1, 1.5, 2], n_boot=100, random_state=0, progress=False).run(X, y)
    >>> report.curves[["severity", "value"]].round(2).values.tolist()[:2]
    [[0.0, 0.62], [0.5, 0.38]]
    >>> report.breaking_points["broken"].tolist()
    [True]
    """

    _parameter_constraints: dict = {
        "model": [HasMethods(["predict_proba"])],
        "scenarios": [str, HasMethods(["apply"]), Sequence, Mapping],
        "metric": [StrOptions({*_metrics.BUILTIN, *_metrics.ALIASES}), Metric, callable],
        "alert_rate": [Interval(numbers.Real, 0, 1, closed="right"), None],
        "score_threshold": [_REAL, None],
        "severities": ["array-like"],
        "n_boot": [Interval(numbers.Integral, 2, None, closed="left")],
        "ci_level": [Interval(numbers.Real, 0, 1, closed="neither")],
        "breaking_threshold": [_REAL, None],
        "random_state": [
            None,
            Interval(numbers.Integral, 0, None, closed="left"),
            np.random.Generator,
            np.random.SeedSequence,
            np.random.RandomState,
        ],
        "progress": ["boolean"],
        "ceiling": ["boolean", HasMethods(["fit", "predict_proba"])],
        "threshold": [_REAL, None, Hidden(StrOptions({DEPRECATED}))],
    }

    def __init__(
        self,
        model: Any,
        scenarios: Any,
        *,
        metric: str | Metric | Callable[..., float] = "recall",
        alert_rate: float | None = None,
        score_threshold: float | None = None,
        severities: Sequence[float] | np.ndarray = _DEFAULT_GRID,
        n_boot: int = 200,
        ci_level: float = CI_LEVEL,
        breaking_threshold: float | None = None,
        random_state: RandomStateLike = None,
        progress: bool = True,
        ceiling: bool | Any = False,
        threshold: float | None | str = DEPRECATED,
    ) -> None:
        self.model = model
        self.scenarios = scenarios
        self.metric = metric
        self.alert_rate = alert_rate
        self.score_threshold = score_threshold
        self.severities = severities
        self.n_boot = n_boot
        self.ci_level = ci_level
        self.breaking_threshold = breaking_threshold
        self.random_state = random_state
        self.progress = progress
        self.ceiling = ceiling
        self.threshold = threshold

    def __sklearn_clone__(self) -> StressHarness:
        params = self.get_params(deep=False)
        model = params.pop("model")
        return type(self)(model, **{k: clone(v, safe=False) for k, v in params.items()})

    def _validate(self):
        check_declared_params(self._validate_params)
        model = check_model(self.model)
        metric = resolve_metric(self.metric)
        scenarios = resolve_scenarios(self.scenarios)
        sev = check_severities(self.severities)
        n_boot = check_scalar(self.n_boot, "n_boot", kind=numbers.Integral, low=2)
        check_scalar(self.ci_level, "ci_level", low=0.0, high=1.0, low_inclusive=False,
                     high_inclusive=False)  # fmt: skip
        score_threshold = renamed_threshold(self.score_threshold, self.threshold, "StressHarness")
        check_threshold_options(self.alert_rate, score_threshold)
        if self.breaking_threshold is not None:
            check_breaking_threshold(metric, self.breaking_threshold)
        check_bool(self.progress, "progress")
        reference = resolve_ceiling(self.ceiling)
        return model, metric, scenarios, sev, int(n_boot), score_threshold, reference

    def run(
        self, X: Any, y: Any, *, groups: Any = None, amount: Any = None, client: Any = None
    ) -> StressReport:
        """Sweep every scenario over the severities on ``(X, y)`` (the test set).

        ``groups``: one event, account or merchant id per row (or the name of a column
        of ``X``): the bootstrap resamples whole groups, and ``metric="event_recall"``
        counts events. ``amount``: the amount per row (or a column name of ``X``),
        needed by ``metric="value_recall"``. Scenarios that simulate their own rows use
        the same column of their rows when ``groups``/``amount`` name one.
        ``client``: a ``distributed.Client`` (or scheduler address) runs one task per
        scenario on the cluster; the report is identical to a local run.
        """
        model, metric, scenarios, sev, n_boot, score_threshold, ref = self._validate()
        model = for_input(model, X)
        X, y_arr, y_in = check_X_labels(X, y)
        side = side_columns(metric, X, groups, amount)
        base = predict_scores(model, X, what="X")
        thr = resolve_threshold(model, base, self.alert_rate, score_threshold)
        root = as_seed_sequence(self.random_state)
        boot = _bootstrap.CurveBootstrap(n_boot, root.spawn(len(scenarios) + 1)[-1], side["codes"])
        baseline = point(metric, y_arr, base, thr, side)
        base_draws = _bootstrap.weighted_draws(metric, y_arr, base, thr, boot.base(y_arr), side)
        base_draws = base_draws[:, 0]
        factor = 0.8 if metric.greater_is_better else 1.25
        explicit = self.breaking_threshold is not None
        bt = float(self.breaking_threshold) if explicit else baseline * factor
        bt_draws = np.full(n_boot, bt) if explicit else base_draws * factor
        # the ceiling alerts on the same share of rows as the model does unstressed
        budget = (
            float(self.alert_rate)
            if self.alert_rate is not None
            else max(float((base >= thr).mean()), 1 / len(base))
        )
        # one seed for every scenario's folds: the same rows get the same folds, so the
        # scenarios' ceilings differ by their stress, not by fold noise
        ceiling_seed = root.spawn(1)[0]  # spawned either way: the scenarios' seeds follow it
        ceiling = None if ref is None else Ceiling(ref, budget, ceiling_seed)

        items = [
            (name, sc, ss)
            for (name, sc), ss in zip(scenarios, root.spawn(len(scenarios)), strict=True)
        ]
        # One task per scenario: each draws only from its own child seed, so running them
        # here or on Dask workers (edgecase.parallel) gives the same report.
        results = map_tasks(
            _sweep_scenario, items, client=client, progress=self.progress, desc="stress scenarios",
            model=model, metric=metric, sev=sev, thr=thr, X=X, y_in=y_in, base=base,
            bt=bt, bt_draws=bt_draws, explicit_bt=explicit, boot=boot, side=side,
            ci_level=float(self.ci_level), ceiling=ceiling,
        )  # fmt: skip
        rows = [r for res in results for r in res[0]]
        bps = [res[1] for res in results]
        draws = {name: res[2] for (name, _, _), res in zip(items, results, strict=True)}
        curves = pd.DataFrame(rows)
        curves["scenario"] = curves["scenario"].astype(object)
        notes = [bp.pop("warning") for bp in bps]
        for note in filter(None, notes):
            warnings.warn(note, PrecisionWarning, stacklevel=2)
        return StressReport(
            metric=metric.name,
            greater_is_better=metric.greater_is_better,
            threshold=thr,
            alert_rate=None if self.alert_rate is None else float(self.alert_rate),
            breaking_threshold=bt,
            baseline=float(baseline),
            severities=sev,
            curves=curves,
            breaking_points=pd.DataFrame(bps),
            draws=draws,
            ci_level=float(self.ci_level),
            warnings=[n for n in notes if n],
        )

    @staticmethod
    def _apply(sc, name, X, y, s, rng):
        """``sc.apply(X, y, s, rng)``, its output checked (finite, labels 0/1, both classes)."""
        X_s, y_s, _ = _apply_checked(sc, name, X, y, s, rng)
        return X_s, y_s

    @staticmethod
    def _breaking(name, sev, vals, draws, metric, bt, bt_draws, ci_level) -> dict[str, Any]:
        """Point estimate, interval and early warning of one scenario (see
        :mod:`edgecase.stress._breaking`)."""
        return breaking_point(name, sev, vals, draws, bt, bt_draws, metric, ci_level)


def _points(metric: Metric, y: np.ndarray, S: np.ndarray, thr: float, side: dict) -> np.ndarray:
    """:func:`~edgecase.stress._side.point` of each column of ``S`` (one per severity)."""
    if metric.name in _metrics.NEEDS:
        return np.array([point(metric, y, S[:, j], thr, side) for j in range(S.shape[1])])
    return _metrics.point_values(metric, y, S, thr)


def _sweep_scenario(
    item: tuple[str, Any, np.random.SeedSequence],
    *,
    model: Any,
    metric: Metric,
    sev: np.ndarray,
    thr: float,
    X: pd.DataFrame,
    y_in: Any,
    base: np.ndarray,
    bt: float,
    bt_draws: np.ndarray,
    explicit_bt: bool,
    boot: _bootstrap.CurveBootstrap,
    side: dict[str, Any],
    ci_level: float,
    ceiling: Ceiling | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any], np.ndarray]:
    """Curve rows, breaking point and bootstrap draws ``(n_sev, n_boot)`` of one scenario."""
    name, sc, ss = item
    apply_seed, boot_seed = ss.spawn(2)
    y = np.asarray(y_in, dtype=np.int8)
    draws = np.empty((boot.n_boot, len(sev)))
    vals, ceil, counts, kept = np.empty(len(sev)), np.empty(len(sev)), [], {}
    batch, stressed = ScoreBatch(model, X, base, name), []
    test_groups_pos = _bootstrap.n_groups(y, side["codes"])[0]  # the same at every severity
    for j, s in enumerate(sev):
        # Same apply seed at every severity: common random numbers make the
        # curve change with severity, not with re-rolled noise.
        apply_rng = np.random.Generator(np.random.PCG64(apply_seed))
        X_s, y_s, changes = _apply_checked(sc, name, X, y_in, float(s), apply_rng, X_checked=True)
        same_rows = X_s.index.equals(X.index) and np.array_equal(y_s, y)
        s_side = side if same_rows else own_side(X_s, X, side, name)
        # the ceiling's budget reads every row's score at the lowest severity, at once
        first = ceiling is not None and j == 0
        need = None if first or not reads_positives_only(metric) else y_s == 1
        scores = batch.add(X_s, changes, need, now=first)
        if ceiling is not None:
            if j == 0:  # the model's staffing on this scenario, unstressed
                staff = float(np.mean(scores >= thr)) if metric.uses_threshold else None
            unstressed = same_rows and changes is not None and not changed_columns(changes)
            ceil[j] = ceiling.value(
                metric, X_s, y_s, s_side, point, budget=staff, unstressed=unstressed,
                prior=base if same_rows else None,
            )  # fmt: skip
        stressed.append((y_s, s_side, same_rows))
    for j, (scores, (y_s, s_side, same_rows)) in enumerate(
        zip(batch.scores(), stressed, strict=True)
    ):
        if same_rows:
            kept[j] = scores  # the test set's rows: measured on the run's draws, below
            groups_pos = test_groups_pos
        else:
            d = boot.draws_for(y_s, s_side["codes"], boot_seed)
            draws[:, j] = _bootstrap.weighted_draws(metric, y_s, scores, thr, d, s_side)[:, 0]
            groups_pos = _bootstrap.n_groups(y_s, s_side["codes"])[0]
            vals[j] = point(metric, y_s, scores, thr, s_side)
        counts.append((len(y_s), int(y_s.sum()), groups_pos))
    if kept:
        cols = list(kept)
        S = np.column_stack([kept[j] for j in cols])
        draws[:, cols] = _bootstrap.weighted_draws(metric, y, S, thr, boot.base(y), side)
        vals[cols] = _points(metric, y, S, thr, side)
    if not explicit_bt and getattr(sc, "own_baseline", False):
        # Scenarios that simulate their own rows (a typology's fraud, market paths) are
        # measured against their own lowest severity, in every draw: the unstressed X is
        # another population, so 80% of *its* value would call a model broken unstressed.
        factor = 0.8 if metric.greater_is_better else 1.25
        bt, bt_draws = float(vals[0]) * factor, draws[:, 0] * factor
    a = (1 - ci_level) / 2
    lows, highs = np.quantile(draws, [a, 1 - a], axis=0)
    rows = [
        {"scenario": name, "severity": float(s), "value": float(vals[j]),
         "ci_low": float(min(lows[j], vals[j])), "ci_high": float(max(highs[j], vals[j])),
         "n": counts[j][0], "n_pos": counts[j][1], "n_pos_groups": counts[j][2],
         **({} if ceiling is None else {"ceiling": float(ceil[j])})}
        for j, s in enumerate(sev)
    ]  # fmt: skip
    bp = breaking_point(
        name, sev, vals, draws, bt, bt_draws, metric, ci_level, None if ceiling is None else ceil
    )
    bp["warning"] = precision_warning(name, rows[0], bt, metric, ci_level)
    return rows, bp, draws.T
