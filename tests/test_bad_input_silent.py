"""Regression tests for inputs that used to give a wrong answer instead of an error.

Each test feeds one realistic mistake (a NaN row, a shuffled label Series, a newest-first
index, a tampered metadata file ...) and checks that an EdgecaseError naming the column
or parameter comes back, and that the correct form of the same input still works.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from edgecase._validate import check_aligned, check_labels01, check_X_y
from edgecase.errors import EdgecaseError, InvalidInputError, InvalidParameterError

N = 60


def _Xy(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(N, 3)), columns=["a", "b", "c"])
    y = pd.Series((X["a"] + 0.5 * rng.normal(size=N) > 0.8).astype(int), name="y")
    return X, y


def _model():
    from sklearn.linear_model import LogisticRegression

    X, y = _Xy()
    return LogisticRegression().fit(X, y)


# ------------------------------------------------------------------ X/y alignment


def test_shuffled_label_series_is_refused_everywhere():
    from edgecase.fraud import EdgeCaseOversampler
    from edgecase.stress import FeatureShift, StressHarness
    from edgecase.train import Trainer

    X, y = _Xy()
    shuffled = y.sample(frac=1, random_state=0)
    calls = {
        "check_X_y": lambda: check_X_y(X, shuffled),
        "Trainer.fit": lambda: Trainer(progress=False, cv=2).fit(X, shuffled),
        "EdgeCaseOversampler": lambda: EdgeCaseOversampler(k_neighbors=2).fit_resample(X, shuffled),
        "StressHarness.run": lambda: StressHarness(
            _model(), [FeatureShift(shift={"a": -1})], n_boot=10, progress=False
        ).run(X, shuffled),
        "scenario.apply": lambda: FeatureShift(shift={"a": 1}).apply(X, shuffled, 1.0, 0),
    }
    for name, call in calls.items():
        with pytest.raises(InvalidInputError, match="different pandas indexes") as info:
            call()
        assert "X" in str(info.value) and "y" in str(info.value), name
    # The same labels, aligned, or as a plain array, are fine.
    check_X_y(X, shuffled.reindex(X.index))
    check_X_y(X, shuffled.to_numpy())
    check_aligned(X, y)


# ------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    "labels, shown",
    [([0, 256, 1], "256"), ([0, 300, 1], "300"), ([0, 0.7, 1], "0.7"), ([0, 1, 2], "2")],
)
def test_split_features_refuses_labels_it_would_cast(labels, shown):
    from edgecase.fraud import simulate_transactions, split_features

    df = simulate_transactions(300, random_state=0, progress=False).iloc[:3].copy()
    df["is_fraud"] = labels
    with pytest.raises(InvalidInputError, match="is_fraud") as info:
        split_features(df)
    assert shown in str(info.value)


def test_labels01_refuses_text_and_missing_and_keeps_index():
    with pytest.raises(InvalidInputError, match="'yes'"):
        check_labels01(pd.Series(["yes", "no"]))
    with pytest.raises(InvalidInputError, match="missing"):
        check_labels01(pd.Series([0.0, np.nan]))
    assert check_labels01(pd.Series([True, False])).tolist() == [1, 0]
    from edgecase.fraud import simulate_transactions, split_features

    df = simulate_transactions(300, random_state=0, progress=False)
    df.index = df.index + 1000
    X, y = split_features(df)
    assert y.index.equals(df.index) and y.dtype == np.int8


def test_fractional_labels_are_not_a_class_name():
    with pytest.raises(InvalidInputError, match="fractional"):
        check_X_y(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [0, 0.7, 0])


# ------------------------------------------------------------------ stress: finite checks


def test_nan_in_X_is_refused_by_harness_and_every_fraud_scenario():
    from edgecase.fraud import simulate_transactions, split_features
    from edgecase.stress import StressHarness, fraud_scenarios

    X, y = split_features(simulate_transactions(2000, random_state=0, progress=False))
    X = X.copy()
    X.loc[X.index[3], "amount"] = np.nan
    scenarios = fraud_scenarios()
    assert len(scenarios) == 6
    for sc in scenarios:
        with pytest.raises(InvalidInputError, match="'amount'"):
            sc.apply(X, y, 1.0, 0)
    with pytest.raises(InvalidInputError, match="'amount'"):
        StressHarness(_model(), scenarios, n_boot=10, progress=False).run(X, y)


def test_overflowing_shift_and_nan_writing_scenario_are_refused():
    from edgecase.stress import FeatureShift, StressHarness

    X, y = _Xy()
    with pytest.raises(InvalidInputError, match="'a'.*infinite"):
        FeatureShift(shift={"a": 1e308}).apply(X, y, 2.0, 0)

    class Writes:
        def __init__(self, value):
            self.value = value

        def apply(self, X, y, severity, rng):
            X = X.copy()
            X.iloc[0, 0] = self.value
            return X, y

    for bad in (np.nan, np.inf):
        h = StressHarness(_model(), {"bad": Writes(bad)}, severities=[0, 1], n_boot=10)
        with pytest.raises(InvalidInputError, match="scenario 'bad'.*'a'"):
            h.set_params(progress=False).run(X, y)


# ------------------------------------------------------------------ thresholds


def test_score_thresholds_outside_unit_interval_are_refused():
    from edgecase.stress import FeatureShift, StressHarness, breaking_severity

    X, y = _Xy()
    for bad in (5.0, -1.0, 1.5):
        with pytest.raises(InvalidParameterError, match="score_threshold"):
            StressHarness(
                _model(), [FeatureShift(shift={"a": -1})], score_threshold=bad, progress=False
            ).run(X, y)
        with pytest.raises(InvalidParameterError, match="score_threshold"):
            breaking_severity(
                _model(),
                FeatureShift(shift={"a": -1}),
                X,
                y,
                breaking_threshold=0.5,
                score_threshold=bad,
            )


# ------------------------------------------------------------------ market


def _returns(n: int = 600, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2010-01-01", periods=n)
    return pd.Series(0.01 * rng.standard_t(5, size=n), index=idx, name="r")


def test_newest_first_returns_are_refused_by_calibration_and_cli(tmp_path):
    from edgecase.cli import main
    from edgecase.market import BlackSwanGenerator

    r = _returns()
    with pytest.raises(InvalidInputError, match="time order"):
        BlackSwanGenerator.from_returns(r[::-1])
    with pytest.raises(InvalidInputError, match="repeated dates"):
        BlackSwanGenerator.from_returns(pd.concat([r.iloc[:1], r]))
    path = tmp_path / "r.csv"
    r[::-1].rename_axis("date").reset_index().set_index("date").to_csv(path)
    rc = main(["generate", "market", "--returns", str(path), "--out", str(tmp_path / "o.csv")])
    assert rc == 2


def test_stylized_facts_honour_asset_and_refuse_unknown_and_constant():
    from edgecase.market import realism_scorecard, stylized_facts

    a, b = _returns(seed=1), 3 * _returns(seed=2)
    df = pd.DataFrame({"a": a, "b": b})
    facts_b = stylized_facts(df, asset="b")
    assert facts_b.equals(stylized_facts(b)) and not facts_b.equals(stylized_facts(a))
    assert stylized_facts(df, asset=1).equals(facts_b)
    for bad in ("zz", 2, -1, 1.5):
        with pytest.raises(InvalidParameterError, match="asset"):
            stylized_facts(df, asset=bad)
    with pytest.raises(InvalidParameterError, match="asset='b'"):
        stylized_facts(a, asset="b")
    with pytest.raises(InvalidInputError, match="constant"):
        stylized_facts(pd.Series(np.zeros(600)))
    with pytest.raises(InvalidInputError, match="constant"):
        realism_scorecard(np.zeros((3, 600)), a)
    card = realism_scorecard(df, df, asset="b")
    assert np.isfinite(card.score)


def test_var_backtest_refuses_mixed_sign_es_below_var_and_misaligned_var():
    from edgecase.stress import var_backtest

    r = _returns(500)
    var = pd.Series(0.02, index=r.index)
    var_backtest(r, var)
    mixed = var.copy()
    mixed.iloc[::7] = -0.02
    with pytest.raises(InvalidInputError, match="var.*<= 0"):
        var_backtest(r, mixed)
    with pytest.raises(InvalidInputError, match="es must be >= var"):
        var_backtest(r, var, es=var * 0.5)
    shifted = pd.Series(0.02, index=r.index + pd.offsets.BDay(1))
    with pytest.raises(InvalidInputError, match="same index"):
        var_backtest(r.to_frame(), shifted)


# ------------------------------------------------------------------ schema


def test_oversampler_checks_data_against_its_schema():
    from edgecase.fraud import EdgeCaseOversampler, FraudScenarioGenerator
    from edgecase.schema import Column, TableSchema

    X, y = _Xy()
    schema = TableSchema([Column("a", high=0.0), Column("b"), Column("c")])
    with pytest.raises(EdgecaseError, match="'a'"):
        FraudScenarioGenerator(schema=schema).fit(X, y)
    with pytest.raises(EdgecaseError, match="'a'"):
        EdgeCaseOversampler(schema=schema, k_neighbors=2).fit_resample(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf, "a", True])
def test_column_bounds_must_be_finite_numbers(bad):
    from edgecase.schema import Column

    with pytest.raises(InvalidParameterError, match="'x'.*low"):
        Column("x", low=bad)
    with pytest.raises(InvalidParameterError, match="'x'.*high"):
        Column("x", high=bad)


def test_complex_columns_are_refused():
    X = pd.DataFrame({"a": np.arange(4.0), "z": np.arange(4) + 1j})
    with pytest.raises(InvalidInputError, match="'z'.*complex"):
        check_X_y(X, [0, 1, 0, 1])


# ------------------------------------------------------------------ CLI


@pytest.mark.parametrize(
    "toml, words",
    [
        ("[trian]\nn = 1\n", ["[trian]", "[train]"]),
        ("[bogus]\nx = 1\n", ["[bogus]"]),
        ("[generate]\nn = 0\n", ["[generate]"]),
        ("[train]\nbogsu = 1\n", ["bogsu"]),
        ("[demo]\nquick = 'yes'\n", ["quick", "true or false"]),
        ("[generate.fraud]\nn = '10'\n", ["n", "integer"]),
        ("[generate.fraud]\nn = true\n", ["n", "integer"]),
        ("quick = 1\n", ["quick", "true or false"]),
    ],
)
def test_config_refuses_unknown_tables_keys_and_wrong_types(tmp_path, capsys, toml, words):
    from edgecase.cli import main

    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    rc = main(["demo", "--config", str(cfg), "--out", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert rc == 2, err
    for w in words:
        assert w in err


def test_config_non_utf8_and_debug_exit_status(tmp_path, capsys):
    from edgecase.cli import main

    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b"\xff\xfe[demo]")
    assert main(["demo", "--config", str(cfg)]) == 2
    assert "UTF-8" in capsys.readouterr().err
    cfg.write_text("[demo]\nquick = 'yes'\n")
    assert main(["--debug", "demo", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "quick" in err


def test_cli_refuses_duplicate_csv_headers(tmp_path):
    from edgecase.cli import read_table

    path = tmp_path / "d.csv"
    path.write_text("a,a,b\n1,2,3\n")
    with pytest.raises(InvalidInputError, match="repeated column name.*'a'"):
        read_table(path)
    path.write_text("a,b\n1,3\n")
    assert list(read_table(path).columns) == ["a", "b"]


# ------------------------------------------------------------------ Trainer.load


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from xgboost import XGBClassifier

    from edgecase.train import Trainer

    X, y = _Xy()
    X = X.assign(k=pd.Categorical(np.where(X["b"] > 0, "p", "q")))
    est = XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1, enable_categorical=True)
    tr = Trainer(estimator=est, cv=2, random_state=0, progress=False).fit(X, y)
    path = tr.save(tmp_path_factory.mktemp("saved"))
    return path, json.loads((path / "metadata.json").read_text()), X


def _set(path_, value):
    def f(m):
        *head, last = path_
        for k in head:
            m = m[k]
        if value is _DROP:
            del m[last]
        else:
            m[last] = value

    return f


class _Drop:
    def __repr__(self) -> str:  # a stable test id under pytest-xdist
        return "<dropped>"


_DROP = _Drop()
TAMPER = [
    ("threshold", ["threshold"], float("nan")),
    ("threshold", ["threshold"], 5),
    ("threshold", ["threshold"], -1),
    ("threshold", ["threshold"], "x"),
    ("threshold", ["threshold"], _DROP),
    ("threshold", ["threshold_policy"], "bogus"),
    ("estimator.params", ["estimator", "params", "max_depth"], -3),
    ("estimator.params", ["estimator", "params", "learning_rate"], "fast"),
    ("estimator.params", ["estimator", "params", "no_such_param"], 1),
    ("estimator", ["estimator"], None),
    ("features", ["features", 0, "name"], "renamed"),
    ("features[0].dtype", ["features", 0, "dtype"], "wat"),
    ("features[3].categories", ["features", 3, "categories"], 5),
    ("features[0].name", ["features", 0, "name"], _DROP),
    ("calibration.kind", ["calibration"], {"kind": "x"}),
    ("cv_report", ["cv_report"], 3),
    ("cv_report", ["cv_report"], [{"x": 1}]),
    ("trainer.random_state", ["trainer", "random_state"], -1),
    ("cv", ["trainer", "cv"], 1),
    ("sampler", ["sampler"], 5),
    ("versions", ["versions"], 5),
    ("versions", ["versions"], {"xgboost": 5}),
]


@pytest.mark.parametrize("field, where, value", TAMPER, ids=[f"{t[0]}={t[2]!r}" for t in TAMPER])
def test_tampered_metadata_names_the_field(saved, tmp_path, field, where, value):
    import shutil

    from edgecase.train import Trainer

    path, meta, X = saved
    dst = tmp_path / "m"
    shutil.copytree(path, dst)
    m = copy.deepcopy(meta)
    _set(where, value)(m)
    (dst / "metadata.json").write_text(json.dumps(m))
    with pytest.raises(InvalidInputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        Trainer.load(dst)


def test_untampered_metadata_loads_identically(saved):
    from edgecase.train import Trainer

    path, _, X = saved
    back = Trainer.load(path)
    assert 0.0 <= back.threshold_ <= 1.0
    assert back.predict_proba(X).shape == (len(X), 2)


def test_oversized_simulation_is_refused_with_the_number():
    from edgecase.market import make_process

    with pytest.raises(InvalidParameterError, match=r"100,000,000 x 100,000 x 1.*GB"):
        make_process("constant").simulate(10**8, 10**5, progress=False)
