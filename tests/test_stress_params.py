"""StressHarness parameters: declarative validation at run, clone, and score_threshold's old name."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from edgecase.errors import InvalidParameterError
from edgecase.stress import StressHarness, breaking_severity, minimal_breaking_example

from .conftest import CutA, ScoreIsA, known_breaking_data


def _harness(**kw):
    params = dict(
        model=ScoreIsA(),
        scenarios=[CutA()],
        severities=[0, 1, 2],
        n_boot=20,
        random_state=0,
        progress=False,
    )
    return StressHarness(**{**params, **kw})


@pytest.fixture(scope="module")
def data():
    return known_breaking_data(n_pos=300, n_neg=1000)


def test_init_only_stores_parameters():
    bad = StressHarness(object(), 5, n_boot=-3, metric="nope", progress="yes")
    assert bad.get_params(deep=False)["n_boot"] == -3
    assert set(StressHarness._parameter_constraints) == set(bad.get_params(deep=False))


@pytest.mark.parametrize(
    "param, value",
    [
        ("model", object()),
        ("scenarios", 5),
        ("metric", "nope"),
        ("alert_rate", 0.0),
        ("alert_rate", 1.5),
        ("score_threshold", float("nan")),
        ("severities", 3),
        ("n_boot", 1),
        ("n_boot", 2.5),
        ("breaking_threshold", "high"),
        ("random_state", -1),
        ("random_state", "seed"),
        ("progress", 1),
    ],
)
def test_bad_parameters_raise_edgecase_errors_naming_them(data, param, value):
    X, y = data
    with pytest.raises(InvalidParameterError, match=param):
        _harness(**{param: value}).run(X, y)


def test_clone_keeps_the_model_and_gives_the_same_report(data):
    X, y = data
    h = _harness(score_threshold=0.5, random_state=np.random.default_rng(1).integers(100))
    c = clone(h)
    assert c is not h and c.model is h.model
    assert c.get_params(deep=False).keys() == h.get_params(deep=False).keys()
    assert c.scenarios is not h.scenarios
    assert h.run(X, y).to_json() == c.run(X, y).to_json()
    c.set_params(n_boot=30)
    assert h.n_boot == 20 and c.n_boot == 30
    assert "StressHarness(" in repr(h)


def test_default_severities_are_the_documented_grid(data):
    X, y = data
    rep = StressHarness(ScoreIsA(), [CutA()], n_boot=5, random_state=0, progress=False).run(X, y)
    assert rep.severities.tolist() == np.linspace(0, 3, 13).tolist()


def test_threshold_is_the_deprecated_name_of_score_threshold(data):
    X, y = data
    new = _harness(score_threshold=0.5).run(X, y)
    with pytest.warns(FutureWarning, match="score_threshold"):
        old = _harness(threshold=0.5).run(X, y)
    assert old.to_json() == new.to_json()
    with pytest.raises(InvalidParameterError, match="not both"), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        _harness(threshold=0.5, score_threshold=0.4).run(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _harness(score_threshold=0.5).run(X, y)

    kw = dict(breaking_threshold=0.6, high=2.0, random_state=0)
    new = breaking_severity(ScoreIsA(), CutA(), X, y, score_threshold=0.5, **kw)
    with pytest.warns(FutureWarning, match="breaking_severity"):
        old = breaking_severity(ScoreIsA(), CutA(), X, y, threshold=0.5, **kw)
    assert (old.severity, old.bracket) == (new.severity, new.bracket)


def test_minimal_breaking_example_takes_score_threshold():
    row = pd.DataFrame({"a": [0.9]})
    kw = dict(bounds={"a": (0.0, 1.0)}, max_examples=30, random_state=0)
    new = minimal_breaking_example(ScoreIsA(), row, score_threshold=0.7, **kw)
    with pytest.warns(FutureWarning, match="minimal_breaking_example"):
        old = minimal_breaking_example(ScoreIsA(), row, threshold=0.7, **kw)
    assert new.found and new.threshold == old.threshold == 0.7
    assert new.example["a"] == old.example["a"] == pytest.approx(0.7, abs=1e-5)
    with pytest.raises(InvalidParameterError, match="score_threshold"):
        minimal_breaking_example(ScoreIsA(), row, score_threshold="high", **kw)


def test_find_slices_takes_score_threshold():
    from edgecase.stress import find_slices

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.uniform(size=2000), "b": rng.integers(0, 3, 2000)})
    y = (rng.random(2000) < 0.3).astype(int)
    scores = np.where((X["a"] < 0.2) & (X["b"] == 1), 0.1, 0.9) * y
    new = find_slices(X, y, scores, score_threshold=0.5)
    with pytest.warns(FutureWarning, match="find_slices"):
        old = find_slices(X, y, scores, threshold=0.5)
    pd.testing.assert_frame_equal(new, old)
