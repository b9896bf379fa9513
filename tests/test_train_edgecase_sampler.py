"""The trainer with edgecase's own oversampler: compare()'s default list, and names."""

from __future__ import annotations

import numpy as np
from xgboost import XGBClassifier

from edgecase.datasets import load_keel
from edgecase.fraud import EdgeCaseOversampler
from edgecase.train import Trainer, compare


def _fast():
    return XGBClassifier(
        n_estimators=40, max_depth=3, learning_rate=0.2, n_jobs=1, tree_method="hist"
    )


def test_compare_default_list_includes_edgecase():
    X, y = load_keel("yeast4")
    res = compare(X, y, cv=3, repeats=1, estimator=_fast(), random_state=0, progress=False)
    names = set(res.index) if "sampler" not in res.columns else set(res["sampler"])
    assert {
        "none",
        "scale_pos_weight",
        "random",
        "smote",
        "borderline",
        "adasyn",
        "edgecase",
    } <= names
    assert np.isfinite(res.filter(like="pr_auc").to_numpy(dtype=float)).all()


def test_trainer_accepts_the_name_and_the_object():
    X, y = load_keel("yeast4")
    by_name = Trainer(
        estimator=_fast(), sampler="edgecase", cv=3, random_state=0, progress=False
    ).fit(X, y)
    by_obj = Trainer(
        estimator=_fast(),
        sampler=EdgeCaseOversampler(random_state=0),
        cv=3,
        random_state=0,
        progress=False,
    ).fit(X, y)
    assert 0 < by_name.threshold_ < 1 and 0 < by_obj.threshold_ < 1
    assert by_name.cv_report_.loc["pr_auc", "oof"] > y.mean()
