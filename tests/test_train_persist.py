"""save/load: XGBoost JSON + JSON metadata, no pickle, identical predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.errors import InvalidInputError, InvalidParameterError, NotFittedError
from edgecase.train import Trainer


def small():
    return XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1, enable_categorical=True)


@pytest.mark.parametrize(
    ("dataset", "kw"),
    [
        ("yeast4", {"sampler": "smote", "threshold": "alert_rate=0.02"}),
        ("abalone19", {"sampler": "smotenc", "threshold": "cost=50:1", "calibrate": True}),
        ("page-blocks0", {"sampler": "scale_pos_weight", "calibrate": "sigmoid"}),
    ],
)
def test_round_trip_gives_identical_predictions(tmp_path, dataset, kw):
    X, y = load_keel(dataset)
    tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False, **kw).fit(X, y)
    out = tr.save(tmp_path / "model")
    assert sorted(p.name for p in out.iterdir()) == ["metadata.json", "model.json"]
    back = Trainer.load(out)
    np.testing.assert_array_equal(back.predict_proba(X), tr.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), tr.predict(X))
    assert back.threshold_ == tr.threshold_
    assert back.threshold_policy_ == tr.threshold_policy_
    assert list(back.feature_names_in_) == list(tr.feature_names_in_)
    assert back.sampler_name_ == tr.sampler_name_
    assert back.get_params()["sampler"] == kw["sampler"]
    np.testing.assert_allclose(back.cv_report_.to_numpy(), tr.cv_report_.to_numpy())
    # A loaded model can be saved again, byte for byte the same model.
    again = back.save(tmp_path / "again")
    assert (again / "model.json").read_bytes() == (out / "model.json").read_bytes()


def test_metadata_records_schema_threshold_and_versions(tmp_path):
    X, y = load_keel("abalone19")
    tr = Trainer(estimator=small(), sampler="random", cv=3, random_state=0, progress=False)
    tr.fit(X, y).save(tmp_path)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["format"] == "edgecase.trainer/1"
    assert meta["threshold"] == tr.threshold_ and meta["threshold_policy"] == "f1"
    assert meta["sampler"] == "random"
    sex = meta["features"][0]
    assert sex == {
        "name": "Sex",
        "dtype": "category",
        "categories": ["M", "F", "I"],
        "ordered": False,
    }
    assert meta["features"][1] == {"name": "Length", "dtype": "float64"}
    assert {"xgboost", "scikit-learn", "imbalanced-learn", "numpy", "pandas", "python"} <= set(
        meta["versions"]
    )
    # A loaded model checks new rows against the saved levels.
    back = Trainer.load(tmp_path)
    with pytest.raises(InvalidInputError, match="'Sex'.*not seen"):
        back.predict(X.assign(Sex=X["Sex"].astype(str).str.replace("I", "Q")))


def test_numpy_trained_model_round_trip(tmp_path):
    X, y = load_keel("yeast4")
    A = X.to_numpy()
    tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(A, y.to_numpy())
    back = Trainer.load(tr.save(tmp_path))
    np.testing.assert_array_equal(back.predict_proba(A), tr.predict_proba(A))


def test_loaded_trainer_refuses_policies_without_oof_scores(tmp_path):
    X, y = load_keel("yeast4")
    tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(X, y)
    back = Trainer.load(tr.save(tmp_path))
    with pytest.raises(NotFittedError, match="out-of-fold"):
        back.set_threshold("alert_rate=0.05")
    back.set_threshold(0.4)
    assert back.threshold_ == 0.4


def test_save_and_load_errors(tmp_path):
    X, y = load_keel("yeast4")
    with pytest.raises(NotFittedError):
        Trainer().save(tmp_path)
    lr = Trainer(estimator=LogisticRegression(), cv=3, random_state=0, progress=False).fit(X, y)
    with pytest.raises(InvalidParameterError, match="no.*pickle|does not pickle"):
        lr.save(tmp_path / "lr")
    with pytest.raises(InvalidInputError, match="not a saved Trainer"):
        Trainer.load(tmp_path / "nothing-here")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "metadata.json").write_text("{not json")
    (tmp_path / "broken" / "model.json").write_text("{}")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        Trainer.load(tmp_path / "broken")
    (tmp_path / "broken" / "metadata.json").write_text('{"format": "other"}')
    with pytest.raises(InvalidInputError, match="format"):
        Trainer.load(tmp_path / "broken")
    afile = tmp_path / "a-file"
    afile.write_text("x")
    tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(X, y)
    with pytest.raises(InvalidParameterError, match="not a directory"):
        tr.save(afile)


@pytest.fixture(scope="module")
def guarded():
    """A Trainer fitted on the simulator's whole table: the guard drops ids, labels, times."""
    from edgecase.fraud import simulate_transactions

    table = simulate_transactions(12_000, fraud_rate=0.02, random_state=3, progress=False)
    X, y = table.drop(columns=["is_fraud"]), table["is_fraud"].astype(int)
    with pytest.warns(UserWarning, match="leakage guard dropped"):
        tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(X, y)
    return tr, X


