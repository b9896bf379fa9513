"""The sweep's shortcuts are exact: the same report as the slow path.

The sweep scores only the rows a scenario changed (and, for recall, event and value
recall, only the changed positives), predicts every severity's changed rows in one
call, checks only the changed columns for finiteness, fits the severity-0 ceiling
once per run and fits the default reference through ``xgboost.train``. The slow path
predicts every row of every stressed frame, fits every ceiling and fits the reference
with ``XGBClassifier.fit``; the reports must be equal to the last bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xgboost import XGBClassifier

from edgecase.errors import InvalidInputError
from edgecase.fraud import simulate_transactions, split_features
from edgecase.stress import StressHarness, _ceiling, _scores, fraud_scenarios, harness
from edgecase.stress._changes import column_changes
from edgecase.stress._scores import ScoreBatch, predict_scores, rescore
from edgecase.stress.fraud_scenarios import AmountEvasion

# a small test set: the sweep warns that its intervals are wide, which is beside the point
pytestmark = pytest.mark.filterwarnings("ignore::edgecase.stress.PrecisionWarning")


@pytest.fixture(scope="module")
def data():
    df = simulate_transactions(8_000, fraud_rate=0.05, random_state=3, progress=False)
    half = len(df) // 2
    X_tr, y_tr = split_features(df.iloc[:half])
    X, y = split_features(df.iloc[half:])
    model = XGBClassifier(
        n_estimators=30, max_depth=3, enable_categorical=True, tree_method="hist", n_jobs=1
    ).fit(X_tr, y_tr)
    return X, y, df.iloc[half:]["account_id"], model


class _FullBatch(ScoreBatch):
    """The slow path: every row of every stressed frame predicted, one call per frame."""

    def add(self, X_s, changes, need=None, *, now=False):
        out = predict_scores(self.model, X_s)
        self._scores.append(out)
        return out if now else None


class _NoMemo(_ceiling.Ceiling):
    def value(self, *args, unstressed=False, **kw):
        return super().value(*args, **kw)


def _report(data, metric, ceiling):
    X, y, groups, model = data
    return StressHarness(
        model, fraud_scenarios(), metric=metric, alert_rate=0.02, severities=[0, 0.5, 2],
        n_boot=40, random_state=1, progress=False, ceiling=ceiling,
    ).run(X, y, groups=groups)  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "ceiling"), [("recall", True), ("event_recall", False), ("pr_auc", False)]
)
def test_report_equals_the_slow_path(data, metric, ceiling, monkeypatch):
    fast = _report(data, metric, ceiling)
    monkeypatch.setattr(harness, "ScoreBatch", _FullBatch)
    monkeypatch.setattr(harness, "Ceiling", _NoMemo)
    monkeypatch.setattr(_ceiling, "_BoosterFit", lambda est, *_: est)
    monkeypatch.setattr(_ceiling, "_matrix", lambda X: (X, None))
    slow = _report(data, metric, ceiling)
    pd.testing.assert_frame_equal(fast.curves, slow.curves, check_exact=True)
    pd.testing.assert_frame_equal(fast.breaking_points, slow.breaking_points, check_exact=True)
    for name, draws in fast.draws.items():
        np.testing.assert_array_equal(draws, slow.draws[name])
    # the shortcut had something to skip: legit_drift changes legit rows at every severity
    assert fast.curves["value"].nunique() > 3


def test_booster_fit_grows_the_classifiers_trees(data):
    X, y, _, _ = data
    X = X.assign(country=X["country"].astype(str))  # a text column, as _prepare meets it
    X = _ceiling._prepare(X)
    a = _ceiling.default_reference(1).fit(X, y).predict_proba(X)
    b = _ceiling._BoosterFit(_ceiling.default_reference(1)).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    # the float32 matrix with categories as codes grows the same trees again
    A, types = _ceiling._matrix(X)
    c = _ceiling._BoosterFit(_ceiling.default_reference(1), types).fit(A, y)
    np.testing.assert_array_equal(a, c.predict_proba(A))


@pytest.mark.parametrize("batch_max", [0, 100, 10**9])
def test_rescore_and_batch_equal_a_full_predict(data, batch_max, monkeypatch):
    monkeypatch.setattr(_scores, "BATCH_MAX_ROWS", batch_max)
    X, y, _, model = data
    base = predict_scores(model, X)
    batch, full = ScoreBatch(model, X, base, "s"), []
    for sc in fraud_scenarios():
        for s in (0.0, 1.0):
            X_s, _ = sc.apply(X, y, s, 0)
            full.append(predict_scores(model, X_s))
            one = rescore(model, X, base, X_s, "s")
            np.testing.assert_array_equal(one, full[-1])
            batch.add(X_s, column_changes(X, X_s))
            # positives only: their scores exact, every other changed row NaN
            need = np.asarray(y) == 1
            part = rescore(model, X, base, X_s, "s", need=need)
            np.testing.assert_array_equal(part[need], full[-1][need])
            assert np.isnan(part[~need]).sum() == (part[~need] != base[~need]).sum()
    for got, want in zip(batch.scores(), full, strict=True):
        np.testing.assert_array_equal(got, want)


def test_column_changes_compare_codes_and_nan():
    X = pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "f": [1.0, np.nan, 3.0]})
    X_s = X.assign(c=pd.Categorical(["b", "b", "a"], categories=["a", "b"]), f=[1.0, np.nan, 4])
    changes = column_changes(X, X_s)
    assert changes["c"].tolist() == [True, False, False]
    assert changes["f"].tolist() == [False, False, True]
    assert column_changes(X, X_s.astype({"f": "float32"})) is None  # dtypes differ


class _Poison:
    """Changes one legitimate row's ``col`` to ``value`` (a scenario bug)."""

    name = "poison"

    def __init__(self, col, value):
        self.col, self.value = col, value

    def apply(self, X, y, severity, random_state=None):
        if severity == 0:
            return X, y
        X = X.copy()
        X.iloc[int(np.flatnonzero(np.asarray(y) == 0)[0]), X.columns.get_loc(self.col)] = self.value
        return X, y