def test_dropped_columns_are_saved_and_applied_at_predict_time(tmp_path, guarded):
    tr, X = guarded
    assert {"typology", "label_time", "event_id", "timestamp"} <= set(tr.dropped_columns_)
    features = X[list(tr.feature_names_in_)]
    # The frame as it was given to fit (text, ids and datetimes included) scores as the
    # features alone: the guard's columns are dropped again, not refused.
    p = tr.predict_proba(features)
    np.testing.assert_array_equal(tr.predict_proba(X), p)
    back = Trainer.load(tr.save(tmp_path / "m"))
    assert back.dropped_columns_ == tr.dropped_columns_
    assert back.get_params()["leakage"] == "drop"
    np.testing.assert_array_equal(back.predict_proba(X), p)
    np.testing.assert_array_equal(back.predict_proba(features), p)
    # Columns the guard never saw are still refused by name.
    with pytest.raises(InvalidInputError, match="unexpected.*'surprise'"):
        back.predict_proba(X.assign(surprise=1.0))
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert meta["dropped_columns"] == tr.dropped_columns_


def test_array_fitted_guard_drops_the_same_position_at_predict_time(tmp_path):
    rng = np.random.default_rng(0)
    y = (rng.random(3_000) < 0.05).astype(int)
    A = np.column_stack([rng.normal(size=3_000) + y, rng.normal(size=3_000), y * 3.0])
    with pytest.warns(UserWarning, match="'x2'"):
        tr = Trainer(estimator=small(), cv=3, random_state=0, progress=False).fit(A, y)
    assert list(tr.feature_names_in_) == ["x0", "x1"] and list(tr.dropped_columns_) == ["x2"]
    back = Trainer.load(tr.save(tmp_path))
    np.testing.assert_array_equal(back.predict_proba(A), tr.predict_proba(A[:, :2]))
    with pytest.raises(InvalidInputError, match="4 columns"):
        back.predict_proba(np.column_stack([A, A[:, :1]]))


@pytest.mark.parametrize(
    ("value", "match"),
    [(5, "object of column name"), ({"typology": 3}, "object of column name"),
     ({"amount": "id-like"}, "also features: \\['amount'\\]")],
)  # fmt: skip
def test_tampered_dropped_columns_are_refused_by_name(tmp_path, guarded, value, match):
    tr, _ = guarded
    out = tr.save(tmp_path / "m")
    meta = json.loads((out / "metadata.json").read_text())
    meta["dropped_columns"] = value
    (out / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(InvalidInputError, match=f"dropped_columns.*{match}"):
        Trainer.load(out)


def test_files_saved_before_the_guard_load_with_nothing_dropped(tmp_path, guarded):
    tr, X = guarded
    out = tr.save(tmp_path / "m")
    meta = json.loads((out / "metadata.json").read_text())
    del meta["dropped_columns"], meta["trainer"]["leakage"]
    (out / "metadata.json").write_text(json.dumps(meta))
    back = Trainer.load(out)
    assert back.dropped_columns_ == {}
    features = X[list(tr.feature_names_in_)]
    np.testing.assert_array_equal(back.predict_proba(features), tr.predict_proba(features))