@pytest.mark.parametrize(("col", "value"), [("amount", np.inf), ("distance_from_home_km", np.nan)])
def test_bad_output_in_an_unscored_row_is_refused(data, col, value):
    # recall never scores legitimate rows, but a scenario's NaN/inf there is still refused
    X, y, _, model = data
    sweep = StressHarness(model, _Poison(col, value), alert_rate=0.02, severities=[0, 1],
                          n_boot=10, random_state=0, progress=False)  # fmt: skip
    with pytest.raises(InvalidInputError, match=rf"scenario 'poison'.*{col}"):
        sweep.run(X, y)


def test_builtin_scenario_output_checked_in_changed_columns(data, monkeypatch):
    X, y, _, _ = data
    monkeypatch.setattr(
        AmountEvasion, "_apply", lambda self, X, y, s, rng: (X.assign(amount=np.inf), y)
    )
    with pytest.raises(InvalidInputError, match="amount_evasion.*'amount'.*infinite"):
        AmountEvasion().apply(X, y, 1.0, 0)


def test_sweep_refuses_a_builtin_scenarios_bad_output_naming_the_column(data, monkeypatch):
    # the sweep takes a built-in scenario's own check of its output: it must still refuse
    X, y, _, model = data
    monkeypatch.setattr(
        AmountEvasion, "_apply", lambda self, X, y, s, rng: (X.assign(amount=np.inf), y)
    )
    sweep = StressHarness(model, AmountEvasion(), alert_rate=0.02, severities=[0, 1],
                          n_boot=10, random_state=0, progress=False)  # fmt: skip
    with pytest.raises(InvalidInputError, match="amount_evasion.*'amount'.*infinite"):
        sweep.run(X, y)


class _OwnApply(AmountEvasion):
    """A built-in scenario whose subclass overrides ``apply``: the sweep must call it."""

    calls = 0

    def apply(self, X, y, severity, random_state=None):
        type(self).calls += 1
        X_s, y_s = super().apply(X, y, severity, random_state)
        X_s = X_s.copy()
        X_s.iloc[0, X_s.columns.get_loc("distance_from_home_km")] = np.nan
        return X_s, y_s


def test_sweep_calls_and_checks_an_overridden_apply(data):
    X, y, _, model = data
    sweep = StressHarness(model, _OwnApply(), alert_rate=0.02, severities=[0, 1],
                          n_boot=10, random_state=0, progress=False)  # fmt: skip
    with pytest.raises(InvalidInputError, match="amount_evasion.*distance_from_home_km"):
        sweep.run(X, y)
    assert _OwnApply.calls == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"a": np.nan},
        {"b": np.inf},
        {"b": 1e300},
        {"n": 2**60},
        {"c": None},
        {"a": np.nan, "b": -np.inf},  # two columns: the first in column order is named
    ],
)
def test_changed_cells_check_raises_check_finites_error_on_the_whole_output(bad):
    # only the changed cells are checked; the error (column, count, largest value) must
    # be the one check_finite gives on the whole stressed frame
    from edgecase._validate import check_finite
    from edgecase.stress._changes import check_changed_finite

    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({
        "a": rng.normal(size=n), "b": rng.normal(size=n) * 1e6,
        "n": rng.integers(0, 10, n), "c": pd.Categorical(rng.choice(["x", "y"], n)),
    })  # fmt: skip
    X_s = X.copy()
    rows = rng.choice(n, 7, replace=False)
    for col, value in bad.items():
        X_s.loc[rows, col] = value
    X_s.loc[rows[:2], "a"] = X_s.loc[rows[:2], "a"] + 1.0  # some good changed cells too
    with pytest.raises(InvalidInputError) as whole:
        check_finite(X_s, name="out")
    with pytest.raises(InvalidInputError) as cells:
        check_changed_finite(X, X_s, name="out")
    assert str(cells.value) == str(whole.value)
    X_ok = X.copy()
    X_ok.loc[rows, "a"] = 3.0
    assert check_changed_finite(X, X_ok, name="out")["a"].sum() == len(rows)
